//! authenticatorMakeCredential processing (CTAP 2.1 §6.1.2 step numbers).

use super::{Authenticator, AuthenticatorError, Reason};
use crate::auth_data::{AttestedCredentialData, AuthenticatorData, Flags};
use crate::cose::CoseKey;
use crate::entities::PUBLIC_KEY;
use crate::extensions::{hmac_secret::HmacSecretError, prf, ExtensionError, ExtensionOutputs};
use crate::extensions::{HMAC_SECRET, PRF};
use crate::make_credential::{MakeCredentialRequest, MakeCredentialResponse};
use crate::store::{BackupState, StoredCredential};
use crate::user::{Purpose, UserDecisions};
use crate::wire::{self};
use hybridsim_proto::cbor::{self, Value};
use p256::ecdsa::SigningKey;
use p256::SecretKey;
use rand_core::RngCore;

impl<U: UserDecisions> Authenticator<U> {
    /// authenticatorMakeCredential.
    pub fn make_credential(
        &mut self,
        req: &MakeCredentialRequest,
    ) -> Result<MakeCredentialResponse, AuthenticatorError> {
        self.step += 1;
        let rp_id = req.rp.id.as_str();
        // 1. A zero-length pinUvAuthParam concerns authenticators with clientPin or
        //    pinUvAuthToken; no profile has them.
        // 2. pinUvAuthParam needs a supported pinUvAuthProtocol.
        self.check_pin_uv_auth_protocol(
            req.pin_uv_auth_param.as_deref(),
            req.pin_uv_auth_protocol,
        )?;
        // 3. The first "public-key" algorithm of pubKeyCredParams the profile supports.
        self.choose_algorithm(req)?;
        let uv = self.creation_options(req)?;
        // 4. The response's "up" and "uv" bits start false.
        let mut flags = Flags::empty();
        flags.set(Flags::UV, uv);
        // 12. An excludeList credential bound to this RP: ask for presence, then refuse.
        if let Some(list) = &req.exclude_list {
            if self.store.first_listed(rp_id, list).is_some() {
                self.presence(Purpose::ExcludedCredential, rp_id)?;
                return Err(Reason::CredentialExcluded.into());
            }
        }
        // 13. Built-in UV is evidence of user interaction.
        flags.set(Flags::UP, uv);
        // 14. "up" is true for makeCredential: test presence unless UV already did.
        if !flags.contains(Flags::UP) {
            self.presence(Purpose::MakeCredential, rp_id)?;
            flags.set(Flags::UP, true);
        }
        // 15. Extensions the profile supports; others are ignored.
        let outputs = self.make_credential_extensions(req.extensions.as_ref())?;
        // 17.4 is checked before any key material is drawn.
        let discoverable = req.options.rk == Some(true) || self.profile.always_discoverable;
        self.check_key_store(req, discoverable)?;
        // 16. A new ES256 key pair and credential.
        let credential = self.new_credential(req, discoverable);
        let secret = credential.secret_key().ok_or(Reason::CorruptCredential)?;
        let sign_count = self.next_sign_count(&credential.id, true);
        let auth_data = AuthenticatorData::new(
            self.rp_id_hash(rp_id),
            flags | credential.backup.flags(),
            sign_count,
            Some(AttestedCredentialData {
                aaguid: self.profile.aaguid,
                credential_id: credential.id.clone(),
                public_key: CoseKey::es256(&secret.public_key()),
            }),
            outputs.signed_map(),
        );
        // 19. Attestation over authData ‖ clientDataHash.
        let attestation = self.attester.attest(
            auth_data.to_bytes(),
            &req.client_data_hash,
            &SigningKey::from(&secret),
        );
        // 17./18. Store the credential (discoverable or not; a discoverable one replaces the
        //     RP's credential for the same user handle).
        self.store.insert(credential);
        Ok(MakeCredentialResponse {
            attestation,
            ep_att: None,
            large_blob_key: None,
            unsigned_extension_outputs: outputs.unsigned_map(),
        })
    }

    /// Steps 5 to 11 of makeCredential: the options, enterprise attestation and built-in user
    /// verification. Returns whether the user was verified.
    fn creation_options(
        &mut self,
        req: &MakeCredentialRequest,
    ) -> Result<bool, AuthenticatorError> {
        let rp_id = req.rp.id.as_str();
        // 5. Options. 5.1: with a pinUvAuthParam, "uv" is treated as false.
        let uv_requested = req.pin_uv_auth_param.is_none() && req.options.uv == Some(true);
        // 5.3: uv=true without built-in user verification.
        if uv_requested && !self.uv_available() {
            return Err(Reason::UvUnavailable.into());
        }
        // 5.4: rk=true without discoverable credentials.
        if req.options.rk == Some(true) && self.profile.get_info.options.rk != Some(true) {
            return Err(Reason::RkUnsupported.into());
        }
        // 5.5: up=false is invalid for makeCredential.
        if req.options.up == Some(false) {
            return Err(Reason::UpFalseOnMakeCredential.into());
        }
        // 8. No profile is enterprise-attestation capable.
        if req.enterprise_attestation.is_some() {
            return Err(Reason::EnterpriseAttestationUnsupported.into());
        }
        // 11.1: no pinUvAuthToken is ever issued, so a pinUvAuthParam cannot verify.
        if req.pin_uv_auth_param.is_some() {
            return Err(Reason::PinUvAuthParamInvalid.into());
        }
        // 11.2: built-in user verification.
        self.user_verification(Purpose::MakeCredential, rp_id, uv_requested, true)
    }

    fn choose_algorithm(&self, req: &MakeCredentialRequest) -> Result<i64, AuthenticatorError> {
        let offered: Vec<i64> = req
            .pub_key_cred_params
            .iter()
            .filter(|p| p.cred_type == PUBLIC_KEY)
            .map(|p| p.alg)
            .collect();
        offered
            .iter()
            .copied()
            .find(|alg| self.profile.algorithms.contains(alg))
            .ok_or_else(|| {
                Reason::UnsupportedAlgorithm {
                    offered,
                    supported: self.profile.algorithms.clone(),
                }
                .into()
            })
    }

    fn check_key_store(
        &self,
        req: &MakeCredentialRequest,
        discoverable: bool,
    ) -> Result<(), AuthenticatorError> {
        let Some(max) = self.profile.max_discoverable_credentials else {
            return Ok(());
        };
        let replaces = self
            .store
            .discoverable_for(&req.rp.id)
            .iter()
            .any(|c| c.user_handle == req.user.id);
        let full = self.store.discoverable_count() >= usize::try_from(max).unwrap_or(usize::MAX);
        if discoverable && full && !replaces {
            return Err(Reason::KeyStoreFull(max).into());
        }
        Ok(())
    }

    /// Draws, in this order, the credential ID (again while it is already in the store), the
    /// private key and the two hmac-secret secrets, so a seed always gives the same credential.
    fn new_credential(
        &mut self,
        req: &MakeCredentialRequest,
        discoverable: bool,
    ) -> StoredCredential {
        let mut id = vec![0u8; usize::from(self.profile.credential_id_length)];
        self.rng.fill_bytes(&mut id);
        while self.store.get(&id).is_some() {
            self.rng.fill_bytes(&mut id);
        }
        let secret = SecretKey::random(&mut self.rng);
        let mut cred_random_uv = [0u8; 32];
        let mut cred_random_no_uv = [0u8; 32];
        self.rng.fill_bytes(&mut cred_random_uv);
        self.rng.fill_bytes(&mut cred_random_no_uv);
        StoredCredential {
            id,
            rp_id: req.rp.id.clone(),
            user_handle: req.user.id.clone(),
            user_name: req.user.name.clone(),
            user_display_name: req.user.display_name.clone(),
            private_key: secret.to_bytes().into(),
            sign_count: 0,
            discoverable,
            backup: BackupState::from_flags(self.profile.backup_flags()),
            cred_random_uv,
            cred_random_no_uv,
            created_by_profile: self.profile.name.clone(),
            created_at_step: self.step,
        }
    }

    fn make_credential_extensions(
        &self,
        input: Option<&Value>,
    ) -> Result<ExtensionOutputs, AuthenticatorError> {
        let mut outputs = ExtensionOutputs::default();
        let Some(input) = input else {
            return Ok(outputs);
        };
        if let Some(value) =
            cbor::map_get_text(input, HMAC_SECRET).filter(|_| self.profile.processes(HMAC_SECRET))
        {
            let requested = wire::boolean(value, "extensions.hmac-secret")
                .map_err(|e| ExtensionError::from(HmacSecretError::Wire(e)))?;
            if requested {
                outputs
                    .signed
                    .push((HMAC_SECRET.to_owned(), Value::Bool(true)));
            }
        }
        if let Some(value) = cbor::map_get_text(input, PRF).filter(|_| self.profile.processes(PRF))
        {
            outputs
                .unsigned
                .push((PRF.to_owned(), prf::make_credential_output(value)?));
        }
        Ok(outputs)
    }
}
