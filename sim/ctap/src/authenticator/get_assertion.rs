//! authenticatorGetAssertion processing (CTAP 2.1 §6.2.2 step numbers).
//!
//! Account choice happens on the device, as on hybrid phones: with an empty or absent
//! allowList and several discoverable credentials the user picks one ([`UserDecisions`]), and
//! every discoverable-credential answer carries the user entity (key 4) and `userSelected`
//! (key 6) as Chromium's phone sends them (docs/protocol.md §7.5). numberOfCredentials (key 5) and
//! authenticatorGetNextAssertion, which serve account choice on the platform, are not used.

use super::{Authenticator, AuthenticatorError, Reason};
use crate::attestation::sign_es256;
use crate::auth_data::{AuthenticatorData, Flags};
use crate::entities::{CredentialDescriptor, UserEntity};
use crate::extensions::hmac_secret::{self, HmacSecretInput};
use crate::extensions::prf::{self, PrfInput};
use crate::extensions::{ExtensionOutputs, HMAC_SECRET, PRF};
use crate::get_assertion::{GetAssertionRequest, GetAssertionResponse};
use crate::store::StoredCredential;
use crate::user::{Purpose, UserDecisions};
use hybridsim_proto::cbor::{self, Value};
use p256::ecdsa::SigningKey;

/// Extension inputs read at step 11, evaluated once the credential is known.
#[derive(Default)]
struct Inputs {
    hmac_secret: Option<HmacSecretInput>,
    prf: Option<PrfInput>,
}

impl<U: UserDecisions> Authenticator<U> {
    /// authenticatorGetAssertion.
    pub fn get_assertion(
        &mut self,
        req: &GetAssertionRequest,
    ) -> Result<GetAssertionResponse, AuthenticatorError> {
        self.step += 1;
        let rp_id = req.rp_id.as_str();
        let (uv, up) = self.assertion_options(req)?;
        // 3. The response's "up" and "uv" bits start false.
        let mut flags = Flags::empty();
        flags.set(Flags::UV, uv);
        let allow_list = req.allow_list.as_deref().filter(|l| !l.is_empty());
        let candidates = self.eligible(rp_id, allow_list);
        // 8. None: CTAP2_ERR_NO_CREDENTIALS.
        if candidates.is_empty() {
            return Err(Reason::NoCredentials(rp_id.to_owned()).into());
        }
        // 9. Built-in UV is evidence of user interaction.
        flags.set(Flags::UP, uv);
        // 10. "up" true: test presence unless UV already did.
        if up && !flags.contains(Flags::UP) {
            self.presence(Purpose::GetAssertion, rp_id)?;
            flags.set(Flags::UP, true);
        }
        // 11. Read the extension inputs the profile supports (evaluated after step 12).
        let inputs = self.read_extension_inputs(req.extensions.as_ref())?;
        // 12. Select the credential: the allowList match, the only candidate, or the user's
        //     choice among several.
        let chosen = self.choose(rp_id, &candidates)?;
        let credential = self
            .store
            .get(&chosen)
            .cloned()
            .ok_or(Reason::NoCredentials(rp_id.to_owned()))?;
        let outputs = self.evaluate_extensions(&inputs, &credential, uv)?;
        // 13. Sign authData ‖ clientDataHash with the credential's key.
        let secret = credential.secret_key().ok_or(Reason::CorruptCredential)?;
        let sign_count = self.next_sign_count(&credential.id, false);
        let auth_data = AuthenticatorData::new(
            self.rp_id_hash(rp_id),
            flags | credential.backup.flags(),
            sign_count,
            None,
            outputs.signed_map(),
        )
        .to_bytes();
        let signature = sign_es256(
            &SigningKey::from(&secret),
            &[&auth_data, &req.client_data_hash],
        );
        let discoverable_path = allow_list.is_none();
        Ok(GetAssertionResponse {
            credential: Some(CredentialDescriptor {
                transports: self.profile.assertion_transports.clone(),
                ..credential.descriptor()
            }),
            auth_data,
            signature,
            user: discoverable_path.then(|| self.user_entity(&credential, uv)),
            number_of_credentials: None,
            user_selected: discoverable_path.then_some(true),
            large_blob_key: None,
            unsigned_extension_outputs: outputs.unsigned_map(),
        })
    }

    /// Steps 2 to 6 of getAssertion: the PIN/UV protocol, the options and built-in user
    /// verification. Returns whether the user was verified and whether presence is wanted.
    fn assertion_options(
        &mut self,
        req: &GetAssertionRequest,
    ) -> Result<(bool, bool), AuthenticatorError> {
        let rp_id = req.rp_id.as_str();
        // 2. pinUvAuthParam needs a supported pinUvAuthProtocol.
        self.check_pin_uv_auth_protocol(
            req.pin_uv_auth_param.as_deref(),
            req.pin_uv_auth_protocol,
        )?;
        // 4. Options: uv=true needs built-in UV; rk is not a getAssertion option; "up" defaults
        //    to true.
        let uv_requested = req.pin_uv_auth_param.is_none() && req.options.uv == Some(true);
        if uv_requested && !self.uv_available() {
            return Err(Reason::UvUnavailable.into());
        }
        if req.options.rk.is_some() {
            return Err(Reason::RkOnGetAssertion.into());
        }
        let up = req.options.up.unwrap_or(true);
        if !up && self.profile.quirks.refuse_silent_assertion {
            return Err(Reason::SilentAssertionRefused.into());
        }
        // 6.1: no pinUvAuthToken is ever issued, so a pinUvAuthParam cannot verify.
        if req.pin_uv_auth_param.is_some() {
            return Err(Reason::PinUvAuthParamInvalid.into());
        }
        // 6.2: built-in user verification.
        let uv = self.user_verification(Purpose::GetAssertion, rp_id, uv_requested, up)?;
        Ok((uv, up))
    }

    /// Step 7: the eligible credentials, those of a non-empty allowList bound to this RP
    /// (first match used), else the RP's discoverable credentials, most recent first.
    fn eligible(&self, rp_id: &str, allow_list: Option<&[CredentialDescriptor]>) -> Vec<Vec<u8>> {
        match allow_list {
            Some(list) => self
                .store
                .first_listed(rp_id, list)
                .map(|c| c.id.clone())
                .into_iter()
                .collect(),
            None => self
                .store
                .discoverable_for(rp_id)
                .iter()
                .map(|c| c.id.clone())
                .collect(),
        }
    }

    fn choose(
        &mut self,
        rp_id: &str,
        candidates: &[Vec<u8>],
    ) -> Result<Vec<u8>, AuthenticatorError> {
        if let [only] = candidates {
            return Ok(only.clone());
        }
        let accounts = self.store.accounts(rp_id);
        let accounts: Vec<_> = accounts
            .into_iter()
            .filter(|a| candidates.contains(&a.credential_id))
            .collect();
        let count = accounts.len();
        let choice = self
            .user
            .select_account(rp_id, &accounts)
            .ok_or(Reason::AccountSelectionCancelled)?;
        accounts
            .get(choice)
            .map(|a| a.credential_id.clone())
            .ok_or_else(|| Reason::AccountChoiceOutOfRange { choice, count }.into())
    }

    /// The user entity of a discoverable-credential answer. Name and display name are user
    /// identifiable information, returned only after user verification (CTAP 2.2 §6.2
    /// response member "user"); the Chromium phone sends them as empty strings.
    fn user_entity(&self, credential: &StoredCredential, uv: bool) -> UserEntity {
        if self.profile.quirks.empty_user_names_in_assertion {
            return UserEntity {
                id: credential.user_handle.clone(),
                name: Some(String::new()),
                display_name: Some(String::new()),
            };
        }
        UserEntity {
            id: credential.user_handle.clone(),
            name: credential.user_name.clone().filter(|_| uv),
            display_name: credential.user_display_name.clone().filter(|_| uv),
        }
    }

    fn read_extension_inputs(&self, input: Option<&Value>) -> Result<Inputs, AuthenticatorError> {
        let mut inputs = Inputs::default();
        let Some(input) = input else {
            return Ok(inputs);
        };
        if let Some(value) =
            cbor::map_get_text(input, HMAC_SECRET).filter(|_| self.profile.processes(HMAC_SECRET))
        {
            let parsed = HmacSecretInput::from_value(value)
                .map_err(crate::extensions::ExtensionError::from)?;
            inputs.hmac_secret = Some(parsed);
        }
        if let Some(value) = cbor::map_get_text(input, PRF).filter(|_| self.profile.processes(PRF))
        {
            inputs.prf = Some(PrfInput::from_value(value)?);
        }
        Ok(inputs)
    }

    fn evaluate_extensions(
        &mut self,
        inputs: &Inputs,
        credential: &StoredCredential,
        uv: bool,
    ) -> Result<ExtensionOutputs, AuthenticatorError> {
        let mut outputs = ExtensionOutputs::default();
        let cred_random = if uv {
            credential.cred_random_uv
        } else {
            credential.cred_random_no_uv
        };
        if let Some(input) = &inputs.hmac_secret {
            let key = self.key_agreement_key();
            let supported = self.profile.get_info.pin_uv_auth_protocols.clone();
            let output =
                hmac_secret::evaluate(input, &supported, &key, &cred_random, &mut self.rng)
                    .map_err(crate::extensions::ExtensionError::from)?;
            outputs
                .signed
                .push((HMAC_SECRET.to_owned(), Value::Bytes(output)));
        }
        if let Some(input) = &inputs.prf {
            if let Some(output) = prf::get_assertion_output(input, &credential.id, &cred_random) {
                outputs.unsigned.push((PRF.to_owned(), output));
            }
        }
        Ok(outputs)
    }
}
