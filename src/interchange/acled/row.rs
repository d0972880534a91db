//! Reading ACLED CSV exports into typed rows: decoding, columns by header name, dates, codes.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::event::Coordinates;
use crate::time::Timestamp;

use super::{AcledError, Skipped};

/// The text encoding of an export.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub enum Encoding {
    /// UTF-8 (a byte-order mark is dropped). A row that is not UTF-8 is skipped.
    #[default]
    Utf8,
    /// Windows-1252, which also reads ISO 8859-1 (latin-1) files, decoded with `encoding_rs`.
    Windows1252,
}

impl std::str::FromStr for Encoding {
    type Err = crate::name::UnknownName;
    fn from_str(text: &str) -> Result<Encoding, crate::name::UnknownName> {
        match text.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "windows-1252" | "cp1252" | "latin-1" | "latin1" | "iso-8859-1" => {
                Ok(Encoding::Windows1252)
            }
            _ => Err(crate::name::UnknownName {
                what: "encoding",
                text: text.to_owned(),
                expected: &["utf-8", "windows-1252", "latin-1"],
            }),
        }
    }
}

/// ACLED's time precision: how exactly `event_date` is known.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TimePrecision {
    /// 1: the day.
    Day,
    /// 2: the week around the date.
    Week,
    /// 3: the month of the date.
    Month,
}

/// One row of an export, parsed.
#[derive(Clone, PartialEq, Debug)]
pub struct Row {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// `event_id_cnty`, ACLED's stable id of the event.
    pub event_id: String,
    /// `event_date`.
    pub date: NaiveDate,
    /// `time_precision`.
    pub time_precision: TimePrecision,
    /// `event_type`.
    pub event_type: String,
    /// `sub_event_type`.
    pub sub_event_type: String,
    /// `actor1`: who acted.
    pub actor1: String,
    /// `actor2`: against whom.
    pub actor2: String,
    /// `inter1` as text (older exports give numeric codes; they are read as their names).
    pub inter1: String,
    /// Whether `civilian_targeting` is set.
    pub civilian_targeting: bool,
    /// `admin1`.
    pub admin1: String,
    /// `location`.
    pub location: String,
    /// `latitude`, `longitude`.
    pub coordinates: Coordinates,
    /// `geo_precision` (1 to 3).
    pub geo_precision: u8,
    /// `source`.
    pub source: String,
    /// `notes`.
    pub notes: String,
    /// `fatalities`.
    pub fatalities: u32,
    /// `timestamp`: when ACLED last changed the row.
    pub timestamp: Timestamp,
}

const COLUMNS: [&str; 18] = [
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "inter1",
    "civilian_targeting",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "timestamp",
];

/// The names of ACLED's older numeric actor-type codes (`inter1`, `inter2`).
const INTER: [&str; 9] = [
    "Sole actor",
    "State forces",
    "Rebel groups",
    "Political militias",
    "Identity militias",
    "Rioters",
    "Protesters",
    "Civilians",
    "External/Other forces",
];

/// Reads every row of an export: the rows that parse, and the rows skipped with why.
///
/// # Errors
/// [`AcledError::Header`] when the header is missing a needed column or is not UTF-8 (with a
/// hint to name the encoding), [`AcledError::Csv`] for a file the CSV reader cannot read.
pub fn read_rows(input: &[u8], encoding: Encoding) -> Result<(Vec<Row>, Vec<Skipped>), AcledError> {
    let decoded;
    let bytes = match encoding {
        Encoding::Utf8 => input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input),
        Encoding::Windows1252 => {
            decoded = encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(input)
                .0;
            decoded.as_bytes()
        }
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = reader
        .byte_headers()
        .map_err(|e| AcledError::Csv {
            line: 1,
            reason: e.to_string(),
        })?
        .clone();
    let names = header
        .iter()
        .map(std::str::from_utf8)
        .collect::<Result<Vec<&str>, _>>()
        .map_err(|_| AcledError::Header {
            reason: "the header is not UTF-8; if the file is in Windows-1252 or latin-1, say \
                     so (encoding windows-1252)"
                .into(),
        })?;
    let mut index = [0usize; COLUMNS.len()];
    for (slot, column) in index.iter_mut().zip(COLUMNS) {
        *slot = names
            .iter()
            .position(|n| n.trim() == column)
            .ok_or_else(|| AcledError::Header {
                reason: format!("no column {column:?}"),
            })?;
    }
    let width = names.len();
    let (mut rows, mut skipped) = (Vec::new(), Vec::new());
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                match parse_row(&record, &index, width, line) {
                    Ok(row) => rows.push(row),
                    Err(reason) => skipped.push(Skipped { line, reason }),
                }
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                skipped.push(Skipped {
                    line,
                    reason: format!("unreadable CSV: {e}"),
                });
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
            }
        }
    }
    Ok((rows, skipped))
}

fn parse_row(
    record: &csv::ByteRecord,
    index: &[usize; COLUMNS.len()],
    width: usize,
    line: u64,
) -> Result<Row, String> {
    if record.len() < width {
        return Err(format!(
            "short row: {} fields, expected {width}",
            record.len()
        ));
    }
    let mut fields = Vec::with_capacity(COLUMNS.len());
    for (&i, column) in index.iter().zip(COLUMNS) {
        let raw = record.get(i).unwrap_or_default();
        let text = std::str::from_utf8(raw).map_err(|_| {
            format!(
                "{column} is not UTF-8 (line {line}); a Windows-1252 or latin-1 file must say so"
            )
        })?;
        fields.push(text.trim());
    }
    let f = |column: &str| {
        COLUMNS
            .iter()
            .position(|c| *c == column)
            .and_then(|i| fields.get(i).copied())
            .unwrap_or_default()
    };
    let number = |column: &str| {
        f(column)
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| format!("{column} {:?} is not a number", f(column)))
    };
    let event_id = f("event_id_cnty");
    if event_id.is_empty() {
        return Err("event_id_cnty is empty".into());
    }
    let time_precision = match f("time_precision") {
        "1" => TimePrecision::Day,
        "2" => TimePrecision::Week,
        "3" => TimePrecision::Month,
        other => return Err(format!("time_precision {other:?} is not 1, 2 or 3")),
    };
    let geo_precision = match f("geo_precision") {
        p @ ("1" | "2" | "3") => p.parse::<u8>().map_err(|e| e.to_string())?,
        other => return Err(format!("geo_precision {other:?} is not 1, 2 or 3")),
    };
    let (lat, lon) = (number("latitude")?, number("longitude")?);
    let coordinates = Coordinates::new(lat, lon).map_err(|e| e.to_string())?;
    let fatalities = f("fatalities")
        .parse::<u32>()
        .map_err(|_| format!("fatalities {:?} is not a count", f("fatalities")))?;
    let timestamp = f("timestamp")
        .parse::<i64>()
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .ok_or_else(|| format!("timestamp {:?} is not Unix seconds", f("timestamp")))?;
    Ok(Row {
        line,
        event_id: event_id.to_owned(),
        date: parse_date(f("event_date"))?,
        time_precision,
        event_type: f("event_type").to_owned(),
        sub_event_type: f("sub_event_type").to_owned(),
        actor1: f("actor1").to_owned(),
        actor2: f("actor2").to_owned(),
        inter1: inter_name(f("inter1"))?,
        civilian_targeting: !f("civilian_targeting").is_empty(),
        admin1: f("admin1").to_owned(),
        location: f("location").to_owned(),
        coordinates,
        geo_precision,
        source: f("source").to_owned(),
        notes: f("notes").to_owned(),
        fatalities,
        timestamp,
    })
}

/// `16 May 2025`, `2025-05-16` or `14/08/2020 00:00:00` (the time must be midnight or absent).
///
/// # Errors
/// The reason, naming the text.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%d %B %Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(text, "%d/%m/%Y %H:%M:%S")
                .ok()
                .filter(|t| t.time() == chrono::NaiveTime::MIN)
                .map(|t| t.date())
                .ok_or(())
        })
        .map_err(|()| format!("event_date {text:?} is not a date"))
        .and_then(|d| {
            crate::time::check_instant(d.and_time(chrono::NaiveTime::MIN).and_utc())
                .map(|_| d)
                .map_err(|e| e.to_string())
        })
}

/// An actor type: a numeric code of older exports as its name, or the text as given.
fn inter_name(text: &str) -> Result<String, String> {
    match text.parse::<usize>() {
        Ok(code) => INTER
            .get(code)
            .map(|s| (*s).to_owned())
            .ok_or_else(|| format!("inter1 code {code} is not 0 to 8")),
        Err(_) => Ok(text.to_owned()),
    }
}
