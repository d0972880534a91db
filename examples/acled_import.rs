//! From a conflict-event export to the state of a ceasefire: rows in ACLED's layout (written
//! here by hand; ACLED's terms forbid redistributing its rows) imported as allegations into a
//! log of the March 2025 energy moratorium, with the import's report, a second import that
//! adds nothing, and the state.
//!
//! Run with `cargo run --features acled --example acled_import [-- EXPORT.csv]`; without an
//! argument it uses the rows below.

use std::error::Error;

use ceasefire::interchange::acled::{self, Encoding, Mapping};
use ceasefire::prelude::*;

const HEADER: &str = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,\
sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,\
civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,\
geo_precision,source,source_scale,notes,fatalities,tags,timestamp";

/// One row of the export: an air or drone strike by `actor` at `location`.
fn row(
    id: &str,
    date: &str,
    precision: u8,
    actor: &str,
    place: (&str, &str),
    notes: &str,
) -> String {
    let (admin1, location) = place;
    // ACLED's `timestamp`: when it last changed the row (here, some days apart per row).
    let ts =
        1_742_000_000 + 86_400 * u64::from(id.bytes().last().unwrap_or(b'0').saturating_sub(b'0'));
    format!(
        "{id},{date},2025,{precision},Political violence,Explosions/Remote violence,\
         Air/drone strike,{actor},,1,Civilians (Ukraine),,7,17,,804,Europe,Ukraine,{admin1},,,\
         {location},48.85,37.60,1,Local media,Subnational,\"{notes}\",0,,{ts}"
    )
}

fn main() -> Result<(), Box<dyn Error>> {
    let ru_air = "Military Forces of Russia (2000-) Air Force";
    let export = match std::env::args_os().nth(1) {
        Some(path) => std::fs::read(path)?,
        None => [
            HEADER.to_owned(),
            row(
                "UKR1001",
                "19 March 2025",
                1,
                ru_air,
                ("Donetsk", "Sloviansk"),
                "drone strike on an electrical substation",
            ),
            row(
                "UKR1002",
                "2025-03-22",
                1,
                ru_air,
                ("Kherson", "Kherson"),
                "strike on a power substation",
            ),
            row(
                "UKR1003",
                "24/03/2025",
                1,
                "Unidentified Armed Group (Ukraine)",
                ("Odesa", "Odesa"),
                "strike on a power line",
            ),
            row(
                "UKR1004",
                "25 March 2025",
                3,
                ru_air,
                ("Poltava", "Poltava"),
                "strike on gas production",
            ),
            row(
                "UKR1005",
                "31 March 2025",
                1,
                ru_air,
                ("Donetsk", "Sloviansk"),
                "substation",
            ),
        ]
        .join("\n")
        .into_bytes(),
    };

    let (ua, ru, us): (PartyId, PartyId, PartyId) = ("UA".parse()?, "RU".parse()?, "US".parse()?);
    // The default mapping's reporter: the monitoring desk that imports the export.
    let mon: PartyId = "MON".parse()?;
    let energy: TermId = "energy".parse()?;
    let agreement = Agreement::new("Energy moratorium, March 2025")
        .belligerent(&ua, "Ukraine")
        .belligerent(&ru, "Russia")
        .mediator(&us, "United States")
        .monitor(&mon, "Monitoring desk")
        .term(
            Term::new(
                &energy,
                "No strikes on energy infrastructure",
                TermKind::energy_moratorium(),
            )
            .binding([&ua, &ru])
            .lasting(Span::days(30)),
        )
        .validated()?;
    let at = time::parse_instant;
    let log = EventLog::new();
    log.append_next(
        Event::by(&us)
            .at(at("2025-03-18T12:00:00Z")?)
            .concludes(agreement)?,
    )?;
    log.append_next(
        Event::by(&ru)
            .at(at("2025-03-18T16:00:00Z")?)
            .accepts(&energy, AcceptanceLevel::Binding)?,
    )?;
    log.append_next(
        Event::by(&ua)
            .at(at("2025-03-18T16:30:00Z")?)
            .accepts(&energy, AcceptanceLevel::Binding)?,
    )?;

    let mapping = Mapping::default();
    let report = acled::import(&log, &export, &mapping, Encoding::Utf8)?;
    println!("First import:\n{report}");
    let again = acled::import(&log, &export, &mapping, Encoding::Utf8)?;
    println!("The same export again:\n{again}");

    let state = log.state()?;
    println!("{}", state.summary(at("2025-04-01T00:00:00Z")?));
    println!("Head: {}", log.head()?);
    Ok(())
}
