"""Answers a batch of OTP questions with pyotp, for sim/otp/tests/interop.rs.

Reads one JSON object on stdin:
  codes:     [{secret (Base32), algorithm, digits, period, time} | {secret, algorithm, digits, counter}]
  parse:     [otpauth URI, ...]        -> pyotp.parse_uri's reading, or its error
  provision: [{secret, name, issuer, algorithm, digits, period | counter}, ...]
                                       -> pyotp's provisioning_uri
and writes one JSON object with the answers in the same order. Run with TZ=UTC: pyotp's
TOTP.at() goes through local time.
"""

import hashlib
import json
import sys

import pyotp

DIGESTS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


def code(q):
    digest = DIGESTS[q["algorithm"]]
    if "counter" in q:
        return pyotp.HOTP(q["secret"], digits=q["digits"], digest=digest).at(q["counter"])
    totp = pyotp.TOTP(q["secret"], digits=q["digits"], digest=digest, interval=q["period"])
    return totp.at(q["time"])


def parsed(uri):
    try:
        otp = pyotp.parse_uri(uri)
    except Exception as e:  # the test reports pyotp's refusal verbatim
        return {"error": f"{type(e).__name__}: {e}"}
    out = {
        "secret": otp.secret,
        "digits": otp.digits,
        "algorithm": otp.digest().name.upper(),
        "issuer": otp.issuer,
        "name": otp.name,
    }
    if isinstance(otp, pyotp.TOTP):
        out["period"] = otp.interval
    else:
        out["counter"] = otp.initial_count
    return out


def provisioned(q):
    digest = DIGESTS[q["algorithm"]]
    if "counter" in q:
        otp = pyotp.HOTP(q["secret"], digits=q["digits"], digest=digest, issuer=q["issuer"])
        return otp.provisioning_uri(q["name"], initial_count=q["counter"])
    otp = pyotp.TOTP(
        q["secret"], digits=q["digits"], digest=digest, interval=q["period"], issuer=q["issuer"]
    )
    return otp.provisioning_uri(q["name"])


def main():
    batch = json.load(sys.stdin)
    json.dump(
        {
            "codes": [code(q) for q in batch.get("codes", [])],
            "parse": [parsed(u) for u in batch.get("parse", [])],
            "provision": [provisioned(q) for q in batch.get("provision", [])],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
