//! The file store through its public API: create, append, reopen, head, streaming, read-only
//! handles, record size, options.

use std::io::Cursor;

use crate::support::{events, events_of, write_log};
use ceasefire::log::{ChainHash, Head};
use ceasefire::sanction::{Rule, RuleSet, Trigger, Verdict, View};
use ceasefire::store::{FileLog, FileLogOptions, OpenError, decode_line, verify};
use ceasefire::{ExpectedVersion, RuleId, Seq, Store, StoreError};

#[test]
fn appended_events_come_back_after_reopening() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    let all = events(8);
    write_log(&path, &all, &[1, 3, 1, 2]);
    let (log, report) = FileLog::open(&path, FileLogOptions::new()).expect("reopens");
    assert_eq!(report.records, 8);
    assert!(report.torn.is_none());
    assert_eq!(events_of(&log), all);
    let streamed: Vec<_> = log
        .records()
        .expect("a read handle")
        .map(|r| r.expect("intact").event)
        .collect();
    assert_eq!(streamed, all);
    assert_eq!(report.head, log.head().expect("head"));
    let mut state = ceasefire::AgreementState::new();
    for r in log.records().expect("a read handle") {
        state.apply(&r.expect("intact")).expect("valid");
    }
    assert!(
        state == log.state().expect("state"),
        "streamed replay differs"
    );
    let verified = verify(
        std::fs::File::open(&path).expect("file"),
        &FileLogOptions::new(),
    )
    .expect("verifies");
    assert_eq!(verified.report, report);
    assert!(verified.state == state);
}

#[test]
fn the_file_is_json_lines_with_the_format_on_the_first_line() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    let all = events(4);
    write_log(&path, &all, &[1, 3]);
    let text = std::fs::read_to_string(&path).expect("utf-8 file");
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with(r#"{"format":"ceasefire-log-v1","seq":1,"crc32c":""#));
    assert!(lines[1].starts_with(r#"{"seq":2,"more":2,"crc32c":""#));
    assert!(lines[3].starts_with(r#"{"seq":4,"crc32c":""#));
    let mut chain = ChainHash::ZERO;
    for (i, line) in lines.iter().enumerate() {
        let decoded = decode_line(line.as_bytes()).expect("decodes");
        let exact = serde_json::to_vec(&all[i]).expect("encodes");
        assert_eq!(
            decoded.event.as_bytes(),
            exact.as_slice(),
            "stored byte for byte"
        );
        chain = chain.link(Seq(i as u64 + 1), &exact);
        assert_eq!(decoded.hash, chain);
    }
}

#[test]
fn a_published_head_detects_truncation_and_rewriting() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    let all = events(6);
    write_log(&path, &all[..4], &[]);
    let published = {
        let (log, _) = FileLog::open(&path, FileLogOptions::new()).expect("opens");
        log.head().expect("head")
    };
    {
        let (log, _) = FileLog::open(&path, FileLogOptions::new()).expect("opens");
        log.append_batch(ExpectedVersion::Exactly(4), all[4..].to_vec())
            .expect("appends");
        log.verify_extends(&published)
            .expect("still extends its head");
        assert!(log.verify_extends(&Head::EMPTY).is_ok());
    }
    // A whole line cut off the end is a valid, shorter log: only the head tells.
    let bytes = std::fs::read(&path).expect("file");
    let starts = crate::support::line_starts(&bytes);
    let shorter = dir.path().join("shorter");
    std::fs::write(&shorter, &bytes[..starts[3]]).expect("written");
    let (log, report) = FileLog::open(&shorter, FileLogOptions::new()).expect("valid");
    assert!(report.torn.is_none());
    assert!(matches!(
        log.verify_extends(&published),
        Err(StoreError::DoesNotExtend {
            version: 4,
            found: ceasefire::log::Divergence::Shorter { records: 3 }
        })
    ));
    // A log rewritten with other events (every CRC and hash recomputed) verifies on its own.
    let rewritten = dir.path().join("rewritten");
    let mut other = events(4);
    other[3] = crate::support::allegation(99);
    write_log(&rewritten, &other, &[]);
    let (log, _) = FileLog::open(&rewritten, FileLogOptions::new()).expect("valid");
    assert!(matches!(
        log.verify_extends(&published),
        Err(StoreError::DoesNotExtend {
            version: 4,
            found: ceasefire::log::Divergence::OtherHash { .. }
        })
    ));
}

#[test]
fn create_refuses_an_existing_file_and_open_a_missing_one() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    drop(FileLog::create(&path, FileLogOptions::new()).expect("created"));
    assert!(matches!(
        FileLog::create(&path, FileLogOptions::new()),
        Err(OpenError::AlreadyExists { .. })
    ));
    assert!(matches!(
        FileLog::open(dir.path().join("missing"), FileLogOptions::new()),
        Err(OpenError::Io { .. })
    ));
    assert!(matches!(
        FileLog::create(dir.path().join("no/such/dir/log"), FileLogOptions::new()),
        Err(OpenError::Io { .. })
    ));
    assert_eq!(
        std::fs::read(&path).expect("file").len(),
        0,
        "an empty log is empty"
    );
}

#[test]
fn records_larger_than_the_maximum_are_refused_on_append_and_on_open() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    let small = FileLogOptions::new().with_max_record_size(300);
    let log = FileLog::create(&path, small.clone()).expect("created");
    let all = events(2);
    match log.append(ExpectedVersion::Any, all[0].clone()) {
        Err(StoreError::TooLarge { id, size, max: 300 }) => {
            assert_eq!(id, all[0].id);
            assert!(size > 300);
        }
        other => panic!("a large genesis gave {other:?}"),
    }
    assert_eq!(
        std::fs::read(&path).expect("file").len(),
        0,
        "nothing written"
    );
    assert_eq!(log.head().expect("head"), Head::EMPTY);
    drop(log);
    let large = FileLogOptions::new().with_max_record_size(4_000);
    let (log, _) = FileLog::open(&path, large).expect("opens");
    log.append_batch(ExpectedVersion::Exactly(0), all)
        .expect("fits now");
    drop(log);
    match FileLog::open(&path, small) {
        Err(
            e @ OpenError::RecordTooLarge {
                line: 1,
                offset: 0,
                max: 300,
            },
        ) => {
            assert_eq!(e.line(), Some(1));
        }
        other => panic!("a large line gave {other:?}"),
    }
}

#[test]
fn a_read_only_handle_sees_whole_records_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    let all = events(5);
    write_log(&path, &all[..3], &[]);
    let (writer, _) = FileLog::open(&path, FileLogOptions::new()).expect("writer");
    let (reader, report) = FileLog::open_read_only(&path, FileLogOptions::new()).expect("reader");
    assert_eq!(report.records, 3);
    assert!(reader.is_read_only() && !writer.is_read_only());
    writer
        .append(ExpectedVersion::Exactly(3), all[3].clone())
        .expect("appends");
    assert_eq!(
        events_of(&reader),
        &all[..3],
        "the reader keeps what it verified"
    );
    assert!(matches!(
        reader.append(ExpectedVersion::Any, all[4].clone()),
        Err(StoreError::ReadOnly)
    ));
    drop(writer);
    // A torn tail is reported to a reader but left in place.
    let mut bytes = std::fs::read(&path).expect("file");
    let whole = bytes.len();
    bytes.extend_from_slice(br#"{"seq":5,"crc"#);
    std::fs::write(&path, &bytes).expect("written");
    let (reader, report) = FileLog::open_read_only(&path, FileLogOptions::new()).expect("reader");
    let torn = report.torn.expect("a torn tail");
    assert_eq!(
        (torn.offset, torn.bytes, torn.last_seq_kept, torn.cut),
        (whole as u64, 13, 4, false)
    );
    assert_eq!(events_of(&reader), &all[..4]);
    assert_eq!(std::fs::read(&path).expect("file"), bytes, "unchanged");
    // The writer cuts it, and says so.
    let (writer, report) = FileLog::open(&path, FileLogOptions::new()).expect("writer");
    assert!(report.torn.is_some_and(|t| t.cut));
    assert_eq!(std::fs::read(&path).expect("file").len(), whole);
    writer
        .append(ExpectedVersion::Exactly(4), all[4].clone())
        .expect("appends");
}

#[test]
fn reads_are_ranged_like_the_in_memory_log() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    let all = events(7);
    write_log(&path, &all, &[2, 3]);
    let (log, _) = FileLog::open(&path, FileLogOptions::new()).expect("opens");
    let get = |from: u64, limit: usize| -> Vec<u64> {
        log.read(Seq(from), limit)
            .expect("reads")
            .iter()
            .map(|r| r.seq.get())
            .collect()
    };
    assert_eq!(get(1, 100), vec![1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(get(3, 2), vec![3, 4]);
    assert_eq!(get(7, 5), vec![7]);
    assert_eq!(get(8, 5), Vec::<u64>::new());
    assert_eq!(get(2, 0), Vec::<u64>::new());
    assert_eq!(get(0, 1), vec![1]);
    assert_eq!(log.hash_at(8).expect("hash"), None);
    assert_eq!(log.hash_at(0).expect("hash"), Some(ChainHash::ZERO));
}

struct Quiet(RuleId);

impl Rule for Quiet {
    fn id(&self) -> &RuleId {
        &self.0
    }

    fn version(&self) -> u32 {
        1
    }

    fn evaluate(&self, _: &dyn View, _: &Trigger<'_>) -> Vec<Verdict> {
        Vec::new()
    }
}

#[test]
fn colliding_downstream_rules_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("log");
    let id = RuleId::new("quiet").expect("id");
    let rules = RuleSet::new().with(Quiet(id.clone())).with(Quiet(id));
    let options = FileLogOptions::new().with_rules(rules);
    assert!(matches!(
        FileLog::create(&path, options.clone()),
        Err(OpenError::Rules(_))
    ));
    assert!(!path.exists());
    assert!(matches!(
        verify(Cursor::new(Vec::new()), &options),
        Err(OpenError::Rules(_))
    ));
}
