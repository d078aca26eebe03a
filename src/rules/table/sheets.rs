//! Reading spreadsheets (xlsx, xlsm, xls, ods) through calamine: every worksheet, with its
//! visibility, as a grid of cells printed the way a reader sees them.

use std::io::Cursor;

use calamine::{Data, Reader, SheetType, SheetVisible};

use super::grid::Grid;

/// One worksheet read, or the reason it could not be.
pub struct SheetRead {
    pub name: String,
    /// `hidden` or `very hidden`; `None` for a visible sheet.
    pub hidden: Option<&'static str>,
    pub grid: Result<Grid, String>,
}

/// Reads every worksheet of a workbook. Chart sheets and macro sheets carry no cells and are
/// left out. Fails when the workbook itself cannot be opened.
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<SheetRead>, String> {
    let mut workbook =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let metadata = workbook.sheets_metadata().to_vec();
    let mut sheets = Vec::with_capacity(metadata.len());
    for sheet in metadata {
        if !matches!(sheet.typ, SheetType::WorkSheet) {
            continue;
        }
        let hidden = match sheet.visible {
            SheetVisible::Visible => None,
            SheetVisible::Hidden => Some("hidden"),
            SheetVisible::VeryHidden => Some("very hidden"),
        };
        let grid = workbook
            .worksheet_range(&sheet.name)
            .map_err(|e| e.to_string())
            .map(|range| to_grid(&sheet.name, &range));
        sheets.push(SheetRead {
            name: sheet.name,
            hidden,
            grid,
        });
    }
    Ok(sheets)
}

fn to_grid(name: &str, range: &calamine::Range<Data>) -> Grid {
    let mut grid = Grid::named(Some(name.to_string()));
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let mut texts: Vec<String> = Vec::new();
    for (offset, row) in range.rows().enumerate() {
        texts.clear();
        // Columns left of the range are empty in the sheet; keep them so that column
        // positions match what the reader sees.
        texts.extend((0..first_column).map(|_| String::new()));
        texts.extend(row.iter().map(cell_text));
        let line = u64::from(first_row) + offset as u64 + 1;
        grid.push_row(line, texts.iter().map(String::as_str));
    }
    grid
}

/// A cell as text: numbers in their shortest round-trip form, dates as ISO dates.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::DateTime(date) if date.is_datetime() => excel_date(date.as_f64()),
        other => other.to_string(),
    }
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`, with the time when it has one.
fn excel_date(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return serial.to_string();
    }
    let days = serial.floor() as i64;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let seconds = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if seconds == 0 {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        let (h, m) = (seconds / 3600, (seconds % 3600) / 60);
        format!("{year:04}-{month:02}-{day:02} {h:02}:{m:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_date(25_569.0), "1970-01-01");
        assert_eq!(excel_date(44_197.0), "2021-01-01");
        assert_eq!(excel_date(44_197.5), "2021-01-01 12:00");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_workbook(b"PK\x03\x04 not really a workbook").is_err());
    }
}
