//! What a request may carry in its text: bounded strings for the fields of
//! request bodies, forms and query strings, and the extractors that refuse
//! anything else with 422 naming the field.
//!
//! PostgreSQL refuses a NUL byte in `text`, so an unchecked NUL became a 500
//! after half a request's work; and an unbounded field let one request store
//! 100 KB section names. Each free-text field is a [`Line`] (one line) or a
//! [`Text`] (may span lines) with its limit in characters, the same limit the
//! OpenAPI document states as `maxLength`. Fields that are not free text
//! (lists, maps, JSON values, essay answers) are still refused a NUL by the
//! extractors' scan.

use std::borrow::Cow;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

use crate::error::{AppError, ErrorDetail};

/// Names: a person's, a bank's, a drive's, a section's, a process's.
pub type Name = Line<200>;
/// An email address (RFC 5321's longest path).
pub type EmailText = Line<254>;
/// A password as typed; long enough for any passphrase, short enough that
/// hashing it costs nothing extra.
pub type PasswordText = Text<1024>;
/// A word from a fixed list (a status, a kind, a role), checked later.
pub type Word = Line<64>;
/// A reason or a note kept with a decision or in the audit log.
pub type Note = Text<1000>;
/// A longer description shown to candidates.
pub type Description = Text<10000>;

/// Why a string was refused, as a sentence that follows the field's name.
fn problem(value: &str, max: usize, multiline: bool) -> Option<String> {
    let bad = value
        .chars()
        .find(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')));
    if let Some(c) = bad {
        let what = if c == '\0' {
            "a NUL byte".to_string()
        } else if !multiline && matches!(c, '\n' | '\r') {
            "a line break".to_string()
        } else {
            format!("the control character U+{:04X}", u32::from(c))
        };
        return Some(format!("must not contain {what}"));
    }
    // Counting stops just past the limit: a huge value costs no more.
    if value.chars().take(max + 1).count() > max {
        return Some(format!("must be at most {max} characters long"));
    }
    None
}

macro_rules! bounded_string {
    ($(#[$doc:meta])* $name:ident, $multiline:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name<const MAX: usize>(String);

        impl<const MAX: usize> $name<MAX> {
            /// Checks `value`; the error names `field`.
            pub fn parse(field: &str, value: impl Into<String>) -> Result<Self, AppError> {
                let value = value.into();
                match problem(&value, MAX, $multiline) {
                    None => Ok($name(value)),
                    Some(p) => Err(field_error(field, &p)),
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl<const MAX: usize> Deref for $name<MAX> {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl<const MAX: usize> AsRef<str> for $name<MAX> {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<const MAX: usize> std::fmt::Display for $name<MAX> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<const MAX: usize> From<$name<MAX>> for String {
            fn from(v: $name<MAX>) -> String {
                v.0
            }
        }

        impl<'de, const MAX: usize> Deserialize<'de> for $name<MAX> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = String::deserialize(d)?;
                match problem(&value, MAX, $multiline) {
                    None => Ok($name(value)),
                    Some(p) => Err(serde::de::Error::custom(p)),
                }
            }
        }

        impl<const MAX: usize> Serialize for $name<MAX> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(s)
            }
        }

        impl<const MAX: usize> utoipa::PartialSchema for $name<MAX> {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(MAX))
                    .into()
            }
        }

        impl<const MAX: usize> utoipa::ToSchema for $name<MAX> {
            fn name() -> Cow<'static, str> {
                Cow::Owned(format!("{}{MAX}", stringify!($name)))
            }
        }
    };
}

bounded_string!(
    /// One line of text of at most `MAX` characters, without control
    /// characters.
    Line,
    false
);

bounded_string!(
    /// Text of at most `MAX` characters that may span lines: tabs and line
    /// breaks are kept, other control characters (NUL) refused.
    Text,
    true
);

fn field_error(field: &str, problem: &str) -> AppError {
    AppError::Invalid {
        message: format!("The field '{field}' {problem}."),
        details: vec![ErrorDetail::field(field, format!("{problem}."))],
    }
}

/// The one character refused in every string of every request, whatever
/// field it is in: PostgreSQL cannot store it in text. Other control
/// characters are refused by the fields that are `Line` or `Text`; an
/// essay answer pasted with a vertical tab still saves.
fn nul_problem(value: &str) -> Option<String> {
    value.contains('\0').then(|| "must not contain a NUL byte".to_string())
}

/// The first name or value among decoded pairs that holds a NUL: forms and
/// query strings refuse it whatever the handler reads them into.
pub fn check_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<(), AppError> {
    for (name, value) in pairs {
        if let Some(p) = nul_problem(name) {
            return Err(field_error(&printable(name), &format!("has a name that {p}")));
        }
        if let Some(p) = nul_problem(value) {
            return Err(field_error(name, &p));
        }
    }
    Ok(())
}

/// A name fit for an error sentence, whatever was sent.
fn printable(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(100)
        .collect()
}

/// Whether a JSON text may hold a NUL, which it can only spell as the
/// escape `\u0000` (JSON refuses control characters unescaped). Cheap, so
/// only the rare body that has one pays for finding which field holds it.
fn has_escaped_nul(body: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&byte) = body.get(i) {
        if byte == b'\\' {
            if body.get(i + 1..i + 6) == Some(b"u0000".as_slice()) {
                return true;
            }
            // Skip the escaped character: `\\u0000` is a backslash and text.
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The path and problem of the first string in a JSON document (a key or a
/// value) that holds a NUL.
fn find_control(value: &serde_json::Value, path: &mut String) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => nul_problem(s),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = find_control(v, path);
            if found.is_none() {
                path.truncate(len);
            }
            found
        }),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&printable(k));
            let found = nul_problem(k)
                .map(|p| format!("has a name that {p}"))
                .or_else(|| find_control(v, path));
            if found.is_none() {
                path.truncate(len);
            }
            found
        }),
        _ => None,
    }
}

/// Where a JSON document holds a NUL, and what is wrong there.
pub fn control_in(value: &serde_json::Value) -> Option<(String, String)> {
    let mut path = String::new();
    find_control(value, &mut path).map(|p| (path, p))
}

/// Reads a JSON body into `T`, refusing a NUL anywhere and
/// naming the field of any value `T` refuses.
pub fn read_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if has_escaped_nul(body) {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            let mut path = String::new();
            if let Some(p) = find_control(&value, &mut path) {
                let field = if path.is_empty() { "body" } else { &path };
                return Err(field_error(field, &p));
            }
        }
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(&e))?;
    de.end().map_err(|e| json_error_inner(&e))?;
    Ok(value)
}

fn json_error(e: &serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let inner = e.inner();
    let path = e.path().to_string();
    if inner.is_data() && path != "." {
        let message = without_position(&inner.to_string());
        return AppError::Invalid {
            message: format!("The field '{path}' {}.", as_predicate(&message)),
            details: vec![ErrorDetail {
                field: Some(path),
                line: Some(inner.line()),
                column: Some(inner.column()),
                message: format!("{message}."),
            }],
        };
    }
    json_error_inner(inner)
}

fn json_error_inner(e: &serde_json::Error) -> AppError {
    if e.is_data() {
        AppError::invalid(
            format!("The JSON has the wrong shape: {e}."),
            vec![ErrorDetail::line(e.line(), Some(e.column()), e.to_string())],
        )
    } else {
        AppError::BadRequest(format!("The body is not valid JSON: {e}."))
    }
}

/// serde_json ends each message with " at line L column C"; the detail
/// carries those apart.
fn without_position(message: &str) -> String {
    match message.rsplit_once(" at line ") {
        Some((head, _)) => head.to_string(),
        None => message.to_string(),
    }
}

/// Our own messages read on from the field's name ("must not contain…");
/// serde's ("invalid type: …") follow a colon.
fn as_predicate(message: &str) -> String {
    if message.starts_with("must ") {
        message.to_string()
    } else {
        format!("is not right: {message}")
    }
}

/// Reads url-encoded pairs (a form or a query string) into `T`, refusing
/// a NUL anywhere and naming the field of any value `T`
/// refuses. `what` says which it was: "form" or "query string".
pub fn read_urlencoded<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, AppError> {
    let pairs: Vec<_> = form_urlencoded::parse(bytes).collect();
    check_pairs(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))?;
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        if path == "." || path.is_empty() {
            AppError::invalid(format!("The {what} could not be read: {message}."), Vec::new())
        } else {
            field_error(&path, &as_predicate(&message))
        }
    })
}

/// The longest query string any page or endpoint needs, with room to spare.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// Refuses an over-long query string before any handler reads it, in the
/// JSON error shape (or the error page, on browser routes). Longer than
/// actix's 128 KB request head, the HTTP layer answers 431 itself.
pub async fn bounded_query(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let length = req.query_string().len();
    if length > MAX_QUERY_BYTES {
        let error = AppError::UriTooLong(format!(
            "The query string is {length} bytes long; this server reads at most {MAX_QUERY_BYTES}."
        ));
        return Ok(req.error_response(error).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// A JSON request body. Use it instead of `web::Json`: it refuses a NUL
/// in any string and names the field that does not fit.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return Err(AppError::UnsupportedMediaType(
                    "Send the body as JSON with the header Content-Type: application/json.".into(),
                ));
            }
            let body = body.await.map_err(|e| super::errors::payload_error(&e.to_string()))?;
            read_json(&body).map(Json)
        })
    }
}

/// A query string. Use it instead of `web::Query`: it refuses a NUL
/// in any value and names the parameter that does not fit.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(read_urlencoded(req.query_string().as_bytes(), "query string").map(Query))
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod extractor_tests {
    /// Handlers added later (or merged from elsewhere) must not bypass the
    /// checks by reaching for actix's own extractors.
    #[test]
    fn no_handler_reads_json_forms_or_query_strings_past_these_checks() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("read src").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("web/input.rs") {
                    let text = std::fs::read_to_string(&path).expect("read file");
                    for (i, line) in text.lines().enumerate() {
                        if ["web::Json<", "web::Query<", "web::Form<"]
                            .iter()
                            .any(|p| line.contains(p))
                        {
                            found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "use crate::web::input::{{Json, Query}} and crate::web::csrf::CsrfForm instead:\n{}",
            found.join("\n")
        );
    }
}
