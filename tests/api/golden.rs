//! Logs written by earlier versions stay readable: golden log files in `tests/data/golden`,
//! each with the answers replay gave when it was written. Every version must open and verify
//! them (read-only: the stored bytes are never touched) and replay them to the same answers.
//!
//! To add a golden log: put the file in `tests/data/golden/NAME.log`, then run
//! `CEASEFIRE_WRITE_GOLDEN=1 cargo test --all-features golden` once to record its answers.

use std::path::{Path, PathBuf};

use ceasefire::store::{FileLog, FileLogOptions};
use ceasefire::{AgreementState, Store};
use serde_json::{Value, json};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden")
}

/// What a golden log's replay must keep answering.
fn answers(log: &FileLog, state: &AgreementState) -> Value {
    let head = log.head().expect("a head");
    let at = ceasefire::time::parse_instant("2025-04-20T00:00:00Z").expect("a time");
    let terms: Vec<Value> = state
        .terms()
        .map(|(id, _)| json!([id, state.term_status(id, at).map(|s| s.to_string())]))
        .collect();
    let allegations: Vec<Value> = state
        .allegations()
        .map(|a| json!([a.id, a.status().to_string(), state.counts_against(&a.id)]))
        .collect();
    let decisions: Vec<Value> = state
        .decisions()
        .iter()
        .map(|d| {
            json!([
                d.id,
                d.party,
                d.rule,
                d.level,
                d.violations,
                d.ending.map(|e| e.reason)
            ])
        })
        .collect();
    json!({
        "head": head.to_string(),
        "terms": terms,
        "allegations": allegations,
        "decisions": decisions,
    })
}

#[test]
fn golden_logs_open_verify_and_replay_to_their_answers() {
    let mut seen = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir())
        .expect("the golden folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    entries.sort();
    for path in entries {
        let bytes_before = std::fs::read(&path).expect("readable");
        let (log, report) = FileLog::open_read_only(&path, FileLogOptions::new())
            .unwrap_or_else(|e| panic!("{} does not open: {e}", path.display()));
        assert!(report.torn.is_none(), "{} has a torn tail", path.display());
        let records: Vec<_> = log
            .records()
            .expect("a read handle")
            .collect::<Result<_, _>>()
            .expect("every record reads back");
        let state = ceasefire::replay(&records).expect("replays");
        assert_eq!(state, log.state().expect("state"));
        let got = answers(&log, &state);
        let answers_path = path.with_extension("answers.json");
        if std::env::var_os("CEASEFIRE_WRITE_GOLDEN").is_some() {
            let text = serde_json::to_string_pretty(&got).expect("serializes");
            std::fs::write(&answers_path, text + "\n").expect("written");
        }
        let want: Value = serde_json::from_str(
            &std::fs::read_to_string(&answers_path).expect("the recorded answers"),
        )
        .expect("json");
        assert_eq!(got, want, "{} replays to other answers", path.display());
        assert_eq!(std::fs::read(&path).expect("readable"), bytes_before);
        seen += 1;
    }
    assert!(seen >= 2, "only {seen} golden logs");
}

/// Writes `kinds-N.log`: samples of the testing kit's generator (under the fixture's policy,
/// and under a notice-and-deadline policy, so that halts occur), picked greedily until together
/// they hold every payload kind. Run once with `CEASEFIRE_WRITE_GOLDEN=1` before a format
/// change.
#[cfg(feature = "proptest")]
#[test]
fn write_logs_of_every_kind_when_asked() {
    use std::collections::BTreeSet;

    use ceasefire::agreement::{Procedure, SanctionPolicy, ThresholdRule};
    use ceasefire::event::PayloadKind;
    use ceasefire::sanction::RuleSet;
    use ceasefire::testing::{Config, fixtures, valid_log};
    use ceasefire::time::Span;
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    if std::env::var_os("CEASEFIRE_WRITE_GOLDEN").is_none() || dir().join("kinds-1.log").exists() {
        return;
    }
    let notice = fixtures::energy_policy().rule(
        ThresholdRule::new(fixtures::rule("notice-2"), 2, Span::days(14)).procedure(
            Procedure::NoticeAndDeadline {
                dispute_window: Span::days(10),
            },
        ),
    );
    // Kinds about keys need a signed agreement, which the generator does not make.
    let mut missing: BTreeSet<PayloadKind> = PayloadKind::ALL
        .into_iter()
        .filter(|k| !k.needs_keys())
        .collect();
    let mut written = 0;
    for policy in [fixtures::energy_policy(), notice, SanctionPolicy::new()] {
        let strategy = valid_log(
            &fixtures::energy_truce_with(policy),
            &RuleSet::new(),
            Config::default().len(100..150),
        );
        let mut runner = TestRunner::deterministic();
        for _ in 0..300 {
            let log = strategy.new_tree(&mut runner).expect("a log").current();
            let kinds: BTreeSet<_> = log.events().map(|e| e.payload.kind()).collect();
            if kinds.intersection(&missing).next().is_none() {
                continue;
            }
            missing.retain(|k| !kinds.contains(k));
            written += 1;
            let path = dir().join(format!("kinds-{written}.log"));
            let file = FileLog::create(&path, FileLogOptions::new()).expect("created");
            let events = log.events().cloned().collect();
            file.append_batch(ceasefire::ExpectedVersion::Exactly(0), events)
                .expect("a valid log");
            if missing.is_empty() {
                return;
            }
        }
    }
    panic!("no sample holds {missing:?}");
}
