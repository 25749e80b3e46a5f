//! Authenticator-app models for hybridsim: sites enrol TOTP/HOTP, phones hold accounts of every
//! kind, and accounts move to a new phone by the mechanisms real apps use, with switches that
//! reproduce real migration bugs and a report that says what moved and what broke.
//!
//! Background: `docs/migration.md` (formats, how sites verify, Microsoft
//! backup) and `docs/migration-bugs.md` (the catalogue the [`quirk`]s reproduce). Sans-IO: time is passed in
//! as Unix seconds and randomness as an `RngCore`.
//!
//! A map of the code:
//!
//! - [`account`]: the kinds of entry an app holds (OTP, per-device Microsoft credential, push,
//!   passkey).
//! - [`phone`]: an app on a phone, how it adds accounts, its clock.
//! - [`provider`]: passkey providers: AAGUID, BE/BS flags, counter, whether passkeys move.
//! - [`site`]: the site behind each account and how it decides a sign-in.
//! - [`passkey_site`]: a passkey's relying party: the registration record, sign-ins in WebAuthn's order.
//! - [`enrol`]: TOTP/HOTP enrolment through a QR code picture.
//! - [`mechanism`]: cloud backup, keychain sync, Google transfer QR codes, Aegis and 2FAS files.
//! - [`quirk`]: the bug switches.
//! - [`export_inputs`]: the inputs of one export (URIs, QR pictures, a file) gathered and decoded.
//! - [`files`]: export to and import from files, one half at a time, and a whole run.
//! - [`migrate`](mod@migrate) and [`report`]: run a migration, report per account.
//! - [`shown`]: what the app shows: the fate of each account given to it, codes at a time.
//! - [`shown_listing`]: those rows as JSON and as lines (`migrate add|list`).
//! - [`session`]: [`AppWorld`], named phones and sites on one clock, for scenarios.
//! - [`context`]: the quirks, random source, cloud services and trail a migration runs in.

pub mod account;
pub mod context;
pub mod enrol;
pub mod export_inputs;
pub mod files;
pub mod mechanism;
pub mod migrate;
pub mod passkey_site;
pub mod phone;
pub mod provider;
pub mod quirk;
pub mod report;
pub mod session;
pub mod shown;
pub mod shown_listing;
pub mod site;

pub use account::AppAccount;
pub use context::{Cloud, Context};
pub use mechanism::Mechanism;
pub use migrate::migrate;
pub use phone::{AppModel, Phone};
pub use provider::Provider;
pub use quirk::{Quirk, Quirks};
pub use report::{Arrival, MigrationReport};
pub use session::AppWorld;
pub use site::Site;
