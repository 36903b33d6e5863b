//! The HTTP side: a real client (awc) speaking the public JSON API.

use std::time::{Duration, Instant};

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::report::SaveRun;

/// A failed request, by status (0 when the request itself failed).
#[derive(Debug)]
pub struct Failure {
    pub status: u16,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

#[derive(Clone)]
pub struct Api {
    client: awc::Client,
    base: String,
    retries: std::rc::Rc<std::cell::Cell<u64>>,
}

/// A started attempt and the answer this candidate will send to each question.
pub struct Attempt {
    pub id: i64,
    pub token: String,
    pub answers: Vec<(i64, Value)>,
}

impl Attempt {
    /// An attempt for the bare reference, which checks nothing: any ids do,
    /// and the answers are of the kinds a real attempt sends.
    pub fn synthetic(id: i64, questions: usize) -> Attempt {
        let answers = (0..questions.max(1))
            .map(|n| {
                let kind = ["single_choice", "multiple_response", "true_false", "numeric"][n % 4];
                let question = json!({"type": kind, "options": [1, 2, 3, 4]});
                (n as i64 + 1, answer_for(&question, n))
            })
            .collect();
        Attempt {
            id,
            token: "bare-reference-ignores-it".into(),
            answers,
        }
    }

    pub fn with_token(mut self, token: String) -> Attempt {
        self.token = token;
        self
    }
}

/// A well-formed answer for a question as the candidate sees it.
fn answer_for(question: &Value, n: usize) -> Value {
    let options = question["options"].as_array().map(Vec::len).unwrap_or(0).max(1);
    match question["type"].as_str().unwrap_or("") {
        "single_choice" => json!(n % options),
        "multiple_response" => json!([n % options]),
        "true_false" => json!(n.is_multiple_of(2)),
        "numeric" => json!(n as f64 * 1.5),
        _ => json!(format!("answer {n}")),
    }
}

impl Api {
    pub fn new(base: String) -> Api {
        // No connection limit: every virtual candidate keeps its own connection.
        // Idle connections are dropped before the server's 5 s keep-alive
        // closes them under us.
        let connector = awc::Connector::new()
            .limit(0)
            .timeout(Duration::from_secs(10))
            .conn_keep_alive(Duration::from_secs(3));
        let client = awc::Client::builder()
            .connector(connector)
            .timeout(Duration::from_secs(120))
            .disable_redirects()
            .finish();
        Api {
            client,
            base,
            retries: Default::default(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn wait_until_up(&self, within: Duration) -> Result<(), String> {
        let deadline = Instant::now() + within;
        loop {
            if self.client.get(self.url("/")).send().await.is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("the server at {} did not answer within {within:?}", self.base));
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), Failure> {
        let url = self.url(path);
        let mut req = match method {
            "POST" => self.client.post(url),
            "PUT" => self.client.put(url),
            _ => self.client.get(url),
        };
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let sent = match body {
            Some(b) => req.send_json(&b).await,
            None => req.send().await,
        };
        let mut res = sent.map_err(|e| Failure {
            status: 0,
            message: e.to_string(),
        })?;
        let status = res.status();
        let bytes = res.body().limit(16 * 1024 * 1024).await.map_err(|e| Failure {
            status: status.as_u16(),
            message: e.to_string(),
        })?;
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Ok((status, value))
    }

    /// Sends and insists on one status.
    pub async fn expect(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        want: StatusCode,
    ) -> Result<Value, Failure> {
        let (status, value) = self.send(method, path, token, body).await?;
        if status == want {
            Ok(value)
        } else {
            let message = value["error"]["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string());
            Err(Failure {
                status: status.as_u16(),
                message,
            })
        }
    }

    /// For setting up only (never for measured requests): like `expect`, but
    /// tries again, up to five times, when a kept-alive connection was closed
    /// under it or the server failed (on SQLite, "database is locked"); the
    /// retries are counted and reported.
    pub async fn set_up(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        want: StatusCode,
    ) -> Result<Value, Failure> {
        let mut tries = 0;
        loop {
            match self.expect(method, path, token, body.clone(), want).await {
                Err(Failure { status, .. }) if (status == 0 || status >= 500) && tries < 5 => {
                    tries += 1;
                    self.retries.set(self.retries.get() + 1);
                    actix_web::rt::time::sleep(Duration::from_millis(20 * tries)).await;
                }
                other => return other,
            }
        }
    }

    /// Setting-up requests that had to be tried again so far.
    pub fn retries(&self) -> u64 {
        self.retries.get()
    }

    pub async fn healthz(&self) -> Result<(), Failure> {
        self.expect("GET", "/healthz", None, None, StatusCode::OK)
            .await
            .map(drop)
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Result<String, Failure> {
        let body = json!({"email": email, "password": password});
        let value = self
            .set_up("POST", "/api/v1/session", None, Some(body), StatusCode::OK)
            .await?;
        value["token"].as_str().map(str::to_string).ok_or_else(|| Failure {
            status: 200,
            message: "no token in the answer".into(),
        })
    }

    pub async fn import_bank(&self, token: &str, toml: String) -> Result<Value, Failure> {
        let mut res = self
            .client
            .post(self.url("/api/v1/banks/import?format=toml"))
            .bearer_auth(token)
            .send_body(toml)
            .await
            .map_err(|e| Failure {
                status: 0,
                message: e.to_string(),
            })?;
        let status = res.status();
        let bytes = res.body().await.map_err(|e| Failure {
            status: 0,
            message: e.to_string(),
        })?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status == StatusCode::OK {
            Ok(value)
        } else {
            Err(Failure {
                status: status.as_u16(),
                message: String::from_utf8_lossy(&bytes).into(),
            })
        }
    }

    /// Starts (or resumes) the test and picks an answer for every question.
    pub async fn start(&self, token: &str, assessment_id: i64) -> Result<Attempt, Failure> {
        let path = format!("/api/v1/assessments/{assessment_id}/attempts");
        let (status, value) = self.send("POST", &path, Some(token), Some(json!({}))).await?;
        if status != StatusCode::CREATED && status != StatusCode::OK {
            let message = value["error"]["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string());
            return Err(Failure {
                status: status.as_u16(),
                message,
            });
        }
        let id = value["attempt_id"].as_i64().ok_or_else(|| Failure {
            status: 201,
            message: "no attempt_id".into(),
        })?;
        let answers = value["questions"]
            .as_array()
            .map(|qs| {
                qs.iter()
                    .enumerate()
                    .filter_map(|(n, q)| q["id"].as_i64().map(|qid| (qid, answer_for(q, n))))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Attempt {
            id,
            token: String::new(),
            answers,
        })
    }

    async fn save(&self, attempt: &Attempt, question_id: i64, answer: &Value, seq: i64) -> Result<(), Failure> {
        let path = format!("/api/v1/attempts/{}/responses/{question_id}", attempt.id);
        let body = json!({"answer": answer, "seq": seq});
        self.expect("PUT", &path, Some(&attempt.token), Some(body), StatusCode::NO_CONTENT)
            .await
            .map(|_| ())
    }
}

/// How one candidate paces its saves.
#[derive(Clone, Copy)]
pub enum Pace {
    /// The next save as soon as the last one is answered (a closed loop: it
    /// measures the most the server can take).
    BackToBack,
    /// One save every `interval`, starting at `offset` (an open loop at a
    /// fixed rate). Latency counts from when the save was due, not from when
    /// it could be sent, so a stalled server cannot hide its queue.
    Every { interval: Duration, offset: Duration },
}

/// One candidate answering question after question until `end`; every save
/// carries a higher `seq`, so each one is a real write.
pub async fn save_loop(api: &Api, attempt: &Attempt, pace: Pace, started: Instant, end: Instant) -> SaveRun {
    let mut run = SaveRun::default();
    if attempt.answers.is_empty() {
        run.errors.add(Failure {
            status: 0,
            message: "attempt has no questions".into(),
        });
        return run;
    }
    let mut seq: i64 = 0;
    let mut due = match pace {
        Pace::Every { offset, .. } => started + offset,
        Pace::BackToBack => started,
    };
    loop {
        let now = Instant::now();
        match pace {
            Pace::BackToBack => due = now,
            Pace::Every { .. } if due > now => actix_web::rt::time::sleep_until(due.into()).await,
            Pace::Every { .. } => {}
        }
        if due >= end {
            break;
        }
        let (question_id, answer) = &attempt.answers[seq as usize % attempt.answers.len()];
        seq += 1;
        let result = api.save(attempt, *question_id, answer, seq).await;
        let done = Instant::now();
        run.lat.push(done - due);
        match result {
            Ok(()) => run.count_ok(done - started, end - started),
            Err(e) => run.errors.add(e),
        }
        if let Pace::Every { interval, .. } = pace {
            due += interval;
        }
    }
    run
}
