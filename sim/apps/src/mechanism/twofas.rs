//! 2FAS backup files (docs/migration.md §4.2): phone A exports a `.2fas` file (schema 4), phone
//! B imports it. 2FAS calls the issuer the service `name`, which importers have mixed up (M08).

use super::admit::{admit, Arriving, Incoming};
use super::{ExportedFile, MigrationFailure};
use crate::account::AppAccount;
use crate::context::Context;
use crate::phone::Phone;
use crate::quirk::Quirk;
use hybridsim_export::twofas::{
    self, Imported, IssuerSource, NameSource, TwofasDecodeOptions, TwofasEncodeOptions,
    TwofasRandom,
};

/// Writes `old`'s OTP accounts as a `.2fas` file, encrypted when a password is given.
pub fn export(
    old: &Phone,
    password: Option<&str>,
    ctx: &mut Context<'_>,
) -> Result<ExportedFile, MigrationFailure> {
    let (accounts, carried) = super::otp_accounts_of(old, "a 2FAS backup", ctx);
    let spaced = ctx.quirks.has(Quirk::ExportSpacedSecrets);
    if spaced {
        for &i in &carried {
            ctx.trail.account(
                i,
                format!(
                    "exported with spaces in the secret ({})",
                    Quirk::ExportSpacedSecrets.cite()
                ),
            );
        }
    }
    let options = TwofasEncodeOptions {
        spaced_secrets: spaced,
        ..TwofasEncodeOptions::default()
    };
    let json = match password {
        None => twofas::encode_plain(&accounts, &options),
        Some(password) => {
            let salt: [u8; 32] = ctx.random();
            let mut long_salt = salt.to_vec();
            for _ in 0..7 {
                long_salt.extend_from_slice(&ctx.random::<32>());
            }
            let random = TwofasRandom {
                salt: long_salt,
                services_iv: ctx.random(),
                reference_iv: ctx.random(),
            };
            twofas::encode_encrypted(&accounts, password.as_bytes(), &random, &options)
        }
    };
    let what = if password.is_some() {
        "2FAS backup (encrypted)"
    } else {
        "2FAS backup"
    };
    ctx.trail.sent(what, json.as_bytes());
    Ok(ExportedFile { json, carried })
}

/// Imports a `.2fas` file on `new`.
pub fn import(
    new: &mut Phone,
    file: &ExportedFile,
    password: Option<&str>,
    ctx: &mut Context<'_>,
) -> Result<(), MigrationFailure> {
    let quirks = ctx.quirks.clone();
    let swap = quirks.has(Quirk::ImportSwapsNameAndService);
    let options = TwofasDecodeOptions {
        schema_versions: if quirks.has(Quirk::ImportRefusesSchemaV4) {
            1..=3
        } else {
            1..=4
        },
        repair_secrets: !quirks.has(Quirk::ImportStrictBase32),
        issuer_from: if swap {
            IssuerSource::OtpIssuer
        } else {
            IssuerSource::ServiceName
        },
        name_from: if swap {
            NameSource::ServiceName
        } else {
            NameSource::OtpAccount
        },
        ..TwofasDecodeOptions::default()
    };
    let backup = twofas::decode(file.json.as_bytes(), password.map(str::as_bytes), &options)
        .map_err(|e| {
            let cite: String = [Quirk::ImportRefusesSchemaV4, Quirk::ImportStrictBase32]
                .into_iter()
                .filter(|q| quirks.has(*q))
                .map(|q| format!(" ({})", q.cite()))
                .collect();
            MigrationFailure::Unreadable(format!("the 2FAS file: {e}{cite}"))
        })?;
    let mut incoming = Vec::new();
    for (position, service) in backup.services.into_iter().enumerate() {
        let source = file.carried.get(position).copied();
        let label = format!("service {} ({})", position + 1, service.raw.name);
        match service.imported {
            Imported::Account(account) => {
                if swap {
                    ctx.trail.entry(
                        source,
                        &label,
                        format!(
                            "the importer read the service name as the account name ({})",
                            Quirk::ImportSwapsNameAndService.cite()
                        ),
                    );
                }
                incoming.push(Incoming {
                    source,
                    account: AppAccount::Otp(account),
                });
            }
            Imported::Unsupported { .. } => {
                let cite = if quirks.has(Quirk::ImportStrictBase32) {
                    format!(" ({})", Quirk::ImportStrictBase32.cite())
                } else {
                    String::new()
                };
                ctx.trail.entry(
                    source,
                    &label,
                    format!(
                        "the importer skipped this service without telling the user: {:?}{cite}",
                        service.findings
                    ),
                );
            }
        }
    }
    admit(new, incoming, Arriving::Import, ctx);
    Ok(())
}
