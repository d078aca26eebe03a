//! Health and tax identifiers that carry their own validation: NHS numbers, CHI numbers and
//! National Insurance numbers.
//!
//! - **NHS number**: ten digits, written `NNN NNN NNNN`. The tenth is a check digit: the first
//!   nine are weighted 10, 9, …, 2 and summed; 11 minus the sum modulo 11 is the check digit,
//!   11 becomes 0, and 10 means the number is invalid (NHS Data Dictionary, "NHS Number").
//!   England, Wales and the Isle of Man allocate from 4xx and 6xx–7xx, Northern Ireland's
//!   Health and Care numbers from 320–399, and 9xx is reserved for test numbers; CHI numbers
//!   start with a day of the month. Numbers starting 0–2 are therefore not taken as NHS
//!   numbers, which keeps Unix timestamps (`17…`) out.
//! - **CHI number** (Community Health Index, Scotland): ten digits, the first six the date of
//!   birth as `DDMMYY`, the tenth a modulus-11 check digit computed as for NHS numbers
//!   (ISD Scotland, CHI number data dictionary).
//! - **National Insurance number**: two prefix letters, six digits, a suffix A–D, written
//!   `AB 12 34 56 C` or `AB123456C`. HMRC's National Insurance Manual NIM39110: the first
//!   letter is not D, F, I, Q, U or V; the second not D, F, I, O, Q, U or V; the prefixes BG,
//!   GB, KN, NK, NT, TN and ZZ are never allocated.

use super::identifiers::{boundary_after, scan_with, Identifier, Kind};

/// The modulus-11 check digit of nine digits (weights 10 down to 2), or `None` when the
/// remainder gives 10, which no valid number has.
pub fn mod11_check_digit(digits: &[u8; 9]) -> Option<u8> {
    let sum: u32 = digits
        .iter()
        .zip((2..=10u32).rev())
        .map(|(&d, weight)| u32::from(d) * weight)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        check => Some(check as u8),
    }
}

/// True when ten digit values pass the modulus-11 check.
pub fn mod11_valid(digits: &[u8; 10]) -> bool {
    let mut first = [0u8; 9];
    first.copy_from_slice(&digits[..9]);
    mod11_check_digit(&first) == Some(digits[9])
}

/// True for a valid NHS number (check digit, and an allocated leading digit 3–9).
pub fn is_nhs_number(digits: &[u8; 10]) -> bool {
    digits[0] >= 3 && mod11_valid(digits) && !(digits[0] == 3 && digits[1] < 2)
}

/// True for a valid CHI number: a real `DDMMYY` date of birth and the check digit.
pub fn is_chi_number(digits: &[u8; 10]) -> bool {
    let day = digits[0] * 10 + digits[1];
    let month = digits[2] * 10 + digits[3];
    let year = digits[4] * 10 + digits[5];
    // The century is not written; 29 February is accepted in any year divisible by four
    // (2000 was a leap year, 1900 is beyond any living patient's CHI number).
    let leap = year % 4 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day) && mod11_valid(digits)
}

/// True for a National Insurance number prefix HMRC can allocate (NIM39110).
pub fn ni_prefix_allocatable(first: u8, second: u8) -> bool {
    let first_ok = first.is_ascii_uppercase() && !b"DFIQUV".contains(&first);
    let second_ok = second.is_ascii_uppercase() && !b"DFIOQUV".contains(&second);
    let unused = [b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"];
    first_ok && second_ok && !unused.iter().any(|p| p[0] == first && p[1] == second)
}

/// Finds NHS and CHI numbers: ten digits, alone or grouped `3 3 4` (NHS) or `6 4` (CHI) with
/// one space or hyphen, standing alone (not inside a longer number, a decimal or a token).
pub fn scan_health_numbers(text: &str, found: &mut Vec<Identifier>) {
    scan_with(text, found, health_number_at);
}

/// An NHS or CHI number starting at `i`, which the caller has checked is a token boundary.
pub(super) fn health_number_at(bytes: &[u8], i: usize) -> Option<Identifier> {
    let (end, digits) = ten_digits(bytes, i, digit_run(bytes, i))?;
    if !boundary_after(bytes, end) {
        return None;
    }
    let kind = if is_chi_number(&digits) {
        Kind::ChiNumber
    } else if is_nhs_number(&digits) {
        Kind::NhsNumber
    } else {
        return None;
    };
    Some(Identifier::new(kind, i, end, mask_ten(kind, &digits)))
}

fn digit_run(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count()
}

/// Reads ten digits starting at `start` (whose first digit run is `run` long) in one of the
/// written forms, returning where they end and their values.
fn ten_digits(bytes: &[u8], start: usize, run: usize) -> Option<(usize, [u8; 10])> {
    let mut digits = [0u8; 10];
    let groups: &[usize] = match run {
        10 => &[10],
        3 => &[3, 3, 4],
        6 => &[6, 4],
        _ => return None,
    };
    let mut at = start;
    let mut filled = 0;
    let mut separator = None;
    for (index, &length) in groups.iter().enumerate() {
        if index > 0 {
            let sep = *bytes.get(at)?;
            if !matches!(sep, b' ' | b'-') || separator.is_some_and(|s| s != sep) {
                return None;
            }
            separator = Some(sep);
            at += 1;
        }
        if digit_run(bytes, at) != length {
            return None;
        }
        for k in 0..length {
            digits[filled + k] = bytes[at + k] - b'0';
        }
        filled += length;
        at += length;
    }
    Some((at, digits))
}

/// NHS numbers keep their first three and last two digits (`943 *** **19`), the first three
/// naming only an allocation range; CHI numbers keep only the last two, since their first six
/// are a date of birth.
fn mask_ten(kind: Kind, digits: &[u8; 10]) -> String {
    let d = |k: usize| char::from(b'0' + digits[k]);
    match kind {
        Kind::ChiNumber => format!("****** **{}{}", d(8), d(9)),
        _ => format!("{}{}{} *** **{}{}", d(0), d(1), d(2), d(8), d(9)),
    }
}

/// Finds National Insurance numbers, with or without the spaces between digit pairs.
pub fn scan_national_insurance(text: &str, found: &mut Vec<Identifier>) {
    scan_with(text, found, national_insurance_at);
}

/// A National Insurance number starting at `i`, a token boundary.
pub(super) fn national_insurance_at(bytes: &[u8], i: usize) -> Option<Identifier> {
    let (a, b) = (*bytes.get(i)?, *bytes.get(i + 1)?);
    if !ni_prefix_allocatable(a, b) {
        return None;
    }
    let end = ni_rest(bytes, i + 2)?;
    if !boundary_after(bytes, end) {
        return None;
    }
    let suffix = char::from(bytes[end - 1]);
    let masked = format!("{}{} ** ** ** {suffix}", char::from(a), char::from(b));
    Some(Identifier::new(Kind::NationalInsurance, i, end, masked))
}

/// After the prefix: three digit pairs, each optionally preceded by one space (all or none),
/// then the suffix letter A–D, optionally after a space.
fn ni_rest(bytes: &[u8], mut at: usize) -> Option<usize> {
    let spaced = bytes.get(at) == Some(&b' ');
    for _ in 0..3 {
        if spaced {
            (bytes.get(at) == Some(&b' ')).then_some(())?;
            at += 1;
        }
        let pair = bytes.get(at..at + 2)?;
        pair.iter().all(u8::is_ascii_digit).then_some(())?;
        at += 2;
    }
    if bytes.get(at) == Some(&b' ') {
        at += 1;
    }
    matches!(bytes.get(at), Some(b'A'..=b'D')).then_some(at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(text: &str) -> [u8; 10] {
        let mut out = [0u8; 10];
        for (slot, byte) in out.iter_mut().zip(text.bytes()) {
            *slot = byte - b'0';
        }
        out
    }

    fn scan(text: &str) -> Vec<(Kind, String)> {
        let mut found = Vec::new();
        scan_health_numbers(text, &mut found);
        scan_national_insurance(text, &mut found);
        found.into_iter().map(|f| (f.kind, f.masked)).collect()
    }

    #[test]
    fn nhs_check_digit_by_hand() {
        // 943 476 591: 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2
        //            = 90 + 36 + 24 + 28 + 42 + 30 + 20 + 27 + 2 = 299; 299 mod 11 = 2;
        //            11 - 2 = 9, so 943 476 5919 is valid.
        assert_eq!(mod11_check_digit(&[9, 4, 3, 4, 7, 6, 5, 9, 1]), Some(9));
        assert!(is_nhs_number(&digits("9434765919")));
        assert!(!is_nhs_number(&digits("9434765918")));
        // 401 023 213: 40 + 0 + 8 + 0 + 12 + 15 + 8 + 3 + 6 = 92; 92 mod 11 = 4; 11 - 4 = 7.
        assert!(is_nhs_number(&digits("4010232137")));
        // 401 023 214: 92 + 2 = 94 (last weight 2, digit 4 instead of 3); 94 mod 11 = 6;
        // 11 - 6 = 5, so the check digit is 5, and ...7 fails.
        assert!(!is_nhs_number(&digits("4010232147")));
        assert!(is_nhs_number(&digits("4010232145")));
        // 100 000 000: 1*10 = 10; 11 - 10 = 1: passes mod 11 but 1xx is not allocated.
        assert!(mod11_valid(&digits("1000000001")));
        assert!(!is_nhs_number(&digits("1000000001")));
    }

    #[test]
    fn remainder_ten_is_never_valid() {
        // 900 000 005: 9*10 + 5*2 = 100; 100 mod 11 = 1; 11 - 1 = 10, which no single check
        // digit can be, so no number starting 900 000 005 is valid.
        assert_eq!(mod11_check_digit(&[9, 0, 0, 0, 0, 0, 0, 0, 5]), None);
        for last in 0..10 {
            let mut number = digits("9000000050");
            number[9] = last;
            assert!(!mod11_valid(&number));
        }
    }

    #[test]
    fn chi_needs_a_date_and_the_check_digit() {
        // 010 180 123: 0*10 + 1*9 + 0*8 + 1*7 + 8*6 + 0*5 + 1*4 + 2*3 + 3*2
        //            = 9 + 7 + 48 + 4 + 6 + 6 = 80; 80 mod 11 = 3; 11 - 3 = 8.
        assert!(is_chi_number(&digits("0101801238")));
        assert!(!is_chi_number(&digits("0101801237")));
        // 310 280 000: day 31 of month 02 does not exist, whatever the check digit.
        // 3*10 + 1*9 + 0 + 2*7 + 8*6 = 30 + 9 + 14 + 48 = 101; 101 mod 11 = 2; 11 - 2 = 9.
        assert!(mod11_valid(&digits("3102800009")));
        assert!(!is_chi_number(&digits("3102800009")));
        // 290 280 000: 29/02/80, 1980 a leap year. 2*10 + 9*9 + 2*7 + 8*6 = 20 + 81 + 14
        // + 48 = 163; 163 mod 11 = 9; 11 - 9 = 2.
        assert!(is_chi_number(&digits("2902800002")));
    }

    #[test]
    fn ni_prefixes_follow_nim39110() {
        assert!(ni_prefix_allocatable(b'A', b'B'));
        assert!(!ni_prefix_allocatable(b'Q', b'Q')); // Q is never a first or second letter
        assert!(!ni_prefix_allocatable(b'G', b'B')); // unallocated prefix
        assert!(!ni_prefix_allocatable(b'A', b'O')); // O is never the second letter
        assert!(ni_prefix_allocatable(b'O', b'A')); // but may be the first
    }

    #[test]
    fn finds_and_masks_numbers_in_text() {
        let found = scan("patient 943 476 5919 seen; chi=0101801238; ni AB 12 34 56 C.");
        assert_eq!(
            found,
            vec![
                (Kind::NhsNumber, "943 *** **19".to_string()),
                (Kind::ChiNumber, "****** **38".to_string()),
                (Kind::NationalInsurance, "AB ** ** ** C".to_string()),
            ]
        );
        assert_eq!(scan("AB123456D").len(), 1);
    }

    #[test]
    fn ignores_lookalikes() {
        // Inside longer runs, decimals, hex tokens, failing check digits, bad prefixes.
        for text in [
            "94347659190",
            "19434765919",
            "0.9434765919",
            "9434765919.5",
            "a9434765919",
            "ff9434765919ab",
            "9434765918",
            "943 476-5919",
            "1732960931",
            "QQ123456C",
            "AB123456E",
            "AB123456",
            "XAB123456C",
        ] {
            assert!(scan(text).is_empty(), "{text}");
        }
    }
}
