//! What every spreadsheet export (CSV) does to the text it writes.

/// A spreadsheet must not run a cell: text starting with = + - @ (or a tab
/// or carriage return) gets a leading apostrophe.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}
