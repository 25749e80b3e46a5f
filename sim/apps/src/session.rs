//! [`AppWorld`]: named phones, the sites their accounts belong to, the vendor's cloud and one
//! virtual clock, so a scenario can enrol, sign in, let time pass and move accounts between
//! phones by name, step after step.

use crate::account::{AppAccount, DeviceCredential};
use crate::context::{Cloud, Context, Sent};
use crate::enrol::{enrol, EnrolError, Enrolment, SiteOffer};
use crate::mechanism::{cloud, Mechanism, MigrationFailure};
use crate::migrate::migrate;
use crate::phone::{AppModel, Phone};
use crate::quirk::{Quirks, Stage};
use crate::report::MigrationReport;
use crate::site::Site;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::collections::BTreeMap;

/// Why a step could not be run at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    /// No phone by that name.
    #[error("no phone named {0:?}")]
    NoPhone(String),
    /// The phone has no account with that label.
    #[error("phone {phone:?} has no account {label:?} (it has: {have})")]
    NoAccount {
        /// The phone.
        phone: String,
        /// The label asked for.
        label: String,
        /// The labels it has.
        have: String,
    },
    /// No site knows that account.
    #[error("no site enrolled {0:?}")]
    NoSite(String),
}

/// The authenticator-app side of a scenario.
pub struct AppWorld {
    /// True Unix time.
    pub now: u64,
    /// Phones by name.
    pub phones: BTreeMap<String, Phone>,
    /// Sites by the label of the account they enrolled (`issuer (name)`).
    pub sites: BTreeMap<String, Site>,
    /// The vendor's cloud.
    pub cloud: Cloud,
    /// For each cloud backup made by [`AppWorld::backup`], the phone's account indices it
    /// holds (what a report needs to name them).
    backups: BTreeMap<String, (String, Vec<usize>)>,
    rng: ChaCha20Rng,
}

impl AppWorld {
    /// An empty world at true time `now`; all randomness comes from `seed`.
    pub fn new(seed: u64, now: u64) -> AppWorld {
        AppWorld {
            now,
            phones: BTreeMap::new(),
            sites: BTreeMap::new(),
            cloud: Cloud::default(),
            backups: BTreeMap::new(),
            rng: ChaCha20Rng::seed_from_u64(seed),
        }
    }

    /// Adds a phone running `app`, with its clock `clock_offset` seconds off and the
    /// app-stage quirks among `quirks`.
    pub fn add_phone(&mut self, name: &str, app: AppModel, clock_offset: i64, quirks: &Quirks) {
        let mut phone = Phone::new(app);
        phone.clock_offset = clock_offset;
        phone.quirks = Quirks::of(quirks.0.iter().copied().filter(|q| q.stage() == Stage::App));
        self.phones.insert(name.to_string(), phone);
    }

    /// Puts an account in `phone`'s app as if it had been enrolled earlier: its site is
    /// set up with the same parameters unless one already exists.
    pub fn add_account(&mut self, phone: &str, account: AppAccount) -> Result<(), String> {
        let site = Site::enrolled(&account).map_err(|e| e.to_string())?;
        self.sites.entry(account.label()).or_insert(site);
        if let AppAccount::MicrosoftPersonal(DeviceCredential {
            user,
            otp: Some(otp),
        }) = &account
        {
            self.cloud
                .device_credentials
                .entry(user.clone())
                .or_default()
                .push(otp.clone());
        }
        let device = self.phone_mut(phone).map_err(|e| e.to_string())?;
        device.add(account, false);
        Ok(())
    }

    /// Lets `seconds` pass.
    pub fn advance(&mut self, seconds: u64) {
        self.now = self.now.saturating_add(seconds);
    }

    fn phone_mut(&mut self, name: &str) -> Result<&mut Phone, WorldError> {
        self.phones
            .get_mut(name)
            .ok_or_else(|| WorldError::NoPhone(name.to_string()))
    }

    /// A site enrols `phone` now. On success the site is kept under the account's label.
    pub fn enrol(
        &mut self,
        phone: &str,
        offer: &SiteOffer,
    ) -> Result<Result<Enrolment, EnrolError>, WorldError> {
        let now = self.now;
        let mut rng = ChaCha20Rng::from_seed(self.seed_for_step());
        let target = self.phone_mut(phone)?;
        let result = enrol(target, offer, now, &mut rng);
        if let Ok(enrolment) = &result {
            if enrolment.confirmation.is_ok() {
                let label = AppAccount::Otp(enrolment.site_account.clone()).label();
                self.sites.insert(label, enrolment.site.clone());
            }
        }
        Ok(result)
    }

    /// The user signs in to the site of `label` with the code `phone` shows now. `Ok(Ok)`
    /// says what the site accepted, `Ok(Err)` why it refused.
    pub fn sign_in(
        &mut self,
        phone: &str,
        label: &str,
    ) -> Result<Result<String, String>, WorldError> {
        let now = self.now;
        let site = self
            .sites
            .get_mut(label)
            .ok_or_else(|| WorldError::NoSite(label.to_string()))?;
        let device = self
            .phones
            .get_mut(phone)
            .ok_or_else(|| WorldError::NoPhone(phone.to_string()))?;
        let account = device
            .accounts
            .iter()
            .find(|a| a.label() == label)
            .cloned()
            .ok_or_else(|| WorldError::NoAccount {
                phone: phone.to_string(),
                label: label.to_string(),
                have: device
                    .accounts
                    .iter()
                    .map(AppAccount::label)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let outcome = site.sign_in(device, &account, now, &self.cloud);
        if let Some(otp) = account.otp() {
            device.press(&otp.secret);
        }
        Ok(outcome)
    }

    /// Moves `from`'s accounts to `to` by `mechanism` with `quirks`, and reports.
    pub fn migrate(
        &mut self,
        from: &str,
        to: &str,
        mechanism: &Mechanism,
        quirks: &Quirks,
    ) -> Result<(MigrationReport, Vec<Sent>), WorldError> {
        let old = self
            .phones
            .get(from)
            .cloned()
            .ok_or_else(|| WorldError::NoPhone(from.to_string()))?;
        let sites: Vec<Site> = old
            .accounts
            .iter()
            .map(|a| {
                self.sites
                    .get(&a.label())
                    .filter(|site| site.is_for(a))
                    .cloned()
                    .or_else(|| Site::enrolled(a).ok())
            })
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default();
        let now = self.now;
        let seed = self.seed_for_step();
        let mut new = self
            .phones
            .remove(to)
            .ok_or_else(|| WorldError::NoPhone(to.to_string()))?;
        let mut rng = ChaCha20Rng::from_seed(seed);
        let mut ctx = Context::new(quirks, &mut rng, &mut self.cloud);
        let report = migrate(&old, &mut new, mechanism, &sites, now, &mut ctx);
        let wire = std::mem::take(&mut ctx.trail.wire);
        self.phones.insert(to.to_string(), new);
        Ok((report, wire))
    }

    /// `phone` backs up to the cloud backup of `recovery` (Microsoft style).
    pub fn backup(
        &mut self,
        phone: &str,
        recovery: &str,
        quirks: &Quirks,
    ) -> Result<Result<Vec<String>, MigrationFailure>, WorldError> {
        let device = self
            .phones
            .get(phone)
            .cloned()
            .ok_or_else(|| WorldError::NoPhone(phone.to_string()))?;
        let mut rng = ChaCha20Rng::from_seed(self.seed_for_step());
        let mut ctx = Context::new(quirks, &mut rng, &mut self.cloud);
        let result = cloud::backup(&device, recovery, true, &mut ctx);
        if let Ok(carried) = &result {
            self.backups
                .insert(recovery.to_string(), (phone.to_string(), carried.clone()));
        }
        let notes = ctx.trail.all_notes();
        Ok(result.map(|_| notes))
    }

    /// `phone` restores the cloud backup of `recovery`; the notes say what came back how.
    pub fn restore(
        &mut self,
        phone: &str,
        recovery: &str,
        quirks: &Quirks,
    ) -> Result<Result<Vec<String>, MigrationFailure>, WorldError> {
        let carried = self
            .backups
            .get(recovery)
            .map(|(_, c)| c.clone())
            .unwrap_or_default();
        let mut rng = ChaCha20Rng::from_seed(self.seed_for_step());
        let mut device = self
            .phones
            .remove(phone)
            .ok_or_else(|| WorldError::NoPhone(phone.to_string()))?;
        let mut ctx = Context::new(quirks, &mut rng, &mut self.cloud);
        let result = cloud::restore(&mut device, recovery, true, &carried, &mut ctx);
        let notes = ctx.trail.all_notes();
        self.phones.insert(phone.to_string(), device);
        Ok(result.map(|()| notes))
    }

    /// A fresh 32-byte seed from the world's stream, one per step that needs randomness.
    fn seed_for_step(&mut self) -> [u8; 32] {
        let mut seed = [0u8; 32];
        rand_chacha::rand_core::RngCore::fill_bytes(&mut self.rng, &mut seed);
        seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrol_sign_in_advance_migrate_by_name() {
        let mut world = AppWorld::new(7, 1_795_392_000);
        world.add_phone("old", AppModel::GoogleAuthenticator, 0, &Quirks::none());
        world.add_phone("new", AppModel::GoogleAuthenticator, 0, &Quirks::none());
        let enrolment = world
            .enrol("old", &SiteOffer::totp("Example", "alice"))
            .unwrap()
            .unwrap();
        assert!(enrolment.confirmation.is_ok());
        // The confirmation used this step's code: the same step again is a replay.
        assert!(world
            .sign_in("old", "Example (alice)")
            .unwrap()
            .unwrap_err()
            .contains("already used"));
        world.advance(30);
        assert!(world.sign_in("old", "Example (alice)").unwrap().is_ok());
        world.advance(30);
        let (report, wire) = world
            .migrate(
                "old",
                "new",
                &Mechanism::GoogleTransfer(Default::default()),
                &Quirks::none(),
            )
            .unwrap();
        assert_eq!(wire.len(), 1, "one transfer QR code");
        assert!(wire[0].1.starts_with(b"otpauth-migration://offline?data="));
        assert!(report.lossless(), "{}", report.to_table());
        assert!(world.sign_in("new", "Example (alice)").unwrap().is_ok());
        assert!(matches!(
            world.sign_in("nobody", "Example (alice)"),
            Err(WorldError::NoPhone(_))
        ));
    }
}
