//! Counting outcomes by their text, for the report's tallies of refusals and failures.

use super::report::Tally;
use hybridsim_sockets::text::{one_line, shorten};
use std::collections::BTreeMap;

/// Counts outcomes by their text, with long hex runs (tunnel ids) elided so equal answers
/// group together.
#[derive(Debug, Default)]
pub(super) struct Counter(BTreeMap<String, usize>);

impl Counter {
    /// Counts one outcome.
    pub(super) fn add(&mut self, what: &str) {
        let key = elide_hex(&shorten(&one_line(what), 90));
        let n = self.0.entry(key).or_default();
        *n = n.saturating_add(1);
    }

    /// The counts, most frequent first.
    pub(super) fn into_tally(self) -> Tally {
        let mut tally: Tally = self.0.into_iter().collect();
        tally.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        tally
    }
}

/// `s` with runs of 16 or more hex digits (ids) replaced by `…`.
pub(super) fn elide_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        if run.len() >= 16 {
            out.push('…');
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_group_answers_that_differ_only_by_ids() {
        let mut counter = Counter::default();
        counter.add(&format!("HTTP 404 'unknown tunnel {}'", "AB".repeat(16)));
        counter.add(&format!("HTTP 404 'unknown tunnel {}'", "CD".repeat(16)));
        counter.add("HTTP 429 'too many connections from 127.0.0.1 (limit 256)'");
        assert_eq!(
            counter.into_tally(),
            vec![
                ("HTTP 404 'unknown tunnel …'".to_owned(), 2),
                (
                    "HTTP 429 'too many connections from 127.0.0.1 (limit 256)'".to_owned(),
                    1
                ),
            ]
        );
    }
}
