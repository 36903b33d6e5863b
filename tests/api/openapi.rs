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

/// Checks every example in the document against the schema it stands
/// beside, with `openapi-schema-validator` (which `openapi-spec-validator`
/// brings): a schema's own `example`, and the `example` of a response,
/// request body or parameter against that one's `schema`. Stricter than
/// the document: an example may not name a field its object schema does
/// not list, so a misspelt or renamed field fails here (objects composed
/// with `allOf` are left open, as each part sees only its own fields).
/// Prints one line for each example that does not fit.
const CHECK_EXAMPLES: &str = r##"import json, sys
from openapi_schema_validator import OAS31Validator
doc = json.load(open(sys.argv[1]))

composed = set()
def find_composed(node):
    if isinstance(node, dict):
        for part in node.get("allOf", []):
            if isinstance(part, dict) and "$ref" in part:
                composed.add(part["$ref"])
        for value in node.values():
            find_composed(value)
    elif isinstance(node, list):
        for value in node:
            find_composed(value)
find_composed(doc)

def close(node, pointer, in_all_of):
    if isinstance(node, dict):
        if (("properties" in node or "allOf" in node) and not in_all_of and "#" + pointer not in composed
                and "additionalProperties" not in node and "unevaluatedProperties" not in node):
            node["unevaluatedProperties"] = False
        for key, value in node.items():
            if key != "allOf":
                close(value, pointer + "/" + key.replace("~", "~0").replace("/", "~1"), False)
        for i, part in enumerate(node.get("allOf", [])):
            close(part, pointer + "/allOf/" + str(i), True)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            close(value, pointer + "/" + str(i), in_all_of)
close(doc["components"]["schemas"], "/components/schemas", False)
close(doc["paths"], "/paths", False)

checked = 0
def check(example, pointer, where):
    global checked
    checked += 1
    schema = dict(doc, **{"$ref": "#" + pointer})
    validator = OAS31Validator(schema, format_checker=OAS31Validator.FORMAT_CHECKER)
    for error in validator.iter_errors(example):
        at = "/".join(str(p) for p in error.absolute_path)
        print(f"{where} (at /{at}): {error.message}")

def walk(node, pointer):
    if isinstance(node, dict):
        target = pointer + "/schema" if "schema" in node else pointer
        if "example" in node:
            check(node["example"], target, pointer)
        examples = node.get("examples")
        if isinstance(examples, list):
            for example in examples:
                check(example, target, pointer)
        elif isinstance(examples, dict):
            for name, example in examples.items():
                if isinstance(example, dict) and "value" in example:
                    check(example["value"], target, pointer + "/examples/" + name)
        for key, value in node.items():
            if key not in ("example", "examples"):
                walk(value, pointer + "/" + key.replace("~", "~0").replace("/", "~1"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            walk(value, pointer + "/" + str(i))
walk(doc["paths"], "/paths")
walk(doc["components"]["schemas"], "/components/schemas")
print(f"checked {checked}", file=sys.stderr)
"##;

#[actix_web::test]
async fn every_example_in_the_document_fits_its_schema() {
    let present = Command::new("python3")
        .args(["-c", "import openapi_schema_validator"])
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs openapi-schema-validator: pip install openapi-spec-validator"
        );
        eprintln!("skipped: openapi-schema-validator is not installed");
        return;
    }
    let app = spawn_app().await;
    let (status, doc) = app.get_json("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let path = std::env::temp_dir().join(format!("assay-examples-{}.json", std::process::id()));
    std::fs::write(&path, doc.to_string()).expect("write the document");
    let out = Command::new("python3")
        .arg("-c")
        .arg(CHECK_EXAMPLES)
        .arg(&path)
        .output()
        .expect("run the example check");
    let _ = std::fs::remove_file(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the example check failed to run:\n{stderr}");
    let checked: usize = stderr
        .lines()
        .find_map(|l| l.strip_prefix("checked "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    // The service tokens' examples alone are more than this: a check that
    // found none has not read the document.
    assert!(checked >= 20, "only {checked} examples were checked");
    let wrong = String::from_utf8_lossy(&out.stdout);
    assert!(
        wrong.trim().is_empty(),
        "examples that do not fit their schema:\n{wrong}"
    );
}

/// What the document lacks: operations without a description, responses
/// without one, and JSON responses without an example (on the response or
/// on the schema it names).
fn undocumented(doc: &serde_json::Value) -> Vec<String> {
    let schemas = &doc["components"]["schemas"];
    let has_example = |schema: &serde_json::Value| -> bool {
        let target = match schema["$ref"].as_str() {
            Some(r) => &schemas[r.trim_start_matches("#/components/schemas/")],
            None => schema,
        };
        !target["example"].is_null() || !target["examples"].is_null()
    };
    let mut missing = Vec::new();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in paths {
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            let name = format!("{} {path}", method.to_uppercase());
            if op["description"].as_str().is_none_or(|d| d.trim().is_empty()) {
                missing.push(format!("{name}: no description"));
            }
            for (status, response) in op["responses"].as_object().cloned().unwrap_or_default() {
                if response["description"].as_str().is_none_or(|d| d.trim().is_empty()) {
                    missing.push(format!("{name} {status}: no description"));
                }
                let json = &response["content"]["application/json"];
                if !json.is_null()
                    && json["example"].is_null()
                    && json["examples"].is_null()
                    && !has_example(&json["schema"])
                {
                    missing.push(format!("{name} {status}: no example"));
                }
            }
        }
    }
    missing
}

#[actix_web::test]
async fn every_operation_and_response_is_described_with_examples() {
    let app = spawn_app().await;
    let (status, doc) = app.get_json("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let operations: usize = doc["paths"]
        .as_object()
        .map(|paths| {
            paths
                .values()
                .filter_map(|item| item.as_object())
                .map(|ops| ops.len())
                .sum()
        })
        .unwrap_or(0);
    // A document that lost its paths would have no gaps either.
    assert!(operations >= 100, "only {operations} operations in the document");
    let missing = undocumented(&doc);
    assert!(
        missing.is_empty(),
        "{} operations or responses without a description or an example:\n{}",
        missing.len(),
        missing.join("\n")
    );
}
