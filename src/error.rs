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

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("You need to sign in first.")]
    Unauthorized,
    #[error("That email and password do not match an account; check both and try again.")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
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
    #[error("configuration: {0}")]
    Config(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
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
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "not_signed_in",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict { code, .. } => code,
            AppError::Stale { .. } => "stale",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::UriTooLong(_) => "uri_too_long",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Invalid { .. } => "invalid",
            AppError::Throttled { .. } => "throttled",
            AppError::Config(_) | AppError::Internal(_) => "internal",
            AppError::Unavailable(_) => "unavailable",
        }
    }

    /// The sentence shown to the person. Internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Config(_) | AppError::Internal(_) => {
                "Something went wrong on our side; it has been logged. Please try again.".into()
            }
            AppError::Unavailable(_) => "The database is not reachable right now. Please try again in a minute.".into(),
            other => other.to_string(),
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
            AppError::Unauthorized | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } | AppError::Stale { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Config(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = HttpResponse::build(status);
        if let AppError::Throttled { retry_after_secs, .. } = self {
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

/// The one place a database error becomes a status: a missing row is 404, a
/// unique key already taken is 409 (two requests creating the same thing at
/// once, such as a double click), a lost connection is 503, and anything
/// else is a fault of ours.
impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::NotFound("That record does not exist.".into()),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::info!(constraint = ?info.constraint_name(), "unique key already taken");
                AppError::conflict(
                    "duplicate",
                    "That already exists; it was probably created a moment ago. Reload the page to see it.",
                )
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::Unavailable(info.message().to_string())
            }
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(format!("blocking task: {e}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;
