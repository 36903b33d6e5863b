//! The served OpenAPI document checked by an independent validator
//! (Python's `openapi-spec-validator`, against the OpenAPI 3.1 schema). It is
//! skipped with a note when the validator is missing, and mandatory under
//! `CI=1`.

use std::process::Command;

use awc::http::StatusCode;

use crate::helpers::spawn_app;

const VALIDATE: &str = "import json, sys\n\
from openapi_spec_validator import validate\n\
validate(json.load(open(sys.argv[1])))\n";

fn validator_present() -> bool {
    Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .status()
        .is_ok_and(|s| s.success())
}

#[actix_web::test]
async fn the_openapi_document_validates_against_the_openapi_schema() {
    if !validator_present() {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs openapi-spec-validator: pip install openapi-spec-validator"
        );
        eprintln!("skipped: openapi-spec-validator is not installed");
        return;
    }
    let app = spawn_app().await;
    let (status, doc) = app.get_json("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let path = std::env::temp_dir().join(format!("assay-openapi-{}.json", std::process::id()));
    std::fs::write(&path, doc.to_string()).expect("write the document");
    let out = Command::new("python3")
        .arg("-c")
        .arg(VALIDATE)
        .arg(&path)
        .output()
        .expect("run the validator");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "the document is not valid OpenAPI:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
