//! Images in questions: imported from Moodle XML in both of Moodle's forms,
//! stored once per content, served only to people allowed to see a question
//! that shows them, and written back into Moodle XML.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::attempts::{applicant, drive_over, start};
use crate::helpers::{json_body, TestApp};

/// The smallest valid PNG: one transparent pixel.
const PIXEL_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn pixel() -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(PIXEL_PNG)
        .expect("png")
}

fn sha_of(bytes: &[u8]) -> String {
    assay::banks::images::sha256(bytes)
}

/// Moodle 2's form (a `<file>` the text names with `@@PLUGINFILE@@`) and
/// Moodle 1.9's (`<image>` with `<image_base64>`), showing the same picture.
fn moodle_file() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse">
    <name><text>Chart</text></name>
    <questiontext format="html"><text><![CDATA[<p>The chart rises: <img src="@@PLUGINFILE@@/rising%20chart.png" alt="chart"></p>]]></text>
      <file name="rising chart.png" path="/" encoding="base64">{PIXEL_PNG}</file>
    </questiontext>
    <defaultgrade>1</defaultgrade>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="truefalse">
    <name><text>Old chart</text></name>
    <questiontext format="html"><text><![CDATA[<p>Moodle 1.9 kept this picture apart.</p>]]></text></questiontext>
    <image>course/images/old chart.png</image>
    <image_base64>{PIXEL_PNG}</image_base64>
    <defaultgrade>1</defaultgrade>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
</quiz>
"#
    )
}

async fn import_moodle(app: &TestApp, token: &str, bank_name: &str, xml: &str) -> Value {
    let mut res = app
        .client
        .post(app.url(&format!("/api/v1/banks/import?format=moodle_xml&bank={bank_name}")))
        .bearer_auth(token)
        .send_body(xml.to_owned())
        .await
        .expect("import");
    let body = json_body(&mut res).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}");
    body
}

async fn stems_shown(app: &TestApp, token: &str, bank_id: i64) -> Vec<String> {
    let (status, body) = app
        .get_json(&format!("/api/v1/banks/{bank_id}/questions"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|q| q["stem_shown"]["html"].as_str().expect("html").to_owned())
        .collect()
}

fn stored_images(app: &TestApp) -> Vec<(String, String, i32)> {
    use assay::db::schema::images;
    use diesel::prelude::*;
    let mut conn = app.state.pool.get().expect("conn");
    images::table
        .select((images::sha256, images::content_type, images::size))
        .load(&mut *conn)
        .expect("images")
}

async fn get_image(
    app: &TestApp,
    sha: &str,
    token: Option<&str>,
) -> (StatusCode, awc::http::header::HeaderMap, Vec<u8>) {
    let mut req = app.client.get(app.url(&format!("/images/{sha}")));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let mut res = req.send().await.expect("get image");
    let body = res.body().await.expect("body").to_vec();
    (res.status(), res.headers().clone(), body)
}

#[actix_web::test]
async fn moodle_images_in_both_forms_are_imported_once_shown_and_exported_back_as_files() {
    let app = crate::helpers::spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", assay::db::Role::Trainer).await;
    let report = import_moodle(&app, &trainer, "Charts", &moodle_file()).await;
    assert_eq!(report["created"], 2, "{report}");
    let bank_id = report["bank_id"].as_i64().expect("bank id");

    // The same picture twice is stored once, under its content's hash.
    let sha = sha_of(&pixel());
    assert_eq!(
        stored_images(&app),
        vec![(sha.clone(), "image/png".to_owned(), pixel().len() as i32)]
    );
    let stems = stems_shown(&app, &trainer, bank_id).await;
    for stem in &stems {
        assert!(stem.contains(&format!(r#"<img src="/images/{sha}""#)), "{stem}");
        assert!(!stem.contains("@@PLUGINFILE@@"), "{stem}");
    }
    let (status, headers, body) = get_image(&app, &sha, Some(&trainer)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, pixel());
    assert_eq!(headers.get("content-type").unwrap(), "image/png");

    // Exported to Moodle XML, each text carries its file again, and a
    // re-import reads the same questions.
    let exported = {
        let mut conn = app.state.pool.get().expect("conn");
        let mut questions =
            assay::banks::service::export(&mut conn, assay::db::BankId(bank_id as i32)).expect("export");
        assay::banks::images::store::embed_for_moodle(&mut conn, &mut questions).expect("embed");
        assay::banks::formats::write_moodle_xml(&questions)
    };
    assert_eq!(exported.matches("encoding=\"base64\"").count(), 2, "{exported}");
    assert!(
        exported.contains(r#"<file name="rising chart.png" path="/" encoding="base64">"#),
        "{exported}"
    );
    assert!(
        exported.contains(r#"<file name="old chart.png" path="/" encoding="base64">"#),
        "{exported}"
    );
    let again = import_moodle(&app, &trainer, "Charts", &exported).await;
    assert_eq!(
        (again["created"].clone(), again["updated"].clone()),
        (json!(0), json!(0)),
        "{again}"
    );
    assert_eq!(stored_images(&app).len(), 1);
}

#[actix_web::test]
async fn a_file_that_is_no_image_is_kept_for_export_but_never_served() {
    let app = crate::helpers::spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", assay::db::Role::Trainer).await;
    // An SVG with a script, named as a PNG.
    let svg = "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4=";
    let xml = moodle_file()
        .replacen(PIXEL_PNG, svg, 1)
        .replace("<image>course/images/old chart.png</image>", "");
    let report = import_moodle(&app, &trainer, "Sneaky", &xml).await;
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("rising chart.png") && warnings.contains("SVG"),
        "{warnings}"
    );
    let bank_id = report["bank_id"].as_i64().expect("bank id");
    let stems = stems_shown(&app, &trainer, bank_id).await;
    assert!(
        stems.iter().any(|s| s.contains("@@PLUGINFILE@@/rising%20chart.png")),
        "{stems:?}"
    );
    // Only the real picture (Moodle 1.9's) is stored.
    assert_eq!(stored_images(&app).len(), 1);
}

#[actix_web::test]
async fn uploads_are_checked_by_content_and_the_same_bytes_are_stored_once() {
    let app = crate::helpers::spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", assay::db::Role::Trainer).await;
    let (_, candidate) = app.candidate("ann@example.com").await;
    let upload = |token: String, bytes: Vec<u8>| {
        let app = &app;
        async move {
            let mut res = app
                .client
                .post(app.url("/api/v1/images"))
                .bearer_auth(token)
                .send_body(bytes)
                .await
                .expect("upload");
            let body = json_body(&mut res).await;
            (res.status(), body)
        }
    };
    let (status, first) = upload(trainer.clone(), pixel()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let sha = sha_of(&pixel());
    assert_eq!(first["sha256"], sha.as_str());
    assert_eq!(first["url"], format!("/images/{sha}"));
    let (status, second) = upload(trainer.clone(), pixel()).await;
    assert_eq!((status, &second), (StatusCode::CREATED, &first));
    assert_eq!(stored_images(&app).len(), 1);

    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec();
    let (status, refused) = upload(trainer.clone(), svg).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("SVG"),
        "{refused}"
    );
    let (status, refused) = upload(trainer.clone(), b"%PDF-1.4 not an image".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _) = upload(candidate, pixel()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(stored_images(&app).len(), 1);
}

#[actix_web::test]
async fn an_image_is_served_only_to_staff_and_to_candidates_whose_attempt_shows_it() {
    let app = crate::helpers::spawn_app().await;
    let (_, uploader) = app.staff("uploader@example.com", assay::db::Role::Trainer).await;
    let mut res = app
        .client
        .post(app.url("/api/v1/images"))
        .bearer_auth(&uploader)
        .send_body(pixel())
        .await
        .expect("upload");
    let saved = json_body(&mut res).await;
    let url = saved["url"].as_str().expect("url").to_owned();
    let sha = saved["sha256"].as_str().expect("sha").to_owned();
    let toml = format!(
        r#"[bank]
name = "Charts"

[[question]]
id = "chart-1"
type = "true_false"
stem = "The chart rises.\n\n![A rising line]({url})"
answer = true
"#
    );
    let drive = drive_over(&app, &toml, 1, json!({})).await;

    let (_, taker, _) = applicant(&app, "taker@example.com", &drive, 80.0).await;
    let (_, bystander, _) = applicant(&app, "bystander@example.com", &drive, 80.0).await;
    // Before any attempt, no candidate may see it.
    assert_eq!(get_image(&app, &sha, Some(&taker)).await.0, StatusCode::NOT_FOUND);
    let (status, attempt) = start(&app, &taker, drive.assessment_id).await;
    assert!(status.is_success(), "{attempt}");
    let shown = attempt.to_string();
    assert!(shown.contains(&url), "the attempt shows the image: {shown}");

    let (status, headers, body) = get_image(&app, &sha, Some(&taker)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, pixel());
    assert_eq!(headers.get("content-type").unwrap(), "image/png");
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    let cache = headers.get("cache-control").unwrap().to_str().unwrap();
    assert!(cache.contains("immutable") && cache.contains("private"), "{cache}");

    // Another candidate, a stranger and a made-up address all hear the same.
    assert_eq!(get_image(&app, &sha, Some(&bystander)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_image(&app, &sha, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        get_image(&app, "../../etc/passwd", Some(&drive.trainer)).await.0,
        StatusCode::NOT_FOUND
    );
    // Staff see it.
    assert_eq!(get_image(&app, &sha, Some(&drive.recruiter)).await.0, StatusCode::OK);

    // After submitting, the taker can still see what their attempt showed.
    let attempt_id = attempt["attempt_id"].as_i64().expect("attempt id");
    let (status, body) = app
        .post_json(
            &format!("/api/v1/attempts/{attempt_id}/submit"),
            &json!({}),
            Some(&taker),
        )
        .await;
    assert!(status.is_success(), "{body}");
    assert_eq!(get_image(&app, &sha, Some(&taker)).await.0, StatusCode::OK);
}

/// Two more pictures, GIFs of one pixel in other colours, so each text
/// shows its own image.
const GREEN_GIF: &str = "R0lGODlhAQABAIAAAACAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==";
const BLUE_GIF: &str = "R0lGODlhAQABAIAAAAAAyP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==";

fn decoded(base64_text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(base64_text)
        .expect("base64")
}

/// A Moodle question with a picture in an option, another in that option's
/// feedback and a third in the general feedback, as Moodle exports them.
fn moodle_option_images() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>Trend</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which chart shows a rising trend?</p>]]></text></questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>Read the slope: <img src="@@PLUGINFILE@@/guide.gif" alt="guide"></p>]]></text>
      <file name="guide.gif" path="/" encoding="base64">{BLUE_GIF}</file>
    </generalfeedback>
    <defaultgrade>1</defaultgrade>
    <idnumber>chart-trend</idnumber>
    <single>true</single>
    <answer fraction="100" format="html">
      <text><![CDATA[<p><img src="@@PLUGINFILE@@/rising.png" alt="rising line"></p>]]></text>
      <file name="rising.png" path="/" encoding="base64">{PIXEL_PNG}</file>
      <feedback format="html">
        <text><![CDATA[<p>Yes <img src="@@PLUGINFILE@@/tick.gif" alt="tick"></p>]]></text>
        <file name="tick.gif" path="/" encoding="base64">{GREEN_GIF}</file>
      </feedback>
    </answer>
    <answer fraction="0" format="html">
      <text><![CDATA[<p>A flat line</p>]]></text>
    </answer>
  </question>
</quiz>
"#
    )
}

/// The bank's questions exported to Moodle XML, stored images embedded.
fn moodle_export(app: &TestApp, bank_id: i64) -> String {
    let mut conn = app.state.pool.get().expect("conn");
    let mut questions = assay::banks::service::export(&mut conn, assay::db::BankId(bank_id as i32)).expect("export");
    assay::banks::images::store::embed_for_moodle(&mut conn, &mut questions).expect("embed");
    assay::banks::formats::write_moodle_xml(&questions)
}

/// A test of one question drawn from `bank_id`, and a drive over it.
async fn drive_over_bank(app: &TestApp, trainer: String, bank_id: i64) -> crate::attempts::Drive {
    let (_, recruiter) = app.staff("recruiter@example.com", assay::db::Role::Recruiter).await;
    let assessment_id = crate::attempts::assessment(
        app,
        &trainer,
        json!({"title": "Charts", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50.0,
               "sections": [{"name": "Charts", "bank_id": bank_id, "count": 1}]}),
    )
    .await;
    crate::attempts::finance_drive(app, "Charts drive", (trainer, recruiter), bank_id, assessment_id).await
}

#[actix_web::test]
async fn images_in_options_and_feedback_are_imported_shown_only_where_their_text_is_and_survive_a_round_trip() {
    let app = crate::helpers::spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", assay::db::Role::Trainer).await;
    let report = import_moodle(&app, &trainer, "Charts", &moodle_option_images()).await;
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(report["warnings"], json!([]), "{report}");
    let bank_id = report["bank_id"].as_i64().expect("bank id");
    let rising = sha_of(&pixel());
    let tick = sha_of(&decoded(GREEN_GIF));
    let guide = sha_of(&decoded(BLUE_GIF));
    let mut stored: Vec<String> = stored_images(&app).into_iter().map(|(sha, _, _)| sha).collect();
    stored.sort();
    let mut expected = vec![rising.clone(), tick.clone(), guide.clone()];
    expected.sort();
    assert_eq!(stored, expected);

    // Staff read every text with its image: over the API and on the
    // question's page.
    let (status, listed) = app
        .get_json(&format!("/api/v1/banks/{bank_id}/questions"), Some(&trainer))
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let question = &listed["items"][0];
    let image = |sha: &str| format!(r#"src="/images/{sha}""#);
    let option = question["options_shown"][0]["html"].as_str().expect("option");
    assert!(option.contains(&image(&rising)), "{option}");
    let feedback = question["feedback_shown"][0]["html"].as_str().expect("feedback");
    assert!(feedback.contains(&image(&tick)), "{feedback}");
    let explanation = question["explanation_shown"]["html"].as_str().expect("explanation");
    assert!(explanation.contains(&image(&guide)), "{explanation}");
    for shown in ["stem_shown", "options_shown", "feedback_shown", "explanation_shown"] {
        let html = question[shown].to_string();
        assert!(!html.contains("@@PLUGINFILE@@"), "{shown}: {html}");
    }
    let mut browser = crate::helpers::signed_in(&app, "trainer@example.com").await;
    let page = browser
        .get(&format!("/banks/{bank_id}/questions/{}", question["id"]))
        .await;
    for sha in [&rising, &tick, &guide] {
        assert!(page.body.contains(&image(sha)), "{sha} missing from\n{}", page.body);
    }

    // A candidate taking the test sees the option's picture, and may fetch
    // it; the feedback's pictures are never shown to candidates, so theirs
    // are refused, as every picture is to a candidate who has not started.
    let drive = drive_over_bank(&app, trainer.clone(), bank_id).await;
    let (_, taker, _) = applicant(&app, "taker@example.com", &drive, 80.0).await;
    let (_, bystander, _) = applicant(&app, "bystander@example.com", &drive, 80.0).await;
    let (status, attempt) = start(&app, &taker, drive.assessment_id).await;
    assert!(status.is_success(), "{attempt}");
    let seen = attempt["questions"].to_string();
    assert!(seen.contains(&format!("/images/{rising}")), "{seen}");
    assert!(!seen.contains(&tick) && !seen.contains(&guide), "{seen}");
    let (status, _, body) = get_image(&app, &rising, Some(&taker)).await;
    assert_eq!((status, body), (StatusCode::OK, pixel()));
    for sha in [&tick, &guide] {
        assert_eq!(get_image(&app, sha, Some(&taker)).await.0, StatusCode::NOT_FOUND);
        assert_eq!(get_image(&app, sha, Some(&trainer)).await.0, StatusCode::OK);
    }
    assert_eq!(
        get_image(&app, &rising, Some(&bystander)).await.0,
        StatusCode::NOT_FOUND
    );

    // Exported, each picture rides in its own element; imported again,
    // nothing changes and each picture is still stored once.
    let exported = moodle_export(&app, bank_id);
    for part in [
        format!(
            r#"alt="rising line"></p>]]></text><file name="rising.png" path="/" encoding="base64">{PIXEL_PNG}</file>"#
        ),
        format!(
            r#"alt="tick"></p>]]></text><file name="tick.gif" path="/" encoding="base64">{GREEN_GIF}</file></feedback>"#
        ),
        format!(
            r#"alt="guide"></p>]]></text><file name="guide.gif" path="/" encoding="base64">{BLUE_GIF}</file></generalfeedback>"#
        ),
    ] {
        assert!(exported.contains(&part), "{part} missing from\n{exported}");
    }
    let again = import_moodle(&app, &trainer, "Charts", &exported).await;
    assert_eq!(
        (&again["created"], &again["updated"], &again["unchanged"]),
        (&json!(0), &json!(0), &json!(1)),
        "{again}"
    );
    assert_eq!(stored_images(&app).len(), 3);
    let (_, listed_again) = app
        .get_json(&format!("/api/v1/banks/{bank_id}/questions"), Some(&trainer))
        .await;
    assert_eq!(listed_again["items"], listed["items"]);
}

#[actix_web::test]
async fn an_image_uploaded_for_an_option_is_exported_inside_that_option_and_reimports_unchanged() {
    let app = crate::helpers::spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", assay::db::Role::Trainer).await;
    let mut res = app
        .client
        .post(app.url("/api/v1/images"))
        .bearer_auth(&trainer)
        .send_body(pixel())
        .await
        .expect("upload");
    let saved = json_body(&mut res).await;
    let url = saved["url"].as_str().expect("url").to_owned();
    let sha = saved["sha256"].as_str().expect("sha").to_owned();
    let toml = format!(
        r#"[bank]
name = "Uploads"

[[question]]
id = "chart-up"
type = "single_choice"
stem = "Which line rises?"
options = ["![rising line]({url})", "A flat line"]
answer = "A"
explanation = "Read the slope: ![the same line]({url})"
"#
    );
    let bank_id = crate::attempts::bank(&app, &trainer, &toml).await;

    let exported = moodle_export(&app, bank_id);
    let file = format!(r#"<file name="{sha}.png" path="/" encoding="base64">{PIXEL_PNG}</file>"#);
    assert!(
        exported.contains(&format!(
            "![rising line](@@PLUGINFILE@@/{sha}.png)]]></text>{file}</answer>"
        )),
        "{exported}"
    );
    assert!(exported.contains(&format!("{file}</generalfeedback>")), "{exported}");
    assert!(!exported.contains(&url), "{exported}");

    let again = import_moodle(&app, &trainer, "Uploads", &exported).await;
    assert_eq!(
        (&again["created"], &again["updated"], &again["unchanged"]),
        (&json!(0), &json!(0), &json!(1)),
        "{again}"
    );
    // Into an empty bank (another Assay), the file is stored and shown.
    {
        use assay::db::schema::images;
        use diesel::prelude::*;
        let mut conn = app.state.pool.get().expect("conn");
        diesel::delete(assay::db::schema::version_images::table)
            .execute(&mut *conn)
            .expect("unlink");
        diesel::delete(images::table).execute(&mut *conn).expect("forget");
    }
    let elsewhere = import_moodle(&app, &trainer, "Elsewhere", &exported).await;
    assert_eq!(elsewhere["created"], 1, "{elsewhere}");
    assert_eq!(stored_images(&app).len(), 1);
    let (_, listed) = app
        .get_json(
            &format!("/api/v1/banks/{}/questions", elsewhere["bank_id"]),
            Some(&trainer),
        )
        .await;
    let option = listed["items"][0]["options_shown"][0]["html"].as_str().expect("option");
    assert!(option.contains(&format!(r#"src="{url}""#)), "{option}");
}

/// A download's status, content type, file name and text.
async fn download(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String, String, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let mut res = req.send().await.expect("download");
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let body = res.body().limit(16 << 20).await.expect("body");
    (
        res.status(),
        content_type,
        disposition,
        String::from_utf8(body.to_vec()).expect("utf-8"),
    )
}

#[actix_web::test]
async fn a_trainer_downloads_a_bank_as_moodle_xml_gift_or_toml_and_the_moodle_file_reimports_unchanged() {
    let app = crate::helpers::spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", assay::db::Role::Trainer).await;
    let report = import_moodle(&app, &trainer, "Motor%20claims%3A%20set%20A", &moodle_option_images()).await;
    let bank_id = report["bank_id"].as_i64().expect("bank id");

    // Over the API: Moodle XML with every picture embedded in its element.
    let (status, content_type, disposition, xml) = download(
        &app,
        &format!("/api/v1/banks/{bank_id}/export?format=moodle_xml"),
        Some(&trainer),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    assert_eq!(content_type, "application/xml; charset=utf-8");
    assert_eq!(disposition, "attachment; filename=\"motor-claims-set-a.xml\"");
    assert_eq!(xml, moodle_export(&app, bank_id), "the download is the export");
    assert!(xml.contains("encoding=\"base64\""), "{xml}");
    let again = import_moodle(&app, &trainer, "Motor%20claims%3A%20set%20A", &xml).await;
    assert_eq!(
        (again["created"].clone(), again["updated"].clone()),
        (json!(0), json!(0)),
        "{again}"
    );

    // From the bank page: its links, and the same files as the API's.
    let mut browser = crate::helpers::signed_in(&app, "trainer@example.com").await;
    let page = browser.get(&format!("/banks/{bank_id}")).await;
    for format in ["moodle_xml", "gift", "toml"] {
        assert!(
            page.body.contains(&format!("/banks/{bank_id}/export/{format}")),
            "no {format} link: {}",
            page.body
        );
    }
    let gift = browser.get(&format!("/banks/{bank_id}/export/gift")).await;
    assert_eq!(gift.status, StatusCode::OK, "{}", gift.body);
    let (_, gift_type, gift_name, api_gift) = download(
        &app,
        &format!("/api/v1/banks/{bank_id}/export?format=gift"),
        Some(&trainer),
    )
    .await;
    assert_eq!(
        (gift_type.as_str(), gift_name.as_str()),
        (
            "text/plain; charset=utf-8",
            "attachment; filename=\"motor-claims-set-a.gift.txt\""
        )
    );
    assert_eq!(gift.body, api_gift);
    assert!(api_gift.contains("::"), "{api_gift}");
    let (status, toml_type, _, toml) = download(
        &app,
        &format!("/api/v1/banks/{bank_id}/export?format=toml"),
        Some(&trainer),
    )
    .await;
    assert_eq!(
        (status, toml_type.as_str()),
        (StatusCode::OK, "application/toml; charset=utf-8")
    );
    assert!(
        toml.contains("[[question]]") || toml.contains("[[questions]]"),
        "{toml}"
    );

    // A format a bank does not export to, a bank that does not exist, and
    // people who may not export: each told, nothing written.
    let (status, _, _, body) = download(
        &app,
        &format!("/api/v1/banks/{bank_id}/export?format=csv"),
        Some(&trainer),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("moodle_xml, gift or toml"), "{body}");
    let (status, _, _, _) = download(&app, "/api/v1/banks/999999/export?format=gift", Some(&trainer)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, candidate) = app.candidate("asha@example.com").await;
    let (status, _, _, _) = download(
        &app,
        &format!("/api/v1/banks/{bank_id}/export?format=gift"),
        Some(&candidate),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _, _) = download(&app, &format!("/api/v1/banks/{bank_id}/export?format=gift"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
