//! What a lenient `otpauth://` parse tolerated: each deviation from the strict form, by name
//! (docs/migration.md §2.1 and §2.2 say which real apps accept or refuse each one).

use std::fmt;

/// One deviation from the strict Key URI form that the lenient parser accepted.
///
/// [`Finding::name`] is stable (scripts and tests match on it); the `Display` text explains it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Finding {
    /// Whitespace (often a newline) before or after the URI was trimmed.
    TrailingWhitespace,
    /// The scheme was not written `otpauth` in lower case.
    SchemeCase,
    /// The type was not written `totp`/`hotp` in lower case.
    TypeCase,
    /// A character that must be percent-encoded in a URI (space, non-ASCII, …) appeared raw.
    UnencodedCharacter {
        /// 0-based character position in the (untrimmed) text.
        position: usize,
        /// The character.
        found: char,
    },
    /// The label (account name) is empty.
    LabelEmpty,
    /// The label has two or more colons; it is kept whole as the account name.
    LabelExtraColons {
        /// How many colons.
        colons: usize,
    },
    /// The label starts with a colon: an empty issuer prefix, treated as none.
    LabelEmptyIssuer,
    /// The issuer is only in the label prefix, not in the `issuer` parameter.
    IssuerOnlyInLabel,
    /// The issuer is only in the `issuer` parameter, not in the label prefix.
    IssuerOnlyInParameter,
    /// Neither the label nor a parameter names the issuer.
    IssuerMissing,
    /// `issuer=` is present but empty; treated as absent.
    IssuerEmpty,
    /// The label prefix and the `issuer` parameter differ; the parameter wins.
    IssuerMismatch {
        /// The label prefix.
        label: String,
        /// The `issuer` parameter.
        parameter: String,
    },
    /// A raw `+` in a query value, read as a space (HTML form encoding) rather than a plus.
    PlusInQuery {
        /// The parameter it was in.
        parameter: String,
    },
    /// An empty query item (`&&`, a trailing `&` or `?` with nothing after it); skipped.
    EmptyParameter,
    /// A parameter the Key URI format does not define; ignored.
    UnknownParameter {
        /// Its name.
        parameter: String,
    },
    /// A parameter given more than once; the first value is used.
    DuplicateParameter {
        /// Its name.
        parameter: String,
    },
    /// `period` on an HOTP URI or `counter` on a TOTP URI; ignored.
    ParameterNotForType {
        /// Its name.
        parameter: String,
    },
    /// A `#fragment` after the query; ignored.
    Fragment,
    /// The secret has lower-case letters; upper-cased.
    SecretLowercase,
    /// The secret has spaces; removed.
    SecretWhitespace,
    /// The secret has dashes; removed.
    SecretDashes,
    /// The secret has `=` padding; removed.
    SecretPadding,
    /// The secret's length is not one that whole bytes encode to, or its last character has
    /// non-zero unused bits; the leftover bits are dropped (as GA Android does).
    SecretTrailingBits,
    /// The secret is shorter than RFC 4226's 128-bit minimum.
    SecretShort {
        /// Its length in bits.
        bits: usize,
    },
    /// The algorithm name is not in upper case (`sha256`).
    AlgorithmLowercase {
        /// The text found.
        found: String,
    },
    /// 9 or 10 digits: computable, but outside the format's 6–8.
    DigitsUnusual {
        /// The digit count.
        digits: u8,
    },
}

impl Finding {
    /// The stable kebab-case name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::TrailingWhitespace => "trailing-whitespace",
            Self::SchemeCase => "scheme-case",
            Self::TypeCase => "type-case",
            Self::UnencodedCharacter { .. } => "unencoded-character",
            Self::LabelEmpty => "label-empty",
            Self::LabelExtraColons { .. } => "label-extra-colons",
            Self::LabelEmptyIssuer => "label-empty-issuer",
            Self::IssuerOnlyInLabel => "issuer-only-in-label",
            Self::IssuerOnlyInParameter => "issuer-only-in-parameter",
            Self::IssuerMissing => "issuer-missing",
            Self::IssuerEmpty => "issuer-empty",
            Self::IssuerMismatch { .. } => "issuer-mismatch",
            Self::PlusInQuery { .. } => "plus-in-query",
            Self::EmptyParameter => "empty-parameter",
            Self::UnknownParameter { .. } => "unknown-parameter",
            Self::DuplicateParameter { .. } => "duplicate-parameter",
            Self::ParameterNotForType { .. } => "parameter-not-for-type",
            Self::Fragment => "fragment",
            Self::SecretLowercase => "secret-lowercase",
            Self::SecretWhitespace => "secret-whitespace",
            Self::SecretDashes => "secret-dashes",
            Self::SecretPadding => "secret-padding",
            Self::SecretTrailingBits => "secret-trailing-bits",
            Self::SecretShort { .. } => "secret-short",
            Self::AlgorithmLowercase { .. } => "algorithm-lowercase",
            Self::DigitsUnusual { .. } => "digits-unusual",
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TrailingWhitespace => f.write_str(
                "whitespace around the URI was trimmed (Authy, GA and FreeOTP called a trailing newline an invalid token)",
            ),
            Self::SchemeCase => f.write_str("the scheme is not lower-case `otpauth`"),
            Self::TypeCase => f.write_str("the type is not lower-case `totp` or `hotp` (pyotp refuses it)"),
            Self::UnencodedCharacter { position, found } => write!(
                f,
                "{found:?} at position {position} should be percent-encoded"
            ),
            Self::LabelEmpty => f.write_str("the label has no account name"),
            Self::LabelExtraColons { colons } => write!(
                f,
                "the label has {colons} colons; kept whole as the account name with no issuer prefix (as Aegis does; 2FAuth refuses \"Label contains a colon\")"
            ),
            Self::LabelEmptyIssuer => f.write_str("the label starts with `:`: an empty issuer prefix, ignored"),
            Self::IssuerOnlyInLabel => f.write_str(
                "the issuer is only in the label prefix; the wiki recommends the `issuer` parameter as well (newer GA uses the parameter)",
            ),
            Self::IssuerOnlyInParameter => f.write_str(
                "the issuer is only in the `issuer` parameter; the wiki recommends the label prefix as well (older GA showed only the prefix)",
            ),
            Self::IssuerMissing => f.write_str(
                "no issuer anywhere: the same user name at two sites gives look-alike entries or one overwrites the other",
            ),
            Self::IssuerEmpty => f.write_str("`issuer=` is empty; treated as absent"),
            Self::IssuerMismatch { label, parameter } => write!(
                f,
                "label prefix {label:?} differs from issuer={parameter:?}; lenient parsing keeps the parameter ({parameter:?}), Aegis keeps the prefix, pyotp and totp-rs refuse the URI"
            ),
            Self::PlusInQuery { parameter } => write!(
                f,
                "`+` in {parameter}= read as a space (form encoding); an RFC 3986 reader keeps it as `+`"
            ),
            Self::EmptyParameter => f.write_str("an empty query item was skipped"),
            Self::UnknownParameter { parameter } => {
                write!(f, "parameter {parameter:?} is not in the Key URI format; ignored")
            }
            Self::DuplicateParameter { parameter } => {
                write!(f, "parameter {parameter:?} appears more than once; the first is used")
            }
            Self::ParameterNotForType { parameter } => {
                write!(f, "parameter {parameter:?} does not belong to this OTP type; ignored")
            }
            Self::Fragment => f.write_str("a #fragment was ignored"),
            Self::SecretLowercase => f.write_str(
                "the secret has lower-case letters; upper-cased as GA Android and Aegis do (other tools refuse)",
            ),
            Self::SecretWhitespace => f.write_str(
                "the secret has spaces; removed as Aegis and GA Android do (Aegis once failed with \"Unrecognized character: 0x20\")",
            ),
            Self::SecretDashes => f.write_str("the secret has dashes; removed as Aegis and GA Android do"),
            Self::SecretPadding => f.write_str(
                "the secret has `=` padding, which the wiki says to omit; GA iOS 3.0.0 and Yubico Authenticator refused it",
            ),
            Self::SecretTrailingBits => f.write_str(
                "the secret's length does not end on a whole byte; the leftover bits were dropped (andOTP and GA refused such a secret, a browser extension produced different codes)",
            ),
            Self::SecretShort { bits } => write!(
                f,
                "the secret has {bits} bits, below RFC 4226's 128-bit minimum (strict libraries refuse it)"
            ),
            Self::AlgorithmLowercase { found } => write!(
                f,
                "algorithm {found:?} is not upper case (FreeOTP refused `sha512`, pyotp refuses it)"
            ),
            Self::DigitsUnusual { digits } => write!(
                f,
                "{digits} digits: the format allows 6 to 8; most apps will show something else"
            ),
        }
    }
}
