//! The file store keeps the same storage contract as the in-memory log.
#![cfg(feature = "proptest")]

use ceasefire::store::{FileLog, FileLogOptions};
use ceasefire::testing::contract;

#[test]
fn the_file_log_keeps_the_storage_contract() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut n = 0;
    contract::check(|| {
        n += 1;
        let path = dir.path().join(format!("contract-{n}.log"));
        FileLog::create(path, FileLogOptions::new()).expect("a fresh log")
    })
    .expect("the file log keeps the contract");
}

#[test]
fn a_reopened_file_log_keeps_the_storage_contract() {
    // Each check runs on a log that was created, closed and opened again.
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut n = 0;
    contract::check(|| {
        n += 1;
        let path = dir.path().join(format!("reopened-{n}.log"));
        drop(FileLog::create(&path, FileLogOptions::new()).expect("a fresh log"));
        FileLog::open(&path, FileLogOptions::new())
            .expect("reopens")
            .0
    })
    .expect("the reopened file log keeps the contract");
}
