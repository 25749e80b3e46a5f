//! Why the authenticator answered with an error: one variant per check, each mapped to its
//! CTAP status code in [`Reason::status`], the one place where that mapping lives.

use crate::extensions::ExtensionError;
use crate::status::{Ctap2Code, StatusCode};
use crate::user::Purpose;
use crate::wire::WireError;

/// A refused command: the status code on the wire and the reason behind it (for traces).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {reason}")]
pub struct AuthenticatorError {
    /// The status byte sent.
    pub status: StatusCode,
    /// Why.
    pub reason: Reason,
}

/// The checks that can refuse a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// The parameters could not be decoded.
    #[error("{0}")]
    Decode(WireError),
    /// A command byte this authenticator does not implement.
    #[error("command 0x{0:02X} is not implemented")]
    UnknownCommand(u8),
    /// pubKeyCredParams has no algorithm the profile supports.
    #[error("no supported algorithm among {offered:?} (supported: {supported:?})")]
    UnsupportedAlgorithm {
        /// The "public-key" algorithms offered.
        offered: Vec<i64>,
        /// The profile's algorithms.
        supported: Vec<i64>,
    },
    /// A credential of the excludeList is bound to this RP.
    #[error("a credential of the excludeList already exists for this RP")]
    CredentialExcluded,
    /// rk=true on an authenticator without discoverable credentials.
    #[error("option rk=true, but the profile does not offer discoverable credentials")]
    RkUnsupported,
    /// uv=true without built-in user verification.
    #[error("option uv=true, but the profile has no built-in user verification")]
    UvUnavailable,
    /// up=false on makeCredential.
    #[error("option up=false is not valid for makeCredential")]
    UpFalseOnMakeCredential,
    /// The rk option on getAssertion.
    #[error("option rk is not valid for getAssertion")]
    RkOnGetAssertion,
    /// up=false on getAssertion by a profile that refuses silent requests.
    #[error("silent getAssertion (up=false) refused, as hybrid phones do")]
    SilentAssertionRefused,
    /// pinUvAuthParam without pinUvAuthProtocol.
    #[error("pinUvAuthParam is present but pinUvAuthProtocol is not")]
    PinUvAuthProtocolMissing,
    /// A pinUvAuthProtocol the profile does not support.
    #[error("pinUvAuthProtocol {0} is not supported")]
    PinUvAuthProtocolUnsupported(u32),
    /// pinUvAuthParam present: no pinUvAuthToken is ever issued here, so it cannot verify.
    #[error("pinUvAuthParam does not verify (this authenticator issues no pinUvAuthToken)")]
    PinUvAuthParamInvalid,
    /// enterpriseAttestation requested.
    #[error("enterprise attestation is not supported")]
    EnterpriseAttestationUnsupported,
    /// The user declined a presence test.
    #[error("the user declined ({0:?})")]
    PresenceDeclined(Purpose),
    /// The user dismissed user verification.
    #[error("user verification cancelled ({0:?})")]
    VerificationCancelled(Purpose),
    /// User verification failed.
    #[error("user verification failed ({0:?})")]
    VerificationFailed(Purpose),
    /// The user cancelled the account choice.
    #[error("account selection cancelled")]
    AccountSelectionCancelled,
    /// The account choice named an account that was not offered.
    #[error("account choice {choice} is outside the {count} accounts offered")]
    AccountChoiceOutOfRange {
        /// The index chosen.
        choice: usize,
        /// How many accounts there were.
        count: usize,
    },
    /// No credential matched.
    #[error("no credentials for RP {0}")]
    NoCredentials(String),
    /// The discoverable-credential store is full.
    #[error("discoverable credential store is full ({0} credentials)")]
    KeyStoreFull(u32),
    /// A stored credential's private key is not a valid scalar (hand-edited store).
    #[error("stored credential has an invalid private key")]
    CorruptCredential,
    /// An extension input was refused.
    #[error(transparent)]
    Extension(#[from] ExtensionError),
    /// clientPIN on a profile without PIN/UV auth protocols.
    #[error("clientPIN is not available (the profile lists no pinUvAuthProtocols)")]
    ClientPinUnavailable,
    /// A clientPIN subcommand other than getKeyAgreement.
    #[error("clientPIN subcommand 0x{0:02X} is not implemented")]
    UnsupportedSubcommand(u32),
}

impl Reason {
    /// The CTAP status code for this reason.
    pub fn status(&self) -> StatusCode {
        use Ctap2Code as C;
        let code = match self {
            Self::Decode(e) => return e.status(),
            Self::Extension(e) => return e.status(),
            Self::UnknownCommand(_) | Self::ClientPinUnavailable => C::InvalidCommand,
            Self::UnsupportedAlgorithm { .. } => C::UnsupportedAlgorithm,
            Self::CredentialExcluded => C::CredentialExcluded,
            Self::RkUnsupported | Self::RkOnGetAssertion | Self::SilentAssertionRefused => {
                C::UnsupportedOption
            }
            Self::UvUnavailable | Self::UpFalseOnMakeCredential => C::InvalidOption,
            Self::PinUvAuthProtocolMissing => C::MissingParameter,
            Self::PinUvAuthProtocolUnsupported(_) | Self::EnterpriseAttestationUnsupported => {
                C::InvalidParameter
            }
            Self::PinUvAuthParamInvalid => C::PinAuthInvalid,
            Self::PresenceDeclined(_)
            | Self::VerificationCancelled(_)
            | Self::AccountSelectionCancelled
            | Self::AccountChoiceOutOfRange { .. } => C::OperationDenied,
            Self::VerificationFailed(_) => C::UvInvalid,
            Self::NoCredentials(_) => C::NoCredentials,
            Self::KeyStoreFull(_) => C::KeyStoreFull,
            Self::CorruptCredential => C::InvalidCredential,
            Self::UnsupportedSubcommand(_) => C::InvalidSubcommand,
        };
        code.into()
    }
}

impl From<Reason> for AuthenticatorError {
    fn from(reason: Reason) -> Self {
        Self {
            status: reason.status(),
            reason,
        }
    }
}

impl From<WireError> for AuthenticatorError {
    fn from(error: WireError) -> Self {
        Reason::Decode(error).into()
    }
}

impl From<ExtensionError> for AuthenticatorError {
    fn from(error: ExtensionError) -> Self {
        Reason::Extension(error).into()
    }
}
