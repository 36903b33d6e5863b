//! Integrity signals: when a person left the test page and came back, and
//! pastes. Staff see each leave with its time and length, not only a count;
//! nothing here changes a score.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{attempt_signals, attempts};
use crate::db::{AttemptId, DbConn, SignalKind, UserId};
use crate::error::{AppError, AppResult};

/// What the page reports. `returned` closes the latest open leave; its time
/// is the server's, so a wrong clock in the browser cannot shorten it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Left,
    Returned,
    Pasted,
}

impl std::str::FromStr for Signal {
    type Err = AppError;

    fn from_str(kind: &str) -> AppResult<Signal> {
        match kind {
            "focus_loss" => Ok(Signal::Left),
            "returned" => Ok(Signal::Returned),
            "paste" => Ok(Signal::Pasted),
            _ => Err(AppError::invalid_field(
                "kind",
                "A signal is focus_loss (the person left the test), returned (they came back) or paste.",
            )),
        }
    }
}

/// One time the person left the test page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Leave {
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String)]
    pub left_at: NaiveDateTime,
    /// When they came back; none when they never did before the test ended.
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>)]
    pub returned_at: Option<NaiveDateTime>,
    /// Whole seconds away, when they came back.
    pub seconds_away: Option<i64>,
}

impl Leave {
    /// "42 seconds", "3 minutes 5 seconds": the length in words.
    pub fn length(&self) -> Option<String> {
        self.seconds_away.map(|s| {
            let (m, s) = (s / 60, s % 60);
            let unit = |n: i64, one: &str| {
                if n == 1 {
                    format!("1 {one}")
                } else {
                    format!("{n} {one}s")
                }
            };
            match m {
                0 => unit(s, "second"),
                _ if s == 0 => unit(m, "minute"),
                _ => format!("{} {}", unit(m, "minute"), unit(s, "second")),
            }
        })
    }
}

/// Records what the page reported for this person's attempt.
pub fn record(
    conn: &mut DbConn,
    attempt_id: AttemptId,
    user_id: UserId,
    signal: Signal,
    now: NaiveDateTime,
) -> AppResult<()> {
    conn.transaction(|c| {
        let mine = attempts::table.find(attempt_id).filter(attempts::user_id.eq(user_id));
        let counted = match signal {
            Signal::Left => diesel::update(mine)
                .set(attempts::focus_losses.eq(attempts::focus_losses + 1))
                .execute(c)?,
            Signal::Pasted => diesel::update(mine)
                .set(attempts::pastes.eq(attempts::pastes + 1))
                .execute(c)?,
            Signal::Returned => mine.count().get_result::<i64>(c).map(|n| usize::from(n > 0))?,
        };
        if counted == 0 {
            return Err(AppError::NotFound(format!(
                "There is no attempt {attempt_id} of yours."
            )));
        }
        match signal {
            Signal::Left => insert(c, attempt_id, SignalKind::FocusLoss, now),
            Signal::Pasted => insert(c, attempt_id, SignalKind::Paste, now),
            Signal::Returned => close_leave(c, attempt_id, now),
        }
    })
}

fn insert(conn: &mut DbConn, attempt_id: AttemptId, kind: SignalKind, now: NaiveDateTime) -> AppResult<()> {
    diesel::insert_into(attempt_signals::table)
        .values((
            attempt_signals::attempt_id.eq(attempt_id),
            attempt_signals::kind.eq(kind),
            attempt_signals::at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stamps the return on the latest leave still open. A return with no open
/// leave (its leave was lost on the way) changes nothing.
fn close_leave(conn: &mut DbConn, attempt_id: AttemptId, now: NaiveDateTime) -> AppResult<()> {
    let open: Option<i32> = attempt_signals::table
        .filter(attempt_signals::attempt_id.eq(attempt_id))
        .filter(attempt_signals::kind.eq(SignalKind::FocusLoss))
        .filter(attempt_signals::returned_at.is_null())
        .order(attempt_signals::id.desc())
        .select(attempt_signals::id)
        .first(conn)
        .optional()?;
    if let Some(id) = open {
        diesel::update(attempt_signals::table.find(id))
            .set(attempt_signals::returned_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

/// Every leave of the attempt, oldest first.
pub fn leaves(conn: &mut DbConn, attempt_id: AttemptId) -> AppResult<Vec<Leave>> {
    let rows: Vec<(NaiveDateTime, Option<NaiveDateTime>)> = attempt_signals::table
        .filter(attempt_signals::attempt_id.eq(attempt_id))
        .filter(attempt_signals::kind.eq(SignalKind::FocusLoss))
        .order(attempt_signals::id.asc())
        .select((attempt_signals::at, attempt_signals::returned_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(left_at, returned_at)| Leave {
            left_at,
            returned_at,
            seconds_away: returned_at.map(|r| (r - left_at).num_seconds().max(0)),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn away(seconds: Option<i64>) -> Option<String> {
        let at = NaiveDateTime::default();
        Leave {
            left_at: at,
            returned_at: None,
            seconds_away: seconds,
        }
        .length()
    }

    #[test]
    fn a_leave_length_reads_as_words() {
        assert_eq!(away(Some(1)).as_deref(), Some("1 second"));
        assert_eq!(away(Some(42)).as_deref(), Some("42 seconds"));
        assert_eq!(away(Some(120)).as_deref(), Some("2 minutes"));
        assert_eq!(away(Some(185)).as_deref(), Some("3 minutes 5 seconds"));
        assert_eq!(away(None), None);
    }
}
