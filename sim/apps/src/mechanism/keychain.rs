//! Platform keychain sync (the iCloud Keychain model of docs/migration.md §4.5, 2025 iOS
//! change): third-party TOTP secrets and the names of all accounts travel; nothing else.
//! Synced passkeys travel too, because the keychain is their provider.

use super::admit::{admit, Arriving, Incoming};
use crate::account::{AppAccount, DeviceCredential, PushAccount};
use crate::context::Context;
use crate::phone::Phone;
use hybridsim_otp::OtpKind;

/// Syncs `old` to the keychain of `platform_account` and from there to `new`.
pub fn sync(old: &Phone, new: &mut Phone, platform_account: &str, ctx: &mut Context<'_>) {
    let mut incoming = Vec::new();
    for (index, account) in old.accounts.iter().enumerate() {
        let carried = match account {
            AppAccount::Otp(otp) => match otp.kind {
                OtpKind::Totp { .. } => Some(account.clone()),
                OtpKind::Hotp { .. } => {
                    ctx.trail.account(index, "the keychain backup carries third-party TOTP secrets only; this HOTP account stays behind");
                    None
                }
            },
            AppAccount::MicrosoftPersonal(c) => {
                ctx.trail
                    .account(index, "synced as a name only: the user signs in to finish");
                Some(AppAccount::MicrosoftPersonal(DeviceCredential {
                    user: c.user.clone(),
                    otp: None,
                }))
            }
            AppAccount::Push(p) => {
                ctx.trail.account(
                    index,
                    format!(
                        "synced as a name only: scan a QR code from {} to register this phone",
                        p.tenant
                    ),
                );
                Some(AppAccount::Push(PushAccount {
                    tenant: p.tenant.clone(),
                    user: p.user.clone(),
                    device_key: None,
                }))
            }
            AppAccount::Passkey(p) if p.synced() => Some(account.clone()),
            AppAccount::Passkey(_) => {
                ctx.trail.account(
                    index,
                    "device-bound passkey: it never leaves the old phone; re-create it",
                );
                None
            }
        };
        if let Some(account) = carried {
            incoming.push(Incoming {
                source: Some(index),
                account,
            });
        }
    }
    let synced: Vec<&AppAccount> = incoming.iter().map(|i| &i.account).collect();
    if let Ok(bytes) = serde_json::to_vec(&synced) {
        ctx.trail.sent("keychain items", bytes);
    }
    ctx.cloud.keychain.insert(
        platform_account.to_string(),
        incoming.iter().map(|i| i.account.clone()).collect(),
    );
    admit(new, incoming, Arriving::Restore, ctx);
}
