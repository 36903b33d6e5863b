//! The walk down the ranking, then the settling of freed seats.

use std::cmp::Ordering;

use super::explain::{self, Ctx};
use super::{below, rank, Band, Decision, ProcessId, ProcessInput, RoutingInput, Status, Tier, TraineeInput};

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

/// One trainee's turn, in rank order.
struct Place<'a> {
    trainee: &'a TraineeInput,
    /// The cut-offs missed, one entry per process, in the input's order.
    misses: Vec<Vec<Miss>>,
    /// The published assignment: its process index and tier.
    current: Option<(usize, Tier)>,
}

/// One process as a trainee sees it.
#[derive(Clone, Copy)]
struct Choice<'a> {
    index: usize,
    process: &'a ProcessInput,
    free: u32,
    misses: &'a [Miss],
}

/// A process chosen for a seat, without borrowing the walk.
#[derive(Clone, Copy)]
struct Pick {
    index: usize,
    tier: Tier,
    /// Free seats before the trainee takes one.
    free: u32,
}

impl Choice<'_> {
    fn pick(&self) -> Pick {
        Pick {
            index: self.index,
            tier: self.process.tier,
            free: self.free,
        }
    }
}

struct Walk<'a> {
    input: &'a RoutingInput,
    /// Seats taken per process, in the input's order, as the run goes.
    taken: Vec<u32>,
}

pub(super) fn run(input: &RoutingInput) -> Vec<Decision> {
    let current_of = |id: ProcessId| {
        input
            .processes
            .iter()
            .enumerate()
            .find(|(_, p)| p.id == id)
            .map(|(i, p)| (i, p.tier))
    };
    // `rank` orders the trainees' indices, so every one is found.
    let places: Vec<Place> = rank(&input.trainees)
        .into_iter()
        .filter_map(|t| input.trainees.get(t))
        .map(|trainee| Place {
            trainee,
            misses: input.processes.iter().map(|p| misses(trainee, p)).collect(),
            current: trainee.current_process_id.and_then(current_of),
        })
        .collect();
    let mut walk = Walk {
        input,
        taken: input.processes.iter().map(|p| p.seats_taken).collect(),
    };
    // Seats given up by promotions are offered only once the walk is over,
    // from the top of the ranking: see `settle`.
    let mut released = Vec::new();
    let mut outcomes: Vec<Outcome> = places
        .iter()
        .map(|place| walk.first_turn(place, &mut released))
        .collect();
    for p in released {
        walk.release(p);
    }
    walk.settle(&places, &mut outcomes);
    walk.decisions(&places, &outcomes)
}

/// Most complex tier first, then by name, then by id.
fn by_tier(a: &Choice<'_>, b: &Choice<'_>) -> Ordering {
    let (pa, pb) = (a.process, b.process);
    pb.tier
        .cmp(&pa.tier)
        .then_with(|| pa.name.cmp(&pb.name))
        .then(pa.id.cmp(&pb.id))
}

/// Which process to give first: most complex tier, then the most free
/// seats, then by name, then by id.
fn preference(a: &Choice<'_>, b: &Choice<'_>) -> Ordering {
    let (pa, pb) = (a.process, b.process);
    pb.tier
        .cmp(&pa.tier)
        .then(b.free.cmp(&a.free))
        .then_with(|| pa.name.cmp(&pb.name))
        .then(pa.id.cmp(&pb.id))
}

impl Walk<'_> {
    /// Every process as `place`'s trainee sees it, in the input's order.
    fn choices<'s>(&'s self, place: &'s Place<'_>) -> impl Iterator<Item = Choice<'s>> + 's {
        self.input
            .processes
            .iter()
            .zip(&self.taken)
            .zip(&place.misses)
            .enumerate()
            .map(|(index, ((process, &taken), misses))| Choice {
                index,
                process,
                free: process.seats_total.saturating_sub(taken),
                misses,
            })
    }

    fn release(&mut self, p: usize) {
        if let Some(taken) = self.taken.get_mut(p) {
            *taken = taken.saturating_sub(1);
        }
    }

    /// The process to give `place` now, of a tier above `above` if set.
    fn best_free(&self, place: &Place<'_>, above: Option<Tier>) -> Option<Pick> {
        self.choices(place)
            .filter(|c| c.free > 0 && place.trainee.passed && c.misses.is_empty())
            .filter(|c| above.is_none_or(|tier| c.process.tier > tier))
            .min_by(preference)
            .map(|c| c.pick())
    }

    fn first_turn(&mut self, place: &Place<'_>, released: &mut Vec<usize>) -> Outcome {
        if let Some((held, tier)) = place.current {
            match self.best_free(place, Some(tier)) {
                Some(pick) => {
                    released.push(held);
                    self.seat(place, pick, How::Promoted { from: held }, false)
                }
                None => self.keep(place, held),
            }
        } else if !place.trainee.passed {
            Outcome::Failed
        } else {
            match self.best_free(place, None) {
                Some(pick) => self.seat(place, pick, How::Placed, false),
                None => Outcome::NoFit(self.no_fit(place)),
            }
        }
    }

    /// Offers the seats promotions gave up. Each step moves the best-ranked
    /// trainee who can now move up, so a freed seat never goes to someone
    /// ranked below a trainee who fits it and holds a lower tier. A move frees
    /// a seat in turn, hence the loop; every move raises someone's tier, so it
    /// ends.
    fn settle(&mut self, places: &[Place<'_>], outcomes: &mut [Outcome]) {
        while let Some((place, outcome, pick)) = places
            .iter()
            .zip(outcomes.iter_mut())
            .find_map(|(place, outcome)| self.move_up(place, outcome).map(|pick| (place, outcome, pick)))
        {
            let held = match outcome {
                Outcome::Seated(seat) => Some(seat.process),
                Outcome::Failed | Outcome::NoFit(_) => None,
            };
            let how = match place.current {
                Some((from, _)) => How::Promoted { from },
                None => How::Placed,
            };
            *outcome = self.seat(place, pick, how, true);
            if let Some(held) = held {
                self.release(held);
            }
        }
    }

    fn move_up(&self, place: &Place<'_>, outcome: &Outcome) -> Option<Pick> {
        match outcome {
            Outcome::Failed => None,
            Outcome::NoFit(_) => self.best_free(place, None),
            Outcome::Seated(seat) => {
                let tier = self.input.processes.get(seat.process)?.tier;
                self.best_free(place, Some(tier))
            }
        }
    }

    fn seat(&mut self, place: &Place<'_>, pick: Pick, how: How, after_move_up: bool) -> Outcome {
        if let Some(taken) = self.taken.get_mut(pick.index) {
            *taken += 1;
        }
        let blocker = match how {
            How::Placed => self.blocker(place, pick.tier),
            How::Promoted { .. } | How::Kept { .. } => None,
        };
        Outcome::Seated(Seat {
            process: pick.index,
            how,
            seats_left: pick.free,
            after_move_up,
            blocker,
            review: self.review(place, pick.tier),
        })
    }

    fn keep(&self, place: &Place<'_>, held: usize) -> Outcome {
        let passed = place.trainee.passed;
        let held_choice = self.choices(place).nth(held);
        let meets = held_choice.is_some_and(|c| c.misses.is_empty());
        // Review weighs a seat the trainee qualifies for against a higher
        // one; a kept seat they no longer meet is not that.
        let review = match held_choice {
            Some(c) if passed && meets => self.review(place, c.process.tier),
            _ => None,
        };
        Outcome::Seated(Seat {
            process: held,
            how: How::Kept { passed, meets },
            seats_left: held_choice.map_or(0, |c| c.free),
            after_move_up: false,
            blocker: None,
            review,
        })
    }

    /// The nearest tier up that the overall score reaches: a full process
    /// whose cut-offs are all met, else a section minimum missed.
    fn blocker(&self, place: &Place<'_>, tier: Tier) -> Option<Blocker> {
        self.choices(place)
            .filter(|c| c.process.tier > tier && c.misses.iter().all(|m| m.section.is_some()))
            .min_by(|a, b| {
                a.process
                    .tier
                    .cmp(&b.process.tier)
                    .then(b.misses.is_empty().cmp(&a.misses.is_empty()))
                    .then_with(|| by_tier(a, b))
            })
            .map(|c| match worst(c.misses) {
                None => Blocker::Full(c.index),
                Some(miss) => Blocker::Missed {
                    process: c.index,
                    miss: miss.clone(),
                },
            })
    }

    /// A higher-tier process with a free seat whose every missed cut-off is
    /// within the band.
    fn review(&self, place: &Place<'_>, tier: Tier) -> Option<Review> {
        let band = place.trainee.own_band.unwrap_or_else(|| self.input.band.points());
        self.choices(place)
            .filter(|c| c.process.tier > tier && c.free > 0)
            .filter(|c| worst(c.misses).is_some_and(|m| m.gap().total_cmp(&band).is_lt()))
            .min_by(preference)
            .map(|c| Review {
                process: c.index,
                misses: c.misses.to_vec(),
            })
    }

    fn no_fit(&self, place: &Place<'_>) -> NoFit {
        if let Some(c) = self.choices(place).filter(|c| c.misses.is_empty()).min_by(by_tier) {
            return NoFit::Full(c.index);
        }
        self.choices(place)
            .filter(|c| c.free > 0)
            .filter_map(|c| worst(c.misses).map(|miss| (c, miss)))
            .min_by(|(a, ma), (b, mb)| ma.gap().total_cmp(&mb.gap()).then_with(|| by_tier(a, b)))
            .map_or(NoFit::NoFreeSeat, |(c, miss)| NoFit::Nearest {
                process: c.index,
                miss: miss.clone(),
            })
    }

    fn decisions(&self, places: &[Place<'_>], outcomes: &[Outcome]) -> Vec<Decision> {
        let ctx = Ctx {
            processes: &self.input.processes,
            band: &self.input.band,
            cohort: places.len(),
        };
        let id = |p: usize| self.input.processes.get(p).map(|p| p.id);
        places
            .iter()
            .zip(outcomes)
            .enumerate()
            .map(|(pos, (place, outcome))| {
                let trainee = place.trainee;
                let rank = u32::try_from(pos + 1).unwrap_or(u32::MAX);
                let (status, process_id, review_process_id) = match outcome {
                    Outcome::Failed | Outcome::NoFit(_) => (Status::Retrain, None, None),
                    Outcome::Seated(seat) => match &seat.review {
                        Some(review) => (Status::Review, id(seat.process), id(review.process)),
                        None => (Status::Assigned, id(seat.process), None),
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
                    explanation: match trainee.own_band {
                        Some(points) => {
                            let own = Band::Own { points };
                            explain::sentence(&Ctx { band: &own, ..ctx }, rank, trainee.percent, outcome)
                        }
                        None => explain::sentence(&ctx, rank, trainee.percent, outcome),
                    },
                }
            })
            .collect()
    }
}
