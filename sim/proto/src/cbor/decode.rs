//! A strict, bounded CBOR reader that reports where input went wrong.
//!
//! The canonical rules are those CTAP2 authenticators enforce (CTAP 2.2 §8 and Chromium's
//! `cbor::Reader`): definite lengths only, minimal integer and length encodings, map keys in
//! canonical order with no duplicates, no tags, no floats, and only false/true/null as simple
//! values.

use super::encode::canonical_order;
use super::Value;
use std::cmp::Ordering;
use std::fmt;

/// How much of the canonical form a decoder insists on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// CTAP2 canonical CBOR: what authenticators and Chromium accept.
    Canonical,
    /// Any well-formed definite-length CBOR, in any key order, with tags and floats; duplicate
    /// keys are still refused because their meaning is ambiguous.
    WellFormed,
}

/// Deepest nesting of arrays, maps and tags accepted (Chromium's reader uses the same bound).
pub const MAX_DEPTH: usize = 16;

/// A CBOR decoding failure and the byte offset at which it was detected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CBOR byte {offset}: {kind}")]
pub struct CborError {
    /// Offset into the input of the item (or byte) that is wrong.
    pub offset: usize,
    /// What is wrong there.
    pub kind: CborErrorKind,
}

/// The ways CBOR input can be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CborErrorKind {
    /// The input ended inside an item; `needed` more bytes were expected.
    UnexpectedEnd {
        /// Bytes missing.
        needed: u64,
    },
    /// Additional-information values 28–30 are reserved by RFC 8949.
    ReservedAdditionalInfo(u8),
    /// Indefinite-length items (additional information 31) are not allowed.
    IndefiniteLength,
    /// An integer or length was not written in its shortest form.
    NonMinimalEncoding,
    /// A text string is not valid UTF-8.
    InvalidUtf8,
    /// A map key appears twice.
    DuplicateKey,
    /// A map key is not in CTAP2 canonical order after the previous key.
    KeysOutOfOrder,
    /// Arrays, maps and tags nest deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A tag appeared where canonical CTAP2 CBOR has none.
    TagNotAllowed(u64),
    /// A floating-point value appeared where canonical CTAP2 CBOR has none.
    FloatNotAllowed,
    /// A simple value other than false, true or null.
    UnsupportedSimpleValue(u8),
    /// Bytes follow the single top-level item.
    TrailingBytes {
        /// How many bytes are left over.
        count: usize,
    },
}

impl fmt::Display for CborErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedEnd { needed } => {
                write!(f, "input ends early ({needed} more byte(s) needed)")
            }
            Self::ReservedAdditionalInfo(ai) => {
                write!(f, "reserved additional-information value {ai}")
            }
            Self::IndefiniteLength => write!(f, "indefinite length is not allowed"),
            Self::NonMinimalEncoding => {
                write!(f, "integer or length not in its shortest encoding")
            }
            Self::InvalidUtf8 => write!(f, "text string is not valid UTF-8"),
            Self::DuplicateKey => write!(f, "duplicate map key"),
            Self::KeysOutOfOrder => write!(f, "map keys not in CTAP2 canonical order"),
            Self::TooDeep => write!(f, "nesting deeper than {MAX_DEPTH} levels"),
            Self::TagNotAllowed(tag) => write!(f, "tag {tag} is not allowed"),
            Self::FloatNotAllowed => write!(f, "floating-point values are not allowed"),
            Self::UnsupportedSimpleValue(v) => write!(f, "unsupported simple value {v}"),
            Self::TrailingBytes { count } => {
                write!(f, "{count} byte(s) after the end of the item")
            }
        }
    }
}

/// Decodes exactly one CBOR item that fills all of `input`.
pub fn decode(input: &[u8], strictness: Strictness) -> Result<Value, CborError> {
    let (value, used) = decode_prefix(input, strictness)?;
    if used < input.len() {
        return Err(CborError {
            offset: used,
            kind: CborErrorKind::TrailingBytes {
                count: input.len() - used,
            },
        });
    }
    Ok(value)
}

/// Decodes the first CBOR item of `input` and returns it with the number of bytes it used.
///
/// For formats where CBOR is followed by something else, such as padded maps (§7.3).
pub fn decode_prefix(input: &[u8], strictness: Strictness) -> Result<(Value, usize), CborError> {
    let mut reader = Reader {
        input,
        pos: 0,
        strictness,
    };
    let value = reader.item(0)?;
    Ok((value, reader.pos))
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    strictness: Strictness,
}

/// The initial byte of an item and the argument it carries.
struct Head {
    offset: usize,
    major: u8,
    /// Additional information (the low five bits).
    info: u8,
    /// The integer, length or simple value; meaningless when `info` is 31.
    arg: u64,
}

impl Reader<'_> {
    fn canonical(&self) -> bool {
        self.strictness == Strictness::Canonical
    }

    fn fail<T>(&self, offset: usize, kind: CborErrorKind) -> Result<T, CborError> {
        Err(CborError { offset, kind })
    }

    fn take(&mut self, n: u64) -> Result<&[u8], CborError> {
        let remaining = self.input.len() - self.pos;
        let Ok(n) = usize::try_from(n) else {
            return self.fail(self.pos, CborErrorKind::UnexpectedEnd { needed: n });
        };
        if n > remaining {
            let needed = u64::try_from(n - remaining).unwrap_or(u64::MAX);
            return self.fail(self.pos, CborErrorKind::UnexpectedEnd { needed });
        }
        let start = self.pos;
        self.pos += n;
        Ok(self.input.get(start..start + n).unwrap_or_default())
    }

    fn head(&mut self) -> Result<Head, CborError> {
        let offset = self.pos;
        let initial = *self.take(1)?.first().unwrap_or(&0);
        let (major, info) = (initial >> 5, initial & 0x1f);
        let (arg, smallest) = match info {
            0..=23 => (u64::from(info), 0),
            24 => (self.be_uint(1)?, 24),
            25 => (self.be_uint(2)?, 0x100),
            26 => (self.be_uint(4)?, 0x1_0000),
            27 => (self.be_uint(8)?, 0x1_0000_0000),
            28..=30 => return self.fail(offset, CborErrorKind::ReservedAdditionalInfo(info)),
            _ => (0, 0),
        };
        // Floats (major 7, info 25–27) carry bits, not an integer, so "shortest" does not apply.
        let is_float = major == 7 && (25..=27).contains(&info);
        if self.canonical() && !is_float && (24..=27).contains(&info) && arg < smallest {
            return self.fail(offset, CborErrorKind::NonMinimalEncoding);
        }
        Ok(Head {
            offset,
            major,
            info,
            arg,
        })
    }

    fn be_uint(&mut self, n: u64) -> Result<u64, CborError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        let head = self.head()?;
        if head.info == 31 {
            return self.fail(head.offset, CborErrorKind::IndefiniteLength);
        }
        match head.major {
            0 => Ok(Value::Integer(head.arg.into())),
            1 => {
                let n = -1 - i128::from(head.arg);
                // -2^64..-1 always fits ciborium's Integer.
                Ok(Value::Integer(
                    ciborium::value::Integer::try_from(n).unwrap_or(0.into()),
                ))
            }
            2 => Ok(Value::Bytes(self.take(head.arg)?.to_vec())),
            3 => {
                let bytes = self.take(head.arg)?.to_vec();
                String::from_utf8(bytes)
                    .map(Value::Text)
                    .or_else(|_| self.fail(head.offset, CborErrorKind::InvalidUtf8))
            }
            4 => self.array(&head, depth),
            5 => self.map(&head, depth),
            6 => self.tag(&head, depth),
            _ => self.simple(&head),
        }
    }

    fn enter(&self, head: &Head, depth: usize) -> Result<usize, CborError> {
        if depth >= MAX_DEPTH {
            return self.fail(head.offset, CborErrorKind::TooDeep);
        }
        Ok(depth + 1)
    }

    /// Refuses a count of items that cannot fit in what is left (each item takes at least one
    /// byte), before anything is allocated for them.
    fn check_count(&self, head: &Head, per_item: u64) -> Result<usize, CborError> {
        let remaining = u64::try_from(self.input.len() - self.pos).unwrap_or(u64::MAX);
        let needed = head.arg.saturating_mul(per_item);
        if needed > remaining {
            return self.fail(
                self.pos,
                CborErrorKind::UnexpectedEnd {
                    needed: needed - remaining,
                },
            );
        }
        Ok(usize::try_from(head.arg).unwrap_or(usize::MAX))
    }

    fn array(&mut self, head: &Head, depth: usize) -> Result<Value, CborError> {
        let depth = self.enter(head, depth)?;
        let count = self.check_count(head, 1)?;
        let mut items = Vec::with_capacity(count);
        for _ in 0..count {
            items.push(self.item(depth)?);
        }
        Ok(Value::Array(items))
    }

    fn map(&mut self, head: &Head, depth: usize) -> Result<Value, CborError> {
        let depth = self.enter(head, depth)?;
        let count = self.check_count(head, 2)?;
        let mut entries = Vec::with_capacity(count);
        let mut keys: Vec<(usize, usize)> = Vec::with_capacity(count);
        for _ in 0..count {
            let key_start = self.pos;
            let key = self.item(depth)?;
            let key_span = (key_start, self.pos);
            self.check_key(&keys, key_span)?;
            keys.push(key_span);
            let value = self.item(depth)?;
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }

    /// In canonical mode each key must sort after the previous one (which also rules out
    /// duplicates); otherwise only duplicates are refused.
    fn check_key(&self, earlier: &[(usize, usize)], key: (usize, usize)) -> Result<(), CborError> {
        let bytes = |(a, b): (usize, usize)| self.input.get(a..b).unwrap_or_default();
        let this = bytes(key);
        if self.canonical() {
            if let Some(&previous) = earlier.last() {
                return match canonical_order(bytes(previous), this) {
                    Ordering::Less => Ok(()),
                    Ordering::Equal => self.fail(key.0, CborErrorKind::DuplicateKey),
                    Ordering::Greater => self.fail(key.0, CborErrorKind::KeysOutOfOrder),
                };
            }
            return Ok(());
        }
        if earlier.iter().any(|&span| bytes(span) == this) {
            return self.fail(key.0, CborErrorKind::DuplicateKey);
        }
        Ok(())
    }

    fn tag(&mut self, head: &Head, depth: usize) -> Result<Value, CborError> {
        if self.canonical() {
            return self.fail(head.offset, CborErrorKind::TagNotAllowed(head.arg));
        }
        let depth = self.enter(head, depth)?;
        let inner = self.item(depth)?;
        Ok(Value::Tag(head.arg, Box::new(inner)))
    }

    fn simple(&mut self, head: &Head) -> Result<Value, CborError> {
        match head.info {
            20 => Ok(Value::Bool(false)),
            21 => Ok(Value::Bool(true)),
            22 => Ok(Value::Null),
            25..=27 if !self.canonical() => Ok(Value::Float(float_from_bits(head.info, head.arg))),
            25..=27 => self.fail(head.offset, CborErrorKind::FloatNotAllowed),
            _ => {
                let value = u8::try_from(head.arg).unwrap_or(u8::MAX);
                self.fail(head.offset, CborErrorKind::UnsupportedSimpleValue(value))
            }
        }
    }
}

fn float_from_bits(info: u8, bits: u64) -> f64 {
    match info {
        25 => f64::from(half_to_f32(u16::try_from(bits).unwrap_or(0))),
        26 => f64::from(f32::from_bits(u32::try_from(bits).unwrap_or(0))),
        _ => f64::from_bits(bits),
    }
}

/// IEEE 754 binary16 to binary32 (RFC 8949 Appendix D).
fn half_to_f32(half: u16) -> f32 {
    let exponent = (half >> 10) & 0x1f;
    let mantissa = f32::from(half & 0x3ff);
    let magnitude = match exponent {
        0 => mantissa * 2f32.powi(-24),
        31 if mantissa == 0.0 => f32::INFINITY,
        31 => f32::NAN,
        e => (mantissa + 1024.0) * 2f32.powi(i32::from(e) - 25),
    };
    if half & 0x8000 != 0 {
        -magnitude
    } else {
        magnitude
    }
}
