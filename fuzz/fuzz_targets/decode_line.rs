//! The line decoder on arbitrary bytes: never panics, and what it accepts is consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = ceasefire::store::decode_line(data) {
        // An accepted line is UTF-8, one JSON object, ends with the event, and its event is
        // valid JSON.
        let text = std::str::from_utf8(data).expect("accepted lines are utf-8");
        assert!(text.starts_with('{') && text.ends_with('}'));
        assert!(text[..text.len() - 1].ends_with(line.event));
        assert!(!data.contains(&b'\n'));
        serde_json::from_str::<&serde_json::value::RawValue>(line.event)
            .expect("the event of an accepted line is JSON");
        assert!(line.format.is_none() || line.seq.get() >= 1);
    }
});
