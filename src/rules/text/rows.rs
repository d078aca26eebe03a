//! Row listings: logs and notes that echo raw records.
//!
//! `print(df)`, `head()`, `View()` copied into notes, or a debugging loop that logs each
//! patient leave lines that split into the same number of fields on the same delimiter, with
//! a date or an identifier in every line. A run of at least `min_rows` such lines is a
//! listing. The default of five is the number of rows pandas' `head()` prints (R's prints
//! six): shorter echoes with identifiers in them are still caught by the identifier rules.
//!
//! Two kinds of dated lines are not records: log lines whose only date is their timestamp
//! (a date followed by a time of day), and a dated series of aggregates (one line per day,
//! week or month, dates in order) with no identifier in it.
//!
//! Limitation: quoted fields holding the delimiter are split on it, and a listing whose rows
//! hold neither a date nor an identifier (pseudonymous IDs, ages and sexes only) is not
//! recognised here; the table rules judge such content when it is a table file.

use super::dates;
use super::identifiers::Identifier;

/// How the fields of a line are separated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delimiter {
    /// Tab-separated values.
    Tab,
    /// Comma-separated values.
    Comma,
    /// Bars, as in Markdown and psql tables.
    Bar,
    /// Semicolons, as in European CSV.
    Semicolon,
    /// Runs of spaces, as in printed data frames.
    Spaces,
}

impl Delimiter {
    /// Words for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Delimiter::Tab => "tabs",
            Delimiter::Comma => "commas",
            Delimiter::Bar => "bars",
            Delimiter::Semicolon => "semicolons",
            Delimiter::Spaces => "spaces",
        }
    }
}

/// A run of lines that look like records.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    /// Byte offset of the first line.
    pub start: usize,
    /// Byte offset of the start of the last line.
    pub last_line_start: usize,
    /// Byte offset of the end of the last line.
    pub end: usize,
    /// Lines in the run.
    pub rows: usize,
    /// Fields in each line.
    pub fields: usize,
    /// How the fields are separated.
    pub delimiter: Delimiter,
    /// What made the lines look personal: "dates" and kinds of identifier.
    pub personal: Vec<&'static str>,
}

/// One line's shape, when it looks like a record.
struct Record {
    delimiter: Delimiter,
    fields: usize,
    date: Option<u32>,
    identifier: Option<&'static str>,
}

/// Finds row listings in `text`. `identifiers` are the identifiers found in the same text
/// (from [`super::scan_identifiers`]), in order of position.
pub fn scan_row_listings(
    text: &str,
    identifiers: &[Identifier],
    min_rows: usize,
    min_fields: usize,
) -> Vec<Listing> {
    let mut listings = Vec::new();
    let mut run: Vec<(usize, usize, Record)> = Vec::new();
    let mut next_identifier = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        while identifiers
            .get(next_identifier)
            .is_some_and(|f| f.start < start)
        {
            next_identifier += 1;
        }
        let identifier = identifiers
            .get(next_identifier)
            .filter(|f| f.start < offset)
            .map(|f| f.kind.as_str());
        let record = record(line.trim_end_matches(['\n', '\r']), min_fields, identifier);
        let continues = match (&record, run.last()) {
            (Some(r), Some((_, _, last))) => {
                r.delimiter == last.delimiter && r.fields == last.fields
            }
            _ => false,
        };
        if !continues {
            close(&mut run, min_rows, &mut listings);
        }
        if let Some(record) = record {
            run.push((start, offset, record));
        }
    }
    close(&mut run, min_rows, &mut listings);
    listings
}

fn close(run: &mut Vec<(usize, usize, Record)>, min_rows: usize, out: &mut Vec<Listing>) {
    let lines = std::mem::take(run);
    if lines.len() < min_rows.max(1) {
        return;
    }
    let mut personal: Vec<&'static str> = Vec::new();
    for (_, _, record) in &lines {
        if let Some(kind) = record.identifier {
            if !personal.contains(&kind) {
                personal.push(kind);
            }
        }
    }
    let dates: Vec<u32> = lines.iter().filter_map(|(_, _, r)| r.date).collect();
    let series = dates.len() == lines.len()
        && (dates.windows(2).all(|w| w[0] < w[1]) || dates.windows(2).all(|w| w[0] > w[1]));
    if !dates.is_empty() && !series {
        personal.insert(0, "dates");
    }
    if personal.is_empty() {
        return;
    }
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return;
    };
    out.push(Listing {
        start: first.0,
        last_line_start: last.0,
        end: last.1,
        rows: lines.len(),
        fields: first.2.fields,
        delimiter: first.2.delimiter,
        personal,
    });
}

fn record(line: &str, min_fields: usize, identifier: Option<&'static str>) -> Option<Record> {
    let delimiter = delimiter_of(line, min_fields);
    let (fields, date) = match delimiter {
        Delimiter::Spaces => fields_and_date(line.split_ascii_whitespace()),
        Delimiter::Bar => fields_and_date(line.trim().trim_matches('|').split('|')),
        Delimiter::Tab => fields_and_date(line.split('\t')),
        Delimiter::Comma => fields_and_date(line.split(',')),
        Delimiter::Semicolon => fields_and_date(line.split(';')),
    };
    if fields < min_fields.max(2) {
        return None;
    }
    (date.is_some() || identifier.is_some()).then_some(Record {
        delimiter,
        fields,
        date,
        identifier,
    })
}

/// Counts the fields and finds the first date that is not a timestamp's (a date followed
/// by a time of day), without collecting the fields.
fn fields_and_date<'a>(fields: impl Iterator<Item = &'a str>) -> (usize, Option<u32>) {
    let trim = |f: &'a str| f.trim().trim_matches(['"', '\'', '[', ']', '(', ')']);
    let mut count = 0;
    let mut date = None;
    let mut pending: Option<u32> = None;
    for field in fields {
        count += 1;
        // Most fields start with a letter: neither a date nor a time, no trimming needed.
        let first = field.as_bytes().first().copied().unwrap_or(b'a');
        if first.is_ascii_alphabetic() {
            date = date.or(pending.take());
            continue;
        }
        let field = trim(field);
        if let Some(key) = pending.take() {
            if !dates::is_time(field) {
                date = Some(key);
            }
        }
        if date.is_none() && field.starts_with(|c: char| c.is_ascii_digit()) {
            pending = dates::date_key(field);
        }
    }
    (count, date.or(pending))
}

fn delimiter_of(line: &str, min_fields: usize) -> Delimiter {
    let needed = min_fields.saturating_sub(1).max(1);
    let (mut tabs, mut commas, mut bars, mut semicolons) = (0, 0, 0, 0);
    for byte in line.bytes() {
        match byte {
            b'\t' => tabs += 1,
            b',' => commas += 1,
            b'|' => bars += 1,
            b';' => semicolons += 1,
            _ => {}
        }
    }
    if tabs > 0 {
        Delimiter::Tab
    } else if commas >= needed {
        Delimiter::Comma
    } else if bars >= needed {
        Delimiter::Bar
    } else if semicolons >= needed {
        Delimiter::Semicolon
    } else {
        Delimiter::Spaces
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan_identifiers;
    use super::*;

    fn listings(text: &str) -> Vec<Listing> {
        let identifiers = scan_identifiers(text, 32);
        scan_row_listings(text, &identifiers, 5, 3)
    }

    #[test]
    fn printed_data_frame_is_a_listing() {
        let text = "loaded\n   id         dob sex\n\
                    0  P1  1980-01-02   F\n1  P2  1975-06-30   M\n2  P3  1990-12-01   F\n\
                    3  P4  1968-03-15   M\n4  P5  1983-09-09   F\ndone\n";
        let found = listings(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rows, 5);
        assert_eq!(found[0].fields, 4);
        assert_eq!(found[0].delimiter, Delimiter::Spaces);
        assert_eq!(found[0].personal, vec!["dates"]);
        assert_eq!(&text[found[0].start..found[0].start + 3], "0  ");
    }

    #[test]
    fn csv_lines_with_nhs_numbers() {
        let text: String = (0..6)
            .map(|i| format!("{i},943 476 5919,F,{}\n", 60 + i))
            .collect();
        let found = listings(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].personal, vec!["NHS number"]);
        assert_eq!(found[0].delimiter, Delimiter::Comma);
    }

    #[test]
    fn log_timestamps_and_dated_series_are_not_records() {
        let log: String = (0..20)
            .map(|i| format!("2026-11-30 10:02:{i:02} INFO wrote table {i}\n"))
            .collect();
        assert!(listings(&log).is_empty());
        let iso_log: String = (0..20)
            .map(|i| format!("[2026-11-30 10:02:{i:02}] step {i} ok\n"))
            .collect();
        assert!(listings(&iso_log).is_empty());
        let series: String = (1..=12)
            .map(|m| format!("2020-{m:02}-01,{},{}\n", 100 + m, 30 + m))
            .collect();
        assert!(listings(&series).is_empty());
    }

    #[test]
    fn too_few_rows_or_fields() {
        let four = "a 1980-01-02 F\nb 1975-06-30 M\nc 1990-12-01 F\nd 1968-03-15 M\n";
        assert!(listings(four).is_empty());
        let two_fields: String = (1..9).map(|d| format!("x 19{d}0-0{d}-0{d}\n")).collect();
        assert!(listings(&two_fields).is_empty());
    }
}
