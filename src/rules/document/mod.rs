//! Documents: reports, slides, PDFs, vector images, web pages and notebooks.
//!
//! A document is a container the reviewer reads page by page, while the file holds more than
//! the pages: macros, embedded files, links that fetch from outside, comments and deleted
//! text, scripts, bytes after the end, images and notebook outputs. The check here reports
//! what the pages do not show ([`package`] for Office Open XML and OpenDocument, [`pdf`],
//! [`markup`] for SVG and HTML, [`notebook`] for Jupyter). What can be taken out as a file of
//! its own (a picture inside a docx, a data: URI, a notebook's plot) is handed back by
//! [`members`] so that the request check runs every rule on it, reported as
//! `report.docx!/word/media/image1.png`, exactly as an archive member is.

mod markup;
mod notebook;
mod package;
mod pdf;
mod pdfimage;
mod pdfpalette;
mod pdftext;
mod rules;
mod text;
mod trailer;
mod words;

pub use rules::*;
/// Tag attributes, shared with the table family's reading of HTML tables.
pub(crate) use text::attributes;
/// The XML lexer of Office parts, shared with the table family's reading of Word and
/// OpenDocument tables.
pub(crate) use words::{push_raw, push_text, scan, Piece, Tag};

use std::cell::Cell;

use super::{FileCheck, Findings};
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::identify::Format;
use crate::inspect::Inspected;
use crate::policy::Policy;

/// A part of a document that is checked as a file in its own right.
#[derive(Debug)]
pub struct Member {
    /// Name under the document, as in `report.docx!/<name>`.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The bounds on what one document may inflate or decode, taken from the archive guards:
/// a document is a container and is held to the same limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Largest single part.
    pub part_bytes: u64,
    /// Most bytes inflated or decoded from the whole document.
    pub total_bytes: u64,
    /// Most parts listed.
    pub max_parts: usize,
}

impl Limits {
    fn of(policy: &Policy) -> Limits {
        Limits {
            part_bytes: policy.read.inspect_bytes.0,
            total_bytes: policy.archives.max_inflated_bytes.0,
            max_parts: policy.archives.max_members,
        }
    }
}

/// True for the formats whose content this family inspects.
pub fn inspects(format: Format) -> bool {
    is_package(format)
        || matches!(
            format,
            Format::Pdf
                | Format::Svg
                | Format::Html
                | Format::Notebook
                | Format::Rtf
                | Format::OleCompound
        )
}

/// Office Open XML and OpenDocument packages, spreadsheets included: their tables are the
/// table rules' business, their macros, embedded objects and pictures are this family's.
fn is_package(format: Format) -> bool {
    matches!(
        format,
        Format::Docx
            | Format::Docm
            | Format::Pptx
            | Format::Odt
            | Format::Odp
            | Format::Xlsx
            | Format::Xlsm
            | Format::Ods
    )
}

/// Reports what a document holds beyond its pages.
pub struct DocumentCheck;

impl FileCheck for DocumentCheck {
    fn check(&self, file: &Inspected, policy: &Policy, out: &mut Findings) {
        let format = file.identity.format;
        if !inspects(format) {
            return;
        }
        // Too large to hold: coverage (K002) already reports it.
        let Some(content) = file.content() else {
            return;
        };
        let limits = Limits::of(policy);
        match format {
            Format::Pdf => pdf::check(content, &limits, out),
            Format::Svg | Format::Html => markup::check(content, format, out),
            Format::Notebook => notebook::check(content, out),
            Format::Rtf | Format::OleCompound => legacy(content, format, out),
            _ => package::check(content, &limits, out),
        }
    }
}

/// Takes out the parts of a document that are files in their own right (pictures, embedded
/// objects, decoded data: URIs, notebook images), within the policy's inflation limits.
/// `inflated` counts the bytes inflated from the top-level file, shared with the archive
/// expansion. Problems taking a part out are pushed as findings.
pub fn members(
    file: &Inspected,
    policy: &Policy,
    inflated: &Cell<u64>,
    out: &mut Findings,
) -> Vec<Member> {
    let format = file.identity.format;
    let Some(content) = file.content() else {
        return Vec::new();
    };
    let limits = Limits::of(policy);
    let budget = Budget {
        limits: &limits,
        used: inflated,
    };
    match format {
        f if is_package(f) => package::members(content, &budget, out),
        Format::Svg | Format::Html => markup::members(content, &budget, out),
        Format::Notebook => notebook::members(content, &budget, out),
        Format::Pdf => pdfimage::members(content, &budget, out),
        _ => Vec::new(),
    }
}

/// The written text of one part of a document, for the text rules.
#[derive(Debug)]
pub struct TextPart {
    /// The part, as findings name it: `word/document.xml`, `page 3`.
    pub part: String,
    /// What one line of `text` is in the document: a paragraph, a shown text line.
    pub unit: &'static str,
    /// The text, one unit a line, so that line N is unit N of the part.
    pub text: String,
}

/// True for the formats whose written text [`text_parts`] takes out.
pub fn has_text(format: Format) -> bool {
    is_package(format) || format == Format::Pdf
}

/// Takes out the written text of a document (paragraphs of Office and OpenDocument parts, the
/// text lines of PDF content streams) so that the text rules can read it as they read a
/// log. Parts that cannot be read for it are pushed as findings.
pub fn text_parts(file: &Inspected, policy: &Policy, out: &mut Findings) -> Vec<TextPart> {
    let Some(content) = file.content() else {
        return Vec::new();
    };
    let limits = Limits::of(policy);
    match file.identity.format {
        f if is_package(f) => package::text_parts(content, &limits, out),
        Format::Pdf => pdf::text_parts(content, &limits),
        _ => Vec::new(),
    }
}

/// One XML part of a document, inflated.
#[derive(Debug)]
pub struct XmlPart {
    /// The part's name in the package: `word/document.xml`, `content.xml`.
    pub name: String,
    pub xml: Vec<u8>,
}

/// True for the word-processing formats whose tables [`table_parts`] hands to the table
/// rules.
pub fn has_tables(format: Format) -> bool {
    matches!(format, Format::Docx | Format::Docm | Format::Odt)
}

/// The parts of a Word or OpenDocument text document that may hold tables: the body, and the
/// headers, footers and notes (`styles.xml` for OpenDocument), inflated under the same limits
/// as for the text rules. A package or part that cannot be read is reported by the document
/// check (P012), here it is only left out.
pub fn table_parts(file: &Inspected, policy: &Policy, out: &mut Findings) -> Vec<XmlPart> {
    let Some(content) = file.content() else {
        return Vec::new();
    };
    if !has_tables(file.identity.format) {
        return Vec::new();
    }
    package::xml_parts(content, &Limits::of(policy), is_table_part, out)
}

/// Word bodies, headers, footers, footnotes and endnotes; OpenDocument content and styles.
fn is_table_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(base) = lower.strip_prefix("word/") else {
        return lower == "content.xml" || lower == "styles.xml";
    };
    !base.contains('/')
        && base.ends_with(".xml")
        && ["document", "header", "footer", "footnotes", "endnotes"]
            .iter()
            .any(|prefix| base.starts_with(prefix))
}

/// The limits and the bytes already used against them, for taking members out.
pub(crate) struct Budget<'a> {
    pub limits: &'a Limits,
    pub used: &'a Cell<u64>,
}

impl Budget<'_> {
    /// Room left for the next part: the smaller of the part limit and what remains of the
    /// document's total.
    fn room(&self) -> u64 {
        self.limits
            .part_bytes
            .min(self.limits.total_bytes.saturating_sub(self.used.get()))
    }

    /// Records `bytes` produced; false, with a finding pushed, when they went past the room.
    fn take(&self, name: &str, produced: u64, room: u64, out: &mut Findings) -> bool {
        self.used.set(self.used.get().saturating_add(produced));
        if produced > room {
            out.push(too_large(name, room));
            return false;
        }
        true
    }
}

/// A part that inflates or decodes past the limits.
fn too_large(name: &str, limit: u64) -> Finding {
    Finding::new(
        &UNREADABLE_DOCUMENT,
        format!(
            "part {name:?} is larger than the {limit} bytes left to inflate \
             (read.inspect_bytes, archives.max_inflated_bytes); it was not checked"
        ),
    )
    .at(part(name))
    .with_evidence(evidence! {"part" => name, "limit" => limit})
}

/// The location of a named part of a document.
fn part(name: &str) -> Location {
    Location {
        chunk: Some(name.to_string()),
        ..Location::default()
    }
}

/// RTF and legacy OLE files: identified, searched for embedded objects where that is cheap,
/// and otherwise handed to a person.
fn legacy(content: &[u8], format: Format, out: &mut Findings) {
    if format == Format::Rtf {
        let objects = memchr::memmem::find_iter(content, b"\\objdata").count();
        if objects > 0 {
            out.push(
                Finding::new(
                    &EMBEDDED_OBJECT,
                    format!("the RTF file embeds {objects} object(s) (\\objdata)"),
                )
                .with_evidence(evidence! {"objects" => objects})
                .carrying(content.len() as u64),
            );
        }
    }
    // Limitation: OLE compound files (.doc, .xls, .ppt, encrypted Office packages) are not
    // parsed: their streams, macros and embedded objects are not listed.
    out.push(
        Finding::new(
            &DOCUMENT_NOT_INSPECTED,
            format!("{format} documents are identified but their content is not inspected"),
        )
        .with_evidence(evidence! {"format" => format.as_str()}),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parts_are_bodies_headers_footers_and_notes() {
        for name in [
            "word/document.xml",
            "word/header2.xml",
            "word/footer1.xml",
            "word/footnotes.xml",
            "word/endnotes.xml",
            "content.xml",
            "styles.xml",
        ] {
            assert!(is_table_part(name), "{name}");
        }
        for name in [
            "word/comments.xml",
            "word/styles.xml",
            "word/_rels/document.xml.rels",
            "word/glossary/document.xml",
            "xl/worksheets/sheet1.xml",
            "Object 1/content.xml",
        ] {
            assert!(!is_table_part(name), "{name}");
        }
        assert!(has_tables(Format::Docm) && has_tables(Format::Odt));
        assert!(!has_tables(Format::Pptx) && !has_tables(Format::Ods));
    }
}
