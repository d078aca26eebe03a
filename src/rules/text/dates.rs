//! Calendar dates, and dates of birth told apart from other dates by their context.
//!
//! A date alone is not an identifier (logs are full of them), but a date of birth is one of
//! the three quasi-identifiers that single out most of a population (Sweeney 2000, "Simple
//! Demographics Often Identify People Uniquely"), and the ICO's anonymisation guidance lists
//! it beside names and numbers. A date is taken as a date of birth when it starts within a
//! few bytes after "date of birth", "DOB", "D.O.B.", "birth date", "birthdate" or "born", on
//! the same line, with no comparison operator between (`dob > "1950-01-01"` is a filter in
//! code, not somebody's birthday).
//!
//! Written forms: ISO 8601 `YYYY-MM-DD` (also with `/`), day first `DD/MM/YYYY`,
//! `DD-MM-YYYY`, `DD.MM.YYYY` and `DD/MM/YY`, and with month names `2 Jan 1980`,
//! `02-January-1980` and SAS's `02JAN1980`. Days are checked against the month's length.
//! Limitation: month-first American dates (`01/31/1980`) are read day first, so they are
//! found only when they also make a valid day-first date.

use super::identifiers::{boundary_after, boundary_before, keyword_boundary, Identifier, Kind};

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const KEYWORDS: &[&str] = &[
    "date of birth",
    "date_of_birth",
    "dateofbirth",
    "birth date",
    "birth_date",
    "birthdate",
    "d.o.b",
    "dob",
    "born",
];

fn digits(bytes: &[u8], at: usize) -> usize {
    bytes.get(at..).map_or(0, |rest| {
        rest.iter().take_while(|b| b.is_ascii_digit()).count()
    })
}

fn number(bytes: &[u8], at: usize, length: usize) -> u32 {
    bytes[at..at + length]
        .iter()
        .fold(0, |n, &b| n * 10 + u32::from(b - b'0'))
}

fn days_in_month(month: u32, year: Option<u32>) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        // A two-digit year leaves the century open: 29 February is allowed.
        2 => match year {
            Some(y) if !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) => 28,
            _ => 29,
        },
        _ => 0,
    }
}

fn valid(day: u32, month: u32, year: Option<u32>) -> bool {
    let year_ok = year.is_none_or(|y| (1880..=2100).contains(&y));
    year_ok && day >= 1 && day <= days_in_month(month, year)
}

/// The end of a date written at `start`, when one is (the caller checks what precedes it).
pub fn date_at(bytes: &[u8], start: usize) -> Option<usize> {
    parse(bytes, start).map(|(end, _)| end)
}

/// The end of a date at `start` and a number that orders dates (`YYYYMMDD`; two-digit years
/// count as years 0-99, which keeps the order within one century).
fn parse(bytes: &[u8], start: usize) -> Option<(usize, u32)> {
    let first = digits(bytes, start);
    let (end, day, month, year) = match first {
        4 => year_first(bytes, start),
        1 | 2 => day_first(bytes, start, first),
        _ => None,
    }?;
    let key = year.unwrap_or(0) * 10_000 + month * 100 + day;
    boundary_after(bytes, end).then_some((end, key))
}

type Parsed = (usize, u32, u32, Option<u32>);

fn year_first(bytes: &[u8], start: usize) -> Option<Parsed> {
    let separator = *bytes.get(start + 4)?;
    if !matches!(separator, b'-' | b'/') {
        return None;
    }
    let month_at = start + 5;
    let month_len = digits(bytes, month_at);
    (1..=2).contains(&month_len).then_some(())?;
    let day_at = month_at + month_len + 1;
    (bytes.get(day_at - 1) == Some(&separator)).then_some(())?;
    let day_len = digits(bytes, day_at);
    (1..=2).contains(&day_len).then_some(())?;
    let year = number(bytes, start, 4);
    let month = number(bytes, month_at, month_len);
    let day = number(bytes, day_at, day_len);
    valid(day, month, Some(year)).then_some((day_at + day_len, day, month, Some(year)))
}

fn day_first(bytes: &[u8], start: usize, day_len: usize) -> Option<Parsed> {
    let day = number(bytes, start, day_len);
    let mut at = start + day_len;
    let separator = bytes.get(at).copied();
    if matches!(separator, Some(b'/' | b'-' | b'.')) && digits(bytes, at + 1) > 0 {
        let separator = separator?;
        let month_len = digits(bytes, at + 1);
        (1..=2).contains(&month_len).then_some(())?;
        let month = number(bytes, at + 1, month_len);
        at += 1 + month_len;
        (bytes.get(at) == Some(&separator)).then_some(())?;
        let year_len = digits(bytes, at + 1);
        let (year, short) = match year_len {
            4 => (Some(number(bytes, at + 1, 4)), None),
            2 if separator != b'.' => (None, Some(number(bytes, at + 1, 2))),
            _ => return None,
        };
        let end = at + 1 + year_len;
        return valid(day, month, year).then_some((end, day, month, year.or(short)));
    }
    // Month names: "2 Jan 1980", "02-January-1980", "02JAN1980".
    let spaced = matches!(separator, Some(b' ' | b'-'));
    if spaced {
        at += 1;
    }
    let (month, name_len) = month_name(bytes, at)?;
    at += name_len;
    if spaced {
        (bytes.get(at) == Some(&separator?)).then_some(())?;
        at += 1;
    }
    (digits(bytes, at) == 4).then_some(())?;
    let year = number(bytes, at, 4);
    valid(day, month, Some(year)).then_some((at + 4, day, month, Some(year)))
}

/// A month's number and the length of its name (full or three letters) at `at`.
fn month_name(bytes: &[u8], at: usize) -> Option<(u32, usize)> {
    let letters = bytes
        .get(at..)?
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let word = bytes.get(at..at + letters)?;
    MONTHS.iter().zip(1..).find_map(|(name, number)| {
        let full = word.eq_ignore_ascii_case(name.as_bytes());
        let short = letters == 3 && word.eq_ignore_ascii_case(&name.as_bytes()[..3]);
        (full || short).then_some((number, letters))
    })
}

/// True when the whole of `field` is one date.
pub fn is_date(field: &str) -> bool {
    date_key(field).is_some()
}

/// When the whole of `field` is one date, a number that orders it among other dates.
pub fn date_key(field: &str) -> Option<u32> {
    let bytes = field.as_bytes();
    match parse(bytes, 0) {
        Some((end, key)) if !bytes.is_empty() && end == bytes.len() => Some(key),
        _ => None,
    }
}

/// True for a time of day: `H:MM`, `HH:MM:SS`, with optional fractions of a second.
pub fn is_time(field: &str) -> bool {
    let mut parts = field.split(':');
    let hours = parts.next().unwrap_or("");
    let minutes = parts.next().unwrap_or("");
    let seconds = parts.next();
    let two = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    let seconds_ok = seconds.is_none_or(|s| {
        let whole = s.split(['.', ',']).next().unwrap_or("");
        two(whole) && s[2..].bytes().skip(1).all(|b| b.is_ascii_digit())
    });
    (1..=2).contains(&hours.len())
        && hours.bytes().all(|b| b.is_ascii_digit())
        && two(minutes)
        && seconds_ok
        && parts.next().is_none()
}

/// Finds dates written shortly after a date-of-birth keyword.
pub fn scan_dates_of_birth(text: &str, window: usize, found: &mut Vec<Identifier>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if keyword_boundary(bytes, i) {
            if let Some(identifier) = date_of_birth_at(bytes, i, window) {
                i = identifier.end;
                found.push(identifier);
                continue;
            }
        }
        i += 1;
    }
}

/// A date of birth labelled by a keyword starting at `i`, a token boundary. The identifier
/// found is the date, after the keyword.
pub(super) fn date_of_birth_at(bytes: &[u8], i: usize, window: usize) -> Option<Identifier> {
    let keyword = KEYWORDS.iter().find(|k| {
        bytes
            .get(i..i + k.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(k.as_bytes()))
    })?;
    let after = i + keyword.len();
    if bytes.get(after).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let (start, end) = date_in_window(bytes, after, window)?;
    let masked = mask_date(&bytes[start..end]);
    Some(Identifier::new(Kind::DateOfBirth, start, end, masked))
}

fn date_in_window(bytes: &[u8], from: usize, window: usize) -> Option<(usize, usize)> {
    let until = from.saturating_add(window).min(bytes.len());
    for at in from..until {
        match bytes[at] {
            b'\n' | b'<' | b'>' => return None,
            b if b.is_ascii_digit() && boundary_before(bytes, at) => {
                if let Some(end) = date_at(bytes, at) {
                    return Some((at, end));
                }
            }
            _ => {}
        }
    }
    None
}

/// Hides every digit and letter, keeping the separators: `**/**/****`.
fn mask_date(written: &[u8]) -> String {
    written
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() {
                '*'
            } else {
                char::from(b)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dobs(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        scan_dates_of_birth(text, 32, &mut found);
        found.into_iter().map(|f| f.masked).collect()
    }

    #[test]
    fn dates_in_every_written_form() {
        for date in [
            "1980-01-02",
            "1980/1/2",
            "02/01/1980",
            "2-1-1980",
            "02.01.1980",
            "02/01/80",
            "2 Jan 1980",
            "02-January-1980",
            "02JAN1980",
            "29/02/2000",
        ] {
            assert!(is_date(date), "{date}");
        }
        for not_date in [
            "1980-13-02",
            "31/04/1980",
            "29/02/1900",
            "3.10.12",
            "1980",
            "02/01/198",
            "1980-01-02T10:00",
            "12 Foo 1980",
        ] {
            assert!(!is_date(not_date), "{not_date}");
        }
    }

    #[test]
    fn times() {
        assert!(is_time("10:02"));
        assert!(is_time("10:02:11"));
        assert!(is_time("10:02:11.123"));
        assert!(!is_time("10"));
        assert!(!is_time("1:2:3"));
        assert!(!is_time("10:02:11:00"));
    }

    #[test]
    fn dates_of_birth_in_context() {
        assert_eq!(dobs("DOB: 02/01/1980"), vec!["**/**/****"]);
        assert_eq!(dobs("date_of_birth=\"1980-01-02\""), vec!["****-**-**"]);
        assert_eq!(dobs("Born 2 Jan 1980 in Leeds"), vec!["* *** ****"]);
        assert_eq!(dobs("{\"birthDate\": \"1980-01-02\"}"), vec!["****-**-**"]);
        assert_eq!(dobs("patient_dob=1980-01-02"), vec!["****-**-**"]);
    }

    #[test]
    fn other_dates_are_not_dates_of_birth() {
        for text in [
            "2026-11-30 10:02:11 INFO loaded cohort",
            "filter(dob > \"1950-01-01\")",
            "dob_year <- 1980",
            "adobe 1980-01-02",
            "stubborn 1980-01-02",
            "dob\n1980-01-02",
            "born in the year when the study started, on 1980-01-02",
        ] {
            assert!(dobs(text).is_empty(), "{text}");
        }
    }
}
