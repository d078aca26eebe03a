//! Contact details: UK postcodes, e-mail addresses and UK telephone numbers.
//!
//! - **Postcodes** follow the format in the ONS Postcode Directory user guide and Royal Mail's
//!   Programmers' Guide to PAF: an outward code `A9`, `A99`, `AA9`, `AA99`, `A9A` or `AA9A`
//!   (area letters from the list of 124 postcode areas, including the Crown dependencies),
//!   one space, and an inward code `9AA` whose letters are never C, I, K, M, O or V. The third
//!   letter of `A9A` is one of ABCDEFGHJKPSTUW and the fourth of `AA9A` one of ABEHMNPRVWXY.
//!   `GIR 0AA` is the one historic exception. Only full postcodes count: an outward code
//!   alone (`EH1`) is a district of thousands of addresses, used in published statistics.
//! - **E-mail addresses**: a local part and a dotted domain (RFC 5322's common form); the
//!   domains RFC 2606 reserves for examples (`example.com`, `.test`, `.invalid`, …) and the
//!   `git@` and `noreply` service addresses are not personal and are ignored.
//! - **Telephone numbers**: Ofcom's National Telephone Numbering Plan gives UK numbers ten
//!   digits after the trunk `0` (or after `+44`); the first is 1 or 2 (geographic), 3
//!   (non-geographic), 7 (mobile, pager, personal) or 8 (freephone and special rates). They
//!   are written in at most three groups of three or more digits (`020 7946 0018`,
//!   `07700 900123`, `+44 (0)161 496 0000`).

use super::identifiers::{boundary_after, scan_with, Identifier, Kind};

/// The UK postcode areas (Royal Mail), one- and two-letter, sorted for a binary search.
const AREAS: &[&str] = &[
    "AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF", "CH",
    "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "E",
    "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG", "HP", "HR", "HS",
    "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA", "LD", "LE", "LL",
    "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW", "OL", "OX",
    "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK", "SL", "SM",
    "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR", "TS", "TW",
    "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
];

const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
const THIRD_LETTERS: &[u8] = b"ABCDEFGHJKPSTUW";
const FOURTH_LETTERS: &[u8] = b"ABEHMNPRVWXY";

/// Finds full UK postcodes written in capitals with one space.
pub fn scan_postcodes(text: &str, found: &mut Vec<Identifier>) {
    scan_with(text, found, postcode_id_at);
}

/// A postcode starting at `i`, a token boundary.
pub(super) fn postcode_id_at(bytes: &[u8], i: usize) -> Option<Identifier> {
    let (space, end) = postcode_at(bytes, i)?;
    let outward = String::from_utf8_lossy(&bytes[i..space]);
    Some(Identifier::new(
        Kind::Postcode,
        i,
        end,
        format!("{outward} ***"),
    ))
}

/// The position of the space and the end of a postcode starting at `start`.
fn postcode_at(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    if bytes.get(start..start + 7) == Some(b"GIR 0AA") && boundary_after(bytes, start + 7) {
        return Some((start + 3, start + 7));
    }
    let letters = bytes[start..]
        .iter()
        .take(3)
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    if !(1..=2).contains(&letters) {
        return None;
    }
    let mut at = start + letters;
    // Most capitals in text start a word, not a postcode: the digit is checked before the
    // area list is searched.
    bytes.get(at)?.is_ascii_digit().then_some(())?;
    let area = std::str::from_utf8(&bytes[start..at]).ok()?;
    AREAS.binary_search(&area).ok()?;
    at += 1;
    match bytes.get(at)? {
        b' ' => {}
        b if b.is_ascii_digit() => at += 1,
        b if letters == 1 && THIRD_LETTERS.contains(b) => at += 1,
        b if letters == 2 && FOURTH_LETTERS.contains(b) => at += 1,
        _ => return None,
    }
    let space = at;
    (bytes.get(space) == Some(&b' ')).then_some(())?;
    let inward = bytes.get(space + 1..space + 4)?;
    let valid = inward[0].is_ascii_digit()
        && INWARD_LETTERS.contains(&inward[1])
        && INWARD_LETTERS.contains(&inward[2]);
    (valid && boundary_after(bytes, space + 4)).then_some((space, space + 4))
}

fn is_local_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"._%+-'".contains(&byte)
}

fn is_domain_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-'
}

/// Finds e-mail addresses outside the reserved example domains.
pub fn scan_emails(text: &str, found: &mut Vec<Identifier>) {
    let bytes = text.as_bytes();
    let mut from = 0;
    // memchr: most text has no `@`, and the search is then one vectorised pass.
    while let Some(offset) = memchr::memchr(b'@', bytes.get(from..).unwrap_or(&[])) {
        let at = from + offset;
        from = at + 1;
        let mut start = at;
        while start > 0 && is_local_byte(bytes[start - 1]) {
            start -= 1;
        }
        while start < at && matches!(bytes[start], b'.' | b'\'' | b'-') {
            start += 1;
        }
        let mut end = at + 1;
        while end < bytes.len() && is_domain_byte(bytes[end]) {
            end += 1;
        }
        while end > at + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        if start == at || end == at + 1 {
            continue;
        }
        // Safe to slice: the bounds sit next to ASCII bytes.
        let local = &text[start..at];
        let domain = &text[at + 1..end];
        if valid_domain(domain) && !is_service_address(local, domain) {
            let first = local.chars().next().unwrap_or('*');
            let masked = format!("{first}***@{domain}");
            found.push(Identifier::new(Kind::Email, start, end, masked));
            from = end;
        }
    }
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
        && tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Reserved example domains (RFC 2606, RFC 6761) and service addresses.
fn is_service_address(local: &str, domain: &str) -> bool {
    let domain = domain.to_ascii_lowercase();
    let local = local.to_ascii_lowercase();
    let reserved = ["example.com", "example.org", "example.net"]
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")));
    let reserved_tld = [".example", ".test", ".invalid", ".localhost"]
        .iter()
        .any(|t| domain.ends_with(t));
    let service = |part: &str| part.contains("noreply") || part.contains("no-reply");
    reserved || reserved_tld || local == "git" || service(&local) || service(&domain)
}

/// Finds UK telephone numbers in national (`0…`) or international (`+44…`) form.
pub fn scan_phones(text: &str, found: &mut Vec<Identifier>) {
    scan_with(text, found, phone_id_at);
}

/// A telephone number starting at `i`, a token boundary.
pub(super) fn phone_id_at(bytes: &[u8], i: usize) -> Option<Identifier> {
    let (end, _) = phone_at(bytes, i)?;
    Some(Identifier::new(
        Kind::Phone,
        i,
        end,
        mask_phone(&bytes[i..end]),
    ))
}

/// Reads a telephone number at `start`: its end and how many national digits (with the
/// trunk `0`) it holds. Numbers outside the plan's ranges are `None`.
fn phone_at(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    let mut at = start;
    if bytes.get(at..at + 3) == Some(b"+44") {
        at += 3;
        if bytes.get(at) == Some(&b' ') {
            at += 1;
        }
        if bytes.get(at..at + 3) == Some(b"(0)") {
            at += 3;
        }
    } else if bytes.get(at..at + 2) == Some(b"(0") {
        // (020) 7946 0018: the first group in brackets.
        at += 2;
        let run = group(bytes, at);
        (2..=4).contains(&run).then_some(())?;
        let second = bytes[at];
        at += run;
        (bytes.get(at..at + 2) == Some(b") ")).then_some(())?;
        return rest_of_phone(bytes, at + 1, 1 + run, second);
    } else if bytes.get(at) == Some(&b'0') {
        at += 1;
    } else {
        return None;
    }
    let run = group(bytes, at);
    (2..=10).contains(&run).then_some(())?;
    rest_of_phone(bytes, at + run, 1 + run, bytes[at])
}

/// Reads up to two more groups after the first; `digits` so far, `second` the digit after
/// the trunk `0`, which the numbering plan restricts.
fn rest_of_phone(
    bytes: &[u8],
    mut at: usize,
    mut digits: usize,
    second: u8,
) -> Option<(usize, usize)> {
    let mut groups = 1;
    while digits < 11 && groups < 3 {
        let separator = *bytes.get(at)?;
        if !matches!(separator, b' ' | b'-') {
            break;
        }
        let run = group(bytes, at + 1);
        if run < 3 {
            break;
        }
        digits += run;
        at += 1 + run;
        groups += 1;
    }
    let plan_ok = digits == 11 && matches!(second, b'1' | b'2' | b'3' | b'7' | b'8');
    (plan_ok && boundary_after(bytes, at)).then_some((at, digits))
}

fn group(bytes: &[u8], at: usize) -> usize {
    bytes.get(at..).map_or(0, |rest| {
        rest.iter().take_while(|b| b.is_ascii_digit()).count()
    })
}

/// Keeps the first two and last two digits, and the separators: `07*** ****23`.
fn mask_phone(written: &[u8]) -> String {
    let total = written.iter().filter(|b| b.is_ascii_digit()).count();
    let mut seen = 0;
    written
        .iter()
        .map(|&b| {
            if b.is_ascii_digit() {
                seen += 1;
                if seen <= 2 || seen > total.saturating_sub(2) {
                    char::from(b)
                } else {
                    '*'
                }
            } else {
                char::from(b)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_sorted_for_the_binary_search() {
        assert!(AREAS.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(AREAS.len(), 124);
    }

    fn run(scan: fn(&str, &mut Vec<Identifier>), text: &str) -> Vec<String> {
        let mut found = Vec::new();
        scan(text, &mut found);
        found.into_iter().map(|f| f.masked).collect()
    }

    #[test]
    fn postcodes_in_every_outward_form() {
        for (text, masked) in [
            ("M1 1AE", "M1 ***"),
            ("B33 8TH", "B33 ***"),
            ("CR2 6XH", "CR2 ***"),
            ("DN55 1PT", "DN55 ***"),
            ("W1A 0AX", "W1A ***"),
            ("EC1A 1BB", "EC1A ***"),
            ("at SW1A 2AA.", "SW1A ***"),
            ("GIR 0AA", "GIR ***"),
        ] {
            assert_eq!(run(scan_postcodes, text), vec![masked], "{text}");
        }
    }

    #[test]
    fn postcode_lookalikes() {
        for text in [
            "EH1",        // outward code only
            "QA1 1AA",    // no area QA
            "M1 1CA",     // C is never an inward letter
            "EC1I 1BB",   // I is not a fourth letter
            "m1 1ae",     // lower case
            "XM1 1AE",    // inside a longer token
            "M1 1AEX",    // inside a longer token
            "R2 D2 C3PO", // not a postcode shape
        ] {
            assert!(run(scan_postcodes, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn emails_and_reserved_domains() {
        assert_eq!(
            run(scan_emails, "mail <jane.doe@ed.ac.uk>."),
            vec!["j***@ed.ac.uk"]
        );
        for text in [
            "someone@example.com",
            "a@b.example",
            "git@github.com:org/repo",
            "123+noreply@users.noreply.github.com",
            "@property",
            "x@localhost",
            "user@host",
        ] {
            assert!(run(scan_emails, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn phones_in_written_forms() {
        for (text, masked) in [
            ("07700 900123", "07*** ****23"),
            ("07700900123", "07*******23"),
            ("020 7946 0018", "02* **** **18"),
            ("(020) 7946 0018", "(02*) **** **18"),
            ("+44 7700 900123", "+44 **** ****23"),
            ("+44 (0)161 496 0000", "+44 (*)*** *** **00"),
            ("0161-496-0000", "01**-***-**00"),
        ] {
            assert_eq!(run(scan_phones, text), vec![masked], "{text}");
        }
    }

    #[test]
    fn phone_lookalikes() {
        for text in [
            "0 12 345 678 90", // groups too short
            "09700 900123",    // 09 is not in the plan's ranges used here
            "0770 090 01234",  // too many digits
            "07700 90012",     // too few
            "1.07700900123",   // inside a decimal
            "x07700900123",    // inside a token
            "0.5 0.25 0.125",  // numbers in a table
        ] {
            assert!(run(scan_phones, text).is_empty(), "{text}");
        }
    }
}
