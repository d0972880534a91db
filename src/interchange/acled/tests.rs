//! Rows written by hand in ACLED's layout (never real ACLED rows: its terms forbid
//! redistributing them).

use super::*;
use crate::agreement::{AcceptanceLevel, Agreement, TargetCategory, Term, TermKind};
use crate::log::EventLog;
use crate::time::{Span, parse_instant};

const HEADER: &str = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,\
sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,\
civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,\
geo_precision,source,source_scale,notes,fatalities,tags,timestamp";

const RU: &str = "Military Forces of Russia (2000-)";
const UA: &str = "Military Forces of Ukraine (2019-)";

/// A row: id, date, time precision, sub-event type, actor1, notes, fatalities, timestamp.
fn row(id: &str, date: &str, prec: &str, sub: &str, actor: &str, notes: &str, ts: &str) -> String {
    let event = if sub == "Armed clash" {
        "Battles"
    } else {
        "Explosions/Remote violence"
    };
    format!(
        "{id},{date},2025,{prec},Political violence,{event},{sub},{actor},,State forces,\
         {UA},,State forces,State forces-State forces,,804,Europe,Ukraine,Kharkiv,\
         Kharkivskyi,,Kharkiv,49.9935,36.2304,1,Regional Paper,National,\"{notes}\",0,,{ts}"
    )
}

fn file(rows: &[String]) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

fn log() -> EventLog {
    let (ua, ru, mon) = (
        PartyId::new("UA").unwrap(),
        PartyId::new("RU").unwrap(),
        PartyId::new("MON").unwrap(),
    );
    let energy = crate::id::TermId::new("energy").unwrap();
    let agreement = Agreement::new("Test truce")
        .belligerent(&ua, "Ukraine")
        .belligerent(&ru, "Russia")
        .monitor(&mon, "Monitors")
        .term(
            Term::new(
                &energy,
                "No strikes on energy",
                TermKind::energy_moratorium(),
            )
            .binding([&ua, &ru])
            .lasting(Span::days(60)),
        )
        .validated()
        .unwrap();
    let at = |s: &str| parse_instant(s).unwrap();
    let log = EventLog::new();
    log.append_next(
        Event::by(&mon)
            .at(at("2025-05-01T00:00:00Z"))
            .concludes(agreement)
            .unwrap(),
    )
    .unwrap();
    for p in [&ua, &ru] {
        let e = Event::by(p).at(at("2025-05-01T01:00:00Z"));
        log.append_next(e.accepts(&energy, AcceptanceLevel::Binding).unwrap())
            .unwrap();
    }
    log
}

const TS: &str = "1747600000"; // 2025-05-18T20:26:40Z

#[test]
fn rows_in_every_date_form_become_allegations_and_reimport_adds_nothing() {
    let store = log();
    let input = file(&[
        row(
            "UKR1",
            "16 May 2025",
            "1",
            "Air/drone strike",
            RU,
            "hit a substation",
            TS,
        ),
        row(
            "UKR2",
            "2025-05-16",
            "1",
            "Air/drone strike",
            &format!("{RU} Air Force"),
            "hit a refinery, fire",
            TS,
        ),
        row(
            "UKR3",
            "16/05/2025 00:00:00",
            "1",
            "Shelling/artillery/missile attack",
            UA,
            "power line down",
            TS,
        ),
    ]);
    let report = import(&store, &input, &Mapping::default(), Encoding::Utf8).unwrap();
    assert_eq!(report.added.len(), 3, "{report}");
    let state = store.state().unwrap();
    let first = state.allegation(&report.added[0].1).unwrap();
    assert_eq!(first.allegation.accused.as_str(), "RU");
    assert_eq!(first.allegation.target, TargetCategory::PowerGrid);
    assert_eq!(
        first.occurred,
        Occurred::OnDay(parse_date("2025-05-16").unwrap())
    );
    assert!(first.allegation.place.coordinates.is_some());
    let head = store.head().unwrap();

    let again = import(&store, &input, &Mapping::default(), Encoding::Utf8).unwrap();
    assert_eq!(again.unchanged.len(), 3, "{again}");
    assert!(again.added.is_empty());
    assert_eq!(store.head().unwrap(), head, "nothing appended twice");
}

#[test]
fn a_revised_row_retracts_the_old_allegation_and_names_it() {
    let store = log();
    let old = row(
        "UKR9",
        "16 May 2025",
        "1",
        "Air/drone strike",
        RU,
        "hit a substation",
        TS,
    );
    let first = import(
        &store,
        &file(std::slice::from_ref(&old)),
        &Mapping::default(),
        Encoding::Utf8,
    )
    .unwrap();
    let old_id = first.added[0].1;
    let new = row(
        "UKR9",
        "16 May 2025",
        "1",
        "Air/drone strike",
        RU,
        "hit a refinery",
        "1747700000",
    );
    let report = import(
        &store,
        &file(&[new, old]),
        &Mapping::default(),
        Encoding::Utf8,
    )
    .unwrap();
    assert_eq!(report.corrected.len(), 1, "{report}");
    assert_eq!(
        report.unchanged.len(),
        1,
        "the older revision is not imported again"
    );
    let (_, retraction, new_id) = report.corrected[0];
    let state = store.state().unwrap();
    assert!(
        !state.counts_against(&old_id),
        "the old allegation is retracted"
    );
    assert!(state.seq_of(&retraction).is_some());
    let revised = state.allegation(&new_id).unwrap();
    assert_eq!(revised.allegation.target, TargetCategory::Refinery);
    assert!(
        revised
            .allegation
            .evidence
            .contains(&format!("revises:{old_id}"))
    );
}

#[test]
fn unmapped_bad_imprecise_and_irrelevant_rows_are_reported_by_line() {
    let store = log();
    let mut short = row("UKR5", "16 May 2025", "1", "Air/drone strike", RU, "x", TS);
    short.truncate(40);
    let input = file(&[
        row(
            "UKR4",
            "16 May 2025",
            "1",
            "Air/drone strike",
            "Unidentified Armed Group (Ukraine)",
            "substation",
            TS,
        ),
        short,
        row("UKR6", "16 May 2025", "1", "Air/drone strike", RU, "x", TS)
            .replace("49.9935", "north"),
        row("UKR7", "May the 16th", "1", "Air/drone strike", RU, "x", TS),
        row(
            "UKR8",
            "16 May 2025",
            "2",
            "Air/drone strike",
            RU,
            "substation",
            TS,
        ),
        row("UKR10", "16 May 2025", "1", "Armed clash", RU, "clash", TS),
        row(
            "UKR11",
            "16 May 2025",
            "1",
            "Air/drone strike",
            RU,
            "substation",
            TS,
        ),
    ]);
    let mut bytes = input.clone();
    let at = bytes.windows(5).position(|w| w == b"UKR11").unwrap();
    bytes.splice(at + 5..at + 5, [0xff_u8]);
    let report = import(&store, &bytes, &Mapping::default(), Encoding::Utf8).unwrap();
    assert_eq!(
        report.unmapped,
        vec![(2, "Unidentified Armed Group (Ukraine)".to_owned())]
    );
    let lines: Vec<u64> = report.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 8, 6], "{report}");
    assert!(report.skipped[0].reason.contains("short row"));
    assert!(report.skipped[1].reason.contains("latitude"));
    assert!(report.skipped[2].reason.contains("event_date"));
    assert!(report.skipped[3].reason.contains("UTF-8"));
    assert!(report.skipped[4].reason.contains("precision"));
    assert_eq!(
        report.ignored.len(),
        1,
        "a battle breaches no energy moratorium"
    );
    assert!(report.added.is_empty());
    assert_eq!(store.state().unwrap().allegations().count(), 0);
}

#[test]
fn windows_1252_is_decoded_when_named_and_refused_otherwise() {
    let store = log();
    let text = String::from_utf8(file(&[row(
        "UKR12",
        "16 May 2025",
        "1",
        "Air/drone strike",
        RU,
        "substation in Kúpiansk",
        TS,
    )]))
    .unwrap();
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let header_latin = [b"\xe9".as_slice(), &bytes].concat();
    assert!(matches!(
        read_rows(&header_latin, Encoding::Utf8),
        Err(AcledError::Header { .. })
    ));
    let utf8 = import(&store, &bytes, &Mapping::default(), Encoding::Utf8).unwrap();
    assert!(utf8.skipped[0].reason.contains("UTF-8"), "{utf8}");
    let report = import(&store, &bytes, &Mapping::default(), Encoding::Windows1252).unwrap();
    assert_eq!(report.added.len(), 1, "{report}");
    let a = store.state().unwrap();
    let a = a.allegation(&report.added[0].1).unwrap();
    assert!(a.allegation.description.contains("Kúpiansk"));
}

#[test]
fn older_numeric_codes_and_missing_columns() {
    let r = row("UKR13", "16 May 2025", "1", "Air/drone strike", RU, "x", TS)
        .replace(",State forces,", ",1,");
    let (rows, skipped) = read_rows(&file(&[r]), Encoding::Utf8).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(rows[0].inter1, "State forces");
    let bad = b"event_id_cnty,event_date\nUKR1,2025-05-16\n";
    let err = read_rows(bad, Encoding::Utf8).unwrap_err();
    assert!(
        err.to_string().contains("no column \"time_precision\""),
        "{err}"
    );
}

#[test]
fn derived_ids_are_stable_and_distinct() {
    let t = parse_instant("2025-05-18T00:00:00Z").unwrap();
    assert_eq!(derived_id(t, "UKR1"), derived_id(t, "UKR1"));
    assert_ne!(derived_id(t, "UKR1"), derived_id(t, "UKR2"));
}
