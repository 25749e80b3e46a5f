"""A relying party written by someone else: python `fido2`'s Fido2Server behind the four
endpoints of the FIDO2 server conformance API, for `hybridsim rp check` to drive.

POST /attestation/options, /attestation/result, /assertion/options, /assertion/result;
answers carry "status": "ok" | "failed" and "errorMessage". A result is matched to its options
by the challenge in its clientDataJSON; each challenge is good once. Prints
"listening on http://HOST:PORT" once ready, and exits on its own after --lifetime seconds.
"""

import argparse
import base64
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fido2.server import Fido2Server
from fido2.webauthn import (
    AttestationConveyancePreference,
    PublicKeyCredentialRpEntity,
    PublicKeyCredentialUserEntity,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def plain(value):
    """fido2's option objects as plain JSON values."""
    return json.loads(json.dumps(value, default=lambda x: dict(x) if hasattr(x, "keys") else str(x)))


class Relying:
    def __init__(self, rp_id, origin):
        self.rp = PublicKeyCredentialRpEntity(id=rp_id, name=rp_id)
        self.origin = origin
        self.lock = threading.Lock()
        self.users = {}  # username -> (user id, [AttestedCredentialData])
        self.pending = {}  # challenge (b64url) -> (kind, username, state)

    def server(self, attestation=None):
        return Fido2Server(
            self.rp, attestation=attestation, verify_origin=lambda o: o == self.origin
        )

    def attestation_options(self, body):
        username = body["username"]
        selection = body.get("authenticatorSelection") or {}
        with self.lock:
            user_id, credentials = self.users.setdefault(username, (os.urandom(16), []))
        conveyance = AttestationConveyancePreference(body.get("attestation") or "none")
        options, state = self.server(conveyance).register_begin(
            PublicKeyCredentialUserEntity(
                id=user_id, name=username, display_name=body.get("displayName") or username
            ),
            credentials,
            resident_key_requirement=ResidentKeyRequirement(
                selection.get("residentKey") or "discouraged"
            ),
            user_verification=UserVerificationRequirement(
                selection.get("userVerification") or "preferred"
            ),
        )
        with self.lock:
            self.pending[state["challenge"]] = ("create", username, state)
        return plain(dict(options)["publicKey"])

    def take(self, body, kind):
        client_data = json.loads(b64url_decode(body["response"]["clientDataJSON"]))
        challenge = client_data.get("challenge", "")
        with self.lock:
            entry = self.pending.pop(challenge, None)
        if entry is None or entry[0] != kind:
            raise ValueError(f"challenge {challenge} was not issued, or already used")
        return entry[1], entry[2]

    def attestation_result(self, body):
        username, state = self.take(body, "create")
        response = dict(body)
        response.setdefault("clientExtensionResults", response.pop("getClientExtensionResults", {}))
        auth_data = self.server().register_complete(state, response)
        with self.lock:
            self.users[username][1].append(auth_data.credential_data)
        return {}

    def assertion_options(self, body):
        username = body["username"]
        with self.lock:
            credentials = list(self.users.get(username, (None, []))[1])
        if not credentials:
            raise ValueError(f"user {username!r} has no credentials")
        options, state = self.server().authenticate_begin(
            credentials,
            user_verification=UserVerificationRequirement(
                body.get("userVerification") or "preferred"
            ),
        )
        with self.lock:
            self.pending[state["challenge"]] = ("get", username, state)
        return plain(dict(options)["publicKey"])

    def assertion_result(self, body):
        username, state = self.take(body, "get")
        response = dict(body)
        response.setdefault("clientExtensionResults", response.pop("getClientExtensionResults", {}))
        with self.lock:
            credentials = list(self.users[username][1])
        self.server().authenticate_complete(state, credentials, response)
        return {}


def handler_for(relying):
    routes = {
        "/attestation/options": relying.attestation_options,
        "/attestation/result": relying.attestation_result,
        "/assertion/options": relying.assertion_options,
        "/assertion/result": relying.assertion_result,
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, value):
            data = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            route = routes.get(self.path)
            if route is None:
                return self.answer(404, {"status": "failed", "errorMessage": "no such endpoint"})
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                result = route(body)
            except Exception as error:  # every refusal goes back as errorMessage
                message = f"{type(error).__name__}: {error}"
                return self.answer(400, {"status": "failed", "errorMessage": message})
            return self.answer(200, {"status": "ok", "errorMessage": "", **result})

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rp-id", required=True)
    parser.add_argument("--origin", required=True)
    parser.add_argument("--listen", default="127.0.0.1:0")
    parser.add_argument("--lifetime", type=float, default=120, help="seconds before exiting")
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)
    httpd = ThreadingHTTPServer((host, int(port)), handler_for(Relying(args.rp_id, args.origin)))
    threading.Timer(args.lifetime, httpd.shutdown).start()
    print(f"listening on http://{host}:{httpd.server_address[1]}", flush=True)
    httpd.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
