use super::*;

#[test]
fn a_loopback_postgres_url_without_sslmode_skips_tls_and_others_are_kept() {
    assert_eq!(
        without_loopback_tls("postgres://postgres@127.0.0.1:5432/assay"),
        "postgres://postgres@127.0.0.1:5432/assay?sslmode=disable"
    );
    assert_eq!(
        without_loopback_tls("postgres://u:p@localhost/assay?connect_timeout=5"),
        "postgres://u:p@localhost/assay?connect_timeout=5&sslmode=disable"
    );
    assert_eq!(
        without_loopback_tls("postgres://u@[::1]:5432/a"),
        "postgres://u@[::1]:5432/a?sslmode=disable"
    );
    for kept in [
        "postgres://u@db.example.com/assay",
        "postgres://u@127.0.0.1/assay?sslmode=require",
    ] {
        assert_eq!(without_loopback_tls(kept), kept);
    }
}

#[derive(diesel::QueryableByName)]
struct Synchronous {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    synchronous: i32,
}

fn temp_sqlite_pool(label: &str) -> (Pool, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("assay-{label}-{}.db", &crate::tokens::random_token()[..12]));
    let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).expect("url");
    let pool = open_pool(&url, 2).expect("pool");
    migrate(&mut pool.get().expect("conn")).expect("migrate");
    (pool, path)
}

/// The writer turn belongs to a pool, not the process: while one app's
/// transaction holds its turn, another app's database (as in a test
/// process running many apps) still writes.
#[test]
fn two_pools_in_one_process_never_wait_for_each_others_writer_turn() {
    let (first, first_path) = temp_sqlite_pool("turn-a");
    let (second, second_path) = temp_sqlite_pool("turn-b");
    let (holding, held) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let mut pooled = first.get().expect("conn");
        pooled
            .transaction(|_| {
                holding.send(()).expect("tell");
                released.recv().map_err(|_| AppError::Internal("released".into()))
            })
            .expect("first transaction");
    });
    held.recv().expect("the first pool holds its turn");
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut pooled = second.get().expect("conn");
        let wrote = pooled.transaction(|conn| {
            diesel::insert_into(login_failures::table)
                .values((
                    login_failures::email.eq("other@example.com"),
                    login_failures::failed_at.eq(chrono::Utc::now().naive_utc()),
                ))
                .execute(conn)
                .map_err(AppError::from)
        });
        let _ = done.send(wrote.is_ok());
    });
    let second_wrote = finished.recv_timeout(Duration::from_secs(5));
    release.send(()).expect("release");
    holder.join().expect("holder");
    assert_eq!(
        second_wrote,
        Ok(true),
        "the second pool's write waited for the first pool's turn"
    );
    for path in [first_path, second_path] {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}

#[test]
fn every_sqlite_connection_of_the_pool_waits_for_the_disk_at_commit() {
    let path = std::env::temp_dir().join(format!("assay-sync-test-{}.db", &crate::tokens::random_token()[..12]));
    let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).expect("url");
    let pool = open_pool(&url, 2).expect("pool");
    let mut pooled = pool.get().expect("conn");
    let DbConn::Sqlite(conn) = &mut *pooled else {
        panic!("a sqlite:// URL opened another backend");
    };
    let rows: Vec<Synchronous> = diesel::sql_query("PRAGMA synchronous").load(conn).expect("pragma");
    // 2 is FULL: the WAL is synced at every commit.
    assert_eq!(rows.first().map(|r| r.synchronous), Some(2));
    drop(pooled);
    drop(pool);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[derive(diesel::QueryableByName)]
struct CompileOption {
    #[diesel(sql_type = diesel::sql_types::Text)]
    compile_options: String,
}

/// `.cargo/config.toml` builds SQLite with the query planner stability
/// guarantee, so a cached `… LIMIT ?` statement is not planned again on
/// every run (see the comment there).
#[test]
fn sqlite_is_built_so_cached_statements_with_a_bound_limit_are_not_prepared_again() {
    let mut conn = diesel::SqliteConnection::establish(":memory:").expect("sqlite");
    let options: Vec<CompileOption> = diesel::sql_query("PRAGMA compile_options")
        .load(&mut conn)
        .expect("pragma");
    assert!(
        options.iter().any(|o| o.compile_options == "ENABLE_QPSG"),
        "SQLite was built without SQLITE_ENABLE_QPSG: build from the project folder, whose .cargo/config.toml sets it"
    );
}
use crate::db::schema::login_failures;

/// Many connections each reading and then writing in one transaction:
/// with SQLite's deferred `BEGIN` most of them failed with "database is
/// locked"; `BEGIN IMMEDIATE` makes them wait their turn instead.
#[test]
fn concurrent_read_then_write_transactions_on_sqlite_all_commit() {
    let path = std::env::temp_dir().join(format!("assay-db-test-{}.db", &crate::tokens::random_token()[..12]));
    let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).expect("url");
    let pool = open_pool(&url, 8).expect("pool");
    migrate(&mut pool.get().expect("conn")).expect("migrate");
    let now = chrono::Utc::now().naive_utc();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut pooled = pool.get().expect("conn");
                let conn: &mut DbConn = &mut pooled;
                for i in 0..25 {
                    conn.transaction(|conn| {
                        let seen: i64 = login_failures::table.count().get_result(conn)?;
                        diesel::insert_into(login_failures::table)
                            .values((
                                login_failures::email.eq(format!("t{t}-{i}-{seen}@example.com")),
                                login_failures::failed_at.eq(now),
                            ))
                            .execute(conn)?;
                        Ok::<_, AppError>(())
                    })
                    .expect("transaction commits");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    let total: i64 = login_failures::table
        .count()
        .get_result(&mut *pool.get().expect("conn"))
        .expect("count");
    assert_eq!(total, 8 * 25);
    drop(pool);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
