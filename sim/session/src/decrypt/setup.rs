//! Step 1 and 2: which session, and the secrets the QR code, the advert and the key log give.

use super::{AdvertInfo, DecryptedSession, Input, SessionError};
use crate::keylog::{Label, SessionKeys};
use hybridsim_proto::advert::{self, AdvertError, LengthRule};
use hybridsim_proto::{derive, domain, keys};

/// Chromium knows two assigned tunnel-server domains (docs/protocol.md §5.1).
const KNOWN_ASSIGNED_DOMAINS: u16 = 2;

/// What the decryptor knows before the handshake.
#[derive(Debug, Clone, Default)]
pub(super) struct Secrets {
    /// The Noise PSK, from the advert or the key log.
    pub psk: Option<[u8; 32]>,
    /// The desktop's QR identity public key, uncompressed.
    pub qr_public: Option<[u8; 65]>,
}

/// The tunnel id given, derived from the QR secret, or the key log's only session.
pub(super) fn tunnel_id(input: &Input<'_>) -> Result<[u8; 16], SessionError> {
    if let Some(id) = input.tunnel_id {
        return Ok(id);
    }
    if let Some(qr) = input.qr {
        return Ok(derive::tunnel_id(&qr.secret));
    }
    let mut ids = input.keylog.tunnel_ids();
    match (ids.next(), ids.next()) {
        (Some(only), None) => Ok(*only),
        _ => Err(SessionError::NoTunnelId {
            sessions: input.keylog.tunnel_ids().count(),
        }),
    }
}

/// The key log's lines for the session.
pub(super) fn session_keys<'a>(
    input: &Input<'a>,
    tunnel_id: &[u8; 16],
) -> Result<&'a SessionKeys, SessionError> {
    input
        .keylog
        .session(tunnel_id)
        .ok_or_else(|| SessionError::NoSession {
            tunnel_id: hex::encode_upper(tunnel_id),
        })
}

/// The QR secret, QR public key, advert fields and PSK, each checked against the key log.
pub(super) fn secrets(
    input: &Input<'_>,
    keys: &SessionKeys,
    session: &mut DecryptedSession,
) -> Result<Secrets, SessionError> {
    let logged_secret: Option<[u8; 16]> = keys.fixed(Label::QrSecret);
    let qr_secret = match (input.qr, logged_secret) {
        (Some(qr), Some(logged)) if qr.secret != logged => {
            return Err(SessionError::QrSecretMismatch {
                line: line_of(keys, Label::QrSecret),
            })
        }
        (Some(qr), _) => Some(qr.secret),
        (None, logged) => logged,
    };
    let qr_public = match (input.qr, keys.get(Label::QrIdentityPrivateKey)) {
        (Some(qr), _) => keys::uncompressed(&qr.public_key).ok(),
        (None, Some(private)) => keys::public_of(private).ok(),
        (None, None) => None,
    };
    let mut psk: Option<[u8; 32]> = keys.fixed(Label::Psk);
    if let Some(bytes) = input.advert {
        let secret = qr_secret.ok_or(SessionError::MissingKeys {
            need: "the QR code or QR_SECRET, to decrypt the advert",
        })?;
        let (info, derived) = open_advert(&secret, bytes)?;
        session.advert = Some(info);
        if psk.is_some_and(|logged| logged != derived) {
            return Err(SessionError::LoggedKeyMismatch {
                label: Label::Psk,
                line: line_of(keys, Label::Psk),
                derived_from: "the advert",
            });
        }
        psk = Some(derived);
    }
    Ok(Secrets { psk, qr_public })
}

fn open_advert(secret: &[u8; 16], bytes: &[u8]) -> Result<(AdvertInfo, [u8; 32]), SessionError> {
    let eid_key = derive::eid_key(secret);
    let matched = advert::open(
        &eid_key,
        bytes,
        LengthRule::AllowSuffix,
        KNOWN_ASSIGNED_DOMAINS,
    )
    .map_err(|e| match e {
        AdvertError::NotForThisKey => SessionError::AdvertNotForThisSession,
        other => SessionError::Advert(other),
    })?;
    let psk = derive::psk(secret, &matched.plaintext);
    let info = AdvertInfo {
        routing_id: matched.eid.routing_id,
        domain_id: matched.eid.domain_id,
        domain: domain::host(matched.eid.domain_id).ok(),
        psk,
    };
    Ok((info, psk))
}

/// The key-log line of a label (0 when absent, which callers rule out first).
pub(super) fn line_of(keys: &SessionKeys, label: Label) -> usize {
    keys.entry(label).map_or(0, |l| l.line)
}
