"""An independently written software authenticator (PyPI `soft-webauthn`) that answers
WebAuthn options with L3 JSON responses, so hybridsim's relying party can be checked against
credentials it did not create.

    soft_authenticator.py --origin URL --state FILE create OPTIONS.json > RESPONSE.json
    soft_authenticator.py --origin URL --state FILE get OPTIONS.json > RESPONSE.json

The device's one credential is kept in --state (JSON, the private key as PKCS#8 PEM)
between calls.
"""

import argparse
import base64
import json
import sys

from cryptography.hazmat.primitives import serialization
from soft_webauthn import SoftWebauthnDevice


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data):
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def options_for_device(options_json):
    """soft-webauthn takes browser-style options with bytes; the JSON form has base64url."""
    public_key = options_json.get("publicKey", options_json)
    public_key = dict(public_key)
    public_key["challenge"] = b64url_decode(public_key["challenge"])
    if "user" in public_key:
        public_key["user"] = dict(public_key["user"], id=b64url_decode(public_key["user"]["id"]))
    return {"publicKey": public_key}


def to_l3_json(credential):
    """Turns soft-webauthn's bytes-valued result into RegistrationResponseJSON /
    AuthenticationResponseJSON."""
    response = {
        key: b64url(value) if isinstance(value, bytes) else value
        for key, value in credential["response"].items()
        if value is not None
    }
    return {
        "id": b64url(credential["rawId"]),
        "rawId": b64url(credential["rawId"]),
        "type": credential["type"],
        "response": response,
        "clientExtensionResults": {},
    }


def save(device, path):
    pem = device.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    state = {
        "credential_id": device.credential_id.hex(),
        "private_key": pem.decode("ascii"),
        "rp_id": device.rp_id,
        "user_handle": device.user_handle.hex(),
        "sign_count": device.sign_count,
    }
    json.dump(state, open(path, "w"))


def load(path):
    state = json.load(open(path))
    device = SoftWebauthnDevice()
    device.credential_id = bytes.fromhex(state["credential_id"])
    device.private_key = serialization.load_pem_private_key(
        state["private_key"].encode("ascii"), password=None
    )
    device.rp_id = state["rp_id"]
    device.user_handle = bytes.fromhex(state["user_handle"])
    device.sign_count = state["sign_count"]
    return device


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--origin", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("action", choices=["create", "get"])
    parser.add_argument("options")
    args = parser.parse_args()

    options = options_for_device(json.load(open(args.options)))
    if args.action == "create":
        device = SoftWebauthnDevice()
        credential = device.create(options, args.origin)
    else:
        device = load(args.state)
        credential = device.get(options, args.origin)
    save(device, args.state)
    json.dump(to_l3_json(credential), sys.stdout)


if __name__ == "__main__":
    main()
