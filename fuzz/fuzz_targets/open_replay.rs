//! Opening (verifying) arbitrary bytes as a log file, then replaying what it kept: never
//! panics, and a log that verifies replays to the same state, record for record.
#![no_main]

use std::io::Cursor;

use ceasefire::store::{FileLogOptions, decode_line, verify};
use ceasefire::{Record, replay};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = FileLogOptions::new().with_max_record_size(64 * 1024);
    let Ok(verified) = verify(Cursor::new(data), &options) else {
        return;
    };
    let kept = verified.report.torn.map_or(data.len(), |t| {
        usize::try_from(t.offset).expect("an offset in the data")
    });
    // What was dropped holds no whole record that ends its append (it may have been
    // acknowledged): only the beginning of a line, zeros, and records of an unfinished batch.
    for line in data[kept..].split(|&b| b == b'\n') {
        let zeros = line.iter().rev().take_while(|&&b| b == 0).count();
        if let Ok(record) = decode_line(&line[..line.len() - zeros]) {
            assert!(
                record.more > 0,
                "a whole record ending its append was dropped"
            );
        }
    }
    let records: Vec<Record> = data[..kept]
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let line = decode_line(line).expect("a kept line decodes");
            let event = serde_json::from_str(line.event).expect("a kept event decodes");
            Record::new(line.seq, event)
        })
        .collect();
    assert_eq!(records.len() as u64, verified.report.records);
    let state = replay(&records).expect("kept records replay");
    assert!(
        state == verified.state,
        "replay differs from the verified state"
    );
});
