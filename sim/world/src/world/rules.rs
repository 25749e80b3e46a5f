//! The fault rules' verdicts on one message, carried out: the copies to deliver, and the
//! notes that say what a rule did.

use super::actor::Frame;
use super::World;
use crate::fault::{InFlight, Medium, Verdict};
use crate::trace::{Direction, Trace};
use hybridsim_peers::Layer;

impl World {
    /// Runs a message past the fault rules: the copies to deliver, each with an extra delay
    /// and how it goes out.
    pub(super) fn apply_rules(
        &mut self,
        medium: Medium,
        from: &str,
        to: &str,
        index: u64,
        data: Vec<u8>,
    ) -> Vec<(u64, Vec<u8>, Frame)> {
        let now = self.now;
        let mut verdict = Verdict::Pass;
        let mut rule_name = String::new();
        for rule in &mut self.rules {
            let message = InFlight {
                medium,
                from,
                to,
                index,
                data: &data,
                now,
            };
            verdict = rule.on_message(&message);
            if verdict != Verdict::Pass {
                rule_name = rule.name().to_owned();
                break;
            }
        }
        self.carry_verdict(medium, from, verdict, &rule_name, data)
    }

    /// The copies a rule's verdict makes of `data`, with a note (or a drop record) saying
    /// what the rule did.
    fn carry_verdict(
        &mut self,
        medium: Medium,
        from: &str,
        verdict: Verdict,
        rule_name: &str,
        data: Vec<u8>,
    ) -> Vec<(u64, Vec<u8>, Frame)> {
        let now = self.now;
        let layer = match medium {
            Medium::Radio => Layer::Ble,
            Medium::Network | Medium::Relay => Layer::Tunnel,
            Medium::Camera => Layer::Qr,
        };
        let frames = matches!(medium, Medium::Network | Medium::Relay);
        let note = |trace: &mut Trace, what: String, bytes: &[u8]| {
            trace.record(now, from, layer, Direction::Note, what, bytes, false);
        };
        match verdict {
            Verdict::Pass => vec![(0, data, Frame::Binary)],
            Verdict::Drop => {
                self.trace.record(
                    now,
                    from,
                    layer,
                    Direction::Drop,
                    format!("dropped by {rule_name}"),
                    &data,
                    false,
                );
                Vec::new()
            }
            Verdict::Delay(ms) => vec![(ms, data, Frame::Binary)],
            Verdict::Replace(bytes) => {
                note(&mut self.trace, format!("replaced by {rule_name}"), &bytes);
                vec![(0, bytes, Frame::Binary)]
            }
            Verdict::Duplicate => {
                note(&mut self.trace, format!("duplicated by {rule_name}"), &data);
                vec![(0, data.clone(), Frame::Binary), (0, data, Frame::Binary)]
            }
            Verdict::Many(messages) => {
                for (i, bytes) in messages.iter().enumerate() {
                    let what = format!(
                        "replaced by {rule_name}: message {} of {}",
                        i + 1,
                        messages.len()
                    );
                    note(&mut self.trace, what, bytes);
                }
                messages
                    .into_iter()
                    .map(|bytes| (0, bytes, Frame::Binary))
                    .collect()
            }
            Verdict::Text if frames => {
                note(
                    &mut self.trace,
                    format!("sent as a text frame by {rule_name}"),
                    &data,
                );
                vec![(0, data, Frame::Text)]
            }
            Verdict::Hold if medium == Medium::Relay => {
                note(&mut self.trace, format!("held back by {rule_name}"), &data);
                vec![(0, data, Frame::Held)]
            }
            Verdict::Text | Verdict::Hold => vec![(0, data, Frame::Binary)],
        }
    }
}
