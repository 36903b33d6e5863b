//! Group commit for small write transactions on SQLite.
//!
//! Every commit on SQLite waits for the disk (`synchronous = FULL`), and
//! only one connection writes at a time. A thousand candidates starting a
//! test at once were a thousand commits in a row, each with its own flush:
//! the flushes were about 30% of a start's CPU, all of it inside the write
//! turn. Here such writes queue instead: one thread takes every job that has
//! arrived, runs each in a savepoint of one transaction (so a job that fails
//! rolls back only its own changes), commits once, and only then answers
//! each job, so nothing is acknowledged before it is on disk.
//!
//! On PostgreSQL each job runs in its own transaction on a pooled
//! connection, as any other write: commits there do not serialise, and
//! holding one job's row locks until a whole batch commits would only make
//! the others wait.

use std::sync::mpsc::{self, Receiver, Sender};

use actix_web::http::StatusCode;
use actix_web::ResponseError;
use tokio::sync::oneshot;

use super::{Backend, DbConn, Pool};
use crate::error::{AppError, AppResult};

/// Told, after the batch, whether the transaction holding the job committed.
type Reply = Box<dyn FnOnce(Result<(), &AppError>) + Send>;

/// A queued write: run in the batch's transaction, or failed unrun when the
/// batch could not begin.
trait Job: Send {
    /// Runs the job and says how to answer once the transaction ends.
    fn run(self: Box<Self>, conn: &mut DbConn) -> Reply;
    fn fail(self: Box<Self>, e: &AppError);
}

struct Typed<T, F> {
    f: F,
    tx: oneshot::Sender<AppResult<T>>,
}

impl<T, F> Job for Typed<T, F>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConn) -> Reply {
        let Typed { f, tx } = *self;
        // Nested in the batch's transaction: a savepoint.
        let result = conn.transaction(f);
        Box::new(move |committed: Result<(), &AppError>| {
            let answer = match committed {
                Ok(()) => result,
                Err(e) => Err(rolled_back(e)),
            };
            // A request that went away no longer waits for its answer.
            let _ = tx.send(answer);
        })
    }

    fn fail(self: Box<Self>, e: &AppError) {
        let _ = self.tx.send(Err(rolled_back(e)));
    }
}

/// The most jobs one transaction takes, so one batch never holds the write
/// turn for long.
const MAX_BATCH: usize = 128;

/// The queue in front of the group writer. Cloning shares it; the writer
/// stops when the last clone is dropped.
#[derive(Clone)]
pub struct GroupWriter {
    pool: Pool,
    /// Only on SQLite.
    jobs: Option<Sender<Box<dyn Job>>>,
}

impl GroupWriter {
    pub fn start(pool: Pool, backend: Backend) -> AppResult<GroupWriter> {
        let jobs = match backend {
            Backend::Postgres => None,
            Backend::Sqlite => {
                let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
                let writer_pool = pool.clone();
                std::thread::Builder::new()
                    .name("assay-group-writer".into())
                    .spawn(move || write_batches(&queue, &writer_pool))
                    .map_err(|e| AppError::Config(format!("cannot start the group writer: {e}")))?;
                Some(jobs)
            }
        };
        Ok(GroupWriter { pool, jobs })
    }

    /// Runs `f` in a transaction (on SQLite, a savepoint of a shared one)
    /// and returns its value once that transaction is committed, or its
    /// error, having rolled back what it wrote.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let Some(jobs) = &self.jobs else {
            return super::blocking(&self.pool, move |conn| conn.transaction(f)).await;
        };
        let (tx, rx) = oneshot::channel::<AppResult<T>>();
        jobs.send(Box::new(Typed { f, tx }))
            .map_err(|_| AppError::Unavailable("the group writer has stopped".into()))?;
        rx.await
            .map_err(|_| AppError::Internal("the group writer dropped a job".into()))?
    }
}

/// The writer's life: wait for a job, take every other one already queued,
/// run them in one transaction, answer each after it ends.
fn write_batches(queue: &Receiver<Box<dyn Job>>, pool: &Pool) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut pooled = match pool.get() {
            Ok(pooled) => pooled,
            Err(e) => {
                let e = AppError::from(e);
                tracing::error!(error = %e.chain(), jobs = batch.len(), "no connection for a group commit");
                for job in batch {
                    job.fail(&e);
                }
                continue;
            }
        };
        let conn: &mut DbConn = &mut pooled;
        let mut replies: Vec<Reply> = Vec::with_capacity(batch.len());
        let outcome = conn.transaction(|conn| {
            for job in batch {
                replies.push(job.run(conn));
            }
            Ok::<(), AppError>(())
        });
        if let Err(e) = &outcome {
            tracing::error!(error = %e.chain(), jobs = replies.len(), "a group commit was rolled back");
        }
        for reply in replies {
            reply(outcome.as_ref().map(|_| ()));
        }
    }
}

/// What a job of a batch that did not commit is told: nothing it wrote was
/// kept; try again.
fn rolled_back(e: &AppError) -> AppError {
    if e.status_code() == StatusCode::SERVICE_UNAVAILABLE {
        AppError::Unavailable(e.chain().to_string())
    } else {
        AppError::Internal(format!("group commit: {}", e.chain()))
    }
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use super::*;
    use crate::db::schema::login_failures;
    use crate::db::{migrate, open_pool, DatabaseUrl};

    fn temp_pool() -> (Pool, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("assay-group-{}.db", &crate::tokens::random_token()[..12]));
        let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).expect("url");
        let pool = open_pool(&url, 4).expect("pool");
        migrate(&mut pool.get().expect("conn")).expect("migrate");
        (pool, path)
    }

    fn insert(conn: &mut DbConn, email: &str) -> AppResult<()> {
        let now = chrono::Utc::now().naive_utc();
        diesel::insert_into(login_failures::table)
            .values((
                login_failures::email.eq(email),
                login_failures::client_addr.eq("test"),
                login_failures::failed_at.eq(now),
                login_failures::cleared.eq(false),
                login_failures::pending.eq(false),
            ))
            .execute(conn)?;
        Ok(())
    }

    fn stored(pool: &Pool, email: &str) -> i64 {
        let mut conn = pool.get().expect("conn");
        login_failures::table
            .filter(login_failures::email.eq(email))
            .count()
            .get_result(&mut *conn)
            .expect("count")
    }

    /// Forty writes queued at once share commits; each is answered only once
    /// another connection can read it, and the one that fails takes back only
    /// its own write, not its batch's.
    #[actix_web::test]
    async fn jobs_sharing_a_commit_are_answered_after_it_and_a_failure_rolls_back_only_its_own() {
        let (pool, path) = temp_pool();
        let writer = GroupWriter::start(pool.clone(), Backend::Sqlite).expect("writer");
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let writer = writer.clone();
                let pool = pool.clone();
                actix_web::rt::spawn(async move {
                    let email = format!("job{i}@example.com");
                    let written = writer
                        .run({
                            let email = email.clone();
                            move |conn| {
                                insert(conn, &email)?;
                                if i == 7 {
                                    return Err(AppError::conflict("refused", "job 7 refuses after writing"));
                                }
                                Ok(i)
                            }
                        })
                        .await;
                    // Read at once through another connection.
                    (i, written.is_ok(), stored(&pool, &email))
                })
            })
            .collect();
        for task in tasks {
            let (i, ok, rows) = task.await.expect("task");
            if i == 7 {
                assert!(!ok, "job 7 failed");
                assert_eq!(rows, 0, "job 7's write was rolled back");
            } else {
                assert!(ok, "job {i} succeeded");
                assert_eq!(rows, 1, "job {i} was readable when it was answered");
            }
        }
        drop(writer);
        drop(pool);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
