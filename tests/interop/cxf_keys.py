"""Independent check of a CXF export made by hybridsim.

Every passkey's `key` must be a PKCS#8 P-256 private key that python `cryptography` loads, and
its public key must equal the credential public key python `fido2` stored at registration
(`AttestedCredentialData`, hex, as tests/interop/fido2_rp.py writes it). Prints
{"passkeys": N, "matched": M}; exit 0 when every credential file found its passkey with the same
public key, 1 otherwise (reason on stderr), 2 for usage.
"""

import argparse
import base64
import json
import sys

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_private_key
from fido2.webauthn import AttestedCredentialData


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def passkeys(document):
    for account in document["accounts"]:
        for item in account["items"]:
            for credential in item["credentials"]:
                if credential.get("type") == "passkey":
                    yield credential


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cxf")
    parser.add_argument("credentials", nargs="+", help="AttestedCredentialData hex files")
    args = parser.parse_args()
    found = {}
    for passkey in passkeys(json.load(open(args.cxf))):
        key = load_der_private_key(b64url(passkey["key"]), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            print(f"{passkey['rpId']}: not a P-256 key", file=sys.stderr)
            sys.exit(1)
        numbers = key.public_key().public_numbers()
        found[b64url(passkey["credentialId"])] = (numbers.x, numbers.y)
    matched = 0
    for path in args.credentials:
        stored = AttestedCredentialData(bytes.fromhex(open(path).read()))
        cose = stored.public_key
        registered = (int.from_bytes(cose[-2], "big"), int.from_bytes(cose[-3], "big"))
        exported = found.get(stored.credential_id)
        if exported is None:
            print(f"{path}: credential not in the export", file=sys.stderr)
            sys.exit(1)
        if exported != registered:
            print(f"{path}: exported key's public key differs from the registered one", file=sys.stderr)
            sys.exit(1)
        matched += 1
    print(json.dumps({"passkeys": len(found), "matched": matched}))


if __name__ == "__main__":
    main()
