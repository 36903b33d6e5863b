//! Whether a person may sit a test once more, counting the re-sits a trainer
//! opened (`resits` rows, written by `training::resits`). A test allows
//! `max_attempts` sittings inside its window; each re-sit allows one more,
//! to be started before its `until`, even after the test has closed.
//!
//! The trainee's page, the start itself and the emails all say what happens
//! next through [`next_step`], so they never disagree.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::assessments::blueprint::Kind;
use crate::assessments::models::AssessmentRow;
use crate::db::schema::{attempts, resits};
use crate::db::{AssessmentId, AttemptId, DbConn, UserId};
use crate::error::AppResult;
use crate::zone::FirmZone;

/// The re-sits opened for this person on this test and not yet used, as
/// (id, until), soonest first.
pub fn open_resits(conn: &mut DbConn, assessment: AssessmentId, user: UserId) -> AppResult<Vec<(i32, NaiveDateTime)>> {
    Ok(resits::table
        .filter(resits::assessment_id.eq(assessment))
        .filter(resits::user_id.eq(user))
        .filter(resits::attempt_id.is_null())
        .order((resits::until.asc(), resits::id.asc()))
        .select((resits::id, resits::until))
        .load(conn)?)
}

/// Marks a re-sit used by the attempt it let start.
pub fn use_resit(conn: &mut DbConn, resit: i32, attempt: AttemptId) -> AppResult<()> {
    diesel::update(resits::table.find(resit))
        .set(resits::attempt_id.eq(Some(attempt)))
        .execute(conn)?;
    Ok(())
}

/// How many attempts (of any status) this person has made at the test.
pub fn attempts_made(conn: &mut DbConn, assessment: AssessmentId, user: UserId) -> AppResult<usize> {
    let n: i64 = attempts::table
        .filter(attempts::assessment_id.eq(assessment))
        .filter(attempts::user_id.eq(user))
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// What a person may do next about a test they have no open attempt at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Within the attempts the test allows and its window.
    Sit { left: usize },
    /// A re-sit a trainer opened (`resit` is its id), to be started before `until`.
    Resit { resit: i32, until: NaiveDateTime },
    /// The window has not opened: the next sitting is then.
    Opens { at: NaiveDateTime },
    /// The window closed with attempts left, or a re-sit lapsed unused.
    Closed { at: NaiveDateTime },
    /// Every attempt is used and no re-sit is open.
    UsedUp,
}

impl Next {
    /// Whether a start would be let through.
    pub fn may_start(&self) -> bool {
        matches!(self, Next::Sit { .. } | Next::Resit { .. })
    }

    /// The refusal code a start answers with when it may not start.
    pub fn code(&self) -> &'static str {
        match self {
            Next::Sit { .. } | Next::Resit { .. } => "",
            Next::Opens { .. } | Next::Closed { .. } => "window_closed",
            Next::UsedUp => "attempts_used",
        }
    }
}

/// Decides [`Next`] from the test, the attempts made and the open re-sits
/// (soonest first). The test's own attempts come first; a re-sit is used
/// only when they are used up or the window has closed.
pub fn next(assessment: &AssessmentRow, made: usize, open: &[(i32, NaiveDateTime)], now: NaiveDateTime) -> Next {
    let allowed = usize::try_from(assessment.max_attempts).unwrap_or(0);
    if let Some(at) = assessment.opens_at.filter(|o| now < *o) {
        return Next::Opens { at };
    }
    let closed = assessment.closes_at.filter(|c| now >= *c);
    if made < allowed && closed.is_none() {
        return Next::Sit { left: allowed - made };
    }
    if let Some((resit, until)) = open.iter().copied().find(|(_, u)| now < *u) {
        return Next::Resit { resit, until };
    }
    if let Some((_, lapsed)) = open.last() {
        return Next::Closed { at: *lapsed };
    }
    match closed {
        Some(at) if made < allowed => Next::Closed { at },
        _ => Next::UsedUp,
    }
}

/// The sentence a person reads about what happens next, on their page and
/// in their emails.
pub fn sentence(next: &Next, assessment: &AssessmentRow, zone: &FirmZone) -> String {
    let trainer_opens = assessment.kind == Kind::PostTraining;
    match next {
        Next::Sit { left: 1 } => "You may take it once more.".to_string(),
        Next::Sit { left } => format!("You may take it {left} more times."),
        Next::Resit { until, .. } => format!(
            "Your trainer opened a re-sit: you may take the exam once more, starting before {}.",
            zone.text(*until)
        ),
        Next::Opens { at } if trainer_opens => format!("The next sitting opens {}.", zone.text(*at)),
        Next::Opens { at } => format!("This test opens at {}.", zone.text(*at)),
        Next::Closed { at } if trainer_opens => format!(
            "The exam closed {}. Your trainer will open a re-sit; you will get an email when they do.",
            zone.text(*at)
        ),
        Next::Closed { at } => format!("This test closed at {}.", zone.text(*at)),
        Next::UsedUp if trainer_opens => format!(
            "You have used all {} attempt(s) this exam allows. Your trainer will open a re-sit; you will get an \
             email when they do.",
            assessment.max_attempts
        ),
        Next::UsedUp => format!(
            "You have used all {} attempt(s) this test allows.",
            assessment.max_attempts
        ),
    }
}

/// [`next`] read from the database.
pub fn next_for(conn: &mut DbConn, assessment: &AssessmentRow, user: UserId, now: NaiveDateTime) -> AppResult<Next> {
    let made = attempts_made(conn, assessment.id, user)?;
    let open = open_resits(conn, assessment.id, user)?;
    Ok(next(assessment, made, &open, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, d)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap()
    }

    fn exam(max_attempts: i32, closes: Option<u32>) -> AssessmentRow {
        AssessmentRow {
            id: AssessmentId(1),
            title: "Exam".into(),
            kind: Kind::PostTraining,
            sections: crate::db::Json(vec![]),
            time_limit_minutes: 30,
            pass_percent: 50.0,
            negative_marking: 0.0,
            shuffle_questions: false,
            shuffle_options: false,
            max_attempts,
            grace_seconds: 0,
            opens_at: Some(day(1)),
            closes_at: closes.map(day),
            show_score: true,
            created_by: None,
            created_at: day(1),
            form_plan: None,
            adaptive: None,
        }
    }

    #[test]
    fn the_exams_own_attempts_come_before_any_resit() {
        assert_eq!(next(&exam(2, None), 1, &[(7, day(20))], day(5)), Next::Sit { left: 1 });
        assert_eq!(
            next(&exam(1, None), 1, &[(7, day(20))], day(5)),
            Next::Resit {
                resit: 7,
                until: day(20)
            }
        );
        assert_eq!(next(&exam(1, None), 1, &[], day(5)), Next::UsedUp);
    }

    #[test]
    fn a_resit_lets_a_trainee_sit_after_the_exam_closed_until_it_lapses() {
        let closed = exam(2, Some(3));
        assert_eq!(next(&closed, 0, &[], day(5)), Next::Closed { at: day(3) });
        assert_eq!(
            next(&closed, 0, &[(7, day(10))], day(5)),
            Next::Resit {
                resit: 7,
                until: day(10)
            }
        );
        assert_eq!(next(&closed, 1, &[(7, day(10))], day(11)), Next::Closed { at: day(10) });
    }

    #[test]
    fn before_the_window_opens_the_next_sitting_is_named() {
        let next = next(
            &exam(1, None),
            0,
            &[],
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap().into(),
        );
        assert_eq!(next, Next::Opens { at: day(1) });
        let zone = FirmZone::parse("Asia/Kolkata").unwrap();
        assert_eq!(
            sentence(&next, &exam(1, None), &zone),
            "The next sitting opens Tue 1 Dec 2026, 14:30 IST (Asia/Kolkata)."
        );
        assert!(sentence(&Next::UsedUp, &exam(1, None), &zone).contains("Your trainer will open a re-sit"));
    }
}
