//! What the relying party remembers between requests: the challenges it issued, waiting for
//! their result, and the users whose registrations it accepted.
//!
//! Sans-IO: time is passed in (`now`, a monotonic offset such as the time since the server
//! started), so expiry is tested without sleeping. Both maps are bounded: a challenge lives
//! `challenge_ttl` and at most `max_challenges` are kept (issuing one more evicts the
//! oldest); a user exists only once a registration succeeded, and at most `max_users` do.
//! Options requests alone therefore never grow the user map.

use crate::limits::Limits;
use hybridsim_webauthn::json::UserEntity;
use hybridsim_webauthn::rp::{
    AuthenticationState, RegisteredCredential, RegistrationState, UserVerification,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// A ceremony started by an options request, waiting for its result.
#[derive(Debug, Clone)]
pub enum Pending {
    /// `/attestation/options` was answered; `/attestation/result` is awaited.
    Registration {
        /// What the registration is checked against (the user included).
        state: RegistrationState,
        /// The user verification asked for.
        uv: UserVerification,
    },
    /// `/assertion/options` was answered; `/assertion/result` is awaited.
    Authentication {
        /// The user the assertion is for.
        username: String,
        /// What the assertion is checked against.
        state: AuthenticationState,
        /// The user verification asked for.
        uv: UserVerification,
    },
}

/// Why a challenge could not be redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RedeemError {
    /// Never issued (for this kind of ceremony), already redeemed, or evicted.
    #[error("was not issued, or already used")]
    Unknown,
    /// Issued, but longer ago than the challenge lifetime.
    #[error("expired")]
    Expired,
}

/// Why a credential could not be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeepError {
    /// The user map is full and the user is new.
    #[error("the relying party keeps at most {0} users")]
    TooManyUsers(usize),
    /// The user already has as many credentials as are kept.
    #[error("the user already has {0} credentials, the most kept")]
    TooManyCredentials(usize),
}

/// A registered user and its credentials.
#[derive(Debug, Clone)]
pub struct User {
    /// The user entity sent in creation options.
    pub entity: UserEntity,
    /// Credentials registered for it, oldest first.
    pub credentials: Vec<RegisteredCredential>,
}

#[derive(Debug)]
struct Issued {
    pending: Pending,
    at: Duration,
    seq: u64,
}

/// Challenges and users, bounded as the module docs say.
#[derive(Debug)]
pub struct Store {
    ttl: Duration,
    max_challenges: usize,
    max_users: usize,
    max_credentials: usize,
    users: BTreeMap<String, User>,
    challenges: BTreeMap<String, Issued>,
    /// Issue order (sequence number → challenge), oldest first: expiry and eviction look
    /// only at the front.
    order: BTreeMap<u64, String>,
    next_seq: u64,
}

impl Store {
    /// An empty store with the bounds in `limits`.
    pub fn new(limits: &Limits) -> Store {
        Store {
            ttl: limits.challenge_ttl,
            max_challenges: limits.max_challenges.max(1),
            max_users: limits.max_users,
            max_credentials: limits.max_credentials_per_user,
            users: BTreeMap::new(),
            challenges: BTreeMap::new(),
            order: BTreeMap::new(),
            next_seq: 0,
        }
    }

    /// Remembers `challenge` (base64url) for `pending`, issued at `now`. Expired challenges
    /// go first; if the store is still full, the oldest is evicted.
    pub fn issue(&mut self, challenge: String, pending: Pending, now: Duration) {
        self.expire(now);
        while self.challenges.len() >= self.max_challenges {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.challenges.remove(&oldest);
        }
        if let Some(old) = self.challenges.remove(&challenge) {
            self.order.remove(&old.seq);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.order.insert(seq, challenge.clone());
        self.challenges.insert(
            challenge,
            Issued {
                pending,
                at: now,
                seq,
            },
        );
    }

    /// Takes the registration waiting on `challenge`: each challenge is good for one result.
    pub fn redeem_registration(
        &mut self,
        challenge: &str,
        now: Duration,
    ) -> Result<(RegistrationState, UserVerification), RedeemError> {
        match self.take(challenge, now, |p| {
            matches!(p, Pending::Registration { .. })
        })? {
            Pending::Registration { state, uv } => Ok((state, uv)),
            Pending::Authentication { .. } => Err(RedeemError::Unknown),
        }
    }

    /// Takes the authentication waiting on `challenge`: the username, the state, the UV asked.
    pub fn redeem_authentication(
        &mut self,
        challenge: &str,
        now: Duration,
    ) -> Result<(String, AuthenticationState, UserVerification), RedeemError> {
        match self.take(challenge, now, |p| {
            matches!(p, Pending::Authentication { .. })
        })? {
            Pending::Authentication {
                username,
                state,
                uv,
            } => Ok((username, state, uv)),
            Pending::Registration { .. } => Err(RedeemError::Unknown),
        }
    }

    /// Challenges waiting for a result (expired ones may still be counted until the next
    /// issue or redemption).
    pub fn challenges(&self) -> usize {
        self.challenges.len()
    }

    /// The user called `name`, if a registration for it succeeded.
    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.get(name)
    }

    /// Registered users.
    pub fn users(&self) -> usize {
        self.users.len()
    }

    /// Keeps `credential` for `name` (created as `entity` if new), within the bounds.
    pub fn keep(
        &mut self,
        name: &str,
        entity: UserEntity,
        credential: RegisteredCredential,
    ) -> Result<(), KeepError> {
        if !self.users.contains_key(name) && self.users.len() >= self.max_users {
            return Err(KeepError::TooManyUsers(self.max_users));
        }
        let user = self.users.entry(name.to_owned()).or_insert_with(|| User {
            entity,
            credentials: Vec::new(),
        });
        if user.credentials.len() >= self.max_credentials {
            return Err(KeepError::TooManyCredentials(self.max_credentials));
        }
        user.credentials.push(credential);
        Ok(())
    }

    /// `name`'s credential with id `id`, to be updated by an assertion.
    pub fn credential_mut(&mut self, name: &str, id: &[u8]) -> Option<&mut RegisteredCredential> {
        self.users
            .get_mut(name)?
            .credentials
            .iter_mut()
            .find(|c| c.id.0 == id)
    }

    fn take(
        &mut self,
        challenge: &str,
        now: Duration,
        kind: impl Fn(&Pending) -> bool,
    ) -> Result<Pending, RedeemError> {
        let issued = self.challenges.get(challenge).ok_or(RedeemError::Unknown)?;
        let expired = self.is_expired(issued.at, now);
        if !expired && !kind(&issued.pending) {
            // Another kind's challenge stays for its own result.
            return Err(RedeemError::Unknown);
        }
        let issued = self
            .challenges
            .remove(challenge)
            .ok_or(RedeemError::Unknown)?;
        self.order.remove(&issued.seq);
        if expired {
            return Err(RedeemError::Expired);
        }
        Ok(issued.pending)
    }

    fn is_expired(&self, at: Duration, now: Duration) -> bool {
        now.saturating_sub(at) >= self.ttl
    }

    fn expire(&mut self, now: Duration) {
        while let Some((&seq, challenge)) = self.order.first_key_value() {
            let live = self
                .challenges
                .get(challenge)
                .is_some_and(|issued| !self.is_expired(issued.at, now));
            if live {
                break;
            }
            if let Some(challenge) = self.order.remove(&seq) {
                self.challenges.remove(&challenge);
            }
        }
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
