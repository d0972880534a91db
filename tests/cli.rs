//! The `ceasefire` command line, run as a user runs it: as a process, with files. The report
//! is opened in headless Chromium when it is installed. ACLED rows are written by hand.
#![cfg(feature = "cli")]
// The helpers below are test code too: a failed fixture should stop the test.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ceasefire::prelude::*;

const HEADER: &str = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,\
sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,\
civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,\
geo_precision,source,source_scale,notes,fatalities,tags,timestamp";

fn row(id: &str, date: &str, actor: &str, notes: &str, ts: u64) -> String {
    format!(
        "{id},{date},2025,1,Political violence,Explosions/Remote violence,Air/drone strike,\
         {actor},,1,Civilians (Ukraine),,7,17,,804,Europe,Ukraine,Odesa,,,Odesa,46.48,30.72,1,\
         Local paper,Subnational,\"{notes}\",0,,{ts}"
    )
}

fn ceasefire(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ceasefire"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok(args: &[&str], stdin: Option<&str>) -> String {
    let out = ceasefire(args, stdin);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail with exit code 1 and one `ceasefire: ...` line on stderr.
fn fails(args: &[&str], stdin: Option<&str>) -> String {
    let out = ceasefire(args, stdin);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.starts_with("ceasefire: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A log with an energy moratorium that both sides accepted, and an ACLED export to import.
fn tour(dir: &Path) -> (PathBuf, PathBuf) {
    let (ua, ru, mon): (PartyId, PartyId, PartyId) = (
        "UA".parse().unwrap(),
        "RU".parse().unwrap(),
        "MON".parse().unwrap(),
    );
    let energy: TermId = "energy".parse().unwrap();
    let agreement = Agreement::new("Black Sea energy moratorium")
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
    let agreement_path = dir.join("agreement.json");
    std::fs::write(
        &agreement_path,
        serde_json::to_string_pretty(&agreement).unwrap(),
    )
    .unwrap();
    let log = dir.join("moratorium.log");
    let out = ok(
        &[
            "init",
            s(&log),
            "--agreement",
            s(&agreement_path),
            "--at",
            "2025-05-01T00:00:00Z",
        ],
        None,
    );
    assert!(out.contains("version 1"), "{out}");
    let at = |t| time::parse_instant(t).unwrap();
    let accept = |p: &PartyId| {
        let e = Event::by(p).at(at("2025-05-01T06:00:00Z"));
        serde_json::to_string(&e.accepts(&energy, AcceptanceLevel::Binding).unwrap()).unwrap()
    };
    let lines = format!("{}\n\n{}\n", accept(&ua), accept(&ru));
    assert!(ok(&["append", s(&log), "-"], Some(&lines)).contains("version 3"));
    let export = dir.join("export.csv");
    let ru_air = "Military Forces of Russia (2000-) Air Force";
    let csv = [
        HEADER.to_owned(),
        row(
            "SYN1",
            "10 May 2025",
            ru_air,
            "strike on a substation",
            1_747_000_000,
        ),
        row(
            "SYN2",
            "11 May 2025",
            "Unknown operators",
            "substation",
            1_747_000_100,
        ),
        row("SYN3", "32 May 2025", ru_air, "substation", 1_747_000_200),
    ];
    std::fs::write(&export, csv.join("\n")).unwrap();
    (log, export)
}

/// A monitor confirms the first allegation, through `append` from a file.
fn confirm_first(log: &Path) {
    let (store, _) = FileLog::open_read_only(log, ceasefire::store::FileLogOptions::new()).unwrap();
    let first = store.state().unwrap().allegations().next().unwrap().id;
    drop(store);
    let finding = Verification::new(
        first,
        Finding::Confirmed,
        Method::SatelliteImagery,
        Confidence::percent(90).unwrap(),
    );
    let mon: PartyId = "MON".parse().unwrap();
    let at = time::parse_instant("2025-05-20T10:00:00Z").unwrap();
    let event = Event::by(&mon).at(at).finds(finding).unwrap();
    let file = log.with_extension("finding.json");
    std::fs::write(&file, serde_json::to_string(&[event]).unwrap()).unwrap();
    ok(&["append", s(log), s(&file)], None);
}

#[test]
fn the_three_command_tour_and_every_reader() {
    let dir = tempfile::tempdir().unwrap();
    let (log, export) = tour(dir.path());
    let imported = ok(&["import-acled", s(&log), s(&export)], None);
    assert!(
        imported.starts_with("1 added, 0 corrected, 0 unchanged, 1 unmapped, 0 ignored, 1 skipped"),
        "{imported}"
    );
    assert!(
        imported.contains("line 3: unmapped actor \"Unknown operators\""),
        "{imported}"
    );
    assert!(
        imported.contains("line 4: skipped: event_date"),
        "{imported}"
    );
    let again = ok(&["import-acled", s(&log), s(&export)], None);
    assert!(
        again.starts_with("0 added, 0 corrected, 1 unchanged"),
        "{again}"
    );
    confirm_first(&log);

    let verified = ok(&["verify", s(&log)], None);
    assert!(
        verified.starts_with("ok: 5 records, version 5, hash "),
        "{verified}"
    );
    let html = dir.path().join("report.html");
    let svg = dir.path().join("report.svg");
    ok(
        &["report", s(&log), "--html", s(&html), "--svg", s(&svg)],
        None,
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Black Sea energy moratorium") && !page.contains("<script"));
    assert!(page.contains("decision D1 against RU"), "{page}");
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));

    let summary = ok(&["replay", s(&log)], None);
    assert!(summary.contains("Black Sea energy moratorium"), "{summary}");
    let before = ok(
        &["replay", s(&log), "--at", "2025-05-01T03:00:00Z", "--json"],
        None,
    );
    let state: AgreementState = serde_json::from_str(&before).unwrap();
    assert_eq!(state.event_count(), 1, "only the genesis was known by then");

    let events = dir.path().join("events.jsonl");
    ok(&["export", s(&log), "--output", s(&events)], None);
    let copy = dir.path().join("copy.log");
    assert!(ok(&["import", s(&copy), s(&events)], None).contains("5 events read"));
    assert_eq!(
        ok(&["verify", s(&copy)], None),
        verified,
        "same records, same head"
    );
    assert_eq!(
        ok(&["export", s(&log)], None),
        std::fs::read_to_string(&events).unwrap()
    );
}

#[test]
fn failures_name_the_file_the_line_and_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let (log, export) = tour(dir.path());
    let agreement = dir.path().join("agreement.json");
    let err = fails(&["init", s(&log), "--agreement", s(&agreement)], None);
    assert!(
        err.contains(s(&log)),
        "an existing log is never overwritten: {err}"
    );
    let err = fails(&["append", s(&log), "-"], Some("\n{\"id\": 1}\n"));
    assert!(err.starts_with("ceasefire: -: line 2: "), "{err}");
    let stranger: PartyId = "XX".parse().unwrap();
    let at = time::parse_instant("2025-05-02T00:00:00Z").unwrap();
    let accepts = Event::by(&stranger).at(at);
    let energy: TermId = "energy".parse().unwrap();
    let refused = accepts.accepts(&energy, AcceptanceLevel::Binding).unwrap();
    let array = serde_json::to_string(&[refused]).unwrap();
    let err = fails(&["append", s(&log), "-"], Some(&array));
    assert!(
        err.starts_with("ceasefire: -: event 1 of the array: "),
        "{err}"
    );
    assert!(err.contains("XX"), "{err}");
    let err = fails(&["import-acled", s(&log), "missing.csv"], None);
    assert!(err.contains("missing.csv"), "{err}");
    std::fs::write(&export, "event_id_cnty,event_date\nX,2025-05-01\n").unwrap();
    let err = fails(&["import-acled", s(&log), s(&export)], None);
    assert!(
        err.contains("line 1: no column \"time_precision\""),
        "{err}"
    );
    let err = fails(
        &["import-acled", s(&log), s(&export), "--encoding", "ebcdic"],
        None,
    );
    assert!(err.contains("--encoding"), "{err}");
    assert!(fails(&["replay", s(&log), "--at", "yesterday"], None).contains("--at"));
    assert!(fails(&["report", s(&log)], None).contains("--html"));
    assert_eq!(
        ceasefire(&["frobnicate"], None).status.code(),
        Some(2),
        "usage errors exit 2"
    );

    let mut bytes = std::fs::read(&log).unwrap();
    let second_line = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    let i = second_line
        + bytes[second_line..]
            .iter()
            .position(|&b| b == b'U')
            .unwrap();
    bytes[i] = b'V';
    std::fs::write(&log, &bytes).unwrap();
    let err = fails(&["verify", s(&log)], None);
    assert!(err.contains(s(&log)) && err.contains("line 2"), "{err}");
}

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Runs headless Chromium on `page`: its screenshot's size in bytes and the DOM.
fn browse(browser: &Path, page: &Path, dir: &Path) -> (u64, String) {
    let profile = tempfile::tempdir().unwrap();
    let shot = dir.join("shot.png");
    let _ = std::fs::remove_file(&shot);
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let run = |extra: &[String]| {
        Command::new(browser)
            .args(flags)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap()
    };
    let out = run(&[
        format!("--screenshot={}", shot.display()),
        "--window-size=1280,1000".into(),
    ]);
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = run(&["--dump-dom".into()]);
    (
        std::fs::metadata(&shot).unwrap().len(),
        String::from_utf8_lossy(&dom.stdout).into_owned(),
    )
}

#[test]
fn the_report_renders_in_a_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("CEASEFIRE_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "CEASEFIRE_REQUIRE_CHROMIUM=1 but chromium was not found"
        );
        println!("skipped: report browser test (chromium not found)");
        eprintln!("skipped: report browser test (chromium not found)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (log, export) = tour(dir.path());
    ok(&["import-acled", s(&log), s(&export)], None);
    confirm_first(&log);
    let html = dir.path().join("report.html");
    ok(&["report", s(&log), "--html", s(&html)], None);
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").unwrap();
    let (blank_size, _) = browse(&browser, &blank, dir.path());
    let (size, dom) = browse(&browser, &html, dir.path());
    assert!(
        size > 2 * blank_size,
        "the screenshot looks blank: {size} bytes vs {blank_size}"
    );
    for expected in [
        "Black Sea energy moratorium",
        "<td>RU</td>",
        "<td>UA</td>",
        "<td>energy</td>",
        "decision D1 against RU",
        "<svg",
        "class=\"window in-force\"",
    ] {
        assert!(dom.contains(expected), "the DOM lacks {expected:?}");
    }
}

#[test]
fn the_readme_tour_from_an_export_to_a_verified_log_and_a_page_in_three_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (_, export) = tour(dir.path());
    let (agreement, log) = (
        dir.path().join("agreement.json"),
        dir.path().join("truce.log"),
    );
    let html = dir.path().join("truce.html");
    let imported = ok(
        &[
            "import-acled",
            s(&log),
            s(&export),
            "--agreement",
            s(&agreement),
        ],
        None,
    );
    assert!(imported.starts_with("1 added"), "{imported}");
    assert!(ok(&["verify", s(&log)], None).starts_with("ok: 2 records"));
    ok(&["report", s(&log), "--html", s(&html)], None);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<td>RU</td><td>1</td><td>0</td>"),
        "one alleged, none confirmed"
    );
}

/// `copy` between log files, and `--store postgres://…` for every command: a file copied into
/// the database reads, verifies and replays there as it does from the file, and copies back
/// to a file with the same head. The database part needs `CEASEFIRE_POSTGRES_URL`.
#[test]
fn copy_and_the_postgres_store() {
    let dir = tempfile::tempdir().unwrap();
    let (log, export) = tour(dir.path());
    ok(&["import-acled", s(&log), s(&export)], None);
    let head = ok(&["verify", s(&log)], None);
    let copy = dir.path().join("copy.log");
    let copied = ok(&["copy", s(&log), s(&copy)], None);
    assert_eq!(ok(&["verify", s(&copy)], None), head);
    assert!(
        head.contains(copied.trim().trim_start_matches("copied: ")),
        "{head} {copied}"
    );
    let refused = fails(&["copy", "db:elsewhere", s(&copy)], None);
    assert!(refused.contains("needs --store"), "{refused}");

    let Ok(url) = std::env::var("CEASEFIRE_POSTGRES_URL") else {
        println!("skipped: cli --store postgres test (CEASEFIRE_POSTGRES_URL is not set)");
        return;
    };
    let id = format!("cli-{}", std::process::id());
    let db = format!("db:{id}");
    ok(&["--store", &url, "copy", s(&log), &db], None);
    assert_eq!(ok(&["--store", &url, "verify", &id], None), head);
    assert_eq!(
        ok(&["--store", &url, "replay", &id, "--json"], None),
        ok(&["replay", s(&log), "--json"], None)
    );
    let back = dir.path().join("back.log");
    ok(&["--store", &url, "copy", &db, s(&back)], None);
    assert_eq!(ok(&["verify", s(&back)], None), head);
    // Appending through the store, and a second copy that finds nothing left to do.
    confirm_first(&log);
    ok(&["--store", &url, "copy", s(&log), &db], None);
    assert_eq!(
        ok(&["--store", &url, "verify", &id], None),
        ok(&["verify", s(&log)], None)
    );
    let exists = fails(
        &[
            "--store",
            &url,
            "init",
            &id,
            "--agreement",
            s(&dir.path().join("agreement.json")),
        ],
        None,
    );
    assert!(exists.contains("already holds"), "{exists}");
}

/// `verify --checkpoint`: a checkpoint signed by the monitor's key is checked against the
/// keys and the log; a log that no longer holds it, a forged note and a quorum the keys cannot
/// meet are refused with one line each.
#[test]
fn verify_checks_a_signed_checkpoint() {
    use ceasefire::transparency::{KeyName, SignerKey};

    let dir = tempfile::tempdir().unwrap();
    let (log, export) = tour(dir.path());
    let signer = SignerKey::from_seed(KeyName::new("MON").unwrap(), &[7; 32]).unwrap();
    let keys = dir.path().join("keys");
    std::fs::write(&keys, format!("{}\n", signer.verifier())).unwrap();
    let (store, _) =
        FileLog::open_read_only(&log, ceasefire::store::FileLogOptions::new()).unwrap();
    let size = store.head().unwrap().version;
    let note = store.checkpoint(size).unwrap().sign(&[&signer]).unwrap();
    drop(store);
    let checkpoint = dir.path().join("checkpoint");
    std::fs::write(&checkpoint, note.to_bytes()).unwrap();
    let args = [
        "verify",
        s(&log),
        "--checkpoint",
        s(&checkpoint),
        "--keys",
        s(&keys),
    ];
    let out = ok(&args, None);
    assert!(
        out.contains(&format!(
            "checkpoint: size {size}, signed by MON; the log holds it"
        )),
        "{out}"
    );
    // The log grows: it still holds the checkpoint.
    ok(&["import-acled", s(&log), s(&export)], None);
    assert!(ok(&args, None).contains("the log holds it"));
    // Another log (another genesis, so another origin) is refused.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let (other_log, _) = tour(&other);
    let other_args = [
        "verify",
        s(&other_log),
        "--checkpoint",
        s(&checkpoint),
        "--keys",
        s(&keys),
    ];
    let out = ceasefire(&other_args, None);
    assert_eq!(out.status.code(), Some(1));
    // A note whose text was changed after signing.
    let forged = dir.path().join("forged");
    let text = String::from_utf8(note.to_bytes()).unwrap();
    std::fs::write(&forged, text.replacen(&format!("\n{size}\n"), "\n1\n", 1)).unwrap();
    let refused = fails(
        &[
            "verify",
            s(&log),
            "--checkpoint",
            s(&forged),
            "--keys",
            s(&keys),
        ],
        None,
    );
    assert!(refused.contains(s(&forged)), "{refused}");
    // Two signatures asked of one key.
    let short = fails(&[&args[..], &["--quorum", "2"]].concat(), None);
    assert!(short.contains(s(&keys)), "{short}");
}
