//! Reading a log file line by line with bounded memory: a line longer than the maximum
//! record size is reported after reading one byte more than the maximum, never read whole.

use std::io::{self, BufRead, BufReader, Read};

/// What comes next in the file.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// A complete line (its newline read, not kept in the buffer).
    Line {
        /// Its number, from 1.
        number: u64,
        /// The byte offset of its first byte.
        offset: u64,
    },
    /// Bytes after the last newline, up to the end of the file: an incomplete final line.
    Tail {
        /// The number it would have.
        number: u64,
        /// The byte offset of its first byte.
        offset: u64,
        /// How many bytes it has.
        len: u64,
    },
    /// A line longer than the maximum, complete or not.
    TooLong {
        /// Its number.
        number: u64,
        /// The byte offset of its first byte.
        offset: u64,
    },
    /// The end of the file (or of the byte limit), right after a newline.
    End,
}

/// Splits a byte stream into lines of at most `max` bytes (newline excluded).
pub(crate) struct LineReader<R> {
    inner: BufReader<R>,
    max: usize,
    /// The byte offset of the next unread byte.
    offset: u64,
    /// The number of the next line.
    number: u64,
    /// Stop here (a line boundary) even if the stream goes on.
    limit: Option<u64>,
    buf: Vec<u8>,
}

impl<R: Read> LineReader<R> {
    /// A reader starting at `offset` (the stream's position) with line number `number`.
    pub(crate) fn new(inner: R, max: usize, offset: u64, number: u64) -> LineReader<R> {
        LineReader {
            inner: BufReader::with_capacity(64 * 1024, inner),
            max,
            offset,
            number,
            limit: None,
            buf: Vec::new(),
        }
    }

    /// Reads nothing at or beyond byte `limit`.
    pub(crate) fn limit(mut self, limit: u64) -> LineReader<R> {
        self.limit = Some(limit);
        self
    }

    /// The bytes of the last line returned by [`LineReader::next`].
    pub(crate) fn line(&self) -> &[u8] {
        &self.buf
    }

    /// The byte offset of the next unread byte.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// The number of the next line.
    pub(crate) fn number(&self) -> u64 {
        self.number
    }

    /// Reads the next line into [`LineReader::line`].
    ///
    /// # Errors
    /// A read error.
    pub(crate) fn next(&mut self) -> io::Result<Next> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let next = self.read_into(&mut buf);
        self.buf = buf;
        next
    }

    /// Reads the next line onto the end of `out`, whose earlier bytes stay as they are: the
    /// line's bytes are copied once, from the read buffer to `out`. [`LineReader::line`] is
    /// then empty. After an error `out` may hold part of a line.
    ///
    /// # Errors
    /// A read error.
    pub(crate) fn next_into(&mut self, out: &mut Vec<u8>) -> io::Result<Next> {
        self.buf.clear();
        self.read_into(out)
    }

    /// Reads the next line, appending its bytes to `out`.
    fn read_into(&mut self, out: &mut Vec<u8>) -> io::Result<Next> {
        let base = out.len();
        let start = self.offset;
        let number = self.number;
        loop {
            let room = self.limit.map_or(usize::MAX, |l| {
                usize::try_from(l.saturating_sub(self.offset)).unwrap_or(usize::MAX)
            });
            let available = match self.inner.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let available = available
                .get(..room.min(available.len()))
                .unwrap_or_default();
            let held = out.len() - base;
            if available.is_empty() {
                if held == 0 {
                    return Ok(Next::End);
                }
                return Ok(Next::Tail {
                    number,
                    offset: start,
                    len: held as u64,
                });
            }
            let (chunk, found) = match newline(available) {
                Some(i) => (available.get(..i).unwrap_or_default(), true),
                None => (available, false),
            };
            let keep = chunk
                .len()
                .min(self.max.saturating_add(1).saturating_sub(held));
            out.extend_from_slice(chunk.get(..keep).unwrap_or_default());
            if out.len() - base > self.max {
                return Ok(Next::TooLong {
                    number,
                    offset: start,
                });
            }
            let used = chunk.len() + usize::from(found);
            self.inner.consume(used);
            self.offset += used as u64;
            if found {
                self.number += 1;
                return Ok(Next::Line {
                    number,
                    offset: start,
                });
            }
        }
    }
}

/// Where the first newline in `bytes` is: eight bytes at a time.
fn newline(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const NEWLINES: u64 = u64::from_le_bytes([b'\n'; 8]);
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        // A zero byte where `word` has a newline; the lowest flag is always a true one.
        let x = u64::from_le_bytes(word) ^ NEWLINES;
        let flags = x.wrapping_sub(ONES) & !x & HIGH;
        if flags != 0 {
            return Some(at + (flags.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(bytes: &[u8], max: usize) -> Vec<(Next, Vec<u8>)> {
        let mut r = LineReader::new(bytes, max, 0, 1);
        let mut out = Vec::new();
        loop {
            let next = r.next().expect("in-memory reads succeed");
            let stop = !matches!(next, Next::Line { .. });
            out.push((next, r.line().to_vec()));
            if stop {
                return out;
            }
        }
    }

    #[test]
    fn splits_lines_and_reports_the_tail() {
        let got = all(b"ab\n\ncd", 10);
        assert_eq!(
            got,
            vec![
                (
                    Next::Line {
                        number: 1,
                        offset: 0
                    },
                    b"ab".to_vec()
                ),
                (
                    Next::Line {
                        number: 2,
                        offset: 3
                    },
                    Vec::new()
                ),
                (
                    Next::Tail {
                        number: 3,
                        offset: 4,
                        len: 2
                    },
                    b"cd".to_vec()
                ),
            ]
        );
        assert_eq!(all(b"ab\n", 2).last().map(|x| &x.0), Some(&Next::End));
    }

    #[test]
    fn long_lines_are_refused_without_reading_them() {
        let got = all(b"abc\n", 2);
        assert_eq!(
            got.last().map(|x| &x.0),
            Some(&Next::TooLong {
                number: 1,
                offset: 0
            })
        );
        let got = all(b"ab\nabcdef", 3);
        assert_eq!(
            got.last().map(|x| &x.0),
            Some(&Next::TooLong {
                number: 2,
                offset: 3
            })
        );
    }

    #[test]
    fn newlines_are_found_wherever_they_are() {
        for len in 0..40 {
            for at in 0..=len {
                let mut bytes: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                // Bytes that differ from a newline in one bit, and high bytes, around it.
                bytes.iter_mut().step_by(3).for_each(|b| *b = 0x0b);
                bytes.iter_mut().skip(1).step_by(5).for_each(|b| *b = 0x8a);
                if at < len {
                    bytes[at] = b'\n';
                    if at + 2 < len {
                        bytes[at + 2] = b'\n';
                    }
                }
                let expected = bytes.iter().position(|&b| b == b'\n');
                assert_eq!(newline(&bytes), expected, "{bytes:?}");
            }
        }
    }

    #[test]
    fn lines_are_appended_where_asked() {
        let mut r = LineReader::new(&b"ab\ncd\nef"[..], 10, 0, 1);
        let mut out = b"x".to_vec();
        assert!(matches!(
            r.next_into(&mut out),
            Ok(Next::Line {
                number: 1,
                offset: 0
            })
        ));
        assert!(matches!(
            r.next_into(&mut out),
            Ok(Next::Line {
                number: 2,
                offset: 3
            })
        ));
        assert_eq!(out, b"xabcd");
        assert!(r.line().is_empty());
        assert!(matches!(
            r.next_into(&mut out),
            Ok(Next::Tail {
                number: 3,
                offset: 6,
                len: 2
            })
        ));
        assert_eq!(out, b"xabcdef");
        let mut r = LineReader::new(&b"abcdef\n"[..], 3, 0, 1);
        let mut out = b"yy".to_vec();
        assert!(matches!(
            r.next_into(&mut out),
            Ok(Next::TooLong {
                number: 1,
                offset: 0
            })
        ));
        assert_eq!(out, b"yyabcd");
    }

    #[test]
    fn stops_at_the_limit() {
        let mut r = LineReader::new(&b"ab\ncd\nef\n"[..], 10, 0, 1).limit(6);
        assert!(matches!(r.next(), Ok(Next::Line { number: 1, .. })));
        assert!(matches!(r.next(), Ok(Next::Line { number: 2, .. })));
        assert!(matches!(r.next(), Ok(Next::End)));
    }
}
