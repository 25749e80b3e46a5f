//! The migration report: per account on the old phone, whether it reached the new one, in
//! what shape, whether the new phone's code equals the old one's at the same moment, whether
//! the site accepts a sign-in from the new phone, and why not.

use serde::{Deserialize, Serialize};

/// Whether and how an account arrived on the new phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "detail")]
pub enum Arrival {
    /// There, unchanged.
    Moved,
    /// There, with these fields different (e.g. `digits 8 → 6`).
    Changed(Vec<String>),
    /// There more than once (the count).
    Duplicated(usize),
    /// Only its name arrived: the credential stayed on the old phone.
    NameOnly,
    /// Not there.
    Missing,
}

impl Arrival {
    /// One word for tables: `moved`, `changed`, `duplicated`, `name-only`, `missing`.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Moved => "moved",
            Self::Changed(_) => "changed",
            Self::Duplicated(_) => "duplicated",
            Self::NameOnly => "name-only",
            Self::Missing => "missing",
        }
    }
}

/// One account of the old phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    /// How the old phone listed it.
    pub account: String,
    /// `totp`, `hotp`, `microsoft-personal`, `push`, `passkey`.
    pub kind: String,
    /// Whether and how it arrived.
    pub arrival: Arrival,
    /// Whether the new phone shows the same code as the old one at the same true time;
    /// `None` for kinds without codes or when it did not arrive.
    pub same_code: Option<bool>,
    /// Whether the site accepts a sign-in from the new phone.
    pub site_accepts: bool,
    /// Every reason: what the mechanism did to it, what differs, why the site refused.
    pub why: Vec<String>,
}

/// The whole report of one migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationReport {
    /// The mechanism, e.g. `google-transfer`.
    pub mechanism: String,
    /// True Unix time of the checks.
    pub at: u64,
    /// One row per account of the old phone, in its list order.
    pub rows: Vec<ReportRow>,
    /// What concerned the migration as a whole (a refused restore, an incomplete batch) and
    /// what the apps told the user.
    pub notes: Vec<String>,
    /// Accounts on the new phone that match no account of the old one (labels).
    pub unexpected: Vec<String>,
}

impl MigrationReport {
    /// Whether every account arrived unchanged, shows the same code and signs in.
    pub fn lossless(&self) -> bool {
        self.unexpected.is_empty() && self.damaged() == 0
    }

    /// Rows whose account did not arrive unchanged, shows another code or no longer signs in.
    pub fn damaged(&self) -> usize {
        let intact = |row: &&ReportRow| {
            row.arrival == Arrival::Moved && row.same_code != Some(false) && row.site_accepts
        };
        self.rows.iter().filter(|row| !intact(row)).count()
    }

    /// What was lost, in one line, when the migration was not lossless.
    pub fn shortfall(&self) -> Option<String> {
        (!self.lossless()).then(|| {
            format!(
                "the migration was not lossless: {} of {} account(s) lost or changed, {} unexpected",
                self.damaged(),
                self.rows.len(),
                self.unexpected.len()
            )
        })
    }

    /// The row for the account the old phone listed as `label`.
    pub fn row(&self, label: &str) -> Option<&ReportRow> {
        self.rows.iter().find(|row| row.account == label)
    }

    /// The report as JSON, with `lossless` added ([`MigrationReport::lossless`]).
    pub fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        let mut value = serde_json::to_value(self)?;
        if let Some(map) = value.as_object_mut() {
            map.insert("lossless".into(), self.lossless().into());
        }
        Ok(value)
    }

    /// A plain-text table for terminals and logs.
    pub fn to_table(&self) -> String {
        let mut out = format!("migration by {} at {}\n", self.mechanism, self.at);
        let width = self
            .rows
            .iter()
            .map(|r| r.account.chars().count())
            .max()
            .unwrap_or(7)
            .max(7);
        out.push_str(&format!(
            "{:<width$}  {:<18}  {:<10}  {:<9}  {:<5}  why\n",
            "account", "kind", "arrival", "same code", "site"
        ));
        for row in &self.rows {
            let same = match row.same_code {
                Some(true) => "yes",
                Some(false) => "no",
                None => "-",
            };
            let site = if row.site_accepts { "ok" } else { "refuses" };
            out.push_str(&format!(
                "{:<width$}  {:<18}  {:<10}  {:<9}  {:<5}  {}\n",
                row.account,
                row.kind,
                row.arrival.word(),
                same,
                site,
                row.why.join("; ")
            ));
        }
        for label in &self.unexpected {
            out.push_str(&format!("unexpected on the new phone: {label}\n"));
        }
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        out
    }
}
