//! Plans: the abstract steps the strategy generates, and how they shrink.

use std::fmt;
use std::ops::Range;

use proptest::prelude::*;
use proptest::strategy::{NewTree, Union, ValueTree};
use proptest::test_runner::TestRunner;

use crate::agreement::Agreement;
use crate::id::{PartyId, TermId};
use crate::testing::sequence::{Config, StepKind};

/// The longest delay between an occurrence and its report that steps draw (three days).
pub(crate) const MAX_LAG: u32 = 3 * 86_400;

/// An up-front commitment of one bound party to one term.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Commit {
    Skip,
    Binding,
    InPrinciple,
    Conditional,
    Backdated,
}

#[derive(Clone, Debug)]
pub(crate) struct Opening {
    pub(crate) commit: Commit,
    pub(crate) gap: u32,
    pub(crate) lag: u32,
}

/// One abstract step: a kind and numbers that pick among what is possible when it runs.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    /// Where the step stood in the plan as generated: shrinking drops steps but never
    /// renumbers the others, so references anchored here keep their meaning.
    pub(crate) origin: u32,
    pub(crate) kind: StepKind,
    pub(crate) pick: u16,
    pub(crate) choice: u16,
    pub(crate) extra: u16,
    pub(crate) gap: u32,
    pub(crate) lag: u32,
    pub(crate) roll: u8,
    pub(crate) place: u8,
}

/// The plan the strategy generates and shrinks.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) openings: Vec<Opening>,
    pub(crate) steps: Vec<Step>,
}

fn opening_strategy() -> impl Strategy<Value = Opening> {
    let commit = prop_oneof![
        1 => Just(Commit::Skip),
        14 => Just(Commit::Binding),
        2 => Just(Commit::InPrinciple),
        2 => Just(Commit::Conditional),
        1 => Just(Commit::Backdated),
    ];
    (commit, 0..=6 * 3_600u32, 0..=MAX_LAG).prop_map(|(commit, gap, lag)| Opening {
        commit,
        gap,
        lag,
    })
}

fn step_strategy(config: &Config) -> BoxedStrategy<Step> {
    let kinds = config.mix.active();
    let kind = Union::new_weighted(
        kinds
            .into_iter()
            .map(|(w, k)| (w, Just(k).boxed()))
            .collect(),
    );
    (
        kind,
        any::<u16>(),
        any::<u16>(),
        any::<u16>(),
        0..=config.max_gap(),
        0..=MAX_LAG,
        0..100u8,
        0..100u8,
    )
        .prop_map(|(kind, pick, choice, extra, gap, lag, roll, place)| Step {
            origin: 0,
            kind,
            pick,
            choice,
            extra,
            gap,
            lag,
            roll,
            place,
        })
        .boxed()
}

/// The bound (term, party) pairs, in agreement order.
pub(crate) fn commitments(agreement: &Agreement) -> Vec<(TermId, PartyId)> {
    agreement
        .terms
        .iter()
        .flat_map(|t| t.binds.iter().map(|p| (t.id.clone(), p.clone())))
        .collect()
}

pub(crate) fn plan_strategy(agreement: &Agreement, config: &Config) -> PlanStrategy {
    let openings = if config.mix.weight(StepKind::Accept) > 0 {
        commitments(agreement).len()
    } else {
        0
    };
    PlanStrategy {
        openings,
        opening: opening_strategy().boxed(),
        step: (!config.mix.active().is_empty()).then(|| step_strategy(config)),
        len: config.len.clone(),
    }
}

/// Generates plans; its value trees shrink harder than proptest's vectors (see [`PlanTree`]).
#[derive(Debug)]
pub(crate) struct PlanStrategy {
    openings: usize,
    opening: BoxedStrategy<Opening>,
    step: Option<BoxedStrategy<Step>>,
    len: Range<usize>,
}

impl Strategy for PlanStrategy {
    type Tree = PlanTree;
    type Value = Plan;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let mut openings = Vec::with_capacity(self.openings);
        for _ in 0..self.openings {
            let value = self.opening.new_tree(runner)?.current();
            openings.push(Simple::new(value, opening_moves));
        }
        let mut steps = Vec::new();
        if let Some(step) = &self.step {
            let range = self.len.start..self.len.end.max(self.len.start + 1);
            let n = range.new_tree(runner)?.current();
            for _ in 0..n {
                steps.push(Simple::new(step.new_tree(runner)?.current(), step_moves));
            }
        }
        Ok(PlanTree {
            kept: vec![true; steps.len()],
            openings,
            steps,
            min_steps: self.len.start,
            phase: Phase::Delete(0),
            pending: None,
            progress: false,
        })
    }
}

/// The simpler versions of an opening to try, simplest first: no commitment, then no delays.
fn opening_moves(o: &Opening) -> Vec<Opening> {
    let mut out = Vec::new();
    if o.commit != Commit::Skip {
        out.push(Opening {
            commit: Commit::Skip,
            ..o.clone()
        });
    }
    if o.gap > 0 {
        out.push(Opening {
            gap: 0,
            ..o.clone()
        });
    }
    if o.lag > 0 {
        out.push(Opening {
            lag: 0,
            ..o.clone()
        });
    }
    out
}

/// The simpler versions of a step to try: each number at zero, then halved. The kind never
/// changes (dropping the step is the simpler move), and the numbers are mostly picks among
/// candidates, where zero means "the first" and halving means little, so there is no binary
/// search: it would spend the shrinking budget on numbers that do not make a log shorter.
fn step_moves(s: &Step) -> Vec<Step> {
    type Field = (fn(&Step) -> u32, fn(&mut Step, u32));
    let fields: [Field; 7] = [
        (
            |s| u32::from(s.place),
            |s, v| s.place = u8::try_from(v).unwrap_or(0),
        ),
        (
            |s| u32::from(s.roll),
            |s, v| s.roll = u8::try_from(v).unwrap_or(0),
        ),
        (
            |s| u32::from(s.pick),
            |s, v| s.pick = u16::try_from(v).unwrap_or(0),
        ),
        (
            |s| u32::from(s.choice),
            |s, v| s.choice = u16::try_from(v).unwrap_or(0),
        ),
        (
            |s| u32::from(s.extra),
            |s, v| s.extra = u16::try_from(v).unwrap_or(0),
        ),
        (|s| s.gap, |s, v| s.gap = v),
        (|s| s.lag, |s, v| s.lag = v),
    ];
    let mut out = Vec::new();
    for (get, set) in fields {
        if get(s) > 0 {
            let mut t = s.clone();
            set(&mut t, 0);
            out.push(t);
        }
    }
    for (get, set) in fields {
        if get(s) > 1 {
            let mut t = s.clone();
            set(&mut t, get(s) / 2);
            out.push(t);
        }
    }
    out
}

/// A value that shrinks by trying a list of simpler versions, recomputed from each accepted
/// one, in order.
pub(crate) struct Simple<T> {
    current: T,
    /// The versions still to try, the next last.
    candidates: Vec<T>,
    /// The value before the version being tried.
    previous: Option<T>,
    moves: fn(&T) -> Vec<T>,
}

impl<T: Clone> Simple<T> {
    fn new(value: T, moves: fn(&T) -> Vec<T>) -> Simple<T> {
        let mut candidates = moves(&value);
        candidates.reverse();
        Simple {
            current: value,
            candidates,
            previous: None,
            moves,
        }
    }

    fn try_next(&mut self) -> bool {
        match self.candidates.pop() {
            Some(next) => {
                self.previous = Some(std::mem::replace(&mut self.current, next));
                true
            }
            None => false,
        }
    }

    fn current(&self) -> T {
        self.current.clone()
    }

    /// Tries every simpler version again (in a new round, after other parts changed).
    fn restart(&mut self) {
        self.previous = None;
        self.candidates = (self.moves)(&self.current);
        self.candidates.reverse();
    }

    fn simplify(&mut self) -> bool {
        if self.previous.take().is_some() {
            // The version tried was kept: its own simpler versions come next.
            self.candidates = (self.moves)(&self.current);
            self.candidates.reverse();
        }
        self.try_next()
    }

    fn complicate(&mut self) -> bool {
        match self.previous.take() {
            Some(previous) => {
                self.current = previous;
                self.try_next()
            }
            None => false,
        }
    }
}

/// Where a [`PlanTree`] is in its round of shrinking.
#[derive(Clone, Copy, Debug)]
enum Phase {
    Delete(usize),
    Opening(usize),
    Step(usize),
    Done,
}

/// The simplification awaiting the runner's verdict.
#[derive(Clone, Copy, Debug)]
enum Pending {
    Deleted(usize),
    Opening(usize),
    Step(usize),
}

/// Shrinks a plan in rounds: try dropping each step, then simplify each opening and each step;
/// start a new round while anything got simpler, since a simpler step often lets another be
/// dropped. (Proptest's own vectors try each deletion once, before shrinking elements.)
pub(crate) struct PlanTree {
    openings: Vec<Simple<Opening>>,
    steps: Vec<Simple<Step>>,
    kept: Vec<bool>,
    min_steps: usize,
    phase: Phase,
    pending: Option<Pending>,
    progress: bool,
}

impl fmt::Debug for PlanTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlanTree")
            .field("phase", &self.phase)
            .field("plan", &self.current())
            .finish()
    }
}

impl PlanTree {
    /// The next simplification to try, or `false` when there is none left.
    fn advance(&mut self) -> bool {
        loop {
            match self.phase {
                Phase::Delete(ix) => {
                    if ix >= self.steps.len() {
                        self.phase = Phase::Opening(0);
                        continue;
                    }
                    self.phase = Phase::Delete(ix + 1);
                    let kept = self.kept.iter().filter(|k| **k).count();
                    if self.kept[ix] && kept > self.min_steps {
                        self.kept[ix] = false;
                        self.pending = Some(Pending::Deleted(ix));
                        return true;
                    }
                }
                Phase::Opening(ix) => {
                    if ix >= self.openings.len() {
                        self.phase = Phase::Step(0);
                        continue;
                    }
                    if self.openings[ix].simplify() {
                        self.pending = Some(Pending::Opening(ix));
                        return true;
                    }
                    self.phase = Phase::Opening(ix + 1);
                }
                Phase::Step(ix) => {
                    if ix >= self.steps.len() {
                        if self.progress {
                            self.progress = false;
                            self.phase = Phase::Delete(0);
                            for o in &mut self.openings {
                                o.restart();
                            }
                            for s in &mut self.steps {
                                s.restart();
                            }
                            continue;
                        }
                        self.phase = Phase::Done;
                        return false;
                    }
                    if self.kept[ix] && self.steps[ix].simplify() {
                        self.pending = Some(Pending::Step(ix));
                        return true;
                    }
                    self.phase = Phase::Step(ix + 1);
                }
                Phase::Done => return false,
            }
        }
    }
}

impl ValueTree for PlanTree {
    type Value = Plan;

    fn current(&self) -> Plan {
        Plan {
            openings: self.openings.iter().map(|t| t.current()).collect(),
            steps: self
                .steps
                .iter()
                .zip(&self.kept)
                .enumerate()
                .filter(|(_, (_, kept))| **kept)
                .map(|(i, (t, _))| Step {
                    origin: u32::try_from(i).unwrap_or(u32::MAX),
                    ..t.current()
                })
                .collect(),
        }
    }

    fn simplify(&mut self) -> bool {
        // The runner simplifies again only after the last simplification still failed.
        if self.pending.take().is_some() {
            self.progress = true;
        }
        self.advance()
    }

    fn complicate(&mut self) -> bool {
        // The last simplification made the test pass: undo it and try the next one.
        match self.pending.take() {
            None => false,
            Some(Pending::Deleted(ix)) => {
                self.kept[ix] = true;
                self.advance()
            }
            // An element that cannot complicate further is back at its last failing value, and
            // has no simpler version left to try: move on.
            Some(Pending::Opening(ix)) => {
                if self.openings[ix].complicate() {
                    self.pending = Some(Pending::Opening(ix));
                    return true;
                }
                self.advance()
            }
            Some(Pending::Step(ix)) => {
                if self.steps[ix].complicate() {
                    self.pending = Some(Pending::Step(ix));
                    return true;
                }
                self.advance()
            }
        }
    }
}
