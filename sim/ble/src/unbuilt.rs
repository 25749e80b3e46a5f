//! The radio in a build without the `bluez` feature: no backend, so no radio. [`Scanner`] and
//! [`Advertiser`] keep the public methods of the BlueZ ones, so that everything built on them
//! (the listing, the beacon, the phone's radio, the desktop's feed, and the CLI above) builds
//! the same either way and needs no cfg of its own. They have no values: opening one is
//! [`BleError::NotBuilt`], which a caller reports like any other missing radio, and the
//! methods of a value that cannot exist are never called.

use crate::error::BleError;
use crate::SeenAdvert;

/// No scanner can be started in this build; see the module doc.
#[derive(Debug)]
pub enum Scanner {}

impl Scanner {
    /// Always [`BleError::NotBuilt`].
    pub async fn start() -> Result<Scanner, BleError> {
        Err(BleError::NotBuilt)
    }

    /// The adapter scanning (never called: there is no scanner).
    pub fn adapter(&self) -> &str {
        match *self {}
    }

    /// The next hybrid advert heard (never called: there is no scanner).
    pub async fn next(&mut self) -> Option<Result<SeenAdvert, BleError>> {
        match *self {}
    }

    /// Stops discovery (never called: there is no scanner).
    pub async fn stop(self) -> Result<(), BleError> {
        match self {}
    }
}

/// No advertiser can be opened in this build; see the module doc.
#[derive(Debug)]
pub enum Advertiser {}

impl Advertiser {
    /// Always [`BleError::NotBuilt`].
    pub async fn open() -> Result<Advertiser, BleError> {
        Err(BleError::NotBuilt)
    }

    /// The adapter advertising (never called: there is no advertiser).
    pub fn adapter(&self) -> &str {
        match *self {}
    }

    /// The advertisement object's path (never called: there is no advertiser).
    pub fn object_path(&self) -> &'static str {
        match *self {}
    }

    /// Whether BlueZ dropped the advertisement (never called: there is no advertiser).
    pub fn released(&self) -> bool {
        match *self {}
    }

    /// Broadcasts `data` under `uuid` (never called: there is no advertiser).
    pub async fn advertise(&mut self, _uuid: u16, _data: &[u8]) -> Result<(), BleError> {
        match *self {}
    }

    /// Stops broadcasting (never called: there is no advertiser).
    pub async fn withdraw(&mut self) -> Result<(), BleError> {
        match *self {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opening_the_radio_says_the_build_has_none() {
        assert_eq!(Scanner::start().await.err(), Some(BleError::NotBuilt));
        assert_eq!(Advertiser::open().await.err(), Some(BleError::NotBuilt));
        let prepared = crate::phone_radio::prepare().await;
        assert_eq!(prepared.err(), Some(BleError::NotBuilt));
    }

    #[test]
    fn the_failure_names_the_features_and_what_to_install() {
        let line = format!(
            "{}; {}",
            BleError::NotBuilt,
            BleError::NotBuilt.what_to_do()
        );
        for needle in [
            "without BLE support",
            "`ble`",
            "`bluez`",
            "libdbus-1-dev",
            "pkg-config",
        ] {
            assert!(line.contains(needle), "{needle:?} missing from {line:?}");
        }
    }
}
