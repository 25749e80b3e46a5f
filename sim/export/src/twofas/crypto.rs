//! 2FAS encryption: PBKDF2-HMAC-SHA256 keys and `base64(ciphertext‖tag):base64(salt):base64(iv)`
//! strings under AES-256-GCM.

use super::TwofasError;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

pub(super) fn derive_key(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, &mut key);
    key
}

/// One sealed string, split and decoded.
pub(super) struct Sealed {
    ciphertext: Vec<u8>,
    pub(super) salt: Vec<u8>,
    iv: [u8; 12],
}

pub(super) fn parse_sealed(text: &str, path: &str) -> Result<Sealed, TwofasError> {
    let bad = |detail: String| TwofasError::BadValue {
        path: path.to_owned(),
        detail,
    };
    let parts: Vec<&str> = text.split(':').collect();
    let [ct, salt, iv] = parts.as_slice() else {
        return Err(bad(format!(
            "{} ':'-separated parts, expected 3",
            parts.len()
        )));
    };
    let b64 = |s: &str, what: &str| {
        STANDARD
            .decode(s)
            .map_err(|e| bad(format!("{what} is not Base64: {e}")))
    };
    let ciphertext = b64(ct, "ciphertext")?;
    if ciphertext.len() < 16 {
        return Err(bad("ciphertext shorter than the GCM tag".into()));
    }
    let iv = <[u8; 12]>::try_from(b64(iv, "iv")?.as_slice())
        .map_err(|_| bad("iv is not 12 bytes".into()))?;
    Ok(Sealed {
        ciphertext,
        salt: b64(salt, "salt")?,
        iv,
    })
}

pub(super) fn open(sealed: &Sealed, key: &[u8; 32]) -> Option<Vec<u8>> {
    Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(&sealed.iv), sealed.ciphertext.as_slice())
        .ok()
}

pub(super) fn seal(key: &[u8; 32], salt: &[u8], iv: &[u8; 12], plaintext: &[u8]) -> String {
    let ct = Aes256Gcm::new(key.into())
        .encrypt(Nonce::from_slice(iv), plaintext)
        .unwrap_or_default();
    format!(
        "{}:{}:{}",
        STANDARD.encode(ct),
        STANDARD.encode(salt),
        STANDARD.encode(iv)
    )
}
