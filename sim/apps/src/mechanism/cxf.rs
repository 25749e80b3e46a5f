//! Credential Exchange (CXF 1.0): the old phone's provider exports a CXF document, the new
//! phone's provider imports it (on Apple platforms through `ASCredentialExportManager` /
//! `ASCredentialImportManager`, on Android through Credential Manager's transfer APIs; the
//! HPKE-encrypted CXP envelope is not modelled, see `docs/migration.md`).
//!
//! What moves: passkeys (credential ID, RP ID, user handle and names, the PKCS#8 private key,
//! the hmac-secret randoms as `fido2Extensions.hmacCredentials`) and TOTP secrets. What stays,
//! each with its reason in the trail: device-bound passkeys (their provider never exports
//! them), passkeys whose signature counter is not zero (the spec excludes them), HOTP accounts
//! (CXF has no HOTP type), push and personal Microsoft accounts (a key or a per-device
//! credential, no CXF type). On import the counter is 0 and the importer's provider decides
//! the BE/BS flags; credential types other than passkey and TOTP are reported by name.

use super::admit::{admit, Arriving, Incoming};
use super::{ExportedFile, MigrationFailure};
use crate::account::{AppAccount, PasskeyAccount};
use crate::context::Context;
use crate::phone::Phone;
use crate::provider::Provider;
use crate::quirk::Quirk;
use hybridsim_ctap::store::StoredCredential;
use hybridsim_export::cxf::{
    self, Account, B64Url, Credential, Fido2Extensions, Fido2HmacCredentialAlgorithm,
    Fido2HmacCredentials, Header, Item, OTPHashAlgorithm, PasskeyCredential, TotpCredential,
    Version,
};
use hybridsim_otp::{Algorithm, OtpAccount, OtpKind};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};

/// Writes what `old` may export as a CXF document from `exporter`, created at `at`.
pub fn export(old: &Phone, exporter: Provider, at: u64, ctx: &mut Context<'_>) -> ExportedFile {
    let mut items = Vec::new();
    let mut carried = Vec::new();
    for (index, account) in old.accounts.iter().enumerate() {
        if let Some(credential) = exported(index, account, ctx) {
            items.push(Item {
                id: B64Url::from(ctx.random::<16>().to_vec()),
                creation_at: None,
                modified_at: None,
                title: account.label(),
                subtitle: None,
                favorite: None,
                scope: None,
                credentials: vec![credential],
                tags: None,
                extensions: None,
            });
            carried.push(index);
        }
    }
    let header = Header {
        version: Version { major: 1, minor: 0 },
        exporter_rp_id: format!("{}.provider.example", exporter.name()),
        exporter_display_name: exporter.name().to_owned(),
        timestamp: at,
        accounts: vec![Account {
            id: B64Url::from(ctx.random::<16>().to_vec()),
            username: String::new(),
            email: String::new(),
            full_name: None,
            collections: Vec::new(),
            items,
            extensions: None,
        }],
    };
    let json = cxf::encode(&header);
    ctx.trail.sent("CXF document", json.as_bytes());
    ExportedFile { json, carried }
}

/// The CXF credential for one account, or `None` with the reason in the trail.
fn exported(index: usize, account: &AppAccount, ctx: &mut Context<'_>) -> Option<Credential> {
    let refuse = |ctx: &mut Context<'_>, why: String| {
        ctx.trail.account(index, why);
        None
    };
    match account {
        AppAccount::Passkey(p) if !p.provider.exports_passkeys() => refuse(
            ctx,
            format!("device-bound passkey: {} never exports it; register a new passkey on the new phone", p.provider.name()),
        ),
        AppAccount::Passkey(p) if p.credential.sign_count != 0 => {
            if ctx.quirks.has(Quirk::CxfOmitsCountedPasskeysSilently) {
                return None;
            }
            refuse(ctx, format!(
                "left out of the export: its signature counter is {}, and CXF excludes passkeys whose counter is not zero",
                p.credential.sign_count
            ))
        }
        AppAccount::Passkey(p) => match passkey(&p.credential) {
            Some(c) => Some(Credential::Passkey(Box::new(c))),
            None => refuse(ctx, "its private key is not a P-256 key".to_owned()),
        },
        AppAccount::Otp(otp) => match otp.kind {
            OtpKind::Totp { period } => Some(Credential::Totp(Box::new(totp(otp, period)?))),
            OtpKind::Hotp { .. } => refuse(ctx, "CXF has TOTP items only; this HOTP account stays behind".to_owned()),
        },
        AppAccount::MicrosoftPersonal(_) | AppAccount::Push(_) => refuse(
            ctx,
            "no CXF item for it: its key or device credential belongs to this phone; sign in again on the new phone".to_owned(),
        ),
    }
}

fn passkey(c: &StoredCredential) -> Option<PasskeyCredential> {
    let key = c.secret_key()?.to_pkcs8_der().ok()?;
    Some(PasskeyCredential {
        credential_id: B64Url::from(c.id.clone()),
        rp_id: c.rp_id.clone(),
        username: c.user_name.clone().unwrap_or_default(),
        user_display_name: c.user_display_name.clone().unwrap_or_default(),
        user_handle: B64Url::from(c.user_handle.clone()),
        key: B64Url::from(key.as_bytes()),
        fido2_extensions: Some(Fido2Extensions {
            hmac_credentials: Some(Fido2HmacCredentials {
                algorithm: Fido2HmacCredentialAlgorithm::HmacSha256,
                cred_with_uv: B64Url::from(c.cred_random_uv.to_vec()),
                cred_without_uv: B64Url::from(c.cred_random_no_uv.to_vec()),
            }),
            ..Fido2Extensions::default()
        }),
    })
}

fn totp(otp: &OtpAccount, period: u32) -> Option<TotpCredential> {
    Some(TotpCredential {
        secret: otp.secret.clone().into(),
        period: u8::try_from(period).ok()?,
        digits: otp.digits,
        username: Some(otp.name.clone()),
        algorithm: match otp.algorithm {
            Algorithm::Sha1 => OTPHashAlgorithm::Sha1,
            Algorithm::Sha256 => OTPHashAlgorithm::Sha256,
            Algorithm::Sha512 => OTPHashAlgorithm::Sha512,
        },
        issuer: Some(otp.issuer.clone()).filter(|i| !i.is_empty()),
    })
}

/// Imports a CXF document on `new` as `importer` does; `carried` maps credentials (in
/// document order) to old-phone accounts when known.
pub fn import(
    new: &mut Phone,
    bytes: &[u8],
    importer: Provider,
    carried: &[usize],
    ctx: &mut Context<'_>,
) -> Result<(), MigrationFailure> {
    let header = cxf::decode(bytes).map_err(|e| MigrationFailure::Unreadable(e.to_string()))?;
    let mut incoming = Vec::new();
    let mut position = 0;
    for (a, account) in header.accounts.iter().enumerate() {
        for (i, item) in account.items.iter().enumerate() {
            for (c, credential) in item.credentials.iter().enumerate() {
                let source = carried.get(position).copied();
                position += 1;
                let label = format!("{} [accounts[{a}].items[{i}].credentials[{c}]]", item.title);
                match imported(credential, importer, ctx) {
                    Ok(account) => incoming.push(Incoming { source, account }),
                    Err(why) => ctx.trail.entry(source, &label, why),
                }
            }
        }
    }
    if ctx.quirks.has(Quirk::CxfImportsNothing) {
        // The importer took the document and added nothing, without a word to the user; the
        // note is for the report only.
        for item in &incoming {
            if let Some(index) = item.source {
                ctx.trail.account(
                    index,
                    format!(
                        "the importer accepted the transfer and added nothing ({})",
                        Quirk::CxfImportsNothing.cite()
                    ),
                );
            }
        }
        return Ok(());
    }
    admit(new, incoming, Arriving::Import, ctx);
    Ok(())
}

/// One CXF credential as the importer stores it, or why not.
fn imported(
    credential: &Credential,
    importer: Provider,
    ctx: &mut Context<'_>,
) -> Result<AppAccount, String> {
    match credential {
        Credential::Passkey(p) => stored(p, importer, ctx).map(|credential| {
            AppAccount::Passkey(PasskeyAccount {
                provider: importer,
                credential,
            })
        }),
        Credential::Totp(t) => otp(t).map(AppAccount::Otp),
        other => Err(format!(
            "a {} credential: this importer keeps passkeys and TOTP only",
            cxf::type_name(other)
        )),
    }
}

/// A passkey as the importer stores it: counter 0 (the spec: set to 0, never incremented),
/// the importer's flags, the hmac-secret randoms from `fido2Extensions` when given.
fn stored(
    p: &PasskeyCredential,
    importer: Provider,
    ctx: &mut Context<'_>,
) -> Result<StoredCredential, String> {
    let key = p256::SecretKey::from_pkcs8_der(p.key.as_ref())
        .map_err(|e| format!("the passkey's key is not a P-256 PKCS#8 key: {e}"))?;
    let hmac = p
        .fido2_extensions
        .as_ref()
        .and_then(|e| e.hmac_credentials.as_ref())
        .filter(|_| !ctx.quirks.has(Quirk::CxfImportDropsFido2Extensions));
    let random = |bytes: Option<&B64Url>| bytes.and_then(|b| <[u8; 32]>::try_from(b.as_ref()).ok());
    let uv = random(hmac.map(|h| &h.cred_with_uv));
    let no_uv = random(hmac.map(|h| &h.cred_without_uv));
    let user_handle = if ctx.quirks.has(Quirk::CxfImportRewritesUserHandle) {
        p.username.as_bytes().to_vec()
    } else {
        p.user_handle.as_ref().to_vec()
    };
    let none = |s: &String| Some(s.clone()).filter(|s| !s.is_empty());
    Ok(StoredCredential {
        id: p.credential_id.as_ref().to_vec(),
        rp_id: p.rp_id.clone(),
        user_handle,
        user_name: none(&p.username),
        user_display_name: none(&p.user_display_name),
        private_key: key.to_bytes().into(),
        sign_count: 0,
        discoverable: true,
        backup: importer.backup(),
        cred_random_uv: uv.unwrap_or_else(|| ctx.random()),
        cred_random_no_uv: no_uv.unwrap_or_else(|| ctx.random()),
        created_by_profile: importer.profile().unwrap_or(importer.name()).to_owned(),
        created_at_step: 0,
    })
}

fn otp(t: &TotpCredential) -> Result<OtpAccount, String> {
    let algorithm = match &t.algorithm {
        OTPHashAlgorithm::Sha1 => Algorithm::Sha1,
        OTPHashAlgorithm::Sha256 => Algorithm::Sha256,
        OTPHashAlgorithm::Sha512 => Algorithm::Sha512,
        // The spec: importers MUST ignore TOTP credentials with an unknown algorithm.
        other => return Err(format!("TOTP algorithm {other:?} is unknown: ignored")),
    };
    Ok(OtpAccount {
        issuer: t.issuer.clone().unwrap_or_default(),
        name: t.username.clone().unwrap_or_default(),
        secret: t.secret.as_ref().to_vec(),
        algorithm,
        digits: t.digits,
        kind: OtpKind::Totp {
            period: u32::from(t.period),
        },
    })
}
