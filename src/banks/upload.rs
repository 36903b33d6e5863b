//! Reading an uploaded bank away from the database and the request threads.
//!
//! Parsing is CPU work that a hostile or merely huge file can stretch: while
//! it ran inside `state.db`, sixteen slow uploads held every connection and a
//! candidate's answer save waited 23.7 s. Now each file is parsed on a
//! thread of its own before any connection is taken, at most one file per
//! core at once; uploads beyond that wait their turn without holding a
//! thread or a connection. The readers bound what one file may cost (see
//! `formats::moodle_xml`), so a turn always ends.

use std::sync::{Arc, LazyLock};

use tokio::sync::Semaphore;

use super::service::{self, ImportRequest, ReadFile};
use crate::error::{AppError, AppResult};

/// One permit per core: parsing never takes more CPU than the machine has,
/// however many uploads arrive at once. Per process, like the cores.
static PARSERS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Arc::new(Semaphore::new(cores))
});

/// A file read and checked, with the bytes and request handed back for the
/// import that follows.
pub struct Parsed {
    pub file: ReadFile,
    pub bytes: Vec<u8>,
    pub req: ImportRequest,
}

/// Decodes and reads `bytes` as `service::read_file` does, on a parser
/// thread, without a database connection.
pub async fn read_file(bytes: Vec<u8>, req: ImportRequest) -> AppResult<Parsed> {
    let permit = PARSERS
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| AppError::Internal("the upload parsers were shut down".into()))?;
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("assay-upload".into())
        .spawn(move || {
            // The permit goes with the work: a request given up on still
            // counts until its file is read.
            let _permit = permit;
            let read = service::read_file(&bytes, &req);
            let _ = done.send(read.map(|file| Parsed { file, bytes, req }));
        })
        .map_err(|e| AppError::internal("cannot start a parser thread", e))?;
    result
        .await
        .map_err(|_| AppError::Internal("the upload parser stopped unexpectedly".into()))?
}
