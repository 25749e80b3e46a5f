//! `hybridsim ble scan`: every hybrid advert heard for a while, one JSON object or a line or
//! two each ([`crate::report`]), trial-decrypted with the given EID keys.

use crate::error::BleError;
use crate::report;
use crate::Scanner;
use std::time::Duration;

/// What a listing asks for.
#[derive(Debug, Clone)]
pub struct Listing {
    /// EID keys to trial-decrypt with (empty: only list).
    pub keys: Vec<[u8; 64]>,
    /// How long to scan.
    pub seconds: u64,
    /// Stop after this many adverts.
    pub count: Option<u64>,
    /// One JSON object per advert instead of lines.
    pub json: bool,
}

/// How many adverts a listing heard, and how many of them decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heard {
    /// Hybrid adverts heard.
    pub adverts: u64,
    /// Of them, decrypted with one of the keys.
    pub matched: u64,
}

impl Heard {
    /// With keys given, an advert must have decrypted: else why not, as one line.
    pub fn verdict(&self, keys_given: bool) -> Result<(), String> {
        if keys_given && self.matched == 0 {
            return Err(format!(
                "no advert decrypted with the given secret(s) ({} hybrid adverts heard)",
                self.adverts
            ));
        }
        Ok(())
    }
}

/// Scans as `listing` says, giving each output line to `say` and progress notes to
/// `progress`; a radio that fails before or during the scan is the error.
pub async fn listen(
    listing: &Listing,
    mut say: impl FnMut(String),
    progress: impl FnOnce(String),
) -> Result<Heard, BleError> {
    let mut scanner = Scanner::start().await?;
    if !listing.json {
        progress(format!(
            "scanning on {} for {} s (Ctrl-C stops)",
            scanner.adapter(),
            listing.seconds
        ));
    }
    let keys_given = !listing.keys.is_empty();
    let deadline = tokio::time::sleep(Duration::from_secs(listing.seconds));
    tokio::pin!(deadline);
    let mut heard = Heard {
        adverts: 0,
        matched: 0,
    };
    let outcome = loop {
        let next = tokio::select! {
            () = &mut deadline => break Ok(()),
            next = scanner.next() => next,
        };
        let seen = match next {
            None => break Ok(()),
            Some(Err(e)) => break Err(e),
            Some(Ok(seen)) => seen,
        };
        heard.adverts += 1;
        let verdict = report::trial(&listing.keys, &seen.data);
        heard.matched += u64::from(report::decrypted(&verdict));
        if listing.json {
            say(report::to_json(&seen, keys_given, &verdict).to_string());
        } else {
            report::to_lines(&seen, keys_given, &verdict)
                .into_iter()
                .for_each(&mut say);
        }
        if listing.count.is_some_and(|n| heard.adverts >= n) {
            break Ok(());
        }
    };
    let _ = scanner.stop().await;
    outcome.map(|()| heard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_keys_an_advert_must_have_decrypted() {
        let heard = Heard {
            adverts: 3,
            matched: 0,
        };
        assert_eq!(heard.verdict(false), Ok(()));
        assert_eq!(
            heard.verdict(true),
            Err("no advert decrypted with the given secret(s) (3 hybrid adverts heard)".to_owned())
        );
        let matched = Heard {
            adverts: 3,
            matched: 1,
        };
        assert_eq!(matched.verdict(true), Ok(()));
    }
}
