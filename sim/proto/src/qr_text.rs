//! Telling `FIDO:/` text apart from anything else a person or a picture hands over
//! (`hybridsim decode qr` takes the text itself or an image of it; a picture may hold
//! several codes). The prefix is compared in any case, as [`QrPayload::parse`] does.
//!
//! [`QrPayload::parse`]: crate::qr::QrPayload::parse

use crate::qr::PREFIX;

/// Whether `text` starts with `FIDO:/` in any case.
pub fn is_fido(text: &str) -> bool {
    text.get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
}

/// The first of `texts` that is `FIDO:/` text.
pub fn first_fido(texts: &[String]) -> Option<&str> {
    texts.iter().map(String::as_str).find(|t| is_fido(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_in_any_case_is_fido_text() {
        assert!(is_fido("FIDO:/123") && is_fido("fido:/1"));
        assert!(!is_fido("FIDO:") && !is_fido("https://x") && !is_fido("é"));
        let texts = vec![
            "otpauth://x".to_owned(),
            "Fido:/9".to_owned(),
            "FIDO:/8".to_owned(),
        ];
        assert_eq!(first_fido(&texts), Some("Fido:/9"));
        assert_eq!(first_fido(&texts[..1]), None);
    }
}
