//! The routing engine: which trainee goes to which client process after a
//! post-training exam (DESIGN.md, "Routing").
//!
//! Pure and deterministic: no database, clock or hash map, and the order of
//! the input does not matter. The same cohort and processes always give the
//! same run, line for line, so a published run can be re-derived and checked.
//!
//! How a run is built:
//!
//! 1. [`rank`] puts the trainees in one total order: percent, then the
//!    tie-break score, then the earlier submission, then the id.
//! 2. The walk: in that order, each trainee who passed takes the most complex
//!    process whose cut-offs (overall and every section minimum) they meet and
//!    that still has a seat; within a tier, the one with the most free seats,
//!    then by name, then by id. Someone who already holds a published
//!    assignment only ever moves to a higher tier; otherwise they keep it,
//!    whatever the re-exam says.
//! 3. Seats freed by those who moved up are offered after the walk, again from
//!    the top of the ranking, until nobody can move up. Handing a freed seat
//!    to whoever happens to come next in the walk would skip better-ranked
//!    trainees who were already past.
//! 4. Review: a seated trainee who misses a higher tier's process by less
//!    than the [`Band`] (on every cut-off they miss), while that process still
//!    had a free seat at their turn, keeps their seat and is marked `review`
//!    for it. A person decides, through [`apply_override`].
//! 5. A failed exam, or no fitting process with a free seat, is `retrain`.
//!
//! Each [`Decision`] carries one sentence naming the rank, the score, the
//! cut-off and the seats.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::db::{text_enum, ProcessId, UserId};

mod explain;
mod seats;
mod walk;

#[cfg(test)]
mod edge_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use seats::{apply_override, check_capacity, Override};

text_enum! {
    /// How much a process asks of a trainee. The derived order runs from the
    /// least to the most complex: `Tier::Critical > Tier::Basic`.
    #[derive(PartialOrd, Ord)]
    pub enum Tier {
        Basic = "basic",
        Standard = "standard",
        Complex = "complex",
        Critical = "critical",
    }
}

impl Tier {
    /// The tier in words, for pages and emails.
    pub fn label(self) -> &'static str {
        match self {
            Tier::Basic => "Basic",
            Tier::Standard => "Standard",
            Tier::Complex => "Complex",
            Tier::Critical => "Critical",
        }
    }

    /// Every tier, the most complex first: the order routing fills them in.
    pub const MOST_COMPLEX_FIRST: [Tier; 4] = [Tier::Critical, Tier::Complex, Tier::Standard, Tier::Basic];
}

text_enum! {
    /// A process's line of business. Routing does not read it: the caller passes
    /// the processes a cohort may be routed to.
    #[derive(PartialOrd, Ord)]
    pub enum Track {
        Kpo = "kpo",
        Bpo = "bpo",
    }
}

impl Track {
    /// The line of business as people write it.
    pub fn label(self) -> &'static str {
        match self {
            Track::Kpo => "KPO",
            Track::Bpo => "BPO",
        }
    }
}

/// A client process as routing sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessInput {
    pub id: ProcessId,
    pub name: String,
    pub tier: Tier,
    /// Overall cut-off, in percent of the exam's maximum.
    pub min_percent: f64,
    /// Section name to the minimum percent in that section.
    pub section_minimums: BTreeMap<String, f64>,
    pub seats_total: u32,
    /// Seats held by published assignments of earlier runs, including those
    /// of this cohort's trainees (their `current_process_id`).
    pub seats_taken: u32,
}

/// One trainee's result on the exam being routed.
#[derive(Debug, Clone, PartialEq)]
pub struct TraineeInput {
    pub id: UserId,
    pub percent: f64,
    /// Whether the exam's pass mark was met.
    pub passed: bool,
    /// Section name to the percent scored in it.
    pub sections: BTreeMap<String, f64>,
    /// Sum of the scores of the sections the exam names as tie breakers.
    pub tie_break_score: f64,
    /// Unix milliseconds.
    pub submitted_at: i64,
    /// The process of this trainee's published assignment, if any. It must be
    /// one of the input's processes, and its seat is in that process's
    /// `seats_taken`.
    pub current_process_id: Option<ProcessId>,
    /// This trainee's own standard error in percentage points, when the exam
    /// was adaptive (θ's standard error carried onto the percent scale); it
    /// is then their review band instead of the exam's.
    pub own_band: Option<f64>,
}

/// How far below a cut-off still earns a `review`, in percentage points.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Band {
    /// The exam's standard error of measurement.
    Sem { points: f64 },
    /// The configured band, used when the SEM cannot be trusted; `reason`
    /// completes "default band of 3 points (…)" in explanations.
    Default { points: f64, reason: String },
    /// An adaptive exam: each trainee's own standard error is their band
    /// (`TraineeInput::own_band`); `points` is the median of them, for the
    /// run's record and for anyone without one.
    Adaptive { points: f64 },
    /// One trainee's own standard error, as their explanation names it.
    Own { points: f64 },
}

/// Fewer graded attempts than this and the SEM is not used.
pub const MIN_ATTEMPTS_FOR_SEM: usize = 20;

impl Band {
    /// The band for an exam: SEM = SD × √(1 − α), with SD and the SEM in
    /// percentage points; the configured default with fewer than
    /// [`MIN_ATTEMPTS_FOR_SEM`] graded attempts or when α (or the SD) is
    /// undefined.
    pub fn for_exam(graded_attempts: usize, sd_percent: Option<f64>, alpha: Option<f64>, default_points: f64) -> Band {
        if graded_attempts < MIN_ATTEMPTS_FOR_SEM {
            return Band::Default {
                points: default_points,
                reason: format!("fewer than {MIN_ATTEMPTS_FOR_SEM} graded attempts"),
            };
        }
        match (sd_percent, alpha) {
            (Some(sd), Some(alpha)) if sd.is_finite() && sd >= 0.0 && alpha.is_finite() && alpha <= 1.0 => Band::Sem {
                points: sd * (1.0 - alpha).sqrt(),
            },
            _ => Band::Default {
                points: default_points,
                reason: "Cronbach's alpha is undefined for this exam".to_owned(),
            },
        }
    }

    pub fn points(&self) -> f64 {
        match self {
            Band::Sem { points } | Band::Default { points, .. } | Band::Own { points } | Band::Adaptive { points } => {
                *points
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoutingInput {
    pub trainees: Vec<TraineeInput>,
    pub processes: Vec<ProcessInput>,
    pub band: Band,
}

text_enum! {
    /// What a routing run decided for one trainee.
    pub enum Status {
        Assigned = "assigned",
        /// Holds `process_id`, and a person decides about `review_process_id`.
        Review = "review",
        Retrain = "retrain",
    }
}

impl Status {
    /// What the decision means, in words.
    pub fn label(self) -> &'static str {
        match self {
            Status::Assigned => "Placed",
            Status::Review => "Needs review",
            Status::Retrain => "Retrain",
        }
    }
}

/// One line of a routing run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Decision {
    pub trainee_id: UserId,
    /// 1-based position in the total order of [`rank`]; never shared.
    pub rank: u32,
    pub percent: f64,
    pub status: Status,
    /// The seat held after this run: `None` only for `retrain`.
    pub process_id: Option<ProcessId>,
    /// For `review`: the higher-tier process a person should consider.
    pub review_process_id: Option<ProcessId>,
    /// The published assignment held before this run. Equal to `process_id`
    /// when the trainee keeps it; seat counting relies on it.
    pub previous_process_id: Option<ProcessId>,
    pub explanation: String,
}

/// Input that routing refuses rather than guess about.
#[derive(Debug, Clone, PartialEq)]
pub enum RoutingError {
    DuplicateTrainee {
        trainee_id: UserId,
    },
    DuplicateProcess {
        process_id: ProcessId,
    },
    UnknownCurrentProcess {
        trainee_id: UserId,
        process_id: ProcessId,
    },
    /// More of this cohort's trainees hold the process than its
    /// `seats_taken` counts.
    SeatsTakenTooLow {
        process_id: ProcessId,
        holders: u32,
        seats_taken: u32,
    },
    /// A score, cut-off or band that is NaN, infinite or (for the band)
    /// negative.
    NotANumber {
        what: String,
    },
}

impl fmt::Display for RoutingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoutingError::DuplicateTrainee { trainee_id } => {
                write!(f, "Trainee {trainee_id} appears more than once.")
            }
            RoutingError::DuplicateProcess { process_id } => {
                write!(f, "Process {process_id} appears more than once.")
            }
            RoutingError::UnknownCurrentProcess { trainee_id, process_id } => write!(
                f,
                "Trainee {trainee_id} holds process {process_id}, which is not among the processes to route to."
            ),
            RoutingError::SeatsTakenTooLow {
                process_id,
                holders,
                seats_taken,
            } => write!(
                f,
                "Process {process_id} is held by {holders} of these trainees but counts only {seats_taken} seats taken."
            ),
            RoutingError::NotANumber { what } => write!(f, "The {what} is not a usable number."),
        }
    }
}

impl std::error::Error for RoutingError {}

/// Trainee indices in the run's total order: percent (highest first), then
/// tie-break score (highest first), then submission (earliest first), then id.
pub fn rank(trainees: &[TraineeInput]) -> Vec<usize> {
    let mut order: Vec<(usize, &TraineeInput)> = trainees.iter().enumerate().collect();
    order.sort_by(|&(_, a), &(_, b)| {
        score(b.percent)
            .total_cmp(&score(a.percent))
            .then(score(b.tie_break_score).total_cmp(&score(a.tie_break_score)))
            .then(a.submitted_at.cmp(&b.submitted_at))
            .then(a.id.cmp(&b.id))
    });
    order.into_iter().map(|(i, _)| i).collect()
}

/// Whether a trainee's scores meet every cut-off of a process (the exam's
/// pass mark is separate: see `passed`).
pub fn meets_cutoffs(trainee: &TraineeInput, process: &ProcessInput) -> bool {
    walk::misses(trainee, process).is_empty()
}

/// Routes a cohort: one decision per trainee, in rank order.
pub fn route(input: &RoutingInput) -> Result<Vec<Decision>, RoutingError> {
    validate(input)?;
    Ok(walk::run(input))
}

/// `-0.0` and `0.0` are the same score, but `total_cmp` tells them apart.
fn score(x: f64) -> f64 {
    x + 0.0
}

/// `value < needed`, total over floats.
fn below(value: f64, needed: f64) -> bool {
    score(value).total_cmp(&score(needed)).is_lt()
}

fn validate(input: &RoutingInput) -> Result<(), RoutingError> {
    let finite = |x: f64, what: &dyn Fn() -> String| {
        if x.is_finite() {
            Ok(())
        } else {
            Err(RoutingError::NotANumber { what: what() })
        }
    };
    let mut process_ids = BTreeSet::new();
    for p in &input.processes {
        if !process_ids.insert(p.id) {
            return Err(RoutingError::DuplicateProcess { process_id: p.id });
        }
        finite(p.min_percent, &|| format!("cut-off of process {}", p.id))?;
        for (section, min) in &p.section_minimums {
            finite(*min, &|| format!("{section} minimum of process {}", p.id))?;
        }
    }
    let mut trainee_ids = BTreeSet::new();
    let mut holders: BTreeMap<ProcessId, u32> = BTreeMap::new();
    for t in &input.trainees {
        if !trainee_ids.insert(t.id) {
            return Err(RoutingError::DuplicateTrainee { trainee_id: t.id });
        }
        finite(t.percent, &|| format!("percent of trainee {}", t.id))?;
        finite(t.tie_break_score, &|| format!("tie-break score of trainee {}", t.id))?;
        for (section, s) in &t.sections {
            finite(*s, &|| format!("{section} score of trainee {}", t.id))?;
        }
        if let Some(process_id) = t.current_process_id {
            if !process_ids.contains(&process_id) {
                return Err(RoutingError::UnknownCurrentProcess {
                    trainee_id: t.id,
                    process_id,
                });
            }
            *holders.entry(process_id).or_default() += 1;
        }
    }
    for p in &input.processes {
        let held = holders.get(&p.id).copied().unwrap_or(0);
        if held > p.seats_taken {
            return Err(RoutingError::SeatsTakenTooLow {
                process_id: p.id,
                holders: held,
                seats_taken: p.seats_taken,
            });
        }
    }
    let band = input.band.points();
    if !band.is_finite() || band < 0.0 {
        return Err(RoutingError::NotANumber {
            what: "review band".to_owned(),
        });
    }
    Ok(())
}
