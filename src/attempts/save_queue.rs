//! Group commit of answer saves.
//!
//! A save is acknowledged only once the transaction holding it is on disk
//! (SQLite runs `synchronous = FULL`; PostgreSQL's commit waits for its
//! WAL flush). One commit per save would cap a test day at what the disk
//! can flush per second, so saves queue here instead: a writer thread takes
//! every save that has arrived, runs each one's own checks (owner, open,
//! deadline, shape, `seq`) and upsert in one transaction, commits once, and
//! only then answers each of them. Saves that arrive while a commit is in
//! flight wait for the next one, so the busier the test, the larger each
//! batch and the fewer flushes per save.
//!
//! Grading stays exclusive with saving (see `saving::save_response`): the
//! batch holds its attempts' rows `FOR SHARE` on PostgreSQL, and runs as
//! one `IMMEDIATE` transaction on SQLite.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use actix_web::http::StatusCode;
use actix_web::ResponseError;
use chrono::NaiveDateTime;
use serde_json::Value;
use tokio::sync::oneshot;

use super::saving;
use crate::db::{AttemptId, Backend, DbConn, Pool, QuestionId, UserId};
use crate::error::{AppError, AppResult};

/// One answer to save, as the API received it.
#[derive(Debug, Clone)]
pub struct Save {
    pub attempt_id: AttemptId,
    pub user_id: UserId,
    pub question_id: QuestionId,
    pub answer: Value,
    pub seq: i64,
    pub now: NaiveDateTime,
}

struct Job {
    save: Save,
    reply: oneshot::Sender<AppResult<()>>,
}

/// The most saves one transaction takes: enough to absorb a burst, few
/// enough that one transaction never holds the write lock for long.
const MAX_BATCH: usize = 512;

/// The queue in front of the writer threads. Cloning it shares the queue;
/// the writers stop when the last clone is dropped.
#[derive(Clone)]
pub struct SaveQueue {
    jobs: Sender<Job>,
}

impl SaveQueue {
    /// Starts the writer: one per server on either backend. On SQLite there
    /// is one write lock anyway. On PostgreSQL a second writer let one
    /// batch run while the other waited for its flush, which made one server
    /// faster (25,900 against 21,200 saves/s, `loadgen --compare`) but made
    /// a second server on the same database lower the total (0.80 of one):
    /// four writers cut the batches small. With one writer per server, a
    /// second server raises it (1.09), as scaling out should.
    pub fn start(pool: Pool, backend: Backend) -> AppResult<SaveQueue> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let writers = match backend {
            Backend::Sqlite | Backend::Postgres => 1,
        };
        for n in 0..writers {
            let queue = Arc::clone(&queue);
            let pool = pool.clone();
            std::thread::Builder::new()
                .name(format!("assay-saves-{n}"))
                .spawn(move || write_batches(&queue, &pool))
                .map_err(|e| AppError::Config(format!("cannot start the answer writer: {e}")))?;
        }
        Ok(SaveQueue { jobs })
    }

    /// Saves one answer; returns once it is committed to disk, or with the
    /// reason it was not kept.
    pub async fn save(&self, save: Save) -> AppResult<()> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { save, reply })
            .map_err(|_| AppError::Unavailable("the answer writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("the answer writer dropped a save".into()))?
    }
}

/// A writer's life: wait for a save, take every other one already queued,
/// write them in one transaction, answer each.
fn write_batches(queue: &Mutex<Receiver<Job>>, pool: &Pool) {
    loop {
        let batch = {
            // Only one writer gathers at a time; it lets go before writing,
            // so the other can gather the next batch meanwhile.
            let queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
            let Ok(first) = queue.recv() else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            batch
        };
        let outcomes = match pool.get() {
            Ok(mut pooled) => {
                let conn: &mut DbConn = &mut pooled;
                write_batch(conn, &batch)
            }
            Err(e) => {
                let e = AppError::from(e);
                batch.iter().map(|_| Err(failed_batch(&e))).collect()
            }
        };
        for (job, outcome) in batch.into_iter().zip(outcomes) {
            // A client that went away no longer waits for its answer.
            let _ = job.reply.send(outcome);
        }
    }
}

/// Each save's outcome, in order. Refusals of single saves (not the owner,
/// submitted, late, malformed, stale) leave the others in the batch; a
/// database failure rolls the whole batch back and fails every save in it,
/// so nothing is acknowledged that was not committed.
fn write_batch(conn: &mut DbConn, batch: &[Job]) -> Vec<AppResult<()>> {
    let written = conn.transaction(|conn| {
        let mut attempts: Vec<AttemptId> = batch.iter().map(|j| j.save.attempt_id).collect();
        attempts.sort_unstable_by_key(|a| a.0);
        attempts.dedup();
        saving::hold_open_attempts(conn, &attempts)?;
        let saves: Vec<&Save> = batch.iter().map(|j| &j.save).collect();
        saving::save_batch_in_transaction(conn, &saves)
    });
    match written {
        Ok(outcomes) => outcomes,
        Err(e) => {
            tracing::error!(error = %e.chain(), saves = batch.len(), "a batch of answer saves was rolled back");
            batch.iter().map(|_| Err(failed_batch(&e))).collect()
        }
    }
}

/// What each save of a failed batch is told: nothing was kept, send again.
fn failed_batch(e: &AppError) -> AppError {
    // The cause was logged with the rollback; each waiter gets its status.
    if e.status_code() == StatusCode::SERVICE_UNAVAILABLE {
        AppError::Unavailable(e.chain().to_string())
    } else {
        AppError::Internal(format!("answer batch: {}", e.chain()))
    }
}
