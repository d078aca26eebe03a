//! Hidden payloads in cells (T011): encoded runs (base64, base32, hex), high-entropy strings
//! and invisible characters, in every cell of a grid, titles and notes included.

use super::grid::Grid;
use super::{round, Emit, HIDDEN_PAYLOAD};
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::policy::Policy;

/// Bits per character from which a long string reads as random rather than as words.
/// English text measures about 4.1 bits per character; base85 and random printable ASCII
/// measure 5.5 to 6.5.
const RANDOM_TEXT_BITS: f64 = 5.0;

/// What a suspicious stretch of a cell is.
#[derive(Debug, PartialEq)]
pub enum Payload {
    Hex(usize),
    Base32(usize),
    Base64(usize),
    /// A long string with the given bits per character.
    Random(usize, f64),
    Invisible(usize),
}

impl Payload {
    /// Bytes the stretch decodes to, or could carry.
    pub fn capacity(&self) -> u64 {
        match *self {
            Payload::Hex(n) => n as u64 / 2,
            Payload::Base32(n) => n as u64 * 5 / 8,
            Payload::Base64(n) => n as u64 * 3 / 4,
            Payload::Random(n, bits) => (n as f64 * bits / 8.0).ceil() as u64,
            // A tag character carries a whole ASCII character; count a byte for each.
            Payload::Invisible(n) => n as u64,
        }
    }

    fn describe(&self) -> String {
        match *self {
            Payload::Hex(n) => format!("a run of {n} hexadecimal characters"),
            Payload::Base32(n) => format!("a run of {n} base32 characters"),
            Payload::Base64(n) => format!("a run of {n} base64 characters"),
            Payload::Random(n, bits) => {
                format!("a {n}-character string of {bits:.2} bits per character")
            }
            Payload::Invisible(n) => format!("{n} invisible characters"),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Payload::Hex(_) => "hex",
            Payload::Base32(_) => "base32",
            Payload::Base64(_) => "base64",
            Payload::Random(..) => "high-entropy",
            Payload::Invisible(_) => "invisible",
        }
    }
}

/// Zero-width, bidirectional-control, tag, variation-selector and filler characters.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{e0000}'..='\u{e007f}'
            | '\u{e0100}'..='\u{e01ef}'
    )
}

fn is_base64_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_')
}

/// Shannon entropy of the characters of `text`, in bits per character. ASCII is counted in
/// an array and only other characters in a map: this runs on every long cell of a table.
pub fn entropy(text: &str) -> f64 {
    entropy_of(text.chars())
}

/// Entropy of the characters an iterator yields (whitespace already dropped by the caller
/// when it should be).
fn entropy_of(chars: impl Iterator<Item = char>) -> f64 {
    let mut ascii = [0usize; 128];
    let mut other = std::collections::BTreeMap::new();
    let mut total = 0usize;
    for c in chars {
        match ascii.get_mut(c as usize) {
            Some(count) => *count += 1,
            None => *other.entry(c).or_insert(0usize) += 1,
        }
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    ascii
        .iter()
        .chain(other.values())
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}

/// Suspicious stretches in one cell; runs shorter than `min_chars` are ignored.
pub fn scan(cell: &str, min_chars: usize) -> Vec<Payload> {
    let mut found = Vec::new();
    if cell.len() < min_chars && cell.is_ascii() {
        return found;
    }
    let invisible = cell.chars().filter(|&c| is_invisible(c)).count();
    if invisible > 0 {
        found.push(Payload::Invisible(invisible));
    }
    let mut encoded = false;
    for run in cell.split(|c: char| !is_base64_char(c)) {
        if run.len() < min_chars {
            continue;
        }
        let has = |f: fn(&char) -> bool| run.chars().any(|c| f(&c));
        let (upper, lower, digit) = (
            has(char::is_ascii_uppercase),
            has(char::is_ascii_lowercase),
            has(char::is_ascii_digit),
        );
        let letters = upper || lower;
        let payload = if run.chars().all(|c| c.is_ascii_hexdigit()) && digit && letters {
            Payload::Hex(run.len())
        } else if run
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c) || c == '=')
            && digit
        {
            Payload::Base32(run.len())
        } else if upper && lower && digit {
            Payload::Base64(run.len())
        } else {
            continue;
        };
        encoded = true;
        found.push(payload);
    }
    if !encoded {
        let compact = || cell.chars().filter(|c| !c.is_whitespace());
        let length = compact().count();
        if length >= min_chars {
            let bits = entropy_of(compact());
            if bits >= RANDOM_TEXT_BITS {
                found.push(Payload::Random(length, bits));
            }
        }
    }
    found
}

/// Reports every suspicious stretch in every cell of the grid.
pub fn check(grid: &Grid, policy: &Policy, emit: &mut Emit) {
    let min_chars = policy.tables.payload_chars;
    for row in 0..grid.rows() {
        for column in 0..grid.width(row) {
            let cell = grid.cell(row, column);
            for payload in scan(cell, min_chars) {
                let row_label: String = grid.cell(row, 0).chars().take(40).collect();
                let capacity = payload.capacity();
                emit.push(
                    Finding::new(
                        &HIDDEN_PAYLOAD,
                        format!(
                            "line {}, column {}: {} ({capacity} bytes decoded)",
                            grid.line(row),
                            column + 1,
                            payload.describe()
                        ),
                    )
                    .at(Location {
                        row: Some(row_label),
                        column: Some(format!("column {}", column + 1)),
                        line: Some(grid.line(row)),
                        chunk: grid.sheet.clone(),
                        ..Location::default()
                    })
                    .with_evidence(evidence! {
                        "kind" => payload.kind(),
                        "characters" => cell.chars().count(),
                        "entropy_bits_per_char" => round(entropy(cell), 3),
                        "capacity_bytes" => capacity,
                    })
                    .carrying(capacity),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_and_their_decoded_size() {
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assert_eq!(scan(hex, 40), vec![Payload::Hex(64)]);
        assert_eq!(Payload::Hex(64).capacity(), 32);
        let b64 = "U2FsdGVkX1+vupppZksvRf5pq5g5XjFRlipRkwB0K1Y96Qsv2Lm+31cmzaAILwyt";
        assert_eq!(scan(b64, 40), vec![Payload::Base64(64)]);
        assert_eq!(Payload::Base64(64).capacity(), 48);
        let b32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DP";
        assert_eq!(scan(b32, 40), vec![Payload::Base32(40)]);
        assert_eq!(Payload::Base32(40).capacity(), 25);
    }

    #[test]
    fn ordinary_cells_are_not_payloads() {
        for cell in [
            "18-39",
            "Source: synthetic data, made for the tests of egress-check (2024)",
            "Counts under 10 are suppressed and the rest rounded to the nearest 5.",
            "https://docs.opensafely.org/sdc/",
            "12345678901234567890123456789012345678901234567890",
        ] {
            assert_eq!(scan(cell, 40), vec![], "{cell}");
        }
    }

    #[test]
    fn invisible_characters_are_counted() {
        let cell = "Female\u{200b}\u{200c}\u{e0041}";
        assert_eq!(scan(cell, 40), vec![Payload::Invisible(3)]);
    }

    #[test]
    fn entropy_by_hand() {
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("abab") - 1.0).abs() < 1e-12);
        assert!((entropy("abcd") - 2.0).abs() < 1e-12);
    }
}
