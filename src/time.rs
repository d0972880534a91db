//! Time: instants in UTC, spans, occurrences with a precision, and obligation windows.
//!
//! Everything is stored and compared in UTC. Inputs may carry any offset
//! (`2025-04-19T18:00:00+03:00` is read as `2025-04-19T15:00:00Z`). Nothing here reads a clock:
//! time enters the crate only as event fields or as an explicit argument.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant in UTC.
pub type Timestamp = DateTime<Utc>;

/// A length of time in whole seconds, never negative. Serialized as the number of seconds.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Span(u64);

/// The longest span arithmetic will honour (about 10,000 years); longer spans behave as
/// "never ends".
const MAX_SPAN_SECS: u64 = 10_000 * 366 * 86_400;

impl Span {
    /// No time at all.
    pub const ZERO: Span = Span(0);

    /// A span of `n` seconds.
    #[must_use]
    pub const fn seconds(n: u64) -> Span {
        Span(n)
    }

    /// A span of `n` hours.
    #[must_use]
    pub const fn hours(n: u64) -> Span {
        Span(n.saturating_mul(3_600))
    }

    /// A span of `n` days of 24 hours.
    #[must_use]
    pub const fn days(n: u64) -> Span {
        Span(n.saturating_mul(86_400))
    }

    /// The span in seconds.
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The span as a chrono delta, or `None` if it is too long to add to a date.
    #[must_use]
    pub fn to_delta(self) -> Option<TimeDelta> {
        if self.0 > MAX_SPAN_SECS {
            return None;
        }
        TimeDelta::try_seconds(i64::try_from(self.0).ok()?)
    }

    /// `at + self`, or `None` when the sum passes [`LATEST`] (treat as "never").
    #[must_use]
    pub fn after(self, at: Timestamp) -> Option<Timestamp> {
        at.checked_add_signed(self.to_delta()?)
            .filter(|t| *t <= LATEST)
    }

    /// `at - self`, saturating at the earliest representable instant.
    #[must_use]
    pub fn before(self, at: Timestamp) -> Timestamp {
        self.to_delta()
            .and_then(|d| at.checked_sub_signed(d))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The sum of two spans, saturating.
    #[must_use]
    pub const fn plus(self, other: Span) -> Span {
        Span(self.0.saturating_add(other.0))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        if s.is_multiple_of(86_400) {
            write!(f, "{} days", s / 86_400)
        } else if s.is_multiple_of(3_600) {
            write!(f, "{} hours", s / 3_600)
        } else {
            write!(f, "{s} seconds")
        }
    }
}

/// When something happened in the world, with the precision the report gives.
///
/// Written as text in one of four forms:
/// - an RFC 3339 timestamp (`"2025-03-19T02:00:00Z"`, any offset accepted on input): an
///   instant;
/// - a date (`"2025-03-19"`): some time during that UTC calendar day;
/// - a date with an offset (`"2025-04-20+03:00"`): some time during that calendar day in the
///   local time of that offset (a report dated in Kyiv or Moscow time);
/// - two timestamps joined by `/` (`"2025-04-19T18:00:00+03:00/2025-04-20T08:00:00+03:00"`):
///   some time in that closed interval, at most [`Occurred::MAX_EXTENT`] long (an overnight
///   drone wave).
///
/// Comparison rules (documented in `docs/time.md`): an occurrence is the closed interval
/// [`Occurred::earliest`], [`Occurred::latest`]. It counts as *inside* a window only when the
/// whole interval is inside (so a report dated only by its day never counts against a truce
/// that covered part of that day); one that overlaps a window without lying wholly inside is
/// *possibly inside* ([`Window::may_contain_occurred`]): reported, never counted. It is *after*
/// an instant only when it started after it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Occurred {
    /// An exact instant.
    At(Timestamp),
    /// Some time during a UTC calendar day.
    OnDay(NaiveDate),
    /// Some time during a calendar day in the local time of a fixed offset from UTC.
    OnLocalDay {
        /// The local calendar day.
        day: NaiveDate,
        /// The local time's offset from UTC (east positive), under a day.
        offset: FixedOffset,
    },
    /// Some time in a closed interval `[from, to]`, `from` before `to`, at most
    /// [`Occurred::MAX_EXTENT`] long.
    Between {
        /// The first instant it may have happened at.
        from: Timestamp,
        /// The last instant it may have happened at.
        to: Timestamp,
    },
}

impl Occurred {
    /// The longest interval an occurrence can cover: two days (a local day is one; an
    /// interval may be up to two, an overnight wave or a weekend's shelling).
    pub const MAX_EXTENT: Span = Span::days(2);

    /// Some time in `[from, to]`.
    ///
    /// # Errors
    /// [`TimeError::BadInterval`] unless `from` is before `to` and at most
    /// [`Occurred::MAX_EXTENT`] earlier; [`TimeError::OutOfRange`] or
    /// [`TimeError::LeapSecond`] for an instant the crate does not accept.
    pub fn between(from: Timestamp, to: Timestamp) -> Result<Occurred, TimeError> {
        check_instant(from)?;
        check_instant(to)?;
        let longest = Occurred::MAX_EXTENT.after(from);
        if from >= to || longest.is_some_and(|l| to > l) {
            return Err(TimeError::BadInterval {
                text: format!("{}/{}", write_instant(from), write_instant(to)),
            });
        }
        Ok(Occurred::Between { from, to })
    }

    /// Some time during `day` in the local time `offset` east of UTC.
    ///
    /// # Errors
    /// [`TimeError::OutOfRange`] if the day begins or ends outside the years 0000 to 9999 in
    /// UTC.
    pub fn on_local_day(day: NaiveDate, offset: FixedOffset) -> Result<Occurred, TimeError> {
        let o = Occurred::OnLocalDay { day, offset };
        check_instant(o.earliest())?;
        check_instant(o.latest())?;
        Ok(o)
    }

    /// The first instant the occurrence may have happened at.
    #[must_use]
    pub fn earliest(&self) -> Timestamp {
        match self {
            Occurred::At(t) => *t,
            Occurred::OnDay(d) => day_start(*d),
            Occurred::OnLocalDay { day, offset } => local_day_start(*day, *offset),
            Occurred::Between { from, .. } => *from,
        }
    }

    /// The last instant the occurrence may have happened at (inclusive: the day's last
    /// nanosecond for a day).
    #[must_use]
    pub fn latest(&self) -> Timestamp {
        let last_of_day = |start: Timestamp| {
            start
                .checked_add_signed(TimeDelta::days(1) - TimeDelta::nanoseconds(1))
                .unwrap_or(start)
        };
        match self {
            Occurred::At(t) => *t,
            Occurred::OnDay(d) => last_of_day(day_start(*d)),
            Occurred::OnLocalDay { day, offset } => last_of_day(local_day_start(*day, *offset)),
            Occurred::Between { to, .. } => *to,
        }
    }

    /// Whether the occurrence is an exact instant.
    #[must_use]
    pub fn is_exact(&self) -> bool {
        matches!(self, Occurred::At(_))
    }
}

/// The first instant of a UTC day.
fn day_start(d: NaiveDate) -> Timestamp {
    d.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The first instant (in UTC) of a local day at `offset` (saturating at the ends of time).
fn local_day_start(d: NaiveDate, offset: FixedOffset) -> Timestamp {
    let start = day_start(d);
    start
        .checked_sub_signed(TimeDelta::seconds(i64::from(offset.local_minus_utc())))
        .unwrap_or(start)
}

/// An instant as the crate writes it (chrono's RFC 3339 form with `Z`).
fn write_instant(t: Timestamp) -> String {
    format!("{t:?}")
}

impl From<Timestamp> for Occurred {
    fn from(t: Timestamp) -> Self {
        Occurred::At(t)
    }
}

impl From<NaiveDate> for Occurred {
    fn from(d: NaiveDate) -> Self {
        Occurred::OnDay(d)
    }
}

impl fmt::Display for Occurred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const FORM: &str = "%Y-%m-%d %H:%M";
        match self {
            Occurred::At(t) => write!(f, "{} UTC", t.format(FORM)),
            Occurred::OnDay(d) => write!(f, "{} (day)", d.format("%Y-%m-%d")),
            Occurred::OnLocalDay { day, offset } => {
                write!(f, "{} (day, UTC{offset})", day.format("%Y-%m-%d"))
            }
            Occurred::Between { from, to } => {
                write!(
                    f,
                    "between {} and {} UTC",
                    from.format(FORM),
                    to.format(FORM)
                )
            }
        }
    }
}

impl Serialize for Occurred {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Occurred::At(t) => t.serialize(s),
            Occurred::OnDay(d) => s.collect_str(&d.format("%Y-%m-%d")),
            Occurred::OnLocalDay { day, offset } => {
                s.collect_str(&format_args!("{}{offset}", day.format("%Y-%m-%d")))
            }
            Occurred::Between { from, to } => s.collect_str(&format_args!(
                "{}/{}",
                write_instant(*from),
                write_instant(*to)
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Occurred {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        parse_occurred(&text).map_err(serde::de::Error::custom)
    }
}

/// The first instant the crate accepts: `0000-01-01T00:00:00Z`.
pub const EARLIEST: Timestamp = match NaiveDate::from_ymd_opt(0, 1, 1) {
    Some(d) => d.and_time(chrono::NaiveTime::MIN).and_utc(),
    None => DateTime::<Utc>::MIN_UTC,
};

/// The last instant the crate accepts: `9999-12-31T23:59:59.999999999Z`.
pub const LATEST: Timestamp = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => match chrono::NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999) {
        Some(t) => d.and_time(t).and_utc(),
        None => DateTime::<Utc>::MAX_UTC,
    },
    None => DateTime::<Utc>::MAX_UTC,
};

/// Why a text or a value is not a time the crate accepts.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimeError {
    /// The text is none of the forms of [`Occurred`] (or, where an instant is due, not an
    /// RFC 3339 timestamp).
    #[error(
        "{text:?} is neither an RFC 3339 timestamp, a YYYY-MM-DD date (optionally with an offset) nor an interval"
    )]
    Malformed {
        /// The text.
        text: String,
    },
    /// The time lies outside the years 0000 to 9999 (in UTC).
    #[error("{text:?} lies outside the years 0000 to 9999 in UTC")]
    OutOfRange {
        /// The text (or the value, written out).
        text: String,
    },
    /// The time is a leap second (`23:59:60`), which the crate does not represent.
    #[error("{text:?} is a leap second, which is not accepted")]
    LeapSecond {
        /// The text (or the value, written out).
        text: String,
    },
    /// An interval whose start is not before its end, or which is longer than
    /// [`Occurred::MAX_EXTENT`].
    #[error("{text:?} is not an interval of at most two days with its start before its end")]
    BadInterval {
        /// The text (or the value, written out).
        text: String,
    },
}

/// Whether `t` is an instant the crate accepts: inside [`EARLIEST`]..=[`LATEST`] and not a
/// leap second. Every accepted instant has exactly one written form, which reads back to it.
///
/// # Errors
/// [`TimeError::OutOfRange`] or [`TimeError::LeapSecond`].
pub fn check_instant(t: Timestamp) -> Result<Timestamp, TimeError> {
    use chrono::Timelike;
    if !(EARLIEST..=LATEST).contains(&t) {
        return Err(TimeError::OutOfRange {
            text: format!("{t:?}"),
        });
    }
    if t.nanosecond() >= 1_000_000_000 {
        return Err(TimeError::LeapSecond {
            text: format!("{t:?}"),
        });
    }
    Ok(t)
}

/// Whether `text` starts with a four-digit year and a dash: the only year form accepted (no
/// sign, no five-digit years).
fn four_digit_year(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// Parses an RFC 3339 timestamp with any offset into an accepted instant (see
/// [`check_instant`]).
///
/// # Errors
/// [`TimeError::Malformed`] if the text is not RFC 3339 with a four-digit year,
/// [`TimeError::OutOfRange`] if the instant falls outside the years 0000 to 9999 once moved
/// to UTC, [`TimeError::LeapSecond`] for `:60` seconds.
pub fn parse_instant(text: &str) -> Result<Timestamp, TimeError> {
    let malformed = || TimeError::Malformed { text: text.into() };
    if let Some(t) = parse_written(text) {
        return check_instant(t).map_err(|_| TimeError::OutOfRange { text: text.into() });
    }
    if !four_digit_year(text) {
        return Err(malformed());
    }
    let t = DateTime::parse_from_rfc3339(text).map_err(|_| malformed())?;
    check_instant(t.to_utc()).map_err(|e| match e {
        TimeError::LeapSecond { .. } => TimeError::LeapSecond { text: text.into() },
        _ => TimeError::OutOfRange { text: text.into() },
    })
}

/// The one form the crate writes (`2025-03-19T02:00:00Z`, optionally with 1 to 9 fraction
/// digits), read with a fixed-format scanner: the common case of reading a log, without the
/// general RFC 3339 parser. `None` for anything else (other offsets, lowercase, a leap second,
/// an impossible date), which the general parser then reads or refuses.
fn parse_written(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() < 20 || b.last() != Some(&b'Z') {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return None;
    }
    let nano = match b.len() {
        20 => 0,
        n if (22..=30).contains(&n) && at(19, b'.') => {
            let fraction = digits(20..n - 1)?;
            fraction * 10u32.pow(u32::try_from(30 - n).ok()?)
        }
        _ => return None,
    };
    let year = i32::try_from(digits(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)?;
    let second = digits(17..19)?;
    if second >= 60 {
        return None;
    }
    let time =
        chrono::NaiveTime::from_hms_nano_opt(digits(11..13)?, digits(14..16)?, second, nano)?;
    Some(date.and_time(time).and_utc())
}

/// Parses an occurrence in any of the forms of [`Occurred`]: an RFC 3339 timestamp with any
/// offset (see [`parse_instant`]), a `YYYY-MM-DD` date (a UTC day), a `YYYY-MM-DD±HH:MM` date
/// (a local day), or two timestamps joined by `/` (an interval). Years 0000 to 9999.
///
/// # Errors
/// As [`parse_instant`], and [`TimeError::BadInterval`] for an interval that is empty,
/// reversed or longer than [`Occurred::MAX_EXTENT`].
pub fn parse_occurred(text: &str) -> Result<Occurred, TimeError> {
    let malformed = || TimeError::Malformed { text: text.into() };
    if let Some((from, to)) = text.split_once('/') {
        let from = parse_instant(from).map_err(|_| malformed())?;
        let to = parse_instant(to).map_err(|_| malformed())?;
        return Occurred::between(from, to).map_err(|e| match e {
            TimeError::BadInterval { .. } => TimeError::BadInterval { text: text.into() },
            other => other,
        });
    }
    if let (Some(head), Some(rest)) = (text.get(..10), text.get(10..))
        && four_digit_year(text)
        && !rest.starts_with(['T', 't', ' '])
    {
        let b = head.as_bytes();
        let shape = b[7] == b'-' && [5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit());
        let day = match NaiveDate::parse_from_str(head, "%Y-%m-%d") {
            Ok(day) if shape => day,
            _ => return Err(malformed()),
        };
        return match rest {
            "" => Ok(Occurred::OnDay(day)),
            offset => {
                let offset = parse_offset(offset).ok_or_else(malformed)?;
                Occurred::on_local_day(day, offset)
                    .map_err(|_| TimeError::OutOfRange { text: text.into() })
            }
        };
    }
    parse_instant(text).map(Occurred::At)
}

/// `±HH:MM` with `HH` below 24 and `MM` below 60 (not `Z`: a UTC day is written bare).
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let b = text.as_bytes();
    if b.len() != 6 || b[3] != b':' || ![1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i32 = text.get(1..3)?.parse().ok()?;
    let minutes: i32 = text.get(4..6)?.parse().ok()?;
    if hours >= 24 || minutes >= 60 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// Serde helpers that read a [`Timestamp`] only in the accepted range (see
/// [`check_instant`]); writing is chrono's RFC 3339 form, which reads back exactly.
pub mod instant {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Timestamp, parse_instant};

    /// Writes an instant.
    ///
    /// # Errors
    /// The serializer's.
    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        t.serialize(s)
    }

    /// Reads an instant in the accepted range.
    ///
    /// # Errors
    /// A serde error naming the text when [`parse_instant`] refuses it.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        parse_instant(&text).map_err(serde::de::Error::custom)
    }

    /// The same for an optional instant.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        use super::super::{Timestamp, parse_instant};

        /// Writes an optional instant.
        ///
        /// # Errors
        /// The serializer's.
        pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
            t.serialize(s)
        }

        /// Reads an optional instant in the accepted range.
        ///
        /// # Errors
        /// A serde error naming the text when [`parse_instant`] refuses it.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
            match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
                None => Ok(None),
                Some(text) => parse_instant(&text)
                    .map(Some)
                    .map_err(serde::de::Error::custom),
            }
        }
    }
}

/// A half-open interval `[start, end)` of time; `end: None` means it never ends.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Window {
    /// The first instant inside.
    pub start: Timestamp,
    /// The first instant outside, if any.
    pub end: Option<Timestamp>,
}

impl fmt::Display for Window {
    /// `18 Mar 2025 16:00 – 17 Apr 2025 16:00 UTC`, or `from … (open-ended)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const FORM: &str = "%d %b %Y %H:%M";
        match self.end {
            Some(end) => write!(f, "{} – {} UTC", self.start.format(FORM), end.format(FORM)),
            None => write!(f, "from {} UTC (open-ended)", self.start.format(FORM)),
        }
    }
}

impl Window {
    /// Whether `t` lies inside.
    #[must_use]
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && self.end.is_none_or(|e| t < e)
    }

    /// Whether the whole occurrence certainly lies inside.
    #[must_use]
    pub fn contains_occurred(&self, o: &Occurred) -> bool {
        self.start <= o.earliest() && self.end.is_none_or(|e| o.latest() < e)
    }

    /// Whether the occurrence may lie inside: some instant it may have happened at is inside.
    /// An occurrence that may, but does not certainly, lie inside is *possibly inside*:
    /// reported, never counted.
    #[must_use]
    pub fn may_contain_occurred(&self, o: &Occurred) -> bool {
        self.start <= o.latest() && self.end.is_none_or(|e| o.earliest() < e)
    }

    /// The window cut short at `at` (if `at` is earlier than its end).
    #[must_use]
    pub fn cut_at(self, at: Option<Timestamp>) -> Window {
        match at {
            Some(cut) if self.end.is_none_or(|e| cut < e) => Window {
                start: self.start,
                end: Some(cut.max(self.start)),
            },
            _ => self,
        }
    }
}

/// A set of instants made of disjoint half-open windows in ascending order: an obligation
/// window with its suspensions cut out.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Coverage(Vec<Window>);

impl Coverage {
    /// Nothing covered.
    #[must_use]
    pub fn empty() -> Coverage {
        Coverage(Vec::new())
    }

    /// `window` minus the `holes` (each a half-open window, in any order).
    #[must_use]
    pub fn from_window(window: Window, holes: &[Window]) -> Coverage {
        let mut parts = vec![window];
        for hole in holes {
            let mut next = Vec::with_capacity(parts.len() + 1);
            for part in parts {
                // The piece before the hole.
                if part.start < hole.start {
                    let end = match part.end {
                        Some(e) => e.min(hole.start),
                        None => hole.start,
                    };
                    next.push(Window {
                        start: part.start,
                        end: Some(end),
                    });
                }
                // The piece after the hole.
                if let Some(hole_end) = hole.end
                    && part.end.is_none_or(|e| hole_end < e)
                {
                    next.push(Window {
                        start: part.start.max(hole_end),
                        end: part.end,
                    });
                }
            }
            parts = next
                .into_iter()
                .filter(|w| w.end.is_none_or(|e| w.start < e))
                .collect();
        }
        parts.sort_by_key(|w| w.start);
        Coverage(parts)
    }

    /// The windows, ascending.
    #[must_use]
    pub fn windows(&self) -> &[Window] {
        &self.0
    }

    /// The last window starting at or before `t` (windows are disjoint and ascending).
    fn window_at(&self, t: Timestamp) -> Option<&Window> {
        let after = self.0.partition_point(|w| w.start <= t);
        after.checked_sub(1).and_then(|i| self.0.get(i))
    }

    /// Whether `t` is covered.
    #[must_use]
    pub fn contains(&self, t: Timestamp) -> bool {
        self.window_at(t).is_some_and(|w| w.contains(t))
    }

    /// Whether the whole occurrence lies inside one covered window.
    #[must_use]
    pub fn contains_occurred(&self, o: &Occurred) -> bool {
        self.window_at(o.earliest())
            .is_some_and(|w| w.contains_occurred(o))
    }

    /// Whether the occurrence may lie inside: it overlaps some covered window.
    #[must_use]
    pub fn may_contain_occurred(&self, o: &Occurred) -> bool {
        self.0.iter().any(|w| w.may_contain_occurred(o))
    }

    /// The earliest instant covered by exactly one of the two sets, if they differ.
    #[must_use]
    pub fn first_difference(&self, other: &Coverage) -> Option<Timestamp> {
        let mut points: Vec<Timestamp> = self
            .0
            .iter()
            .chain(other.0.iter())
            .flat_map(|w| std::iter::once(w.start).chain(w.end))
            .collect();
        points.sort_unstable();
        points
            .into_iter()
            .find(|p| self.contains(*p) != other.contains(*p))
    }
}

#[cfg(test)]
mod written_form {
    use proptest::prelude::*;

    use super::*;

    /// What the general RFC 3339 parser makes of a text (the reference).
    fn general(text: &str) -> Result<Timestamp, TimeError> {
        if !four_digit_year(text) {
            return Err(TimeError::Malformed { text: text.into() });
        }
        let t = DateTime::parse_from_rfc3339(text)
            .map_err(|_| TimeError::Malformed { text: text.into() })?;
        check_instant(t.to_utc()).map_err(|e| match e {
            TimeError::LeapSecond { .. } => TimeError::LeapSecond { text: text.into() },
            _ => TimeError::OutOfRange { text: text.into() },
        })
    }

    proptest! {
        /// Every instant as the crate writes it reads back through the scanner, to the value
        /// the general parser gives.
        #[test]
        fn the_scanner_reads_what_the_crate_writes(
            secs in -62_167_219_200i64..253_402_300_799,
            nanos in prop_oneof![Just(0u32), 0..1_000u32, 0..1_000_000_000u32],
        ) {
            let Some(t) = DateTime::<Utc>::from_timestamp(secs, nanos) else { return Ok(()) };
            let text = format!("{t:?}");
            prop_assert_eq!(parse_written(&text), Some(t));
            prop_assert_eq!(parse_instant(&text), general(&text));
        }

        /// On any text shaped like a timestamp, the scanner never disagrees with the general
        /// parser: it reads the same value, or leaves the text to it.
        #[test]
        fn the_scanner_never_disagrees(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,11})?(Z|z|[+-][0-9]{2}:[0-9]{2})",
        ) {
            if let Some(t) = parse_written(&text) {
                prop_assert_eq!(Ok(t), general(&text), "{}", text);
            }
            prop_assert_eq!(parse_instant(&text), general(&text), "{}", text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse::<DateTime<chrono::FixedOffset>>()
            .expect("valid timestamp")
            .to_utc()
    }

    #[test]
    fn occurred_parses_offsets_and_days() {
        let o: Occurred = serde_json::from_str("\"2025-04-19T18:00:00+03:00\"").expect("parses");
        assert_eq!(o, Occurred::At(t("2025-04-19T15:00:00Z")));
        assert_eq!(
            serde_json::to_string(&o).expect("serializes"),
            "\"2025-04-19T15:00:00Z\""
        );
        let d: Occurred = serde_json::from_str("\"2025-04-20\"").expect("parses");
        assert_eq!(d.earliest(), t("2025-04-20T00:00:00Z"));
        assert_eq!(
            d.latest(),
            t("2025-04-20T23:59:59.999999999Z"),
            "a day ends at its last nanosecond"
        );
        assert_eq!(
            serde_json::to_string(&d).expect("serializes"),
            "\"2025-04-20\""
        );
        assert!(serde_json::from_str::<Occurred>("\"20 April\"").is_err());
        assert!(serde_json::from_str::<Occurred>("\"2025-02-30\"").is_err());
    }

    #[test]
    fn day_counts_inside_a_window_only_when_wholly_inside() {
        // The 2025 Easter truce: 18:00 Moscow time on 19 April to 00:00 on 21 April.
        let truce = Window {
            start: t("2025-04-19T18:00:00+03:00"),
            end: Some(t("2025-04-21T00:00:00+03:00")),
        };
        let on_20th = Occurred::OnDay(NaiveDate::from_ymd_opt(2025, 4, 20).expect("date"));
        assert!(
            !truce.contains_occurred(&on_20th),
            "the truce ended at 21:00 UTC on the 20th"
        );
        let wide = Window {
            start: t("2025-04-19T00:00:00Z"),
            end: Some(t("2025-04-21T00:00:00Z")),
        };
        assert!(wide.contains_occurred(&on_20th));
        assert!(truce.contains(t("2025-04-20T20:59:59Z")));
        assert!(
            !truce.contains(t("2025-04-20T21:00:00Z")),
            "end is exclusive"
        );
    }

    #[test]
    fn span_arithmetic_saturates_instead_of_panicking() {
        let at = t("2025-03-18T00:00:00Z");
        assert_eq!(Span::days(30).after(at), Some(t("2025-04-17T00:00:00Z")));
        assert_eq!(Span::seconds(u64::MAX).after(at), None);
        assert_eq!(Span::seconds(u64::MAX).before(at), DateTime::<Utc>::MIN_UTC);
        assert_eq!(Span::days(u64::MAX), Span::seconds(u64::MAX));
        assert_eq!(Span::days(30).to_string(), "30 days");
    }

    #[test]
    fn coverage_cuts_holes_and_finds_first_difference() {
        let w = Window {
            start: t("2025-03-01T00:00:00Z"),
            end: Some(t("2025-03-31T00:00:00Z")),
        };
        let hole = Window {
            start: t("2025-03-10T00:00:00Z"),
            end: Some(t("2025-03-12T00:00:00Z")),
        };
        let c = Coverage::from_window(w, &[hole]);
        assert_eq!(c.windows().len(), 2);
        assert!(c.contains(t("2025-03-09T23:59:59Z")));
        assert!(!c.contains(t("2025-03-10T00:00:00Z")));
        assert!(c.contains(t("2025-03-12T00:00:00Z")));
        let plain = Coverage::from_window(w, &[]);
        assert_eq!(plain.first_difference(&c), Some(t("2025-03-10T00:00:00Z")));
        assert_eq!(c.first_difference(&c), None);
        assert_eq!(
            Coverage::empty().first_difference(&plain),
            Some(t("2025-03-01T00:00:00Z"))
        );
        let open_hole = Window {
            start: t("2025-03-20T00:00:00Z"),
            end: None,
        };
        let cut = Coverage::from_window(w, &[open_hole]);
        assert_eq!(cut.windows().len(), 1);
        assert!(!cut.contains(t("2025-03-25T00:00:00Z")));
    }
}
