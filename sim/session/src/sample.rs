//! Complete sessions built from fixed keys with hybridsim-proto's own desktop and phone
//! primitives: the reference the tests, the fuzz seeds and the capture writer's tests use.
//!
//! A session here is what a capture holds: the QR code, the advert, the WebSocket messages
//! in order, and every secret, written as a key log by [`crate::keylog::KeyLogWriter`].

use crate::decrypt::Flow;
use crate::keylog::{KeyLogWriter, Label};
use crate::messages::{Side, WireMessage};
use hybridsim_proto::advert::{self, Eid};
use hybridsim_proto::cbor::{self, int_map, Value};
use hybridsim_proto::crypter::{Construction, Crypter, CrypterError};
use hybridsim_proto::derive;
use hybridsim_proto::keys::{self, KeyError};
use hybridsim_proto::linking::{self, LinkingInfo};
use hybridsim_proto::message::{Message, MessageError, ProtocolRevision};
use hybridsim_proto::noise::{HandshakeDone, Initiator, NoiseError, Responder};
use hybridsim_proto::post_handshake::{PostHandshakeMessage, UpdateMessage};
use hybridsim_proto::qr::QrPayload;

/// Which session to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// QR-initiated (KNpsk0) or linked (NKpsk0).
    pub flow: Flow,
    /// The transport crypter construction both sides use.
    pub construction: Construction,
    /// The protocol revision the phone speaks.
    pub revision: ProtocolRevision,
}

/// A built session.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The desktop's QR code (for a linked session: the one it was paired with).
    pub qr: QrPayload,
    /// The tunnel id the key log is keyed by.
    pub tunnel_id: [u8; 16],
    /// The phone's advert: under the QR secret's EID key (QR flow) or the link secret's.
    pub advert: [u8; advert::ADVERT_LEN],
    /// The WebSocket messages, in order.
    pub messages: Vec<WireMessage>,
    /// Every secret of the session, in [`Label::ALL`] order.
    pub secrets: Vec<(Label, Vec<u8>)>,
    /// The plaintexts of the transport messages (after the two handshake messages).
    pub plaintexts: Vec<Vec<u8>>,
}

impl Sample {
    /// The key log of the session, with the labels given (all: [`Label::ALL`]).
    pub fn keylog(&self, labels: &[Label]) -> String {
        let mut writer = KeyLogWriter::new(Vec::new());
        // Writing to a Vec cannot fail, and every value has its label's length.
        let _ = writer.comment("hybridsim sample session");
        for (label, value) in self.secrets.iter().filter(|(l, _)| labels.contains(l)) {
            let _ = writer.secret(*label, &self.tunnel_id, value);
        }
        String::from_utf8_lossy(&writer.into_inner()).into_owned()
    }
}

/// Why a sample could not be built (only if proto refuses its own fixed keys).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SampleError {
    /// A key was refused.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A handshake step failed.
    #[error(transparent)]
    Noise(#[from] NoiseError),
    /// A transport step failed.
    #[error(transparent)]
    Crypter(#[from] CrypterError),
    /// A message could not be framed.
    #[error(transparent)]
    Message(#[from] MessageError),
}

/// The phone's getInfo: versions, AAGUID and options of a Chromium phone.
pub fn get_info() -> Vec<u8> {
    cbor::encode_canonical(&int_map([
        (
            1,
            Value::Array(vec![
                Value::Text("FIDO_2_0".into()),
                Value::Text("FIDO_2_1".into()),
            ]),
        ),
        (3, Value::Bytes(vec![0; 16])),
        (
            4,
            Value::Map(vec![(Value::Text("uv".into()), Value::Bool(true))]),
        ),
    ]))
}

/// A makeCredential request's parameters.
pub fn make_credential() -> Vec<u8> {
    let text = |s: &str| Value::Text(s.into());
    cbor::encode_canonical(&int_map([
        (1, Value::Bytes(vec![0xCD; 32])),
        (2, Value::Map(vec![(text("id"), text("login.example"))])),
        (
            3,
            Value::Map(vec![
                (text("id"), Value::Bytes(vec![7; 8])),
                (text("name"), text("ada")),
            ]),
        ),
        (
            4,
            Value::Array(vec![Value::Map(vec![
                (text("alg"), Value::Integer((-7).into())),
                (text("type"), text("public-key")),
            ])]),
        ),
    ]))
}

/// Builds a complete session: handshake, post-handshake (and, for a QR session in revision 1,
/// an update with linking info), a makeCredential request and response, and (revision 1) the
/// desktop's shutdown.
pub fn build(options: Options) -> Result<Sample, SampleError> {
    let qr_private = keys::private_from_seed(&[1; 32]);
    let qr = QrPayload::new(
        keys::compressed(&keys::public_of(&qr_private)?)?,
        [0x22; 16],
    );
    let desktop_ephemeral = keys::private_from_seed(&[3; 32]);
    let phone_ephemeral = keys::private_from_seed(&[4; 32]);
    let phone_identity = keys::private_from_seed(&[5; 32]);
    let link_secret = [0x44; 32];
    let eid = Eid {
        nonce: [9; 10],
        routing_id: [0x2A, 0, 0],
        domain_id: 0,
    }
    .to_plaintext();
    let (tunnel_id, eid_key, psk_secret) = match options.flow {
        Flow::Qr => (
            derive::tunnel_id(&qr.secret),
            derive::eid_key(&qr.secret),
            qr.secret.to_vec(),
        ),
        Flow::Linked => {
            let key = derive::derive(&link_secret, &[0x55; 16], derive::Purpose::EidKey);
            ([0x66; 16], key, link_secret.to_vec())
        }
    };
    let psk = derive::psk(&psk_secret, &eid);
    let (initiator, responder) = match options.flow {
        Flow::Qr => (
            Initiator::qr_initiated(&psk, &qr_private, &desktop_ephemeral)?,
            Responder::qr_initiated(&psk, &qr.public_key, &phone_ephemeral)?,
        ),
        Flow::Linked => (
            Initiator::linked(&psk, &keys::public_of(&phone_identity)?, &desktop_ephemeral)?,
            Responder::linked(&psk, &phone_identity, &phone_ephemeral)?,
        ),
    };
    let (m1, awaiting) = initiator.write_message_1()?;
    let (m2, _) = responder.read_message_1(&m1)?.write_message_2()?;
    let done = awaiting.read_message_2(&m2)?;
    let plaintexts = transcript(options, &done, &phone_identity, &qr.public_key)?;
    let messages = encrypt(options, &done, &m1, &m2, &plaintexts)?;
    let secrets = vec![
        (Label::QrSecret, qr.secret.to_vec()),
        (Label::QrIdentityPrivateKey, qr_private.to_vec()),
        (
            Label::DesktopEphemeralPrivateKey,
            desktop_ephemeral.to_vec(),
        ),
        (Label::PhoneEphemeralPrivateKey, phone_ephemeral.to_vec()),
        (Label::PhoneIdentityPrivateKey, phone_identity.to_vec()),
        (Label::Psk, psk.to_vec()),
        (Label::HandshakeHash, done.handshake_hash.to_vec()),
        (Label::DesktopWriteKey, done.write_key.to_vec()),
        (Label::DesktopReadKey, done.read_key.to_vec()),
        (Label::LinkSecret, link_secret.to_vec()),
    ];
    Ok(Sample {
        qr,
        tunnel_id,
        advert: advert::encrypt(&eid_key, &eid),
        messages,
        secrets,
        plaintexts: plaintexts.into_iter().map(|(_, p)| p).collect(),
    })
}

/// The transport plaintexts, in order, with their senders.
fn transcript(
    options: Options,
    done: &HandshakeDone,
    phone_identity: &[u8; 32],
    qr_public: &[u8],
) -> Result<Vec<(Side, Vec<u8>)>, SampleError> {
    let revision = options.revision;
    let mut out = vec![(
        Side::Phone,
        PostHandshakeMessage::chromium_phone(get_info()).encode(revision),
    )];
    if options.flow == Flow::Qr && revision == ProtocolRevision::V1 {
        let linking = LinkingInfo {
            contact_id: vec![0xC0; 12],
            link_id: [0x1D; 8],
            link_secret: [0x44; 32],
            public_key: keys::public_of(phone_identity)?,
            name: "Pixel".into(),
            signature: linking::sign(phone_identity, qr_public, &done.handshake_hash)?,
            play_services: None,
        };
        let update = UpdateMessage::chromium_phone(Some(linking)).to_message();
        out.push((Side::Phone, update.encode(revision)?));
    }
    let request = Message::ctap_request(0x01, &make_credential());
    out.push((Side::Desktop, request.encode(revision)?));
    let body = cbor::encode_canonical(&int_map([
        (1, Value::Text("none".into())),
        (2, Value::Bytes(vec![0xA0; 37])),
        (3, Value::Map(Vec::new())),
    ]));
    out.push((
        Side::Phone,
        Message::ctap_response(0x00, &body).encode(revision)?,
    ));
    if revision == ProtocolRevision::V1 {
        out.push((Side::Desktop, Message::shutdown().encode(revision)?));
    }
    Ok(out)
}

fn encrypt(
    options: Options,
    done: &HandshakeDone,
    m1: &[u8],
    m2: &[u8],
    plaintexts: &[(Side, Vec<u8>)],
) -> Result<Vec<WireMessage>, SampleError> {
    let mut desktop = Crypter::new(done.read_key, done.write_key, options.construction);
    // The phone holds the same keys swapped; only its write side is used here.
    let mut phone = Crypter::new(done.write_key, done.read_key, options.construction);
    let mut out = vec![(Side::Desktop, m1.to_vec()), (Side::Phone, m2.to_vec())];
    for (side, plaintext) in plaintexts {
        let bytes = match side {
            Side::Desktop => desktop.encrypt(plaintext)?,
            Side::Phone => phone.encrypt(plaintext)?,
        };
        out.push((*side, bytes));
    }
    Ok(out
        .into_iter()
        .enumerate()
        .map(|(i, (from, bytes))| WireMessage {
            from,
            bytes,
            line: i + 1,
        })
        .collect())
}
