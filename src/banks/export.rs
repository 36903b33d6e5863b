//! A bank written back out, as a file to download: Moodle XML (its images
//! embedded), GIFT or Assay's TOML. The CLI, the bank page and the API all
//! export through here.

use super::formats::{self, Format};
use super::service;
use crate::db::{BankId, DbConn};
use crate::error::{AppError, AppResult};

/// A bank as a file.
pub struct Exported {
    /// A file name made of the bank's name and the format's extension.
    pub file_name: String,
    pub content_type: &'static str,
    pub text: String,
}

impl Exported {
    /// The file as a download.
    pub fn download(self) -> actix_web::HttpResponse {
        actix_web::HttpResponse::Ok()
            .insert_header(("Content-Type", self.content_type))
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.file_name),
            ))
            .body(self.text)
    }
}

fn not_exported() -> AppError {
    AppError::invalid_field("format", "A bank exports as moodle_xml, gift or toml.")
}

/// The formats a bank exports to, by the names the readers take.
pub fn format(name: &str) -> AppResult<Format> {
    match Format::parse(name) {
        Some(f @ (Format::MoodleXml | Format::Gift | Format::Toml)) => Ok(f),
        _ => Err(not_exported()),
    }
}

/// Every current question of the bank, written in `format`.
pub fn export(conn: &mut DbConn, bank_id: BankId, format: Format) -> AppResult<Exported> {
    let bank = service::find_bank(conn, bank_id)?;
    let mut questions = service::export(conn, bank_id)?;
    let (text, extension, content_type) = match format {
        Format::MoodleXml => {
            super::images::store::embed_for_moodle(conn, &mut questions)?;
            (
                formats::write_moodle_xml(&questions),
                "xml",
                "application/xml; charset=utf-8",
            )
        }
        Format::Gift => (formats::write_gift(&questions), "gift.txt", "text/plain; charset=utf-8"),
        Format::Toml => (
            formats::write_toml(&bank.name, &questions),
            "toml",
            "application/toml; charset=utf-8",
        ),
        Format::Csv | Format::Aiken => return Err(not_exported()),
    };
    Ok(Exported {
        file_name: format!("{}.{extension}", file_stem(&bank.name)),
        content_type,
        text,
    })
}

/// The bank's name as a safe file name for a header: ASCII letters and
/// digits kept, every run of anything else one hyphen.
fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
    }
    let stem = stem.trim_end_matches('-').chars().take(80).collect::<String>();
    if stem.is_empty() {
        "bank".into()
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_bank_name_becomes_a_safe_file_name() {
        assert_eq!(
            super::file_stem("Motor claims: set A (2026)"),
            "motor-claims-set-a-2026"
        );
        assert_eq!(super::file_stem("\"; rm -rf /"), "rm-rf");
        assert_eq!(super::file_stem("???"), "bank");
        assert_eq!(super::file_stem("Vérification 2"), "v-rification-2");
    }
}
