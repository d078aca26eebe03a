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
//! A debugging loop that logs one person a line with neither dates nor identifiers
//! (`processing patient 100001 age=62 sex=Male bmi=25.0`) is found by its shape instead: a
//! run of lines of one template, each naming a different person by a key after a word such as
//! `patient` or `subject` (or in a `patient_id=` field), and carrying at least two more values
//! that vary. Progress lines (`patient 17 of 500`) carry fewer and are not records.
//!
//! Limitation: quoted fields holding the delimiter are split on it, and a listing whose rows
//! hold neither a date, an identifier nor a person's key (ages and sexes only) is not
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
    let mut loop_run: Vec<PersonLine> = Vec::new();
    let mut loops = Vec::new();
    let mut next_identifier = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let person = person_line(line.trim_end_matches(['\n', '\r']), offset);
        let continues = match (&person, loop_run.last()) {
            (Some(p), Some(last)) => p.template == last.template,
            _ => false,
        };
        if !continues {
            close_loop(&mut loop_run, min_rows, &mut loops);
        }
        if let Some(person) = person {
            loop_run.push(person);
        }
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
    close_loop(&mut loop_run, min_rows, &mut loops);
    for found in loops {
        let overlaps = listings
            .iter()
            .any(|l: &Listing| l.start < found.end && found.start < l.end);
        if !overlaps {
            listings.push(found);
        }
    }
    listings.sort_by_key(|l| l.start);
    listings
}

/// Words that name the person a line is about; the token after one is that person's key.
const PERSON_WORDS: &[&str] = &[
    "patient",
    "person",
    "subject",
    "participant",
    "individual",
    "pid",
    "patid",
    "patient_id",
    "person_id",
    "subject_id",
    "participant_id",
];

/// A line about one person: where it is, its template and the person's key.
struct PersonLine {
    start: usize,
    end: usize,
    /// A hash of the words, with every number and `key=value` value masked.
    template: u64,
    key: String,
    /// Masked slots: the key and the other values that vary.
    slots: usize,
}

/// The line's person key and template, when a person word is followed by a key with a digit
/// (`patient 100001`, `subject: S-017`) or a person field holds one (`patient_id=100001`).
fn person_line(line: &str, start: usize) -> Option<PersonLine> {
    if !may_name_person(line.as_bytes()) {
        return None;
    }
    let key = person_key(line)?;
    let (template, slots) = template(line);
    Some(PersonLine {
        start,
        end: start + line.len(),
        template,
        key: key.to_string(),
        slots,
    })
}

/// Strips the punctuation that sticks to a log's tokens (`subject:`, `(patient`).
fn bare(token: &str) -> &str {
    token.trim_matches(|c: char| matches!(c, ':' | ',' | ';' | '(' | ')' | '"'))
}

fn has_digit(token: &str) -> bool {
    token.bytes().any(|b| b.is_ascii_digit())
}

/// The key after a person word, or in a person field. Only lines that pass
/// [`may_name_person`] come here: a search for the spaces, and a closer look only at tokens
/// that start like a person word (or follow one).
fn person_key(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let starts = std::iter::once(0).chain(memchr::memchr_iter(b' ', bytes).map(|at| at + 1));
    let mut after_word = false;
    for start in starts {
        let Some(&first) = bytes.get(start) else {
            break;
        };
        if first == b' ' || !after_word && !starts_like_person_word(&bytes[start..]) {
            continue;
        }
        let end = memchr::memchr(b' ', &bytes[start..]).map_or(bytes.len(), |at| start + at);
        let token = bare(line[start..end].trim());
        match token.split_once('=') {
            Some((name, value)) if is_person_word(name) && has_digit(value) => return Some(value),
            Some(_) => after_word = false,
            None if after_word && has_digit(token) => return Some(token),
            None => after_word = is_person_word(token),
        }
    }
    None
}

/// Whether the four bytes, lowercased, begin a person word: `pati`, `pers`, `subj`,
/// `part`, `indi`, or `pid` ending there. Bitwise, not short-circuit, so that the scan over
/// every line below vectorises.
#[inline(always)]
fn person_prefix(a: u8, b: u8, c: u8, d: u8) -> bool {
    let (a, b, c, d) = (a | 0x20, b | 0x20, c | 0x20, d | 0x20);
    let letter = d.is_ascii_lowercase();
    ((a == b'p') & (b == b'a') & (c == b't') & (d == b'i'))
        | ((a == b'p') & (b == b'e') & (c == b'r') & (d == b's'))
        | ((a == b's') & (b == b'u') & (c == b'b') & (d == b'j'))
        | ((a == b'p') & (b == b'a') & (c == b'r') & (d == b't'))
        | ((a == b'i') & (b == b'n') & (c == b'd') & (d == b'i'))
        | ((a == b'p') & (b == b'i') & (c == b'd') & !letter)
}

/// Whether any token of the line starts like a person word; every line of every text is
/// asked, so it is one branch-free pass over the bytes.
fn may_name_person(line: &[u8]) -> bool {
    if starts_like_person_word(line) {
        return true;
    }
    let Some(n) = line.len().checked_sub(4) else {
        return false;
    };
    let (s0, s1, s2) = (&line[..n], &line[1..n + 1], &line[2..n + 2]);
    let (s3, s4) = (&line[3..n + 3], &line[4..n + 4]);
    let mut hits = 0u8;
    for i in 0..n {
        let b = s0[i];
        let boundary = (b == b' ') | (b == b'(') | (b == b'[') | (b == b'"') | (b == b'\t');
        let word = person_prefix(s1[i], s2[i], s3[i], s4[i]);
        hits |= u8::from(boundary & word);
    }
    hits != 0
}

/// A token (after an opening bracket or quote) starts like a person word.
fn starts_like_person_word(token: &[u8]) -> bool {
    let token = match token.first() {
        Some(b'(' | b'[' | b'"') => &token[1..],
        _ => token,
    };
    match token {
        [a, b, c, d, ..] => person_prefix(*a, *b, *c, *d),
        [a, b, c] => person_prefix(*a, *b, *c, b' '),
        _ => false,
    }
}

/// One of [`PERSON_WORDS`], in any case. The first letter and the length rule out nearly
/// every token before any comparison, which keeps this pass over every line of a log cheap.
fn is_person_word(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=14).contains(&bytes.len())
        && matches!(bytes[0] | 0x20, b'p' | b's' | b'i')
        && PERSON_WORDS.iter().any(|w| name.eq_ignore_ascii_case(w))
}

/// A hash of the line's words with every number and every `key=value` value masked, and the
/// number of masked slots.
fn template(line: &str) -> (u64, usize) {
    use std::hash::Hasher;

    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut slots = 0;
    for token in line.split_ascii_whitespace().map(bare) {
        let word = match token.split_once('=') {
            Some((name, value)) => {
                slots += usize::from(!value.is_empty());
                name
            }
            None if has_digit(token) => {
                slots += 1;
                "#"
            }
            None => token,
        };
        for byte in word.bytes() {
            hasher.write_u8(byte.to_ascii_lowercase());
        }
        hasher.write_u8(b' ');
    }
    (hasher.finish(), slots)
}

/// Closes a run of person lines: a listing when it is long enough, every line names a
/// different person, and each carries at least two values besides the key.
fn close_loop(run: &mut Vec<PersonLine>, min_rows: usize, out: &mut Vec<Listing>) {
    let lines = std::mem::take(run);
    if lines.len() < min_rows.max(2) || lines.iter().any(|l| l.slots < 3) {
        return;
    }
    let mut keys: Vec<&str> = lines.iter().map(|l| l.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.len() != lines.len() {
        return;
    }
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return;
    };
    out.push(Listing {
        start: first.start,
        last_line_start: last.start,
        end: last.end,
        rows: lines.len(),
        fields: first.slots,
        delimiter: Delimiter::Spaces,
        personal: vec!["a different person's key"],
    });
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
    fn a_loop_logging_each_patient_is_a_listing() {
        let text: String = (0..6)
            .map(|i| {
                format!(
                    "processing patient 10000{i} age={} sex=F bmi=2{i}.5\n",
                    40 + i
                )
            })
            .collect();
        let found = listings(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rows, 6);
        // The key and the three values of age, sex and BMI.
        assert_eq!(found[0].fields, 4);
        assert_eq!(found[0].personal, vec!["a different person's key"]);
        let fields: String = (0..6)
            .map(|i| format!("patient_id={i}7 outcome=1 score=0.{i}\n"))
            .collect();
        assert_eq!(listings(&fields).len(), 1);
    }

    #[test]
    fn progress_and_one_person_repeated_are_not_listings() {
        let progress: String = (1..=9)
            .map(|i| format!("patient {i} of 500 done\n"))
            .collect();
        assert!(listings(&progress).is_empty());
        let same: String = (0..9)
            .map(|i| format!("patient 1001 step {i} loss=0.{i} lr=0.01\n"))
            .collect();
        assert!(listings(&same).is_empty());
        let cohort = "Patient cohort: 5000 rows, 12 columns, 3 sites\n".repeat(6);
        assert!(listings(&cohort).is_empty());
    }

    #[test]
    fn too_few_rows_or_fields() {
        let four = "a 1980-01-02 F\nb 1975-06-30 M\nc 1990-12-01 F\nd 1968-03-15 M\n";
        assert!(listings(four).is_empty());
        let two_fields: String = (1..9).map(|d| format!("x 19{d}0-0{d}-0{d}\n")).collect();
        assert!(listings(&two_fields).is_empty());
    }
}
