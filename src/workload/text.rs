//! The words, places and measures generated events carry.

use super::generate::{PRISONERS, Rng, SEA};
use super::*;

pub(super) fn measures(rng: &mut Rng, party: &PartyId) -> String {
    format!(
        "asset freeze on {} listed entities of {party}; export controls on dual-use goods; \
         suspension of the grain corridor facilitation",
        rng.between(12, 140)
    )
}

pub(super) fn evidence_ref(rng: &mut Rng, by: usize) -> String {
    match rng.below(3) {
        0 => format!(
            "report {}-2025-{:06}",
            if by == 0 { "UA" } else { "RU" },
            rng.below(1_000_000)
        ),
        1 => format!("sha256:{:016x}{:016x}", rng.next(), rng.next()),
        _ => format!("https://example.org/evidence/{:x}", rng.next()),
    }
}

/// (name, region, latitude, longitude).
pub(super) const PLACES: &[(&str, &str, f64, f64)] = &[
    ("Kherson", "Kherson oblast", 46.635, 32.617),
    ("Zaporizhzhia", "Zaporizhzhia oblast", 47.838, 35.139),
    ("Nikopol", "Dnipropetrovsk oblast", 47.571, 34.394),
    ("Kharkiv", "Kharkiv oblast", 49.993, 36.231),
    ("Sumy", "Sumy oblast", 50.907, 34.798),
    ("Kramatorsk", "Donetsk oblast", 48.723, 37.556),
    ("Pokrovsk", "Donetsk oblast", 48.282, 37.176),
    ("Kryvyi Rih", "Dnipropetrovsk oblast", 47.910, 33.391),
    ("Belgorod", "Belgorod oblast", 50.595, 36.587),
    ("Kursk", "Kursk oblast", 51.730, 36.193),
    ("Bryansk", "Bryansk oblast", 53.243, 34.363),
    ("Tuapse", "Krasnodar krai", 44.104, 39.074),
    ("Novorossiysk", "Krasnodar krai", 44.724, 37.768),
    ("Odesa", "Odesa oblast", 46.482, 30.723),
    ("Izmail", "Odesa oblast", 45.351, 28.837),
    ("Mykolaiv", "Mykolaiv oblast", 46.975, 31.995),
];

pub(super) const PORTS: &[&str] = &[
    "Odesa",
    "Chornomorsk",
    "Pivdennyi",
    "Izmail",
    "Reni",
    "Novorossiysk",
    "Tuapse",
    "Sevastopol",
];

pub(super) const FRONT: &[&str] = &[
    "Sudzha",
    "Robotyne",
    "Vovchansk",
    "Kupiansk",
    "Chasiv Yar",
    "Toretsk",
    "Velyka Novosilka",
    "Kamianske",
    "Krynky",
    "Huliaipole",
];

pub(super) const REGIONS: &[&str] = &[
    "the Zaporizhzhia direction",
    "the Pokrovsk direction",
    "the Kharkiv region",
    "the Kursk border area",
    "the Kherson riverbank",
];

pub(super) const DENIALS: &[&str] = &[
    "No strike was carried out in the area at the stated time; the damage shown was caused \
     by the other side's air defence.",
    "The footage is from an earlier incident and was recorded elsewhere.",
    "Our forces observed the ceasefire order; the site was hit by a falling interceptor.",
    "The target was a legitimate military objective outside the scope of the term.",
];

pub(super) const RETRACTIONS: &[&str] = &[
    "The incident was reported twice; this report duplicates an earlier one.",
    "On review, the damage was caused by an accident at the facility.",
    "The location was misidentified in the initial report.",
];

pub(super) const NOTES: &[&str] = &[
    "craters consistent with guided aerial bombs",
    "debris of a one-way attack drone recovered",
    "no damage visible on imagery of the following day",
    "access to the site denied; assessment from open sources only",
    "fire damage to transformer bays confirmed by the operator",
];

pub(super) fn place(rng: &mut Rng, term: usize) -> Place {
    let &(name, region, lat, lon) = if term == SEA {
        let i = rng.index(4);
        PLACES.get(12 + i).unwrap_or(&PLACES[0])
    } else {
        rng.pick(PLACES).unwrap_or(&PLACES[0])
    };
    let mut place = Place::named(name).in_region(region);
    if rng.chance(500) {
        let jitter = |r: &mut Rng| (r.below(2_000) as f64 - 1_000.0) / 10_000.0;
        if let Ok(c) = Coordinates::new(lat + jitter(rng), lon + jitter(rng)) {
            place = place.at(c);
        }
    }
    place
}

/// A description of a few hundred characters, in the words of a press statement.
pub(super) fn description(
    rng: &mut Rng,
    term: usize,
    target: &TargetCategory,
    place: &str,
) -> String {
    const OPENERS: &[&str] = &[
        "In the early hours",
        "Shortly after midnight",
        "At about 04:30 local time",
        "During the evening",
        "Around noon",
    ];
    const WEAPONS: &[&str] = &[
        "a group of one-way attack drones",
        "two cruise missiles",
        "artillery fire",
        "a ballistic missile",
        "glide bombs dropped from aircraft",
        "multiple rocket launchers",
    ];
    const DAMAGE: &[&str] = &[
        "causing a fire that burned for several hours",
        "damaging equipment and cutting supply to nearby districts",
        "destroying a building and damaging two others",
        "forcing the facility to halt operations",
        "leaving craters and debris across the site",
    ];
    const CASUALTIES: &[&str] = &[
        "No casualties were reported.",
        "Two workers were injured and taken to hospital.",
        "One civilian was killed and four were injured.",
        "Emergency crews were shelled while putting out the fire.",
    ];
    let what = match (term, target) {
        (SEA, TargetCategory::Port) => "port facilities and grain terminals",
        (SEA, _) => "a civilian cargo vessel under way",
        (PRISONERS, _) => "the agreed exchange of prisoners",
        (_, TargetCategory::PowerGrid) => "an electrical substation",
        (_, TargetCategory::Refinery) => "an oil refinery",
        (_, TargetCategory::PipelineOrStorage) => "a fuel storage depot",
        (_, TargetCategory::HydroelectricDam) => "a hydroelectric plant",
        (_, TargetCategory::Railway) => "a railway junction",
        (_, TargetCategory::MilitaryObjective) => "positions along the line of contact",
        _ => "a residential area",
    };
    let pick = |rng: &mut Rng, items: &[&'static str]| rng.pick(items).copied().unwrap_or("");
    if term == PRISONERS {
        return format!(
            "{}, the other side failed to deliver the {} prisoners listed for the exchange \
             near {place}, contrary to the schedule agreed by the joint commission; families \
             were told the transfer was postponed without a date. {}",
            pick(rng, OPENERS),
            rng.between(20, 175),
            pick(rng, CASUALTIES).replace("casualties were", "incidents were"),
        );
    }
    let mut text = format!(
        "{}, {} struck {} near {place}, {}. {}",
        pick(rng, OPENERS),
        pick(rng, WEAPONS),
        what,
        pick(rng, DAMAGE),
        pick(rng, CASUALTIES),
    );
    if rng.chance(600) {
        text.push_str(&format!(
            " Local authorities reported {} impacts within {} minutes; air defence engaged \
             {} targets over the district. Photographs and the operator's outage log are \
             attached.",
            rng.between(2, 14),
            rng.between(5, 90),
            rng.between(1, 30),
        ));
    }
    if rng.chance(300) {
        text.push_str(
            " The strike came despite the commitment announced by the other side, and \
             repair crews could not reach the site until the following day.",
        );
    }
    text
}
