//! CTAP status codes (CTAP 2.2 "Status codes" table; CTAP1/U2F HID codes 0x01–0x0B, 0x7F).
//!
//! [`StatusCode`] is total over `u8`, so any byte read from the wire has a value: the codes the
//! spec names are [`StatusCode::Known`], the ranges it reserves for extensions and vendors have
//! their own variants, and every other byte is [`StatusCode::Other`].

use std::fmt;

macro_rules! known_codes {
    ($( $(#[$doc:meta])* $variant:ident = $value:literal, $name:literal; )*) => {
        /// A status code the CTAP specification names.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Ctap2Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Ctap2Code {
            /// Every named code, in ascending order of value.
            pub const ALL: &'static [Ctap2Code] = &[$(Ctap2Code::$variant,)*];

            /// The byte on the wire.
            pub const fn value(self) -> u8 {
                match self { $( Ctap2Code::$variant => $value, )* }
            }

            /// The spec's name, e.g. `CTAP2_ERR_NO_CREDENTIALS`.
            pub const fn name(self) -> &'static str {
                match self { $( Ctap2Code::$variant => $name, )* }
            }

            /// The named code with this value, if there is one.
            pub const fn from_value(value: u8) -> Option<Self> {
                match value { $( $value => Some(Ctap2Code::$variant), )* _ => None }
            }
        }
    };
}

known_codes! {
    /// Success (`CTAP1_ERR_SUCCESS` in CTAP1 terms).
    Ok = 0x00, "CTAP2_OK";
    /// The command is not a valid CTAP command.
    InvalidCommand = 0x01, "CTAP1_ERR_INVALID_COMMAND";
    /// The command included an invalid parameter.
    InvalidParameter = 0x02, "CTAP1_ERR_INVALID_PARAMETER";
    /// Invalid message or item length.
    InvalidLength = 0x03, "CTAP1_ERR_INVALID_LENGTH";
    /// Invalid message sequencing (CTAPHID).
    InvalidSeq = 0x04, "CTAP1_ERR_INVALID_SEQ";
    /// Message timed out (CTAPHID).
    Timeout = 0x05, "CTAP1_ERR_TIMEOUT";
    /// Channel busy (CTAPHID).
    ChannelBusy = 0x06, "CTAP1_ERR_CHANNEL_BUSY";
    /// Command requires channel lock (CTAPHID).
    LockRequired = 0x0A, "CTAP1_ERR_LOCK_REQUIRED";
    /// Command not allowed on this channel (CTAPHID).
    InvalidChannel = 0x0B, "CTAP1_ERR_INVALID_CHANNEL";
    /// Invalid or unexpected CBOR type.
    CborUnexpectedType = 0x11, "CTAP2_ERR_CBOR_UNEXPECTED_TYPE";
    /// Error when parsing CBOR (including non-canonical CBOR).
    InvalidCbor = 0x12, "CTAP2_ERR_INVALID_CBOR";
    /// Missing non-optional parameter.
    MissingParameter = 0x14, "CTAP2_ERR_MISSING_PARAMETER";
    /// Limit for number of items exceeded.
    LimitExceeded = 0x15, "CTAP2_ERR_LIMIT_EXCEEDED";
    /// Unsupported extension (CTAP 2.0; reserved since CTAP 2.1, which ignores unknown
    /// extensions instead).
    UnsupportedExtension = 0x16, "CTAP2_ERR_UNSUPPORTED_EXTENSION";
    /// Fingerprint database is full.
    FpDatabaseFull = 0x17, "CTAP2_ERR_FP_DATABASE_FULL";
    /// Large blob storage is full.
    LargeBlobStorageFull = 0x18, "CTAP2_ERR_LARGE_BLOB_STORAGE_FULL";
    /// A credential of the excludeList is present on the authenticator.
    CredentialExcluded = 0x19, "CTAP2_ERR_CREDENTIAL_EXCLUDED";
    /// Processing (lengthy operation is in progress).
    Processing = 0x21, "CTAP2_ERR_PROCESSING";
    /// Credential not valid for the authenticator.
    InvalidCredential = 0x22, "CTAP2_ERR_INVALID_CREDENTIAL";
    /// Authentication is waiting for user interaction.
    UserActionPending = 0x23, "CTAP2_ERR_USER_ACTION_PENDING";
    /// Processing, lengthy operation is in progress.
    OperationPending = 0x24, "CTAP2_ERR_OPERATION_PENDING";
    /// No request is pending.
    NoOperations = 0x25, "CTAP2_ERR_NO_OPERATIONS";
    /// Authenticator does not support the requested algorithm.
    UnsupportedAlgorithm = 0x26, "CTAP2_ERR_UNSUPPORTED_ALGORITHM";
    /// Not authorized for the requested operation (the user declined).
    OperationDenied = 0x27, "CTAP2_ERR_OPERATION_DENIED";
    /// Internal key storage is full.
    KeyStoreFull = 0x28, "CTAP2_ERR_KEY_STORE_FULL";
    /// No outstanding operations (CTAP 2.0; reserved since CTAP 2.1).
    NotBusy = 0x29, "CTAP2_ERR_NOT_BUSY";
    /// No outstanding operation (CTAP 2.0; reserved since CTAP 2.1).
    NoOperationPending = 0x2A, "CTAP2_ERR_NO_OPERATION_PENDING";
    /// Unsupported option.
    UnsupportedOption = 0x2B, "CTAP2_ERR_UNSUPPORTED_OPTION";
    /// Not a valid option for the current operation.
    InvalidOption = 0x2C, "CTAP2_ERR_INVALID_OPTION";
    /// Pending keep-alive was cancelled.
    KeepaliveCancel = 0x2D, "CTAP2_ERR_KEEPALIVE_CANCEL";
    /// No valid credentials provided.
    NoCredentials = 0x2E, "CTAP2_ERR_NO_CREDENTIALS";
    /// A user action timeout occurred.
    UserActionTimeout = 0x2F, "CTAP2_ERR_USER_ACTION_TIMEOUT";
    /// Continuation command, such as authenticatorGetNextAssertion, not allowed.
    NotAllowed = 0x30, "CTAP2_ERR_NOT_ALLOWED";
    /// PIN invalid.
    PinInvalid = 0x31, "CTAP2_ERR_PIN_INVALID";
    /// PIN blocked.
    PinBlocked = 0x32, "CTAP2_ERR_PIN_BLOCKED";
    /// PIN authentication (pinUvAuthParam) verification failed.
    PinAuthInvalid = 0x33, "CTAP2_ERR_PIN_AUTH_INVALID";
    /// PIN authentication using pinUvAuthToken blocked; requires power cycle to reset.
    PinAuthBlocked = 0x34, "CTAP2_ERR_PIN_AUTH_BLOCKED";
    /// No PIN has been set.
    PinNotSet = 0x35, "CTAP2_ERR_PIN_NOT_SET";
    /// A pinUvAuthToken is required for the selected operation (CTAP 2.0: `PIN_REQUIRED`).
    PuatRequired = 0x36, "CTAP2_ERR_PUAT_REQUIRED";
    /// PIN policy violation.
    PinPolicyViolation = 0x37, "CTAP2_ERR_PIN_POLICY_VIOLATION";
    /// pinToken expired on authenticator (CTAP 2.0; reserved since CTAP 2.1).
    PinTokenExpired = 0x38, "CTAP2_ERR_PIN_TOKEN_EXPIRED";
    /// Authenticator cannot handle this request due to memory constraints.
    RequestTooLarge = 0x39, "CTAP2_ERR_REQUEST_TOO_LARGE";
    /// The current operation has timed out.
    ActionTimeout = 0x3A, "CTAP2_ERR_ACTION_TIMEOUT";
    /// User presence is required for the requested operation.
    UpRequired = 0x3B, "CTAP2_ERR_UP_REQUIRED";
    /// Built-in user verification is disabled.
    UvBlocked = 0x3C, "CTAP2_ERR_UV_BLOCKED";
    /// A checksum did not match.
    IntegrityFailure = 0x3D, "CTAP2_ERR_INTEGRITY_FAILURE";
    /// The requested subcommand is either invalid or not implemented.
    InvalidSubcommand = 0x3E, "CTAP2_ERR_INVALID_SUBCOMMAND";
    /// Built-in user verification was unsuccessful; the platform should retry.
    UvInvalid = 0x3F, "CTAP2_ERR_UV_INVALID";
    /// The permissions parameter contains an unauthorized permission.
    UnauthorizedPermission = 0x40, "CTAP2_ERR_UNAUTHORIZED_PERMISSION";
    /// Other unspecified error.
    Other = 0x7F, "CTAP1_ERR_OTHER";
}

/// A CTAP status byte, total over `u8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusCode {
    /// A code the specification names.
    Known(Ctap2Code),
    /// `CTAP2_ERR_EXTENSION_FIRST` (0xE0) to `CTAP2_ERR_EXTENSION_LAST` (0xEF): extension errors.
    Extension(u8),
    /// `CTAP2_ERR_VENDOR_FIRST` (0xF0) to `CTAP2_ERR_VENDOR_LAST` (0xFF): vendor errors.
    Vendor(u8),
    /// Any other byte: unassigned, or reserved by the spec (up to `CTAP2_ERR_SPEC_LAST`, 0xDF).
    Other(u8),
}

impl StatusCode {
    /// `CTAP2_OK`.
    pub const OK: Self = Self::Known(Ctap2Code::Ok);

    /// The status for a wire byte.
    pub const fn from_byte(byte: u8) -> Self {
        match Ctap2Code::from_value(byte) {
            Some(code) => Self::Known(code),
            None => match byte {
                0xE0..=0xEF => Self::Extension(byte),
                0xF0..=0xFF => Self::Vendor(byte),
                _ => Self::Other(byte),
            },
        }
    }

    /// The wire byte.
    pub const fn byte(self) -> u8 {
        match self {
            Self::Known(code) => code.value(),
            Self::Extension(b) | Self::Vendor(b) | Self::Other(b) => b,
        }
    }

    /// Whether this is `CTAP2_OK`.
    pub const fn is_ok(self) -> bool {
        self.byte() == 0
    }
}

impl Ctap2Code {
    /// The code the spec names `name` (`CTAP2_ERR_CREDENTIAL_EXCLUDED`), or names so
    /// after its `CTAP1_ERR_`, `CTAP2_ERR_` or `CTAP2_` prefix (`CREDENTIAL_EXCLUDED`,
    /// `OK`): no two codes share a short name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|code| code.name() == name || code.short_name() == name)
    }

    /// The spec's name without its `CTAP1_ERR_`, `CTAP2_ERR_` or `CTAP2_` prefix,
    /// e.g. `NO_CREDENTIALS`.
    pub fn short_name(self) -> &'static str {
        let name = self.name();
        ["CTAP1_ERR_", "CTAP2_ERR_", "CTAP2_"]
            .iter()
            .find_map(|prefix| name.strip_prefix(prefix))
            .unwrap_or(name)
    }
}

impl From<Ctap2Code> for StatusCode {
    fn from(code: Ctap2Code) -> Self {
        Self::Known(code)
    }
}

impl From<u8> for StatusCode {
    fn from(byte: u8) -> Self {
        Self::from_byte(byte)
    }
}

impl From<StatusCode> for u8 {
    fn from(status: StatusCode) -> Self {
        status.byte()
    }
}

impl fmt::Display for Ctap2Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (0x{:02X})", self.name(), self.value())
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(code) => code.fmt(f),
            Self::Extension(b) => write!(f, "CTAP2_ERR_EXTENSION (0x{b:02X})"),
            Self::Vendor(b) => write!(f, "CTAP2_ERR_VENDOR (0x{b:02X})"),
            Self::Other(b) => write!(f, "unassigned status (0x{b:02X})"),
        }
    }
}

#[cfg(test)]
mod tests;
