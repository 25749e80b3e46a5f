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

/// Tries the password slots in file order; returns the master key and the index of the slot
/// that opened. Slot counts and the scrypt budget are checked before any scrypt runs.
pub(super) fn open_slots(
    slots: &[Slot],
    password: &[u8],
    options: &AegisDecodeOptions,
    notes: &mut Vec<VaultNote>,
) -> Result<([u8; 32], usize), AegisError> {
    let too_many = |kind, found, limit| AegisError::TooManySlots { kind, found, limit };
    if slots.len() > options.max_slots {
        return Err(too_many("slots", slots.len(), options.max_slots));
    }
    let password_slots = slots.iter().filter(|s| s.slot_type == 1).count();
    if password_slots > options.max_password_slots {
        return Err(too_many(
            "password slots",
            password_slots,
            options.max_password_slots,
        ));
    }
    let mut work = 0u64;
    for (index, slot) in slots.iter().enumerate() {
        if slot.slot_type != 1 {
            notes.push(VaultNote::SlotSkipped {
                index,
                slot_type: slot.slot_type,
            });
            continue;
        }
        let path = format!("header.slots[{index}]");
        let slot = PasswordSlot::read(slot, &path, options)?;
        // Checked before running: a refused slot costs nothing.
        work = work.saturating_add(slot.work);
        if work > options.max_scrypt_work {
            return Err(AegisError::ScryptBudget {
                path,
                work,
                limit: options.max_scrypt_work,
            });
        }
        match slot.unwrap(password, &path)? {
            Some(master) => return Ok((master, index)),
            None => notes.push(VaultNote::SlotRefusedPassword { index }),
        }
    }
    Err(if password_slots > 0 {
        AegisError::WrongPassword
    } else {
        AegisError::NoPasswordSlot
    })
}

/// A password slot's fields, checked and decoded.
struct PasswordSlot {
    params: scrypt::Params,
    work: u64,
    salt: Vec<u8>,
    wrapped: [u8; 32],
    nonce: [u8; 12],
    tag: [u8; 16],
}

impl PasswordSlot {
    fn read(slot: &Slot, path: &str, options: &AegisDecodeOptions) -> Result<Self, AegisError> {
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
                path: path.to_owned(),
                detail,
            }
        })?;
        Ok(Self {
            params,
            work: scrypt_work(n, r, p),
            salt,
            wrapped: hex_field::<32>(&slot.key, &format!("{path}.key"))?,
            nonce: hex_field::<12>(&slot.key_params.nonce, &format!("{path}.key_params.nonce"))?,
            tag: hex_field::<16>(&slot.key_params.tag, &format!("{path}.key_params.tag"))?,
        })
    }

    /// Runs scrypt and unwraps the master key; `None` if the password does not open it.
    fn unwrap(&self, password: &[u8], path: &str) -> Result<Option<[u8; 32]>, AegisError> {
        let mut kek = [0u8; 32];
        scrypt::scrypt(password, &self.salt, &self.params, &mut kek).map_err(|e| {
            AegisError::ScryptParams {
                path: path.to_owned(),
                detail: e.to_string(),
            }
        })?;
        Ok(gcm_open(&kek, &self.nonce, &self.wrapped, &self.tag)
            .and_then(|m| <[u8; 32]>::try_from(m.as_slice()).ok()))
    }
}

/// Bytes scrypt moves through its buffer: 128·r·N per lane, p lanes run one after another.
fn scrypt_work(n: u64, r: u32, p: u32) -> u64 {
    128u64
        .saturating_mul(u64::from(r))
        .saturating_mul(n)
        .saturating_mul(u64::from(p))
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
