//! One error type for the whole application and the one place that maps it
//! to a status code. The API renders it as JSON; `crate::web::errors` turns
//! the same error into an HTML page for browser routes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// One problem in the input: a field of a form or a line of a file.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
}

impl ErrorDetail {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ErrorDetail {
            field: Some(field.to_string()),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn line(line: usize, column: Option<usize>, message: impl Into<String>) -> Self {
        ErrorDetail {
            field: None,
            line: Some(line),
            column,
            message: message.into(),
        }
    }
}

/// The application's error. Variants that wrap a failure keep it as their
/// `source`, so a logged 500 shows the whole cause chain (`Chain`), while the
/// person sees only `public_message`.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("You need to sign in first.")]
    Unauthorized,
    #[error("That email and password do not match an account; check both and try again.")]
    InvalidCredentials,
    /// A service token that is unknown, revoked or expired (401), with why.
    #[error("{0}")]
    TokenRefused(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// `source` is the database's refusal when the conflict is a unique key
    /// already taken (see `From<diesel::result::Error>`).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        #[source]
        source: Option<diesel::result::Error>,
    },
    /// A save whose `seq` is not newer than the stored answer's: nothing was
    /// kept, and the page needs the stored `seq` to send its answer again.
    #[error(
        "A newer answer to this question is already saved, so this one was not kept; send it again with a higher seq."
    )]
    Stale { seq: i64 },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UriTooLong(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{message}")]
    Invalid { message: String, details: Vec<ErrorDetail> },
    #[error("{message}")]
    Throttled { message: String, retry_after_secs: u64 },
    /// Not refused, only not yet: the server is busy with others' requests
    /// of the same kind and asks the person to try again shortly (503).
    #[error("{message}")]
    Busy { message: String, retry_after_secs: u64 },
    #[error("configuration: {0}")]
    Config(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("the database connection was lost")]
    ConnectionLost(#[source] diesel::result::Error),
    #[error("no database connection could be had")]
    NoConnection(#[from] diesel::r2d2::PoolError),
    #[error("database")]
    Database(#[source] diesel::result::Error),
    #[error("blocking task")]
    Blocking(#[from] actix_web::error::BlockingError),
    #[error("template")]
    Template(#[from] askama::Error),
    /// A failure of ours with its cause: `AppError::internal(context, e)`.
    #[error("{context}")]
    Fault {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(message: impl Into<String>, details: Vec<ErrorDetail>) -> Self {
        AppError::Invalid {
            message: message.into(),
            details,
        }
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Invalid {
            message: message.clone(),
            details: vec![ErrorDetail::field(field, message)],
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
            source: None,
        }
    }

    /// A failure of ours, kept with its cause for the log.
    pub fn internal(context: impl Into<String>, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AppError::Fault {
            context: context.into(),
            source: source.into(),
        }
    }

    /// Whether this is a unique key already taken (two requests creating the
    /// same thing at once).
    pub fn is_duplicate(&self) -> bool {
        matches!(self, AppError::Conflict { code: DUPLICATE, .. })
    }

    /// A caller that knows what the taken key means says so in its own words;
    /// any other error passes through unchanged.
    pub fn when_duplicate(self, code: &'static str, message: impl Into<String>) -> Self {
        match self {
            AppError::Conflict {
                code: DUPLICATE,
                source,
                ..
            } => AppError::Conflict {
                code,
                message: message.into(),
                source,
            },
            other => other,
        }
    }

    /// The error with its causes, for logs and the command line.
    pub fn chain(&self) -> Chain<'_> {
        Chain(self)
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "not_signed_in",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TokenRefused(_) => "token_refused",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict { code, .. } => code,
            AppError::Stale { .. } => "stale",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::UriTooLong(_) => "uri_too_long",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Invalid { .. } => "invalid",
            AppError::Throttled { .. } => "throttled",
            AppError::Busy { .. } => "busy",
            AppError::Config(_)
            | AppError::Database(_)
            | AppError::Blocking(_)
            | AppError::Template(_)
            | AppError::Fault { .. }
            | AppError::Internal(_) => "internal",
            AppError::Unavailable(_) | AppError::ConnectionLost(_) | AppError::NoConnection(_) => "unavailable",
        }
    }

    /// The sentence shown to the person. Internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self.status_code() {
            StatusCode::INTERNAL_SERVER_ERROR => {
                "Something went wrong on our side; it has been logged. Please try again.".into()
            }
            StatusCode::SERVICE_UNAVAILABLE if !matches!(self, AppError::Busy { .. }) => {
                "The database is not reachable right now. Please try again in a minute.".into()
            }
            _ => self.to_string(),
        }
    }

    pub fn details(&self) -> &[ErrorDetail] {
        match self {
            AppError::Invalid { details, .. } => details,
            _ => &[],
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"error": {"code": "invalid", "message": "The token was not made; correct the fields named.",
    "details": [{"field": "name", "message": "Give the token a name that says which system uses it, e.g. \"ATS sync\"."}]}}))]
pub struct ErrorBody {
    pub error: ErrorPayload,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
    pub details: Vec<ErrorDetail>,
    /// Only with `stale`: the `seq` of the answer the server holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::InvalidCredentials | AppError::TokenRefused(_) => {
                StatusCode::UNAUTHORIZED
            }
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } | AppError::Stale { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy { .. }
            | AppError::Unavailable(_)
            | AppError::ConnectionLost(_)
            | AppError::NoConnection(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Config(_)
            | AppError::Database(_)
            | AppError::Blocking(_)
            | AppError::Template(_)
            | AppError::Fault { .. }
            | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self.chain(), "request failed");
        }
        let mut response = HttpResponse::build(status);
        if let AppError::Throttled { retry_after_secs, .. } | AppError::Busy { retry_after_secs, .. } = self {
            response.insert_header(("Retry-After", retry_after_secs.to_string()));
        }
        response.json(ErrorBody {
            error: ErrorPayload {
                code: self.code().to_string(),
                message: self.public_message(),
                details: self.details().to_vec(),
                seq: match self {
                    AppError::Stale { seq } => Some(*seq),
                    _ => None,
                },
            },
        })
    }
}

/// The code of a unique key already taken.
const DUPLICATE: &str = "duplicate";

/// The one place a database error becomes a status: a missing row is 404, a
/// unique key already taken is 409 (two requests creating the same thing at
/// once, such as a double click), a lost connection is 503, and anything
/// else is a fault of ours. Callers that give a taken key a meaning of their
/// own use `is_duplicate` or `when_duplicate`, not the diesel error.
impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::NotFound("That record does not exist.".into()),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, ref info) => {
                tracing::info!(constraint = ?info.constraint_name(), "unique key already taken");
                AppError::Conflict {
                    code: DUPLICATE,
                    message: "That already exists; it was probably created a moment ago. Reload the page to see it."
                        .into(),
                    source: Some(e),
                }
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => AppError::ConnectionLost(e),
            other => AppError::Database(other),
        }
    }
}

/// An error and its causes, each after a colon: `database: no such table: x`.
pub struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(e) = cause {
            write!(f, ": {e}")?;
            cause = e.source();
        }
        Ok(())
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use diesel::result::{DatabaseErrorKind, Error as DieselError};

    use super::*;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_string()))
    }

    #[test]
    fn a_database_fault_keeps_the_diesel_error_as_its_source() {
        let e = AppError::from(database_error(DatabaseErrorKind::Unknown, "no such table: widgets"));
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let source = e.source().map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("no such table: widgets"));
        assert_eq!(e.chain().to_string(), "database: no such table: widgets");
        assert!(!e.public_message().contains("widgets"), "{}", e.public_message());
    }

    #[test]
    fn a_taken_unique_key_is_a_duplicate_conflict_that_keeps_its_cause() {
        let e = AppError::from(database_error(
            DatabaseErrorKind::UniqueViolation,
            "UNIQUE constraint failed",
        ));
        assert_eq!(e.status_code(), StatusCode::CONFLICT);
        assert_eq!(e.code(), "duplicate");
        assert!(e.is_duplicate());
        assert!(
            e.chain().to_string().ends_with(": UNIQUE constraint failed"),
            "{}",
            e.chain()
        );
        let renamed = e.when_duplicate("attempt_race", "started twice");
        assert_eq!(renamed.code(), "attempt_race");
        assert_eq!(renamed.public_message(), "started twice");
        assert!(renamed.source().is_some());
    }

    #[test]
    fn a_closed_connection_is_unavailable_with_its_cause() {
        let e = AppError::from(database_error(
            DatabaseErrorKind::ClosedConnection,
            "server closed the connection",
        ));
        assert_eq!(e.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code(), "unavailable");
        assert_eq!(
            e.chain().to_string(),
            "the database connection was lost: server closed the connection"
        );
    }

    #[test]
    fn a_fault_keeps_a_chain_of_causes() {
        let io = std::io::Error::other("disk full");
        let e = AppError::internal("csv", io);
        assert_eq!(e.code(), "internal");
        assert_eq!(e.chain().to_string(), "csv: disk full");
    }
}
