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
use crate::state::{AgreementState, ApprovalRecord, Rejection, ReliefGrant};
use crate::time::Timestamp;

/// Relief that is due (or will be) on the facts as they stand.
pub(crate) struct Candidate {
    pub(crate) at: Timestamp,
    pub(crate) approvals: Vec<EventId>,
    pub(crate) decisions: Vec<DecisionId>,
}

impl AgreementState {
    /// When the party's compliance clock started, if any sanction against it is in force.
    pub(crate) fn compliance_start(&self, party: &PartyId) -> Option<Timestamp> {
        let mut start: Option<Timestamp> = None;
        let mut later = |t: Timestamp| start = Some(start.map_or(t, |s| s.max(t)));
        for id in self.index.active.get(party).into_iter().flatten() {
            if let Some(d) = self.decision_ref(*id) {
                later(d.effective_at.unwrap_or(Timestamp::MAX_UTC));
            }
        }
        let open = self.index.open_impositions.get(party).into_iter().flatten();
        for imp in open.filter_map(|id| self.facts.impositions.get(id)) {
            if !self.granted_since(party, imp.imposed_at) {
                later(imp.imposed_at);
            }
        }
        let start = start?;
        Some(match self.facts.last_confirmation.get(party) {
            Some(c) => start.max(*c),
            None => start,
        })
    }

    /// Approvals for `party` recorded at or after `since` (approvals are kept in log order).
    fn approvals_since(&self, party: &PartyId, since: Timestamp) -> &[ApprovalRecord] {
        let all = self
            .facts
            .approvals
            .get(party)
            .map_or(&[][..], Vec::as_slice);
        let first = all.partition_point(|a| a.recorded_at < since);
        all.get(first..).unwrap_or(&[])
    }

    /// Whether relief was granted to `party` at or after `since`.
    fn granted_since(&self, party: &PartyId, since: Timestamp) -> bool {
        self.facts
            .reliefs
            .iter()
            .any(|g| &g.party == party && g.at >= since)
    }

    /// The relief the facts call for, if the policy has relief, a sanction is in force and
    /// the quorum has approved since the clock started.
    pub(crate) fn relief_candidate(&self, party: &PartyId) -> Option<Candidate> {
        let policy = self.agreement_ref()?.policy.relief.as_ref()?;
        let start = self.compliance_start(party)?;
        let served = policy.compliance.after(start)?;
        let mut seen = BTreeSet::new();
        let mut approvals = Vec::new();
        let mut quorum_at = None;
        let approvals_since = self.approvals_since(party, start);
        for ap in approvals_since {
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
            decisions: self
                .index
                .active
                .get(party)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default(),
        })
    }

    /// Relief due at or before `at`.
    fn due(&self, party: &PartyId, at: Timestamp) -> Option<Candidate> {
        self.relief_candidate(party).filter(|c| c.at <= at)
    }

    /// Whether a sanction imposed at `imposed_at` against `party` may be lifted at `at`.
    pub(crate) fn relief_covers(
        &self,
        party: &PartyId,
        imposed_at: Timestamp,
        at: Timestamp,
    ) -> bool {
        self.facts
            .reliefs
            .iter()
            .any(|g| &g.party == party && g.at >= imposed_at && g.at <= at)
            || self.due(party, at).is_some_and(|c| c.at >= imposed_at)
    }

    /// Whether `approver` may approve relief for `party` at `at`.
    pub(crate) fn approvable(
        &self,
        party: &PartyId,
        approver: &PartyId,
        at: Timestamp,
    ) -> Result<(), Rejection> {
        let start = self
            .compliance_start(party)
            .filter(|_| self.due(party, at).is_none())
            .ok_or_else(|| Rejection::NothingToRelieve(party.clone()))?;
        let already = self
            .approvals_since(party, start)
            .iter()
            .any(|a| &a.approver == approver);
        if already {
            Err(Rejection::AlreadyApproved(approver.clone()))
        } else {
            Ok(())
        }
    }

    /// Records every relief due at or before `at`; returns the decisions it ended.
    pub(crate) fn grant_due_relief(&mut self, at: Timestamp) -> Vec<DecisionId> {
        let parties: Vec<PartyId> = self.facts.approvals.keys().cloned().collect();
        let mut ended = Vec::new();
        for party in parties {
            let Some(c) = self.due(&party, at) else {
                continue;
            };
            let Some(by) = c.approvals.last().copied() else {
                continue;
            };
            for id in &c.decisions {
                self.end_decision(*id, c.at, by, EndReason::Relieved);
                ended.push(*id);
            }
            self.facts.reliefs.push(ReliefGrant {
                party,
                at: c.at,
                approvals: c.approvals,
                decisions: c.decisions,
            });
        }
        ended
    }
}
