use super::*;
use crate::prelude::*;

/// The lib.rs story: an energy moratorium, one confirmed strike and the sanction it triggers,
/// plus one allegation still open.
fn state() -> (AgreementState, Head, Timestamp) {
    let (ua, ru, mon): (PartyId, PartyId, PartyId) = (
        "UA".parse().unwrap(),
        "RU".parse().unwrap(),
        "MON".parse().unwrap(),
    );
    let energy: TermId = "energy".parse().unwrap();
    let agreement = Agreement::new("Energy <moratorium>")
        .belligerent(&ua, "Ukraine")
        .belligerent(&ru, "Russia")
        .monitor(&mon, "Monitoring mission")
        .term(
            Term::new(
                &energy,
                "No strikes on energy",
                TermKind::energy_moratorium(),
            )
            .binding([&ua, &ru])
            .lasting(Span::days(30)),
        )
        .rule(ThresholdRule::new(
            "first-strike".parse().unwrap(),
            1,
            Span::days(7),
        ))
        .validated()
        .unwrap();
    let at = |s: &str| time::parse_instant(s).unwrap();
    let log = EventLog::new();
    log.append_next(
        Event::by(&mon)
            .at(at("2025-03-25T12:00:00Z"))
            .concludes(agreement)
            .unwrap(),
    )
    .unwrap();
    for p in [&ru, &ua] {
        let e = Event::by(p).at(at("2025-03-25T14:00:00Z"));
        log.append_next(e.accepts(&energy, AcceptanceLevel::Binding).unwrap())
            .unwrap();
    }
    for (day, by, against) in [("27", &ua, &ru), ("28", &ru, &ua)] {
        let strike = Event::by(by)
            .occurred(at(&format!("2025-03-{day}T02:00:00Z")))
            .recorded(at(&format!("2025-03-{day}T09:00:00Z")))
            .alleges(Allegation::new(
                against,
                &energy,
                TargetCategory::PowerGrid,
                "Kherson",
                Severity::Serious,
            ))
            .unwrap();
        log.append_next(strike).unwrap();
    }
    let first = log.state().unwrap().allegations().next().unwrap().id;
    let confirmed = Verification::new(
        first,
        Finding::Confirmed,
        Method::SatelliteImagery,
        Confidence::percent(85).unwrap(),
    );
    log.append_next(
        Event::by(&mon)
            .at(at("2025-03-29T10:00:00Z"))
            .finds(confirmed)
            .unwrap(),
    )
    .unwrap();
    (
        log.state().unwrap(),
        log.head().unwrap(),
        at("2025-03-30T00:00:00Z"),
    )
}

/// Each element's name and class, in order: the SVG's structure without its coordinates.
fn skeleton(svg: &str) -> Vec<String> {
    svg.split('<')
        .skip(1)
        .filter(|t| !t.starts_with('/'))
        .map(|t| {
            let name: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            match t.split("class=\"").nth(1).and_then(|c| c.split('"').next()) {
                Some(class) => format!("{name}.{class}"),
                None => name,
            }
        })
        .collect()
}

#[test]
fn the_svg_has_a_window_per_bound_party_a_row_per_accused_and_a_marker_per_decision() {
    let (state, head, at) = state();
    let svg = Report::new(&state, head, at).svg();
    assert_eq!(
        skeleton(&svg).join(" "),
        [
            "svg.timeline rect.background text.axis text.axis",
            "g.term text rect.window in-force title",
            "g.term text rect.window in-force title",
            "g.violations text circle.alleged title circle.confirmed title",
            "g.violations text circle.alleged title",
            "g.sanctions path.marker decision title",
            "line.now",
        ]
        .join(" ")
    );
}

#[test]
fn the_page_escapes_text_and_names_parties_terms_decisions_and_the_head() {
    let (state, head, at) = state();
    let html = Report::new(&state, head, at).html();
    assert!(html.contains("<h1>Energy &lt;moratorium&gt;</h1>"));
    assert!(html.contains(&head.hash.to_string()));
    assert!(
        html.contains("decision D1 against RU: warning (in force)"),
        "{html}"
    );
    assert!(
        html.contains("<td>UA</td><td>1</td><td>0</td>"),
        "the open allegation against UA"
    );
    assert!(!html.contains("<script"));
}

#[test]
fn open_allegations_say_whether_they_count_by_the_one_rule_for_uncertainty() {
    let (state, head, at) = state();
    let html = Report::new(&state, head, at).html();
    assert!(html.contains("<th>counts</th>"));
    assert!(
        html.contains("</td><td>alleged</td><td>counts</td></tr>"),
        "{html}"
    );

    // An overnight wave straddling the start of the obligations, and an unknown target.
    let (ua, ru): (PartyId, PartyId) = ("UA".parse().unwrap(), "RU".parse().unwrap());
    let energy: TermId = "energy".parse().unwrap();
    let mut state = state;
    let t = |s: &str| time::parse_instant(s).unwrap();
    let wave = Event::by(&ua)
        .occurred(Occurred::between(t("2025-03-25T10:00:00Z"), t("2025-03-25T16:00:00Z")).unwrap())
        .recorded(t("2025-03-29T11:00:00Z"))
        .alleges(Allegation::new(
            &ru,
            &energy,
            TargetCategory::PowerGrid,
            "Odesa",
            Severity::Serious,
        ))
        .unwrap();
    let unknown = Event::by(&ua)
        .at(t("2025-03-29T12:00:00Z"))
        .alleges(Allegation::new(
            &ru,
            &energy,
            TargetCategory::Unknown,
            "Dnipro",
            Severity::Minor,
        ))
        .unwrap();
    for e in [wave, unknown] {
        let record = Record::new(state.next_seq(), e);
        state.apply(&record).unwrap();
    }
    let html = Report::new(&state, head, at).html();
    assert!(html.contains("possibly inside: not counted"), "{html}");
    assert!(html.contains("<td>unknown target</td>"), "{html}");
    assert!(html.contains("target unknown or disputed"), "{html}");
}
