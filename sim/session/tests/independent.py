"""An independent reading of a hybrid session: key log, messages, advert and the KNpsk0 /
NKpsk0 handshake, written from the protocol description with pyca/cryptography only.

Usage: independent.py KEYLOG MESSAGES TUNNEL_ID_HEX FLOW(qr|linked) ADVERT_HEX|-
Prints one JSON object: the handshake hash and traffic keys the desktop's logged keys give,
whether message 1 is reproduced, the PSK from the advert, and every transport plaintext
(new crypter construction, padding removed).
"""

import hashlib
import hmac
import json
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def read_keylog(path, tunnel):
    keys = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        label, tid, value = line.split()
        if tid.upper() == tunnel.upper():
            keys[label] = bytes.fromhex(value)
    return keys


def derive(secret, salt, purpose, length):
    return HKDF(hashes.SHA256(), length, salt or None, struct.pack("<I", purpose)).derive(secret)


def private(raw):
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def public_bytes(key):
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def dh(priv, pub65):
    return priv.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pub65))


class Symmetric:
    """Noise's SymmetricState with SHA-256 and AES-256-GCM."""

    def __init__(self, name):
        self.h = name + b"\0" * (32 - len(name))
        self.ck = self.h
        self.k = None
        self.n = 0

    def hkdf(self, ikm, outputs):
        temp = hmac.new(self.ck, ikm, hashlib.sha256).digest()
        out, prev = [], b""
        for i in range(1, outputs + 1):
            prev = hmac.new(temp, prev + bytes([i]), hashlib.sha256).digest()
            out.append(prev)
        return out

    def mix_hash(self, data):
        self.h = hashlib.sha256(self.h + data).digest()

    def mix_key(self, ikm):
        self.ck, self.k = self.hkdf(ikm, 2)
        self.n = 0

    def mix_key_and_hash(self, ikm):
        self.ck, temp_h, self.k = self.hkdf(ikm, 3)
        self.mix_hash(temp_h)
        self.n = 0

    def nonce(self):
        return b"\0" * 4 + struct.pack(">Q", self.n)

    def encrypt_and_hash(self, plaintext):
        ct = AESGCM(self.k).encrypt(self.nonce(), plaintext, self.h)
        self.n += 1
        self.mix_hash(ct)
        return ct

    def decrypt_and_hash(self, ct):
        pt = AESGCM(self.k).decrypt(self.nonce(), ct, self.h)
        self.n += 1
        self.mix_hash(ct)
        return pt


def handshake(keys, flow, msg1, msg2):
    """The desktop's side: rebuild message 1, read message 2, split."""
    e = private(keys["DESKTOP_EPHEMERAL_PRIVATE_KEY"])
    if flow == "qr":
        s = private(keys["QR_IDENTITY_PRIVATE_KEY"])
        state = Symmetric(b"Noise_KNpsk0_P256_AESGCM_SHA256")
        state.mix_hash(b"\x01")
        state.mix_hash(public_bytes(s.public_key()))
    else:
        phone_static = public_bytes(private(keys["PHONE_IDENTITY_PRIVATE_KEY"]).public_key())
        state = Symmetric(b"Noise_NKpsk0_P256_AESGCM_SHA256")
        state.mix_hash(b"\x00")
        state.mix_hash(phone_static)
    state.mix_key_and_hash(keys["PSK"])
    e_pub = public_bytes(e.public_key())
    state.mix_hash(e_pub)
    state.mix_key(e_pub)
    if flow == "linked":
        state.mix_key(dh(e, phone_static))
    ours = e_pub + state.encrypt_and_hash(b"")
    re = msg2[:65]
    state.mix_hash(re)
    state.mix_key(re)
    state.mix_key(dh(e, re))
    if flow == "qr":
        state.mix_key(dh(s, re))
    state.decrypt_and_hash(msg2[65:])
    k1, k2 = state.hkdf(b"", 2)
    return {"message_1_matches": ours == msg1, "handshake_hash": state.h.hex(),
            "write_key": k1.hex(), "read_key": k2.hex()}


def main():
    keylog, messages_path, tunnel, flow, advert = sys.argv[1:6]
    keys = read_keylog(keylog, tunnel)
    messages = [json.loads(line) for line in open(messages_path, encoding="utf-8") if line.strip()]
    wire = [(m["from"], bytes.fromhex(m["hex"])) for m in messages]
    out = handshake(keys, flow, wire[0][1], wire[1][1])
    if advert != "-":
        eid_key = derive(keys["QR_SECRET"], b"", 1, 64)
        advert = bytes.fromhex(advert)
        tag = hmac.new(eid_key[32:], advert[:16], hashlib.sha256).digest()[:4]
        assert tag == advert[16:20], "advert tag"
        dec = Cipher(algorithms.AES(eid_key[:32]), modes.ECB()).decryptor()
        eid = dec.update(advert[:16]) + dec.finalize()
        out["psk_from_advert"] = derive(keys["QR_SECRET"], eid, 3, 32).hex()
    plaintexts, sequence = [], {"desktop": 0, "phone": 0}
    for sender, data in wire[2:]:
        key = keys["DESKTOP_WRITE_KEY" if sender == "desktop" else "DESKTOP_READ_KEY"]
        nonce = b"\0" * 8 + struct.pack(">I", sequence[sender])
        sequence[sender] += 1
        padded = AESGCM(key).decrypt(nonce, data, None)
        plaintexts.append(padded[: len(padded) - padded[-1] - 1].hex())
    out["plaintexts"] = plaintexts
    print(json.dumps(out))


if __name__ == "__main__":
    main()
