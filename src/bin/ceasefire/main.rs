//! The `ceasefire` command-line tool.

fn main() {}
