//! The agreement: parties and their roles, typed terms, and the sanction policy.
//!
//! An [`Agreement`] is carried whole by the first event of every log (the genesis), so a log
//! is self-contained. [`Agreement::validate`] checks it before it is accepted.

mod lint;
mod policy;
mod signing;
mod term;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::id::{ConditionId, PartyId, RuleId, TermId};

pub use lint::Warning;
pub use policy::{
    Confidence, ConfidenceError, Escalation, EvidenceStandard, Level, Procedure, ReliefPolicy,
    SanctionPolicy, Severity, SeverityWeights, TermScope, ThresholdRule,
};
pub use signing::{PartyKey, QuorumOf, SignaturePolicy, Signing};
pub use term::{
    AcceptanceLevel, Activation, Condition, Obligation, ObligationClock, TargetCategory, Term,
    TermKind,
};

/// What a party is to the agreement. It decides which events the party may author.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A side in the fighting, bound by terms.
    Belligerent,
    /// Brokered the agreement; records amendments, suspensions and halts.
    Mediator,
    /// Stands behind the agreement; records enforcement.
    Guarantor,
    /// A third-party verifier; the only role that rules on allegations.
    Monitor,
    /// A body whose approval relief needs, such as a legislature.
    Approver,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Belligerent => "belligerent",
            Role::Mediator => "mediator",
            Role::Guarantor => "guarantor",
            Role::Monitor => "monitor",
            Role::Approver => "approver",
        })
    }
}

crate::name::from_names!(Role, "role", [
    Role::Belligerent => "belligerent",
    Role::Mediator => "mediator",
    Role::Guarantor => "guarantor",
    Role::Monitor => "monitor",
    Role::Approver => "approver",
]);

/// A party to the agreement.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Its id.
    pub id: PartyId,
    /// Its role.
    pub role: Role,
    /// Its name for people.
    pub name: String,
}

impl Party {
    /// A party.
    #[must_use]
    pub fn new(id: impl Into<PartyId>, role: Role, name: impl Into<String>) -> Party {
        Party {
            id: id.into(),
            role,
            name: name.into(),
        }
    }
}

/// The agreement: parties, terms in order, and the sanction policy.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    /// A title for people.
    pub title: String,
    /// The parties (ids unique).
    pub parties: Vec<Party>,
    /// The terms, earlier phases first (ids unique).
    pub terms: Vec<Term>,
    /// The sanction policy.
    pub policy: SanctionPolicy,
    /// Keys and signature rules; absent (unsigned) unless set.
    #[serde(default, skip_serializing_if = "Signing::is_unsigned")]
    pub signing: Signing,
}

/// What a limit of [`Agreement::LIMITS`] counts.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Limited {
    /// Parties in the agreement.
    Parties,
    /// Terms in the agreement.
    Terms,
    /// Sanction rules in the policy.
    Rules,
    /// Conditions of one term or one acceptance.
    Conditions,
    /// Suspensions of one term.
    Suspensions,
    /// Findings on one allegation.
    Findings,
    /// Allegations in one log.
    Allegations,
}

impl fmt::Display for Limited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limited::Parties => "parties",
            Limited::Terms => "terms",
            Limited::Rules => "rules",
            Limited::Conditions => "conditions",
            Limited::Suspensions => "suspensions",
            Limited::Findings => "findings",
            Limited::Allegations => "allegations",
        })
    }
}

/// Which number of a rule is zero.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleNumber {
    /// The threshold.
    Threshold,
    /// The window.
    Window,
    /// The number of monitors an evidence standard asks for.
    MonitorCount,
}

impl fmt::Display for RuleNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleNumber::Threshold => "threshold",
            RuleNumber::Window => "window",
            RuleNumber::MonitorCount => "monitor count",
        })
    }
}

/// Why an agreement is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AgreementError {
    /// Two parties share an id.
    #[error("party {0} is listed twice")]
    DuplicateParty(PartyId),
    /// Two terms share an id.
    #[error("term {0} is listed twice")]
    DuplicateTerm(TermId),
    /// Two conditions share an id.
    #[error("condition {0} is declared twice")]
    DuplicateCondition(ConditionId),
    /// Two rules share an id.
    #[error("rule {0} is declared twice")]
    DuplicateRule(RuleId),
    /// A term binds a party that is not listed.
    #[error("term {term} binds unknown party {party}")]
    UnknownParty {
        /// The term.
        term: TermId,
        /// The unknown party.
        party: PartyId,
    },
    /// A term binds nobody.
    #[error("term {0} binds no party")]
    NoBoundParties(TermId),
    /// A strike moratorium protects no category.
    #[error("term {0} is a strike moratorium with no target category")]
    EmptyMoratorium(TermId),
    /// A term lists [`TargetCategory::Unknown`] among what it covers.
    #[error("term {0} lists the unknown target category among what it covers")]
    UnknownTargetListed(TermId),
    /// A term lasts zero seconds.
    #[error("term {0} has a duration of zero")]
    ZeroDuration(TermId),
    /// A term has both a fixed window and a duration.
    #[error("term {0} has both a fixed window and a duration")]
    WindowAndDuration(TermId),
    /// A term's fixed window ends before it starts (or when it starts).
    #[error("term {0} has a fixed window that ends before it starts")]
    EmptyWindow(TermId),
    /// A term's activation waits on itself, a later term, or an unknown one.
    #[error("term {term} waits on {waits_on}, which is not an earlier term")]
    ActivationOrder {
        /// The term.
        term: TermId,
        /// What it waits on.
        waits_on: TermId,
    },
    /// A rule counts an unknown term.
    #[error("rule {rule} counts unknown term {term}")]
    RuleUnknownTerm {
        /// The rule.
        rule: RuleId,
        /// The unknown term.
        term: TermId,
    },
    /// A rule's threshold, window or monitor count is zero.
    #[error("rule {rule} has a zero {what}")]
    ZeroInRule {
        /// The rule.
        rule: RuleId,
        /// Which number.
        what: RuleNumber,
    },
    /// A named approver is not a listed party with the approver role.
    #[error("relief approver {0} is not a party with the approver role")]
    NotAnApprover(PartyId),
    /// The relief quorum is zero or larger than the number of approvers.
    #[error("relief quorum {quorum} does not fit {approvers} approvers")]
    BadQuorum {
        /// The quorum.
        quorum: u8,
        /// The number of named approvers.
        approvers: usize,
    },
    /// The agreement is larger than the crate accepts (see [`Agreement::LIMITS`]).
    #[error("the agreement has {found} {what}; at most {limit} are accepted")]
    TooLarge {
        /// What there is too much of.
        what: Limited,
        /// How many there are.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// A chain of phases (each waiting on the one before) is longer than the crate accepts.
    #[error("term {term} waits on a chain of {depth} phases; at most {limit} are accepted")]
    PhaseChainTooLong {
        /// The term at the end of the chain.
        term: TermId,
        /// The chain's length.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// The agreement registers keys or requires signatures, and this build cannot check
    /// them (the cargo feature `transparency` is off).
    #[error(
        "the agreement registers keys or requires signatures; checking them needs the `transparency` feature"
    )]
    SigningUnavailable,
    /// A key is registered for a party that is not listed.
    #[error("a key is registered for unknown party {0}")]
    KeyForUnknownParty(PartyId),
    /// A party's key text is not a usable Ed25519 verifier key.
    #[error("the key of party {party} is not a usable verifier key: {reason}")]
    BadKey {
        /// The party.
        party: PartyId,
        /// Why.
        reason: String,
    },
    /// A signing quorum is larger than the parties who could meet it.
    #[error("the {what} of {quorum} does not fit {parties} parties")]
    SigningQuorum {
        /// Which quorum.
        what: QuorumOf,
        /// The quorum.
        quorum: u8,
        /// The number of parties.
        parties: usize,
    },
}

/// The largest agreement accepted. Real agreements are far smaller; the limits keep replay of
/// a hostile log bounded in time and stack.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Limits {
    /// Parties.
    pub parties: usize,
    /// Terms.
    pub terms: usize,
    /// Threshold rules in the policy.
    pub rules: usize,
    /// Conditions attached to one term or one acceptance.
    pub conditions: usize,
    /// Terms in one chain of phases waiting on each other.
    pub phase_chain: usize,
    /// Suspensions of one term over the life of the log.
    pub suspensions: usize,
    /// Verification findings on one allegation (monitors revise their findings a few times).
    pub findings: usize,
    /// Allegations in one log (the state addresses them with 32 bits).
    pub allegations: usize,
    /// Bytes of one event as stored (its JSON): every store refuses a larger event, so a log
    /// built in one store can be stored in any other. It bounds every text and list an event
    /// carries.
    pub event_bytes: usize,
}

impl Agreement {
    /// The limits [`Agreement::validate`] enforces.
    pub const LIMITS: Limits = Limits {
        parties: 256,
        terms: 256,
        rules: 64,
        conditions: 64,
        phase_chain: 16,
        suspensions: 256,
        findings: 64,
        allegations: u32::MAX as usize,
        event_bytes: (1 << 20) - 1024,
    };

    /// An agreement with no parties, terms or rules yet.
    #[must_use]
    pub fn new(title: impl Into<String>) -> Agreement {
        Agreement {
            title: title.into(),
            parties: Vec::new(),
            terms: Vec::new(),
            policy: SanctionPolicy::default(),
            signing: Signing::default(),
        }
    }

    /// Sets the keys and signature rules.
    #[must_use]
    pub fn signing(mut self, signing: Signing) -> Agreement {
        self.signing = signing;
        self
    }

    /// Adds a party.
    #[must_use]
    pub fn party(mut self, party: Party) -> Agreement {
        self.parties.push(party);
        self
    }

    /// Adds a belligerent: a side in the fighting.
    #[must_use]
    pub fn belligerent(self, id: impl Into<PartyId>, name: impl Into<String>) -> Agreement {
        self.party(Party::new(id, Role::Belligerent, name))
    }

    /// Adds a mediator: records amendments, suspensions and halts.
    #[must_use]
    pub fn mediator(self, id: impl Into<PartyId>, name: impl Into<String>) -> Agreement {
        self.party(Party::new(id, Role::Mediator, name))
    }

    /// Adds a guarantor: records enforcement.
    #[must_use]
    pub fn guarantor(self, id: impl Into<PartyId>, name: impl Into<String>) -> Agreement {
        self.party(Party::new(id, Role::Guarantor, name))
    }

    /// Adds a monitor: rules on allegations.
    #[must_use]
    pub fn monitor(self, id: impl Into<PartyId>, name: impl Into<String>) -> Agreement {
        self.party(Party::new(id, Role::Monitor, name))
    }

    /// Adds an approver: a body whose approval relief needs.
    #[must_use]
    pub fn approver(self, id: impl Into<PartyId>, name: impl Into<String>) -> Agreement {
        self.party(Party::new(id, Role::Approver, name))
    }

    /// Adds a sanction rule to the policy.
    #[must_use]
    pub fn rule(mut self, rule: ThresholdRule) -> Agreement {
        self.policy.rules.push(rule);
        self
    }

    /// The agreement, once [`Agreement::validate`] accepts it: the end of building one.
    ///
    /// # Errors
    /// As [`Agreement::validate`].
    pub fn validated(self) -> Result<Agreement, AgreementError> {
        self.validate()?;
        Ok(self)
    }

    /// Adds a term (after the ones already added).
    #[must_use]
    pub fn term(mut self, term: Term) -> Agreement {
        self.terms.push(term);
        self
    }

    /// Sets the sanction policy.
    #[must_use]
    pub fn policy(mut self, policy: SanctionPolicy) -> Agreement {
        self.policy = policy;
        self
    }

    /// Finds a party.
    #[must_use]
    pub fn find_party(&self, id: &PartyId) -> Option<&Party> {
        self.parties.iter().find(|p| &p.id == id)
    }

    /// Finds a term.
    #[must_use]
    pub fn find_term(&self, id: &TermId) -> Option<&Term> {
        self.terms.iter().find(|t| &t.id == id)
    }

    /// Checks the agreement as a whole.
    ///
    /// # Errors
    /// The first [`AgreementError`] found: duplicate ids, terms binding unknown parties or
    /// nobody, empty moratoria, zero durations, activations that wait on a term that does not
    /// come earlier, rules counting unknown terms or with a zero threshold, window or monitor
    /// count, and relief approvers that are not approvers or a quorum that does not fit.
    pub fn validate(&self) -> Result<(), AgreementError> {
        self.validate_with(None)
    }

    /// Checks a term added to the live agreement (a `TermProposed` event) by exactly the rules
    /// [`Agreement::validate`] applies to the genesis's terms: it validates the agreement with
    /// the term appended after every other.
    ///
    /// # Errors
    /// The first [`AgreementError`] found, as [`Agreement::validate`] (a duplicate term or
    /// condition id, too many terms, and every fault of one term).
    pub fn check_added_term(&self, term: &Term) -> Result<(), AgreementError> {
        self.validate_with(Some(term))
    }

    /// [`Agreement::validate`], with `extra` appended to the terms if given.
    fn validate_with(&self, extra: Option<&Term>) -> Result<(), AgreementError> {
        let limits = Self::LIMITS;
        let terms = self.terms.len() + usize::from(extra.is_some());
        for (what, found, limit) in [
            (Limited::Parties, self.parties.len(), limits.parties),
            (Limited::Terms, terms, limits.terms),
            (Limited::Rules, self.policy.rules.len(), limits.rules),
        ] {
            if found > limit {
                return Err(AgreementError::TooLarge { what, found, limit });
            }
        }
        let mut roles = BTreeMap::new();
        for p in &self.parties {
            if roles.insert(&p.id, p.role).is_some() {
                return Err(AgreementError::DuplicateParty(p.id.clone()));
            }
        }
        let mut seen_terms: BTreeSet<&TermId> = BTreeSet::new();
        let mut conditions = BTreeSet::new();
        let mut depth: BTreeMap<&TermId, usize> = BTreeMap::new();
        for term in self.terms.iter().chain(extra) {
            let chain = Self::check_term_in(term, &roles, &depth)?;
            depth.insert(&term.id, chain);
            for c in &term.conditions {
                if !conditions.insert(&c.id) {
                    return Err(AgreementError::DuplicateCondition(c.id.clone()));
                }
            }
            if !seen_terms.insert(&term.id) {
                return Err(AgreementError::DuplicateTerm(term.id.clone()));
            }
        }
        let mut rules = BTreeSet::new();
        for rule in &self.policy.rules {
            if !rules.insert(&rule.id) {
                return Err(AgreementError::DuplicateRule(rule.id.clone()));
            }
            Self::validate_rule(rule, &seen_terms)?;
        }
        if let Some(relief) = &self.policy.relief {
            for a in &relief.approvers {
                if roles.get(a) != Some(&Role::Approver) {
                    return Err(AgreementError::NotAnApprover(a.clone()));
                }
            }
            if relief.quorum == 0 || usize::from(relief.quorum) > relief.approvers.len() {
                return Err(AgreementError::BadQuorum {
                    quorum: relief.quorum,
                    approvers: relief.approvers.len(),
                });
            }
        }
        self.signing
            .validate(|p| roles.contains_key(p), self.parties.len())
    }

    /// Checks one term as it would stand in this agreement: at its place if the agreement
    /// has a term with its id (an amended term), or after every term (a term added later).
    /// The same checks [`Agreement::validate`] applies to each term of the genesis: bound
    /// parties known and not none, a moratorium covering something, no zero duration, an
    /// activation waiting only on an earlier term, the limits on conditions and on the chain
    /// of phases.
    ///
    /// # Errors
    /// The first [`AgreementError`] found.
    pub fn check_term(&self, term: &Term) -> Result<(), AgreementError> {
        let roles: BTreeMap<&PartyId, Role> =
            self.parties.iter().map(|p| (&p.id, p.role)).collect();
        let mut depth: BTreeMap<&TermId, usize> = BTreeMap::new();
        for earlier in self.terms.iter().take_while(|t| t.id != term.id) {
            let chain = match &earlier.activation {
                Activation::AfterHeld { term: prev, .. } => {
                    depth.get(prev).copied().unwrap_or(0) + 1
                }
                _ => 0,
            };
            depth.insert(&earlier.id, chain);
        }
        Self::check_term_in(term, &roles, &depth).map(|_| ())
    }

    /// The checks of one term given the parties' roles and the earlier terms with the length
    /// of the phase chain each ends; returns the chain length this term ends.
    fn check_term_in(
        term: &Term,
        roles: &BTreeMap<&PartyId, Role>,
        earlier: &BTreeMap<&TermId, usize>,
    ) -> Result<usize, AgreementError> {
        let limits = Self::LIMITS;
        Self::validate_term(term, roles, earlier)?;
        if term.conditions.len() > limits.conditions {
            return Err(AgreementError::TooLarge {
                what: Limited::Conditions,
                found: term.conditions.len(),
                limit: limits.conditions,
            });
        }
        let chain = match &term.activation {
            Activation::AfterHeld { term: prev, .. } => earlier.get(prev).copied().unwrap_or(0) + 1,
            _ => 0,
        };
        if chain > limits.phase_chain {
            return Err(AgreementError::PhaseChainTooLong {
                term: term.id.clone(),
                depth: chain,
                limit: limits.phase_chain,
            });
        }
        Ok(chain)
    }

    fn validate_term(
        term: &Term,
        roles: &BTreeMap<&PartyId, Role>,
        earlier: &BTreeMap<&TermId, usize>,
    ) -> Result<(), AgreementError> {
        if term.binds.is_empty() {
            return Err(AgreementError::NoBoundParties(term.id.clone()));
        }
        if let Some(p) = term.binds.iter().find(|p| !roles.contains_key(p)) {
            return Err(AgreementError::UnknownParty {
                term: term.id.clone(),
                party: p.clone(),
            });
        }
        if let TermKind::StrikeMoratorium { targets } = &term.kind
            && targets.is_empty()
        {
            return Err(AgreementError::EmptyMoratorium(term.id.clone()));
        }
        let listed = match &term.kind {
            TermKind::StrikeMoratorium { targets } => Some(targets),
            TermKind::Custom { covers, .. } => covers.as_ref(),
            _ => None,
        };
        if listed.is_some_and(|l| l.contains(&TargetCategory::Unknown)) {
            return Err(AgreementError::UnknownTargetListed(term.id.clone()));
        }
        if term.duration == Some(crate::time::Span::ZERO) {
            return Err(AgreementError::ZeroDuration(term.id.clone()));
        }
        if let Some(fixed) = &term.fixed {
            if term.duration.is_some() {
                return Err(AgreementError::WindowAndDuration(term.id.clone()));
            }
            if fixed.until.is_some_and(|u| u <= fixed.from) {
                return Err(AgreementError::EmptyWindow(term.id.clone()));
            }
        }
        if let Activation::AfterHeld { term: waits_on, .. } = &term.activation
            && !earlier.contains_key(waits_on)
        {
            return Err(AgreementError::ActivationOrder {
                term: term.id.clone(),
                waits_on: waits_on.clone(),
            });
        }
        Ok(())
    }

    fn validate_rule(
        rule: &ThresholdRule,
        terms: &BTreeSet<&TermId>,
    ) -> Result<(), AgreementError> {
        if let TermScope::Only(only) = &rule.terms
            && let Some(t) = only.iter().find(|t| !terms.contains(t))
        {
            return Err(AgreementError::RuleUnknownTerm {
                rule: rule.id.clone(),
                term: t.clone(),
            });
        }
        let zero = |what| {
            Err(AgreementError::ZeroInRule {
                rule: rule.id.clone(),
                what,
            })
        };
        if rule.threshold == 0 {
            return zero(RuleNumber::Threshold);
        }
        if rule.window == crate::time::Span::ZERO {
            return zero(RuleNumber::Window);
        }
        if let EvidenceStandard::Confirmed { monitors: 0, .. } = rule.evidence {
            return zero(RuleNumber::MonitorCount);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Span;

    fn pid(s: &str) -> PartyId {
        PartyId::new(s).expect("valid id")
    }

    fn tid(s: &str) -> TermId {
        TermId::new(s).expect("valid id")
    }

    fn base() -> Agreement {
        Agreement::new("test")
            .party(Party::new(pid("UA"), Role::Belligerent, "Ukraine"))
            .party(Party::new(pid("RU"), Role::Belligerent, "Russia"))
            .party(Party::new(pid("CONGRESS"), Role::Approver, "US Congress"))
            .term(
                Term::new(tid("energy"), "Energy", TermKind::energy_moratorium())
                    .binding([pid("UA"), pid("RU")])
                    .lasting(Span::days(30)),
            )
    }

    #[test]
    fn a_sound_agreement_validates() {
        assert_eq!(base().validate(), Ok(()));
    }

    #[test]
    fn every_structural_fault_is_named() {
        let dup = base().party(Party::new(pid("UA"), Role::Belligerent, "again"));
        assert_eq!(
            dup.validate(),
            Err(AgreementError::DuplicateParty(pid("UA")))
        );

        let unknown = base().term(
            Term::new(
                tid("sea"),
                "Sea",
                TermKind::MaritimeTruce {
                    zone: "Black Sea".into(),
                },
            )
            .binding([pid("TR")]),
        );
        assert!(matches!(
            unknown.validate(),
            Err(AgreementError::UnknownParty { .. })
        ));

        let later = base().term(
            Term::new(
                tid("cf"),
                "Ceasefire",
                TermKind::GeneralCeasefire { area: None },
            )
            .binding([pid("UA")])
            .activation(Activation::AfterHeld {
                term: tid("cf"),
                days: 30,
            }),
        );
        assert!(matches!(
            later.validate(),
            Err(AgreementError::ActivationOrder { .. })
        ));

        let nobody = base().term(Term::new(
            tid("x"),
            "x",
            TermKind::GeneralCeasefire { area: None },
        ));
        assert_eq!(
            nobody.validate(),
            Err(AgreementError::NoBoundParties(tid("x")))
        );

        let zero_rule = base().policy(SanctionPolicy::new().rule(ThresholdRule::new(
            RuleId::new("r").expect("id"),
            0,
            Span::days(7),
        )));
        assert!(matches!(
            zero_rule.validate(),
            Err(AgreementError::ZeroInRule {
                what: RuleNumber::Threshold,
                ..
            })
        ));

        let bad_relief = base().policy(SanctionPolicy::new().relief(ReliefPolicy {
            compliance: Span::days(30),
            approvers: [pid("UA")].into_iter().collect(),
            quorum: 1,
        }));
        assert_eq!(
            bad_relief.validate(),
            Err(AgreementError::NotAnApprover(pid("UA")))
        );

        let big_quorum = base().policy(SanctionPolicy::new().relief(ReliefPolicy {
            compliance: Span::days(30),
            approvers: [pid("CONGRESS")].into_iter().collect(),
            quorum: 2,
        }));
        assert!(matches!(
            big_quorum.validate(),
            Err(AgreementError::BadQuorum { .. })
        ));
    }

    #[test]
    fn limits_keep_hostile_agreements_small() {
        let mut chain = base();
        let mut prev = tid("energy");
        for i in 0..=Agreement::LIMITS.phase_chain {
            let id = tid(&format!("phase-{i}"));
            chain = chain.term(
                Term::new(
                    id.clone(),
                    "phase",
                    TermKind::GeneralCeasefire { area: None },
                )
                .binding([pid("UA")])
                .activation(Activation::AfterHeld {
                    term: prev,
                    days: 1,
                }),
            );
            prev = id;
        }
        assert!(matches!(
            chain.validate(),
            Err(AgreementError::PhaseChainTooLong { depth: 17, .. })
        ));
        let mut crowd = base();
        for i in 0..Agreement::LIMITS.parties {
            crowd = crowd.party(Party::new(pid(&format!("P{i}")), Role::Monitor, "m"));
        }
        assert!(matches!(
            crowd.validate(),
            Err(AgreementError::TooLarge {
                what: Limited::Parties,
                ..
            })
        ));
    }

    #[test]
    fn coverage_follows_the_kind() {
        let energy = TermKind::energy_moratorium();
        assert!(energy.covers(&TargetCategory::PowerGrid));
        assert!(!energy.covers(&TargetCategory::Port));
        let sea = TermKind::MaritimeTruce {
            zone: "Black Sea".into(),
        };
        assert!(sea.covers(&TargetCategory::Shipping));
        assert!(!sea.covers(&TargetCategory::Refinery));
        let conscription = TermKind::NonKinetic {
            obligation: Obligation::HaltConscription,
        };
        assert!(conscription.covers(&TargetCategory::Obligation));
        assert!(!conscription.covers(&TargetCategory::CivilianSite));
    }
}
