//! Relief: lifting sanctions after a sustained-compliance period and a quorum of approvals.
//!
//! A party's compliance clock starts at the latest of: the time its latest decision in force
//! took effect (or will, for a pending notice), the time its latest unrelieved recorded
//! sanction was imposed, and the time a violation by it was last newly confirmed. Only
//! approvals recorded since that instant count. Relief is granted at the later of the clock
//! start plus the compliance period and the approval that completes the quorum, never
//! earlier; it is recorded in the state at the first event at or after that instant.

use std::collections::BTreeSet;

use crate::id::{DecisionId, EventId, PartyId};
use crate::sanction::EndReason;
use crate::sanction::engine::end_decision;
use crate::state::{AgreementState, ApprovalRecord, Rejection, ReliefGrant};
use crate::time::Timestamp;

/// Relief that is due (or will be) on the facts as they stand.
pub(crate) struct Candidate {
    pub(crate) at: Timestamp,
    pub(crate) approvals: Vec<EventId>,
}

/// When the party's compliance clock started, if any sanction against it is in force.
pub(crate) fn compliance_start(state: &AgreementState, party: &PartyId) -> Option<Timestamp> {
    state.tick(1);
    let books = &state.index.books;
    // The latest decision in force (or pending) takes effect last.
    let decided = books.active_until.get(party).and_then(|s| s.last());
    let decided = decided.map(|(at, _)| *at);
    // An imposition counts unless relief was granted since; the latest one counts if
    // any does (the latest grant is the one to beat).
    let last_grant = books.granted.get(party).and_then(|g| g.last()).copied();
    let imposed = books.open_impositions.get(party).and_then(|s| s.last());
    let imposed = imposed
        .map(|(at, _)| *at)
        .filter(|at| last_grant.is_none_or(|g| g < *at));
    debug_assert_eq!(
        (decided, imposed),
        compliance_parts_scanned(state, party),
        "the relief indexes of {party} are current"
    );
    let start = match (decided, imposed) {
        (Some(a), Some(b)) => a.max(b),
        (a, b) => a.or(b)?,
    };
    Some(match state.facts.last_confirmation.get(party) {
        Some(c) => start.max(*c),
        None => start,
    })
}

/// The two parts of the compliance clock by a full scan (for the debug check).
pub(crate) fn compliance_parts_scanned(
    state: &AgreementState,
    party: &PartyId,
) -> (Option<Timestamp>, Option<Timestamp>) {
    let decided = state
        .index
        .books
        .active
        .get(party)
        .into_iter()
        .flatten()
        .filter_map(|id| state.decision_ref(*id))
        .map(|d| d.effective_at.unwrap_or(Timestamp::MAX_UTC))
        .max();
    let imposed = state
        .facts
        .impositions
        .values()
        .filter(|imp| &imp.against == party && imp.lifted.is_none())
        .filter(|imp| {
            !state
                .facts
                .reliefs
                .iter()
                .any(|g| &g.party == party && g.at >= imp.imposed_at)
        })
        .map(|imp| imp.imposed_at)
        .max();
    (decided, imposed)
}

/// Approvals for `party` recorded at or after `since` (approvals are kept in log order).
pub(crate) fn approvals_since<'s>(
    state: &'s AgreementState,
    party: &PartyId,
    since: Timestamp,
) -> &'s [ApprovalRecord] {
    let all = state
        .facts
        .approvals
        .get(party)
        .map_or(&[][..], Vec::as_slice);
    let first = all.partition_point(|a| a.recorded_at < since);
    all.get(first..).unwrap_or(&[])
}

/// The relief the facts call for, if the policy has relief, a sanction is in force and
/// the quorum has approved since the clock started.
pub(crate) fn relief_candidate(state: &AgreementState, party: &PartyId) -> Option<Candidate> {
    let policy = state.agreement_ref()?.policy.relief.as_ref()?;
    let start = compliance_start(state, party)?;
    let served = policy.compliance.after(start)?;
    let mut seen = BTreeSet::new();
    let mut approvals = Vec::new();
    let mut quorum_at = None;
    let approvals_since = approvals_since(state, party, start);
    for ap in approvals_since {
        state.tick(1);
        if policy.approvers.contains(&ap.approver) && seen.insert(&ap.approver) {
            approvals.push(ap.event);
            if seen.len() >= usize::from(policy.quorum) {
                quorum_at = Some(ap.recorded_at);
                break;
            }
        }
    }
    Some(Candidate {
        at: served.max(quorum_at?),
        approvals,
    })
}

/// Relief due at or before `at`.
pub(crate) fn due(state: &AgreementState, party: &PartyId, at: Timestamp) -> Option<Candidate> {
    relief_candidate(state, party).filter(|c| c.at <= at)
}

/// Whether a sanction imposed at `imposed_at` against `party` may be lifted at `at`.
pub(crate) fn relief_covers(
    state: &AgreementState,
    party: &PartyId,
    imposed_at: Timestamp,
    at: Timestamp,
) -> bool {
    (imposed_at <= at
        && state
            .index
            .books
            .granted
            .get(party)
            .is_some_and(|g| g.range(imposed_at..=at).next().is_some()))
        || due(state, party, at).is_some_and(|c| c.at >= imposed_at)
}

/// Whether `approver` may approve relief for `party` at `at`.
pub(crate) fn approvable(
    state: &AgreementState,
    party: &PartyId,
    approver: &PartyId,
    at: Timestamp,
) -> Result<(), Rejection> {
    let start = compliance_start(state, party)
        .filter(|_| due(state, party, at).is_none())
        .ok_or_else(|| Rejection::NothingToRelieve(party.clone()))?;
    let already = approvals_since(state, party, start)
        .iter()
        .any(|a| &a.approver == approver);
    if already {
        Err(Rejection::AlreadyApproved(approver.clone()))
    } else {
        Ok(())
    }
}

/// Notes that `party`'s compliance clock or approvals may have changed: its relief is worked
/// out again at the end of the event (see [`settle`]).
pub(crate) fn touched(state: &mut AgreementState, party: &PartyId) {
    let touched = &mut state.index.books.relief_touched;
    if !touched.contains(party) {
        touched.push(party.clone());
    }
}

/// Works out again when relief will be due for each party touched by the event (the books
/// keep it, so that [`grant_due_relief`] reads one entry per party instead of walking each
/// party's clock and approvals on every event).
pub(crate) fn settle(state: &mut AgreementState) {
    let touched = std::mem::take(&mut state.index.books.relief_touched);
    for party in touched {
        reconsider(state, party);
    }
    debug_assert!(
        state.facts.approvals.keys().all(|p| {
            state.index.books.relief_due.get(p).copied() == relief_candidate(state, p).map(|c| c.at)
        }),
        "the relief books are current"
    );
}

/// Works out when relief will be due for every party with approvals (a state read from a
/// snapshot).
pub(crate) fn reconsider_all(state: &mut AgreementState) {
    let parties: Vec<PartyId> = state.facts.approvals.keys().cloned().collect();
    for party in parties {
        reconsider(state, party);
    }
}

/// Works out when relief will be due for `party`, on the facts as they stand.
pub(crate) fn reconsider(state: &mut AgreementState, party: PartyId) {
    let now = relief_candidate(state, &party).map(|c| c.at);
    if state.index.books.relief_due.get(&party).copied() == now {
        return;
    }
    state.touch(|s| &mut s.index.books.relief_due, &party);
    match now {
        Some(at) => {
            state.index.books.relief_due.insert(party, at);
        }
        None => {
            state.index.books.relief_due.remove(&party);
        }
    }
}

/// Records every relief due at or before `at`; returns the decisions it ended.
pub(crate) fn grant_due_relief(state: &mut AgreementState, at: Timestamp) -> Vec<DecisionId> {
    // Relief for one party changes no other party's clock, so what is due is found first
    // (without copying anything unless something is due).
    let due_now: Vec<(PartyId, Candidate)> = state
        .index
        .books
        .relief_due
        .iter()
        .filter(|(_, due_at)| **due_at <= at)
        .filter_map(|(party, _)| Some((party.clone(), due(state, party, at)?)))
        .collect();
    let mut ended = Vec::new();
    for (party, c) in due_now {
        let Some(by) = c.approvals.last().copied() else {
            continue;
        };
        // The decisions it ends: listed only once relief is due (it ends them all).
        let decisions: Vec<DecisionId> = state
            .index
            .books
            .active
            .get(&party)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        state.tick(decisions.len());
        for id in &decisions {
            end_decision(state, *id, c.at, by, EndReason::Relieved);
            ended.push(*id);
        }
        state.set_insert(|s| &mut s.index.books.granted, party.clone(), c.at);
        let who = party.clone();
        let grant = ReliefGrant {
            party,
            at: c.at,
            approvals: c.approvals,
            decisions,
        };
        state.push(|s| &mut s.facts.reliefs, grant);
        reconsider(state, who);
    }
    ended
}
