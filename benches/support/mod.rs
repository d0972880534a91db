//! What the benches and the `throughput` example share beside `ceasefire::workload`: sizes
//! for criterion's `--test` mode, and a log file written straight from the format guide.

#![allow(dead_code)]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use ceasefire::Record;
use sha2::{Digest, Sha256};

/// Whether criterion runs each bench once to check it (`cargo bench -- --test`): the benches
/// then use small logs, so that CI stays quick.
pub fn test_mode() -> bool {
    std::env::args().any(|a| a == "--test")
}

/// `full` events, or `small` in test mode.
pub fn size(full: usize, small: usize) -> usize {
    if test_mode() { small } else { full }
}

/// Writes `records` as `docs/format.md` says (format identifier on line 1, CRC-32C, SHA-256
/// chain, batch markers for batches of `batch`), without `FileLog`: appending a million
/// records in batches would take minutes, since each batch is validated against a copy of the
/// state. Opening the file verifies every line, so a wrong byte here fails the bench. Returns
/// the file's size.
///
/// # Errors
/// Any write error, or an event that does not serialize.
pub fn write_log(
    path: &Path,
    records: &[Record],
    batch: usize,
) -> Result<u64, Box<dyn std::error::Error>> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut hash = [0u8; 32];
    let mut written = 0u64;
    let mut line = Vec::new();
    for chunk in records.chunks(batch.max(1)) {
        for (i, r) in chunk.iter().enumerate() {
            let seq = r.seq.get();
            let more = (chunk.len() - 1 - i) as u64;
            let event = serde_json::to_vec(&r.event)?;
            let mut crc = crc32c::crc32c(&seq.to_be_bytes());
            crc = crc32c::crc32c_append(crc, &more.to_be_bytes());
            crc = crc32c::crc32c_append(crc, &event);
            let mut h = Sha256::new();
            h.update(hash);
            h.update(seq.to_be_bytes());
            h.update(&event);
            hash = h.finalize().into();
            line.clear();
            line.push(b'{');
            if seq == 1 {
                line.extend_from_slice(b"\"format\":\"ceasefire-log-v1\",");
            }
            write!(line, "\"seq\":{seq}")?;
            if more > 0 {
                write!(line, ",\"more\":{more}")?;
            }
            write!(
                line,
                ",\"crc32c\":\"{crc:08x}\",\"hash\":\"{}\",\"event\":",
                hex::encode(hash)
            )?;
            line.extend_from_slice(&event);
            line.extend_from_slice(b"}\n");
            out.write_all(&line)?;
            written += line.len() as u64;
        }
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(written)
}
