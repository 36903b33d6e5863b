//! Question text written in HTML, Markdown and TeX is shown rendered and
//! harmless on every page that shows questions and in the API.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::attempts::{applicant, drive_over};
use crate::helpers::{signed_in, TestApp};
use crate::test_page::start_page;

/// Every trick a hostile or careless bank could carry, in HTML and Markdown,
/// beside tables and formulas that must survive.
const HOSTILE: &str = r#"
[bank]
name = "Hostile"
category = "Aptitude/Data"

[[question]]
id = "html-1"
type = "single_choice"
format = "html"
stem = '''<p onclick="alert('click')">Revenue by year<script>alert('script')</script></p>
<table><tr><th>Year</th><th>Revenue</th></tr><tr><td>2024</td><td>1,200</td></tr></table>
<img src="chart.png" onerror="alert('onerror')"><a href="javascript:alert('js')">more</a>
<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"><svg onload="alert('svg')"><script>alert('svg-script')</script></svg>
<div style="width: expression(alert('css'))">Growth is \( \frac{1500 - 1200}{1200} \)</div>'''
options = ["<b onmouseover=\"alert('option')\">25%</b>", "\\(x^2\\)", "30%", "15%"]
answer = "A"
explanation = "<iframe src=\"javascript:alert('explanation')\"></iframe>A quarter."

[[question]]
id = "md-1"
type = "numeric"
format = "markdown"
stem = '''A dose of **5 mg/kg** for a 12 kg child:

| Weight | Dose |
|---|---|
| 12 kg | ? |

$$d = 5 \times 12$$

<script>alert('markdown')</script>

See [the chart](javascript:alert('md-link')).'''
answer = 60.0
tolerance = 0.5

[[question]]
id = "essay-1"
type = "essay"
format = "moodle"
stem = '''Explain <em>why</em> \(r > g\) matters.
<object data="javascript:alert('object')"></object><form action="javascript:alert('form')"><input onfocus="alert('focus')" autofocus></form>'''
"#;

/// No script, handler, script URL, data URL or CSS expression of the bank
/// survives in what a page or the API shows.
fn assert_harmless(where_: &str, html: &str) {
    assert!(!html.contains("<svg"), "{where_} shows the bank's SVG: {html}");
    assert_harmless_beside_charts(where_, html);
}

/// The same, on a page that draws its own SVG charts: the bank's SVG is
/// known by its handler and script, which must be gone.
fn assert_harmless_beside_charts(where_: &str, html: &str) {
    let bad = [
        "alert(",
        "onclick",
        "onerror",
        "onmouseover",
        "onload",
        "onfocus",
        "javascript:",
        "data:image",
        "expression(",
        "<iframe",
        "<object",
        "<input onfocus",
    ];
    for bad in bad {
        assert!(!html.contains(bad), "{where_} shows {bad}: {html}");
    }
}

/// The page's text between two markers (what the page shows of the question,
/// not the editor's escaped source).
fn between<'a>(page: &'a str, from: &str, to: &str) -> &'a str {
    let start = page.find(from).unwrap_or_else(|| panic!("no {from} in {page}"));
    let end = page[start..].find(to).map_or(page.len(), |e| start + e);
    &page[start..end]
}

fn assert_rendered(where_: &str, html: &str) {
    assert!(
        html.contains("<table>") && html.contains("<td>2024</td>"),
        "{where_}: the table keeps its structure: {html}"
    );
    assert!(
        html.contains("<math") && html.contains("<mfrac>"),
        "{where_}: TeX becomes MathML: {html}"
    );
}

async fn bank_questions(app: &TestApp, token: &str, bank_id: i64) -> Vec<Value> {
    let (status, body) = app
        .get_json(&format!("/api/v1/banks/{bank_id}/questions"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().expect("questions").clone()
}

#[actix_web::test]
async fn hostile_question_html_is_harmless_and_rich_content_renders_on_every_page_and_in_the_api() {
    let app = crate::helpers::spawn_app().await;
    let drive = drive_over(&app, HOSTILE, 3, json!({})).await;

    // The API gives staff the original (for export) and what is shown.
    let questions = bank_questions(&app, &drive.trainer, drive.bank_id).await;
    let html_q = questions.iter().find(|q| q["external_id"] == "html-1").expect("html-1");
    let md_q = questions.iter().find(|q| q["external_id"] == "md-1").expect("md-1");
    assert!(
        html_q["stem"].as_str().unwrap().contains("<script>"),
        "the original is kept for export"
    );
    for q in [html_q, md_q] {
        assert_harmless("the bank API", &q["stem_shown"]["html"].to_string());
        assert_harmless("the bank API", &q["options_shown"].to_string());
        assert_harmless("the bank API", &q["explanation_shown"].to_string());
    }
    assert_rendered("the bank API", html_q["stem_shown"]["html"].as_str().unwrap());
    assert_eq!(html_q["options_shown"][0]["html"], "<b>25%</b>");
    assert!(html_q["options_shown"][1]["html"].as_str().unwrap().contains("<msup>"));
    assert_eq!(html_q["options_shown"][1]["text"], "\\(x^2\\)");
    let text = html_q["stem_shown"]["text"].as_str().unwrap();
    assert!(
        text.contains("Year\tRevenue\n2024\t1,200") && !text.contains('<'),
        "{text}"
    );
    let md = md_q["stem_shown"]["html"].as_str().unwrap();
    assert!(
        md.contains("<strong>5 mg/kg</strong>") && md.contains("<td>12 kg</td>"),
        "{md}"
    );
    assert!(
        md.contains(r#"<math display="block">"#) && md.contains("<mo>×</mo>"),
        "{md}"
    );
    assert!(
        md.contains("See <a rel=\"noopener noreferrer\">the chart</a>."),
        "the link keeps its words, not its script: {md}"
    );

    // The question page shows staff the question as a candidate sees it.
    let mut trainer = signed_in(&app, "trainer@example.com").await;
    for q in [html_q, md_q] {
        let page = trainer
            .get(&format!("/banks/{}/questions/{}", drive.bank_id, q["id"]))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let shown = between(&page.body, r#"<div class="stem rich""#, "<h2>Edit</h2>");
        assert_harmless("the question page", shown);
        if q["external_id"] == "html-1" {
            assert_rendered("the question page", shown);
            assert!(shown.contains("A quarter."), "the explanation shows: {shown}");
        }
    }

    // The bank's list shows each stem as plain text, not as markup.
    let list = trainer.get(&format!("/banks/{}", drive.bank_id)).await;
    assert!(list.body.contains("Revenue by year"), "{}", list.body);
    assert!(!list.body.contains("&lt;p onclick"), "{}", list.body);
    assert_harmless("the bank page", &list.body);

    // The candidate's test page and the attempt's API.
    let (_, token, _) = applicant(&app, "rich@example.com", &drive, 80.0).await;
    let mut candidate = signed_in(&app, "rich@example.com").await;
    let attempt = start_page(&mut candidate, &drive).await;
    let (status, view) = app.get_json(&format!("/api/v1{attempt}"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_harmless("the attempt API", &view["questions"].to_string());
    let mut seen_table = false;
    for number in 1..=3 {
        let page = candidate.get(&format!("{attempt}?q={number}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_harmless("the test page", &page.body);
        seen_table |= page.body.contains("<td>2024</td>");
        assert!(page.body.contains("<math"), "every question here has a formula");
    }
    assert!(seen_table, "the HTML question's table shows on the test page");

    // The marking sheet and the item analysis, once the attempt is in.
    let attempt_id = attempt.trim_start_matches("/attempts/");
    let (status, submitted) = app
        .post_json(
            &format!("/api/v1/attempts/{attempt_id}/submit"),
            &json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    let sheet = trainer.get(&format!("/marking/{attempt_id}")).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert_harmless("the marking sheet", &sheet.body);
    assert!(sheet.body.contains("Explain <em>why</em> <math"), "{}", sheet.body);
    let report = trainer
        .get(&format!("/assessments/{}/report", drive.assessment_id))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert_harmless_beside_charts("the item analysis", &report.body);
    assert_rendered("the item analysis", &report.body);
}

/// Each version's rendering as stored, by version id.
fn stored_renderings(app: &TestApp) -> Vec<(i32, Option<String>)> {
    use assay::db::schema::question_versions;
    use diesel::prelude::*;
    let mut conn = app.state.pool.get().expect("conn");
    question_versions::table
        .select((question_versions::id, question_versions::rendered))
        .order(question_versions::id.asc())
        .load(&mut *conn)
        .expect("renderings")
}

#[actix_web::test]
async fn versions_stored_before_renderings_existed_are_rendered_when_the_server_starts() {
    use assay::db::schema::question_versions;
    use diesel::prelude::*;
    let app = crate::helpers::spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", assay::db::Role::Trainer).await;
    crate::attempts::bank(&app, &trainer, HOSTILE).await;
    let written = stored_renderings(&app);
    assert_eq!(written.len(), 3);
    assert!(
        written
            .iter()
            .all(|(_, r)| r.as_deref().is_some_and(|r| r.contains("\"html\""))),
        "{written:?}"
    );
    {
        let mut conn = app.state.pool.get().expect("conn");
        diesel::update(question_versions::table)
            .set(question_versions::rendered.eq(None::<String>))
            .execute(&mut *conn)
            .expect("forget the renderings");
    }
    assert!(stored_renderings(&app).iter().all(|(_, r)| r.is_none()));
    let app = app.restart();
    assert_eq!(
        stored_renderings(&app),
        written,
        "the start renders them as the import did"
    );
}
