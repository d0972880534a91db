//! What may follow the last newline. A crash leaves there only the beginning of the line that
//! was being written, possibly followed by zero bytes (a block the file system allocated but
//! never wrote). So bytes after the last newline are a torn tail only if, once trailing zero
//! bytes are set aside, they are byte for byte a prefix of a well-formed line for the record
//! due there: the next sequence number, the batch marker that continues the previous line's,
//! hexadecimal digits where the CRC and the hash go, and the beginning of a JSON object as the
//! event. Everything else is refused by the caller, never cut.

use crate::id::Seq;
use crate::store::file::format::FORMAT;

/// What the bytes after the last newline are, against the line due there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A prefix (possibly empty) of a line that could be due, not the whole line.
    Prefix,
    /// A whole line (up to and including its closing brace) of `len` bytes, followed by
    /// whatever else the bytes hold, or by nothing.
    Whole {
        /// The length of the line, in bytes.
        len: usize,
    },
    /// The byte at `at` cannot be there (or the bytes before it are not UTF-8).
    Diverges {
        /// Its index in the bytes.
        at: usize,
    },
}

/// How line 1 of every log begins.
pub(crate) fn first_line_start() -> String {
    format!("{{\"format\":\"{FORMAT}\",")
}

/// The deepest nesting a well-formed event can have (the line's own object is one more level
/// for the JSON parser, which allows 128).
const MAX_DEPTH: usize = 127;

/// How many bytes at the end of `bytes` are zero.
pub(crate) fn trailing_zeros(bytes: &[u8]) -> usize {
    bytes.iter().rev().take_while(|&&b| b == 0).count()
}

/// Judges `bytes` (with no newline in them) against the line of record `seq`, whose batch
/// marker must be `more` if the previous line's marker says so (`None`: any marker).
pub(crate) fn shape(bytes: &[u8], seq: Seq, more: Option<u64>) -> Shape {
    let (text, invalid) = match std::str::from_utf8(bytes) {
        Ok(_) => (bytes, None),
        // A character cut short at the very end is the prefix of a whole one.
        Err(e) if e.error_len().is_none() => (bytes, None),
        Err(e) => (
            bytes.get(..e.valid_up_to()).unwrap_or_default(),
            Some(e.valid_up_to()),
        ),
    };
    let mut cursor = Cursor {
        bytes: text,
        pos: 0,
    };
    match cursor.line(seq, more) {
        Ok(()) => Shape::Whole { len: cursor.pos },
        Err(Stop::Bad(at)) => Shape::Diverges { at },
        Err(Stop::End) => match invalid {
            Some(at) => Shape::Diverges { at },
            None => Shape::Prefix,
        },
    }
}

/// Why the cursor stopped before the end of a whole line.
enum Stop {
    /// The bytes ran out: what was read is a prefix.
    End,
    /// This byte cannot be there.
    Bad(usize),
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    KeyOrClose,
    Key,
    Colon,
    ValueOrClose,
    Value,
    CommaOrClose,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bad(&self) -> Stop {
        Stop::Bad(self.pos)
    }

    /// The next byte, which must satisfy `ok`.
    fn take(&mut self, ok: impl Fn(u8) -> bool) -> Result<u8, Stop> {
        match self.peek() {
            None => Err(Stop::End),
            Some(b) if ok(b) => {
                self.pos += 1;
                Ok(b)
            }
            Some(_) => Err(self.bad()),
        }
    }

    fn literal(&mut self, text: &[u8]) -> Result<(), Stop> {
        for &want in text {
            self.take(|b| b == want)?;
        }
        Ok(())
    }

    fn hex(&mut self, count: usize) -> Result<(), Stop> {
        for _ in 0..count {
            self.take(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))?;
        }
        Ok(())
    }

    /// The whole line, from its opening brace to its closing one.
    fn line(&mut self, seq: Seq, more: Option<u64>) -> Result<(), Stop> {
        if seq == Seq::FIRST {
            self.literal(first_line_start().as_bytes())?;
        } else {
            self.literal(b"{")?;
        }
        self.literal(format!("\"seq\":{}", seq.get()).as_bytes())?;
        match more {
            Some(0) => self.literal(b",\"")?,
            Some(k) => self.literal(format!(",\"more\":{k},\"").as_bytes())?,
            None => {
                self.literal(b",\"")?;
                if self.peek() == Some(b'm') {
                    self.literal(b"more\":")?;
                    self.marker()?;
                    self.literal(b",\"")?;
                }
            }
        }
        self.literal(b"crc32c\":\"")?;
        self.hex(8)?;
        self.literal(b"\",\"hash\":\"")?;
        self.hex(64)?;
        self.literal(b"\",\"event\":")?;
        self.object()?;
        self.literal(b"}")
    }

    /// A batch marker: a decimal number from 1 to `u64::MAX`, without leading zeros.
    fn marker(&mut self) -> Result<(), Stop> {
        let first = self.take(|b| (b'1'..=b'9').contains(&b))?;
        let mut value = u64::from(first - b'0');
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
                .ok_or_else(|| self.bad())?;
            self.pos += 1;
        }
        Ok(())
    }

    /// A JSON object, as the JSON parser accepts it inside a line (no newline in it).
    fn object(&mut self) -> Result<(), Stop> {
        self.literal(b"{")?;
        let mut stack = vec![b'}'];
        let mut want = Want::KeyOrClose;
        loop {
            let Some(b) = self.peek() else {
                return Err(Stop::End);
            };
            if matches!(b, b' ' | b'\t' | b'\r') {
                self.pos += 1;
                continue;
            }
            // `KeyOrClose` only follows `{` and `ValueOrClose` only `[`: the top of the stack
            // tells which bracket closes.
            let closes = stack.last() == Some(&b)
                && matches!(
                    want,
                    Want::CommaOrClose | Want::KeyOrClose | Want::ValueOrClose
                );
            if closes {
                self.pos += 1;
                stack.pop();
                if stack.is_empty() {
                    return Ok(());
                }
                want = Want::CommaOrClose;
                continue;
            }
            want = match (want, b) {
                (Want::KeyOrClose | Want::Key, b'"') => {
                    self.string()?;
                    Want::Colon
                }
                (Want::Colon, b':') => {
                    self.pos += 1;
                    Want::Value
                }
                (Want::CommaOrClose, b',') => {
                    self.pos += 1;
                    if stack.last() == Some(&b'}') {
                        Want::Key
                    } else {
                        Want::Value
                    }
                }
                (Want::Value | Want::ValueOrClose, b'{' | b'[') => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(self.bad());
                    }
                    self.pos += 1;
                    if b == b'{' {
                        stack.push(b'}');
                        Want::KeyOrClose
                    } else {
                        stack.push(b']');
                        Want::ValueOrClose
                    }
                }
                (Want::Value | Want::ValueOrClose, _) => {
                    self.scalar(b)?;
                    Want::CommaOrClose
                }
                _ => return Err(self.bad()),
            };
        }
    }

    /// A string, a number, `true`, `false` or `null`, starting with `first`.
    fn scalar(&mut self, first: u8) -> Result<(), Stop> {
        match first {
            b'"' => self.string(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.bad()),
        }
    }

    fn string(&mut self) -> Result<(), Stop> {
        self.literal(b"\"")?;
        loop {
            match self.take(|b| b >= 0x20)? {
                b'"' => return Ok(()),
                b'\\' => self.escape()?,
                _ => {}
            }
        }
    }

    /// What follows a backslash in a string.
    fn escape(&mut self) -> Result<(), Stop> {
        if self.take(|b| b"\"\\/bfnrtu".contains(&b))? == b'u' {
            for _ in 0..4 {
                self.take(|b| b.is_ascii_hexdigit())?;
            }
        }
        Ok(())
    }

    fn digits(&mut self, at_least_one: bool) -> Result<(), Stop> {
        if at_least_one {
            self.take(|b| b.is_ascii_digit())?;
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        Ok(())
    }

    fn number(&mut self) -> Result<(), Stop> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        if self.take(|b| b.is_ascii_digit())? != b'0' {
            self.digits(false)?;
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.digits(true)?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.digits(true)?;
        }
        // A digit right after a leading `0` is refused by the caller, which wants a comma or
        // a closing bracket next.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::ChainHash;
    use crate::store::file::format::encode_line;

    fn line(seq: u64, more: u64, event: &str) -> Vec<u8> {
        let mut out = Vec::new();
        encode_line(&mut out, Seq(seq), more, &ChainHash::ZERO, event.as_bytes());
        assert_eq!(out.pop(), Some(b'\n'));
        out
    }

    const EVENT: &str =
        r#"{"id":"x\"y\u00e9","n":[1,-2.5e-3,0,{"a":true,"b":null}],"s":"héllo","f":false}"#;

    #[test]
    fn every_prefix_of_a_due_line_is_a_prefix_and_the_line_is_whole() {
        for (seq, more, due) in [(1, 0, None), (7, 2, None), (7, 2, Some(2)), (8, 0, Some(0))] {
            let whole = line(seq, more, EVENT);
            for n in 0..whole.len() {
                assert_eq!(
                    shape(&whole[..n], Seq(seq), due),
                    Shape::Prefix,
                    "{seq} {more}: {:?}",
                    String::from_utf8_lossy(&whole[..n])
                );
            }
            assert_eq!(
                shape(&whole, Seq(seq), due),
                Shape::Whole { len: whole.len() }
            );
            let mut extra = whole.clone();
            extra.push(b'X');
            assert_eq!(
                shape(&extra, Seq(seq), due),
                Shape::Whole { len: whole.len() }
            );
        }
    }

    #[test]
    fn lines_that_cannot_be_due_diverge_where_they_differ() {
        let whole = line(7, 0, EVENT);
        // Another sequence number, another batch marker than the one due.
        assert_eq!(shape(&whole, Seq(8), None), Shape::Diverges { at: 7 });
        assert_eq!(shape(&whole, Seq(70), None), Shape::Diverges { at: 8 });
        assert!(matches!(
            shape(&line(7, 3, EVENT), Seq(7), Some(2)),
            Shape::Diverges { .. }
        ));
        assert!(matches!(
            shape(&whole, Seq(7), Some(1)),
            Shape::Diverges { .. }
        ));
        // The format identifier on a later line, or missing on line 1.
        assert!(matches!(
            shape(&line(1, 0, EVENT), Seq(2), None),
            Shape::Diverges { at: 2 }
        ));
        assert!(matches!(
            shape(br#"{"seq":1,"#, Seq(1), None),
            Shape::Diverges { at: 2 }
        ));
        for bad in [
            &b"hello"[..],
            b"{\"seq\":7,\"more\":0,",
            b"{\"seq\":7,\"more\":01",
            b"{\"seq\":7,\"crc32c\":\"ABCDEF",
            b"{\"seq\":7,\"crc32c\":\"0000000",
        ] {
            let mut bad = bad.to_vec();
            bad.push(b'"');
            assert!(
                matches!(shape(&bad, Seq(7), None), Shape::Diverges { .. }),
                "{:?}",
                String::from_utf8_lossy(&bad)
            );
        }
        let start = whole.len() - EVENT.len() - 1;
        for event in [
            "[1]",
            "{1",
            "{\"a\"1",
            "{\"a\":01",
            "{\"a\":tru]",
            "{\"a\":1,}",
            "{\"a\":[1,]",
            "{\"a\":\"\u{1}",
            "{\"a\":\"\\x",
            "{\"a\":1}]",
            "{\"a\":-}",
            "{\"a\":1.}",
            "{\"a\":1e}",
        ] {
            let mut bytes = whole[..start].to_vec();
            bytes.extend_from_slice(event.as_bytes());
            assert!(
                matches!(shape(&bytes, Seq(7), None), Shape::Diverges { at } if at >= start),
                "{event}"
            );
        }
        let mut bytes = whole[..start].to_vec();
        bytes.extend_from_slice(b"{\"a\":\"\xff\"");
        assert_eq!(
            shape(&bytes, Seq(7), None),
            Shape::Diverges { at: start + 6 }
        );
        let mut bytes = whole[..start].to_vec();
        bytes.extend_from_slice(format!("{{\"\":{}", "[".repeat(200)).as_bytes());
        assert!(matches!(
            shape(&bytes, Seq(7), None),
            Shape::Diverges { .. }
        ));
    }

    #[test]
    fn a_character_cut_short_at_the_end_is_a_prefix() {
        let whole = line(3, 0, r#"{"s":"é"}"#);
        let cut = whole
            .iter()
            .position(|&b| b >= 0x80)
            .expect("a two-byte character")
            + 1;
        assert_eq!(shape(&whole[..cut], Seq(3), None), Shape::Prefix);
    }

    #[test]
    fn zeros_are_counted_from_the_end() {
        assert_eq!(trailing_zeros(b"ab\0\0"), 2);
        assert_eq!(trailing_zeros(b"a\0b"), 0);
        assert_eq!(trailing_zeros(b""), 0);
    }
}
