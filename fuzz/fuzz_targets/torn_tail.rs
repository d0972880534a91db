//! What a crash can leave, and what it cannot: a valid log cut at any byte, followed by any
//! bytes. Opening never drops a whole record that ends its append (it may have been
//! acknowledged), keeps exactly the log's whole appends before the cut when nothing follows
//! it, and refuses a cut that leaves a whole record without its newline.
#![no_main]

use std::io::Cursor;

use ceasefire::store::{FileLogOptions, OpenError, decode_line, verify};
use libfuzzer_sys::fuzz_target;

/// A valid log of four records, the middle two a batch (the `open_replay` seed).
const LOG: &[u8] = include_bytes!("../seeds/open_replay/four-records.log");

fuzz_target!(|data: &[u8]| {
    let [a, b, extra @ ..] = data else {
        return;
    };
    let cut = usize::from(u16::from_le_bytes([*a, *b])) % (LOG.len() + 1);
    let mut image = LOG[..cut].to_vec();
    image.extend_from_slice(extra);
    let options = FileLogOptions::new().with_max_record_size(64 * 1024);
    match verify(Cursor::new(&image), &options) {
        Ok(verified) => {
            let kept = verified.report.torn.map_or(image.len(), |t| {
                usize::try_from(t.offset).expect("an offset in the image")
            });
            // What was dropped holds no whole record that ends its append.
            let dropped = &image[kept..];
            for line in dropped.split(|&b| b == b'\n') {
                let zeros = line.iter().rev().take_while(|&&b| b == 0).count();
                if let Ok(record) = decode_line(&line[..line.len() - zeros]) {
                    assert!(record.more > 0, "a whole record was dropped: {dropped:?}");
                }
            }
            if extra.is_empty() {
                // Whole appends only: the kept part ends where a line of the log ends with
                // `more` absent (or is empty).
                assert!(LOG.starts_with(&image[..kept]));
                let last = image[..kept].split(|&b| b == b'\n').rev().nth(1);
                if let Some(last) = last {
                    assert_eq!(decode_line(last).map(|l| l.more), Ok(0));
                }
            }
        }
        Err(OpenError::Unterminated { offset, .. }) if extra.is_empty() => {
            // Only a cut right before a newline that ends an append.
            assert_eq!(LOG.get(cut), Some(&b'\n'));
            let start = usize::try_from(offset).expect("an offset in the image");
            assert_eq!(decode_line(&LOG[start..cut]).map(|l| l.more), Ok(0));
        }
        Err(e) => assert!(!extra.is_empty(), "a cut at {cut} is refused: {e}"),
    }
});
