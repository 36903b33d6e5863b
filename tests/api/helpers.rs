//! Starts the real app on its own database for each test: a fresh SQLite
//! file by default, or a fresh PostgreSQL database when
//! ASSAY_TEST_POSTGRES_URL names a server (the database is dropped after).

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;

use assay::app::AppState;
use assay::config::Config;
use assay::db::DatabaseUrl;
use assay::server;
use assay::tokens::random_token;
use awc::http::StatusCode;
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{json, Value};

pub const POSTGRES_ENV: &str = "ASSAY_TEST_POSTGRES_URL";
pub const PASSWORD: &str = "correct horse battery";

fn with_sslmode(url: &str) -> String {
    if url.contains("sslmode") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

enum TestDb {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    fn create() -> (TestDb, String) {
        let id = &random_token()[..12];
        match std::env::var(POSTGRES_ENV) {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("assay_test_{id}");
                let mut admin = PgConnection::establish(&with_sslmode(&admin_url))
                    .unwrap_or_else(|e| panic!("{POSTGRES_ENV} is set but PostgreSQL is unreachable: {e}"));
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create database");
                // Keep the admin URL's query, and skip TLS on this local test
                // server unless asked: libpq's OpenSSL clean-up at exit can
                // race the server threads still alive then.
                let (path, query) = admin_url.split_once('?').unwrap_or((&admin_url, ""));
                let base = path.rsplit_once('/').map(|(b, _)| b).unwrap_or(path);
                let query = if query.contains("sslmode") {
                    query.to_string()
                } else {
                    format!("sslmode=disable&{query}")
                };
                let url = format!("{base}/{name}?{}", query.trim_end_matches('&'));
                (TestDb::Postgres { admin_url, name }, url)
            }
            _ => {
                let path = std::env::temp_dir().join(format!("assay-test-{id}.db"));
                let url = format!("sqlite://{}", path.display());
                (TestDb::Sqlite(path), url)
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            TestDb::Postgres { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::establish(&with_sslmode(admin_url)) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
                }
            }
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub client: awc::Client,
    _db: TestDb,
}

pub fn test_config(database_url: &str, mail_dir: PathBuf) -> Config {
    Config {
        database_url: DatabaseUrl::parse(database_url).expect("test database url"),
        smtp_url: None,
        mail_dir,
        mail_from: "Assay Test <assay@test.example>".into(),
        mail_reply_to: "Test Firm recruitment <hiring@test.example>".into(),
        base_url: "http://assay.test".into(),
        base_url_given: true,
        secret_key: b"test-secret-key-test-secret-key-0123".to_vec(),
        firm_name: "Test Firm".into(),
        max_body_bytes: 64 * 1024,
        max_upload_bytes: 256 * 1024,
        session_hours: 12,
        pool_size: 4,
        review_band_points: 3.0,
        trust_proxy: false,
        sign_in_failures_per_address: 30,
        flag_min_responses: 30,

        webhooks_allow_private: false,
        firm_zone: Default::default(),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app after letting the test adjust its configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (test_db, url) = TestDb::create();
    let mail_dir = std::env::temp_dir().join(format!("assay-mail-{}", &random_token()[..12]));
    let mut config = test_config(&url, mail_dir);
    adjust(&mut config);
    let state = server::open_state(config).expect("open state");
    start_on(state, test_db)
}

fn start_on(state: AppState, db: TestDb) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = format!("http://127.0.0.1:{}", listener.local_addr().expect("addr").port());
    let server = server::start(listener, state.clone(), 1).expect("start server");
    actix_web::rt::spawn(server);
    let client = awc::Client::builder().disable_redirects().finish();
    TestApp {
        address,
        state,
        client,
        _db: db,
    }
}

impl TestApp {
    /// The outbox worker's view of this app, to drain it by hand.
    pub fn outbox(&self) -> assay::notices::outbox::Outbox {
        server::workers::outbox(&self.state)
    }

    /// Stops nothing and forgets nothing: a second server process started on
    /// the same database, with a fresh pool, as after a restart.
    pub fn restart(self) -> TestApp {
        let TestApp { state, _db, .. } = self;
        let config = (*state.config).clone();
        let restarted = server::open_state(config).expect("reopen the same database");
        start_on(restarted, _db)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn post_json(&self, path: &str, body: &Value, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.post(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let mut res = req.send_json(body).await.expect("request");
        let status = res.status();
        (status, json_body(&mut res).await)
    }

    pub async fn put_json(&self, path: &str, body: &Value, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.put(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let mut res = req.send_json(body).await.expect("request");
        let status = res.status();
        (status, json_body(&mut res).await)
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let mut res = req.send().await.expect("request");
        let status = res.status();
        (status, json_body(&mut res).await)
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> StatusCode {
        let mut req = self.client.delete(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request").status()
    }

    /// Registers a candidate over the API and returns (id, token).
    pub async fn candidate(&self, email: &str) -> (i32, String) {
        let (status, body) = self
            .post_json(
                "/api/v1/candidates",
                &json!({"email": email, "password": PASSWORD, "full_name": "Test Candidate"}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // Registration names no account, so the id comes with the sign-in.
        let (status, body) = self
            .post_json("/api/v1/session", &json!({"email": email, "password": PASSWORD}), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let id = body["user"]["id"].as_i64().expect("id") as i32;
        (id, body["token"].as_str().expect("token").to_string())
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let (status, body) = self
            .post_json("/api/v1/session", &json!({"email": email, "password": password}), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().expect("token").to_string()
    }

    /// Creates a staff account directly and signs it in.
    pub async fn staff(&self, email: &str, role: assay::db::Role) -> (i32, String) {
        let account = assay::accounts::service::NewAccount::parse(email, "Staff Member", PASSWORD).expect("account");
        let user = assay::accounts::flows::add_staff(&self.state, account, role, None)
            .await
            .expect("staff");
        (user.id.0, self.sign_in(email, PASSWORD).await)
    }

    pub fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookies: HashMap::new(),
        }
    }
}

pub async fn json_body<S>(res: &mut awc::ClientResponse<S>) -> Value
where
    S: futures_core::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let bytes = res.body().limit(16 * 1024 * 1024).await.expect("body");
    if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    }
}

/// A browser-like client: keeps cookies and reads CSRF tokens from pages.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookies: HashMap<String, String>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The CSRF token rendered into the page's forms.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker).expect("page has a csrf field") + marker.len();
        let end = self.body[start..].find('"').expect("closing quote") + start;
        self.body[start..end].to_string()
    }
}

impl Browser<'_> {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies<S>(&mut self, res: &awc::ClientResponse<S>) {
        for value in res.headers().get_all("set-cookie") {
            if let Ok(text) = value.to_str() {
                if let Some((pair, _)) = text.split_once(';').or(Some((text, ""))) {
                    if let Some((k, v)) = pair.split_once('=') {
                        if v.is_empty() || text.contains("Max-Age=0") {
                            self.cookies.remove(k);
                        } else {
                            self.cookies.insert(k.to_string(), v.to_string());
                        }
                    }
                }
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let mut res = self
            .app
            .client
            .get(self.app.url(path))
            .insert_header(("Cookie", self.cookie_header()))
            .send()
            .await
            .expect("get");
        self.keep_cookies(&res);
        let location = res
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(String::from);
        let body = String::from_utf8_lossy(&res.body().await.expect("body")).to_string();
        Page {
            status: res.status(),
            location,
            body,
        }
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut res = self
            .app
            .client
            .post(self.app.url(path))
            .insert_header(("Cookie", self.cookie_header()))
            .send_form(&fields)
            .await
            .expect("post");
        self.keep_cookies(&res);
        let location = res
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(String::from);
        let body = String::from_utf8_lossy(&res.body().await.expect("body")).to_string();
        Page {
            status: res.status(),
            location,
            body,
        }
    }
}

pub fn error_fields(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .map(|d| d.iter().filter_map(|x| x["field"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}

/// A browser signed in through the sign-in form.
pub async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = app.browser();
    let page = browser.get("/signin").await;
    let signed = browser
        .post_form(
            "/signin",
            &[("csrf_token", &page.csrf()), ("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    browser
}
