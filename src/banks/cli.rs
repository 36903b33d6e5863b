//! `assay bank import` and `assay bank export`.

use std::path::Path;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use super::formats::Format;
use super::service::{self, ImportRequest};
use crate::app::AppState;
use crate::cli_error::{CliError, CliResult};

#[derive(Subcommand)]
pub enum BankCommand {
    /// Import a bank file; errors go to stderr as FILE:LINE: message.
    Import {
        file: std::path::PathBuf,
        /// toml, csv, gift, aiken or moodle_xml (detected when left out).
        #[arg(long)]
        format: Option<String>,
        /// The bank to import into (default: the file's bank name or file name).
        #[arg(long)]
        bank: Option<String>,
        /// Show what would change and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the rest when some questions have a type Assay cannot hold.
        #[arg(long)]
        skip_unsupported: bool,
    },
    /// Write a bank to standard output.
    Export {
        /// The bank's name.
        bank: String,
        /// toml, gift or moodle_xml.
        #[arg(long, default_value = "toml")]
        format: String,
    },
}

/// Progress bars only for files big enough to wait on.
const PROGRESS_THRESHOLD: usize = 2_000;

pub fn run(state: &AppState, command: BankCommand) -> CliResult<()> {
    match command {
        BankCommand::Import {
            file,
            format,
            bank,
            dry_run,
            skip_unsupported,
        } => {
            let req = ImportRequest {
                file_name: file.display().to_string(),
                format: parse_format(format.as_deref())?,
                bank_name: bank,
                skip_unsupported,
                dry_run,
                preview_id: None,
            };
            let report = import_file(state, &file, &req, true)?;
            let verb = if dry_run { "would import" } else { "imported" };
            println!(
                "{}: {verb} into \"{}\": {} created, {} updated, {} unchanged, {} warning(s)",
                file.display(),
                report.bank_name,
                report.created,
                report.updated,
                report.unchanged,
                report.warnings.len()
            );
            for w in &report.warnings {
                eprintln!("{}:{}: warning: {}", file.display(), w.line, w.message);
            }
            Ok(())
        }
        BankCommand::Export { bank, format } => {
            let mut conn = state.pool.get()?;
            let found = service::find_bank_by_name(&mut conn, &bank)?;
            let format = super::export::format(&format)
                .map_err(|_| CliError::Usage("Export writes toml, gift or moodle_xml.".into()))?;
            let text = super::export::export(&mut conn, found.id, format)?.text;
            print!("{text}");
            Ok(())
        }
    }
}

/// Imports one file, printing `FILE:LINE: message` for each problem.
pub fn import_file(
    state: &AppState,
    path: &Path,
    req: &ImportRequest,
    show_progress: bool,
) -> CliResult<service::ImportReport> {
    let bytes = std::fs::read(path).map_err(|e| CliError::read(path, e))?;
    if bytes.len() > state.config.max_upload_bytes {
        return Err(CliError::Input {
            message: super::api::too_large(state.config.max_upload_bytes).to_string(),
            details: Vec::new(),
        });
    }
    let file = match service::read_file(&bytes, req) {
        Ok(file) => file,
        Err(e) => {
            for d in e.details() {
                match (d.line, d.column) {
                    (Some(l), Some(c)) => eprintln!("{}:{l}:{c}: {}", path.display(), d.message),
                    (Some(l), None) => eprintln!("{}:{l}: {}", path.display(), d.message),
                    _ => eprintln!("{}: {}", path.display(), d.message),
                }
            }
            return Err(e.into());
        }
    };
    let total = file.outcome.questions.len();
    let bar = (show_progress && total >= PROGRESS_THRESHOLD && !req.dry_run).then(|| {
        let bar = ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX));
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} questions ({eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message("importing");
        bar
    });
    let content = String::from_utf8_lossy(&bytes);
    let mut conn = state.pool.get()?;
    let now = state.clock.now();
    let report = service::import(&mut conn, &file, req, &content, None, now, &|done| {
        if let Some(bar) = &bar {
            bar.set_position(u64::try_from(done).unwrap_or(u64::MAX));
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(report)
}

/// The question banks shipped in `question_banks/`, built into the binary
/// so `serve --demo` imports them from any folder.
pub const SHIPPED: [(&str, &str); 8] = [
    (
        "data_analytics.toml",
        include_str!("../../question_banks/data_analytics.toml"),
    ),
    (
        "finance_accounting.toml",
        include_str!("../../question_banks/finance_accounting.toml"),
    ),
    (
        "insurance_underwriting.toml",
        include_str!("../../question_banks/insurance_underwriting.toml"),
    ),
    (
        "legal_ip_research.toml",
        include_str!("../../question_banks/legal_ip_research.toml"),
    ),
    (
        "logical_reasoning.toml",
        include_str!("../../question_banks/logical_reasoning.toml"),
    ),
    (
        "pharma_clinical_research.toml",
        include_str!("../../question_banks/pharma_clinical_research.toml"),
    ),
    (
        "quantitative_aptitude.toml",
        include_str!("../../question_banks/quantitative_aptitude.toml"),
    ),
    (
        "verbal_communication.toml",
        include_str!("../../question_banks/verbal_communication.toml"),
    ),
];

/// Imports every shipped bank (for `serve --demo`); importing them again
/// changes nothing.
pub fn import_shipped(state: &AppState) -> CliResult<Vec<service::ImportReport>> {
    SHIPPED
        .iter()
        .map(|(name, text)| {
            let req = ImportRequest {
                file_name: format!("question_banks/{name}"),
                ..ImportRequest::default()
            };
            let file = service::read_file(text.as_bytes(), &req)?;
            let mut conn = state.pool.get()?;
            let now = state.clock.now();
            Ok(service::import(&mut conn, &file, &req, text, None, now, &|_| {})?)
        })
        .collect()
}

/// `--format`, where leaving it out or `auto` detects it from the content.
fn parse_format(name: Option<&str>) -> CliResult<Option<Format>> {
    match name.map(str::trim).filter(|f| !f.is_empty() && *f != "auto") {
        None => Ok(None),
        Some(f) => Format::parse(f).map(Some).ok_or_else(|| {
            CliError::Usage(format!(
                "'{f}' is not a format; use toml, csv, gift, aiken or moodle_xml."
            ))
        }),
    }
}
