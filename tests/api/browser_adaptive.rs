//! An adaptive attempt in a real browser: the start page says there is no
//! going back, each question comes alone, a reload keeps the place, and the
//! result explains the score.

use fantoccini::Locator;
use serde_json::json;

use crate::adaptive::adaptive_drive;
use crate::attempts::applicant;
use crate::browser::{choice, click, driver_or_skip, eventually, path, sign_in_and_start, text};
use crate::helpers::spawn_app;

#[actix_web::test]
async fn a_candidate_takes_an_adaptive_test_one_question_at_a_time_in_a_real_browser() {
    let Some(driver) = driver_or_skip("adaptive_one_question_at_a_time").await else {
        return;
    };
    let app = spawn_app().await;
    let drive = adaptive_drive(&app, &[("Numerical", 12, 1)], json!({"min_length": 4, "max_length": 4})).await;
    applicant(&app, "ada@example.com", &drive, 80.0).await;
    let c = driver.session().await;
    let c = &c;
    let base = app.address.clone();
    sign_in_and_start(c, &base, "ada@example.com", &drive).await;
    let attempt_path = path(c).await;
    let main = text(c, "main").await;
    assert!(main.contains("Question 1 (at most 4)"), "{main}");
    assert!(main.contains("there is no going back"), "{main}");
    assert!(
        c.find(Locator::Css(".navigator")).await.is_err(),
        "no navigator to go back with"
    );
    assert!(c.find(Locator::Css("button[value='prev']")).await.is_err());

    for n in 1..=4 {
        if n == 3 {
            // A reload mid-test shows the same question, not a new one.
            let stem = text(c, ".stem").await;
            c.refresh().await.expect("reload");
            eventually("the page after a reload", || async move {
                text(c, ".q-meta").await.contains("Question 3")
            })
            .await;
            assert_eq!(text(c, ".stem").await, stem);
        }
        click(c, Locator::XPath(&choice(if n % 2 == 0 { "beta" } else { "alpha" }))).await;
        click(c, Locator::Css("#commit")).await;
        let next = format!("Question {}", n + 1);
        eventually("the next question or the result", || {
            let next = next.clone();
            async move { text(c, ".q-meta").await.contains(&next) || path(c).await.ends_with("/result") }
        })
        .await;
    }
    assert_eq!(path(c).await, format!("{attempt_path}/result"));
    let result = text(c, "main").await;
    assert!(result.contains("Scale score"), "{result}");
    assert!(
        text(c, "#how-reached").await.contains("You answered 4 question(s)"),
        "{result}"
    );
    // The start page now offers the result, not another go.
    c.goto(&format!("{base}/drives/{}", drive.drive_id))
        .await
        .expect("drive page");
    assert!(text(c, "main").await.contains("See your result"));
}
