//! The options a log file is opened with.

use crate::sanction::RuleSet;

/// The default maximum record size: 1 MiB.
pub const DEFAULT_MAX_RECORD_SIZE: usize = 1 << 20;

/// How to open a log file: the downstream rules to run beside the policy's, and the largest
/// line accepted.
///
/// ```
/// use ceasefire::sanction::RuleSet;
/// use ceasefire::store::FileLogOptions;
///
/// let options = FileLogOptions::new()
///     .with_rules(RuleSet::new())
///     .with_max_record_size(4 << 20);
/// assert_eq!(options.max_record_size(), 4 << 20);
/// ```
#[derive(Clone, Debug)]
pub struct FileLogOptions {
    rules: RuleSet,
    max_record_size: usize,
}

impl Default for FileLogOptions {
    fn default() -> Self {
        FileLogOptions {
            rules: RuleSet::new(),
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
        }
    }
}

impl FileLogOptions {
    /// No downstream rules; records of at most [`DEFAULT_MAX_RECORD_SIZE`] bytes.
    #[must_use]
    pub fn new() -> FileLogOptions {
        FileLogOptions::default()
    }

    /// Also run these downstream rules, when verifying on open and when appending. A log must
    /// be opened with the rules it was written with: the state, and whether a record is
    /// accepted, depend on them.
    #[must_use]
    pub fn with_rules(mut self, rules: RuleSet) -> FileLogOptions {
        self.rules = rules;
        self
    }

    /// The largest line, in bytes without its newline. An append whose record would be larger
    /// is refused; a larger line in a file is refused on open after reading one byte more than
    /// this, never read whole.
    #[must_use]
    pub fn with_max_record_size(mut self, bytes: usize) -> FileLogOptions {
        self.max_record_size = bytes;
        self
    }

    /// The downstream rules.
    #[must_use]
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The largest line, in bytes without its newline.
    #[must_use]
    pub fn max_record_size(&self) -> usize {
        self.max_record_size
    }
}
