//! How BLE adverts travel in the simulated room.
//!
//! A phone's advert is re-broadcast every `interval_ms` while it advertises; each copy
//! reaches every desktop in range after `latency_ms`, unless the seeded dice lose it, and
//! sometimes arrives twice. Desktops hear the service data with an RSSI.

/// Radio conditions of the room.
#[derive(Debug, Clone, PartialEq)]
pub struct RadioConfig {
    /// Time from broadcast to reception.
    pub latency_ms: u64,
    /// Time between two broadcasts of the same advert.
    pub interval_ms: u64,
    /// Probability that one reception is lost.
    pub loss: f64,
    /// Probability that one reception arrives twice.
    pub duplicate: f64,
    /// Signal strength desktops see, dBm.
    pub rssi: i8,
}

impl Default for RadioConfig {
    /// A quiet room: 10 ms latency, a broadcast every 100 ms (Android's low-latency mode), no
    /// loss, no duplicates, -50 dBm.
    fn default() -> Self {
        RadioConfig {
            latency_ms: 10,
            interval_ms: 100,
            loss: 0.0,
            duplicate: 0.0,
            rssi: -50,
        }
    }
}

/// Whether an event of probability `p` happens for a uniformly random `draw`.
pub fn happens(p: f64, draw: u32) -> bool {
    p > 0.0 && f64::from(draw) < p * f64::from(u32::MAX)
}
