//! The candidate's whole path in a real browser: headless Chromium driven
//! over WebDriver (Debian's `chromium` and `chromium-driver`). Without them
//! the test says so and passes, unless CI is set: CI installs them, so there
//! a missing browser is a failure.

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::attempts::{applicant, drive_with, Drive};
use crate::helpers::{spawn_app, PASSWORD};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Set to a folder to keep screenshots of the test page and the result page.
const SCREENSHOT_ENV: &str = "ASSAY_BROWSER_SCREENSHOTS";

/// A chromedriver child process with its own browser profile; both go when
/// it is dropped.
pub(crate) struct ChromeDriver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

impl ChromeDriver {
    /// Starts chromedriver on a free port, or `None` when it is not installed.
    async fn start() -> Option<ChromeDriver> {
        if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = std::env::temp_dir().join(format!("assay-chromium-{}", &assay::tokens::random_token()[..12]));
        std::fs::create_dir_all(&profile).expect("profile dir");
        let driver = ChromeDriver { child, port, profile };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen on port {port}");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        Some(driver)
    }

    pub(crate) async fn session(&self) -> Client {
        let mut caps = serde_json::Map::new();
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,960",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--user-data-dir={}", self.profile.display())])
        .collect::<Vec<_>>();
        caps.insert("goog:chromeOptions".into(), json!({"binary": CHROMIUM, "args": args}));
        ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a Chromium session")
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Polls `check` until it holds, for up to ten seconds.
pub(crate) async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn text(c: &Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

pub(crate) async fn path(c: &Client) -> String {
    c.current_url().await.map(|u| u.path().to_string()).unwrap_or_default()
}

pub(crate) async fn fill(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"))
        .send_keys(value)
        .await
        .expect("type");
}

async fn retype(c: &Client, value: &str) {
    let field = c.find(Locator::Css("#answer")).await.expect("an answer field");
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

pub(crate) async fn click(c: &Client, locator: Locator<'_>) {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(locator)
        .await
        .expect("element to click")
        .click()
        .await
        .expect("click");
}

/// The number of the question on show, once a page has loaded.
pub(crate) async fn shown(c: &Client) -> usize {
    match c.find(Locator::Css("#question input[name='q']")).await {
        Ok(e) => e
            .prop("value")
            .await
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        Err(_) => 0,
    }
}

async fn go_to_question(c: &Client, n: usize) {
    click(c, Locator::Css(&format!(".navigator a[href='?q={n}']"))).await;
    eventually(&format!("question {n}"), || async move { shown(c).await == n }).await;
}

pub(crate) fn choice(text: &str) -> String {
    format!("//label[contains(@class,'choice')][normalize-space(span)='{text}']")
}

async fn chosen(c: &Client, text: &str) -> bool {
    let input = format!("{}/input", choice(text));
    match c.find(Locator::XPath(&input)).await {
        Ok(e) => e.is_selected().await.unwrap_or(false),
        Err(_) => false,
    }
}

async fn field_value(c: &Client) -> String {
    let answer = c.find(Locator::Css("#answer")).await.expect("an answer field");
    answer.prop("value").await.ok().flatten().unwrap_or_default()
}

async fn screenshot(c: &Client, name: &str) {
    if let Some(folder) = std::env::var_os(SCREENSHOT_ENV) {
        let png = c.screenshot().await.expect("screenshot");
        std::fs::write(Path::new(&folder).join(name), png).expect("write the screenshot");
    }
}

/// Applies on the drive page, then starts the test from the same page.
async fn apply_and_start(c: &Client, base: &str, drive: &Drive) {
    c.goto(&format!("{base}/drives/{}", drive.drive_id))
        .await
        .expect("drive page");
    click(
        c,
        Locator::Css(&format!("form[action='/drives/{}/apply'] button", drive.drive_id)),
    )
    .await;
    eventually("the application", || async move {
        text(c, "main").await.contains("You are eligible.")
    })
    .await;
    click(c, Locator::XPath("//form//button[normalize-space(.)='Start the test']")).await;
}

/// Signs an applicant in on the sign-in page and starts the drive's test
/// from the drive page; returns once question 1 is on show.
pub(crate) async fn sign_in_and_start(c: &Client, base: &str, email: &str, drive: &Drive) {
    c.goto(&format!("{base}/signin")).await.expect("sign-in page");
    fill(c, "#email", email).await;
    fill(c, "#password", PASSWORD).await;
    click(c, Locator::Css("form[action='/signin'] button[type='submit']")).await;
    eventually("the home page", || async move { path(c).await == "/" }).await;
    c.goto(&format!("{base}/drives/{}", drive.drive_id))
        .await
        .expect("drive page");
    click(c, Locator::XPath("//form//button[normalize-space(.)='Start the test']")).await;
    eventually("the test page", || async move { shown(c).await == 1 }).await;
}

/// The driver, or `None` after saying why the test is skipped; under CI a
/// missing browser fails instead.
pub(crate) async fn driver_or_skip(test: &str) -> Option<ChromeDriver> {
    let driver = ChromeDriver::start().await;
    if driver.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but {CHROMIUM} or {CHROMEDRIVER} is missing: install chromium and chromium-driver"
        );
        let _ = writeln!(
            std::io::stderr(),
            "browser test {test} skipped: {CHROMIUM} or {CHROMEDRIVER} is missing; \
             run `apt-get install -y chromium chromium-driver` to enable it"
        );
    }
    driver
}

#[actix_web::test]
async fn a_candidate_registers_applies_answers_reloads_and_submits_in_a_real_browser() {
    let Some(driver) = driver_or_skip("registers_applies_answers_reloads_and_submits").await else {
        return;
    };
    let began = Instant::now();
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let c = driver.session().await;
    let c = &c;
    let base = app.address.clone();

    // Register, then the profile that makes this candidate eligible.
    c.goto(&format!("{base}/register")).await.expect("register page");
    fill(c, "#full_name", "Priya Nair").await;
    fill(c, "#email", "priya@example.com").await;
    fill(c, "#password", PASSWORD).await;
    click(c, Locator::Css("form[action='/register'] button[type='submit']")).await;
    // Registration signs no one in (a taken address must get the same
    // answer); the sign-in page then leads on to the profile.
    eventually("the sign-in page", || async move { path(c).await == "/signin" }).await;
    fill(c, "#email", "priya@example.com").await;
    fill(c, "#password", PASSWORD).await;
    click(c, Locator::Css("form[action='/signin'] button[type='submit']")).await;
    eventually("the profile page", || async move { path(c).await == "/profile" }).await;
    fill(c, "#degree", "B.Com").await;
    fill(c, "#score_percent", "80").await;
    c.find(Locator::Css("#domain"))
        .await
        .expect("domain")
        .select_by_value("finance")
        .await
        .expect("finance");
    click(c, Locator::Css("form[action='/profile'] button[type='submit']")).await;
    eventually("the profile to save", || async move {
        text(c, "main").await.contains("Profile saved.")
    })
    .await;

    apply_and_start(c, &base, &drive).await;
    eventually("the test page", || async move { shown(c).await == 1 }).await;
    let attempt_path = path(c).await;
    let token = app.sign_in("priya@example.com", PASSWORD).await;
    let api_path = format!("/api/v1{attempt_path}");
    assert!(attempt_path.starts_with("/attempts/"), "{attempt_path}");
    assert_eq!(
        text(c, ".q-meta").await.split_whitespace().take(4).collect::<Vec<_>>(),
        ["Question", "1", "of", "6"]
    );

    // Answer four questions of four kinds; each says "Saved" on its own.
    let mut answered = Vec::new();
    for n in 1..=6 {
        if n > 1 {
            go_to_question(c, n).await;
        }
        let kind = c
            .find(Locator::Css("#question"))
            .await
            .expect("form")
            .attr("data-type")
            .await
            .ok()
            .flatten();
        match kind.as_deref().unwrap_or_default() {
            "single_choice" => click(c, Locator::XPath(&choice("25%"))).await,
            "true_false" => click(c, Locator::XPath(&choice("True"))).await,
            "numeric" => fill(c, "#answer", "25").await,
            "short_text" => fill(c, "#answer", "NPV").await,
            _ => continue,
        }
        eventually(&format!("question {n} to save"), || async move {
            text(c, "#save-state").await == "Saved"
        })
        .await;
        answered.push((n, kind.unwrap_or_default()));
    }
    assert_eq!(answered.len(), 4, "{answered:?}");
    let place = |kind: &str| {
        answered
            .iter()
            .find(|(_, k)| k == kind)
            .map(|(n, _)| *n)
            .expect("answered kind")
    };
    let numeric = place("numeric");

    // A flag for review is the person's own note: it survives the reload too.
    go_to_question(c, numeric).await;
    click(c, Locator::Id("flag")).await;
    let flagged = format!(".navigator a.flagged[href='?q={numeric}']");
    eventually("the flag kept by the server", || async {
        let (_, view) = app.get_json(&api_path, Some(&token)).await;
        view["flagged"].as_array().is_some_and(|f| f.len() == 1)
    })
    .await;

    // Reload: every answer comes back from the server.
    c.refresh().await.expect("reload");
    eventually("the reloaded page", || async move { shown(c).await == numeric }).await;
    assert_eq!(field_value(c).await, "25");
    assert!(
        c.find(Locator::Css(&flagged)).await.is_ok(),
        "the flag survives a reload"
    );
    assert_eq!(
        c.find(Locator::Id("flag"))
            .await
            .expect("flag")
            .attr("aria-pressed")
            .await
            .ok()
            .flatten()
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        c.find_all(Locator::Css(".navigator a.answered"))
            .await
            .expect("navigator")
            .len(),
        4
    );
    assert_eq!(text(c, "#answered-count").await, "4");
    go_to_question(c, place("short_text")).await;
    assert_eq!(field_value(c).await, "NPV");
    go_to_question(c, place("true_false")).await;
    assert!(chosen(c, "True").await && !chosen(c, "False").await);
    go_to_question(c, place("single_choice")).await;
    assert!(chosen(c, "25%").await, "the saved choice is selected after the reload");
    let current = format!(
        ".navigator a[aria-current='page'][href='?q={}']",
        place("single_choice")
    );
    assert!(
        c.find(Locator::Css(&current)).await.is_ok(),
        "the navigator marks the current question"
    );

    screenshot(c, "test-page.png").await;

    // A paste in an answer is reported, for staff to see.
    go_to_question(c, place("short_text")).await;
    c.execute(
        "document.getElementById('answer').dispatchEvent(new Event('paste', {bubbles: true}))",
        vec![],
    )
    .await
    .expect("paste");
    let (app_ref, token_ref, api_ref) = (&app, &token, &api_path);
    eventually("the paste signal", || async move {
        app_ref.get_json(api_ref, Some(token_ref)).await.1["pastes"] == 1
    })
    .await;

    // The network drops: the answer waits, says so, and goes when it is back.
    let offline = "window.realFetch = window.realFetch || window.fetch;
        window.fetch = () => Promise.reject(new TypeError('offline'));";
    c.execute(offline, vec![]).await.expect("go offline");
    retype(c, "npv").await;
    eventually("the failed save", || async move {
        text(c, "#save-state").await == "Not saved — retrying"
    })
    .await;
    let unsaved = format!(".navigator a.unsaved[href='?q={}']", place("short_text"));
    assert!(
        c.find(Locator::Css(&unsaved)).await.is_ok(),
        "the navigator shows the unsaved answer"
    );
    c.execute(
        "window.fetch = window.realFetch; window.dispatchEvent(new Event('online'));",
        vec![],
    )
    .await
    .expect("online");
    eventually(
        "the retried save",
        || async move { text(c, "#save-state").await == "Saved" },
    )
    .await;

    // Offline again, then a reload: the answer kept in the browser is sent.
    c.execute(offline, vec![]).await.expect("go offline");
    retype(c, "Npv").await;
    eventually("the failed save", || async move {
        text(c, "#save-state").await == "Not saved — retrying"
    })
    .await;
    c.refresh().await.expect("reload");
    eventually("the kept answer to be sent", || async move {
        text(c, "#save-state").await == "Saved" && field_value(c).await == "Npv"
    })
    .await;

    // Submit goes to the review page: what is not answered, what is flagged,
    // each with a way back; no browser dialog.
    let review_path = format!("{attempt_path}/confirm");
    let review_path = &review_path;
    click(c, Locator::Css("button[value='finish']")).await;
    eventually("the review page", || async move { path(c).await == *review_path }).await;
    let review = text(c, "main").await;
    assert!(review.contains("Not answered yet (2 of 6)"), "{review}");
    assert!(review.contains("Flagged for review (1)"), "{review}");
    click(
        c,
        Locator::Css(&format!("#flagged a[href='{attempt_path}?q={numeric}']")),
    )
    .await;
    eventually("the flagged question", || async move { shown(c).await == numeric }).await;
    click(c, Locator::Css("button[value='finish']")).await;
    eventually("the review page again", || async move { path(c).await == *review_path }).await;
    click(c, Locator::XPath("//button[normalize-space(.)='Submit my answers']")).await;
    let result_path = format!("{attempt_path}/result");
    let result_path = &result_path;
    eventually("the result page", || async move { path(c).await == *result_path }).await;
    screenshot(c, "result.png").await;
    let page = text(c, "main").await;
    assert!(
        page.contains("You passed.") && page.contains("4 of 7") && page.contains("57.1%"),
        "{page}"
    );

    let (_, view) = app.get_json(&api_path, Some(&token)).await;
    assert_eq!(view["status"], "graded", "{view}");
    let kept: Vec<&Value> = view["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| &r["answer"])
        .collect();
    assert!(
        kept.contains(&&json!(25)) && kept.contains(&&json!("Npv")) && kept.contains(&&json!(true)),
        "{view}"
    );

    let _ = c.clone().close().await;
    let _ = writeln!(
        std::io::stderr(),
        "browser test of the whole path took {:.1}s",
        began.elapsed().as_secs_f64()
    );
}

#[actix_web::test]
async fn the_countdown_speaks_at_five_minutes_and_at_one_and_submits_when_time_is_up() {
    let Some(driver) = driver_or_skip("countdown").await else {
        return;
    };
    let began = Instant::now();
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({"time_limit_minutes": 30})).await;
    applicant(&app, "clock@example.com", &drive, 80.0).await;
    let c = driver.session().await;
    let c = &c;
    let base = app.address.clone();
    sign_in_and_start(c, &base, "clock@example.com", &drive).await;
    assert!(text(c, "#timer").await.starts_with("29:5") || text(c, "#timer").await == "30:00");

    // The server's clock moves on; a reload learns it from server_now.
    let announced = || async move { text(c, "#time-announce").await };
    app.state
        .clock
        .advance(chrono::Duration::minutes(25) - chrono::Duration::seconds(3));
    c.refresh().await.expect("reload");
    eventually("the reloaded page", || async move {
        text(c, "#timer").await.starts_with("05:0")
    })
    .await;
    assert_eq!(
        announced().await,
        "",
        "nothing is announced before five minutes are left"
    );
    eventually(
        "five minutes left",
        || async move { announced().await == "5 minutes left." },
    )
    .await;
    // Five minutes are left now: skip to three seconds over one minute.
    app.state
        .clock
        .advance(chrono::Duration::minutes(4) - chrono::Duration::seconds(3));
    c.refresh().await.expect("reload");
    eventually(
        "one minute left",
        || async move { announced().await == "One minute left." },
    )
    .await;
    let timer = c.find(Locator::Id("timer")).await.expect("timer");
    assert!(timer
        .attr("class")
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
        .contains("low"));

    // Time runs out with the page open: it submits by itself.
    app.state.clock.advance(chrono::Duration::seconds(57));
    c.refresh().await.expect("reload");
    eventually("the result page", || async move { path(c).await.ends_with("/result") }).await;
    assert!(text(c, "main").await.contains("0 of 7"));
    let _ = c.clone().close().await;
    let _ = writeln!(
        std::io::stderr(),
        "browser test of the countdown took {:.1}s",
        began.elapsed().as_secs_f64()
    );
}

#[actix_web::test]
async fn the_test_page_resends_an_answer_the_server_calls_stale_and_then_says_saved() {
    let Some(driver) = driver_or_skip("stale_resend").await else {
        return;
    };
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "stale-page@example.com", &drive, 80.0).await;
    let c = driver.session().await;
    let c = &c;
    let base = app.address.clone();
    sign_in_and_start(c, &base, "stale-page@example.com", &drive).await;

    // Another tab, with a clock far ahead, saved this question first.
    let attempt = path(c).await.trim_start_matches("/attempts/").to_string();
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    let questions = view["questions"].as_array().expect("questions");
    let (place, numeric) = questions
        .iter()
        .enumerate()
        .find(|(_, q)| q["type"] == "numeric")
        .expect("a numeric question");
    let q = numeric["id"].as_i64().expect("id");
    let far_ahead: i64 = 9_000_000_000_000_000;
    let (status, _) = app
        .put_json(
            &format!("/api/v1/attempts/{attempt}/responses/{q}"),
            &json!({"answer": 99, "seq": far_ahead}),
            Some(&token),
        )
        .await;
    assert_eq!(status, awc::http::StatusCode::NO_CONTENT);

    // The page's saves are older than that: refused as stale, sent again
    // above the stored seq, and only then "Saved". (Clearing the field
    // saves a blank first; the typed answer follows it.)
    go_to_question(c, place + 1).await;
    retype(c, "25").await;
    let stored = || async {
        let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
        view["responses"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["question_id"] == q))
            .cloned()
            .unwrap_or_default()
    };
    eventually("the typed answer to replace the other tab's", || async {
        stored().await["answer"] == 25
    })
    .await;
    let saved = stored().await;
    assert!(saved["seq"].as_i64().is_some_and(|s| s > far_ahead), "{saved}");
    eventually("the page to say Saved", || async move {
        text(c, "#save-state").await == "Saved"
    })
    .await;
    let _ = c.clone().close().await;
}

#[actix_web::test]
async fn moving_through_the_test_counts_no_focus_loss_and_switching_tabs_counts_one_with_its_duration() {
    let Some(driver) = driver_or_skip("focus_losses").await else {
        return;
    };
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "honest@example.com", &drive, 80.0).await;
    let c = driver.session().await;
    let c = &c;
    let base = app.address.clone();
    sign_in_and_start(c, &base, "honest@example.com", &drive).await;
    let attempt = path(c).await.trim_start_matches("/attempts/").to_string();
    let focus_losses = || async {
        let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
        view["focus_losses"].as_i64().unwrap_or(-1)
    };

    // Every question by its number, then back by "Save and next" from the
    // first: the page's own navigation is not leaving the test.
    for n in 2..=6 {
        go_to_question(c, n).await;
    }
    go_to_question(c, 1).await;
    for n in 2..=4 {
        click(c, Locator::XPath("//button[normalize-space(.)='Save and next']")).await;
        eventually(&format!("question {n}"), || async move { shown(c).await == n }).await;
    }
    c.refresh().await.expect("reload");
    eventually("the reloaded page", || async move { shown(c).await == 4 }).await;
    // Give any signal a stray navigation might have sent time to arrive.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(focus_losses().await, 0, "moving through the test counted as leaving it");

    // Another tab in front of the test: that is leaving it.
    let test_tab = c.window().await.expect("this tab");
    let other = c.new_window(true).await.expect("a new tab");
    c.switch_to_window(other.handle).await.expect("switch to the new tab");
    c.goto("about:blank").await.expect("blank page");
    eventually("one focus loss", || async { focus_losses().await == 1 }).await;
    // Away a while, then back: the leave is closed with how long it lasted.
    app.state.clock.advance(chrono::Duration::seconds(30));
    c.close_window().await.expect("close the other tab");
    c.switch_to_window(test_tab).await.expect("back to the test");
    let seconds_away = || async {
        let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
        view["leaves"][0]["seconds_away"].as_i64()
    };
    eventually("the leave closed on coming back", || async {
        seconds_away().await.is_some()
    })
    .await;
    assert!(seconds_away().await >= Some(30), "{:?}", seconds_away().await);
    assert_eq!(focus_losses().await, 1, "coming back counted as another leave");
    let _ = c.clone().close().await;
}

#[actix_web::test]
async fn on_a_phone_the_timer_stays_in_sight_and_nothing_scrolls_sideways() {
    let Some(driver) = driver_or_skip("phone").await else {
        return;
    };
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    applicant(&app, "phone@example.com", &drive, 80.0).await;
    let c = driver.session().await;
    let c = &c;
    c.set_window_size(375, 700).await.expect("a phone-sized window");
    sign_in_and_start(c, &app.address, "phone@example.com", &drive).await;
    let measure = |script: &'static str| async move {
        c.execute(script, vec![])
            .await
            .expect("measure")
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    let viewport = measure("return window.innerWidth;").await;
    assert!(viewport <= 375.0, "the window is {viewport}px wide, not a phone's");
    for n in 1..=6 {
        go_to_question(c, n).await;
        let wide = measure("return document.documentElement.scrollWidth;").await;
        assert!(
            wide <= viewport,
            "question {n} needs sideways scrolling: {wide}px in {viewport}px"
        );
        let tall = measure("return document.documentElement.scrollHeight - window.innerHeight;").await;
        assert!(tall > 0.0, "question {n} is too short to show the timer stays put");
        measure("window.scrollTo(0, document.documentElement.scrollHeight); return window.scrollY;").await;
        let top = measure("return document.getElementById('timer').getBoundingClientRect().top;").await;
        let bottom = measure("return document.getElementById('timer').getBoundingClientRect().bottom;").await;
        let height = measure("return window.innerHeight;").await;
        assert!(
            top >= 0.0 && bottom <= height,
            "scrolled to the end of question {n}, the timer is at {top}..{bottom} of {height}"
        );
    }
    let _ = c.clone().close().await;
}
