//! One line of a log file: its canonical encoding and a strict decoder.
//!
//! A line is a JSON object written in exactly one way (see `docs/format.md`):
//!
//! ```text
//! {"format":"ceasefire-log-v1","seq":1,"crc32c":"…","hash":"…","event":{…}}
//! {"seq":2,"more":1,"crc32c":"…","hash":"…","event":{…}}
//! ```
//!
//! The decoder accepts a line only if it is byte for byte what the encoder writes for the
//! fields it holds, so every byte of a line is covered by some check.

use std::io::Write;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::id::Seq;
use crate::log::ChainHash;

/// The format identifier the first line of every log file carries.
pub const FORMAT: &str = "ceasefire-log-v1";

/// The longest error message quoted from the JSON parser, in characters.
const MAX_MESSAGE: usize = 200;

/// A decoded line, borrowing the line's bytes. Produced by [`decode_line`], which has checked
/// its form and its CRC; its place in the log (sequence, chain, batch) is checked by the
/// reader of the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Line<'a> {
    /// The format identifier: present on the first line only.
    pub format: Option<&'a str>,
    /// The record's sequence number.
    pub seq: Seq,
    /// How many records of the same batch follow this one (0 for a single append and for the
    /// last record of a batch).
    pub more: u64,
    /// The CRC32C (Castagnoli) of the sequence number and the batch marker (each as 8 bytes
    /// big-endian) followed by the event's bytes.
    pub crc32c: u32,
    /// The chain hash after this record.
    pub hash: ChainHash,
    /// The event's exact stored bytes: a JSON object, as `serde_json::to_vec(&event)` wrote it.
    pub event: &'a str,
}

/// Why a line is not a well-formed record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    /// The line is not UTF-8.
    #[error("the line is not valid utf-8 (from byte {valid_up_to} of the line on)")]
    NotUtf8 {
        /// How many bytes from the start of the line are valid.
        valid_up_to: usize,
    },
    /// The line is not a JSON object with the record's fields.
    #[error("the line is not a record: {message}")]
    Syntax {
        /// What the parser says (shortened).
        message: String,
    },
    /// The line holds the right fields but is not written the one way this format allows
    /// (field order, white space, letter case, number form, an extra `more`).
    #[error("the line is not in canonical form: {detail}")]
    NotCanonical {
        /// What differs.
        detail: &'static str,
    },
    /// The line's sequence number, batch marker and event bytes do not have the CRC it states.
    #[error("record {seq}: the crc32c of the record is {computed:08x}, the line says {stored:08x}")]
    Crc {
        /// The sequence number the line states.
        seq: Seq,
        /// The CRC the line states.
        stored: u32,
        /// The CRC of the bytes.
        computed: u32,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields<'a> {
    #[serde(default, borrow)]
    format: Option<&'a str>,
    seq: u64,
    #[serde(default)]
    more: Option<u64>,
    crc32c: &'a str,
    hash: &'a str,
    #[serde(borrow)]
    event: &'a RawValue,
}

/// Decodes one line of a log file (without its newline) and checks its form and its CRC.
///
/// It does not check the line's place in the log: that the sequence number is the next one,
/// that the chain hash follows from the previous line's, that the batch marker continues the
/// previous line's, nor that the event decodes and the rules accept it. Opening a log (or
/// [`crate::store::verify`]) checks all of that.
///
/// # Errors
/// A [`LineError`]: not UTF-8, not a record, not in canonical form, or a CRC mismatch.
pub fn decode_line(line: &[u8]) -> Result<Line<'_>, LineError> {
    // Nearly every line is canonical: read its prefix byte by byte, and parse it as JSON (to
    // say precisely what is wrong) only when that fails.
    if let Some(decoded) = scan_canonical(line) {
        let computed = line_crc(decoded.seq, decoded.more, decoded.event.as_bytes());
        if computed != decoded.crc32c {
            return Err(LineError::Crc {
                seq: decoded.seq,
                stored: decoded.crc32c,
                computed,
            });
        }
        return Ok(decoded);
    }
    decode_slowly(line)
}

/// A line in canonical form, read without a JSON parser for its prefix; `None` for anything
/// else (the general decoder then finds what is wrong, with the same verdict as before). It
/// accepts exactly the lines the general decoder accepts up to the CRC: the canonical prefix
/// (see [`write_prefix`]), then one JSON value with no white space around it, then `}`.
fn scan_canonical(line: &[u8]) -> Option<Line<'_>> {
    let mut rest = line.strip_prefix(b"{")?;
    let format = match rest.strip_prefix(b"\"format\":\"") {
        Some(after) => {
            rest = after
                .strip_prefix(FORMAT.as_bytes())?
                .strip_prefix(b"\",")?;
            Some(FORMAT)
        }
        None => None,
    };
    rest = rest.strip_prefix(b"\"seq\":")?;
    let (seq, after) = canonical_number(rest)?;
    rest = after;
    let more = match rest.strip_prefix(b",\"more\":") {
        Some(after) => {
            let (more, after) = canonical_number(after)?;
            if more == 0 {
                return None;
            }
            rest = after;
            more
        }
        None => 0,
    };
    rest = rest.strip_prefix(b",\"crc32c\":\"")?;
    let (crc, after) = rest.split_at_checked(8)?;
    let crc32c = u32::from_str_radix(lower_hex(crc)?, 16).ok()?;
    rest = after.strip_prefix(b"\",\"hash\":\"")?;
    let (hash, after) = rest.split_at_checked(64)?;
    let hash = ChainHash::from_hex(lower_hex(hash)?).ok()?;
    let event = after.strip_prefix(b"\",\"event\":")?.strip_suffix(b"}")?;
    let white = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    if event.first().is_none_or(white) || event.last().is_none_or(white) {
        return None;
    }
    let event = std::str::from_utf8(event).ok()?;
    // One JSON value, exactly (the general decoder reads it as a raw value too).
    serde_json::from_str::<&RawValue>(event).ok()?;
    Some(Line {
        format,
        seq: Seq(seq),
        more,
        crc32c,
        hash,
        event,
    })
}

/// A decimal number as the encoder writes it (no sign, no leading zero) at the start of
/// `bytes`, and what follows it.
fn canonical_number(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let (number, rest) = bytes.split_at_checked(digits)?;
    if digits == 0 || (digits > 1 && number.first() == Some(&b'0')) {
        return None;
    }
    let mut value: u64 = 0;
    for d in number {
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some((value, rest))
}

/// `bytes` as text if they are all lowercase hexadecimal digits.
fn lower_hex(bytes: &[u8]) -> Option<&str> {
    let lower = |c: &u8| c.is_ascii_digit() || (b'a'..=b'f').contains(c);
    if bytes.iter().all(lower) {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    }
}

/// The general decoder: parses the line as JSON and compares it with its canonical form.
fn decode_slowly(line: &[u8]) -> Result<Line<'_>, LineError> {
    let text = std::str::from_utf8(line).map_err(|e| LineError::NotUtf8 {
        valid_up_to: e.valid_up_to(),
    })?;
    let fields: Fields<'_> = serde_json::from_str(text).map_err(|e| LineError::Syntax {
        message: parser_message(&e, 0),
    })?;
    let hash = ChainHash::from_hex(fields.hash).map_err(|_| LineError::Syntax {
        message: "hash is not 64 hexadecimal digits".into(),
    })?;
    let crc32c = parse_crc(fields.crc32c).ok_or(LineError::NotCanonical {
        detail: "crc32c must be 8 lowercase hexadecimal digits",
    })?;
    let decoded = Line {
        format: fields.format,
        seq: Seq(fields.seq),
        more: fields.more.unwrap_or(0),
        crc32c,
        hash,
        event: fields.event.get(),
    };
    if fields.more == Some(0) {
        return Err(LineError::NotCanonical {
            detail: "a zero batch marker is written by leaving `more` out",
        });
    }
    let mut canonical = Vec::with_capacity(line.len());
    write_prefix(
        &mut canonical,
        decoded.format,
        decoded.seq,
        decoded.more,
        crc32c,
        &hash,
    );
    let rest = line.strip_prefix(canonical.as_slice());
    let body = rest
        .and_then(|r| r.strip_suffix(b"}"))
        .filter(|body| *body == decoded.event.as_bytes());
    if body.is_none() {
        return Err(LineError::NotCanonical {
            detail: "the line differs from the one way its fields are written",
        });
    }
    let computed = line_crc(decoded.seq, decoded.more, decoded.event.as_bytes());
    if computed != crc32c {
        return Err(LineError::Crc {
            seq: decoded.seq,
            stored: crc32c,
            computed,
        });
    }
    Ok(decoded)
}

/// A JSON parser's message, shortened, with the position it gives ("at line 1 column 57",
/// counted from the start of what it parsed) replaced by the column in the file's line:
/// `shift` is where in the line the parsed text starts, in bytes.
pub(crate) fn parser_message(error: &serde_json::Error, shift: usize) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let bare: String = text
        .strip_suffix(&position)
        .unwrap_or(&text)
        .chars()
        .take(MAX_MESSAGE)
        .collect();
    if error.line() == 0 {
        return bare;
    }
    format!(
        "{bare}, at column {} of the line",
        error.column().saturating_add(shift)
    )
}

/// Where a decoded line's event starts in the line, in bytes (the line ends with the event
/// and a closing brace).
pub(crate) fn event_start(line: &[u8], event: &str) -> usize {
    line.len().saturating_sub(event.len() + 1)
}

/// The CRC a line states: CRC32C over the sequence number and the batch marker, each as 8
/// bytes big-endian, then the event's exact bytes.
fn line_crc(seq: Seq, more: u64, event: &[u8]) -> u32 {
    let crc = crc32c::crc32c(&seq.get().to_be_bytes());
    let crc = crc32c::crc32c_append(crc, &more.to_be_bytes());
    crc32c::crc32c_append(crc, event)
}

fn parse_crc(text: &str) -> Option<u32> {
    let lower = |c: u8| c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
    if text.len() != 8 || !text.bytes().all(lower) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

fn write_prefix(
    out: &mut Vec<u8>,
    format: Option<&str>,
    seq: Seq,
    more: u64,
    crc: u32,
    hash: &ChainHash,
) {
    // Written straight into `out`, never through `format!` (a batch writes a prefix per
    // record). Writing to a `Vec` cannot fail.
    out.push(b'{');
    if let Some(format) = format {
        out.extend_from_slice(b"\"format\":\"");
        out.extend_from_slice(format.as_bytes());
        out.extend_from_slice(b"\",");
    }
    let _ = write!(out, "\"seq\":{}", seq.get());
    if more > 0 {
        let _ = write!(out, ",\"more\":{more}");
    }
    out.extend_from_slice(b",\"crc32c\":\"");
    push_hex(out, &crc.to_be_bytes());
    out.extend_from_slice(b"\",\"hash\":\"");
    push_hex(out, hash.as_bytes());
    out.extend_from_slice(b"\",\"event\":");
}

/// Appends `bytes` in lowercase hexadecimal, two digits a byte.
fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    let start = out.len();
    out.resize(start + 2 * bytes.len(), 0);
    if let Some(digits) = out.get_mut(start..) {
        // The room is exactly twice the bytes, so this cannot fail.
        let _ = hex::encode_to_slice(bytes, digits);
    }
}

/// Appends the canonical line for a record, with its newline, to `out`. The first record
/// (sequence number 1) carries the format identifier.
pub(crate) fn encode_line(out: &mut Vec<u8>, seq: Seq, more: u64, hash: &ChainHash, event: &[u8]) {
    let format = (seq == Seq::FIRST).then_some(FORMAT);
    write_prefix(out, format, seq, more, line_crc(seq, more, event), hash);
    out.extend_from_slice(event);
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u64, more: u64, event: &str) -> Vec<u8> {
        let hash = ChainHash::ZERO.link(Seq(seq), event.as_bytes());
        let mut out = Vec::new();
        encode_line(&mut out, Seq(seq), more, &hash, event.as_bytes());
        assert_eq!(out.pop(), Some(b'\n'));
        out
    }

    #[test]
    fn prefixes_are_written_as_format_would_write_them() {
        for (seq, more, crc) in [
            (1, 0, 0),
            (9, 3, 0x0000_00ab),
            (10, 10, 0xdead_beef),
            (u64::MAX, u64::MAX, u32::MAX),
        ] {
            let hash = ChainHash::ZERO.link(Seq(seq), b"{}");
            let mut out = Vec::new();
            write_prefix(&mut out, Some(FORMAT), Seq(seq), more, crc, &hash);
            let more = if more > 0 {
                format!(",\"more\":{more}")
            } else {
                String::new()
            };
            let expected = format!(
                "{{\"format\":\"{FORMAT}\",\"seq\":{seq}{more},\"crc32c\":\"{crc:08x}\",\
                 \"hash\":\"{hash}\",\"event\":"
            );
            assert_eq!(String::from_utf8(out).expect("utf-8"), expected);
        }
    }

    #[test]
    fn lines_round_trip() {
        let first = line(1, 0, r#"{"a":1}"#);
        let text = String::from_utf8(first.clone()).expect("utf-8");
        assert!(text.starts_with(r#"{"format":"ceasefire-log-v1","seq":1,"crc32c":""#));
        let decoded = decode_line(&first).expect("decodes");
        assert_eq!(decoded.format, Some(FORMAT));
        assert_eq!(decoded.seq, Seq(1));
        assert_eq!(decoded.more, 0);
        assert_eq!(decoded.event, r#"{"a":1}"#);
        let mut covered = Vec::new();
        covered.extend_from_slice(&1u64.to_be_bytes());
        covered.extend_from_slice(&0u64.to_be_bytes());
        covered.extend_from_slice(br#"{"a":1}"#);
        assert_eq!(decoded.crc32c, crc32c::crc32c(&covered));

        let batch = line(7, 2, r#"{"b":[1,2]}"#);
        let decoded = decode_line(&batch).expect("decodes");
        assert_eq!(
            (decoded.format, decoded.seq, decoded.more),
            (None, Seq(7), 2)
        );
    }

    /// The byte scanner and the general decoder give the same verdict on every line: the
    /// canonical ones, and each of them with any one byte changed, inserted or removed.
    #[test]
    fn the_byte_scanner_agrees_with_the_general_decoder() {
        let lines = [
            line(1, 0, r#"{"a":1,"b":"x y"}"#),
            line(7, 2, r#"{"b":[1,2]}"#),
            line(10, 0, r#""text""#),
            line(123, 999, r#"{}"#),
        ];
        let mut checked = 0;
        let mut same = |bytes: &[u8]| {
            assert_eq!(
                decode_line(bytes),
                decode_slowly(bytes),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
            checked += 1;
        };
        for good in &lines {
            same(good);
            for i in 0..good.len() {
                for b in [b'0', b'1', b'a', b'F', b' ', b'"', b',', b'}', 0xff] {
                    let mut changed = good.clone();
                    changed[i] = b;
                    same(&changed);
                    changed.insert(i, b);
                    same(&changed);
                }
                let mut shorter = good.clone();
                shorter.remove(i);
                same(&shorter);
            }
        }
        for odd in [
            &br#"{"seq":01,"crc32c":"00000000","hash":"0","event":{}}"#[..],
            br#"{"format":"ceasefire-log-v2","seq":1}"#,
            b"",
            b"{",
        ] {
            same(odd);
        }
        assert!(checked > 1_000);
    }

    #[test]
    fn only_the_canonical_form_is_accepted() {
        let good = String::from_utf8(line(3, 1, r#"{"a":1}"#)).expect("utf-8");
        let variants = [
            good.replacen("{\"seq\"", "{ \"seq\"", 1),
            good.replacen("\"more\":1", "\"more\":1.0", 1),
            good.replacen("\"seq\":3", "\"seq\":3,\"seq\":3", 1),
            good.replacen("{\"seq\":3,", "{\"seq\":3,\"extra\":0,", 1),
            good.to_uppercase(),
            good.replacen("\"event\":{\"a\":1}", "\"event\":{\"a\":1} ", 1),
            good.replacen("{\"seq\":3,\"more\":1,", "{\"more\":1,\"seq\":3,", 1),
            good.replacen("\"more\":1", "\"more\":0", 1),
            good.replacen("\"more\":1", "\"more\":null", 1),
        ];
        for v in variants {
            assert!(decode_line(v.as_bytes()).is_err(), "accepted {v}");
        }
        let hex: String = good
            .chars()
            .map(|c| if c == 'a' { 'A' } else { c })
            .collect();
        if hex != good {
            assert!(decode_line(hex.as_bytes()).is_err(), "accepted {hex}");
        }
    }

    #[test]
    fn a_changed_event_seq_or_marker_fails_the_crc() {
        let good = String::from_utf8(line(2, 1, r#"{"a":1}"#)).expect("utf-8");
        let bad = good.replacen(r#"{"a":1}"#, r#"{"a":2}"#, 1);
        assert!(matches!(
            decode_line(bad.as_bytes()),
            Err(LineError::Crc { seq: Seq(2), .. })
        ));
        let bad = good.replacen("\"more\":1", "\"more\":3", 1);
        assert!(matches!(
            decode_line(bad.as_bytes()),
            Err(LineError::Crc { .. })
        ));
        let bad = good.replacen("\"seq\":2", "\"seq\":3", 1);
        assert!(matches!(
            decode_line(bad.as_bytes()),
            Err(LineError::Crc { seq: Seq(3), .. })
        ));
        assert!(matches!(
            decode_line(b"\xff\xfe"),
            Err(LineError::NotUtf8 { valid_up_to: 0 })
        ));
        assert!(matches!(
            decode_line(b"[1,2]"),
            Err(LineError::Syntax { .. })
        ));
    }

    #[test]
    fn parser_positions_are_columns_of_the_line() {
        let Err(LineError::Syntax { message }) = decode_line(br#"{"seq":3,"crc32c":x}"#) else {
            panic!("a syntax error");
        };
        assert!(message.ends_with(", at column 19 of the line"), "{message}");
        assert!(!message.contains("line 1"), "{message}");
    }
}
