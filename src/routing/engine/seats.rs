//! Seat counting for a run, and the overrides a trainer makes to a draft.

use std::collections::BTreeMap;

use super::explain;
use super::{Decision, ProcessId, ProcessInput, Status, UserId};

/// A trainer's change to one line of a draft run. Resolving a review is an
/// override too: to the `review_process_id`, or to the seat already held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub trainee_id: UserId,
    /// `None` sends the trainee to retrain.
    pub process_id: Option<ProcessId>,
    pub reason: String,
}

/// Checks that a run's lines fit the seats. A process holds its published
/// trainees (`seats_taken`), less those whose line moves them away, plus
/// those whose line puts them there; a process that gains anyone must end
/// within `seats_total`. One already over its seats (they were cut) keeps its
/// published holders but takes nobody new.
///
/// `processes` are as they were before the run was published.
pub fn check_capacity(decisions: &[Decision], processes: &[ProcessInput]) -> Result<(), String> {
    let mut arriving: BTreeMap<ProcessId, u32> = BTreeMap::new();
    let mut leaving: BTreeMap<ProcessId, u32> = BTreeMap::new();
    for d in decisions.iter().filter(|d| d.process_id != d.previous_process_id) {
        if let Some(id) = d.process_id {
            *arriving.entry(id).or_default() += 1;
        }
        if let Some(id) = d.previous_process_id {
            *leaving.entry(id).or_default() += 1;
        }
    }
    for (&id, &arrivals) in &arriving {
        let Some(p) = processes.iter().find(|p| p.id == id) else {
            return Err(format!("Process {id} is not among the processes of this run."));
        };
        let departures = leaving.get(&id).copied().unwrap_or(0);
        let holders = p.seats_taken.saturating_sub(departures).saturating_add(arrivals);
        if holders > p.seats_total {
            return Err(format!(
                "{} has {} seats, and this would put {holders} trainees in it.",
                p.name, p.seats_total
            ));
        }
    }
    Ok(())
}

/// Applies one override to a draft run: the line gets the chosen process
/// (`assigned`) or none (`retrain`), loses any review, and says that a
/// trainer decided and why. Refused when the reason is blank, the trainee
/// or process is unknown, or the seats would not fit ([`check_capacity`]).
pub fn apply_override(
    decisions: &[Decision],
    processes: &[ProcessInput],
    change: &Override,
) -> Result<Vec<Decision>, String> {
    let reason = change.reason.trim().trim_end_matches('.').trim_end();
    if reason.is_empty() {
        return Err("An override needs a reason.".to_owned());
    }
    let target = match change.process_id {
        None => None,
        Some(id) => Some(
            processes
                .iter()
                .find(|p| p.id == id)
                .ok_or_else(|| format!("Process {id} is not among the processes of this run."))?,
        ),
    };
    let mut out = decisions.to_vec();
    let line = out
        .iter_mut()
        .find(|d| d.trainee_id == change.trainee_id)
        .ok_or_else(|| format!("Trainee {} is not in this run.", change.trainee_id))?;
    let ranked = explain::ranked(line.rank, decisions.len(), line.percent);
    line.explanation = match target {
        Some(p) if line.process_id == Some(p.id) => {
            format!("{ranked}; a trainer confirmed {}: {reason}.", explain::described(p))
        }
        Some(p) => format!("{ranked}; a trainer assigned {}: {reason}.", explain::described(p)),
        None => format!("{ranked}; a trainer chose retrain: {reason}."),
    };
    line.process_id = change.process_id;
    line.review_process_id = None;
    line.status = if target.is_some() {
        Status::Assigned
    } else {
        Status::Retrain
    };
    check_capacity(&out, processes)?;
    Ok(out)
}
