use super::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

// NIST SP 800-38A F.2.5 CBC-AES256.Encrypt (also checked with `openssl enc -aes-256-cbc -nopad`).
const KEY: &str = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
const IV: &str = "000102030405060708090a0b0c0d0e0f";
const PLAIN: &str = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
const CIPHER: &str = "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b";

fn iv() -> [u8; 16] {
    hex::decode(IV).unwrap().try_into().unwrap()
}

#[test]
fn aes_cbc_matches_sp800_38a() {
    let key = hex::decode(KEY).unwrap();
    let ct = aes256_cbc_encrypt(&key, &iv(), &hex::decode(PLAIN).unwrap()).unwrap();
    assert_eq!(hex::encode(&ct), CIPHER);
    assert_eq!(
        hex::encode(aes256_cbc_decrypt(&key, &iv(), &ct).unwrap()),
        PLAIN
    );
    assert_eq!(
        aes256_cbc_encrypt(&key, &iv(), &[0; 15]),
        Err(PinProtocolError::PlaintextLength(15))
    );
    assert_eq!(
        aes256_cbc_decrypt(&key, &iv(), &[0; 17]),
        Err(PinProtocolError::CiphertextLength(17))
    );
}

#[test]
fn hmac_matches_rfc4231_case_2() {
    let mac = hmac_sha256(b"Jefe", &[b"what do ya ", b"want for nothing?"]);
    assert_eq!(
        hex::encode(mac),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn kdfs_match_independent_computations() {
    // Computed with Python: hashlib.sha256(Z) and cryptography's HKDF(SHA256, salt=0^32).
    let z: [u8; 32] = core::array::from_fn(|i| u8::try_from(i + 1).unwrap());
    assert_eq!(
        hex::encode(PinUvAuthProtocol::One.kdf(&z).as_bytes()),
        "ae216c2ef5247a3782c135efa279a3e4cdc61094270f5d2be58c6204b7a612c9"
    );
    assert_eq!(
        hex::encode(PinUvAuthProtocol::Two.kdf(&z).as_bytes()),
        "9eb685ea1bd795e05cbfbe28f0ef46f1b89ae3a73161c4d64d1181082e82db67\
         e56b82398cbb09e2a1b546808a716befa7907d17976b72193c6f909413c73184"
    );
}

#[test]
fn both_sides_agree_for_both_protocols() {
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let authenticator = SecretKey::random(&mut rng);
    let authenticator_cose =
        CoseKey::from_public_key(&authenticator.public_key(), ALG_ECDH_ES_HKDF_256);
    for protocol in [PinUvAuthProtocol::One, PinUvAuthProtocol::Two] {
        let (platform_cose, platform) =
            protocol.encapsulate(&authenticator_cose, &mut rng).unwrap();
        let ours = protocol
            .decapsulate(&authenticator, &platform_cose)
            .unwrap();
        assert_eq!(ours, platform);
        let message = [0x77; 64];
        let ct = platform.encrypt(&message, &mut rng).unwrap();
        let expected_len = match protocol {
            PinUvAuthProtocol::One => 64,
            PinUvAuthProtocol::Two => 80,
        };
        assert_eq!(ct.len(), expected_len);
        assert_eq!(ours.decrypt(&ct).unwrap(), message);
        let tag = platform.authenticate(&ct);
        assert_eq!(tag.len(), expected_len - 48);
        assert!(ours.verify(&ct, &tag));
        let mut forged = tag.clone();
        forged[0] ^= 1;
        assert!(!ours.verify(&ct, &forged));
        assert!(!ours.verify(&ct, &tag[..8]));
        assert!(!ours.verify(&ct, &[]));
    }
}

#[test]
fn protocol_one_uses_a_zero_iv_and_protocol_two_a_random_one() {
    let z = [9u8; 32];
    let one = PinUvAuthProtocol::One.kdf(&z);
    let mut rng = ChaCha20Rng::from_seed([2; 32]);
    let plain = [0u8; 32];
    assert_eq!(
        one.encrypt(&plain, &mut rng).unwrap(),
        aes256_cbc_encrypt(one.as_bytes(), &[0; 16], &plain).unwrap()
    );
    let two = PinUvAuthProtocol::Two.kdf(&z);
    let a = two.encrypt(&plain, &mut rng).unwrap();
    let b = two.encrypt(&plain, &mut rng).unwrap();
    assert_ne!(a, b);
    assert_eq!(
        &a[16..],
        aes256_cbc_encrypt(&two.as_bytes()[32..], &a[..16].try_into().unwrap(), &plain).unwrap()
    );
    assert_eq!(
        two.decrypt(&[0; 15]),
        Err(PinProtocolError::CiphertextLength(15))
    );
    assert_eq!(
        two.decrypt(&[0; 33]),
        Err(PinProtocolError::CiphertextLength(33))
    );
}

#[test]
fn protocol_numbers() {
    assert_eq!(PinUvAuthProtocol::from_number(2).unwrap().number(), 2);
    assert_eq!(
        PinUvAuthProtocol::from_number(3),
        Err(PinProtocolError::UnknownProtocol(3))
    );
    let bad_peer = CoseKey {
        alg: ALG_ECDH_ES_HKDF_256,
        x: [1; 32],
        y: [1; 32],
    };
    assert_eq!(
        PinUvAuthProtocol::One.decapsulate(&SecretKey::from_slice(&[4; 32]).unwrap(), &bad_peer),
        Err(PinProtocolError::BadPeerKey)
    );
}
