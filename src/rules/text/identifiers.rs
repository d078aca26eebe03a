//! Direct identifiers in text: what was found, where, and how it is shown masked.
//!
//! [`scan_identifiers`] runs every identifier scanner over a string and returns the matches in
//! order of position. It is written for reuse: the text rules call it on whole files, and the
//! table rules can call it on cells. Values are never kept in the clear: each match carries
//! only its byte range in the input and a masked form for reports.

use super::{checksum, contact, dates};

/// The kinds of identifier the scanners recognise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// An NHS number (England, Wales, Isle of Man, Northern Ireland) with a valid check digit.
    NhsNumber,
    /// A Scottish CHI number: a date of birth and a valid check digit.
    ChiNumber,
    /// A National Insurance number with an allocatable prefix.
    NationalInsurance,
    /// A full UK postcode (outward and inward code).
    Postcode,
    /// A date written next to "date of birth", "DOB" or "born".
    DateOfBirth,
    /// An e-mail address outside the reserved example domains.
    Email,
    /// A UK telephone number.
    Phone,
}

impl Kind {
    /// Lowercase words for messages and evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NhsNumber => "NHS number",
            Kind::ChiNumber => "CHI number",
            Kind::NationalInsurance => "National Insurance number",
            Kind::Postcode => "postcode",
            Kind::DateOfBirth => "date of birth",
            Kind::Email => "e-mail address",
            Kind::Phone => "telephone number",
        }
    }
}

/// One identifier found in a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identifier {
    /// What it is.
    pub kind: Kind,
    /// Byte offset of its first byte in the scanned string (always a character boundary).
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
    /// The value with enough hidden that the report does not disclose it.
    pub masked: String,
}

impl Identifier {
    pub(super) fn new(kind: Kind, start: usize, end: usize, masked: String) -> Identifier {
        Identifier {
            kind,
            start,
            end,
            masked,
        }
    }
}

/// Finds every identifier in `text`, in order of position. `dob_window` is how many bytes
/// after a "date of birth" keyword a date may start and still be taken as one.
///
/// One pass over the bytes: at each token boundary, the first byte says which scanners can
/// match (digits: NHS, CHI, telephone; capitals: NI, postcode; `d`, `b`: date-of-birth
/// keywords; `+`, `(`: telephone). E-mail addresses are found from their `@`.
pub fn scan_identifiers(text: &str, dob_window: usize) -> Vec<Identifier> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if !STARTS[byte as usize] {
            i = skip_token(bytes, i);
            continue;
        }
        let boundary = boundary_before(bytes, i);
        let hit = match byte {
            _ if !boundary && !keyword_boundary(bytes, i) => None,
            b'0'..=b'9' if boundary => checksum::health_number_at(bytes, i).or_else(|| {
                (byte == b'0')
                    .then(|| contact::phone_id_at(bytes, i))
                    .flatten()
            }),
            b'+' | b'(' if boundary => contact::phone_id_at(bytes, i),
            b'0'..=b'9' | b'+' | b'(' => None,
            _ => {
                let keyword = matches!(byte, b'd' | b'b' | b'D' | b'B')
                    .then(|| dates::date_of_birth_at(bytes, i, dob_window))
                    .flatten();
                keyword.or_else(|| {
                    (boundary && byte.is_ascii_uppercase())
                        .then(|| {
                            checksum::national_insurance_at(bytes, i)
                                .or_else(|| contact::postcode_id_at(bytes, i))
                        })
                        .flatten()
                })
            }
        };
        match hit {
            Some(identifier) => {
                i = identifier.end.max(i + 1);
                found.push(identifier);
            }
            None => i = skip_token(bytes, i),
        }
    }
    contact::scan_emails(text, &mut found);
    found.sort_by_key(|f| (f.start, f.kind));
    // An address overlapping another match (digits before an `@`) is reported once, as the
    // first found at that place.
    let mut kept: Vec<Identifier> = Vec::with_capacity(found.len());
    for identifier in found {
        if kept.last().is_some_and(|last| identifier.start < last.end) {
            continue;
        }
        kept.push(identifier);
    }
    kept
}

/// `text` with every identifier replaced by its masked form, for quoting text from a file
/// (a comment, deleted text) in a finding without disclosing what it names.
pub fn mask_identifiers(text: &str, dob_window: usize) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut from = 0;
    for found in scan_identifiers(text, dob_window) {
        masked.push_str(text.get(from..found.start).unwrap_or(""));
        masked.push_str(&found.masked);
        from = found.end;
    }
    masked.push_str(text.get(from..).unwrap_or(""));
    masked
}

/// The next position at which a scanner may start after a failed attempt at `at`: past the
/// rest of an alphanumeric token, since no match starts inside one ([`boundary_before`] and
/// [`keyword_boundary`] are both false after a letter or digit). Skipping whole words is
/// what keeps the scan fast on prose and logs: one table lookup per byte, no boundary test.
fn skip_token(bytes: &[u8], at: usize) -> usize {
    let mut next = at + 1;
    if bytes.get(at).is_some_and(u8::is_ascii_alphanumeric) {
        while bytes.get(next).is_some_and(u8::is_ascii_alphanumeric) {
            next += 1;
        }
    }
    next
}

/// Bytes at which some identifier scanner can start.
const STARTS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] =
            c.is_ascii_digit() || c.is_ascii_uppercase() || matches!(c, b'd' | b'b' | b'+' | b'(');
        b += 1;
    }
    table
};

/// Runs the scanner `at` at every token boundary of `text`, skipping past each match.
pub(super) fn scan_with(
    text: &str,
    found: &mut Vec<Identifier>,
    at: impl Fn(&[u8], usize) -> Option<Identifier>,
) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if boundary_before(bytes, i) {
            if let Some(identifier) = at(bytes, i) {
                i = identifier.end.max(i + 1);
                found.push(identifier);
                continue;
            }
        }
        i += 1;
    }
}

/// True where a label such as `dob` may start: not inside a word, but possibly after an
/// underscore (`patient_dob`).
pub(super) fn keyword_boundary(bytes: &[u8], at: usize) -> bool {
    at == 0 || !bytes[at - 1].is_ascii_alphanumeric()
}

/// Bytes that continue a token: letters, digits and underscore.
pub(super) fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// True when a match may start at `at`: not inside a word, a decimal (`0.123…`) or a
/// hyphenated token (`ab-123…`, as in hashes and UUIDs).
pub(super) fn boundary_before(bytes: &[u8], at: usize) -> bool {
    if at == 0 {
        return true;
    }
    let previous = bytes[at - 1];
    let before = if at >= 2 { bytes[at - 2] } else { b' ' };
    !(is_word(previous)
        || (previous == b'.' && before.is_ascii_digit())
        || (previous == b'-' && is_word(before)))
}

/// True when a match may end at `at`: the next byte does not continue a word, a decimal or
/// a hyphenated token.
pub(super) fn boundary_after(bytes: &[u8], at: usize) -> bool {
    let Some(&next) = bytes.get(at) else {
        return true;
    };
    let after = bytes.get(at + 1).copied().unwrap_or(b' ');
    !(is_word(next) || (next == b'.' && after.is_ascii_digit()) || (next == b'-' && is_word(after)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_in_one_line_in_order() {
        let text = "NHS 943 476 5919, CHI 0101801238, NI AB123456C, EH1 1YZ, \
                    jo@nhs.net, 07700 900123, dob 02/01/1980";
        let kinds: Vec<Kind> = scan_identifiers(text, 32).iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![
                Kind::NhsNumber,
                Kind::ChiNumber,
                Kind::NationalInsurance,
                Kind::Postcode,
                Kind::Email,
                Kind::Phone,
                Kind::DateOfBirth
            ]
        );
    }

    #[test]
    fn masked_values_never_hold_the_value() {
        let text = "943 476 5919 0101801238 AB123456C EH1 1YZ jo@nhs.net 07700 900123";
        for found in scan_identifiers(text, 32) {
            let value = &text[found.start..found.end];
            assert_ne!(value, found.masked);
            assert!(found.masked.contains('*'), "{}", found.masked);
        }
    }

    #[test]
    fn no_panic_on_multibyte_text() {
        let text = "é943 476 5919é dob: é 02/01/1980 ☃ AB123456C€ jo@é.net 0770";
        let found = scan_identifiers(text, 32);
        for f in &found {
            assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        }
        assert_eq!(found.len(), 3, "{found:?}");
    }
}
