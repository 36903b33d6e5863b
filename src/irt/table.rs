//! Reading the CSV files the IRT commands take, from text (the caller
//! reads the file): response matrices and item pools.

use super::cat::PoolItem;
use super::data::{Responses, MISSING};
use super::IrtError;

/// A CSV reader over `text`, cells trimmed, and its header row.
fn with_headers(text: &str) -> Result<(csv::Reader<&[u8]>, csv::StringRecord), IrtError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| IrtError::Input(format!("cannot read the header row: {e}")))?
        .clone();
    Ok((reader, headers))
}

/// A response matrix: a header row of item names, then one row per person
/// (or response pattern) with 0, 1 or an empty cell (not shown; `NA` too).
/// With `freq_col`, that column holds each row's count of people.
pub fn parse_responses(text: &str, freq_col: Option<&str>) -> Result<Responses, IrtError> {
    let (mut reader, headers) = with_headers(text)?;
    let freq_index = match freq_col {
        Some(name) => Some(headers.iter().position(|h| h == name).ok_or_else(|| {
            IrtError::Input(format!(
                "there is no column '{name}' for the frequencies; the header row is {}",
                headers.iter().collect::<Vec<_>>().join(",")
            ))
        })?),
        None => None,
    };
    let items: Vec<(usize, &str)> = headers
        .iter()
        .enumerate()
        .filter(|&(c, _)| Some(c) != freq_index)
        .collect();
    let names: Vec<String> = items.iter().map(|&(_, header)| header.to_string()).collect();
    let mut cells = Vec::new();
    let mut weights = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| IrtError::Input(format!("line {line}: {e}")))?;
        if record.len() != headers.len() {
            return Err(IrtError::Input(format!(
                "line {line} has {} cells but the header has {}",
                record.len(),
                headers.len()
            )));
        }
        // The record has as many cells as the header (checked above).
        for &(c, header) in &items {
            cells.push(match record.get(c).unwrap_or_default() {
                "1" => 1,
                "0" => 0,
                "" | "NA" => MISSING,
                other => {
                    return Err(IrtError::Input(format!(
                        "line {line}, column '{}': '{other}' is not 0, 1 or empty (not shown); if the column counts people, pass --freq-col {}",
                        header, header
                    )))
                }
            });
        }
        weights.push(match freq_index {
            Some(c) => {
                let cell = record.get(c).unwrap_or_default();
                cell.parse::<f64>()
                    .ok()
                    .filter(|w| w.is_finite() && *w >= 0.0)
                    .ok_or_else(|| IrtError::Input(format!("line {line}: frequency '{cell}' is not a count")))?
            }
            None => 1.0,
        });
    }
    if weights.is_empty() {
        return Err(IrtError::Input("the file has a header row but no responses".into()));
    }
    Responses::from_cells(names, cells, weights)
}

/// An item pool: columns `id`, `section`, `a`, `b` (by name, any order).
pub fn parse_pool(text: &str) -> Result<Vec<PoolItem>, IrtError> {
    let (mut reader, headers) = with_headers(text)?;
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| IrtError::Input(format!("the pool needs a column '{name}' (columns: id, section, a, b)")))
    };
    let (id, section, a, b) = (column("id")?, column("section")?, column("a")?, column("b")?);
    let mut pool = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| IrtError::Input(format!("line {line}: {e}")))?;
        let number = |c: usize, what: &str| {
            record
                .get(c)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    IrtError::Input(format!(
                        "line {line}: {what} '{}' is not a number",
                        record.get(c).unwrap_or("")
                    ))
                })
        };
        let item = PoolItem {
            id: record.get(id).unwrap_or("").to_string(),
            section: record.get(section).unwrap_or("").to_string(),
            a: number(a, "a")?,
            b: number(b, "b")?,
        };
        if item.a <= 0.0 {
            return Err(IrtError::Input(format!(
                "line {line}: item '{}' has a = {}; an adaptive pool needs positive discriminations",
                item.id, item.a
            )));
        }
        pool.push(item);
    }
    if pool.is_empty() {
        return Err(IrtError::Input("the pool has no items".into()));
    }
    Ok(pool)
}
