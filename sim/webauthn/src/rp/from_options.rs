//! Ceremony state recovered from the options an RP issued.
//!
//! An RP that issued options (its own, or another library's) keeps everything a later check
//! needs in them: RP ID, challenge, user, UV requirement, offered algorithms, excluded and
//! allowed credentials. Reading the state back from the options file lets the command line
//! verify a response without an RP session of its own.

use super::{AuthenticationState, RegistrationState, UserVerification};
use crate::json::{CreationOptionsJson, RequestOptionsJson};

impl UserVerification {
    /// Reads `userVerification`; absent or unknown values mean "preferred", as browsers
    /// treat unknown enumeration values.
    pub fn from_option(value: Option<&str>) -> UserVerification {
        match value {
            Some("required") => UserVerification::Required,
            Some("discouraged") => UserVerification::Discouraged,
            _ => UserVerification::Preferred,
        }
    }
}

impl RegistrationState {
    /// The state behind creation options. `default_rp_id` (the origin's host) stands in when
    /// the options name no RP ID, as browsers do.
    pub fn from_options(options: &CreationOptionsJson, default_rp_id: &str) -> RegistrationState {
        let user_verification = options
            .authenticator_selection
            .as_ref()
            .and_then(|s| s.user_verification.as_deref());
        RegistrationState {
            rp_id: options
                .rp
                .id
                .clone()
                .unwrap_or_else(|| default_rp_id.to_owned()),
            challenge: options.challenge.clone(),
            user: options.user.clone(),
            user_verification: UserVerification::from_option(user_verification),
            algorithms: options.pub_key_cred_params.iter().map(|p| p.alg).collect(),
            exclude_credentials: options
                .exclude_credentials
                .iter()
                .map(|d| d.id.clone())
                .collect(),
        }
    }
}

impl AuthenticationState {
    /// The state behind request options; `default_rp_id` as for registration.
    pub fn from_options(options: &RequestOptionsJson, default_rp_id: &str) -> AuthenticationState {
        AuthenticationState {
            rp_id: options
                .rp_id
                .clone()
                .unwrap_or_else(|| default_rp_id.to_owned()),
            challenge: options.challenge.clone(),
            allow_credentials: options
                .allow_credentials
                .iter()
                .map(|d| d.id.clone())
                .collect(),
            user_verification: UserVerification::from_option(options.user_verification.as_deref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::b64::Base64Url;
    use crate::json::UserEntity;
    use crate::rp::{AuthenticationRequest, RegistrationRequest, RelyingParty};

    #[test]
    fn states_read_back_from_issued_options_equal_the_issued_states() {
        let rp = RelyingParty::new("login.example", "Login", &["https://login.example"]);
        let user = UserEntity {
            id: Base64Url(b"u1".to_vec()),
            name: "u".into(),
            display_name: "U".into(),
        };
        let (options, state) =
            rp.start_registration(user, [7; 32], &RegistrationRequest::default());
        assert_eq!(
            RegistrationState::from_options(&options, "other.example"),
            state
        );
        let (options, state) =
            rp.start_authentication(&[], [8; 32], &AuthenticationRequest::default());
        assert_eq!(
            AuthenticationState::from_options(&options, "other.example"),
            state
        );
    }

    #[test]
    fn missing_rp_id_falls_back_to_the_origin_host() {
        let options = RequestOptionsJson::from_json(r#"{"challenge":"AAAA"}"#).unwrap();
        let state = AuthenticationState::from_options(&options, "login.example");
        assert_eq!(state.rp_id, "login.example");
        assert_eq!(state.user_verification, UserVerification::Preferred);
    }
}
