//! The slice of the protobuf wire format the migration payload needs (docs/migration.md §3).
//!
//! Hand-written rather than generated so that every error names the byte offset and the field
//! path, and so that encoder quirks (an omitted zero `batch_index`, bug M01) stay switchable.

/// Why protobuf bytes could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("protobuf error at byte {offset} in {path}: {kind}")]
pub struct WireError {
    /// Byte offset into the whole payload where the bad item starts.
    pub offset: usize,
    /// Field path, e.g. `otp_parameters[1].name`, or `payload` at the top level.
    pub path: String,
    /// What was wrong.
    pub kind: WireErrorKind,
}

/// The kinds of protobuf wire errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireErrorKind {
    /// The input ends inside a varint.
    #[error("the data ends inside a varint")]
    TruncatedVarint,
    /// A varint longer than 10 bytes, or a 10th byte above 1.
    #[error("varint longer than 64 bits")]
    VarintTooLong,
    /// A fixed-width value runs past the end.
    #[error("the data ends inside a {width}-byte fixed field")]
    TruncatedFixed {
        /// 4 or 8.
        width: usize,
    },
    /// A length prefix points past the end of the enclosing message.
    #[error("length {length} runs past the end ({remaining} bytes left)")]
    LengthOverrun {
        /// The declared length.
        length: u64,
        /// Bytes left in the enclosing message.
        remaining: usize,
    },
    /// Wire types 3 and 4 (groups) and 6, 7 do not occur in this schema.
    #[error("unsupported wire type {0}")]
    UnsupportedWireType(u8),
    /// Field number 0 is reserved.
    #[error("field number 0")]
    FieldZero,
    /// A field number larger than 2^29 − 1.
    #[error("field number {0} out of range")]
    FieldNumberTooLarge(u64),
    /// A known field arrived with a wire type the schema does not allow.
    #[error("field {field} has wire type {found}, expected {expected}")]
    WrongWireType {
        /// Field number.
        field: u32,
        /// The wire type the schema gives it.
        expected: u8,
        /// The wire type on the wire.
        found: u8,
    },
    /// A `string` field is not UTF-8.
    #[error("string is not UTF-8 (bad byte at offset {valid_up_to} inside it)")]
    InvalidUtf8 {
        /// Bytes of the string that were valid.
        valid_up_to: usize,
    },
}

/// Wire type 0: varint.
pub const VARINT: u8 = 0;
/// Wire type 1: 8 bytes little-endian.
pub const FIXED64: u8 = 1;
/// Wire type 2: length-delimited.
pub const LEN: u8 = 2;
/// Wire type 5: 4 bytes little-endian.
pub const FIXED32: u8 = 5;

/// A field's value as read off the wire, before the schema gives it meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2: the bytes and their absolute offset.
    Bytes(&'a [u8], usize),
    /// Wire type 5.
    Fixed32(u32),
}

impl Value<'_> {
    /// The wire type number of this value.
    pub fn wire_type(&self) -> u8 {
        match self {
            Value::Varint(_) => VARINT,
            Value::Fixed64(_) => FIXED64,
            Value::Bytes(..) => LEN,
            Value::Fixed32(_) => FIXED32,
        }
    }
}

/// One field as read: number, value, and the absolute offset of its tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// Field number.
    pub number: u32,
    /// Value.
    pub value: Value<'a>,
    /// Absolute offset of the tag byte.
    pub offset: usize,
}

/// Iterates over the fields of one message, with offsets relative to the whole payload.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, whose first byte sits at absolute offset `base`.
    pub fn new(buf: &'a [u8], base: usize) -> Self {
        Self { buf, pos: 0, base }
    }

    fn err(&self, at: usize, path: &str, kind: WireErrorKind) -> WireError {
        WireError {
            offset: self.base + at,
            path: path.to_owned(),
            kind,
        }
    }

    fn varint(&mut self, path: &str) -> Result<u64, WireError> {
        let start = self.pos;
        let mut value: u64 = 0;
        for i in 0..10 {
            let Some(&byte) = self.buf.get(self.pos) else {
                return Err(self.err(start, path, WireErrorKind::TruncatedVarint));
            };
            self.pos += 1;
            // The tenth byte may carry only the 64th bit.
            if i == 9 && byte > 1 {
                return Err(self.err(start, path, WireErrorKind::VarintTooLong));
            }
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.err(start, path, WireErrorKind::VarintTooLong))
    }

    fn fixed<const N: usize>(&mut self, path: &str) -> Result<[u8; N], WireError> {
        let bytes = self
            .buf
            .get(self.pos..self.pos + N)
            .and_then(|s| <[u8; N]>::try_from(s).ok())
            .ok_or_else(|| self.err(self.pos, path, WireErrorKind::TruncatedFixed { width: N }))?;
        self.pos += N;
        Ok(bytes)
    }

    /// The next field, or `None` at the end of the message. `path` names the message for errors.
    pub fn next_field(&mut self, path: &str) -> Result<Option<Field<'a>>, WireError> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let offset = self.pos;
        let tag = self.varint(path)?;
        let number = tag >> 3;
        let wire_type = (tag & 7) as u8;
        if number == 0 {
            return Err(self.err(offset, path, WireErrorKind::FieldZero));
        }
        let number = u32::try_from(number)
            .ok()
            .filter(|n| *n < (1 << 29))
            .ok_or_else(|| self.err(offset, path, WireErrorKind::FieldNumberTooLarge(number)))?;
        let value = match wire_type {
            VARINT => Value::Varint(self.varint(path)?),
            FIXED64 => Value::Fixed64(u64::from_le_bytes(self.fixed::<8>(path)?)),
            FIXED32 => Value::Fixed32(u32::from_le_bytes(self.fixed::<4>(path)?)),
            LEN => {
                let len_at = self.pos;
                let length = self.varint(path)?;
                let remaining = self.buf.len() - self.pos;
                let len = usize::try_from(length)
                    .ok()
                    .filter(|l| *l <= remaining)
                    .ok_or_else(|| {
                        self.err(
                            len_at,
                            path,
                            WireErrorKind::LengthOverrun { length, remaining },
                        )
                    })?;
                let start = self.pos;
                let bytes = self.buf.get(start..start + len).unwrap_or_default();
                self.pos += len;
                Value::Bytes(bytes, self.base + start)
            }
            other => {
                return Err(self.err(offset, path, WireErrorKind::UnsupportedWireType(other)));
            }
        };
        Ok(Some(Field {
            number,
            value,
            offset: self.base + offset,
        }))
    }
}

impl Field<'_> {
    fn wrong(&self, path: &str, expected: u8) -> WireError {
        WireError {
            offset: self.offset,
            path: path.to_owned(),
            kind: WireErrorKind::WrongWireType {
                field: self.number,
                expected,
                found: self.value.wire_type(),
            },
        }
    }

    /// The value as a varint, or a wire-type error naming `path`.
    pub fn varint(&self, path: &str) -> Result<u64, WireError> {
        match self.value {
            Value::Varint(v) => Ok(v),
            _ => Err(self.wrong(path, VARINT)),
        }
    }

    /// The value as an `int32`: protobuf truncates the 64-bit varint to its low 32 bits.
    pub fn int32(&self, path: &str) -> Result<i32, WireError> {
        self.varint(path).map(|v| v as u32 as i32)
    }

    /// The value as length-delimited bytes with their absolute offset.
    pub fn bytes(&self, path: &str) -> Result<(&[u8], usize), WireError> {
        match self.value {
            Value::Bytes(b, at) => Ok((b, at)),
            _ => Err(self.wrong(path, LEN)),
        }
    }

    /// The value as a UTF-8 `string`.
    pub fn string(&self, path: &str) -> Result<String, WireError> {
        let (bytes, at) = self.bytes(path)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|e| WireError {
                offset: at + e.valid_up_to(),
                path: path.to_owned(),
                kind: WireErrorKind::InvalidUtf8 {
                    valid_up_to: e.valid_up_to(),
                },
            })
    }
}

/// Appends protobuf fields to a buffer.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    /// The bytes written so far.
    pub buf: Vec<u8>,
}

impl Writer {
    /// Appends a raw varint.
    pub fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.buf.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.buf.push(value as u8);
    }

    fn tag(&mut self, field: u32, wire_type: u8) {
        self.varint((u64::from(field) << 3) | u64::from(wire_type));
    }

    /// Field with an unsigned varint value.
    pub fn uint64(&mut self, field: u32, value: u64) {
        self.tag(field, VARINT);
        self.varint(value);
    }

    /// Field with an `int32`/enum value: negatives are sign-extended to 10 bytes as protobuf does.
    pub fn int32(&mut self, field: u32, value: i32) {
        self.uint64(field, i64::from(value) as u64);
    }

    /// Length-delimited field.
    pub fn bytes(&mut self, field: u32, value: &[u8]) {
        self.tag(field, LEN);
        self.varint(value.len() as u64);
        self.buf.extend_from_slice(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_int32_is_ten_bytes_and_reads_back() {
        let mut w = Writer::default();
        w.int32(5, -1_320_898_453);
        assert_eq!(w.buf.len(), 1 + 10);
        let mut r = Reader::new(&w.buf, 0);
        let f = r.next_field("p").unwrap().unwrap();
        assert_eq!(f.int32("p").unwrap(), -1_320_898_453);
        assert_eq!(r.next_field("p").unwrap(), None);
    }

    #[test]
    fn errors_name_offset_and_path() {
        // Field 2, LEN, length 5 but only 2 bytes follow.
        let mut r = Reader::new(&[0x12, 0x05, b'a', b'b'], 100);
        let e = r.next_field("otp_parameters[0]").unwrap_err();
        assert_eq!(e.offset, 101);
        assert_eq!(e.path, "otp_parameters[0]");
        assert_eq!(
            e.kind,
            WireErrorKind::LengthOverrun {
                length: 5,
                remaining: 2
            }
        );
        let e = Reader::new(&[0x08, 0xff, 0xff], 0)
            .next_field("payload")
            .unwrap_err();
        assert_eq!((e.offset, e.kind), (1, WireErrorKind::TruncatedVarint));
        let mut long = vec![0x08];
        long.extend([0xff; 10]);
        long.push(0x02);
        let e = Reader::new(&long, 0).next_field("payload").unwrap_err();
        assert_eq!(e.kind, WireErrorKind::VarintTooLong);
        let e = Reader::new(&[0x0b], 0).next_field("payload").unwrap_err();
        assert_eq!(e.kind, WireErrorKind::UnsupportedWireType(3));
    }
}
