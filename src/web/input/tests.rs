use super::*;

#[derive(Deserialize, Debug)]
struct Inner {
    #[allow(dead_code)]
    name: Line<5>,
}

#[derive(Deserialize, Debug)]
struct Outer {
    title: Line<10>,
    #[allow(dead_code)]
    body: Option<Text<10>>,
    #[allow(dead_code)]
    sections: Vec<Inner>,
}

fn refused(json: &str) -> AppError {
    read_json::<Outer>(json.as_bytes()).expect_err(json)
}

fn field_of(e: &AppError) -> Option<String> {
    e.details().first().and_then(|d| d.field.clone())
}

#[test]
fn a_nul_byte_anywhere_is_refused_naming_the_field() {
    let e = refused(r#"{"title":"a\u0000b","sections":[]}"#);
    assert_eq!(field_of(&e).as_deref(), Some("title"));
    assert!(e.to_string().contains("NUL"), "{e}");
    let e = refused(r#"{"title":"ab","sections":[{"name":"x"},{"name":"\u0000"}]}"#);
    assert_eq!(field_of(&e).as_deref(), Some("sections[1].name"));
    let e = refused(r#"{"title":"ab","sections":[],"extra":{"deep":["ok","\u0000"]}}"#);
    assert_eq!(field_of(&e).as_deref(), Some("extra.deep[1]"));
}

#[test]
fn other_control_characters_pass_where_the_field_is_not_line_or_text() {
    // An essay answer pasted from a word processor may hold a vertical tab.
    let answer: serde_json::Value = read_json(br#"{"answer":"one\u000btwo"}"#).expect("accepted");
    assert_eq!(answer["answer"], "one\u{b}two");
    let e = refused(r#"{"title":"a\u000bb","sections":[]}"#);
    assert!(e.to_string().contains("U+000B"), "{e}");
}

#[test]
fn an_escaped_backslash_before_u0000_is_text_not_a_nul() {
    let ok = read_json::<Outer>(br#"{"title":"a\\u0000","sections":[]}"#).expect("accepted");
    assert_eq!(ok.title.as_str(), "a\\u0000");
}

#[test]
fn over_long_values_and_line_breaks_in_one_line_fields_are_refused_by_field() {
    let e = refused(r#"{"title":"12345678901","sections":[]}"#);
    assert_eq!(field_of(&e).as_deref(), Some("title"));
    assert!(e.to_string().contains("at most 10 characters"), "{e}");
    let e = refused(r#"{"title":"ok","sections":[{"name":"123456"}]}"#);
    assert_eq!(field_of(&e).as_deref(), Some("sections[0].name"));
    let e = refused(r#"{"title":"a\nb","sections":[]}"#);
    assert!(e.to_string().contains("line break"), "{e}");
    let ok = read_json::<Outer>(br#"{"title":"ok","body":"two\nlines","sections":[]}"#).expect("accepted");
    assert_eq!(ok.title.len(), 2);
}

#[test]
fn limits_count_characters_not_bytes() {
    assert!(Line::<3>::parse("f", "ééé").is_ok());
    assert!(Line::<3>::parse("f", "éééé").is_err());
}

#[test]
fn forms_and_query_strings_refuse_control_characters_by_name() {
    #[derive(Deserialize, Debug)]
    struct Q {
        #[allow(dead_code)]
        bank: Option<Line<5>>,
    }
    let e = read_urlencoded::<Vec<(String, String)>>(b"a=1&note=x%00y", "form").expect_err("refused");
    assert_eq!(field_of(&e).as_deref(), Some("note"));
    let e = read_urlencoded::<Q>(b"bank=123456", "query string").expect_err("refused");
    assert_eq!(field_of(&e).as_deref(), Some("bank"));
    assert!(read_urlencoded::<Q>(b"bank=ok", "query string").is_ok());
}

#[test]
fn the_schema_states_the_limit() {
    let schema = serde_json::to_value(<Line<200> as utoipa::PartialSchema>::schema()).expect("json");
    assert_eq!(schema["maxLength"], 200);
    assert_eq!(schema["type"], "string");
}
