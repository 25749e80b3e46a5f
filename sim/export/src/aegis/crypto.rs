//! Opening an encrypted vault's password slots: scrypt (each slot's cost and the file's total
//! bounded before any runs) → AES-256-GCM key unwrap; and the AES-GCM helpers.

use super::format::{Slot, VaultNote};
use super::{AegisDecodeOptions, AegisError};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};

pub(super) fn hex_field<const N: usize>(text: &str, path: &str) -> Result<[u8; N], AegisError> {
    let bytes = hex::decode(text).map_err(|e| AegisError::BadValue {
        path: path.to_owned(),
        detail: format!("not hex: {e}"),
    })?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| AegisError::BadValue {
        path: path.to_owned(),
        detail: format!("{} bytes, expected {N}", bytes.len()),
    })
}

pub(super) fn gcm_open(
    key: &[u8; 32],
    nonce: &[u8; 12],
    ciphertext: &[u8],
    tag: &[u8; 16],
) -> Option<Vec<u8>> {
    let mut sealed = Vec::with_capacity(ciphertext.len() + 16);
    sealed.extend_from_slice(ciphertext);
    sealed.extend_from_slice(tag);
    Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(nonce), sealed.as_slice())
        .ok()
}

pub(super) fn gcm_seal(key: &[u8; 32], nonce: &[u8; 12], plaintext: &[u8]) -> (Vec<u8>, [u8; 16]) {
    let mut sealed = Aes256Gcm::new(key.into())
        .encrypt(Nonce::from_slice(nonce), plaintext)
        .unwrap_or_default();
    let tail = sealed.split_off(sealed.len().saturating_sub(16));
    (
        sealed,
        <[u8; 16]>::try_from(tail.as_slice()).unwrap_or_default(),
    )
}

pub(super) fn open_slots(
    slots: &[Slot],
    password: &[u8],
    options: &AegisDecodeOptions,
    notes: &mut Vec<VaultNote>,
) -> Result<([u8; 32], usize), AegisError> {
    let mut any_password_slot = false;
    for (index, slot) in slots.iter().enumerate() {
        let path = format!("header.slots[{index}]");
        if slot.slot_type != 1 {
            notes.push(VaultNote::SlotSkipped {
                index,
                slot_type: slot.slot_type,
            });
            continue;
        }
        any_password_slot = true;
        let missing = |field: &str| AegisError::BadValue {
            path: format!("{path}.{field}"),
            detail: "missing in a password slot".into(),
        };
        let n = slot.n.ok_or_else(|| missing("n"))?;
        let r = slot.r.ok_or_else(|| missing("r"))?;
        let p = slot.p.ok_or_else(|| missing("p"))?;
        let salt_hex = slot.salt.as_deref().ok_or_else(|| missing("salt"))?;
        let salt = hex::decode(salt_hex).map_err(|e| AegisError::BadValue {
            path: format!("{path}.salt"),
            detail: format!("not hex: {e}"),
        })?;
        let params = scrypt_params(n, r, p, options.max_scrypt_memory).map_err(|detail| {
            AegisError::ScryptParams {
                path: path.clone(),
                detail,
            }
        })?;
        let wrapped = hex_field::<32>(&slot.key, &format!("{path}.key"))?;
        let nonce = hex_field::<12>(&slot.key_params.nonce, &format!("{path}.key_params.nonce"))?;
        let tag = hex_field::<16>(&slot.key_params.tag, &format!("{path}.key_params.tag"))?;
        let mut kek = [0u8; 32];
        scrypt::scrypt(password, &salt, &params, &mut kek).map_err(|e| {
            AegisError::ScryptParams {
                path: path.clone(),
                detail: e.to_string(),
            }
        })?;
        match gcm_open(&kek, &nonce, &wrapped, &tag)
            .and_then(|m| <[u8; 32]>::try_from(m.as_slice()).ok())
        {
            Some(master) => return Ok((master, index)),
            None => notes.push(VaultNote::SlotRefusedPassword { index }),
        }
    }
    Err(if any_password_slot {
        AegisError::WrongPassword
    } else {
        AegisError::NoPasswordSlot
    })
}

fn scrypt_params(n: u64, r: u32, p: u32, max_memory: u64) -> Result<scrypt::Params, String> {
    if n < 2 || !n.is_power_of_two() {
        return Err(format!("N = {n} is not a power of two ≥ 2"));
    }
    let memory = 128u64.saturating_mul(u64::from(r)).saturating_mul(n);
    if memory > max_memory || p > 16 {
        return Err(format!("N = {n}, r = {r}, p = {p} cost more than allowed"));
    }
    scrypt::Params::new(n.trailing_zeros() as u8, r, p, 32).map_err(|e| e.to_string())
}
