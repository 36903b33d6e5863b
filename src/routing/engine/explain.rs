//! The one plain sentence each decision carries: rank, score, cut-off, seats.
//!
//! Numbers show one decimal, without a trailing ".0": 84.5%, 80%.

use super::walk::{Blocker, How, Miss, NoFit, Outcome};
use super::{Band, ProcessInput};

pub(super) struct Ctx<'a> {
    pub processes: &'a [ProcessInput],
    pub band: &'a Band,
    pub cohort: usize,
}

pub(super) fn sentence(ctx: &Ctx<'_>, rank: u32, percent: f64, outcome: &Outcome) -> String {
    let ranked = ranked(rank, ctx.cohort, percent);
    // Sound: an outcome's process indices were made by the walk over these
    // same processes (see walk.rs).
    #[allow(clippy::indexing_slicing)]
    let p = |i: usize| &ctx.processes[i];
    let seat = match outcome {
        Outcome::Failed => return format!("{ranked}; the exam's pass mark was not met: retrain, a re-exam is due."),
        Outcome::NoFit(NoFit::NoFreeSeat) => return format!("{ranked}; no process had a free seat: retrain."),
        Outcome::NoFit(NoFit::Full(full)) => {
            return format!(
                "{ranked}; {} was full, and no process with a free seat matches these scores: retrain.",
                described(p(*full))
            )
        }
        Outcome::NoFit(NoFit::Nearest { process, miss }) => {
            return format!(
                "{ranked}; no process with a free seat matches these scores ({}): retrain.",
                needs(p(*process), miss)
            )
        }
        Outcome::Seated(seat) => seat,
    };
    let here = described(p(seat.process));
    let seats = seats_left(p(seat.process), seat.seats_left, seat.after_move_up);
    let reviewed = seat.review.is_some();
    let head = match &seat.how {
        How::Placed if reviewed => format!("assigned to {here} with {seats}"),
        How::Placed => match &seat.blocker {
            None => format!("{here} had {seats}"),
            Some(Blocker::Full(full)) => {
                format!("{} was full, so {here} with {seats}", described(p(*full)))
            }
            Some(Blocker::Missed { process, miss }) => {
                format!("{}, so {here} with {seats}", needs(p(*process), miss))
            }
        },
        How::Promoted { from } if reviewed => {
            format!("moved up from {} to {here} with {seats}", short(p(*from)))
        }
        How::Promoted { from } => format!("moved up from {} to {here}, which had {seats}", short(p(*from))),
        How::Kept { .. } if reviewed => format!("keeps {here}"),
        How::Kept { passed, meets } => {
            let why = if !passed {
                "the re-exam's pass mark was not met, and a re-exam never moves anyone down"
            } else if !meets {
                "the re-exam is below its cut-offs, and a re-exam never moves anyone down"
            } else {
                "the re-exam does not qualify for a higher tier with a free seat"
            };
            format!("keeps {here}; {why}")
        }
    };
    match &seat.review {
        None => format!("{ranked}; {head}: assigned."),
        Some(review) => format!(
            "{ranked}; {head}; {}, within {}: review.",
            shortfalls(p(review.process), &review.misses),
            band(ctx.band)
        ),
    }
}

pub(super) fn ranked(rank: u32, cohort: usize, percent: f64) -> String {
    format!("Ranked {rank} of {cohort} at {}", pct(percent))
}

/// "Underwriting (critical, cut-off 80%)".
pub(super) fn described(p: &ProcessInput) -> String {
    format!("{} ({}, cut-off {})", p.name, p.tier, pct(p.min_percent))
}

fn short(p: &ProcessInput) -> String {
    format!("{} ({})", p.name, p.tier)
}

fn seats_left(p: &ProcessInput, left: u32, after_move_up: bool) -> String {
    let after = if after_move_up { " after someone moved up" } else { "" };
    format!("{left} of {} seats left{after}", p.seats_total)
}

/// "Underwriting needs 70% in Quantitative and you scored 64%".
fn needs(p: &ProcessInput, miss: &Miss) -> String {
    let needed = pct(miss.needed);
    match (&miss.section, miss.scored) {
        (None, _) => format!("{} needs {needed}", p.name),
        (Some(section), Some(scored)) => {
            format!("{} needs {needed} in {section} and you scored {}", p.name, pct(scored))
        }
        (Some(section), None) => {
            format!("{} needs {needed} in {section} and there is no {section} score", p.name)
        }
    }
}

/// "1.2 points below Underwriting's cut-off of 80% and …".
fn shortfalls(p: &ProcessInput, misses: &[Miss]) -> String {
    misses
        .iter()
        .map(|m| {
            let gap = gap_points(m.gap());
            match &m.section {
                None => format!("{gap} below {}'s cut-off of {}", p.name, pct(m.needed)),
                Some(section) => format!("{gap} below {}'s {} minimum in {section}", p.name, pct(m.needed)),
            }
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

fn band(band: &Band) -> String {
    match band {
        Band::Sem { points: x } => format!("the standard error of {}", points(*x)),
        Band::Default { points: x, reason } => {
            format!("the default band of {} ({reason})", points(*x))
        }
        Band::Own { points: x } => format!(
            "your own standard error of {} (from the adaptive test's standard error of your ability)",
            points(*x)
        ),
        Band::Adaptive { points: x } => format!("the typical standard error of {}", points(*x)),
    }
}

fn number(x: f64) -> String {
    let s = format!("{:.1}", x);
    let s = s.strip_suffix(".0").unwrap_or(&s);
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

pub(super) fn pct(x: f64) -> String {
    format!("{}%", number(x))
}

fn points(x: f64) -> String {
    match number(x).as_str() {
        "1" => "1 point".to_owned(),
        n => format!("{n} points"),
    }
}

/// A miss that would print as "0 points below" is still a miss.
fn gap_points(x: f64) -> String {
    if x < 0.05 {
        "less than 0.1 points".to_owned()
    } else {
        points(x)
    }
}
