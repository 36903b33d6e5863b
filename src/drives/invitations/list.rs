//! Reading a recruiter's list of graduates (CSV, or the first sheet of an
//! XLSX workbook): a header row naming the columns (name, email, degree,
//! score, institute; any order, any case), then one person a row. Every bad
//! row is named with its line and why, so the whole list can be fixed at
//! once; nothing is invited while any row is bad.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult, ErrorDetail};
use crate::identity::EmailAddress;

/// One person on the list, as read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Invitee {
    /// The line of the file (the header is line 1).
    pub line: usize,
    pub full_name: String,
    pub email: String,
    pub degree: Option<String>,
    pub institute: Option<String>,
    pub score_percent: Option<f64>,
}

/// What a list holds: the good rows and every problem, by line.
#[derive(Debug, Default)]
pub struct Parsed {
    pub invitees: Vec<Invitee>,
    pub problems: Vec<ErrorDetail>,
}

impl Parsed {
    /// Only the good rows: the recruiter's page sends them once the
    /// recruiter has seen the bad rows named and left out.
    pub fn good_rows(self) -> Parsed {
        Parsed {
            invitees: self.invitees,
            problems: Vec::new(),
        }
    }
}

/// What kind of file an upload is, read from its first bytes rather than
/// its name: an XLSX workbook is a zip archive.
pub fn is_xlsx_bytes(bytes: &[u8]) -> AppResult<bool> {
    if bytes.starts_with(b"PK\x03\x04") {
        Ok(true)
    } else if bytes.starts_with(b"\xd0\xcf\x11\xe0") {
        Err(AppError::invalid_field(
            "file",
            "This is an old Excel file (.xls): in Excel, save it as \"Excel Workbook (.xlsx)\" or \"CSV UTF-8\" and upload that.",
        ))
    } else {
        Ok(false)
    }
}

/// The most people one list may invite.
pub const MAX_ROWS: usize = 5_000;

/// Reads a list; `xlsx` says which kind it is.
pub fn parse(bytes: &[u8], xlsx: bool) -> AppResult<Parsed> {
    let rows = if xlsx { xlsx_rows(bytes)? } else { csv_rows(bytes)? };
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return Err(AppError::invalid_field(
            "file",
            "The list is empty: put a header row first (name, email, degree, score, institute).",
        ));
    };
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.contains(&h.trim().to_lowercase().replace([' ', '-'], "_").as_str()))
    };
    let (Some(name), Some(email)) = (
        find(&["name", "full_name"]),
        find(&["email", "email_address", "e_mail"]),
    ) else {
        return Err(AppError::invalid_field(
            "file",
            "The header row must name a \"name\" and an \"email\" column (degree, score and institute are optional).",
        ));
    };
    let columns = Columns {
        name,
        email,
        degree: find(&["degree"]),
        institute: find(&["institute", "college", "university"]),
        score: find(&["score", "score_percent", "percentage", "percent"]),
    };
    let mut parsed = Parsed::default();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (index, row) in rows.enumerate() {
        let line = index.saturating_add(2);
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if parsed.invitees.len() >= MAX_ROWS {
            return Err(AppError::invalid_field(
                "file",
                format!("A list may hold at most {MAX_ROWS} people; split it."),
            ));
        }
        match columns.read(&row, line) {
            Ok(invitee) => {
                let key = invitee.email.to_lowercase();
                if let Some((_, first)) = seen.iter().find(|(e, _)| *e == key) {
                    parsed.problems.push(ErrorDetail::line(
                        line,
                        None,
                        format!(
                            "{} is listed twice (first on line {first}); keep one row.",
                            invitee.email
                        ),
                    ));
                } else {
                    seen.push((key, line));
                    parsed.invitees.push(invitee);
                }
            }
            Err(message) => parsed.problems.push(ErrorDetail::line(line, None, message)),
        }
    }
    Ok(parsed)
}

struct Columns {
    name: usize,
    email: usize,
    degree: Option<usize>,
    institute: Option<usize>,
    score: Option<usize>,
}

impl Columns {
    fn read(&self, row: &[String], line: usize) -> Result<Invitee, String> {
        let cell = |i: usize| row.get(i).map(|c| c.trim().to_string()).unwrap_or_default();
        let optional = |i: Option<usize>| i.map(cell).filter(|c| !c.is_empty());
        let full_name = cell(self.name);
        if full_name.is_empty() {
            return Err("The name is missing.".into());
        }
        if full_name.chars().count() > 200 {
            return Err("The name is longer than 200 characters.".into());
        }
        let raw_email = cell(self.email);
        let email = EmailAddress::parse(&raw_email)
            .map_err(|m| format!("{raw_email:?} is not an email address we can write to: {m}"))?;
        let score_percent = match optional(self.score) {
            None => None,
            Some(s) => match s.trim_end_matches('%').trim().parse::<f64>() {
                Ok(v) if (0.0..=100.0).contains(&v) => Some(v),
                _ => return Err(format!("The score {s:?} is not a percentage from 0 to 100.")),
            },
        };
        let long = |v: Option<String>, what: &str| match v {
            Some(v) if v.chars().count() > 200 => Err(format!("The {what} is longer than 200 characters.")),
            other => Ok(other),
        };
        Ok(Invitee {
            line,
            full_name,
            email: email.as_str().to_string(),
            degree: long(optional(self.degree), "degree")?,
            institute: long(optional(self.institute), "institute")?,
            score_percent,
        })
    }
}

fn csv_rows(bytes: &[u8]) -> AppResult<Vec<Vec<String>>> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes))
        .map_err(|_| AppError::invalid_field("file", "The CSV file is not UTF-8 text; save it as \"CSV UTF-8\"."))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            AppError::invalid(
                "The CSV file could not be read.",
                vec![ErrorDetail::line(index.saturating_add(1), None, e.to_string())],
            )
        })?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

fn xlsx_rows(bytes: &[u8]) -> AppResult<Vec<Vec<String>>> {
    let unreadable =
        |e: String| AppError::invalid_field("file", format!("The file is not an XLSX workbook we can read ({e})."));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|e| unreadable(e.to_string()))?;
    let Some(range) = book.worksheet_range_at(0) else {
        return Err(AppError::invalid_field("file", "The workbook has no sheet."));
    };
    let range = range.map_err(|e| unreadable(e.to_string()))?;
    // Rows before the first used one are blank lines of the sheet.
    let skipped = range.start().map_or(0, |(row, _)| row);
    let mut rows: Vec<Vec<String>> = (0..skipped).map(|_| Vec::new()).collect();
    rows.extend(range.rows().map(|row| row.iter().map(text_of).collect()));
    Ok(rows)
}

fn text_of(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Float(x) => x.to_string(),
        Data::Int(n) => n.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_row_is_named_by_line() {
        let csv = "Name,Email,Degree,Score,Institute\nAsha,asha@example.com,B.Com,72,SRCC\n,x@example.com,,,\nRavi,not-an-address,,,\nMeena,ASHA@example.com,,,\nJo,jo@example.com,,140,\n";
        let parsed = parse(csv.as_bytes(), false).unwrap();
        assert_eq!(parsed.invitees.len(), 1);
        let lines: Vec<Option<usize>> = parsed.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(3), Some(4), Some(5), Some(6)]);
        assert!(parsed.problems[2].message.contains("first on line 2"));
    }
}
