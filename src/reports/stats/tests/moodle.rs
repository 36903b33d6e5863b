//! Moodle's unit test for its quiz statistics report, quiz "00": every
//! number it expects, to 1e-6.

use serde_json::Value;

use super::{assert_close, plain};
use crate::reports::stats::{analyse, standard_error_percent, test_statistics, MarksMatrix};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn quiz00() -> (MarksMatrix, Value) {
    let csv = fixture("moodle-quiz00-marks.csv");
    let mut lines = csv.lines();
    let k = lines.next().expect("header").split(',').count() - 1;
    let (mut ids, mut marks) = (Vec::new(), Vec::new());
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let mut cells = line.split(',');
        ids.push(cells.next().and_then(|c| c.parse().ok()).expect("attempt id"));
        marks.extend(cells.map(|c| c.trim().parse::<f64>().expect("mark")));
    }
    let expected: Value = serde_json::from_str(&fixture("moodle-quiz00-expected.json")).expect("json");
    let max = expected["max_mark_each"].as_f64().expect("max mark");
    let matrix = MarksMatrix::from_rows(ids, vec![max; k], &marks).expect("matrix");
    (matrix, expected)
}

fn number(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} missing"))
}

#[test]
fn item_statistics_match_moodle_quiz_00() {
    let (matrix, expected) = quiz00();
    let report = analyse(&matrix, &plain(matrix.items())).expect("report");
    let items = expected["items"].as_array().expect("items");
    assert_eq!(report.items.len(), items.len());
    for (stats, want) in report.items.iter().zip(items) {
        let at = |what: &str| format!("item {} {what}", number(want, "item"));
        let m = stats.max_mark;
        assert_close(
            stats.facility_percent.map(|f| f / 100.0),
            number(want, "facility"),
            &at("facility"),
        );
        assert_close(
            stats.sd_percent.map(|sd| sd / 100.0 * m),
            number(want, "sd_marks"),
            &at("sd"),
        );
        for key in [
            "effective_weight_percent",
            "discrimination_index",
            "discriminative_efficiency",
        ] {
            let actual = match key {
                "effective_weight_percent" => stats.effective_weight_percent,
                "discrimination_index" => stats.discrimination_index,
                _ => stats.discriminative_efficiency,
            };
            assert_close(actual, number(want, key), &at(key));
        }
    }
}

#[test]
fn test_statistics_match_moodle_quiz_00() {
    let (matrix, expected) = quiz00();
    let test = analyse(&matrix, &plain(matrix.items())).expect("report").test;
    let want = &expected["test"];
    assert_eq!(test.n, 25);
    assert_close(test.mean, number(want, "mean_marks"), "mean");
    assert_close(test.median, number(want, "median_marks"), "median");
    assert_close(test.sd, number(want, "sd_marks"), "sd");
    assert_close(test.skewness, number(want, "skewness"), "skewness");
    assert_close(test.kurtosis, number(want, "kurtosis"), "kurtosis");
    assert_close(
        test.cronbach_alpha.map(|a| 100.0 * a),
        number(want, "alpha_times_100"),
        "alpha",
    );
    assert_close(
        test.error_ratio_percent,
        number(want, "error_ratio_percent"),
        "error ratio",
    );
    assert_close(
        test.standard_error,
        number(want, "standard_error_marks"),
        "standard error",
    );
    // Partial marks (0.5, 0.8, 1/3) mean KR-20 does not apply.
    assert_eq!(test.kr20, None);
}

#[test]
fn percents_are_of_the_maximum_total() {
    let (matrix, expected) = quiz00();
    let test = test_statistics(&matrix);
    let want = &expected["test"];
    assert_close(test.mean_percent, 100.0 * number(want, "mean_marks") / 7.0, "mean %");
    assert_close(test.median_percent, 100.0 * 4.5 / 7.0, "median %");
    assert_close(test.sd_percent, 100.0 * number(want, "sd_marks") / 7.0, "sd %");
    assert_close(
        test.standard_error_percent,
        100.0 * number(want, "standard_error_marks") / 7.0,
        "standard error %",
    );
}

#[test]
fn routing_standard_error_needs_no_item_statistics() {
    let (matrix, _) = quiz00();
    let full = analyse(&matrix, &plain(matrix.items())).expect("report");
    assert_eq!(standard_error_percent(&matrix), full.test.standard_error_percent);
    assert_eq!(test_statistics(&matrix), full.test);
}

#[test]
fn effective_weights_share_out_one_hundred_percent() {
    let (matrix, _) = quiz00();
    let report = analyse(&matrix, &plain(matrix.items())).expect("report");
    let sum: f64 = report
        .items
        .iter()
        .map(|i| i.effective_weight_percent.expect("weight"))
        .sum();
    assert!((sum - 100.0).abs() < 1e-9, "sum {sum}");
    for item in &report.items {
        assert!((item.intended_weight_percent - 100.0 / 7.0).abs() < 1e-12);
    }
}
