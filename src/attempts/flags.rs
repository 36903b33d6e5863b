//! Flags for review: the person's own marks on questions to look at again.
//! The server keeps them so the review page before submitting can list them
//! (with or without the page's script, on any device); they never change a
//! score and staff do not see them.

use std::collections::HashSet;

use diesel::prelude::*;

use crate::db::schema::{attempt_flags, attempt_items, attempts};
use crate::db::{AttemptId, AttemptStatus, DbConn, QuestionId, UserId};
use crate::error::{AppError, AppResult};

/// Flags or unflags one question of this person's open attempt.
pub fn set(
    conn: &mut DbConn,
    attempt_id: AttemptId,
    user_id: UserId,
    question_id: QuestionId,
    flagged: bool,
) -> AppResult<()> {
    conn.transaction(|c| {
        let status: Option<AttemptStatus> = attempts::table
            .find(attempt_id)
            .filter(attempts::user_id.eq(user_id))
            .select(attempts::status)
            .first(c)
            .optional()?;
        match status {
            None => {
                return Err(AppError::NotFound(format!(
                    "There is no attempt {attempt_id} of yours."
                )))
            }
            Some(AttemptStatus::Open) => {}
            Some(_) => {
                return Err(AppError::conflict(
                    "already_submitted",
                    "This test is submitted; its flags can no longer change.",
                ))
            }
        }
        let on_form: i64 = attempt_items::table
            .filter(attempt_items::attempt_id.eq(attempt_id))
            .filter(attempt_items::question_id.eq(question_id))
            .count()
            .get_result(c)?;
        if on_form == 0 {
            return Err(AppError::NotFound(format!(
                "Attempt {attempt_id} of yours has no question {question_id}."
            )));
        }
        let row = attempt_flags::table
            .filter(attempt_flags::attempt_id.eq(attempt_id))
            .filter(attempt_flags::question_id.eq(question_id));
        diesel::delete(row).execute(c)?;
        if flagged {
            diesel::insert_into(attempt_flags::table)
                .values((
                    attempt_flags::attempt_id.eq(attempt_id),
                    attempt_flags::question_id.eq(question_id),
                ))
                .execute(c)?;
        }
        Ok(())
    })
}

/// Flips one question's flag: the no-script form's flag button.
pub fn toggle(conn: &mut DbConn, attempt_id: AttemptId, user_id: UserId, question_id: QuestionId) -> AppResult<()> {
    let on = flagged(conn, attempt_id)?.contains(&question_id);
    set(conn, attempt_id, user_id, question_id, !on)
}

/// The questions flagged on this attempt.
pub fn flagged(conn: &mut DbConn, attempt_id: AttemptId) -> AppResult<HashSet<QuestionId>> {
    Ok(attempt_flags::table
        .filter(attempt_flags::attempt_id.eq(attempt_id))
        .select(attempt_flags::question_id)
        .load::<QuestionId>(conn)?
        .into_iter()
        .collect())
}
