//! Copying a log from one store to another, with the chain checked on both sides.

use crate::id::Seq;
use crate::log::{Divergence, ExpectedVersion, Head, Store, StoreError};

/// Copies the records of `source` that `target` lacks, `batch` records per append (at least
/// one), and returns the common head.
///
/// `target` must be empty or hold a prefix of `source` (checked with
/// [`Store::verify_extends`]), so an interrupted copy resumes where it stopped. The source
/// checks each record as it reads it; the target validates and chains each batch itself, and
/// after every batch its chain hash must equal the source's at the same version, which proves
/// the target stored the very same bytes. Works between any two stores (file, PostgreSQL,
/// memory).
///
/// # Errors
/// [`StoreError::DoesNotExtend`] if `target` is not a prefix of `source` or their chains
/// part, any error of either store (the target is then left at the last whole batch), and
/// [`StoreError::WrongExpectedVersion`] if something else appends to the target meanwhile.
pub fn copy_log(
    source: &impl Store,
    target: &impl Store,
    batch: usize,
) -> Result<Head, StoreError> {
    let batch = batch.max(1);
    let end = source.head()?;
    let start = target.head()?;
    source.verify_extends(&start)?;
    let mut version = start.version;
    while version < end.version {
        let want = usize::try_from(end.version - version)
            .unwrap_or(usize::MAX)
            .min(batch);
        let records = source.read(Seq(version + 1), want)?;
        if records.is_empty() {
            return Err(StoreError::DoesNotExtend {
                version: end.version,
                found: Divergence::Shorter { records: version },
            });
        }
        let count = records.len() as u64;
        let events = records.into_iter().map(|r| r.event).collect();
        target.append_batch(ExpectedVersion::Exactly(version), events)?;
        version += count;
        let copied = target.head()?;
        if copied.version != version || source.hash_at(version)? != Some(copied.hash) {
            return Err(StoreError::DoesNotExtend {
                version,
                found: Divergence::OtherHash { hash: copied.hash },
            });
        }
    }
    let head = target.head()?;
    if head != end {
        return Err(StoreError::DoesNotExtend {
            version: end.version,
            found: if head.version < end.version {
                Divergence::Shorter {
                    records: head.version,
                }
            } else {
                Divergence::OtherHash { hash: head.hash }
            },
        });
    }
    Ok(head)
}
