//! Cloud backup in the style docs/migration.md §4.5 describes for Microsoft Authenticator: the
//! app encrypts what it may back up under a key it generates, the blob goes to the backup
//! service and the key to the identity provider; restore needs the recovery account's strong
//! sign-in and an empty app. Third-party OTP secrets come back; device-bound keys never do.

use super::admit::{admit, Arriving, Incoming};
use super::MigrationFailure;
use crate::account::{AppAccount, DeviceCredential, PushAccount};
use crate::context::{Context, StoredBackup};
use crate::phone::Phone;
use crate::quirk::Quirk;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use serde::{Deserialize, Serialize};

/// One item of the backup's plaintext.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Item {
    Otp(hybridsim_otp::OtpAccount),
    MicrosoftPersonal { user: String },
    Push { tenant: String, user: String },
}

/// Backs up `phone` for `recovery`. Returns the old-phone indices of the accounts the backup
/// holds, in order.
pub fn backup(
    phone: &Phone,
    recovery: &str,
    strong_auth: bool,
    ctx: &mut Context<'_>,
) -> Result<Vec<usize>, MigrationFailure> {
    if !strong_auth {
        return Err(MigrationFailure::Refused(
            "backup needs a strong sign-in to the recovery account to get the backup key".into(),
        ));
    }
    let mut items = Vec::new();
    let mut carried = Vec::new();
    for (index, account) in phone.accounts.iter().enumerate() {
        let item = match account {
            AppAccount::Otp(otp) => Item::Otp(otp.clone()),
            AppAccount::MicrosoftPersonal(c) => {
                ctx.trail.account(
                    index,
                    "backed up as the user name only: each device has its own credential",
                );
                Item::MicrosoftPersonal {
                    user: c.user.clone(),
                }
            }
            AppAccount::Push(p) => {
                ctx.trail.account(index, "backed up as names only: the private key is in the phone's keystore and never leaves it");
                Item::Push {
                    tenant: p.tenant.clone(),
                    user: p.user.clone(),
                }
            }
            AppAccount::Passkey(p) => {
                ctx.trail.account(index, if p.synced() {
                    "passkeys are not in the app backup; this one travels by its provider's sync, not by this mechanism"
                } else {
                    "device-bound passkey: not in any backup, it cannot move; re-create it on the new phone"
                });
                continue;
            }
        };
        items.push(item);
        carried.push(index);
    }
    if let Some(old) = ctx.cloud.backups.get(recovery) {
        if items.is_empty() && old.accounts > 0 {
            if ctx.quirks.has(Quirk::BackupOverwrittenByEmpty) {
                ctx.trail.general(format!(
                    "an empty backup replaced the stored one with {} accounts ({})",
                    old.accounts,
                    Quirk::BackupOverwrittenByEmpty.cite()
                ));
            } else {
                ctx.trail
                    .general("the app did not replace a stored backup with an empty one");
                return Ok(carried);
            }
        }
    }
    let plaintext = serde_json::to_vec(&items)
        .map_err(|e| MigrationFailure::Broken(format!("cannot serialise the backup: {e}")))?;
    let key: [u8; 32] = ctx.random();
    let nonce: [u8; 12] = ctx.random();
    let ciphertext = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key))
        .encrypt(Nonce::from_slice(&nonce), plaintext.as_slice())
        .map_err(|_| MigrationFailure::Broken("AES-GCM refused the backup".into()))?;
    ctx.trail.sent("encrypted backup", ciphertext.clone());
    ctx.cloud.backups.insert(
        recovery.to_string(),
        StoredBackup {
            nonce: hex::encode(nonce),
            ciphertext: hex::encode(ciphertext),
            accounts: items.len(),
        },
    );
    ctx.cloud
        .escrow
        .insert(recovery.to_string(), hex::encode(key));
    Ok(carried)
}

/// Restores the backup of `recovery` onto `phone`. `carried` maps backup items to old-phone
/// indices (what [`backup`] returned), for the report.
pub fn restore(
    phone: &mut Phone,
    recovery: &str,
    strong_auth: bool,
    carried: &[usize],
    ctx: &mut Context<'_>,
) -> Result<(), MigrationFailure> {
    if !strong_auth {
        return Err(MigrationFailure::Refused(
            "recovery needs a strong sign-in to the recovery account".into(),
        ));
    }
    if !phone.accounts.is_empty() && !ctx.quirks.has(Quirk::RestoreReplacesExisting) {
        return Err(MigrationFailure::Refused(format!(
            "recovery is refused while the app holds accounts ({} here): remove them first",
            phone.accounts.len()
        )));
    }
    let stored = ctx
        .cloud
        .backups
        .get(recovery)
        .cloned()
        .ok_or_else(|| MigrationFailure::Refused(format!("no backup for {recovery}")))?;
    let key = ctx
        .cloud
        .escrow
        .get(recovery)
        .and_then(|k| hex::decode(k).ok())
        .filter(|k| k.len() == 32)
        .ok_or_else(|| {
            MigrationFailure::Broken("the identity provider has no usable key".into())
        })?;
    let nonce = hex::decode(&stored.nonce)
        .ok()
        .filter(|n| n.len() == 12)
        .ok_or_else(|| MigrationFailure::Broken("the stored nonce is damaged".into()))?;
    let ciphertext = hex::decode(&stored.ciphertext)
        .map_err(|_| MigrationFailure::Broken("the stored backup is damaged".into()))?;
    let plaintext = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key))
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .map_err(|_| {
            MigrationFailure::Broken("the backup does not decrypt with the escrowed key".into())
        })?;
    let items: Vec<Item> = serde_json::from_slice(&plaintext).map_err(|e| {
        MigrationFailure::Broken(format!("the backup's contents are not readable: {e}"))
    })?;
    let mut incoming = Vec::new();
    for (position, item) in items.into_iter().enumerate() {
        let source = carried.get(position).copied();
        let account = match item {
            Item::Otp(otp) => AppAccount::Otp(otp),
            Item::MicrosoftPersonal { user } => {
                let otp = new_device_credential(&user, ctx);
                if let Some(index) = source {
                    ctx.trail.account(index, "the user signed in to recover it; the identity provider registered a new credential for this device, so its codes differ from the old phone's while both stay valid");
                }
                AppAccount::MicrosoftPersonal(DeviceCredential {
                    user,
                    otp: Some(otp),
                })
            }
            Item::Push { tenant, user } => {
                if let Some(index) = source {
                    ctx.trail.account(index, format!("restored as a name only: scan a QR code from {tenant} to register this phone"));
                }
                AppAccount::Push(PushAccount {
                    tenant,
                    user,
                    device_key: None,
                })
            }
        };
        incoming.push(Incoming { source, account });
    }
    admit(phone, incoming, Arriving::Restore, ctx);
    Ok(())
}

/// Registers a fresh per-device OTP credential for a personal Microsoft account.
pub fn new_device_credential(user: &str, ctx: &mut Context<'_>) -> hybridsim_otp::OtpAccount {
    let secret: [u8; 20] = ctx.random();
    let otp = hybridsim_otp::OtpAccount {
        issuer: "Microsoft".into(),
        name: user.to_string(),
        secret: secret.to_vec(),
        algorithm: hybridsim_otp::Algorithm::Sha1,
        digits: 8,
        kind: hybridsim_otp::OtpKind::Totp { period: 30 },
    };
    ctx.cloud
        .device_credentials
        .entry(user.to_string())
        .or_default()
        .push(otp.clone());
    otp
}
