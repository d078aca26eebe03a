//! Text, code and logs: direct identifiers, echoed records, encoded payloads and invisible
//! characters.
//!
//! A log or a script is the easiest output to leak through: a `print(df)` echoes records, a
//! debugging line prints an NHS number, and a base64 blob or a run of zero-width characters
//! can carry anything past a reviewer who reads the text. The scanners here work on the
//! decoded text of every file of the text class (plain text, code, JSON, XML). Each is a plain
//! function over a `&str`, so other families (tables, notebooks) can run them on cells and
//! outputs.
//!
//! Values found are never copied into a report: messages and evidence carry masked forms.

pub mod authorship;
pub mod checksum;
pub mod contact;
pub mod dates;
pub mod identifiers;
pub mod invisible;
pub mod notebook;
pub mod payload;
pub mod payload_framed;
mod place;
pub mod rows;
mod rules;

use std::borrow::Cow;

pub use identifiers::{mask_identifiers, scan_identifiers, Identifier, Kind};
pub use rules::*;

use super::{FileCheck, Findings};
use crate::evidence;
use crate::finding::Finding;
use crate::identify::{Class, Format};
use crate::inspect::Inspected;
use crate::policy::Policy;
use place::{LineIndex, Listed};

/// Runs the text rules on files of the text class, on notebooks' text outputs and on the
/// written text of documents; the identifier rules alone on CSV and TSV files.
pub struct TextCheck;

impl FileCheck for TextCheck {
    fn check(&self, file: &Inspected, policy: &Policy, out: &mut Findings) {
        let notebook = file.identity.format == Format::Notebook;
        if super::document::has_text(file.identity.format) {
            check_document(file, policy, out);
            return;
        }
        if file.class() == Class::Table {
            if let Some(content) = file.content() {
                let decoded = decode(content, file.identity.detail.as_deref());
                check_table_text(&decoded, policy, out);
            }
            return;
        }
        if file.class() != Class::Text && !notebook {
            return;
        }
        // A file too large to keep is reported by the coverage rules.
        let Some(content) = file.content() else {
            return;
        };
        if notebook {
            notebook::check_outputs(content, policy, out);
            return;
        }
        let decoded = decode(content, file.identity.detail.as_deref());
        check_text(&decoded, policy, out);
    }
}

/// Runs the text rules on the written text of a document, part by part: findings name the
/// part (`word/comments.xml`, `page 2 (object 7)`) and the paragraph or text line in it.
fn check_document(file: &Inspected, policy: &Policy, out: &mut Findings) {
    let mut listed = Listed::new(policy.text.max_findings);
    for part in super::document::text_parts(file, policy, out) {
        let decoded = Decoded {
            text: Cow::Borrowed(&part.text),
            base: 0,
            exact_offsets: false,
        };
        check_units(
            &decoded,
            Some(&part.part),
            part.unit,
            policy,
            &mut listed,
            out,
        );
    }
    listed.finish(out);
}

/// Text decoded from a file, with what is needed to map positions back to bytes.
pub struct Decoded<'a> {
    /// The text, without any byte order mark.
    pub text: Cow<'a, str>,
    /// Bytes before the text in the file (a UTF-8 byte order mark).
    pub base: usize,
    /// True when byte offsets in `text` plus `base` are byte offsets in the file, which holds
    /// for UTF-8 only.
    pub exact_offsets: bool,
}

/// Decodes `content` in the encoding identification named (`utf-8`, `utf-8 with BOM`,
/// `utf-16`, `windows-1252`). Bytes that are not valid in it become U+FFFD, never an error.
pub fn decode<'a>(content: &'a [u8], encoding: Option<&str>) -> Decoded<'a> {
    let encoding = encoding.unwrap_or("utf-8");
    if encoding.starts_with("utf-16") {
        let big_endian = content.starts_with(&[0xfe, 0xff]);
        let body = content.get(2..).unwrap_or(&[]);
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|p| {
                let pair = [p[0], p[1]];
                if big_endian {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
            .collect();
        return Decoded {
            text: Cow::Owned(String::from_utf16_lossy(&units)),
            base: 2,
            exact_offsets: false,
        };
    }
    if encoding.starts_with("windows-1252") {
        // Latin-1 for the upper half: identifiers and encodings are ASCII, so the few
        // characters where Windows-1252 differs do not change what is found.
        return Decoded {
            text: Cow::Owned(content.iter().map(|&b| char::from(b)).collect()),
            base: 0,
            exact_offsets: false,
        };
    }
    let base = if content.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let body = content.get(base..).unwrap_or(&[]);
    Decoded {
        text: String::from_utf8_lossy(body),
        base,
        exact_offsets: true,
    }
}

/// Runs every text rule on decoded text.
pub fn check_text(decoded: &Decoded, policy: &Policy, out: &mut Findings) {
    let mut listed = Listed::new(policy.text.max_findings);
    check_part(decoded, None, policy, &mut listed, out);
    listed.finish(out);
}

/// Runs the identifier rules (E001-E007, E011) on the text of a CSV or TSV file. A log whose
/// lines all hold the same number of commas is identified as a CSV, and a table can hold an
/// NHS number in any cell: the table rules judge cells as statistics and would pass it. Row
/// listings and encoded payloads are left to the table rules (microdata, cell payloads), so
/// that no capacity is counted twice.
pub fn check_table_text(decoded: &Decoded, policy: &Policy, out: &mut Findings) {
    let mut listed = Listed::new(policy.text.max_findings);
    let lines = LineIndex::new(&decoded.text);
    report_identifiers(decoded, &lines, "line", "", policy, &mut listed, out);
    listed.finish(out);
}

/// Runs every text rule on one part of a file (the whole of it, or one output of a
/// notebook, named by `chunk`), sharing the per-file limit on listed findings.
pub(crate) fn check_part(
    decoded: &Decoded,
    chunk: Option<&str>,
    policy: &Policy,
    listed: &mut Listed,
    out: &mut Findings,
) {
    check_units(decoded, chunk, "line", policy, listed, out);
}

/// Runs every text rule on one part whose lines are `unit`s of the document: the paragraphs
/// of a word-processor part, the text lines of a PDF page. Locations keep the number in
/// `line`; messages name the unit.
pub(crate) fn check_units(
    decoded: &Decoded,
    chunk: Option<&str>,
    unit: &str,
    policy: &Policy,
    listed: &mut Listed,
    out: &mut Findings,
) {
    let text: &str = &decoded.text;
    let mut lines = LineIndex::new(text);
    lines.chunk = chunk.map(str::to_string);
    let settings = &policy.text;
    let place = chunk.map_or(String::new(), |c| format!(" of {c}"));

    let identifiers = report_identifiers(decoded, &lines, unit, &place, policy, listed, out);

    let listings = rows::scan_row_listings(
        text,
        &identifiers,
        settings.row_min_rows,
        settings.row_min_fields,
    );
    for listing in listings {
        if !listed.admit(&ROW_LISTING, 0) {
            continue;
        }
        let (first, _) = lines.position(text, listing.start);
        let (last, _) = lines.position(text, listing.last_line_start);
        let finding = Finding::new(
            &ROW_LISTING,
            format!(
                "{} {unit}s from {unit} {first} to {last}{place} look like raw records: {} \
                 fields separated by {}, with {} in every line",
                listing.rows,
                listing.fields,
                listing.delimiter.describe(),
                listing.personal.join(" or "),
            ),
        )
        .at(lines.location(decoded, first, listing.start, listing.end))
        .with_evidence(evidence! {
            "rows" => listing.rows,
            "first_line" => first,
            "last_line" => last,
            "fields" => listing.fields,
            "delimiter" => listing.delimiter.describe(),
            "personal_fields" => listing.personal,
            "min_rows" => settings.row_min_rows,
        });
        listed.push(finding, out);
    }

    let payloads = payload::scan_payloads(
        text,
        settings.payload_min_bytes,
        settings.payload_entropy_bits,
    );
    for run in payloads {
        if !listed.admit(&ENCODED_PAYLOAD, run.decoded_bytes as u64) {
            continue;
        }
        let (line, column) = lines.position(text, run.start);
        let finding = Finding::new(
            &ENCODED_PAYLOAD,
            format!(
                "{} characters of {} at {unit} {line}, column {column}{place} decode to {} \
                 bytes of {} ({:.2} bits per byte; threshold {})",
                run.chars,
                run.encoding.as_str(),
                run.decoded_bytes,
                run.content,
                run.entropy,
                settings.payload_entropy_bits,
            ),
        )
        .at(lines.location(decoded, line, run.start, run.end))
        .with_evidence(evidence! {
            "encoding" => run.encoding.as_str(),
            "characters" => run.chars,
            "lines" => run.lines,
            "decoded_bytes" => run.decoded_bytes,
            "decoded_entropy_bits" => (run.entropy * 1000.0).round() / 1000.0,
            "decoded_content" => run.content,
            "line" => line,
            "column" => column,
            "min_bytes" => settings.payload_min_bytes,
        })
        .carrying(run.decoded_bytes as u64);
        listed.push(finding, out);
    }

    if let Some(hidden) = invisible::scan_invisible(text) {
        if hidden.bits >= settings.invisible_min_bits && listed.admit(&INVISIBLE_CHARACTERS, 0) {
            let (line, column) = lines.position(text, hidden.first);
            let finding = Finding::new(
                &INVISIBLE_CHARACTERS,
                format!(
                    "{} invisible characters ({}) from {unit} {line}, column {column}{place}, \
                     {} distinct: room for {} bits",
                    hidden.count,
                    hidden.classes.join(", "),
                    hidden.distinct,
                    hidden.bits,
                ),
            )
            .at(lines.location(decoded, line, hidden.first, hidden.first_end))
            .with_evidence(evidence! {
                "count" => hidden.count,
                "distinct" => hidden.distinct,
                "classes" => hidden.classes,
                "bits" => hidden.bits,
                "lines" => hidden.lines,
                "line" => line,
                "column" => column,
                "min_bits" => settings.invisible_min_bits,
            })
            .carrying(hidden.bits.div_ceil(8));
            listed.push(finding, out);
        }
    }
}

/// Scans `decoded` for identifiers and pushes a finding for each (within the listing limit);
/// returns them all, for the row-listing scan.
fn report_identifiers(
    decoded: &Decoded,
    lines: &LineIndex,
    unit: &str,
    place: &str,
    policy: &Policy,
    listed: &mut Listed,
    out: &mut Findings,
) -> Vec<Identifier> {
    let text: &str = &decoded.text;
    let identifiers = scan_identifiers(text, policy.text.dob_window_bytes);
    for found in &identifiers {
        let rule = match found.kind {
            Kind::Email if authorship::is_author_address(text, found.start) => &AUTHOR_EMAIL,
            kind => rule_for(kind),
        };
        if !listed.admit(rule, 0) {
            continue;
        }
        let (line, column) = lines.position(text, found.start);
        let author = if std::ptr::eq(rule, &AUTHOR_EMAIL) {
            " on a code author line"
        } else {
            ""
        };
        let message = format!(
            "{} {}{author} at {unit} {line}, column {column}{place}: {}",
            article(found.kind),
            found.kind.as_str(),
            found.masked,
        );
        let location = lines.location(decoded, line, found.start, found.end);
        let finding = Finding::new(rule, message)
            .at(location)
            .with_evidence(evidence! {
                "kind" => found.kind.as_str(),
                "masked" => found.masked.clone(),
                "line" => line,
                "column" => column,
            });
        listed.push(finding, out);
    }
    identifiers
}

fn article(kind: Kind) -> &'static str {
    match kind {
        Kind::NhsNumber | Kind::Email => "an",
        _ => "a",
    }
}

fn rule_for(kind: Kind) -> &'static super::Rule {
    match kind {
        Kind::NhsNumber => &NHS_NUMBER,
        Kind::ChiNumber => &CHI_NUMBER,
        Kind::NationalInsurance => &NATIONAL_INSURANCE_NUMBER,
        Kind::Postcode => &POSTCODE,
        Kind::DateOfBirth => &DATE_OF_BIRTH,
        Kind::Email => &EMAIL_ADDRESS,
        Kind::Phone => &PHONE_NUMBER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_encoding() {
        let bom = decode(b"\xef\xbb\xbfab", Some("utf-8 with BOM"));
        assert_eq!((&*bom.text, bom.base, bom.exact_offsets), ("ab", 3, true));
        let utf16 = decode(b"\xff\xfea\x00b\x00\x00", Some("utf-16"));
        assert_eq!(&*utf16.text, "ab");
        let latin = decode(b"caf\xe9", Some("windows-1252"));
        assert_eq!(&*latin.text, "café");
        let broken = decode(b"a\xffb", Some("utf-8"));
        assert_eq!(&*broken.text, "a\u{fffd}b");
    }

    #[test]
    fn never_panics_on_arbitrary_text() {
        // Fragments that start, break or end every scanner, glued at random (xorshift).
        let fragments = [
            "0",
            "9",
            "43",
            " ",
            "-",
            ".",
            "/",
            "+",
            "=",
            "@",
            "<~",
            "~>",
            "\n",
            "begin 644 x\n",
            "M",
            "AB",
            "EH1 ",
            "1YZ",
            "dob ",
            "born",
            "1980-",
            "01/",
            "é",
            "☃",
            "\u{200b}",
            "\u{e0041}",
            "\u{fe0f}",
            "\u{1f3f4}",
            "\u{202e}",
            ",",
            "\t",
            "|",
            "(0",
            "+44 ",
            "Zm9v",
            "ff",
            "end\n",
            "`\n",
            "\u{fffd}",
        ];
        let policy = Policy::default_policy();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..200 {
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                text.push_str(fragments[(state % fragments.len() as u64) as usize]);
            }
            let decoded = Decoded {
                text: Cow::Borrowed(&text),
                base: 0,
                exact_offsets: true,
            };
            let mut out = Findings::new(&policy);
            check_text(&decoded, &policy, &mut out);
            for finding in out.into_vec() {
                let offset = finding.location.byte_offset.unwrap_or(0) as usize;
                assert!(text.is_char_boundary(offset), "{}", finding.message);
            }
        }
    }

    #[test]
    fn findings_past_the_limit_are_counted_with_their_capacity() {
        let mut policy = Policy::default_policy();
        policy.text.max_findings = 2;
        // Five lines of 100 random bytes in hex (200 characters, 100 bytes each).
        let text: String = (0..5)
            .map(|i| {
                format!(
                    "x {}\n",
                    crate::inspect::hex(&payload::tests::random_bytes(100, i + 1))
                )
            })
            .collect();
        let decoded = Decoded {
            text: Cow::Borrowed(&text),
            base: 0,
            exact_offsets: true,
        };
        let mut out = Findings::new(&policy);
        check_text(&decoded, &policy, &mut out);
        let findings = out.into_vec();
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].capacity_bytes, 100);
        assert_eq!(findings[1].capacity_bytes, 400);
        assert_eq!(findings[1].evidence["not_listed"], 3);
        assert_eq!(findings[1].location.line, Some(2));
    }
}
