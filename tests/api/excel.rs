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
