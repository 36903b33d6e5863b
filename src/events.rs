//! What one area announces for another to act on, without either importing
//! the other. Grading lives in `attempts`; what a graded test means for a
//! drive's applications lives in `drives`; `drives` already reads attempts,
//! so `attempts` may not call `drives` back. Instead it calls the listener
//! that `server` registered in `AppState::listeners`, inside the grading
//! transaction, so both commit together or not at all.

use chrono::NaiveDateTime;

use crate::db::{AssessmentId, AttemptId, DbConn, UserId};
use crate::error::AppResult;
use crate::mail::MailContext;

/// An attempt has just been graded (or re-graded after a key correction).
pub struct AttemptGraded<'a> {
    pub attempt_id: AttemptId,
    pub person: UserId,
    pub assessment_id: AssessmentId,
    /// When it was handed in; its grading time if it never was (swept).
    pub submitted_at: NaiveDateTime,
    pub percent: f64,
    /// Per item: its section's name, its score (none while unmarked) and
    /// its points.
    pub item_scores: &'a [(String, Option<f64>, f64)],
}

/// Runs in the transaction that graded the attempt.
pub type OnAttemptGraded = fn(&mut DbConn, &AttemptGraded<'_>, &MailContext, NaiveDateTime) -> AppResult<()>;

/// The listeners of one app, set once at start by `server::open_state`.
#[derive(Clone, Copy)]
pub struct Listeners {
    pub attempt_graded: OnAttemptGraded,
}

impl Listeners {
    pub fn attempt_graded(
        &self,
        conn: &mut DbConn,
        event: &AttemptGraded<'_>,
        mail: &MailContext,
        now: NaiveDateTime,
    ) -> AppResult<()> {
        (self.attempt_graded)(conn, event, mail, now)
    }
}

/// What a change needs to tell people and other areas about itself: the
/// mail settings its notices are written with, and the app's listeners.
#[derive(Clone)]
pub struct Effects {
    pub mail: MailContext,
    pub listeners: Listeners,
}

impl Effects {
    pub fn attempt_graded(&self, conn: &mut DbConn, event: &AttemptGraded<'_>, now: NaiveDateTime) -> AppResult<()> {
        self.listeners.attempt_graded(conn, event, &self.mail, now)
    }
}
