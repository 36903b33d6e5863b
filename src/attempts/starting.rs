//! Starting a test, as the API and the test page both do it: draw the form
//! on a pooled connection, write it through the group writer (on SQLite
//! many starts share one commit), then read the attempt back.

use super::models::AttemptRow;
use super::service::{self, Prepared, Start};
use crate::app::AppState;
use crate::db::group::GroupWriter;
use crate::db::AssessmentId;
use crate::error::AppResult;
use crate::identity::User;

/// Resumes the open attempt, or starts a new one within the attempts
/// allowed and the window. Returns the attempt and whether it is new; it is
/// answered only once the new attempt is committed.
pub async fn start_or_resume(
    state: &AppState,
    writer: &GroupWriter,
    assessment_id: AssessmentId,
    user: User,
) -> AppResult<(AttemptRow, bool)> {
    let now = state.clock.now();
    let zone = state.config.firm_zone;
    let prepared = state
        .db(move |conn| service::prepare_start(conn, assessment_id, &user, now, zone))
        .await?;
    let new = match prepared {
        Prepared::Resumed(open) => return Ok((open, false)),
        Prepared::New(new) => std::sync::Arc::new(*new),
    };
    let write = |new: std::sync::Arc<service::NewStart>| writer.run(move |conn| service::write_start(conn, &new));
    let start: Start = match write(std::sync::Arc::clone(&new)).await {
        // Two tabs at once: the other start won; this one resumes it.
        Err(e) if service::lost_start_race(&e) => write(new).await?,
        other => other?,
    };
    state.db(move |conn| service::started_attempt(conn, start)).await
}
