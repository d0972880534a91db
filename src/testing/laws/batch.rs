//! The batch law: a batch refused by its last event leaves the log exactly as it was.

use crate::event::{Event, Record};
use crate::id::EventId;
use crate::log::{EventLog, ExpectedVersion, Store, StoreError};
use crate::sanction::RuleSet;
use crate::testing::laws::{Law, LawViolation, Outcome, difference, json, replay_all};

/// Appending a batch (records `k..m` of the log, then one event the rules refuse: a second
/// genesis) to an [`EventLog`] holding records `..k` is refused at that last event and leaves
/// the log exactly as it was: its head, its state (every fact, and every lookup the fold keeps
/// beside them), and its answers to the rest of the log, which then appends one by one to the
/// state a full replay gives. Up to 8 cut points are tried, spread over the log, each with a
/// batch of up to a quarter of the log.
///
/// The batch is validated in place and taken back on refusal, never on a copy of the state;
/// this law is what proves the taking back exact.
///
/// # Errors
/// A [`LawViolation`] naming the cut point and what the refused batch changed.
pub fn refused_batch_changes_nothing(records: &[Record], rules: &RuleSet) -> Outcome {
    const LAW: Law = Law::RefusedBatchChangesNothing;
    let n = records.len();
    let Some(genesis) = records.first() else {
        return Ok(());
    };
    let broken = |problem: String, events: Vec<Record>| LawViolation::new(LAW, problem, events, n);
    let full = json(&replay_all(LAW, records, rules)?);
    let span = (n / 4).max(1);
    let mut cuts: Vec<usize> = (0..8).map(|i| 1 + i * n.saturating_sub(1) / 7).collect();
    cuts.dedup();
    for k in cuts.into_iter().filter(|k| *k <= n) {
        let m = (k + span).min(n);
        let log = EventLog::with_rules(rules.clone())
            .map_err(|e| broken(format!("the rules cannot run: {e}"), Vec::new()))?;
        let prefix: Vec<Event> = records[..k].iter().map(|r| r.event.clone()).collect();
        if !prefix.is_empty() {
            log.append_batch(ExpectedVersion::Exactly(0), prefix)
                .map_err(|e| {
                    broken(
                        format!("the log's first {k} records are refused: {e}"),
                        Vec::new(),
                    )
                })?;
        }
        let before = log
            .with_state(|s| (json(s), s.lookups(), s.clone()))
            .map_err(|e| broken(format!("the log failed: {e}"), Vec::new()))?;
        let head = log
            .head()
            .map_err(|e| broken(format!("the log failed: {e}"), Vec::new()))?;
        let mut poison = genesis.event.clone();
        poison.id = EventId::from_parts(genesis.event.recorded_at, 0x5eed_ba7c)
            .map_err(|e| broken(format!("no id for the refused event: {e}"), Vec::new()))?;
        let mut batch: Vec<Event> = records[k..m].iter().map(|r| r.event.clone()).collect();
        batch.push(poison);
        let last = records[k..m].to_vec();
        match log.append_batch(ExpectedVersion::Exactly(k as u64), batch) {
            Err(StoreError::Rejected(r)) if r.seq.get() == m as u64 + 1 => {}
            other => {
                return Err(broken(
                    format!(
                        "a batch of records {}..={m} and a second genesis was not refused at \
                         the genesis: {other:?}",
                        k + 1
                    ),
                    last,
                ));
            }
        }
        let after = log
            .with_state(|s| (json(s), s.lookups()))
            .map_err(|e| broken(format!("the log failed: {e}"), Vec::new()))?;
        let head_after = log
            .head()
            .map_err(|e| broken(format!("the log failed: {e}"), Vec::new()))?;
        if head_after != head || after.0 != before.0 {
            let now = log
                .state()
                .map_err(|e| broken(format!("the log failed: {e}"), Vec::new()))?;
            return Err(broken(
                format!(
                    "the refused batch after record {k} changed the log; {}",
                    difference(&now, &before.2)
                ),
                last,
            ));
        }
        if after.1 != before.1 {
            return Err(broken(
                format!("the refused batch after record {k} changed the state's lookups"),
                last,
            ));
        }
        for r in &records[k..] {
            log.append(ExpectedVersion::Exactly(r.seq.get() - 1), r.event.clone())
                .map_err(|e| {
                    broken(
                        format!("after the refused batch at {k}, {} is refused: {e}", r.seq),
                        vec![r.clone()],
                    )
                })?;
        }
        let end = log
            .with_state(json)
            .map_err(|e| broken(format!("the log failed: {e}"), Vec::new()))?;
        if end != full {
            return Err(broken(
                format!(
                    "after the refused batch at {k}, the rest of the log ends elsewhere than a replay"
                ),
                Vec::new(),
            ));
        }
    }
    Ok(())
}
