//! What a decoded export holds, in the two shapes `hybridsim migrate` shows it: one JSON
//! value with the field names scripts rely on, and lines for people.
//!
//! The JSON shape of an account (type, issuer, name, Base32 secret, algorithm, digits, and
//! period or counter) is shared by `migrate decode`, `add` and `list`, so it lives in one
//! place; a change here is a change of the command-line tool's output.

use crate::detect::{Decoded, Note};
use crate::google::Payload;
use hybridsim_otp::{Finding, OtpAccount, OtpKind};
use serde_json::{json, Value};

/// `totp` or `hotp`.
pub fn kind_name(account: &OtpAccount) -> &'static str {
    match account.kind {
        OtpKind::Totp { .. } => "totp",
        OtpKind::Hotp { .. } => "hotp",
    }
}

/// An account as JSON: type, issuer, name, secret (Base32, unpadded), algorithm, digits,
/// and period (TOTP) or counter (HOTP), the other null.
pub fn account_json(account: &OtpAccount) -> Value {
    let (period, counter) = match account.kind {
        OtpKind::Totp { period } => (json!(period), Value::Null),
        OtpKind::Hotp { counter } => (Value::Null, json!(counter)),
    };
    json!({
        "type": kind_name(account),
        "issuer": account.issuer,
        "name": account.name,
        "secret": hybridsim_otp::base32::encode(&account.secret),
        "algorithm": account.algorithm.name(),
        "digits": account.digits,
        "period": period,
        "counter": counter,
    })
}

/// An account on one line for people.
pub fn account_line(account: &OtpAccount) -> String {
    let drive = match account.kind {
        OtpKind::Totp { period } => format!("period={period}"),
        OtpKind::Hotp { counter } => format!("counter={counter}"),
    };
    format!(
        "{} issuer={:?} name={:?} secret={} algorithm={} digits={} {drive}",
        kind_name(account),
        account.issuer,
        account.name,
        hybridsim_otp::base32::encode(&account.secret),
        account.algorithm.name(),
        account.digits
    )
}

/// An account's parameters as `hybridsim totp` shows them: issuer, name, algorithm, digits,
/// the secret's length in bits, and `period` (TOTP) or `counter` (HOTP); never the secret.
pub fn parameters_json(account: &OtpAccount) -> Value {
    let (key, number) = match account.kind {
        OtpKind::Totp { period } => ("period", u64::from(period)),
        OtpKind::Hotp { counter } => ("counter", counter),
    };
    let mut value = serde_json::Map::new();
    value.insert("issuer".into(), json!(account.issuer));
    value.insert("name".into(), json!(account.name));
    value.insert("algorithm".into(), json!(account.algorithm.name()));
    value.insert("digits".into(), json!(account.digits));
    value.insert("secret_bits".into(), json!(account.secret.len() * 8));
    value.insert(key.into(), json!(number));
    Value::Object(value)
}

/// An account's parameters on one line: issuer, name, algorithm, digits, kind and secret size.
pub fn parameters_line(a: &OtpAccount) -> String {
    let kind = match a.kind {
        OtpKind::Totp { period } => format!("TOTP period {period}"),
        OtpKind::Hotp { counter } => format!("HOTP counter {counter}"),
    };
    format!(
        "account: issuer {:?}, name {:?}, {}, {} digits, {kind}, {}-bit secret",
        a.issuer,
        a.name,
        a.algorithm.name(),
        a.digits,
        a.secret.len() * 8
    )
}

/// A Key URI parse's findings as JSON: each its name and its explanation.
pub fn findings_json(findings: &[Finding]) -> Value {
    findings
        .iter()
        .map(|f| json!({"name": f.name(), "explanation": f.to_string()}))
        .collect()
}

/// A finding as JSON: its code and its explanation.
pub fn note_json(note: &Note) -> Value {
    json!({"code": note.code, "text": note.text})
}

/// One Google payload with its raw wire values, named by where it came from.
pub fn payload_json(origin: &str, payload: &Payload) -> Value {
    let entries: Vec<Value> = payload
        .entries
        .iter()
        .map(|e| {
            json!({
                "name": e.name,
                "issuer": e.issuer,
                "secret": hybridsim_otp::base32::encode(&e.secret),
                "algorithm": e.algorithm,
                "digits": e.digits,
                "type": e.otp_type,
                "counter": e.counter,
                "unique_id": e.unique_id,
            })
        })
        .collect();
    json!({
        "source": origin,
        "version": payload.version,
        "batch_size": payload.batch_size,
        "batch_index": payload.batch_index,
        "batch_id": payload.batch_id,
        "entries": entries,
    })
}

/// The QR codes of a Google batch that were not given, as "QR K of N missing".
pub fn missing_lines(decoded: &Decoded) -> Vec<String> {
    // One line per batch with a count, however many codes the batch claims.
    decoded
        .batch
        .iter()
        .filter(|batch| batch.shortfall.count > 0)
        .map(|batch| batch.shortfall.to_string())
        .collect()
}

/// The batch of a Google export as JSON (null for the other formats).
pub fn batch_json(d: &Decoded) -> Value {
    d.batch.as_ref().map_or(Value::Null, |batch| {
        json!({
            "id": batch.id,
            "size": batch.size,
            "received_indices": batch.received,
            "missing_indices": batch.missing,
            "complete": batch.complete,
        })
    })
}

/// Everything a decoded export holds as one JSON object: format, accounts (each with its
/// source and findings), skipped entries, findings, and for Google the payloads and batch.
pub fn decoded_json(d: &Decoded) -> Value {
    let accounts: Vec<Value> = d
        .accounts
        .iter()
        .map(|f| {
            let mut v = account_json(&f.account);
            if let Some(map) = v.as_object_mut() {
                map.insert("source".into(), json!(f.source));
                map.insert(
                    "findings".into(),
                    Value::Array(f.notes.iter().map(note_json).collect()),
                );
            }
            v
        })
        .collect();
    let skipped: Vec<Value> = d
        .skipped
        .iter()
        .map(
            |s| json!({"source": s.source, "issuer": s.issuer, "name": s.name, "reason": s.reason}),
        )
        .collect();
    let mut out = json!({
        "format": d.format,
        "accounts": accounts,
        "skipped": skipped,
        "findings": d.notes.iter().map(note_json).collect::<Vec<_>>(),
    });
    if let Some(map) = out.as_object_mut() {
        if d.format == "google-migration" {
            map.insert(
                "payloads".into(),
                d.payloads.iter().map(|(o, p)| payload_json(o, p)).collect(),
            );
            map.insert("batch".into(), batch_json(d));
        }
    }
    out
}

/// Everything a decoded export holds as lines for people: a summary, the batch, each
/// account with its findings, skipped entries, general findings, missing QR codes.
pub fn decoded_lines(d: &Decoded) -> Vec<String> {
    let mut lines = vec![format!(
        "{}: {} account(s), {} skipped",
        d.format,
        d.accounts.len(),
        d.skipped.len()
    )];
    if let Some(batch) = &d.batch {
        lines.push(format!(
            "batch id {}, {} of {} QR code(s) received",
            json!(batch.id),
            batch.received.len(),
            batch.size
        ));
    }
    for (k, found) in d.accounts.iter().enumerate() {
        lines.push(format!("{:>3}  {}", k + 1, account_line(&found.account)));
        for note in &found.notes {
            lines.push(format!("     finding {}: {}", note.code, note.text));
        }
    }
    for s in &d.skipped {
        lines.push(format!(
            "skipped: {} (issuer {:?}, name {:?}): {}",
            s.source, s.issuer, s.name, s.reason
        ));
    }
    for note in &d.notes {
        lines.push(format!("finding {}: {}", note.code, note.text));
    }
    lines.extend(
        missing_lines(d)
            .into_iter()
            .map(|l| format!("missing: {l}")),
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Batch;
    use hybridsim_otp::{parse, Mode};

    fn account(uri: &str) -> OtpAccount {
        match parse(uri, Mode::Lenient) {
            Ok(p) => p.account,
            Err(e) => unreachable!("test URI does not parse: {e}"),
        }
    }

    #[test]
    fn totp_account_has_a_period_and_no_counter() {
        let a = account("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example");
        let v = account_json(&a);
        assert_eq!(v["type"], "totp");
        assert_eq!(v["issuer"], "Example");
        assert_eq!(v["name"], "alice");
        assert_eq!(v["secret"], "JBSWY3DPEHPK3PXP");
        assert_eq!(v["period"], 30);
        assert_eq!(v["counter"], Value::Null);
        assert_eq!(
            account_line(&a),
            "totp issuer=\"Example\" name=\"alice\" secret=JBSWY3DPEHPK3PXP algorithm=SHA1 \
             digits=6 period=30"
        );
    }

    #[test]
    fn hotp_account_has_a_counter_and_no_period() {
        let a = account("otpauth://hotp/Ex:bob?secret=JBSWY3DPEHPK3PXP&counter=7&issuer=Ex");
        let v = account_json(&a);
        assert_eq!(v["type"], "hotp");
        assert_eq!(v["counter"], 7);
        assert_eq!(v["period"], Value::Null);
        assert!(account_line(&a).ends_with("counter=7"));
        let p = parameters_json(&a);
        assert_eq!(
            (p["counter"].clone(), p["secret_bits"].clone()),
            (json!(7), json!(80))
        );
        assert!(p.get("secret").is_none() && p.get("period").is_none());
        assert!(parameters_line(&a).contains("HOTP counter 7, 80-bit secret"));
    }

    #[test]
    fn incomplete_batch_names_the_missing_codes() {
        let mut d = Decoded {
            format: "google-migration",
            accounts: Vec::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
            payloads: Vec::new(),
            batch: Some(Batch {
                id: Some(5),
                size: 3,
                received: vec![1],
                missing: vec![0, 2],
                shortfall: crate::google::Missing {
                    count: 2,
                    batch_size: 3,
                    first: vec![0, 2],
                },
                complete: false,
            }),
        };
        assert_eq!(missing_lines(&d), ["QR 1, 3 of 3 missing"]);
        let lines = decoded_lines(&d);
        assert_eq!(lines[1], "batch id 5, 1 of 3 QR code(s) received");
        assert_eq!(
            lines.last().map(String::as_str),
            Some("missing: QR 1, 3 of 3 missing")
        );
        assert_eq!(decoded_json(&d)["batch"]["missing_indices"], json!([0, 2]));
        d.format = "aegis";
        assert!(decoded_json(&d).get("batch").is_none());
    }
}
