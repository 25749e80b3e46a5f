//! Reading scenario files: TOML into [`Scenario`], with every error pointing at the file,
//! the line and the key, and saying what was expected there.
//!
//! Three passes: toml_edit parses the text keeping the span of every key (syntax errors
//! come from here); serde, through serde_path_to_error, builds the types and names the key
//! path of the first error; `validate` checks what types cannot say (a phone a step names
//! exists, a fault name is in the catalogue). The key path is then looked up in the spanned
//! document to find its line.

use crate::builtin;
use crate::model::{Scenario, Step};
use hybridsim_world::faults::FaultAt;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml_edit::{ImDocument, Item, Value};

/// Why a scenario file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line (0 when the file could not be read at all).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The key path, e.g. `step[2].expect.desktop.layer` (empty for syntax errors).
    pub key: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One segment of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

fn path_text(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Reads and parses a scenario file: a regular file of at most
/// [`hybridsim_files::MAX_INPUT_BYTES`] (`/dev/zero` or a FIFO named `*.toml` is refused,
/// not read).
pub fn load(file: &Path) -> Result<Scenario, ScenarioError> {
    let text = hybridsim_files::read_text(file, hybridsim_files::MAX_INPUT_BYTES).map_err(|e| {
        ScenarioError {
            file: file.to_owned(),
            line: 0,
            column: 0,
            key: String::new(),
            message: e.problem.to_string(),
        }
    })?;
    parse(file, &text)
}

/// Parses the text of a scenario file; `file` is only used in errors.
pub fn parse(file: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    let at = |span: Option<Range<usize>>, path: &[Segment], message: String| {
        let (line, column) = line_column(text, span.map_or(0, |s| s.start));
        ScenarioError {
            file: file.to_owned(),
            line,
            column,
            key: path_text(path),
            message,
        }
    };
    let doc = ImDocument::parse(text)
        .map_err(|e| at(e.span(), &[], syntax_message(e.message(), &e.to_string())))?;
    let scenario =
        match serde_path_to_error::deserialize::<_, Scenario>(toml::Deserializer::new(text)) {
            Ok(scenario) => scenario,
            Err(error) => {
                let (mut path, message, span) = split(error);
                let (path, message) = refine_step_error(text, &mut path, message);
                let span = locate(&doc, &path).or(span);
                return Err(at(span, &path, message));
            }
        };
    if let Some((path, message)) = validate(&scenario).into_iter().next() {
        return Err(at(locate(&doc, &path), &path, message));
    }
    Ok(scenario)
}

/// A parser's message, or when it has none (a stray carriage return gets none), the last
/// line of its full report, or a plain statement.
fn syntax_message(message: &str, report: &str) -> String {
    let message = message.trim();
    if !message.is_empty() {
        return message.to_owned();
    }
    report
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with('|') && !l.starts_with("TOML parse error"))
        .map_or_else(|| "not valid TOML".to_owned(), str::to_owned)
}

/// The key path, the message, and toml's own span of an error; an unknown key is added to
/// the path so that the error points at its line.
fn split(
    error: serde_path_to_error::Error<toml::de::Error>,
) -> (Vec<Segment>, String, Option<Range<usize>>) {
    let mut path: Vec<Segment> = error
        .path()
        .iter()
        .filter_map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {
                None
            }
        })
        .collect();
    let inner = error.into_inner();
    let message = syntax_message(inner.message(), &inner.to_string());
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((key, _)) = rest.split_once('`') {
            let named = Segment::Key(key.to_owned());
            if path.last() != Some(&named) {
                path.push(named);
            }
        }
    }
    (path, message, inner.span())
}

/// Inside a `[[step]]` serde buffers the table to find its `kind`, and the key path stops at
/// the step (followed only by an unknown key's name, wherever in the step it was). Checking
/// the step again as its kind's struct gives the full path.
fn refine_step_error(
    text: &str,
    path: &mut Vec<Segment>,
    message: String,
) -> (Vec<Segment>, String) {
    let [Segment::Key(step), Segment::Index(index), ..] = path.as_slice() else {
        return (path.clone(), message);
    };
    if step != "step" {
        return (path.clone(), message);
    }
    let index = *index;
    let Ok(mut root) = toml::from_str::<toml::Table>(text) else {
        return (path.clone(), message);
    };
    let Some(toml::Value::Table(table)) = root
        .remove("step")
        .and_then(|steps| steps.as_array().and_then(|a| a.get(index)).cloned())
    else {
        return (path.clone(), message);
    };
    let mut table = table;
    let base: Vec<Segment> = path.iter().take(2).cloned().collect();
    let kind = match table.remove("kind") {
        Some(toml::Value::String(kind)) => kind,
        Some(_) => {
            let mut at = base;
            at.push(Segment::Key("kind".into()));
            return (at, format!("expected a string, one of {}", kinds()));
        }
        None => {
            return (
                base,
                format!("missing key `kind`: the step's kind, one of {}", kinds()),
            )
        }
    };
    match Step::check_keys(&kind, toml::Value::Table(table)) {
        None => {
            let mut at = base;
            at.push(Segment::Key("kind".into()));
            (
                at,
                format!("unknown step kind {kind:?}: expected one of {}", kinds()),
            )
        }
        Some(Ok(())) => (path.clone(), message),
        Some(Err(error)) => {
            let (inner, message, _) = split(error);
            let mut at = base;
            at.extend(inner);
            (at, message)
        }
    }
}

fn kinds() -> String {
    Step::KINDS
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A node of the spanned document while walking a key path.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Table(&'a toml_edit::Table),
    Value(&'a Value),
}

/// The span of the key (or array element) a path ends at, or of the deepest part of it
/// that exists.
fn locate(doc: &ImDocument<&str>, path: &[Segment]) -> Option<Range<usize>> {
    let mut node = Node::Table(doc.as_table());
    let mut span = None;
    for segment in path {
        let Some((next, next_span)) = child(node, segment) else {
            break;
        };
        node = next;
        span = next_span.or(span);
    }
    span
}

fn child<'a>(node: Node<'a>, segment: &Segment) -> Option<(Node<'a>, Option<Range<usize>>)> {
    match (node, segment) {
        (Node::Item(Item::Table(table)), _) => child(Node::Table(table), segment),
        (Node::Item(Item::Value(value)), _) => child(Node::Value(value), segment),
        (Node::Item(Item::ArrayOfTables(array)), Segment::Index(i)) => {
            let table = array.get(*i)?;
            Some((Node::Table(table), table.span()))
        }
        (Node::Table(table), Segment::Key(key)) => {
            let (key, item) = table.get_key_value(key)?;
            Some((Node::Item(item), key.span().or_else(|| item.span())))
        }
        (Node::Value(Value::InlineTable(table)), Segment::Key(key)) => {
            let (key, value) = table.get_key_value(key)?;
            Some((Node::Item(value), key.span().or_else(|| value.span())))
        }
        (Node::Value(Value::Array(array)), Segment::Index(i)) => {
            let value = array.get(*i)?;
            Some((Node::Value(value), value.span()))
        }
        _ => None,
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn key(k: &str) -> Segment {
    Segment::Key(k.to_owned())
}

/// What the types cannot say: references between actors and steps, fault names, profile
/// names. Each problem with the key path it is at.
/// What is wrong with the actor, quirk and mechanism names of an authenticator-app step:
/// (key path inside the step, message).
fn app_step_problems(scenario: &Scenario, step: &Step) -> Vec<(Vec<&'static str>, String)> {
    let mut problems = Vec::new();
    let mut app = |field: &'static str, name: &String| {
        if !scenario.app.contains_key(name) {
            problems.push((
                vec![field],
                format!("no app {name:?}: the apps are {}", names(&scenario.app)),
            ));
        }
    };
    let quirk_names: &[String] = match step {
        Step::EnrolTotp(s) => {
            app("app", &s.app);
            if let Some(why) = bounds::secret_bytes(s.secret_bytes) {
                problems.push((vec!["secret_bytes"], why));
            }
            &[]
        }
        Step::OtpSignIn(s) => {
            app("app", &s.app);
            &[]
        }
        Step::Migrate(s) => {
            app("from", &s.from);
            app("to", &s.to);
            &s.quirks
        }
        Step::Backup(s) => {
            app("app", &s.app);
            &s.quirks
        }
        Step::Restore(s) => {
            app("app", &s.app);
            &s.quirks
        }
        _ => &[],
    };
    if let Step::Migrate(s) = step {
        if let Err(e) = crate::run::check_mechanism(s) {
            problems.push((vec!["mechanism"], e));
        }
    }
    if let Err(e) = crate::run::check_quirks(quirk_names) {
        problems.push((vec!["quirks"], e));
    }
    problems
}

fn validate(scenario: &Scenario) -> Vec<(Vec<Segment>, String)> {
    let mut problems = Vec::new();
    if scenario.about.trim().is_empty() {
        problems.push((
            vec![key("about")],
            "empty: say in one line what this scenario proves".to_owned(),
        ));
    }
    let has_ceremony = scenario.step.iter().any(|s| {
        matches!(
            s,
            Step::Register(_) | Step::SignIn(_) | Step::LinkedSignIn(_) | Step::InjectFault(_)
        )
    });
    if scenario.phone.is_empty() && (has_ceremony || scenario.app.is_empty()) {
        problems.push((
            vec![],
            "no phone: add one, e.g. [phone.alice] with profile = \"ios16\"".to_owned(),
        ));
    }
    for (name, phone) in &scenario.phone {
        let at = |k: &str| vec![key("phone"), key(name), key(k)];
        if phone.revision > 1 {
            problems.push((
                at("revision"),
                format!("revision {}: expected 0 or 1", phone.revision),
            ));
        }
        if !phone.profile.ends_with(".toml") && builtin::profile(&phone.profile).is_none() {
            problems.push((
                at("profile"),
                format!(
                    "no built-in profile {:?}: expected one of {} or a path ending in .toml",
                    phone.profile,
                    builtin::profile_names().join(", ")
                ),
            ));
        }
    }
    if let Some(profile) = &scenario.desktop.profile {
        if !profile.ends_with(".toml") && builtin::desktop(profile).is_none() {
            problems.push((
                vec![key("desktop"), key("profile")],
                format!(
                    "no built-in desktop profile {profile:?}: expected one of {} or a path ending in .toml",
                    builtin::desktop_names().join(", ")
                ),
            ));
        }
    }
    problems.extend(bounds::radio(&scenario.world.radio));
    let server = &scenario.tunnel.server;
    if server != "simulated" && !server.starts_with("ws://") && !server.starts_with("wss://") {
        problems.push((
            vec![key("tunnel"), key("server")],
            format!(
                "{server:?}: expected \"simulated\" or a ws://HOST:PORT or wss://HOST[:PORT] URL"
            ),
        ));
    }
    if scenario.step.is_empty() {
        problems.push((
            vec![],
            "no steps: add at least one [[step]] with a kind".to_owned(),
        ));
    }
    for (i, step) in scenario.step.iter().enumerate() {
        problems.extend(step_problems(scenario, i, step));
    }
    problems
}

/// What is wrong with step `i`: actors it names that do not exist, faults that do not
/// parse, an `inject-fault` with no ceremony after it, the app steps' own checks.
fn step_problems(scenario: &Scenario, i: usize, step: &Step) -> Vec<(Vec<Segment>, String)> {
    let mut problems = Vec::new();
    {
        let here = |rest: &[&str]| {
            let mut path = vec![key("step"), Segment::Index(i)];
            path.extend(rest.iter().map(|k| key(k)));
            path
        };
        let (phone, rp, faults) = match step {
            Step::Register(s) => (&s.phone, &s.rp, &s.faults),
            Step::SignIn(s) => (&s.phone, &s.rp, &s.faults),
            Step::LinkedSignIn(s) => (&s.phone, &s.rp, &s.faults),
            Step::InjectFault(s) => {
                let next_is_ceremony = matches!(
                    scenario.step.get(i + 1),
                    Some(Step::Register(_) | Step::SignIn(_) | Step::LinkedSignIn(_))
                );
                if !next_is_ceremony {
                    problems.push((
                        here(&["kind"]),
                        "inject-fault arms faults for the next step, which must be a register, sign-in or linked-sign-in".to_owned(),
                    ));
                }
                (&None, &None, &s.faults)
            }
            Step::AdvanceClock(_) => return problems,
            other => {
                problems.extend(
                    app_step_problems(scenario, other)
                        .into_iter()
                        .map(|(rest, why)| (here(&rest), why)),
                );
                return problems;
            }
        };
        for (rest, why) in named_actor_problems(scenario, phone, rp) {
            problems.push((here(&rest), why));
        }
        for (j, fault) in faults.iter().enumerate() {
            if let Err(e) = fault.parse::<FaultAt>() {
                let mut path = here(&["faults"]);
                path.push(Segment::Index(j));
                problems.push((path, e.to_string()));
            }
        }
    }
    problems
}

/// The phone and relying party a ceremony step names: (key path inside the step, message).
fn named_actor_problems(
    scenario: &Scenario,
    phone: &Option<String>,
    rp: &Option<String>,
) -> Vec<(Vec<&'static str>, String)> {
    let mut problems = Vec::new();
    match phone {
        Some(name) if !scenario.phone.contains_key(name) => problems.push((
            vec!["phone"],
            format!(
                "no phone {name:?}: the phones are {}",
                names(&scenario.phone)
            ),
        )),
        None if scenario.phone.len() > 1 => problems.push((
            vec![],
            format!(
                "name the phone (phone = \"...\"): there are several, {}",
                names(&scenario.phone)
            ),
        )),
        _ => {}
    }
    match rp {
        Some(name) if !scenario.rp.contains_key(name) && !default_rp(scenario, name) => problems
            .push((
                vec!["rp"],
                format!(
                    "no relying party {name:?}: the relying parties are {}",
                    if scenario.rp.is_empty() {
                        format!("\"{}\" (the default)", crate::model::DEFAULT_RP)
                    } else {
                        names(&scenario.rp)
                    }
                ),
            )),
        None if scenario.rp.len() > 1 => problems.push((
            vec![],
            format!(
                "name the relying party (rp = \"...\"): there are several, {}",
                names(&scenario.rp)
            ),
        )),
        _ => {}
    }
    problems
}

fn default_rp(scenario: &Scenario, name: &str) -> bool {
    scenario.rp.is_empty() && name == crate::model::DEFAULT_RP
}

fn names<V>(map: &std::collections::BTreeMap<String, V>) -> String {
    map.keys()
        .map(|k| format!("{k:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

mod bounds;
#[cfg(test)]
mod tests;
