//! The command line's own error: what went wrong, said to a person at a
//! terminal, and an exit code a script can branch on. Services still answer
//! `AppError`; `From<AppError>` sorts their answers into these kinds, so no
//! command reaches for an HTTP status.

use std::path::Path;
use std::process::ExitCode;

use actix_web::http::StatusCode;
use actix_web::ResponseError;

use crate::error::{AppError, ErrorDetail};

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A flag or argument that cannot be used as given.
    #[error("{0}")]
    Usage(String),
    /// The content given (a bank file, an account's fields) is not valid.
    #[error("{message}")]
    Input { message: String, details: Vec<ErrorDetail> },
    /// A file or standard input could not be read.
    #[error("cannot read {what}")]
    Read {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// The result could not be written out.
    #[error("cannot write {what}")]
    Write {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The platform said no: a bank that does not exist, an account taken.
    #[error("{0}")]
    Refused(String),
    /// The settings (flags, environment) do not let Assay start.
    #[error("{0}")]
    Config(String),
    /// The database or the mail server cannot be reached.
    #[error("the database cannot be used")]
    Unavailable(#[source] AppError),
    /// A fault of ours; the cause chain says where.
    #[error("the command failed")]
    Failed(#[source] AppError),
}

pub type CliResult<T> = Result<T, CliError>;

impl CliError {
    pub fn read(what: &Path, source: std::io::Error) -> Self {
        CliError::Read {
            what: what.display().to_string(),
            source,
        }
    }

    /// The code the process exits with, after the BSD `sysexits.h`
    /// conventions, so a script can tell bad input from a server that is down.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Refused(_) => 1,
            // What clap answers for a bad flag too.
            CliError::Usage(_) => 2,
            CliError::Input { .. } => 65,
            CliError::Read { .. } => 66,
            CliError::Unavailable(_) => 69,
            CliError::Failed(_) => 70,
            CliError::Write { .. } => 74,
            CliError::Config(_) => 78,
        }
    }

    /// The text for standard error: the message, one line per problem in
    /// the input, and the causes of a failure.
    pub fn report(&self) -> String {
        let mut text = format!("error: {self}");
        if let CliError::Input { details, .. } = self {
            for d in details {
                let line = match (&d.field, d.line) {
                    (Some(f), _) => format!("\n  {f}: {}", d.message),
                    (None, Some(l)) => format!("\n  line {l}: {}", d.message),
                    _ => format!("\n  {}", d.message),
                };
                text.push_str(&line);
            }
        }
        let mut cause = std::error::Error::source(self);
        while let Some(e) = cause {
            text.push_str(&format!("\n  caused by: {e}"));
            cause = e.source();
        }
        text
    }
}

impl From<CliError> for ExitCode {
    fn from(e: CliError) -> Self {
        ExitCode::from(e.exit_code())
    }
}

impl From<AppError> for CliError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid { message, details } => CliError::Input { message, details },
            AppError::Config(message) => CliError::Config(message),
            e if e.status_code() == StatusCode::SERVICE_UNAVAILABLE => CliError::Unavailable(e),
            e if e.status_code().is_server_error() => CliError::Failed(e),
            refused => CliError::Refused(refused.to_string()),
        }
    }
}

impl From<diesel::result::Error> for CliError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::from(e).into()
    }
}

impl From<diesel::r2d2::PoolError> for CliError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_input_lists_each_problem_and_exits_65() {
        let e = CliError::from(AppError::invalid(
            "The account cannot be created.",
            vec![ErrorDetail::field("email", "is not an address")],
        ));
        assert_eq!(e.exit_code(), 65);
        assert_eq!(
            e.report(),
            "error: The account cannot be created.\n  email: is not an address"
        );
    }

    #[test]
    fn a_database_fault_shows_its_causes_and_exits_70() {
        let diesel = diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::Unknown,
            Box::new("no such table: banks".to_string()),
        );
        let e = CliError::from(diesel);
        assert_eq!(e.exit_code(), 70);
        assert_eq!(
            e.report(),
            "error: the command failed\n  caused by: database\n  caused by: no such table: banks"
        );
    }

    #[test]
    fn a_lost_connection_exits_69_and_a_missing_bank_exits_1() {
        let lost = diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ClosedConnection,
            Box::new("server closed the connection".to_string()),
        );
        assert_eq!(CliError::from(lost).exit_code(), 69);
        let missing = CliError::from(AppError::NotFound("There is no bank \"x\".".into()));
        assert_eq!(missing.exit_code(), 1);
        assert_eq!(missing.report(), "error: There is no bank \"x\".");
    }
}
