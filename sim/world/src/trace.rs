//! The trace of a run: the [`TraceRecord`]s every delivery makes, in order, and their
//! JSON-lines form. The record type is `hybridsim_peers::trace`'s, shared with the socket
//! driver.
//!
//! Secret bytes (keys, PSKs, link secrets) are recorded with their length only, unless the
//! world was asked to reveal them: traces can be attached to bug reports.

pub use hybridsim_peers::trace::{Direction, Step, TraceRecord};
use hybridsim_peers::Layer;
use hybridsim_proto::time::Millis;

/// The whole trace of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    records: Vec<TraceRecord>,
    reveal_secrets: bool,
}

impl Trace {
    /// An empty trace; `reveal_secrets` keeps secret bytes instead of hiding them.
    pub fn new(reveal_secrets: bool) -> Trace {
        Trace {
            records: Vec::new(),
            reveal_secrets,
        }
    }

    /// Whether secret bytes are kept.
    pub fn reveals_secrets(&self) -> bool {
        self.reveal_secrets
    }

    /// Appends a record.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        now: Millis,
        actor: &str,
        layer: Layer,
        dir: Direction,
        what: impl Into<String>,
        bytes: &[u8],
        secret: bool,
    ) {
        let what = what.into();
        let step = Step {
            at: now,
            actor,
            layer,
            dir,
            what: &what,
            bytes,
            secret,
        };
        self.records
            .push(TraceRecord::new(step, self.reveal_secrets));
    }

    /// The records so far.
    pub fn records(&self) -> &[TraceRecord] {
        &self.records
    }

    /// Appends records made elsewhere (a driver outside the simulated world).
    pub fn extend(&mut self, records: impl IntoIterator<Item = TraceRecord>) {
        self.records.extend(records);
    }

    /// The trace as JSON lines (one record per line, fields in a fixed order).
    pub fn to_json_lines(&self) -> String {
        let mut out = String::new();
        for record in &self.records {
            out.push_str(&record.to_json());
            out.push('\n');
        }
        out
    }
}
