//! Reading one cell as researchers print it: numbers with thousands separators or decimal
//! commas, combined cells such as `12 (3.4%)`, suppression markers, missing values and dates.
//!
//! Parsing never fails: what is not a number, a marker or a missing value is text.

/// What a cell holds, as far as the table rules care.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Empty,
    /// The leading number of the cell: `12 (3.4%)` reads as 12, `45.2 (12.1)` as 45.2.
    Number(f64),
    /// A suppression marker such as `<10`, `*`, `[c]` or `REDACTED`.
    Marker(Marker),
    /// `NA`, `n/a`, `null` and the like: a suppression marker where a column is otherwise
    /// counts, a missing value elsewhere.
    Missing,
    Text,
}

/// A suppression marker, with the bound it states when it states one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marker {
    /// The largest count the marker allows: `<10` allows 9, `<=7` allows 7; `None` for markers
    /// that state no bound (`*`, `[c]`), which may hide a cell of any size.
    pub at_most: Option<u64>,
}

/// How numbers are written in a file.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NumberStyle {
    /// `1,5` means one and a half (files written for European locales, usually with `;`
    /// between fields).
    pub decimal_comma: bool,
}

/// Markers that hide a cell without stating a bound, lowercased.
const MARKERS: &[&str] = &[
    "*",
    "**",
    "c",
    "[c]",
    "..",
    "...",
    "~",
    "x",
    "[x]",
    "s",
    "supp",
    "suppressed",
    "[suppressed]",
    "redacted",
    "[redacted]",
    "[z]",
    "#",
];

const MISSING: &[&str] = &["na", "n/a", "nan", "null", "none", "missing", "."];

/// Reads a cell's text.
pub fn parse(text: &str, style: NumberStyle) -> Value {
    let t = text.trim();
    if t.is_empty() || t == "-" || t == "\u{2013}" || t == "\u{2014}" {
        return Value::Empty;
    }
    if let Some(value) = plain_integer(t) {
        return Value::Number(value);
    }
    if t.len() <= 14 {
        // The words are ASCII, so ASCII case folding matches them without allocating.
        let is = |word: &&str| t.eq_ignore_ascii_case(word);
        if MARKERS.iter().any(is) {
            return Value::Marker(Marker { at_most: None });
        }
        if MISSING.iter().any(is) {
            return Value::Missing;
        }
        if let Some(marker) = bound_marker(t, style) {
            return Value::Marker(marker);
        }
    }
    match leading_number(t, style) {
        Some((value, rest)) if is_number_tail(rest) => Value::Number(value),
        _ => Value::Text,
    }
}

/// `<10`, `< 5`, `<=7`, `≤7`: a marker with its bound.
fn bound_marker(t: &str, style: NumberStyle) -> Option<Marker> {
    let (inclusive, rest) = if let Some(rest) = t.strip_prefix("<=") {
        (true, rest)
    } else if let Some(rest) = t.strip_prefix('\u{2264}') {
        (true, rest)
    } else {
        (false, t.strip_prefix('<')?)
    };
    let (bound, tail) = leading_number(rest.trim_start(), style)?;
    if !tail.trim().is_empty() || bound < 0.0 {
        return None;
    }
    let at_most = if bound.fract() != 0.0 {
        // `<0.001` bounds a p-value, not a count.
        None
    } else if inclusive {
        Some(bound as u64)
    } else {
        Some((bound as u64).saturating_sub(1))
    };
    Some(Marker { at_most })
}

/// The value of a cell of ASCII digits only, of at most 15 of them (so that every value is
/// exact in a float64), or `None`. Most cells of a large count table are such integers, and
/// reading them this way spares the separator analysis and its allocations; no marker or
/// missing-value word is all digits, so the result is the one the full path gives.
fn plain_integer(t: &str) -> Option<f64> {
    let bytes = t.as_bytes();
    if bytes.is_empty() || bytes.len() > 15 {
        return None;
    }
    let mut value = 0u64;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u64::from(b - b'0');
    }
    Some(value as f64)
}

/// What may follow the number of a numeric cell: nothing, a percent sign, or a bracketed
/// companion statistic (`(3.4%)`, `[2.1-4.0]`, `(12.1)`).
fn is_number_tail(rest: &str) -> bool {
    let rest = rest.trim_start();
    rest.is_empty() || rest == "%" || rest.starts_with('(') || rest.starts_with('[')
}

/// The number at the start of `t` and the text after it.
pub fn leading_number(t: &str, style: NumberStyle) -> Option<(f64, &str)> {
    let token_end = number_token_end(t);
    if token_end == 0 {
        return None;
    }
    let token = &t[..token_end];
    // A token with no separator to interpret parses as it stands.
    let plain = token
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'e' | b'E'));
    let value: f64 = if plain {
        token.parse().ok()?
    } else {
        normalise(token, style)?.parse().ok()?
    };
    value.is_finite().then_some((value, &t[token_end..]))
}

/// Length in bytes of the numeric token at the start of `t`: sign, digits, separators and
/// an exponent.
fn number_token_end(t: &str) -> usize {
    let bytes = t.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let digits_start = i;
    let mut end = i;
    for (offset, c) in t[i..].char_indices() {
        let at = i + offset;
        match c {
            '0'..='9' => end = at + 1,
            '.' | ',' | '\'' | ' ' | '\u{a0}' | '\u{202f}' => {
                // A separator only counts when a digit follows it.
                let next = t[at + c.len_utf8()..].chars().next();
                if !matches!(next, Some('0'..='9')) {
                    break;
                }
            }
            _ => break,
        }
    }
    if end == digits_start {
        return 0;
    }
    // Exponent: e or E, optional sign, digits.
    let rest = &bytes[end..];
    if matches!(rest.first(), Some(b'e' | b'E')) {
        let mut j = 1;
        if matches!(rest.get(1), Some(b'-' | b'+')) {
            j = 2;
        }
        let exponent_digits = rest[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exponent_digits > 0 {
            end += j + exponent_digits;
        }
    }
    end
}

/// Rewrites a numeric token into the form Rust parses, or `None` when its separators are
/// ambiguous or inconsistent.
fn normalise(token: &str, style: NumberStyle) -> Option<String> {
    let (mantissa, exponent) = match token.find(['e', 'E']) {
        Some(at) => (&token[..at], &token[at..]),
        None => (token, ""),
    };
    let has_comma = mantissa.contains(',');
    let spaced = mantissa.contains([' ', '\u{a0}', '\u{202f}', '\'']);
    let mut out = String::with_capacity(token.len());
    let (group, decimal) = if style.decimal_comma {
        if has_comma || thousands_grouped(mantissa, '.') {
            ('.', ',')
        } else {
            (',', '.')
        }
    } else {
        (',', '.')
    };
    if mantissa.contains(group) && !thousands_grouped(mantissa, group) {
        return None;
    }
    if spaced && !thousands_grouped(mantissa, ' ') {
        return None;
    }
    for c in mantissa.chars() {
        if c == decimal {
            out.push('.');
        } else if c == group || matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'') {
            continue;
        } else {
            out.push(c);
        }
    }
    if out.matches('.').count() > 1 {
        return None;
    }
    out.push_str(exponent);
    Some(out)
}

/// True when the integer part of `mantissa` is grouped in threes by `separator` (any of the
/// space-like separators when `separator` is a space).
fn thousands_grouped(mantissa: &str, separator: char) -> bool {
    let is_sep = |c: char| {
        if separator == ' ' {
            matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')
        } else {
            c == separator
        }
    };
    let unsigned = mantissa.trim_start_matches(['-', '+']);
    let integer: &str = match unsigned.find(|c: char| !c.is_ascii_digit() && !is_sep(c)) {
        Some(at) => &unsigned[..at],
        None => unsigned,
    };
    let groups: Vec<&str> = integer.split(is_sep).collect();
    if groups.len() < 2 {
        return false;
    }
    let first_ok = (1..=3).contains(&groups[0].len());
    first_ok && groups[1..].iter().all(|g| g.len() == 3)
}

/// The significant digits of a numeric cell, from the first non-zero digit to the last
/// non-zero one: `0.012300` gives `123`, `1,200` gives `12`.
///
/// Trailing zeros are left out: they carry a channel only if they vary, and then they are not
/// all trailing.
pub fn significant_digits(t: &str) -> Vec<u8> {
    let t = t.trim();
    let end = number_token_end(t);
    let token = &t[..end];
    let mantissa = match token.find(['e', 'E']) {
        Some(at) => &token[..at],
        None => token,
    };
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    let first = digits.iter().position(|&d| d != 0);
    let last = digits.iter().rposition(|&d| d != 0);
    match (first, last) {
        (Some(first), Some(last)) => digits[first..=last].to_vec(),
        _ => Vec::new(),
    }
}

/// Digits printed after the decimal separator of a numeric cell.
pub fn decimals(t: &str, style: NumberStyle) -> u32 {
    let t = t.trim();
    let token = &t[..number_token_end(t)];
    let separator = if style.decimal_comma && token.contains(',') {
        ','
    } else {
        '.'
    };
    match token.rfind(separator) {
        Some(at) if !(style.decimal_comma && separator == '.' && token.contains(',')) => {
            token[at + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count() as u32
        }
        _ => 0,
    }
}

/// True when the text is a calendar date to the day (`2021-03-04`, `04/03/2021`,
/// `4.3.2021`), with or without a time.
pub fn is_day_date(t: &str) -> bool {
    let t = t.trim();
    let date = t.split(['T', ' ']).next().unwrap_or(t);
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return false;
    }
    if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let number = |p: &str| p.parse::<u32>().unwrap_or(0);
    let (year, a, b) = if parts[0].len() == 4 {
        (number(parts[0]), number(parts[1]), number(parts[2]))
    } else if parts[2].len() == 4 {
        (number(parts[2]), number(parts[1]), number(parts[0]))
    } else {
        return false;
    };
    let day_month = (1..=12).contains(&a) && (1..=31).contains(&b);
    let month_day = (1..=31).contains(&a) && (1..=12).contains(&b);
    (1800..=2200).contains(&year) && (day_month || month_day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOT: NumberStyle = NumberStyle {
        decimal_comma: false,
    };
    const COMMA: NumberStyle = NumberStyle {
        decimal_comma: true,
    };

    #[test]
    fn numbers_as_printed() {
        assert_eq!(parse("12", DOT), Value::Number(12.0));
        assert_eq!(parse(" -3.5 ", DOT), Value::Number(-3.5));
        assert_eq!(parse("1,234", DOT), Value::Number(1234.0));
        assert_eq!(parse("1,234,567.5", DOT), Value::Number(1_234_567.5));
        assert_eq!(parse("12 (3.4%)", DOT), Value::Number(12.0));
        assert_eq!(parse("45.2 [40.1-50.3]", DOT), Value::Number(45.2));
        assert_eq!(parse("3.4%", DOT), Value::Number(3.4));
        assert_eq!(parse("1.5e-3", DOT), Value::Number(0.0015));
        assert_eq!(parse("1 234", DOT), Value::Number(1234.0));
    }

    #[test]
    fn plain_integers_read_as_the_full_path_reads_them() {
        for text in [
            "0",
            "7",
            "007",
            "123456789012345",
            "1234567890123456",
            "12a",
            "+3",
        ] {
            let full = match leading_number(text, NumberStyle::default()) {
                Some((value, rest)) if is_number_tail(rest) => Value::Number(value),
                _ => Value::Text,
            };
            assert_eq!(parse(text, NumberStyle::default()), full, "{text}");
        }
    }

    #[test]
    fn decimal_commas() {
        assert_eq!(parse("1,5", COMMA), Value::Number(1.5));
        assert_eq!(parse("1.234,5", COMMA), Value::Number(1234.5));
        assert_eq!(parse("1.234", COMMA), Value::Number(1234.0));
        assert_eq!(parse("0.25", COMMA), Value::Number(0.25));
        // A comma that is not grouping thousands is not a number in a dot-decimal file.
        assert_eq!(parse("1,5", DOT), Value::Text);
    }

    #[test]
    fn labels_are_text() {
        assert_eq!(parse("40-49", DOT), Value::Text);
        assert_eq!(parse("Female", DOT), Value::Text);
        assert_eq!(parse("80+", DOT), Value::Text);
    }

    #[test]
    fn markers_and_missing() {
        let bounded = |n| Value::Marker(Marker { at_most: Some(n) });
        assert_eq!(parse("<10", DOT), bounded(9));
        assert_eq!(parse("< 5", DOT), bounded(4));
        assert_eq!(parse("<=7", DOT), bounded(7));
        assert_eq!(parse("\u{2264}7", DOT), bounded(7));
        let unbounded = Value::Marker(Marker { at_most: None });
        for marker in [
            "*",
            "[c]",
            "c",
            "..",
            "~",
            "REDACTED",
            "[REDACTED]",
            "suppressed",
        ] {
            assert_eq!(parse(marker, DOT), unbounded, "{marker}");
        }
        assert_eq!(parse("<0.001", DOT), unbounded);
        assert_eq!(parse("NA", DOT), Value::Missing);
        assert_eq!(parse("-", DOT), Value::Empty);
    }

    #[test]
    fn significant_digits_by_hand() {
        assert_eq!(significant_digits("0.012300"), vec![1, 2, 3]);
        assert_eq!(significant_digits("1,200"), vec![1, 2]);
        assert_eq!(significant_digits("-45.06"), vec![4, 5, 0, 6]);
        assert_eq!(significant_digits("1.5e10"), vec![1, 5]);
        assert_eq!(significant_digits("0"), Vec::<u8>::new());
        assert_eq!(decimals("3.40", DOT), 2);
        assert_eq!(decimals("3,4", COMMA), 1);
        assert_eq!(decimals("1.234,56", COMMA), 2);
        assert_eq!(decimals("12", DOT), 0);
    }

    #[test]
    fn dates_to_the_day() {
        assert!(is_day_date("2021-03-04"));
        assert!(is_day_date("04/03/2021"));
        assert!(is_day_date("2021-03-04T10:00:00"));
        assert!(!is_day_date("2021-03"));
        assert!(!is_day_date("18-39"));
        assert!(!is_day_date("1.5.3"));
    }
}
