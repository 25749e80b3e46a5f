//! The relying party behind a passkey, as it stands after the registration: the credential
//! record of WebAuthn L3 §7.1 (credential ID, public key, user handle, BE, counter, AAGUID),
//! and a sign-in decided in §7.2's order, so a report can say why a moved passkey is refused.
//!
//! The AAGUID is kept because the relying party saw it at registration; an assertion carries
//! none, so a passkey that moved to another provider still signs in under the AAGUID it was
//! registered with (key restrictions by AAGUID bite at the next registration: see
//! `hybridsim_webauthn::rp::KeyRestrictions`).

use crate::account::PasskeyAccount;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The credential record a relying party keeps for one passkey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeySite {
    /// `rp (user)`, for messages.
    pub label: String,
    /// Credential ID, hex.
    pub credential_id: String,
    /// The public key, SEC1 uncompressed, hex.
    pub public_key: String,
    /// The user handle the account was registered with, hex.
    pub user_handle: String,
    /// BE at registration (it never changes for a credential).
    pub backup_eligible: bool,
    /// The counter last seen.
    pub sign_count: u32,
    /// The AAGUID the registration was attested with, hex.
    pub aaguid: String,
}

impl PasskeySite {
    /// The record right after `passkey` was registered by its provider.
    pub fn registered(passkey: &PasskeyAccount, label: String) -> Option<PasskeySite> {
        let key = SigningKey::from_slice(&passkey.credential.private_key).ok()?;
        Some(PasskeySite {
            label,
            credential_id: hex::encode(&passkey.credential.id),
            public_key: hex::encode(key.verifying_key().to_encoded_point(false).as_bytes()),
            user_handle: hex::encode(&passkey.credential.user_handle),
            backup_eligible: passkey.credential.backup.eligible,
            sign_count: passkey.credential.sign_count,
            aaguid: hex::encode(passkey.provider.aaguid()),
        })
    }

    /// A sign-in with `passkey` (on the new phone) over a fresh challenge derived from
    /// `true_unix`: `Ok` says what was checked, `Err` the first check that failed.
    pub fn sign_in(&mut self, passkey: &PasskeyAccount, true_unix: u64) -> Result<String, String> {
        let c = &passkey.credential;
        let label = &self.label;
        if hex::encode(&c.id) != self.credential_id {
            return Err(format!("{label}: the RP knows no credential with this ID"));
        }
        if hex::encode(&c.user_handle) != self.user_handle {
            return Err(format!(
                "{label}: the assertion's user handle {} is not the account's {}: the RP finds no account for it",
                hex::encode(&c.user_handle),
                self.user_handle
            ));
        }
        if c.backup.eligible != self.backup_eligible {
            return Err(format!(
                "{label}: BE is {} but was {} at registration (BE never changes): refused",
                u8::from(c.backup.eligible),
                u8::from(self.backup_eligible)
            ));
        }
        let challenge = Sha256::digest(format!("{label}|{true_unix}").as_bytes());
        let signature: Signature = SigningKey::from_slice(&c.private_key)
            .map_err(|_| format!("{label}: the phone's key is not usable"))?
            .sign(&challenge);
        hex::decode(&self.public_key)
            .ok()
            .and_then(|bytes| VerifyingKey::from_sec1_bytes(&bytes).ok())
            .ok_or("the RP's public key is damaged")?
            .verify(&challenge, &signature)
            .map_err(|_| format!("{label}: the signature does not match the registered key"))?;
        if self.sign_count > 0 && c.sign_count <= self.sign_count {
            return Err(format!(
                "{label}: counter {} is not above the {} the RP stored: a possible clone, refused",
                c.sign_count, self.sign_count
            ));
        }
        self.sign_count = c.sign_count;
        Ok("signature verified, flags and counter as registered".into())
    }
}

/// How the passkey on the new phone differs from the one registered, in the terms a relying
/// party sees (empty: the same credential, byte for byte).
pub fn differences(old: &PasskeyAccount, new: &PasskeyAccount) -> Vec<String> {
    let (a, b) = (&old.credential, &new.credential);
    let mut out = Vec::new();
    if old.provider != new.provider {
        out.push(format!(
            "provider {} → {} (AAGUID {} → {}; the RP sees the new one only at a new registration)",
            old.provider.name(),
            new.provider.name(),
            hex::encode(old.provider.aaguid()),
            hex::encode(new.provider.aaguid())
        ));
    }
    if a.backup != b.backup {
        out.push(format!(
            "BE/BS {}/{} → {}/{}",
            u8::from(a.backup.eligible),
            u8::from(a.backup.synced),
            u8::from(b.backup.eligible),
            u8::from(b.backup.synced)
        ));
    }
    if a.sign_count != b.sign_count {
        out.push(format!("counter {} → {}", a.sign_count, b.sign_count));
    }
    if a.user_handle != b.user_handle {
        out.push("user handle rewritten".into());
    }
    if a.cred_random_uv != b.cred_random_uv || a.cred_random_no_uv != b.cred_random_no_uv {
        out.push("hmac-secret randoms replaced: PRF / hmac-secret outputs differ".into());
    }
    if a.private_key != b.private_key {
        out.push("private key".into());
    }
    out
}
