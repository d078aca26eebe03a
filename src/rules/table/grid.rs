//! Reading a delimited text table into a grid of cells: encoding, delimiter and quoting.
//!
//! The text is decoded once (UTF-8 with or without a byte-order mark, UTF-16, or
//! Windows-1252 when the bytes are not UTF-8), the delimiter is taken from identification or
//! sniffed, and the csv crate splits records, so quoted fields with delimiters and line breaks
//! read as one cell. Cells are kept as ranges into one buffer: a million-row table costs two
//! allocations, not four million.

use std::ops::Range;

use super::value::NumberStyle;

/// One sheet of cells as printed: no row is taken for a header or a note yet.
#[derive(Debug, Default)]
pub struct Grid {
    /// The sheet's name, for spreadsheets.
    pub sheet: Option<String>,
    text: String,
    cells: Vec<Range<usize>>,
    rows: Vec<RowSpan>,
    /// How numbers are written in this grid.
    pub style: NumberStyle,
}

#[derive(Debug)]
struct RowSpan {
    first: usize,
    len: usize,
    line: u64,
}

impl Grid {
    /// An empty grid, named for a spreadsheet's sheet.
    pub fn named(sheet: Option<String>) -> Grid {
        Grid {
            sheet,
            ..Grid::default()
        }
    }

    /// Appends a row that starts on one-based `line`, trimming each cell.
    pub fn push_row<'a>(&mut self, line: u64, cells: impl IntoIterator<Item = &'a str>) {
        let first = self.cells.len();
        for cell in cells {
            let cell = cell.trim_matches(|c: char| c.is_whitespace());
            let start = self.text.len();
            self.text.push_str(cell);
            self.cells.push(start..self.text.len());
        }
        // Trailing empty cells carry nothing and would widen the table.
        while self.cells.len() > first && self.cells.last().is_some_and(|r| r.is_empty()) {
            self.cells.pop();
        }
        self.rows.push(RowSpan {
            first,
            len: self.cells.len() - first,
            line,
        });
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// Cells in row `row`, trailing empty cells left out.
    pub fn width(&self, row: usize) -> usize {
        self.rows.get(row).map_or(0, |r| r.len)
    }

    /// The text of a cell, empty when the row is shorter.
    pub fn cell(&self, row: usize, column: usize) -> &str {
        let Some(span) = self.rows.get(row) else {
            return "";
        };
        if column >= span.len {
            return "";
        }
        self.cells
            .get(span.first + column)
            .and_then(|range| self.text.get(range.clone()))
            .unwrap_or("")
    }

    /// One-based line (text files) or row number (spreadsheets) where `row` starts.
    pub fn line(&self, row: usize) -> u64 {
        self.rows.get(row).map_or(0, |r| r.line)
    }

    /// Non-empty cells in `row`.
    pub fn filled(&self, row: usize) -> usize {
        (0..self.width(row))
            .filter(|&c| !self.cell(row, c).is_empty())
            .count()
    }
}

/// Text decoded from a file's bytes, and the encoding it was read as.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return (String::from_utf8_lossy(rest).into_owned(), "utf-8 with BOM");
    }
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        let (text, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        return (text.into_owned(), "utf-16");
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), "utf-8"),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), "windows-1252")
        }
    }
}

/// The delimiter named in identification's detail (`utf-8, delimiter ';'`), if any.
pub fn delimiter_from_detail(detail: Option<&str>) -> Option<u8> {
    let after = detail?.split("delimiter '").nth(1)?;
    match after.chars().next()? {
        '\\' if after.starts_with("\\t") => Some(b'\t'),
        c if c.is_ascii() => Some(c as u8),
        _ => None,
    }
}

/// Sniffs the delimiter from the first lines: the candidate that splits the most lines into
/// the same number of fields, at least two.
pub fn sniff_delimiter(text: &str, fallback: u8) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(60)
        .collect();
    let mut best = (fallback, 0usize);
    for delimiter in [b',', b'\t', b';', b'|'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| count_outside_quotes(l, delimiter))
            .collect();
        for &count in counts.iter().filter(|&&c| c > 0) {
            let agree = counts.iter().filter(|&&c| c == count).count();
            let score = agree * 1000 + count;
            if agree >= 2 && score > best.1 {
                best = (delimiter, score);
            }
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            count += 1;
        }
    }
    count
}

/// Decides whether numbers use a decimal comma: only in files not delimited by commas, and
/// only when comma-decimal numbers (`1,5`) outnumber dot-decimal ones (`1.5`).
pub fn number_style(text: &str, delimiter: u8) -> NumberStyle {
    if delimiter == b',' {
        return NumberStyle::default();
    }
    let sample = &text[..floor_boundary(text, 64 * 1024)];
    let mut comma = 0usize;
    let mut dot = 0usize;
    for field in sample.split([delimiter as char, '\n']) {
        let f = field.trim().trim_matches('"');
        let Some((int, frac)) = f.split_once([',', '.']) else {
            continue;
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if digits(int.trim_start_matches('-')) && digits(frac) && frac.len() != 3 {
            if f.contains(',') {
                comma += 1;
            } else {
                dot += 1;
            }
        }
    }
    NumberStyle {
        decimal_comma: comma > dot,
    }
}

fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Splits decoded text into a grid with `delimiter`, honouring quotes.
pub fn parse_delimited(text: &str, delimiter: u8) -> Result<Grid, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid = Grid::default();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                grid.push_row(line, record.iter());
            }
            Err(error) => return Err(error.to_string()),
        }
    }
    grid.style = number_style(text, delimiter);
    Ok(grid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_lines() {
        let grid =
            parse_delimited("a,b\n\"x, y\",\"1,234\"\n\"two\nlines\",3\n", b',').expect("parses");
        assert_eq!(grid.rows(), 3);
        assert_eq!(grid.cell(1, 0), "x, y");
        assert_eq!(grid.cell(1, 1), "1,234");
        assert_eq!(grid.cell(2, 0), "two\nlines");
        assert_eq!(grid.line(2), 3);
        assert_eq!(grid.cell(2, 5), "");
    }

    #[test]
    fn encodings() {
        assert_eq!(decode(b"\xef\xbb\xbfa,b").0, "a,b");
        let (text, encoding) = decode(b"caf\xe9,\x80");
        assert_eq!(text, "caf\u{e9},\u{20ac}");
        assert_eq!(encoding, "windows-1252");
    }

    #[test]
    fn delimiters_and_decimal_commas() {
        assert_eq!(
            delimiter_from_detail(Some("utf-8, delimiter ';'")),
            Some(b';')
        );
        assert_eq!(
            delimiter_from_detail(Some("utf-8, delimiter '\\t'")),
            Some(b'\t')
        );
        let text = "group;mean\nA;1,5\nB;2,25\n";
        assert_eq!(sniff_delimiter(text, b','), b';');
        assert!(number_style(text, b';').decimal_comma);
        assert!(!number_style("a;b\n1.5;2.5\n", b';').decimal_comma);
    }
}
