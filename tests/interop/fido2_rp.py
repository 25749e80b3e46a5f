"""A relying party backed by the python `fido2` package (Yubico), for cross-checking hybridsim.

hybridsim's authenticator must produce registrations and assertions that this independent
server accepts. Each subcommand reads and writes JSON files so a test can drive it between
hybridsim invocations; exit 0 means accepted, exit 1 rejected (reason on stderr), 2 usage.
"""

import argparse
import base64
import json
import sys

from fido2.attestation import AttestationVerifier
from fido2.server import Fido2Server
from fido2.webauthn import (
    AttestationConveyancePreference,
    AttestedCredentialData,
    PublicKeyCredentialRpEntity,
    PublicKeyCredentialUserEntity,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)


class TrustedRoots(AttestationVerifier):
    """Accepts attestation chains that end in one of the given root certificates."""

    def __init__(self, roots_der):
        super().__init__()
        self.roots_der = roots_der

    def ca_lookup(self, attestation_result, auth_data):
        return self.roots_der[0] if self.roots_der else None


def pem_to_der(path):
    body = "".join(
        line for line in open(path).read().splitlines() if line and not line.startswith("-----")
    )
    return base64.b64decode(body)


def to_json(value):
    return json.dumps(value, default=lambda x: dict(x) if hasattr(x, "keys") else str(x))


def server(args, attestation=None, trust=None):
    rp = PublicKeyCredentialRpEntity(id=args.rp_id, name=args.rp_id)
    verifier = TrustedRoots([pem_to_der(p) for p in trust]) if trust else None
    return Fido2Server(
        rp,
        attestation=attestation,
        verify_origin=lambda origin: origin == args.origin,
        verify_attestation=verifier,
    )


def register_begin(args):
    conveyance = AttestationConveyancePreference(args.attestation)
    options, state = server(args, attestation=conveyance).register_begin(
        PublicKeyCredentialUserEntity(
            id=bytes.fromhex(args.user_id), name=args.user_name, display_name=args.user_name
        ),
        resident_key_requirement=ResidentKeyRequirement(args.resident_key),
        user_verification=UserVerificationRequirement(args.uv),
        challenge=bytes.fromhex(args.challenge),
    )
    open(args.out_options, "w").write(to_json(dict(options)))
    open(args.out_state, "w").write(json.dumps(state))


def register_complete(args):
    state = json.load(open(args.state))
    response = json.load(open(args.response))
    auth_data = server(args, trust=args.trust).register_complete(state, response)
    credential = auth_data.credential_data
    open(args.out_credential, "w").write(bytes(credential).hex())
    print(
        json.dumps(
            {
                "aaguid": str(credential.aaguid),
                "credential_id": credential.credential_id.hex(),
                "flags": auth_data.flags,
                "sign_count": auth_data.counter,
            }
        )
    )


def authenticate_begin(args):
    credential = AttestedCredentialData(bytes.fromhex(open(args.credential).read()))
    options, state = server(args).authenticate_begin(
        [credential],
        user_verification=UserVerificationRequirement(args.uv),
        challenge=bytes.fromhex(args.challenge),
    )
    open(args.out_options, "w").write(to_json(dict(options)))
    open(args.out_state, "w").write(json.dumps(state))


def authenticate_complete(args):
    credential = AttestedCredentialData(bytes.fromhex(open(args.credential).read()))
    state = json.load(open(args.state))
    response = json.load(open(args.response))
    server(args).authenticate_complete(state, [credential], response)
    print(json.dumps({"accepted": True}))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rp-id", required=True)
    parser.add_argument("--origin", required=True)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("register-begin")
    p.add_argument("--user-id", required=True, help="hex")
    p.add_argument("--user-name", required=True)
    p.add_argument("--challenge", required=True, help="hex")
    p.add_argument("--attestation", default="none")
    p.add_argument("--resident-key", default="preferred")
    p.add_argument("--uv", default="preferred")
    p.add_argument("--out-options", required=True)
    p.add_argument("--out-state", required=True)
    p.set_defaults(run=register_begin)

    p = commands.add_parser("register-complete")
    p.add_argument("--state", required=True)
    p.add_argument("--response", required=True)
    p.add_argument("--trust", action="append", help="PEM root to accept attestation chains from")
    p.add_argument("--out-credential", required=True)
    p.set_defaults(run=register_complete)

    p = commands.add_parser("authenticate-begin")
    p.add_argument("--credential", required=True)
    p.add_argument("--challenge", required=True, help="hex")
    p.add_argument("--uv", default="preferred")
    p.add_argument("--out-options", required=True)
    p.add_argument("--out-state", required=True)
    p.set_defaults(run=authenticate_begin)

    p = commands.add_parser("authenticate-complete")
    p.add_argument("--state", required=True)
    p.add_argument("--credential", required=True)
    p.add_argument("--response", required=True)
    p.set_defaults(run=authenticate_complete)

    args = parser.parse_args()
    try:
        args.run(args)
    except Exception as error:  # every rejection by fido2 is reported as one line
        print(f"fido2 rejected: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
