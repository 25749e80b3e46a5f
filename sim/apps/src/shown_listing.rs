//! What `hybridsim migrate add`, `migrate list` and `migrate import` print: each account
//! added and what became of it, the app's list with the codes it shows ([`crate::shown`]),
//! what an import changed ([`Imported`]), and the quirk catalogue (`migrate quirks`); as JSON or as lines for a person, accounts in
//! the shapes of `hybridsim_export::listing`.

use crate::files::Imported;
use crate::quirk::Quirk;
use crate::shown::{AddedRow, CodeRow};
use hybridsim_export::listing::{account_json, account_line, findings_json};
use serde_json::{json, Value};

/// `{"quirks": [{name, bug, stage, description}, …]}` in catalogue order (`migrate quirks`).
pub fn quirks_json() -> Value {
    let rows: Vec<_> = Quirk::ALL
        .iter()
        .map(|q| {
            json!({
                "name": q.name(),
                "bug": q.bug(),
                "stage": q.stage().name(),
                "description": q.description(),
            })
        })
        .collect();
    json!({ "quirks": rows })
}

/// Every quirk in catalogue order, one line each: name, bug id, stage, what it does.
pub fn quirks_lines() -> Vec<String> {
    Quirk::ALL
        .iter()
        .map(|q| {
            let (name, bug, stage) = (q.name(), q.bug(), q.stage().name());
            format!("{name:<36} {bug:<4} {stage:<9} {}", q.description())
        })
        .collect()
}

/// `{"added": [{account, outcome, findings}, …]}`.
pub fn added_json(rows: &[AddedRow]) -> Value {
    let added: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "account": account_json(&r.account),
                "outcome": r.outcome,
                "findings": findings_json(&r.findings),
            })
        })
        .collect();
    json!({ "added": added })
}

/// `OUTCOME: ACCOUNT` for each row, each finding indented under it.
pub fn added_lines(rows: &[AddedRow]) -> Vec<String> {
    let mut out = Vec::new();
    for row in rows {
        out.push(format!("{}: {}", row.outcome, account_line(&row.account)));
        for f in &row.findings {
            out.push(format!("  finding {}: {f}", f.name()));
        }
    }
    out
}

/// The app's list at `at` (Unix seconds; `phone_time` is what the phone's clock says then).
pub fn codes_json(app: &str, at: u64, phone_time: u64, rows: &[CodeRow]) -> Value {
    let accounts: Vec<Value> = rows
        .iter()
        .map(|row| {
            json!({
                "index": row.index,
                "kind": row.kind,
                "label": row.label,
                "account": row.account.as_ref().map(account_json),
                "code": row.code,
            })
        })
        .collect();
    json!({ "app": app, "at": at, "phone_time": phone_time, "accounts": accounts })
}

/// A heading naming the app, where its phone is kept (`place`) and the time (and the
/// phone's own clock when it differs), then one line per account: index, code (`-` for
/// entries without one), kind and label.
pub fn codes_lines(
    app: &str,
    place: &str,
    at: u64,
    phone_time: u64,
    rows: &[CodeRow],
) -> Vec<String> {
    let clock = if phone_time == at {
        String::new()
    } else {
        format!(" (the phone's clock says {phone_time})")
    };
    let mut out = vec![format!("{app} on {place}, codes at {at}{clock}")];
    for row in rows {
        out.push(format!(
            "{:>3}  {:<10}  {:<8}  {}",
            row.index,
            row.code.as_deref().unwrap_or("-"),
            row.kind,
            row.label
        ));
    }
    out
}

/// `{"added", "removed", "notes"}`: the labels an import added and removed, and what the
/// importer told the user.
pub fn imported_json(imported: &Imported) -> Value {
    json!({
        "added": imported.added,
        "removed": imported.removed,
        "notes": imported.notes,
    })
}

/// A count line naming where the phone is kept (`place`), then one line per label added,
/// per label removed and per note.
pub fn imported_lines(place: &str, imported: &Imported) -> Vec<String> {
    let (added, removed) = (imported.added.len(), imported.removed.len());
    let mut out = vec![format!(
        "{place}: {added} account(s) added, {removed} removed"
    )];
    out.extend(imported.added.iter().map(|l| format!("added: {l}")));
    out.extend(imported.removed.iter().map(|l| format!("removed: {l}")));
    out.extend(imported.notes.iter().map(|n| format!("note: {n}")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hybridsim_otp::{parse, Mode};

    fn added() -> AddedRow {
        let parsed = parse(
            "otpauth://totp/Example:alice?secret=jbswy3dpehpk3pxp",
            Mode::Lenient,
        );
        let parsed = parsed.unwrap();
        AddedRow {
            account: parsed.account,
            outcome: "added".to_owned(),
            findings: parsed.findings,
        }
    }

    fn code_row(index: usize, code: Option<&str>) -> CodeRow {
        CodeRow {
            index,
            kind: "totp",
            label: format!("account {index}"),
            account: None,
            code: code.map(str::to_owned),
        }
    }

    #[test]
    fn added_rows_list_their_findings() {
        let row = added();
        let lines = added_lines(std::slice::from_ref(&row));
        assert!(
            lines.first().is_some_and(|l| l.starts_with("added: ")),
            "{lines:?}"
        );
        assert_eq!(lines.len(), 1 + row.findings.len());
        assert!(!row.findings.is_empty());
        let json = added_json(&[row]);
        assert_eq!(json["added"][0]["outcome"], "added");
    }

    #[test]
    fn codes_show_a_dash_without_a_code_and_the_phone_clock_when_it_differs() {
        let rows = [code_row(1, Some("123456")), code_row(2, None)];
        let lines = codes_lines("Aegis", "phone.json", 100, 100, &rows);
        assert_eq!(
            lines,
            [
                "Aegis on phone.json, codes at 100",
                "  1  123456      totp      account 1",
                "  2  -           totp      account 2",
            ]
        );
        let skewed = codes_lines("Aegis", "p", 100, 130, &[]);
        assert_eq!(
            skewed,
            ["Aegis on p, codes at 100 (the phone's clock says 130)"]
        );
        let json = codes_json("Aegis", 100, 130, &rows);
        assert_eq!(json["accounts"][1]["code"], Value::Null);
        assert_eq!(json["phone_time"], 130);
    }

    #[test]
    fn an_import_counts_then_lists_what_changed() {
        let imported = Imported {
            added: vec!["A".to_owned(), "B".to_owned()],
            removed: vec!["C".to_owned()],
            notes: vec!["skipped one".to_owned()],
            refused: false,
        };
        assert_eq!(
            imported_lines("p.json", &imported),
            [
                "p.json: 2 account(s) added, 1 removed",
                "added: A",
                "added: B",
                "removed: C",
                "note: skipped one",
            ]
        );
        assert_eq!(
            imported_json(&imported),
            json!({ "added": ["A", "B"], "removed": ["C"], "notes": ["skipped one"] })
        );
    }
}
