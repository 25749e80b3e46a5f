#!/usr/bin/env python3
"""Reads hybridsim's authenticator export files with code that shares nothing with it.

Written from the format descriptions (docs/migration.md §3, §4.1, §4.2), not from the Rust code:

  google            stdin: otpauth-migration URIs, one per line. Parses each payload with the
                    `protobuf` runtime from a descriptor built here from the field numbers, and
                    prints a JSON list of payloads (absent scalar fields as null).
  aegis FILE PW     decrypts an Aegis vault (scrypt -> AES-GCM key unwrap -> AES-GCM content)
                    and prints the content JSON.
  twofas FILE PW    decrypts a 2FAS backup (PBKDF2-HMAC-SHA256 -> AES-GCM per field) and prints
                    {"reference": ..., "services": [...]}.
"""
import base64
import json
import sys
import urllib.parse

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

F = descriptor_pb2.FieldDescriptorProto


def payload_class():
    # proto2 so every scalar has presence: the check must see an absent batch_index (M01).
    # Enums are declared int32: same wire encoding, and raw numbers survive unchanged.
    fdp = descriptor_pb2.FileDescriptorProto(name="migration_check.proto", package="check", syntax="proto2")
    otp = fdp.message_type.add(name="OtpParameters")
    for number, name, kind in [
        (1, "secret", F.TYPE_BYTES),
        (2, "name", F.TYPE_STRING),
        (3, "issuer", F.TYPE_STRING),
        (4, "algorithm", F.TYPE_INT32),
        (5, "digits", F.TYPE_INT32),
        (6, "type", F.TYPE_INT32),
        (7, "counter", F.TYPE_UINT64),
        (8, "unique_id", F.TYPE_STRING),
    ]:
        otp.field.add(name=name, number=number, type=kind, label=F.LABEL_OPTIONAL)
    payload = fdp.message_type.add(name="MigrationPayload")
    payload.field.add(name="otp_parameters", number=1, type=F.TYPE_MESSAGE,
                      type_name=".check.OtpParameters", label=F.LABEL_REPEATED)
    for number, name in [(2, "version"), (3, "batch_size"), (4, "batch_index"), (5, "batch_id")]:
        payload.field.add(name=name, number=number, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("check.MigrationPayload"))


def present(msg, name):
    return getattr(msg, name) if msg.HasField(name) else None


def google():
    cls = payload_class()
    out = []
    for line in sys.stdin.read().splitlines():
        if not line:
            continue
        url = urllib.parse.urlsplit(line)
        assert url.scheme == "otpauth-migration" and url.netloc == "offline", line
        data = urllib.parse.parse_qs(url.query, strict_parsing=True)["data"][0]
        msg = cls()
        msg.ParseFromString(base64.b64decode(data, validate=True))
        entries = []
        for p in msg.otp_parameters:
            entry = {name: present(p, name) for name in
                     ["name", "issuer", "algorithm", "digits", "type", "counter", "unique_id"]}
            entry["secret"] = p.secret.hex() if p.HasField("secret") else None
            entries.append(entry)
        payload = {name: present(msg, name) for name in ["version", "batch_size", "batch_index", "batch_id"]}
        payload["otp_parameters"] = entries
        out.append(payload)
    print(json.dumps(out))


def aegis(path, password):
    with open(path, encoding="utf-8") as f:
        vault = json.load(f)
    header = vault["header"]
    master = None
    for slot in header["slots"]:
        if slot["type"] != 1:
            continue
        kek = Scrypt(salt=bytes.fromhex(slot["salt"]), length=32, n=slot["n"], r=slot["r"],
                     p=slot["p"]).derive(password.encode())
        params = slot["key_params"]
        master = AESGCM(kek).decrypt(bytes.fromhex(params["nonce"]),
                                     bytes.fromhex(slot["key"]) + bytes.fromhex(params["tag"]), None)
        break
    assert master is not None, "no password slot"
    params = header["params"]
    content = AESGCM(master).decrypt(bytes.fromhex(params["nonce"]),
                                     base64.b64decode(vault["db"]) + bytes.fromhex(params["tag"]), None)
    print(json.dumps(json.loads(content.decode("utf-8"))))


def twofas_open(field, password):
    ciphertext, salt, iv = (base64.b64decode(part) for part in field.split(":"))
    key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=10000).derive(password.encode())
    return AESGCM(key).decrypt(iv, ciphertext, None).decode("utf-8")


def twofas(path, password):
    with open(path, encoding="utf-8") as f:
        backup = json.load(f)
    assert backup["services"] == [], "encrypted backups keep services empty"
    reference = twofas_open(backup["reference"], password)
    services = json.loads(twofas_open(backup["servicesEncrypted"], password))
    print(json.dumps({"reference": reference, "services": services}))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "google":
        google()
    elif command == "aegis":
        aegis(sys.argv[2], sys.argv[3])
    elif command == "twofas":
        twofas(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {command}")
