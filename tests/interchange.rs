//! ACLED import and CloudEvents round trips, through the public API. ACLED rows here are
//! written by hand in its layout (its terms forbid redistributing real rows).
#![cfg(all(feature = "acled", feature = "cloudevents"))]
// The helpers below are test code too: a failed fixture should stop the test.
#![allow(clippy::unwrap_used)]

use ceasefire::interchange::{acled, cloudevents};
use ceasefire::prelude::*;
use ceasefire::store::FileLogOptions;

const HEADER: &str = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,\
sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,\
civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,\
geo_precision,source,source_scale,notes,fatalities,tags,timestamp";

fn row(id: &str, date: &str, prec: u8, geo: u8, actor: &str, notes: &str, ts: u64) -> String {
    format!(
        "{id},{date},2025,{prec},Political violence,Explosions/Remote violence,\
         Air/drone strike,{actor},,1,Civilians (Ukraine),,7,17,,804,Europe,Ukraine,Sumy,,,\
         Sumy,50.9,34.8,{geo},Local paper,Subnational,\"{notes}\",2,,{ts}"
    )
}

fn genesis(log: &impl Store) {
    let (ua, ru, mon): (PartyId, PartyId, PartyId) = (
        "UA".parse().unwrap(),
        "RU".parse().unwrap(),
        "MON".parse().unwrap(),
    );
    let energy: TermId = "energy".parse().unwrap();
    let agreement = Agreement::new("Energy moratorium")
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
            .lasting(Span::days(30)),
        )
        .validated()
        .unwrap();
    let at = |s| time::parse_instant(s).unwrap();
    log.append_next(
        Event::by(&mon)
            .at(at("2025-05-01T00:00:00Z"))
            .concludes(agreement)
            .unwrap(),
    )
    .unwrap();
    for p in [&ua, &ru] {
        let e = Event::by(p).at(at("2025-05-01T06:00:00Z"));
        log.append_next(e.accepts(&energy, AcceptanceLevel::Binding).unwrap())
            .unwrap();
    }
}

fn export_text(log: &impl Store) -> String {
    let records = log.read(Seq::FIRST, usize::MAX).unwrap();
    let source = cloudevents::source_of(log.state().unwrap().genesis());
    let mut out = Vec::new();
    cloudevents::export(&records, &source, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn an_acled_import_into_a_file_log_survives_reopening_and_round_trips_as_cloudevents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    let log = FileLog::create(&path, FileLogOptions::new()).unwrap();
    genesis(&log);
    let ru_air = "Military Forces of Russia (2000-) Air Force";
    let csv = [
        HEADER.to_owned(),
        row(
            "SYN1",
            "10 May 2025",
            1,
            1,
            ru_air,
            "strike on a substation",
            1_747_000_000,
        ),
        row(
            "SYN2",
            "2025-05-11",
            1,
            3,
            ru_air,
            "strike on a refinery",
            1_747_000_100,
        ),
        row(
            "SYN3",
            "12/05/2025 00:00:00",
            3,
            1,
            ru_air,
            "substation",
            1_747_000_200,
        ),
        row(
            "SYN4",
            "12 May 2025",
            1,
            1,
            "Unknown operators",
            "substation",
            1_747_000_300,
        ),
        row(
            "SYN1",
            "10 May 2025",
            1,
            1,
            ru_air,
            "strike on a thermal power plant",
            1_747_100_000,
        ),
    ]
    .join("\n");
    let mapping = acled::Mapping::default();
    let report = acled::import(&log, csv.as_bytes(), &mapping, acled::Encoding::Utf8).unwrap();
    assert_eq!(report.added.len(), 2, "{report}");
    assert_eq!(report.corrected.len(), 1, "{report}");
    assert_eq!(report.unmapped, vec![(5, "Unknown operators".to_owned())]);
    assert_eq!(
        report.skipped.len(),
        1,
        "month precision is skipped: {report}"
    );
    assert!(report.skipped[0].reason.contains("Month"), "{report}");
    let state = log.state().unwrap();
    let standing: Vec<_> = state
        .allegations()
        .filter(|a| state.counts_against(&a.id))
        .collect();
    assert_eq!(
        standing.len(),
        2,
        "one per ACLED row, the revision replacing the original"
    );
    let coarse = state.allegation(&report.added[1].1).unwrap();
    assert_eq!(
        coarse.allegation.place.coordinates, None,
        "geo precision 3 drops coordinates"
    );
    let head = log.head().unwrap();
    drop(log);

    let (log, _) = FileLog::open(&path, FileLogOptions::new()).unwrap();
    let again = acled::import(&log, csv.as_bytes(), &mapping, acled::Encoding::Utf8).unwrap();
    assert_eq!(again.added.len() + again.corrected.len(), 0, "{again}");
    assert_eq!(log.head().unwrap(), head);

    let text = export_text(&log);
    assert_eq!(text.lines().count() as u64, head.version);
    let copy = EventLog::new();
    assert_eq!(
        cloudevents::import(&copy, &text).unwrap() as u64,
        head.version
    );
    assert_eq!(copy.head().unwrap(), head);
    assert_eq!(
        copy.read(Seq::FIRST, usize::MAX).unwrap(),
        log.read(Seq::FIRST, usize::MAX).unwrap()
    );
    assert_eq!(export_text(&copy), text);
}

#[test]
fn cloudevent_lines_that_disagree_with_their_data_are_refused_by_line() {
    let log = EventLog::new();
    genesis(&log);
    let text = export_text(&log);
    let second = text.lines().nth(1).unwrap();
    for (bad, why) in [
        (
            second.replace("\"specversion\":\"1.0\"", "\"specversion\":\"0.3\""),
            "specversion",
        ),
        (
            second.replace(
                "org.ceasefire.term_accepted",
                "org.ceasefire.violation_alleged",
            ),
            "type",
        ),
        (
            second.replacen(
                "\"time\":\"2025-05-01T06:00:00Z\"",
                "\"time\":\"2025-05-02T06:00:00Z\"",
                1,
            ),
            "time",
        ),
        ("{\"id\":\"x\"}".to_owned(), "missing field"),
    ] {
        let input = format!("{}\n{bad}\n", text.lines().next().unwrap());
        let err = cloudevents::import(&EventLog::new(), &input).unwrap_err();
        assert!(err.to_string().starts_with("line 2:"), "{err}");
        assert!(err.to_string().contains(why), "{why}: {err}");
    }
    let without_genesis = text.lines().nth(1).unwrap();
    let err = cloudevents::import(&EventLog::new(), without_genesis).unwrap_err();
    assert!(
        matches!(err, cloudevents::CloudEventError::Refused { line: 1, .. }),
        "{err}"
    );
}
