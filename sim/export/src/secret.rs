//! Base32 secret text as backup files carry it (docs/migration.md §2.2, bug M09).
//!
//! Files in the wild hold secrets with spaces, lower case or `=` padding. [`read_secret`]
//! either refuses them (strict, as Aegis did before PR #1577) or repairs them the way Aegis
//! and GA Android do, reporting each repair.

use hybridsim_otp::base32::{self, Base32Error};

/// A repair made to secret text before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretRepair {
    /// Spaces or other whitespace were removed (M09).
    Whitespace,
    /// Dashes were removed.
    Dashes,
    /// Lower-case letters were upper-cased.
    LowerCase,
    /// `=` padding was removed.
    Padding,
}

/// Decodes secret text. With `repair` false only canonical Base32 passes.
pub fn read_secret(text: &str, repair: bool) -> Result<(Vec<u8>, Vec<SecretRepair>), Base32Error> {
    if !repair {
        return base32::decode_strict(text).map(|b| (b, Vec::new()));
    }
    let mut repairs = Vec::new();
    let mut cleaned = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_whitespace() {
            note(&mut repairs, SecretRepair::Whitespace);
        } else if c == '-' {
            note(&mut repairs, SecretRepair::Dashes);
        } else if c.is_ascii_lowercase() {
            note(&mut repairs, SecretRepair::LowerCase);
            cleaned.push(c.to_ascii_uppercase());
        } else {
            cleaned.push(c);
        }
    }
    if cleaned.ends_with('=') {
        note(&mut repairs, SecretRepair::Padding);
        cleaned.truncate(cleaned.trim_end_matches('=').len());
    }
    base32::decode_strict(&cleaned).map(|b| (b, repairs))
}

fn note(repairs: &mut Vec<SecretRepair>, repair: SecretRepair) {
    if !repairs.contains(&repair) {
        repairs.push(repair);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_fail_strictly_and_are_repaired_leniently() {
        assert!(read_secret("MZXW 6YTB", false).is_err());
        let (bytes, repairs) = read_secret("mzxw 6ytb-oi======", true).unwrap();
        assert_eq!(bytes, b"foobar");
        assert_eq!(
            repairs,
            [
                SecretRepair::LowerCase,
                SecretRepair::Whitespace,
                SecretRepair::Dashes,
                SecretRepair::Padding
            ]
        );
    }
}
