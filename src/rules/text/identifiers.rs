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
pub fn scan_identifiers(text: &str, dob_window: usize) -> Vec<Identifier> {
    let mut found = Vec::new();
    checksum::scan_health_numbers(text, &mut found);
    checksum::scan_national_insurance(text, &mut found);
    contact::scan_postcodes(text, &mut found);
    contact::scan_emails(text, &mut found);
    contact::scan_phones(text, &mut found);
    dates::scan_dates_of_birth(text, dob_window, &mut found);
    found.sort_by_key(|f| (f.start, f.kind));
    // A telephone number that is also a valid NHS number (or overlaps another match) is
    // reported once, as the first kind found at that place.
    let mut kept: Vec<Identifier> = Vec::with_capacity(found.len());
    for identifier in found {
        if kept.last().is_some_and(|last| identifier.start < last.end) {
            continue;
        }
        kept.push(identifier);
    }
    kept
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
