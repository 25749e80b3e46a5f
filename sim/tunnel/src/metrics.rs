//! Counters the router keeps for a metrics page.

use crate::decision::Reject;
use crate::output::CloseReason;
use std::collections::BTreeMap;

/// A snapshot of the router's counters. Gauges say how things stand now; totals only grow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metrics {
    /// Gauge: tunnel connections the router holds.
    pub connections_open: u64,
    /// Gauge: tunnels waiting for their second peer.
    pub tunnels_pending: u64,
    /// Gauge: paired tunnels relaying.
    pub tunnels_active: u64,
    /// Gauge: phones registered for wake-ups.
    pub contacts_registered: u64,
    /// Total: connections accepted.
    pub connections_accepted: u64,
    /// Total: tunnels that got their second peer.
    pub tunnels_paired: u64,
    /// Total: peer messages delivered to the other side (buffered ones when flushed; the
    /// server's own connect signal is not counted).
    pub messages_relayed: u64,
    /// Total: bytes of those messages.
    pub bytes_relayed: u64,
    /// Total: wake-ups sent to phones.
    pub wakes_sent: u64,
    /// Total: connections refused, by [`Reject::label`] (every label present).
    pub rejections: BTreeMap<&'static str, u64>,
    /// Total: connections the router closed, by [`CloseReason::label`] (every label present).
    pub closes: BTreeMap<&'static str, u64>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            connections_open: 0,
            tunnels_pending: 0,
            tunnels_active: 0,
            contacts_registered: 0,
            connections_accepted: 0,
            tunnels_paired: 0,
            messages_relayed: 0,
            bytes_relayed: 0,
            wakes_sent: 0,
            rejections: Reject::LABELS.iter().map(|l| (*l, 0)).collect(),
            closes: CloseReason::LABELS.iter().map(|l| (*l, 0)).collect(),
        }
    }
}

/// The totals; the gauges are computed from the tables when a snapshot is taken.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    pub(crate) connections_accepted: u64,
    pub(crate) tunnels_paired: u64,
    pub(crate) messages_relayed: u64,
    pub(crate) bytes_relayed: u64,
    pub(crate) wakes_sent: u64,
    pub(crate) rejections: BTreeMap<&'static str, u64>,
    pub(crate) closes: BTreeMap<&'static str, u64>,
}

impl Totals {
    pub(crate) fn relayed(&mut self, len: usize) {
        self.messages_relayed = self.messages_relayed.saturating_add(1);
        self.bytes_relayed = self
            .bytes_relayed
            .saturating_add(u64::try_from(len).unwrap_or(u64::MAX));
    }

    pub(crate) fn count_rejection(&mut self, label: &'static str) {
        let n = self.rejections.entry(label).or_default();
        *n = n.saturating_add(1);
    }

    pub(crate) fn count_close(&mut self, label: &'static str) {
        let n = self.closes.entry(label).or_default();
        *n = n.saturating_add(1);
    }

    pub(crate) fn snapshot_into(&self, metrics: &mut Metrics) {
        metrics.connections_accepted = self.connections_accepted;
        metrics.tunnels_paired = self.tunnels_paired;
        metrics.messages_relayed = self.messages_relayed;
        metrics.bytes_relayed = self.bytes_relayed;
        metrics.wakes_sent = self.wakes_sent;
        metrics.rejections.extend(&self.rejections);
        metrics.closes.extend(&self.closes);
    }
}
