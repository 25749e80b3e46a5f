//! The HTML report: one self-contained page (inline CSS, no scripts, no network) with a
//! summary table and, per scenario and step, a sequence diagram of the relying party, the
//! desktop, the tunnel server and the phone drawn from the trace. Every message is a
//! `<details>` element: a click shows its raw bytes and, for CBOR messages, the decoded
//! fields. A failed step is outlined in red with its failures listed, and the message
//! nearest the failure is marked.
//!
//! Runs of messages that repeat (adverts while a desktop waits out a timeout) are drawn once
//! with a repeat count, folded as in the approved traces.

use crate::approve::{longest_cycle, TraceApproval};
use crate::junit::escape;
use crate::run::StepResult;
use crate::suite::ScenarioResult;
use hybridsim_peers::{Layer, Vocabulary};
use hybridsim_world::trace::{Direction, TraceRecord};
use std::fmt::Write;

/// The lifelines, left to right.
const LANES: [&str; 4] = ["relying party", "desktop", "tunnel server", "phone"];
const RP: usize = 0;
const DESKTOP: usize = 1;
const TUNNEL: usize = 2;
const PHONE: usize = 3;

const STYLE: &str = r#"
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:32px 0 4px}
h3{font-size:15px;margin:16px 0 6px}
table.summary{border-collapse:collapse;margin:12px 0}
table.summary td,table.summary th{border:1px solid #ccd;padding:3px 8px;text-align:left}
table.migration tr.lost td{background:#fde8e8}
.pass{color:#1e7d32;font-weight:600}.fail{color:#c0392b;font-weight:600}
section.scenario{border-top:2px solid #ccd;margin-top:24px}
.about{color:#555;margin:0 0 8px}
div.step{border:2px solid #dde;border-radius:6px;padding:8px 12px;margin:12px 0}
div.step.failed{border-color:#c0392b;background:#fdf1f0}
.badge{display:inline-block;padding:0 6px;border-radius:4px;color:#fff;font-size:12px;margin-left:6px}
.badge.failed{background:#c0392b}.badge.passed{background:#1e7d32}
ul.failures{color:#c0392b;margin:4px 0 8px}
.diagram{border:1px solid #dde;background:#fff;margin-top:8px}
.lanes,.msg summary{display:grid;grid-template-columns:repeat(4,1fr);position:relative}
.lanes div{text-align:center;font-weight:600;padding:4px;border-bottom:1px solid #dde;background:#f4f5fa}
.msg summary{list-style:none;cursor:pointer;min-height:22px;background:linear-gradient(90deg,transparent calc(12.5% - 1px),#bbc calc(12.5% - 1px),#bbc 12.5%,transparent 12.5%,transparent calc(37.5% - 1px),#bbc calc(37.5% - 1px),#bbc 37.5%,transparent 37.5%,transparent calc(62.5% - 1px),#bbc calc(62.5% - 1px),#bbc 62.5%,transparent 62.5%,transparent calc(87.5% - 1px),#bbc calc(87.5% - 1px),#bbc 87.5%,transparent 87.5%)}
.msg summary::-webkit-details-marker{display:none}
.arrow{align-self:center;position:relative;border-bottom:2px solid #2b5fb4;font-size:11px;text-align:center;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;padding:0 8px}
.arrow.right::after,.arrow.left::before{content:"";position:absolute;bottom:-6px;border:5px solid transparent}
.arrow.right::after{right:-2px;border-left:9px solid #2b5fb4}
.arrow.left::before{left:-2px;border-right:9px solid #2b5fb4}
.arrow.dropped{border-bottom-style:dashed;border-color:#999;color:#777}
.arrow.dropped.right::after{border-left-color:#999}.arrow.dropped.left::before{border-right-color:#999}
.note{align-self:center;justify-self:center;font-size:11px;background:#fffbe6;border:1px solid #e8d98a;border-radius:3px;padding:0 4px;max-width:95%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.time{position:absolute;left:2px;top:3px;font-size:10px;color:#889}
.msg.culprit summary{outline:2px solid #c0392b;background-color:#fbe3e0}
.msg.culprit .arrow,.msg.culprit .note{color:#c0392b;font-weight:700}
.body{padding:6px 12px;background:#f7f8fb;border-top:1px solid #dde;font-size:12px}
.body pre{white-space:pre-wrap;word-break:break-all;margin:4px 0}
.repeat{font-weight:700;color:#6a3fb0}
"#;

/// The page.
pub fn render(results: &[ScenarioResult]) -> String {
    let passed = results.iter().filter(|r| r.passed()).count();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>hybridsim scenarios: {passed} passed, {} failed</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>hybridsim scenarios</h1>\n<p id=\"totals\">{passed} passed, {} failed, {} scenarios</p>\n",
        results.len() - passed,
        results.len() - passed,
        results.len()
    );
    out.push_str("<table class=\"summary\"><tr><th>scenario</th><th>result</th><th>steps</th><th>what it proves</th></tr>\n");
    for (i, r) in results.iter().enumerate() {
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#s{i}\">{}</a></td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.id),
            if r.passed() { "pass" } else { "fail" },
            if r.passed() { "passed" } else { "FAILED" },
            r.steps.len(),
            escape(&r.about)
        );
    }
    out.push_str("</table>\n");
    for (i, r) in results.iter().enumerate() {
        scenario(&mut out, i, r);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn scenario(out: &mut String, index: usize, r: &ScenarioResult) {
    let _ = writeln!(
        out,
        "<section class=\"scenario\" id=\"s{index}\" data-scenario=\"{}\">\n<h2 class=\"scenario-name\">{} <span class=\"badge {}\">{}</span></h2>\n<p class=\"about\">{} <br><small>{} · seed {}</small></p>",
        escape(&r.id),
        escape(&r.id),
        if r.passed() { "passed" } else { "failed" },
        if r.passed() { "passed" } else { "FAILED" },
        escape(&r.about),
        escape(&r.path.display().to_string()),
        r.seed
    );
    if let Some(error) = &r.error {
        let _ = writeln!(
            out,
            "<ul class=\"failures\"><li>{}</li></ul>",
            escape(error)
        );
    }
    for step in &r.steps {
        render_step(out, step);
    }
    match &r.trace {
        TraceApproval::Differs(diff) => {
            let _ = writeln!(
                out,
                "<div class=\"step failed\"><h3>trace approval <span class=\"badge failed\">FAILED</span></h3><p>The wire bytes differ from the approved trace:</p><pre>{}</pre></div>",
                escape(diff)
            );
        }
        TraceApproval::Missing | TraceApproval::Error(_) => {
            let _ = writeln!(
                out,
                "<div class=\"step failed\"><h3>trace approval <span class=\"badge failed\">FAILED</span></h3><p>{}</p></div>",
                escape(&r.trace.problem().unwrap_or_default())
            );
        }
        _ => {}
    }
    out.push_str("</section>\n");
}

fn render_step(out: &mut String, step: &StepResult) {
    let state = if step.passed() { "passed" } else { "failed" };
    let _ = writeln!(
        out,
        "<div class=\"step {state}\" data-step=\"{}\">\n<h3>step {}: {} <span class=\"badge {state}\">{}</span></h3>\n<p>{}</p>",
        step.number,
        step.number,
        escape(&step.name),
        if step.passed() { "passed" } else { "FAILED" },
        escape(&step.summary)
    );
    if let Some(first) = step.first_failure.as_ref().filter(|_| !step.passed()) {
        let _ = writeln!(
            out,
            "<p class=\"first-failure\" data-party=\"{party}\" data-layer=\"{layer}\" data-reason=\"{reason}\">first failure: the {party}, {layer} layer, {reason}</p>",
            party = first.party.name(),
            layer = first.error.layer.name(),
            reason = first.error.kind().name(),
        );
    }
    if !step.failures.is_empty() {
        out.push_str("<ul class=\"failures\">");
        for failure in &step.failures {
            let _ = write!(out, "<li>{}</li>", escape(failure));
        }
        out.push_str("</ul>\n");
    }
    if let Some(report) = &step.migration {
        migration_table(out, report);
    }
    if step.trace.is_empty() && step.options_json.is_none() {
        out.push_str("</div>\n");
        return;
    }
    out.push_str("<div class=\"diagram\">\n<div class=\"lanes\">");
    for lane in LANES {
        let _ = write!(out, "<div>{lane}</div>");
    }
    out.push_str("</div>\n");
    if let Some(options) = &step.options_json {
        rp_message(out, RP, DESKTOP, "options", options, 0);
    }
    let mut i = 0;
    while i < step.trace.len() {
        let rest = step.trace.get(i..).unwrap_or_default();
        let (cycle, reps) = longest_cycle(rest);
        for (offset, record) in rest.iter().take(cycle).enumerate() {
            let culprit = step.failure_record.is_some_and(|f| {
                f >= i + offset && f < i + cycle * reps && (f - i) % cycle == offset
            });
            message(out, record, reps, culprit);
        }
        i += (cycle * reps).max(1);
    }
    if let Some(response) = &step.response_json {
        let t = step.trace.last().map_or(0, |r| r.t_ms);
        let verdict = step.rp_verdict.as_deref().unwrap_or("");
        rp_message(
            out,
            DESKTOP,
            RP,
            &format!("response JSON ({verdict})"),
            response,
            t,
        );
    }
    out.push_str("</div>\n</div>\n");
}

/// A migration report as a table: one row per account of the old phone.
fn migration_table(out: &mut String, report: &hybridsim_apps::MigrationReport) {
    out.push_str(
        "<table class=\"summary migration\">\n<tr><th>account</th><th>kind</th><th>arrival</th><th>same code</th><th>site</th><th>why</th></tr>\n",
    );
    for row in &report.rows {
        let same = match row.same_code {
            Some(true) => "yes",
            Some(false) => "no",
            None => "-",
        };
        let bad = row.arrival != hybridsim_apps::Arrival::Moved || !row.site_accepts;
        let _ = writeln!(
            out,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{same}</td><td>{}</td><td>{}</td></tr>",
            if bad { " class=\"lost\"" } else { "" },
            escape(&row.account),
            escape(&row.kind),
            row.arrival.word(),
            if row.site_accepts {
                "accepts"
            } else {
                "refuses"
            },
            escape(&row.why.join("; "))
        );
    }
    for label in &report.unexpected {
        let _ = writeln!(
            out,
            "<tr class=\"lost\"><td colspan=\"6\">unexpected on the new phone: {}</td></tr>",
            escape(label)
        );
    }
    out.push_str("</table>\n");
    if !report.notes.is_empty() {
        out.push_str("<ul class=\"notes\">");
        for note in &report.notes {
            let _ = write!(out, "<li>{}</li>", escape(note));
        }
        out.push_str("</ul>\n");
    }
}

/// Where a record goes on the diagram: (from lane, to lane), equal for a note.
fn lanes(record: &TraceRecord) -> (usize, usize) {
    let own = match record.actor.as_str() {
        "desktop" => DESKTOP,
        "tunnel" => TUNNEL,
        _ => PHONE,
    };
    let other = match (record.layer, own) {
        (Layer::Ble | Layer::Qr, DESKTOP) => PHONE,
        (Layer::Ble | Layer::Qr, _) => DESKTOP,
        _ => TUNNEL,
    };
    match record.dir {
        // A socket driver's note of what it did does not say which way.
        Direction::Note | Direction::Wire => (own, own),
        Direction::Send => (own, other),
        // A drop is recorded by the sender.
        Direction::Drop => (own, other),
        Direction::Recv => (other, own),
    }
}

fn arrow(out: &mut String, from: usize, to: usize, class: &str, label: &str) {
    let (low, high) = (from.min(to), from.max(to));
    let direction = if to > from { "right" } else { "left" };
    let _ = write!(
        out,
        "<span class=\"arrow {direction} {class}\" style=\"grid-column:{}/{};margin:0 {:.3}%\" title=\"{label}\">{label}</span>",
        low + 1,
        high + 2,
        // From the middle of one lane to the middle of the other: half a lane each side.
        50.0 / (high - low + 1) as f64,
    );
}

fn message(out: &mut String, record: &TraceRecord, reps: usize, culprit: bool) {
    let (from, to) = lanes(record);
    let label = if record.actor.starts_with("phone-") {
        format!("{}: {}", record.actor, record.what)
    } else {
        record.what.clone()
    };
    let label = escape(&label);
    let repeat = if reps > 1 {
        format!(" <span class=\"repeat\">×{reps}</span>")
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "<details class=\"msg{}\" data-kind=\"{}\"><summary><span class=\"time\">{} ms</span>",
        if culprit { " culprit" } else { "" },
        if from == to { "note" } else { "arrow" },
        record.t_ms
    );
    if from == to {
        let _ = write!(
            out,
            "<span class=\"note\" style=\"grid-column:{}\" title=\"{label}\">{label}{repeat}</span>",
            from + 1
        );
    } else {
        let class = if record.dir == Direction::Drop {
            "dropped"
        } else {
            ""
        };
        arrow(out, from, to, class, &format!("{label}{repeat}"));
    }
    let _ = write!(
        out,
        "</summary><div class=\"body\"><div>{} · {} layer · {} · {} bytes{}</div><div>raw bytes:</div><pre class=\"hex\">{}</pre>",
        escape(&record.actor),
        record.layer.name(),
        direction_word(record.dir),
        record.len,
        if reps > 1 {
            format!(" · the first of {reps} alike")
        } else {
            String::new()
        },
        escape(&record.hex)
    );
    if let Some(cbor) = &record.cbor {
        let _ = write!(
            out,
            "<div>decoded:</div><pre class=\"decoded\">{}</pre>",
            escape(cbor)
        );
    }
    out.push_str("</div></details>\n");
}

fn rp_message(out: &mut String, from: usize, to: usize, label: &str, json: &str, t: u64) {
    let pretty = serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| json.to_owned());
    let _ = write!(
        out,
        "<details class=\"msg\" data-kind=\"arrow\"><summary><span class=\"time\">{t} ms</span>"
    );
    arrow(out, from, to, "", &escape(label));
    let _ = writeln!(
        out,
        "</summary><div class=\"body\"><div>decoded:</div><pre class=\"decoded\">{}</pre></div></details>",
        escape(&pretty)
    );
}

fn direction_word(dir: Direction) -> &'static str {
    match dir {
        Direction::Send => "sent",
        Direction::Recv => "received",
        Direction::Drop => "dropped",
        Direction::Note => "note",
        Direction::Wire => "on the wire",
    }
}
