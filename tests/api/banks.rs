use assay::db::schema::{question_versions, questions};
use assay::db::Role;
use awc::http::StatusCode;
use diesel::prelude::*;
use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

const SMALL_TOML: &str = r#"
[bank]
name = "Quant"
category = "Aptitude/Quantitative"

[[question]]
id = "q-1"
type = "single_choice"
difficulty = "easy"
points = 1.0
tags = ["percentages"]
stem = "A premium rises from 1,200 to 1,500. By what percent did it rise?"
options = ["20%", "25%", "30%", "15%"]
answer = "B"
explanation = "300 / 1,200 = 25%."

[[question]]
id = "q-2"
type = "true_false"
stem = "A loss ratio above 100% means claims exceeded premiums."
answer = true
explanation = "Loss ratio = claims / premiums."
"#;

/// Posts a bank file to the import API with `query` (format, options).
pub async fn import(app: &TestApp, token: &str, query: &str, body: &str) -> (StatusCode, Value) {
    let mut res = app
        .client
        .post(app.url(&format!("/api/v1/banks/import?{query}")))
        .bearer_auth(token)
        .insert_header(("Content-Type", "application/octet-stream"))
        .send_body(body.to_string())
        .await
        .expect("import");
    let status = res.status();
    (status, crate::helpers::json_body(&mut res).await)
}

fn counts(app: &TestApp) -> (i64, i64) {
    let mut conn = app.state.pool.get().expect("conn");
    let q: i64 = questions::table.count().get_result(&mut *conn).expect("count");
    let v: i64 = question_versions::table.count().get_result(&mut *conn).expect("count");
    (q, v)
}

#[actix_web::test]
async fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let app = spawn_app().await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    let (status, first) = import(&app, &token, "format=toml", SMALL_TOML).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        (
            first["created"].as_u64(),
            first["updated"].as_u64(),
            first["unchanged"].as_u64()
        ),
        (Some(2), Some(0), Some(0))
    );
    let (_, second) = import(&app, &token, "format=toml", SMALL_TOML).await;
    assert_eq!(
        (
            second["created"].as_u64(),
            second["updated"].as_u64(),
            second["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(2))
    );
    assert_eq!(second["bank_id"], first["bank_id"]);
    assert_eq!(counts(&app), (2, 2));
}

#[actix_web::test]
async fn a_changed_question_makes_exactly_one_new_version_and_keeps_the_old() {
    let app = spawn_app().await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    import(&app, &token, "format=toml", SMALL_TOML).await;
    let changed = SMALL_TOML.replace("300 / 1,200 = 25%.", "The rise is 300 on 1,200: 25%.");
    let (status, report) = import(&app, &token, "format=toml", &changed).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            report["created"].as_u64(),
            report["updated"].as_u64(),
            report["unchanged"].as_u64()
        ),
        (Some(0), Some(1), Some(1))
    );
    assert_eq!(counts(&app), (2, 3));
    let bank_id = report["bank_id"].as_i64().expect("bank");
    let (_, listed) = app
        .get_json(&format!("/api/v1/banks/{bank_id}/questions"), Some(&token))
        .await;
    let q1 = listed["items"]
        .as_array()
        .and_then(|a| a.iter().find(|q| q["external_id"] == "q-1").cloned())
        .expect("q-1");
    assert_eq!(q1["version"], 2);
    assert_eq!(q1["explanation"], "The rise is 300 on 1,200: 25%.");
}

#[actix_web::test]
async fn one_bad_question_among_a_hundred_writes_nothing_and_names_its_line() {
    let app = spawn_app().await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    let mut file = String::new();
    for i in 0..100 {
        let answer = if i == 57 { "E" } else { "A" };
        file.push_str(&format!(
            "What is {i} plus one?\nA. {}\nB. {}\nANSWER: {answer}\n\n",
            i + 1,
            i + 2
        ));
    }
    let (status, body) = import(&app, &token, "format=aiken&bank=Sums", &file).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let details = body["error"]["details"].as_array().expect("details");
    assert_eq!(details.len(), 1, "{body}");
    // Five lines a question: stem, two choices, ANSWER, blank.
    assert_eq!(details[0]["line"], 57 * 5 + 4);
    assert!(details[0]["message"].as_str().unwrap_or_default().contains('E'));
    assert_eq!(counts(&app), (0, 0));
    let (_, banks) = app.get_json("/api/v1/banks", Some(&token)).await;
    assert_eq!(banks, serde_json::json!({"items": [], "next_after": null}));
}

#[actix_web::test]
async fn a_dry_run_reports_the_counts_and_writes_nothing() {
    let app = spawn_app().await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    let (status, report) = import(&app, &token, "format=toml&dry_run=true", SMALL_TOML).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["created"], 2);
    assert_eq!(report["dry_run"], true);
    assert_eq!(counts(&app), (0, 0));
}

/// Exports a bank from the database through every writer and imports each
/// export again: nothing may change.
async fn assert_exports_reimport_unchanged(app: &TestApp, token: &str, bank: &str, bank_id: i64, total: u64) {
    let mut conn = app.state.pool.get().expect("conn");
    let exported = assay::banks::service::export(&mut conn, assay::db::BankId(bank_id as i32)).expect("export");
    drop(conn);
    for (format, text) in [
        ("toml", assay::banks::formats::write_toml(bank, &exported)),
        ("gift", assay::banks::formats::write_gift(&exported)),
        ("moodle_xml", assay::banks::formats::write_moodle_xml(&exported)),
    ] {
        let (status, again) = import(app, token, &format!("format={format}&bank={bank}"), &text).await;
        assert_eq!(status, StatusCode::OK, "{bank} {format}: {again}");
        assert_eq!(again["unchanged"].as_u64(), Some(total), "{bank} {format}: {again}");
        assert_eq!(again["created"], 0, "{bank} {format}");
        assert_eq!(again["updated"], 0, "{bank} {format}");
    }
}

#[actix_web::test]
async fn every_shipped_bank_reimports_unchanged_through_every_writer() {
    let app = spawn_app_with(|c| c.max_upload_bytes = 10 * 1024 * 1024).await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    let mut files: Vec<_> = std::fs::read_dir("question_banks")
        .expect("question_banks")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 7);
    for (n, path) in files.iter().enumerate() {
        let shipped = std::fs::read_to_string(path).expect("shipped bank");
        let bank = format!("Round{n}");
        let (status, first) = import(&app, &token, &format!("format=toml&bank={bank}"), &shipped).await;
        assert_eq!(status, StatusCode::OK, "{}: {first}", path.display());
        let total = first["created"].as_u64().expect("created");
        let bank_id = first["bank_id"].as_i64().expect("id");
        assert_exports_reimport_unchanged(&app, &token, &bank, bank_id, total).await;
    }
}

const MOODLE_FIXTURES: &str = "src/banks/formats/tests/moodle";

fn moodle_fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{MOODLE_FIXTURES}/{name}")).expect("fixture")
}

#[actix_web::test]
async fn what_moodle_keeps_beside_the_key_survives_storage_and_every_export() {
    let app = spawn_app().await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    let mut names: Vec<String> = std::fs::read_dir(MOODLE_FIXTURES)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n != "only_description.gift")
        .collect();
    names.sort();
    for (n, name) in names.iter().enumerate() {
        let text = moodle_fixture(name);
        let format = if name.ends_with(".xml") { "moodle_xml" } else { "gift" };
        let bank = format!("Moodle{n}");
        let query = format!("format={format}&bank={bank}&skip_unsupported=true");
        let (status, first) = import(&app, &token, &query, &text).await;
        assert_eq!(status, StatusCode::OK, "{name}: {first}");
        let bank_id = first["bank_id"].as_i64().expect("id");
        // What the database gives back is what the file said.
        let read = assay::banks::formats::read(
            assay::banks::formats::Format::parse(format).expect("format"),
            &text,
            &assay::banks::formats::ParseOptions { skip_unsupported: true },
        );
        let mut conn = app.state.pool.get().expect("conn");
        let stored = assay::banks::service::export(&mut conn, assay::db::BankId(bank_id as i32)).expect("export");
        drop(conn);
        let without_line = |qs: &[assay::banks::question::ParsedQuestion]| {
            qs.iter()
                .cloned()
                .map(|q| assay::banks::question::ParsedQuestion { line: 0, ..q })
                .collect::<Vec<_>>()
        };
        assert_eq!(without_line(&stored), without_line(&read.questions), "{name}");
        let total = first["created"].as_u64().expect("created");
        assert_exports_reimport_unchanged(&app, &token, &bank, bank_id, total).await;
    }
}

#[actix_web::test]
async fn questions_sharing_a_stem_are_all_kept_and_reimport_unchanged() {
    let app = spawn_app().await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    let gift = moodle_fixture("same_stem.gift");
    let (status, first) = import(&app, &token, "format=gift&bank=Verbal", &gift).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["created"], 3, "{first}");
    assert_eq!(first["warnings"][0]["line"], 6, "{first}");
    let (status, second) = import(&app, &token, "format=gift&bank=Verbal", &gift).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["unchanged"], 3, "{second}");
    // Editing the second of the twins updates it, not the first.
    let edited = gift.replace("{=open ~guarded ~vague}", "{=open ~guarded ~hazy}");
    let (_, third) = import(&app, &token, "format=gift&bank=Verbal", &edited).await;
    assert_eq!(
        (third["updated"].as_u64(), third["unchanged"].as_u64()),
        (Some(1), Some(2)),
        "{third}"
    );
    assert_eq!(counts(&app), (3, 4));
}

#[actix_web::test]
async fn a_gift_id_line_makes_an_edited_stem_update_its_question() {
    let app = spawn_app().await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    let gift = moodle_fixture("id_and_tags.gift");
    let (status, first) = import(&app, &token, "format=gift&bank=Insurance", &gift).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let edited = gift.replace(
        "means claims exceeded premiums",
        "means the insurer paid out more than it took in",
    );
    let (status, second) = import(&app, &token, "format=gift&bank=Insurance", &edited).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(
        (
            second["created"].as_u64(),
            second["updated"].as_u64(),
            second["unchanged"].as_u64()
        ),
        (Some(0), Some(1), Some(1)),
        "{second}"
    );
    assert_eq!(counts(&app), (2, 3));
}

#[actix_web::test]
async fn skip_unsupported_imports_the_rest_despite_warnings_and_refused_grades() {
    let app = spawn_app().await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    let xml = moodle_fixture("refused_grade.xml");
    let (status, refused) = import(&app, &token, "format=moodle_xml&bank=Grades", &xml).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["details"][0]["line"], 7, "{refused}");
    assert_eq!(counts(&app), (0, 0));
    let (status, report) = import(
        &app,
        &token,
        "format=moodle_xml&bank=Grades&skip_unsupported=true",
        &xml,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(report["warnings"][0]["line"], 7, "{report}");
}

#[actix_web::test]
async fn only_trainers_and_admins_reach_banks() {
    let app = spawn_app().await;
    let (_, candidate) = app.candidate("c@example.com").await;
    let (_, recruiter) = app.staff("r@example.com", Role::Recruiter).await;
    let (_, admin) = app.staff("a@example.com", Role::Admin).await;
    for token in [&candidate, &recruiter] {
        assert_eq!(
            import(&app, token, "format=toml", SMALL_TOML).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get_json("/api/v1/banks", Some(token)).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get_json("/api/v1/banks/1/questions", Some(token)).await.0,
            StatusCode::FORBIDDEN
        );
        let page = app
            .client
            .get(app.url("/banks"))
            .bearer_auth(token)
            .send()
            .await
            .expect("get");
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(import(&app, &admin, "format=toml", SMALL_TOML).await.0, StatusCode::OK);
    assert_eq!(counts(&app), (2, 2));
}

#[actix_web::test]
async fn an_oversized_upload_gets_413_and_writes_nothing() {
    let app = spawn_app_with(|c| c.max_upload_bytes = 2048).await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    let big = SMALL_TOML.repeat(10);
    let (status, body) = import(&app, &token, "format=toml", &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("MiB"));
    assert_eq!(counts(&app), (0, 0));
}

#[actix_web::test]
async fn bad_files_are_refused_with_a_clear_reason() {
    let app = spawn_app().await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    let (status, empty) = import(&app, &token, "format=gift", "  \n\n").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{empty}");
    let mut res = app
        .client
        .post(app.url("/api/v1/banks/import?format=gift"))
        .bearer_auth(&token)
        .send_body(vec![b'Q', b'?', b'{', 0xff, 0xfe, b'}'])
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = crate::helpers::json_body(&mut res).await;
    assert_eq!(body["error"]["details"][0]["line"], 1, "{body}");
    let dtd = "<?xml version=\"1.0\"?>\n<!DOCTYPE quiz [<!ENTITY x \"boom\">]>\n<quiz></quiz>";
    let (status, body) = import(&app, &token, "format=moodle_xml", dtd).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = import(&app, &token, "format=pdf", SMALL_TOML).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["field"], "format");
    assert_eq!(counts(&app), (0, 0));
}

#[actix_web::test]
async fn gift_matching_is_unsupported_on_its_line_unless_the_trainer_skips_it() {
    let app = spawn_app().await;
    let (_, token) = app.staff("t@example.com", Role::Trainer).await;
    let gift = "::Capital:: What is the capital of France? {=Paris ~Lyon ~Nice}\n\n\
                ::Match:: Match the pairs. {=a -> 1 =b -> 2 =c -> 3}\n\n\
                ::TF:: The sun is a star. {T}\n";
    let (status, body) = import(&app, &token, "format=gift&bank=Mixed", gift).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["line"], 3, "{body}");
    let (status, report) = import(&app, &token, "format=gift&bank=Mixed&skip_unsupported=true", gift).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 2);
    assert_eq!(report["warnings"][0]["line"], 3);
}

#[actix_web::test]
async fn every_shipped_bank_imports_clean_with_at_least_forty_questions() {
    let app = spawn_app_with(|c| c.max_upload_bytes = 10 * 1024 * 1024).await;
    let mut files: Vec<_> = std::fs::read_dir("question_banks")
        .expect("question_banks")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 7,
        "expected the seven required banks, found {}",
        files.len()
    );
    let embedded: Vec<&str> = assay::banks::cli::SHIPPED.iter().map(|(name, _)| *name).collect();
    let on_disk: Vec<String> = files
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert_eq!(
        embedded, on_disk,
        "every bank in question_banks/ is built into the binary"
    );
    let reports = assay::banks::cli::import_shipped(&app.state)
        .unwrap_or_else(|e| panic!("shipped banks must import clean: {e:?}"));
    for (path, report) in files.iter().zip(&reports) {
        assert!(
            report.created >= 40,
            "{} has {} questions",
            path.display(),
            report.created
        );
        assert!(report.warnings.is_empty(), "{}: {:?}", path.display(), report.warnings);
    }
}

#[actix_web::test]
async fn the_cli_reports_errors_as_file_and_line_and_exits_non_zero() {
    let dir = std::env::temp_dir().join(format!("assay-cli-{}", &assay::tokens::random_token()[..8]));
    std::fs::create_dir_all(&dir).expect("dir");
    let bad = dir.join("bad.txt");
    std::fs::write(&bad, "What is 2+2?\nA. 3\nB. 4\nANSWER: C\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["bank", "import"])
        .arg(&bad)
        .args(["--format", "aiken"])
        .env("DATABASE_URL", format!("sqlite://{}", dir.join("cli.db").display()))
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{}:4:", bad.display())), "{stderr}");
    let good = dir.join("good.txt");
    std::fs::write(&good, "What is 2+2?\nA. 3\nB. 4\nANSWER: B\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["bank", "import"])
        .arg(&good)
        .args(["--bank", "Sums"])
        .env("DATABASE_URL", format!("sqlite://{}", dir.join("cli.db").display()))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 created"));
    let export = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["bank", "export", "Sums", "--format", "gift"])
        .env("DATABASE_URL", format!("sqlite://{}", dir.join("cli.db").display()))
        .output()
        .expect("run");
    assert!(export.status.success());
    assert!(String::from_utf8_lossy(&export.stdout).contains("What is 2+2?"));
    let export = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["bank", "export", "Sums", "--format", "moodle_xml"])
        .env("DATABASE_URL", format!("sqlite://{}", dir.join("cli.db").display()))
        .output()
        .expect("run");
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let xml = String::from_utf8_lossy(&export.stdout);
    assert!(xml.contains("<question type=\"multichoice\">"), "{xml}");
    assert!(xml.contains("What is 2+2?"), "{xml}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn multipart(fields: &[(&str, &str)], file: (&str, &str)) -> (String, String) {
    let boundary = "assay-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n{}\r\n--{boundary}--\r\n",
        file.0, file.1
    ));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[actix_web::test]
async fn a_trainer_previews_an_upload_confirms_it_edits_a_question_and_retires_it() {
    let app = spawn_app().await;
    app.staff("t@example.com", Role::Trainer).await;
    let mut browser = app.browser();
    let signin = browser.get("/signin").await;
    browser
        .post_form(
            "/signin",
            &[
                ("csrf_token", &signin.csrf()),
                ("email", "t@example.com"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    let list = browser.get("/banks").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("No banks yet"));

    let cookie = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let (content_type, body) = multipart(
        &[("csrf_token", &list.csrf()), ("format", "auto")],
        ("quant.toml", SMALL_TOML),
    );
    let mut res = app
        .client
        .post(app.url("/banks/upload"))
        .insert_header(("Cookie", cookie.clone()))
        .insert_header(("Content-Type", content_type.clone()))
        .send_body(body)
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::OK);
    let preview = String::from_utf8_lossy(&res.body().await.expect("body")).to_string();
    assert!(preview.contains("New questions</th><td>2"), "{preview}");
    assert_eq!(counts(&app), (0, 0), "a preview writes no question");
    let start = preview.find("/banks/imports/").expect("confirm form") + "/banks/imports/".len();
    let id: String = preview[start..].chars().take_while(|c| c.is_ascii_digit()).collect();
    let applied = browser
        .post_form(&format!("/banks/imports/{id}/apply"), &[("csrf_token", &list.csrf())])
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    assert_eq!(counts(&app), (2, 2));
    let again = browser
        .post_form(&format!("/banks/imports/{id}/apply"), &[("csrf_token", &list.csrf())])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a preview applies once");

    let bank_page = browser.get(applied.location.as_deref().expect("location")).await;
    let start = bank_page.body.find("/questions/").expect("question link") + "/questions/".len();
    let qid: String = bank_page.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let bank_path = applied
        .location
        .as_deref()
        .and_then(|l| l.split('?').next())
        .expect("bank path")
        .to_string();
    let question = browser.get(&format!("{bank_path}/questions/{qid}")).await;
    assert_eq!(question.status, StatusCode::OK);
    let marker = "spellcheck=\"false\">";
    let start = question.body.find(marker).expect("edit box") + marker.len();
    let end = question.body[start..].find("</textarea>").expect("end") + start;
    let toml = question.body[start..end]
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let edited = toml.replace("difficulty = \"easy\"", "difficulty = \"hard\"");
    assert_ne!(edited, toml, "the edit box holds the question's TOML: {toml}");
    let saved = browser
        .post_form(
            &format!("{bank_path}/questions/{qid}/edit"),
            &[("csrf_token", &list.csrf()), ("toml", &edited)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(counts(&app), (2, 3), "an edit makes one new version");
    let unchanged = browser
        .post_form(
            &format!("{bank_path}/questions/{qid}/edit"),
            &[("csrf_token", &list.csrf()), ("toml", &edited)],
        )
        .await;
    assert_eq!(
        unchanged.location.as_deref(),
        Some(format!("{bank_path}/questions/{qid}?saved=0").as_str())
    );
    assert_eq!(counts(&app), (2, 3));

    let retired = browser
        .post_form(
            &format!("{bank_path}/questions/{qid}/retire"),
            &[("csrf_token", &list.csrf()), ("retired", "1")],
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    let after = browser.get(&bank_path).await;
    assert!(
        !after.body.contains(&format!("/questions/{qid}\"")),
        "a retired question leaves the list"
    );
    assert_eq!(counts(&app), (2, 3), "retiring keeps every version");
}
