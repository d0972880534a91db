//! The file store from outside, as a user meets it: appends and reads, concurrency, the shared
//! contract, hostile and huge lines, integrity checks on open, a real kill test, and files that
//! are not logs at all.

mod support;

mod basics;
mod concurrency;
mod contract;
mod far_damage;
mod hostile;
mod huge_line;
mod integrity;
mod kill;
mod strangers;
