//! Excel workbooks for the downloads people open in Excel: one sheet, a
//! bold header row that stays in view (frozen) with a filter on it, each
//! column typed (numbers as numbers, times as Excel date-times, yes/no as
//! booleans) and wide enough to read. A cell is written as a value, never a
//! formula, so no text a candidate typed can run in the firm's Excel.

use chrono::{Datelike, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::error::{AppError, AppResult};

/// The content type of an `.xlsx` download.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What a column holds, and so how Excel shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A whole number.
    Whole,
    /// A number shown with two decimals (percentages are 0 to 100).
    Decimal,
    Flag,
    /// A UTC date and time.
    Time,
}

/// One column: its header and type, and its width in characters.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub kind: Kind,
    pub width: f64,
}

pub const fn column(title: &'static str, kind: Kind, width: f64) -> Column {
    Column { title, kind, width }
}

/// One cell's value; `Empty` where there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Whole(i64),
    Decimal(f64),
    Flag(bool),
    Time(NaiveDateTime),
    Empty,
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Cell::Empty, Cell::Decimal)
    }
}

fn failed(e: XlsxError) -> AppError {
    AppError::internal("writing a workbook", e)
}

fn excel_time(t: &NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(t.year()).map_err(|_| XlsxError::DateTimeRangeError("year".into()))?;
    let small = |n: u32| u8::try_from(n).map_err(|_| XlsxError::DateTimeRangeError("time".into()));
    let hour = u16::try_from(t.hour()).map_err(|_| XlsxError::DateTimeRangeError("hour".into()))?;
    ExcelDateTime::from_ymd(year, small(t.month())?, small(t.day())?)?.and_hms(
        hour,
        small(t.minute())?,
        f64::from(t.second()),
    )
}

/// A workbook of one sheet named `sheet`, as the bytes of an `.xlsx` file.
pub fn workbook(sheet: &str, columns: &[Column], rows: &[Vec<Cell>]) -> AppResult<Vec<u8>> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(failed)?;
    let header = Format::new().set_bold();
    let decimal = Format::new().set_num_format("0.00");
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let plain = Format::new();
    for (c, col) in columns.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| AppError::BadRequest("Too many columns for one sheet.".into()))?;
        ws.write_string_with_format(0, c, col.title, &header).map_err(failed)?;
        ws.set_column_width(c, col.width).map_err(failed)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r)
            .ok()
            .and_then(|r| r.checked_add(1))
            .ok_or_else(|| AppError::BadRequest("Too many rows for one sheet.".into()))?;
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| AppError::BadRequest("Too many columns for one sheet.".into()))?;
            match cell {
                Cell::Text(s) => ws.write_string_with_format(r, c, s, &plain),
                Cell::Whole(n) => ws.write_number(r, c, crate::convert::i64_f64(*n)),
                Cell::Decimal(x) => ws.write_number_with_format(r, c, *x, &decimal),
                Cell::Flag(b) => ws.write_boolean(r, c, *b),
                Cell::Time(t) => ws.write_datetime_with_format(r, c, excel_time(t).map_err(failed)?, &time),
                Cell::Empty => Ok(&mut *ws),
            }
            .map_err(failed)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(failed)?;
    if let Some(last) = columns.len().checked_sub(1).and_then(|c| u16::try_from(c).ok()) {
        let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        ws.autofilter(0, 0, last_row, last).map_err(failed)?;
    }
    book.save_to_buffer().map_err(failed)
}

/// The headers of an `.xlsx` download named `filename`.
pub fn attachment(filename: &str) -> [(&'static str, String); 2] {
    [
        ("Content-Type", CONTENT_TYPE.to_string()),
        ("Content-Disposition", format!("attachment; filename=\"{filename}\"")),
    ]
}
