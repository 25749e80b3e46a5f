//! Aegis vault files (docs/migration.md §4.1): phone A exports its OTP accounts as a vault,
//! phone B imports it. Encrypted vaults use Aegis' scrypt parameters.

use super::admit::{admit, Arriving, Incoming};
use super::{ExportedFile, MigrationFailure};
use crate::account::AppAccount;
use crate::context::Context;
use crate::phone::Phone;
use hybridsim_export::aegis::{self, AegisDecodeOptions, AegisRandom, Imported, ScryptCost};

/// Writes `old`'s OTP accounts as a vault, encrypted when a password is given.
pub fn export(
    old: &Phone,
    password: Option<&str>,
    ctx: &mut Context<'_>,
) -> Result<ExportedFile, MigrationFailure> {
    let (accounts, carried) = super::otp_accounts_of(old, "an Aegis vault", ctx);
    let json = match password {
        None => aegis::encode_plain(&accounts, &ctx.random()),
        Some(password) => {
            let random = AegisRandom {
                master_key: ctx.random(),
                slot_uuid: ctx.random(),
                salt: ctx.random(),
                key_nonce: ctx.random(),
                db_nonce: ctx.random(),
                entry_uuid_seed: ctx.random(),
            };
            aegis::encode_encrypted(
                &accounts,
                password.as_bytes(),
                &random,
                &ScryptCost::default(),
            )
            .map_err(|e| MigrationFailure::Broken(format!("cannot encrypt the vault: {e}")))?
        }
    };
    let what = if password.is_some() {
        "Aegis vault (encrypted)"
    } else {
        "Aegis vault"
    };
    ctx.trail.sent(what, json.as_bytes());
    Ok(ExportedFile { json, carried })
}

/// Imports a vault on `new`.
pub fn import(
    new: &mut Phone,
    file: &ExportedFile,
    password: Option<&str>,
    ctx: &mut Context<'_>,
) -> Result<(), MigrationFailure> {
    let options = AegisDecodeOptions {
        repair_secrets: !ctx.quirks.has(crate::quirk::Quirk::ImportStrictBase32),
        ..AegisDecodeOptions::default()
    };
    let vault = aegis::decode(file.json.as_bytes(), password.map(str::as_bytes), &options)
        .map_err(|e| MigrationFailure::Unreadable(format!("the vault: {e}")))?;
    let mut incoming = Vec::new();
    for (position, entry) in vault.entries.into_iter().enumerate() {
        let source = file.carried.get(position).copied();
        match entry.imported {
            Imported::Account(account, _) => incoming.push(Incoming {
                source,
                account: AppAccount::Otp(account),
            }),
            Imported::Unsupported { entry_type } => {
                let label = format!("entry {} ({})", position + 1, entry.raw.name);
                ctx.trail.entry(
                    source,
                    &label,
                    format!("the importer does not support {entry_type} entries"),
                );
            }
        }
    }
    admit(new, incoming, Arriving::Import, ctx);
    Ok(())
}
