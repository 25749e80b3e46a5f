//! One hybrid advert as a radio heard it: what the scanner hands out and what the listing
//! and the desktop's feed read. It lives apart from the scanner so that those readers also
//! build without the BlueZ backend (the `bluez` feature).

use std::time::Duration;

/// One hybrid advert heard on the air.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenAdvert {
    /// The advertiser's Bluetooth address as BlueZ reports it (`AA:BB:CC:DD:EE:FF`; phones use
    /// random addresses that change).
    pub address: String,
    /// Signal strength in dBm, when BlueZ has one.
    pub rssi: Option<i16>,
    /// The 16-bit service UUID the data was under: 0xFFF9 or 0xFDE2.
    pub uuid: u16,
    /// The service data, as received.
    pub data: Vec<u8>,
    /// When it was heard, counted from the start of the scan.
    pub at: Duration,
}
