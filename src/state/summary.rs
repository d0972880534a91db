//! [`Summary`]: the state at an instant, as people read it.

use std::fmt;

use crate::state::AgreementState;
use crate::time::Timestamp;

/// The state at an instant, for people: each term with its status and who is bound when,
/// each allegation with its standing, the confirmed violations that count, claimed counts,
/// and the sanction decisions with their stage. Made by [`AgreementState::summary`].
#[derive(Clone, Copy, Debug)]
pub struct Summary<'a> {
    state: &'a AgreementState,
    at: Timestamp,
}

impl AgreementState {
    /// The state at `at` as people read it: `println!("{}", state.summary(at))`.
    #[must_use]
    pub fn summary(&self, at: Timestamp) -> Summary<'_> {
        Summary { state: self, at }
    }
}

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, at) = (self.state, self.at);
        let Some(agreement) = s.agreement() else {
            return writeln!(f, "No agreement yet.");
        };
        writeln!(
            f,
            "{} at {}",
            agreement.title,
            at.format("%d %b %Y %H:%M UTC")
        )?;
        writeln!(f, "  Terms")?;
        for (id, rec) in s.terms() {
            // A term proposed after `at` is not known then.
            let Some(status) = s.term_status(id, at) else {
                continue;
            };
            writeln!(
                f,
                "    {id:<20} {:<24} phase {}  {status}",
                rec.term.kind.label(),
                rec.term.phase
            )?;
            if let Some(p) = &rec.proposed {
                write!(f, "      proposed by {}", p.by)?;
                match &p.counters {
                    Some(c) => writeln!(f, " instead of {c}")?,
                    None => writeln!(f)?,
                }
            }
            for (party, acc) in &rec.acceptances {
                write!(f, "      {party} accepted {}", acc.level.label())?;
                match s.obligation_window(id, party) {
                    Some(w) => writeln!(f, ", bound {w}")?,
                    None => writeln!(f)?,
                }
            }
            for (party, r) in &rec.refusals {
                if r.superseded.is_none() {
                    write!(f, "      {party} refused")?;
                    for (i, reason) in r.reasons.iter().enumerate() {
                        write!(f, "{}{reason}", if i == 0 { ": " } else { "; " })?;
                    }
                    writeln!(f)?;
                }
            }
        }
        if s.allegations().next().is_some() {
            writeln!(f, "  Allegations")?;
        }
        for a in s.allegations() {
            let standing = if s.counts_against(&a.id) {
                format!("counts against {}", a.accused())
            } else if a.is_discounted() {
                "out of the count".to_string()
            } else if a.target_unsettled() {
                "target unknown or disputed: not counted".to_string()
            } else if !s.counts_target(a) {
                format!("{} is not covered by {}", a.target(), a.allegation.term)
            } else if s.is_possibly_inside(a) {
                format!("possibly inside {}'s obligations: not counted", a.accused())
            } else {
                format!("outside {}'s obligations", a.accused())
            };
            writeln!(
                f,
                "    {} {} against {}: {} at {}, {}: {}; {standing}",
                a.id.short(),
                a.accuser,
                a.accused(),
                a.target(),
                a.place().name,
                a.occurred,
                a.status()
            )?;
        }
        let tallies = s.tallies();
        if !tallies.is_empty() {
            writeln!(f, "  Confirmed violations that count")?;
        }
        for t in tallies {
            writeln!(f, "    {} under {}: {}", t.party, t.term, t.confirmed.len())?;
        }
        if !s.claims().is_empty() {
            writeln!(f, "  Claimed counts (never counted towards sanctions)")?;
        }
        for c in s.claims() {
            writeln!(
                f,
                "    {} claims {} violations by {}",
                c.claimant, c.count, c.accused
            )?;
        }
        if !s.decisions().is_empty() {
            writeln!(f, "  Sanction decisions")?;
        }
        for d in s.decisions() {
            writeln!(f, "    {d}; {}", d.stage_at(at))?;
        }
        Ok(())
    }
}
