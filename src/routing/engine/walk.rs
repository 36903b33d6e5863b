//! The walk down the ranking, then the settling of freed seats.
//!
//! Two kinds of index are used here, each made in this module over vectors
//! built to match: a position (`0..order.len()`) indexes `order`, `misses`,
//! `current` and `outcomes`, all built with one entry per trainee; a process
//! index (from `processes()`, or a current process found by `position`)
//! indexes `input.processes`, `taken` and each `misses[pos]`, all built with
//! one entry per process. `get` would turn a broken invariant into a quietly
//! wrong routing decision rather than a failed run; the proptests walk these
//! paths over thousands of random cohorts.
#![allow(clippy::indexing_slicing)] // Sound: positions and process indices are bounded as the comment above says.

use std::cmp::Ordering;

use super::explain::{self, Ctx};
use super::{below, rank, Decision, ProcessInput, RoutingInput, Status, Tier, TraineeInput};

/// One cut-off a trainee misses.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Miss {
    /// `None` for the overall cut-off.
    pub section: Option<String>,
    pub needed: f64,
    /// `None` when the trainee has no score in that section.
    pub scored: Option<f64>,
}

impl Miss {
    /// Percentage points short; a missing section score is never close.
    pub fn gap(&self) -> f64 {
        self.scored.map_or(f64::INFINITY, |s| self.needed - s)
    }
}

/// Every cut-off of `p` that `t` misses: the overall one first, then the
/// sections by name.
pub(super) fn misses(t: &TraineeInput, p: &ProcessInput) -> Vec<Miss> {
    let mut out = Vec::new();
    if below(t.percent, p.min_percent) {
        out.push(Miss {
            section: None,
            needed: p.min_percent,
            scored: Some(t.percent),
        });
    }
    for (section, &needed) in &p.section_minimums {
        let scored = t.sections.get(section).copied();
        if scored.is_none_or(|s| below(s, needed)) {
            out.push(Miss {
                section: Some(section.clone()),
                needed,
                scored,
            });
        }
    }
    out
}

/// The cut-off missed by the most; on a tie, the first.
fn worst(misses: &[Miss]) -> Option<&Miss> {
    misses.iter().fold(None, |best, m| match best {
        Some(b) if !m.gap().total_cmp(&b.gap()).is_gt() => Some(b),
        _ => Some(m),
    })
}

/// What the run decided for one trainee, with what the sentence needs.
pub(super) enum Outcome {
    /// The exam's pass mark was not met.
    Failed,
    NoFit(NoFit),
    Seated(Seat),
}

/// Why a trainee who passed got no seat, as seen at their turn.
pub(super) enum NoFit {
    NoFreeSeat,
    /// This process's cut-offs were met, but it was full (the most complex
    /// such process).
    Full(usize),
    /// The free process missed by the least, and by how much.
    Nearest {
        process: usize,
        miss: Miss,
    },
}

pub(super) struct Seat {
    pub process: usize,
    pub how: How,
    /// Free seats before this trainee took one.
    pub seats_left: u32,
    /// Placed after the walk, in a seat someone moving up gave up.
    pub after_move_up: bool,
    /// Why the next tier up was not given (only for `How::Placed`).
    pub blocker: Option<Blocker>,
    pub review: Option<Review>,
}

pub(super) enum How {
    Placed,
    Promoted {
        from: usize,
    },
    /// The published assignment stays, whatever the re-exam.
    Kept {
        passed: bool,
        meets: bool,
    },
}

pub(super) enum Blocker {
    Full(usize),
    Missed { process: usize, miss: Miss },
}

pub(super) struct Review {
    pub process: usize,
    pub misses: Vec<Miss>,
}

struct Walk<'a> {
    input: &'a RoutingInput,
    /// Trainee indices in rank order. Every other per-trainee vector is
    /// indexed by position in this order.
    order: Vec<usize>,
    /// `misses[position][process]`.
    misses: Vec<Vec<Vec<Miss>>>,
    /// The process index of each trainee's published assignment.
    current: Vec<Option<usize>>,
    /// Seats taken per process index, as the run goes.
    taken: Vec<u32>,
    outcomes: Vec<Outcome>,
}

pub(super) fn run(input: &RoutingInput) -> Vec<Decision> {
    let order = rank(&input.trainees);
    let index_of = |id: i32| input.processes.iter().position(|p| p.id == id);
    let misses = order
        .iter()
        .map(|&t| {
            let trainee = &input.trainees[t];
            input.processes.iter().map(|p| misses(trainee, p)).collect()
        })
        .collect();
    let current = order
        .iter()
        .map(|&t| input.trainees[t].current_process_id.and_then(index_of))
        .collect();
    let mut walk = Walk {
        input,
        misses,
        current,
        taken: input.processes.iter().map(|p| p.seats_taken).collect(),
        outcomes: Vec::with_capacity(order.len()),
        order,
    };
    // Seats given up by promotions are offered only once the walk is over,
    // from the top of the ranking: see `settle`.
    let mut released = Vec::new();
    for pos in 0..walk.order.len() {
        let outcome = walk.first_turn(pos, &mut released);
        walk.outcomes.push(outcome);
    }
    for p in released {
        walk.taken[p] = walk.taken[p].saturating_sub(1);
    }
    walk.settle();
    walk.decisions()
}

impl Walk<'_> {
    fn trainee(&self, pos: usize) -> &TraineeInput {
        &self.input.trainees[self.order[pos]]
    }

    fn process(&self, p: usize) -> &ProcessInput {
        &self.input.processes[p]
    }

    fn tier(&self, p: usize) -> Tier {
        self.process(p).tier
    }

    fn free(&self, p: usize) -> u32 {
        self.process(p).seats_total.saturating_sub(self.taken[p])
    }

    fn eligible(&self, pos: usize, p: usize) -> bool {
        self.trainee(pos).passed && self.misses[pos][p].is_empty()
    }

    fn processes(&self) -> std::ops::Range<usize> {
        0..self.input.processes.len()
    }

    /// Most complex tier first, then by name, then by id.
    fn by_tier(&self, a: usize, b: usize) -> Ordering {
        let (pa, pb) = (self.process(a), self.process(b));
        pb.tier
            .cmp(&pa.tier)
            .then_with(|| pa.name.cmp(&pb.name))
            .then(pa.id.cmp(&pb.id))
    }

    /// Which process to give first: most complex tier, then the most free
    /// seats, then by name, then by id.
    fn preference(&self, a: usize, b: usize) -> Ordering {
        let (pa, pb) = (self.process(a), self.process(b));
        pb.tier
            .cmp(&pa.tier)
            .then(self.free(b).cmp(&self.free(a)))
            .then_with(|| pa.name.cmp(&pb.name))
            .then(pa.id.cmp(&pb.id))
    }

    /// The process to give `pos` now, of a tier above `above` if set.
    fn best_free(&self, pos: usize, above: Option<Tier>) -> Option<usize> {
        self.processes()
            .filter(|&p| self.free(p) > 0 && self.eligible(pos, p))
            .filter(|&p| above.is_none_or(|tier| self.tier(p) > tier))
            .min_by(|&a, &b| self.preference(a, b))
    }

    fn first_turn(&mut self, pos: usize, released: &mut Vec<usize>) -> Outcome {
        let passed = self.trainee(pos).passed;
        if let Some(held) = self.current[pos] {
            match self.best_free(pos, Some(self.tier(held))) {
                Some(p) => {
                    released.push(held);
                    self.seat(pos, p, How::Promoted { from: held }, false)
                }
                None => self.keep(pos, held),
            }
        } else if !passed {
            Outcome::Failed
        } else {
            match self.best_free(pos, None) {
                Some(p) => self.seat(pos, p, How::Placed, false),
                None => Outcome::NoFit(self.no_fit(pos)),
            }
        }
    }

    /// Offers the seats promotions gave up. Each step moves the best-ranked
    /// trainee who can now move up, so a freed seat never goes to someone
    /// ranked below a trainee who fits it and holds a lower tier. A move frees
    /// a seat in turn, hence the loop; every move raises someone's tier, so it
    /// ends.
    fn settle(&mut self) {
        while let Some((pos, p)) = (0..self.order.len()).find_map(|pos| self.move_up(pos).map(|p| (pos, p))) {
            let held = match &self.outcomes[pos] {
                Outcome::Seated(seat) => Some(seat.process),
                Outcome::Failed | Outcome::NoFit(_) => None,
            };
            let how = match self.current[pos] {
                Some(from) => How::Promoted { from },
                None => How::Placed,
            };
            self.outcomes[pos] = self.seat(pos, p, how, true);
            if let Some(held) = held {
                self.taken[held] = self.taken[held].saturating_sub(1);
            }
        }
    }

    fn move_up(&self, pos: usize) -> Option<usize> {
        match &self.outcomes[pos] {
            Outcome::Failed => None,
            Outcome::NoFit(_) => self.best_free(pos, None),
            Outcome::Seated(seat) => self.best_free(pos, Some(self.tier(seat.process))),
        }
    }

    fn seat(&mut self, pos: usize, p: usize, how: How, after_move_up: bool) -> Outcome {
        let seats_left = self.free(p);
        self.taken[p] += 1;
        let tier = self.tier(p);
        let blocker = match how {
            How::Placed => self.blocker(pos, tier),
            How::Promoted { .. } | How::Kept { .. } => None,
        };
        Outcome::Seated(Seat {
            process: p,
            how,
            seats_left,
            after_move_up,
            blocker,
            review: self.review(pos, tier),
        })
    }

    fn keep(&self, pos: usize, held: usize) -> Outcome {
        let passed = self.trainee(pos).passed;
        let meets = self.misses[pos][held].is_empty();
        // Review weighs a seat the trainee qualifies for against a higher
        // one; a kept seat they no longer meet is not that.
        let review = if passed && meets {
            self.review(pos, self.tier(held))
        } else {
            None
        };
        Outcome::Seated(Seat {
            process: held,
            how: How::Kept { passed, meets },
            seats_left: self.free(held),
            after_move_up: false,
            blocker: None,
            review,
        })
    }

    /// The nearest tier up that the overall score reaches: a full process
    /// whose cut-offs are all met, else a section minimum missed.
    fn blocker(&self, pos: usize, tier: Tier) -> Option<Blocker> {
        let misses = &self.misses[pos];
        self.processes()
            .filter(|&p| self.tier(p) > tier && misses[p].iter().all(|m| m.section.is_some()))
            .min_by(|&a, &b| {
                self.tier(a)
                    .cmp(&self.tier(b))
                    .then(misses[b].is_empty().cmp(&misses[a].is_empty()))
                    .then_with(|| self.by_tier(a, b))
            })
            .map(|p| match worst(&misses[p]) {
                None => Blocker::Full(p),
                Some(miss) => Blocker::Missed {
                    process: p,
                    miss: miss.clone(),
                },
            })
    }

    /// A higher-tier process with a free seat whose every missed cut-off is
    /// within the band.
    fn review(&self, pos: usize, tier: Tier) -> Option<Review> {
        let band = self.input.band.points();
        let misses = &self.misses[pos];
        self.processes()
            .filter(|&p| self.tier(p) > tier && self.free(p) > 0)
            .filter(|&p| worst(&misses[p]).is_some_and(|m| m.gap().total_cmp(&band).is_lt()))
            .min_by(|&a, &b| self.preference(a, b))
            .map(|p| Review {
                process: p,
                misses: misses[p].clone(),
            })
    }

    fn no_fit(&self, pos: usize) -> NoFit {
        let misses = &self.misses[pos];
        if let Some(p) = self
            .processes()
            .filter(|&p| misses[p].is_empty())
            .min_by(|&a, &b| self.by_tier(a, b))
        {
            return NoFit::Full(p);
        }
        self.processes()
            .filter(|&p| self.free(p) > 0)
            .filter_map(|p| worst(&misses[p]).map(|miss| (p, miss)))
            .min_by(|(a, ma), (b, mb)| ma.gap().total_cmp(&mb.gap()).then_with(|| self.by_tier(*a, *b)))
            .map_or(NoFit::NoFreeSeat, |(p, miss)| NoFit::Nearest {
                process: p,
                miss: miss.clone(),
            })
    }

    fn decisions(&self) -> Vec<Decision> {
        let ctx = Ctx {
            processes: &self.input.processes,
            band: &self.input.band,
            cohort: self.order.len(),
        };
        let id = |p: usize| self.process(p).id;
        self.outcomes
            .iter()
            .enumerate()
            .map(|(pos, outcome)| {
                let trainee = self.trainee(pos);
                let rank = u32::try_from(pos + 1).unwrap_or(u32::MAX);
                let (status, process_id, review_process_id) = match outcome {
                    Outcome::Failed | Outcome::NoFit(_) => (Status::Retrain, None, None),
                    Outcome::Seated(seat) => match &seat.review {
                        Some(review) => (Status::Review, Some(id(seat.process)), Some(id(review.process))),
                        None => (Status::Assigned, Some(id(seat.process)), None),
                    },
                };
                Decision {
                    trainee_id: trainee.id,
                    rank,
                    percent: trainee.percent,
                    status,
                    process_id,
                    review_process_id,
                    previous_process_id: trainee.current_process_id,
                    explanation: explain::sentence(&ctx, rank, trainee.percent, outcome),
                }
            })
            .collect()
    }
}
