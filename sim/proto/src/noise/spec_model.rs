//! A second Noise implementation, written from the Noise specification (revision 34, §5 and
//! the psk rules of §9) on sha2, hmac, aes-gcm and p256 directly, for the two patterns hybrid
//! uses. The snow-based handshakes are checked against it byte for byte.
//!
//! It plays both parties in one transcript because it is given every private key.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use hmac::{Hmac, Mac};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use sha2::{Digest, Sha256};

/// The pattern and everything both parties hold.
pub(super) struct Inputs {
    /// true: KNpsk0 (desktop static known to the phone); false: NKpsk0.
    pub known_initiator: bool,
    pub prologue: Vec<u8>,
    pub psk: [u8; 32],
    /// KNpsk0: the desktop's static key; NKpsk0: the phone's.
    pub static_private: [u8; 32],
    pub desktop_ephemeral: [u8; 32],
    pub phone_ephemeral: [u8; 32],
    /// Payload of message 1 (empty in hybrid).
    pub payload_1: Vec<u8>,
}

pub(super) struct Transcript {
    pub message_1: Vec<u8>,
    pub message_2: Vec<u8>,
    pub handshake_hash: [u8; 32],
    /// Split output: initiator-to-responder key, responder-to-initiator key.
    pub k1: [u8; 32],
    pub k2: [u8; 32],
}

struct SymmetricState {
    ck: [u8; 32],
    h: [u8; 32],
    k: Option<[u8; 32]>,
    n: u64,
}

impl SymmetricState {
    /// InitializeSymmetric: a name of at most HASHLEN bytes is zero-padded, not hashed.
    fn initialize(protocol_name: &str) -> Self {
        assert!(protocol_name.len() <= 32);
        let mut h = [0u8; 32];
        h[..protocol_name.len()].copy_from_slice(protocol_name.as_bytes());
        Self {
            ck: h,
            h,
            k: None,
            n: 0,
        }
    }

    fn mix_hash(&mut self, data: &[u8]) {
        let mut hasher = Sha256::new();
        hasher.update(self.h);
        hasher.update(data);
        self.h = hasher.finalize().into();
    }

    fn mix_key(&mut self, ikm: &[u8]) {
        let [ck, k, _] = noise_hkdf(&self.ck, ikm);
        self.ck = ck;
        self.k = Some(k);
        self.n = 0;
    }

    fn mix_key_and_hash(&mut self, ikm: &[u8]) {
        let [ck, temp_h, k] = noise_hkdf(&self.ck, ikm);
        self.ck = ck;
        self.mix_hash(&temp_h);
        self.k = Some(k);
        self.n = 0;
    }

    fn encrypt_and_hash(&mut self, plaintext: &[u8]) -> Vec<u8> {
        let key = self.k.expect("a psk handshake always has a key here");
        // AESGCM nonce: 32 zero bits, then the 64-bit counter big-endian.
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&self.n.to_be_bytes());
        let ciphertext = Aes256Gcm::new(&key.into())
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: &self.h,
                },
            )
            .unwrap();
        self.n += 1;
        self.mix_hash(&ciphertext);
        ciphertext
    }

    fn split(&self) -> ([u8; 32], [u8; 32]) {
        let [k1, k2, _] = noise_hkdf(&self.ck, &[]);
        (k1, k2)
    }
}

/// Noise's HKDF: HMAC-SHA256 with the chaining key as key, three outputs.
fn noise_hkdf(chaining_key: &[u8; 32], ikm: &[u8]) -> [[u8; 32]; 3] {
    let hmac = |key: &[u8], parts: &[&[u8]]| -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    };
    let temp_key = hmac(chaining_key, &[ikm]);
    let out1 = hmac(&temp_key, &[&[1]]);
    let out2 = hmac(&temp_key, &[&out1, &[2]]);
    let out3 = hmac(&temp_key, &[&out2, &[3]]);
    [out1, out2, out3]
}

fn public(private: &[u8; 32]) -> Vec<u8> {
    let secret = p256::SecretKey::from_slice(private).unwrap();
    secret
        .public_key()
        .to_encoded_point(false)
        .as_bytes()
        .to_vec()
}

fn dh(private: &[u8; 32], public: &[u8]) -> Vec<u8> {
    let secret = p256::SecretKey::from_slice(private).unwrap();
    let peer = p256::PublicKey::from_sec1_bytes(public).unwrap();
    p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine())
        .raw_secret_bytes()
        .to_vec()
}

/// Runs `psk, e[, es]` / `e, ee[, se]` and returns both messages, `h` and the split.
pub(super) fn run(inputs: &Inputs) -> Transcript {
    let e_desktop = public(&inputs.desktop_ephemeral);
    let (mut ss, message_1) = message_1(inputs, &e_desktop);
    let static_public = public(&inputs.static_private);

    // Message 2: e, ee [, se]
    let e_phone = public(&inputs.phone_ephemeral);
    ss.mix_hash(&e_phone);
    ss.mix_key(&e_phone);
    ss.mix_key(&dh(&inputs.phone_ephemeral, &e_desktop));
    if inputs.known_initiator {
        // se: initiator static with responder ephemeral.
        ss.mix_key(&dh(&inputs.phone_ephemeral, &static_public));
    }
    let mut message_2 = e_phone;
    message_2.extend(ss.encrypt_and_hash(&[]));

    let (k1, k2) = ss.split();
    Transcript {
        message_1,
        message_2,
        handshake_hash: ss.h,
        k1,
        k2,
    }
}

/// KNpsk0's message 1 has no DH, so it can carry any 65 bytes as the ephemeral "point" with
/// a valid tag: this builds such a message.
pub(super) fn known_initiator_message_1_with_point(inputs: &Inputs, point: &[u8]) -> Vec<u8> {
    assert!(inputs.known_initiator);
    message_1(inputs, point).1
}

/// The symmetric state after message 1, and message 1 (`e_desktop` ‖ tag of the payload).
fn message_1(inputs: &Inputs, e_desktop: &[u8]) -> (SymmetricState, Vec<u8>) {
    let name = if inputs.known_initiator {
        "Noise_KNpsk0_P256_AESGCM_SHA256"
    } else {
        "Noise_NKpsk0_P256_AESGCM_SHA256"
    };
    let mut ss = SymmetricState::initialize(name);
    ss.mix_hash(&inputs.prologue);
    let static_public = public(&inputs.static_private);
    // Pre-message: "-> s" (KN) or "<- s" (NK).
    ss.mix_hash(&static_public);

    // Message 1: psk, e [, es]
    ss.mix_key_and_hash(&inputs.psk);
    ss.mix_hash(e_desktop);
    ss.mix_key(e_desktop);
    if !inputs.known_initiator {
        ss.mix_key(&dh(&inputs.desktop_ephemeral, &static_public));
    }
    let mut message = e_desktop.to_vec();
    message.extend(ss.encrypt_and_hash(&inputs.payload_1));
    (ss, message)
}
