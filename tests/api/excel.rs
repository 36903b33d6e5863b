//! The Excel downloads, opened with a reader library (calamine) and checked
//! cell by cell; the sheet's layout (frozen header, widths, filter) read
//! from the file's XML with Python's zipfile, a second independent reader.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};
use crate::rankings::{finance, setup, takes};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn download(app: &TestApp, path: &str, token: &str) -> Vec<u8> {
    let mut res = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), awc::http::StatusCode::OK, "{path}");
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|c| c.to_str().ok())
        .unwrap_or_default();
    assert_eq!(kind, XLSX);
    res.body().limit(10 << 20).await.expect("body").to_vec()
}

fn sheet(bytes: &[u8], name: &str) -> calamine::Range<Data> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx file");
    let formulas = book.worksheet_formula(name).expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell is a formula"
    );
    book.worksheet_range(name).expect("the sheet")
}

/// The first sheet's XML, read with Python's zipfile.
fn sheet_xml(bytes: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("assay-{}.xlsx", &assay::tokens::random_token()[..12]));
    std::fs::write(&path, bytes).expect("write");
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode())",
        ])
        .arg(&path)
        .output()
        .expect("python3");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("({row}, {col}) is {other:?}, not text"),
    }
}

fn number(range: &calamine::Range<Data>, row: u32, col: u32) -> f64 {
    match range.get_value((row, col)) {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(n)) => *n as f64,
        other => panic!("({row}, {col}) is {other:?}, not a number"),
    }
}

#[actix_web::test]
async fn the_rankings_workbook_has_typed_cells_under_a_frozen_header() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let first = takes(&app, &s, "=HYPERLINK(\"evil\")", finance(70.0), 4, 4).await;
    let second = takes(
        &app,
        &s,
        "Rao, \"Ravi\"",
        json!({"score_percent": 70, "domain": "finance", "degree": "B.Com\nHons"}),
        3,
        3,
    )
    .await;
    let bytes = download(
        &app,
        &format!("/api/v1/drives/{}/rankings.xlsx", s.drive_id),
        &s.recruiter,
    )
    .await;
    let range = sheet(&bytes, "Rankings");
    assert_eq!(range.get_size(), (3, 14));
    let header: Vec<String> = (0..14).map(|c| text(&range, 0, c)).collect();
    assert_eq!(
        header,
        [
            "Rank",
            "Application",
            "Candidate",
            "Name",
            "Status",
            "Percent",
            "Percentile",
            "Sections",
            "Eligible",
            "Domain",
            "Degree",
            "Focus losses",
            "Pastes",
            "Tested at (UTC)"
        ]
    );
    assert_eq!(number(&range, 1, 0), 1.0);
    assert_eq!(number(&range, 1, 1), first as f64);
    assert_eq!(
        text(&range, 1, 3),
        "=HYPERLINK(\"evil\")",
        "kept as text, not run, not altered"
    );
    assert_eq!(text(&range, 1, 4), "Tested");
    assert_eq!(number(&range, 1, 5), 100.0);
    assert_eq!(text(&range, 1, 7), "Quant: 100.0; Verbal: 100.0");
    assert_eq!(range.get_value((1, 8)), Some(&Data::Bool(true)));
    assert_eq!(text(&range, 1, 9), "finance");
    assert_eq!(number(&range, 1, 11), 0.0);
    assert!(matches!(range.get_value((1, 13)), Some(Data::DateTime(d)) if d.is_datetime()));
    assert_eq!(number(&range, 2, 0), 2.0);
    assert_eq!(number(&range, 2, 1), second as f64);
    assert_eq!(text(&range, 2, 3), "Rao, \"Ravi\"");
    assert_eq!(number(&range, 2, 5), 75.0);
    assert_eq!(text(&range, 2, 10), "B.Com\nHons");

    let xml = sheet_xml(&bytes);
    assert!(
        xml.contains(r#"ySplit="1""#) && xml.contains(r#"state="frozen""#),
        "frozen header: {xml}"
    );
    assert!(xml.contains("<autoFilter"), "a filter on the header");
    assert!(
        xml.contains(r#"<col min="4" max="4" width="28.7109375""#),
        "the name column is wide: {xml}"
    );

    // Filters apply as in the JSON and CSV.
    let filtered = download(
        &app,
        &format!("/api/v1/drives/{}/rankings.xlsx?min_percent=90", s.drive_id),
        &s.recruiter,
    )
    .await;
    assert_eq!(sheet(&filtered, "Rankings").get_size(), (2, 14));
}

#[actix_web::test]
async fn the_item_analysis_workbook_has_one_typed_row_per_question() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    takes(&app, &s, "Asha", finance(70.0), 4, 4).await;
    takes(&app, &s, "Bala", finance(70.0), 2, 1).await;
    let bytes = download(
        &app,
        &format!("/assessments/{}/report.xlsx", s.assessment_id),
        &s.trainer,
    )
    .await;
    let range = sheet(&bytes, "Item analysis");
    assert_eq!(range.get_size(), (9, 20), "a header and the eight questions");
    assert_eq!(text(&range, 0, 6), "Question text");
    assert_eq!(text(&range, 0, 9), "Facility %");
    for row in 1..9 {
        assert!(text(&range, row, 6).ends_with("is true."), "the stem");
        assert_eq!(text(&range, row, 5), "true false");
        assert_eq!(number(&range, row, 7), 2.0, "two attempts saw it");
        assert_eq!(number(&range, row, 8), 1.0);
        let facility = number(&range, row, 9);
        assert!(facility == 50.0 || facility == 100.0, "{facility}");
        assert_eq!(range.get_value((row, 19)), Some(&Data::Bool(false)));
    }
    let xml = sheet_xml(&bytes);
    assert!(xml.contains(r#"state="frozen""#));
}

fn user_id(app: &TestApp, email: &str) -> f64 {
    use assay::db::schema::users;
    use diesel::prelude::*;
    let mut conn = app.state.pool.get().expect("conn");
    let id: i32 = users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(&mut *conn)
        .expect("user");
    f64::from(id)
}

#[actix_web::test]
async fn the_applicant_list_workbook_has_typed_cells_and_follows_the_lists_search_and_filter() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let asha = takes(&app, &s, "Asha Rao", finance(70.0), 4, 4).await;
    let bala = takes(&app, &s, "=Bala", finance(40.0), 0, 0).await;
    let chitra = takes(&app, &s, "Chitra", finance(65.0), 3, 2).await;
    let path = format!("/api/v1/drives/{}/applicants.xlsx", s.drive_id);
    let bytes = download(&app, &path, &s.recruiter).await;
    let range = sheet(&bytes, "Applicants");
    assert_eq!(range.get_size(), (4, 8), "a header and three applicants");
    let header: Vec<String> = (0..8).map(|c| text(&range, 0, c)).collect();
    assert_eq!(
        header,
        [
            "Application",
            "Candidate",
            "Name",
            "Email",
            "Status",
            "Eligible",
            "Test %",
            "Applied at (UTC)"
        ]
    );
    // Newest first, as the list page sorts by default.
    let expected = [
        (chitra, "chitra@example.com", "Chitra", "Tested", true, Some(62.5)),
        (bala, "bala@example.com", "=Bala", "Not eligible", false, None),
        (asha, "asharao@example.com", "Asha Rao", "Tested", true, Some(100.0)),
    ];
    for (row, (application, email, name, status, eligible, percent)) in (1u32..).zip(expected) {
        assert_eq!(number(&range, row, 0), application as f64, "row {row}");
        assert_eq!(number(&range, row, 1), user_id(&app, email), "row {row}");
        assert_eq!(text(&range, row, 2), name, "kept as text, never a formula");
        assert_eq!(text(&range, row, 3), email);
        assert_eq!(text(&range, row, 4), status);
        assert_eq!(range.get_value((row, 5)), Some(&Data::Bool(eligible)));
        match percent {
            Some(p) => assert_eq!(number(&range, row, 6), p),
            None => assert!(
                matches!(range.get_value((row, 6)), None | Some(Data::Empty)),
                "no test, no number: {:?}",
                range.get_value((row, 6))
            ),
        }
        assert!(
            matches!(range.get_value((row, 7)), Some(Data::DateTime(d)) if d.is_datetime()),
            "a date, not text: {:?}",
            range.get_value((row, 7))
        );
    }
    let xml = sheet_xml(&bytes);
    assert!(
        xml.contains(r#"ySplit="1""#) && xml.contains(r#"state="frozen""#),
        "frozen header: {xml}"
    );
    assert!(
        xml.contains(r#"<col min="4" max="4" width="32.7109375""#),
        "the email column is wide: {xml}"
    );

    // The list's search, filter and sort apply, as on its page.
    let names = |bytes: &[u8]| -> Vec<String> {
        let range = sheet(bytes, "Applicants");
        (1..range.get_size().0 as u32).map(|r| text(&range, r, 2)).collect()
    };
    let by_name = download(&app, &format!("{path}?sort=name"), &s.recruiter).await;
    assert_eq!(names(&by_name), ["=Bala", "Asha Rao", "Chitra"]);
    let ineligible = download(&app, &format!("{path}?status=ineligible"), &s.recruiter).await;
    assert_eq!(names(&ineligible), ["=Bala"]);
    let searched = download(&app, &format!("{path}?q=RAO&status=tested"), &s.recruiter).await;
    assert_eq!(names(&searched), ["Asha Rao"]);

    // The CSV beside it: the same columns and rows, a formula neutralised.
    let mut res = app
        .client
        .get(app.url(&format!("/api/v1/drives/{}/applicants.csv?sort=name", s.drive_id)))
        .bearer_auth(&s.recruiter)
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), awc::http::StatusCode::OK);
    let csv = String::from_utf8(res.body().await.expect("body").to_vec()).expect("utf-8");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        header.iter().map(String::as_str).collect::<Vec<_>>()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][2], "'=Bala");
    assert_eq!(&rows[0][5], "no");
    assert_eq!(&rows[0][6], "");
    assert_eq!(&rows[2][0], chitra.to_string());
    assert_eq!(&rows[2][6], "62.50");

    // The page links both downloads with its current search.
    let mut browser = crate::helpers::signed_in(&app, "recruiter@example.com").await;
    let page = browser
        .get(&format!("/drives/{}/applicants?q=rao&sort=name", s.drive_id))
        .await;
    for kind in ["csv", "xlsx"] {
        assert!(
            page.body.contains(&format!(
                "href=\"/api/v1/drives/{}/applicants.{kind}?q=rao&#38;sort=name\"",
                s.drive_id
            )),
            "{}",
            page.body
        );
    }
}

#[actix_web::test]
async fn the_routing_run_workbook_has_one_typed_row_per_trainee_under_a_frozen_header() {
    let app = spawn_app().await;
    let s = crate::routing::scene(&app, 1).await;
    let (tara, _) = crate::routing::trainee(&app, &s, "Tara", 4, 4).await; // 100%
    let (uma, _) = crate::routing::trainee(&app, &s, "Uma", 3, 3).await; // 75%
    let (yan, _) = crate::routing::trainee(&app, &s, "Yan", 1, 2).await; // 37.5%: retrain
    let run = crate::routing::run(&app, &s).await;
    let run_id = run["run_id"].as_i64().expect("run id");
    let bytes = download(&app, &format!("/api/v1/routing-runs/{run_id}/results.xlsx"), &s.trainer).await;
    let range = sheet(&bytes, "Routing");
    assert_eq!(range.get_size(), (4, 9), "a header and three trainees");
    let header: Vec<String> = (0..9).map(|c| text(&range, 0, c)).collect();
    assert_eq!(
        header,
        [
            "Rank",
            "Trainee",
            "Name",
            "Percent",
            "Outcome",
            "Process",
            "Under review for",
            "Why",
            "Override reason"
        ]
    );
    let expected = [
        (tara, 100.0, "assigned", Some("Underwriting (Acme Insurance)")),
        (uma, 75.0, "assigned", Some("Claims (Acme Insurance)")),
        (yan, 37.5, "retrain", None),
    ];
    let lines = run["assignments"].as_array().expect("lines");
    for (row, (trainee, percent, outcome, process)) in (1u32..).zip(expected) {
        let line = lines
            .iter()
            .find(|l| l["trainee_id"] == trainee)
            .expect("the trainee's line");
        assert_eq!(number(&range, row, 0), f64::from(row), "rank {row}");
        assert_eq!(number(&range, row, 1), trainee as f64);
        assert_eq!(text(&range, row, 2), line["full_name"].as_str().expect("name"));
        assert_eq!(number(&range, row, 3), percent);
        assert_eq!(text(&range, row, 4), outcome);
        match process {
            Some(p) => assert_eq!(text(&range, row, 5), p),
            None => assert!(matches!(range.get_value((row, 5)), None | Some(Data::Empty))),
        }
        assert!(
            matches!(range.get_value((row, 6)), None | Some(Data::Empty)),
            "no review"
        );
        assert_eq!(text(&range, row, 7), line["explanation"].as_str().expect("why"));
        assert!(text(&range, row, 7).starts_with(&format!("Ranked {row} of 3 at ")));
        assert!(
            matches!(range.get_value((row, 8)), None | Some(Data::Empty)),
            "no override"
        );
    }
    let xml = sheet_xml(&bytes);
    assert!(
        xml.contains(r#"ySplit="1""#) && xml.contains(r#"state="frozen""#),
        "frozen header: {xml}"
    );
    assert!(xml.contains("<autoFilter"), "a filter on the header");
}
