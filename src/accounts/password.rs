//! Password hashing with argon2id at explicit parameters.

use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::AppError;

/// OWASP's baseline for argon2id: 19 MiB, two passes, one lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

fn params() -> Result<Params, AppError> {
    Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| AppError::Internal(format!("argon2 parameters: {e}")))
}

/// Hashes `password` with `params` into `out`, in `memory` when it is the
/// right size (the pool's threads keep one such block each), or in a block
/// of its own for an old hash made with other parameters.
fn hash_into(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Vec<Block>,
) -> Result<(), argon2::Error> {
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    if memory.len() == blocks {
        argon.hash_password_into_with_memory(password, salt, out, memory.as_mut_slice())
    } else {
        argon.hash_password_into(password, salt, out)
    }
}

fn hash_with(password: &str, memory: &mut Vec<Block>) -> Result<String, AppError> {
    let failed = |e: &dyn std::fmt::Display| AppError::Internal(format!("argon2 hash: {e}"));
    let params = params()?;
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt.decode_b64(&mut salt_bytes).map_err(|e| failed(&e))?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        hash_into(
            Algorithm::Argon2id,
            Version::V0x13,
            params.clone(),
            password.as_bytes(),
            salt_raw,
            out,
            memory,
        )
        .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

fn verify_with(password: &str, phc: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed)) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or_default();
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let computed = Output::init_with(expected.len(), |out| {
        hash_into(algorithm, version, params, password.as_bytes(), salt_raw, out, memory)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    });
    // `Output`'s equality is constant-time.
    computed.is_ok_and(|c| c == expected)
}

enum Work {
    Hash(String),
    Verify(String, String),
}

enum Done {
    Hashed(Result<String, AppError>),
    Verified(bool),
}

struct Job {
    work: Work,
    reply: tokio::sync::oneshot::Sender<Done>,
}

/// The threads that hash passwords, one per core, reusing their 19 MiB
/// blocks of memory from one hash to the next.
///
/// Hashing on the request's own blocking thread allocated 19 MiB per sign-in
/// in flight, and glibc kept what it had handed out: a burst of sign-ins
/// took the server past 800 MiB and it stayed there. Here a burst queues
/// for the next free thread (the person waits a little longer to be signed
/// in) and memory stays at one block per core. The threads are the
/// process's, like its cores: every app in the process shares them.
///
/// A block goes back to `SPARE` after each hash, and the spare blocks are
/// freed once no password has come for `IDLE`: a test day signs everyone in
/// first and then only saves answers, and the 38 MiB a two-core server held
/// for hashing was a quarter of its peak while nobody signed in.
struct Hashers {
    jobs: std::sync::mpsc::Sender<Job>,
}

/// How long the hashing threads wait for the next password before they give
/// their memory back.
const IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// Blocks not in use by a hash at the moment, for the next one.
static SPARE: std::sync::Mutex<Vec<Vec<Block>>> = std::sync::Mutex::new(Vec::new());

fn spare() -> std::sync::MutexGuard<'static, Vec<Vec<Block>>> {
    SPARE.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A block for one hash: a spare one, or a new one.
fn take_memory() -> Vec<Block> {
    spare()
        .pop()
        .unwrap_or_else(|| params().map_or_else(|_| Vec::new(), |p| vec![Block::default(); p.block_count()]))
}

fn hashers() -> &'static Hashers {
    static HASHERS: OnceLock<Hashers> = OnceLock::new();
    HASHERS.get_or_init(|| {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        for n in 0..threads {
            let queue = std::sync::Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("assay-argon2-{n}"))
                .spawn(move || hash_jobs(&queue));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Hashers { jobs }
    })
}

/// The next job, freeing the spare blocks if none comes within `IDLE`.
/// `None` once the queue is closed.
fn next_job(queue: &std::sync::Mutex<std::sync::mpsc::Receiver<Job>>) -> Option<Job> {
    use std::sync::mpsc::RecvTimeoutError;
    // One thread waits on the queue at a time; the others wait for it here,
    // holding no block.
    let queue = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    match queue.recv_timeout(IDLE) {
        Ok(job) => Some(job),
        Err(RecvTimeoutError::Disconnected) => None,
        Err(RecvTimeoutError::Timeout) => {
            spare().clear();
            queue.recv().ok()
        }
    }
}

fn hash_jobs(queue: &std::sync::Mutex<std::sync::mpsc::Receiver<Job>>) {
    while let Some(job) = next_job(queue) {
        let mut memory = take_memory();
        let done = match job.work {
            Work::Hash(password) => Done::Hashed(hash_with(&password, &mut memory)),
            Work::Verify(password, phc) => Done::Verified(verify_with(&password, &phc, &mut memory)),
        };
        spare().push(memory);
        // The asker may have gone (a closed connection); nothing to do then.
        let _ = job.reply.send(done);
    }
}

async fn run(work: Work) -> Result<Done, AppError> {
    let (reply, done) = tokio::sync::oneshot::channel();
    hashers()
        .jobs
        .send(Job { work, reply })
        .map_err(|_| AppError::Internal("the password hashing threads have stopped".into()))?;
    done.await
        .map_err(|_| AppError::Internal("a password hashing thread stopped mid-hash".into()))
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`)
/// on the hashing threads.
pub async fn hash(password: String) -> Result<String, AppError> {
    match run(Work::Hash(password)).await? {
        Done::Hashed(hashed) => hashed,
        Done::Verified(_) => Err(AppError::Internal("a hash was answered with a verdict".into())),
    }
}

/// Checks a password against a stored PHC string on the hashing threads.
pub async fn verify(password: String, phc: String) -> bool {
    matches!(run(Work::Verify(password, phc)).await, Ok(Done::Verified(true)))
}

/// Hashes on the calling thread, for the command line, which has no server
/// and hashes one password.
pub fn hash_now(password: &str) -> Result<String, AppError> {
    let blocks = params()?.block_count();
    hash_with(password, &mut vec![Block::default(); blocks])
}

/// A hash of nothing anyone knows, verified against when the email is
/// unknown, so a sign-in takes as long whether or not the account exists.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let secret = crate::tokens::random_token();
        hash_now(&secret).unwrap_or_else(|_| {
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1DBiOLHsXF0tBgQvYNJk8dOYOYSVBqB8g3xXWtMy2Fs".into()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_pooled_hash_verifies_with_the_argon2_crate_and_the_crate_hash_verifies_here() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash("correct horse battery staple".into()).await.expect("hash");
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        let parsed = PasswordHash::new(&ours).expect("phc");
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params().expect("params"));
        assert!(argon.verify_password(b"correct horse battery staple", &parsed).is_ok());
        assert!(argon.verify_password(b"wrong", &parsed).is_err());

        let theirs = argon
            .hash_password(b"another one", &SaltString::generate(&mut OsRng))
            .expect("crate hash")
            .to_string();
        assert!(verify("another one".into(), theirs.clone()).await);
        assert!(!verify("Another one".into(), theirs).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }

    #[actix_web::test]
    async fn a_hash_made_with_other_parameters_still_verifies() {
        use argon2::password_hash::PasswordHasher;
        let small = Params::new(4096, 3, 1, None).expect("params");
        let phc = Argon2::new(Algorithm::Argon2id, Version::V0x13, small)
            .hash_password(b"older account", &SaltString::generate(&mut OsRng))
            .expect("hash")
            .to_string();
        assert!(verify("older account".into(), phc).await);
    }

    #[actix_web::test]
    async fn hashing_memory_is_reused_within_a_burst_and_given_back_once_idle() {
        let blocks = params().expect("params").block_count();
        // A burst: more hashes than threads, all answered.
        let burst: Vec<_> = (0..6).map(|n| hash(format!("password {n}"))).collect();
        for hashed in futures_util::future::join_all(burst).await {
            assert!(hashed.expect("hash").starts_with("$argon2id$"));
        }
        // Its blocks are kept for the next hash, never more than one per
        // thread (other tests in this process may be hashing too).
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let kept = spare().len();
        assert!(kept <= threads, "{kept} spare blocks for {threads} threads");
        assert!(spare().iter().all(|m| m.len() == blocks));
        // Once nobody has signed in for a while, they are freed.
        let deadline = std::time::Instant::now() + IDLE * 20;
        while !spare().is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "spare blocks still held after {:?}",
                IDLE * 20
            );
            actix_web::rt::time::sleep(IDLE / 4).await;
        }
        // And the next sign-in still works.
        let again = hash("after a pause".into()).await.expect("hash");
        assert!(verify("after a pause".into(), again).await);
    }
}
