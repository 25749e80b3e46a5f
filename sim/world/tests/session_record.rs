//! `Ceremony::record_session`: the key log the peers surface and the messages the world
//! kept decrypt, with hybridsim-session's decryptor, to the very plaintexts the ceremony's
//! own trace shows, for the QR and linked flows, both transport constructions and both
//! protocol revisions; and without it nothing secret is kept.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;

use hybridsim_pcapng::record::SessionRecord;
use hybridsim_peers::desktop::Desktop;
use hybridsim_peers::phone::Phone;
use hybridsim_peers::{Millis, Party, PeerError, Reason};
use hybridsim_session::decrypt::{CrypterKind, DecryptedSession, Flow, MessageKind};
use hybridsim_session::keylog::{KeyLog, Label};
use hybridsim_session::messages::Side;
use hybridsim_webauthn::rp::{AuthenticationRequest, RegistrationRequest, RelyingParty};
use hybridsim_world::ceremony::{Ceremony, ExternalRun, Outcome, Unreachable};

fn sign_in() -> String {
    let rp = RelyingParty::new("login.example", "Login", &[ORIGIN]);
    let request = AuthenticationRequest::default();
    rp.start_authentication(&[], [2; 32], &request).0.to_json()
}

fn recorded(outcome: &Outcome) -> &SessionRecord {
    assert!(
        outcome.desktop.is_ok() && outcome.phone.is_ok(),
        "{outcome:?}"
    );
    outcome.session.as_ref().expect("a recorded session")
}

/// The hex of the first trace note `what` by `actor` (secrets revealed).
fn note(outcome: &Outcome, actor: &str, what: &str) -> String {
    outcome
        .trace
        .records()
        .iter()
        .find(|r| r.actor == actor && r.what == what)
        .map(|r| r.hex.clone())
        .unwrap_or_else(|| panic!("no {actor} note {what:?}"))
}

fn plaintext(session: &DecryptedSession, kind: MessageKind) -> String {
    let message = session
        .messages
        .iter()
        .find(|m| m.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in {session:?}"));
    hex::encode(&message.plaintext)
}

/// The decrypted CTAP request, response and post-handshake message are the bytes the
/// phone and the desktop traced.
fn assert_reproduces(outcome: &Outcome, session: &DecryptedSession) {
    let request = plaintext(session, MessageKind::CtapRequest);
    assert!(
        request.ends_with(&note(outcome, "phone", "ctap request")),
        "request {request}"
    );
    let response = plaintext(session, MessageKind::CtapResponse);
    assert!(
        response.ends_with(&note(outcome, "desktop", "ctap response")),
        "response {response}"
    );
    let post = plaintext(session, MessageKind::PostHandshake);
    assert!(post.ends_with(&note(outcome, "desktop", "post-handshake message")));
}

#[test]
fn a_qr_ceremony_decrypts_from_its_key_log_for_both_constructions_and_revisions() {
    type Variant = fn(Ceremony) -> Ceremony;
    let variants: [(Variant, CrypterKind, u8); 3] = [
        (|c| c, CrypterKind::New, 1),
        (Ceremony::old_crypter, CrypterKind::Old, 1),
        (|c| c.old_crypter().revision0(), CrypterKind::Old, 0),
    ];
    for (variant, crypter, revision) in variants {
        let ceremony = Ceremony::new(5)
            .phone(phone("microsoft-authenticator-ios"))
            .record_session(true)
            .reveal_secrets(true);
        let outcome = variant(ceremony)
            .register(&creation_with(&RegistrationRequest::default()).0)
            .unwrap();
        let record = recorded(&outcome);
        assert!(record.qr.is_some() && !record.adverts.is_empty());
        let session = record.decrypt().unwrap();
        assert_eq!(session.flow, Some(Flow::Qr));
        assert!(session.advert.is_some(), "the advert decrypts too");
        assert_eq!(
            (session.crypter, session.revision),
            (Some(crypter), Some(revision))
        );
        assert_reproduces(&outcome, &session);
        let keylog = KeyLog::parse(record.keylog_text().as_bytes()).unwrap();
        let keys = keylog.session(&session.tunnel_id).unwrap();
        for label in [
            Label::QrSecret,
            Label::QrIdentityPrivateKey,
            Label::DesktopEphemeralPrivateKey,
            Label::PhoneEphemeralPrivateKey,
            Label::Psk,
            Label::HandshakeHash,
            Label::DesktopWriteKey,
            Label::DesktopReadKey,
        ] {
            assert!(keys.has(label), "{label} missing");
        }
    }
}

#[test]
fn a_linked_ceremony_decrypts_from_its_key_log() {
    let first = Ceremony::new(1)
        .phone(phone("microsoft-authenticator-ios"))
        .offer_linking(true)
        .record_session(true)
        .register(&creation_with(&RegistrationRequest::default()).0)
        .unwrap();
    let linking = recorded(&first);
    let keylog = linking.keylog_text();
    assert!(keylog.contains("LINK_SECRET "), "{keylog}");
    let device = first.linked_device.clone().expect("linked");
    let outcome = Ceremony::new(2)
        .phone(first.phone_state.unwrap())
        .record_session(true)
        .reveal_secrets(true)
        .sign_in_linked(&device, &sign_in())
        .unwrap();
    let record = recorded(&outcome);
    assert!(record.qr.is_none());
    let session = record.decrypt().unwrap();
    assert_eq!(session.flow, Some(Flow::Linked));
    assert_reproduces(&outcome, &session);
    let keylog = KeyLog::parse(record.keylog_text().as_bytes()).unwrap();
    assert_eq!(
        keylog.tunnel_ids().count(),
        1,
        "one session, the phone's tunnel id"
    );
    let keys = keylog.session(&session.tunnel_id).unwrap();
    assert!(keys.has(Label::PhoneIdentityPrivateKey) && keys.has(Label::LinkSecret));
}

#[test]
fn nothing_is_recorded_unless_asked() {
    let outcome = Ceremony::new(5)
        .phone(phone("microsoft-authenticator-ios"))
        .register(&creation_with(&RegistrationRequest::default()).0)
        .unwrap();
    assert!(outcome.session.is_none());
    let trace = outcome.trace.to_json_lines();
    assert!(!trace.contains("QR_SECRET") && !trace.contains("PSK "));
}

#[test]
fn the_capture_shows_each_hop_and_what_a_fault_changed_in_transit() {
    use hybridsim_pcapng::{record, Event};
    let messages = |capture: &hybridsim_pcapng::Capture| -> Vec<Option<String>> {
        capture
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Message { comment, .. } => Some(comment.clone()),
                _ => None,
            })
            .collect()
    };
    let clean = Ceremony::new(5)
        .phone(phone("microsoft-authenticator-ios"))
        .record_session(true)
        .register(&creation_with(&RegistrationRequest::default()).0)
        .unwrap();
    let session = recorded(&clean);
    assert_eq!(session.hops.len(), 2 * session.messages.len());
    let hops = messages(&record::capture(std::slice::from_ref(session)));
    assert_eq!(hops.len(), session.hops.len());
    assert!(
        hops.iter().all(Option::is_some),
        "every hop decoded: {hops:?}"
    );

    let faulty = Ceremony::new(5)
        .phone(phone("microsoft-authenticator-ios"))
        .record_session(true)
        .fault(hybridsim_world::faults::Fault::WsTruncated)
        .register(&creation_with(&RegistrationRequest::default()).0)
        .unwrap();
    let session = faulty.session.as_ref().unwrap();
    let hops = messages(&record::capture(std::slice::from_ref(session)));
    let changed = "hybrid: delivered bytes that no side sent (changed in transit)";
    assert!(
        hops.iter().any(|c| c.as_deref() == Some(changed)),
        "{hops:?}"
    );
}

/// A driver outside the world (real sockets) that kept the wire: a QR code and one message,
/// and a tunnel host it could not reach.
fn external(desktop: Desktop, phone: Phone) -> ExternalRun {
    let mut wire = SessionRecord::new("");
    wire.qr = Some("FIDO:/0123".to_owned());
    wire.message(Side::Desktop, vec![1, 2, 3]);
    ExternalRun {
        wire: Some(wire),
        unreachable: Some(Unreachable {
            host: "127.0.0.1".to_owned(),
            url: "ws://127.0.0.1:9/cable/new/00".to_owned(),
            reason: "connection refused".to_owned(),
        }),
        ..ExternalRun::not_started(desktop, phone, "no runtime")
    }
}

#[test]
fn a_driver_outside_the_world_hands_over_its_wire_named_as_the_worlds() {
    let outcome = Ceremony::new(4)
        .phone(phone("microsoft-authenticator-ios"))
        .record_session(true)
        .register_with(&creation().0, external)
        .unwrap();
    let record = outcome.session.as_ref().expect("a recorded session");
    assert_eq!(
        record.name,
        "hybridsim ceremony, seed 4: makeCredential, QR flow"
    );
    assert_eq!(record.qr.as_deref(), Some("FIDO:/0123"));
    assert_eq!(record.messages.len(), 1);
    // The desktop made its QR secrets when it was built: they join the driver's wire.
    let keylog = KeyLog::parse(record.keylog_text().as_bytes()).unwrap();
    let tunnel_id = keylog.tunnel_ids().next().expect("the QR's tunnel id");
    assert!(keylog.session(tunnel_id).unwrap().has(Label::QrSecret));
    // An unreachable host comes first in the verdict: the parties only echo it.
    let verdict = outcome.verdict().unwrap_err().to_string();
    assert!(
        verdict.starts_with("cannot reach the tunnel host 127.0.0.1 for ws://127.0.0.1:9/"),
        "{verdict}"
    );

    // Without record_session the driver's wire is not kept.
    let outcome = Ceremony::new(4)
        .phone(phone("microsoft-authenticator-ios"))
        .register_with(&creation().0, external)
        .unwrap();
    assert!(outcome.session.is_none());
}

/// A driver outside the world whose phone failed on its own after 40 ms and whose desktop it
/// then abandoned (as the socket driver does when the tunnel refuses the phone).
fn phone_failed_first(desktop: Desktop, phone: Phone) -> ExternalRun {
    let refused = Reason::Abandoned("the tunnel refused the phone".to_owned());
    let abandoned = Reason::Abandoned("abandoned after the phone failed".to_owned());
    ExternalRun {
        phone: Err(PeerError::new(Party::Phone, refused)),
        desktop: Err(PeerError::new(Party::Desktop, abandoned)),
        phone_at: Some(Millis(40)),
        desktop_at: None,
        elapsed: Millis(45),
        ..ExternalRun::not_started(desktop, phone, "not run")
    }
}

#[test]
fn outside_the_world_the_first_failure_is_the_one_that_came_first_by_the_driver_s_clock() {
    let outcome = Ceremony::new(4)
        .phone(phone("microsoft-authenticator-ios"))
        .register_with(&creation().0, phone_failed_first)
        .unwrap();
    let first = outcome.first_failure().expect("a failure");
    assert_eq!(first.party, Party::Phone);
    assert_eq!(first.at, Some(Millis(40)));
    assert!(
        first.to_string().starts_with("the phone failed at the "),
        "{first}"
    );
}
