//! PDF: scripts, launch actions, attachments, links, bytes after the end and earlier
//! revisions, found without a PDF library.
//!
//! The file is searched for PDF names (`/JavaScript`, `/EmbeddedFile`…), with `#hh` escapes
//! decoded so that `/J#61vaScript` is still found. Flate streams, object streams included,
//! are inflated under the document limits and searched the same way; streams in any other
//! filter are counted as not inspected rather than passed.

use std::io::Read;

use memchr::memmem;

use super::{
    pdftext, trailer, Limits, TextPart, ACTIVE_CONTENT, EMBEDDED_OBJECT, EXTERNAL_REFERENCE,
    INCREMENTAL_UPDATE, PDF_NOT_INSPECTED, UNREADABLE_DOCUMENT,
};
use crate::evidence;
use crate::finding::Finding;
use crate::rules::Findings;

/// Most link targets quoted in one finding.
const TARGETS_QUOTED: usize = 5;

/// Filters whose output is image data: not searched for names (the pictures are checked as
/// members, see `pdfimage`).
const IMAGE_FILTERS: &[&str] = &[
    "DCTDecode",
    "DCT",
    "JPXDecode",
    "CCITTFaxDecode",
    "CCF",
    "JBIG2Decode",
];

/// What the name search counted.
#[derive(Default)]
struct Names {
    javascript: usize,
    launch: usize,
    open_action: usize,
    embedded: usize,
    attachment: usize,
    submit: usize,
    uri: usize,
    encrypt: usize,
    linearized: usize,
}

impl Names {
    fn count(&mut self, name: &[u8]) {
        match name {
            b"JavaScript" | b"JS" => self.javascript += 1,
            b"Launch" => self.launch += 1,
            b"OpenAction" | b"AA" => self.open_action += 1,
            b"EmbeddedFile" => self.embedded += 1,
            b"FileAttachment" => self.attachment += 1,
            b"SubmitForm" => self.submit += 1,
            b"URI" => self.uri += 1,
            b"Encrypt" => self.encrypt += 1,
            b"Linearized" => self.linearized += 1,
            _ => {}
        }
    }
}

/// Checks one PDF.
pub(super) fn check(content: &[u8], limits: &Limits, out: &mut Findings) {
    let eofs: Vec<usize> = memmem::find_iter(content, b"%%EOF").collect();
    let Some(&last) = eofs.last() else {
        out.push(
            Finding::new(
                &UNREADABLE_DOCUMENT,
                "the PDF has no %%EOF marker: it is truncated or not a PDF",
            )
            .with_evidence(evidence! {"bytes" => content.len()}),
        );
        return;
    };

    let mut names = Names::default();
    search_names(content, &mut names);
    let mut targets = Vec::new();
    uri_targets(content, &mut targets);
    let streams = search_streams(content, limits, &mut names, &mut targets);

    trailer::trailing(content, last + 5, out);
    trailer::between_revisions(content, &eofs, out);
    let updates = eofs.len().saturating_sub(names.linearized.min(1));
    let startxrefs = memmem::find_iter(content, b"startxref").count();
    if updates > 1 {
        out.push(
            Finding::new(
                &INCREMENTAL_UPDATE,
                format!(
                    "the PDF holds {updates} revisions ({} %%EOF markers, {startxrefs} \
                     startxref sections): earlier versions of its content are still inside",
                    eofs.len()
                ),
            )
            .with_evidence(evidence! {
                "eof_markers" => eofs.len(), "startxref" => startxrefs,
                "linearized" => names.linearized > 0,
            }),
        );
    }
    actions(&names, out);
    links(&names, &targets, out);
    if names.encrypt > 0 || streams.not_inspected > 0 {
        out.push(
            Finding::new(
                &PDF_NOT_INSPECTED,
                format!(
                    "{} of {} stream(s) could not be searched (filters: {}){}",
                    streams.not_inspected,
                    streams.total,
                    streams.filters.join(", "),
                    if names.encrypt > 0 {
                        "; the PDF is encrypted"
                    } else {
                        ""
                    }
                ),
            )
            .with_evidence(evidence! {
                "streams" => streams.total, "not_inspected" => streams.not_inspected,
                "filters" => streams.filters, "encrypted" => names.encrypt > 0,
            }),
        );
    }
}

fn actions(names: &Names, out: &mut Findings) {
    if names.javascript + names.launch > 0 {
        out.push(
            Finding::new(
                &ACTIVE_CONTENT,
                format!(
                    "the PDF holds {} JavaScript and {} launch action name(s){}",
                    names.javascript,
                    names.launch,
                    if names.open_action > 0 {
                        ", and actions that run on opening (/OpenAction, /AA)"
                    } else {
                        ""
                    }
                ),
            )
            .with_evidence(evidence! {
                "javascript" => names.javascript, "launch" => names.launch,
                "open_action" => names.open_action,
            }),
        );
    }
    if names.embedded + names.attachment > 0 {
        out.push(
            Finding::new(
                &EMBEDDED_OBJECT,
                format!(
                    "the PDF carries attached files ({} /EmbeddedFile, {} /FileAttachment)",
                    names.embedded, names.attachment
                ),
            )
            .with_evidence(evidence! {
                "embedded_files" => names.embedded, "file_attachments" => names.attachment,
            }),
        );
    }
}

fn links(names: &Names, targets: &[String], out: &mut Findings) {
    if names.uri + names.submit == 0 {
        return;
    }
    let quoted: Vec<&String> = targets.iter().take(TARGETS_QUOTED).collect();
    let listed = if quoted.is_empty() {
        "none readable".to_string()
    } else {
        quoted
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push(
        Finding::new(
            &EXTERNAL_REFERENCE,
            format!(
                "the PDF links out: {} URI target(s) ({listed}), {} /SubmitForm action(s)",
                targets.len(),
                names.submit,
            ),
        )
        .with_evidence(evidence! {
            "uri_targets" => targets.len(), "submit_form" => names.submit, "targets" => quoted,
        }),
    );
}

/// Counts every PDF name in `bytes`, with `#hh` escapes decoded.
fn search_names(bytes: &[u8], names: &mut Names) {
    let mut at = 0;
    let mut name = Vec::new();
    while let Some(slash) = memchr::memchr(b'/', bytes.get(at..).unwrap_or(&[])) {
        let mut i = at + slash + 1;
        name.clear();
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b) || b == 0 {
                break;
            }
            if b == b'#' {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    name.push(value);
                    i += 3;
                    continue;
                }
            }
            name.push(b);
            i += 1;
            if name.len() > 64 {
                break;
            }
        }
        names.count(&name);
        at = i.max(at + slash + 1);
    }
}

/// The literal-string targets of `/URI (…)` entries.
fn uri_targets(bytes: &[u8], targets: &mut Vec<String>) {
    for at in memmem::find_iter(bytes, b"/URI") {
        let rest = bytes.get(at + 4..).unwrap_or(&[]);
        let start = rest.iter().position(|b| !b.is_ascii_whitespace());
        let Some(rest) = start.and_then(|s| rest.get(s..)) else {
            continue;
        };
        if rest.first() != Some(&b'(') {
            continue;
        }
        let head = &rest[..rest.len().min(201)];
        let end = head.iter().position(|&b| b == b')').unwrap_or(head.len());
        let target = String::from_utf8_lossy(&rest[1..end.clamp(1, 200)]).into_owned();
        if !targets.contains(&target) && targets.len() < 100 {
            targets.push(target);
        }
    }
}

/// How the stream search went.
#[derive(Default)]
struct Streams {
    total: usize,
    not_inspected: usize,
    filters: Vec<String>,
}

/// Inflates each Flate stream and searches it for names and link targets.
fn search_streams(
    content: &[u8],
    limits: &Limits,
    names: &mut Names,
    targets: &mut Vec<String>,
) -> Streams {
    let mut streams = Streams::default();
    let mut inflated = 0u64;
    for stream in raw_streams(content) {
        streams.total += 1;
        let filters = filters_of(&stream.dict);
        if filters.is_empty() || filters.iter().all(|f| IMAGE_FILTERS.contains(&f.as_str())) {
            continue; // unfiltered bytes were searched with the rest; images are images
        }
        let flate_only = filters.iter().all(|f| f == "FlateDecode" || f == "Fl");
        let room = limits
            .part_bytes
            .min(limits.total_bytes.saturating_sub(inflated));
        match flate_only.then(|| inflate(stream.data, room)).flatten() {
            Some(bytes) => {
                inflated += bytes.len() as u64;
                search_names(&bytes, names);
                uri_targets(&bytes, targets);
            }
            None => {
                streams.not_inspected += 1;
                let label = filters.join("+");
                if !streams.filters.contains(&label) && streams.filters.len() < 10 {
                    streams.filters.push(label);
                }
            }
        }
    }
    streams
}

/// A stream as written in the file, before any filter is undone.
pub(super) struct RawStream<'a> {
    /// The object number from `N G obj` before the dictionary, when there is one.
    pub object: Option<u64>,
    /// The stream dictionary (what lies between the last `obj` and `stream`).
    pub dict: std::borrow::Cow<'a, str>,
    /// The same bytes as written, for the binary strings a lossy `dict` garbles (an indexed
    /// image's palette).
    pub raw_dict: &'a [u8],
    /// The bytes between the end of line after `stream` and the next `endstream`.
    pub data: &'a [u8],
}

/// Every stream in the file, found by its keywords rather than through the cross-reference
/// table, so that streams a broken or doctored table leaves out are still found.
pub(super) fn raw_streams(content: &[u8]) -> Vec<RawStream<'_>> {
    let mut found = Vec::new();
    // The next `endstream`, found once for all the streams before it.
    let mut next_end: Option<usize> = None;
    for at in memmem::find_iter(content, b"stream") {
        if at >= 3 && content.get(at - 3..at) == Some(b"end") {
            continue;
        }
        let mut data_start = at + 6;
        match content.get(data_start) {
            Some(b'\r') if content.get(data_start + 1) == Some(&b'\n') => data_start += 2,
            Some(b'\n') => data_start += 1,
            _ => continue,
        }
        // The dictionary is after the last `obj` keyword, looked for within 4 KiB.
        let window = at.saturating_sub(4096);
        let obj = content[window..at].windows(3).rposition(|w| w == b"obj");
        let dict_start = obj.map_or(window, |i| window + i);
        let data_end = match next_end {
            Some(end) if end >= data_start => end,
            _ => memmem::find(content.get(data_start..).unwrap_or(&[]), b"endstream")
                .map_or(content.len(), |e| data_start + e),
        };
        next_end = Some(data_end);
        found.push(RawStream {
            object: obj.and_then(|i| object_number(&content[window..window + i])),
            dict: String::from_utf8_lossy(&content[dict_start..at]),
            raw_dict: &content[dict_start..at],
            data: content.get(data_start..data_end).unwrap_or(&[]),
        });
    }
    found
}

/// The object number of `N G ` at the end of `before` (the bytes before an `obj` keyword).
fn object_number(before: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(before.get(before.len().saturating_sub(24)..)?);
    let mut words = text.split_ascii_whitespace().rev();
    let generation = words.next()?;
    let number = words.next()?;
    generation.parse::<u32>().ok()?;
    number.parse().ok()
}

/// Dictionary entries that mark a stream as something other than page content: fonts,
/// pictures, object and cross-reference streams, metadata, attachments.
const NOT_CONTENT: &[&str] = &[
    "/Image",
    "/ObjStm",
    "/XRef",
    "/Length1",
    "/Length2",
    "/Type1C",
    "/CIDFontType0C",
    "/OpenType",
    "/Metadata",
    "/EmbeddedFile",
];

/// The text of each content stream that draws text (unfiltered or Flate, inflated under the
/// document limits), one shown line a line, named by its page when a page object names it
/// and by its object otherwise. Streams in other filters are already reported by
/// [`check`] as not inspected.
pub(super) fn text_parts(content: &[u8], limits: &Limits) -> Vec<TextPart> {
    let pages = page_contents(content);
    let mut parts = Vec::new();
    let mut inflated = 0u64;
    for (index, stream) in raw_streams(content).into_iter().enumerate() {
        if NOT_CONTENT.iter().any(|key| has_name(&stream.dict, key)) {
            continue;
        }
        let filters = filters_of(&stream.dict);
        let room = limits
            .part_bytes
            .min(limits.total_bytes.saturating_sub(inflated));
        let data = match filters.as_slice() {
            [] => std::borrow::Cow::Borrowed(stream.data),
            [f] if f == "FlateDecode" || f == "Fl" => match inflate(stream.data, room) {
                Some(bytes) => std::borrow::Cow::Owned(bytes),
                None => continue,
            },
            _ => continue,
        };
        inflated += data.len() as u64;
        if memmem::find(&data, b"BT").is_none() {
            continue;
        }
        let text = pdftext::text_lines(&data);
        if text.trim().is_empty() {
            continue;
        }
        let part = match stream.object {
            Some(object) => match pages.iter().position(|page| page.contains(&object)) {
                Some(page) => format!("page {} (object {object})", page + 1),
                None => format!("content stream in object {object}"),
            },
            None => format!("content stream {}", index + 1),
        };
        parts.push(TextPart {
            part,
            unit: "text line",
            text,
        });
    }
    parts
}

/// True when `dict` holds the PDF name `key` (not a longer name that starts with it).
pub(super) fn has_name(dict: &str, key: &str) -> bool {
    dict.match_indices(key).any(|(at, _)| {
        let next = dict.as_bytes().get(at + key.len());
        !next.is_some_and(|b| b.is_ascii_alphanumeric())
    })
}

/// The content-stream objects of each page object, in the order the page objects stand in
/// the file.
// Limitation: pages are numbered in file order, not by walking the page tree; the writers
// tried (reportlab, cairo, LibreOffice) write pages in order, but an edited PDF may not. Page
// objects inside compressed object streams are not found; their content is then named by
// object number.
fn page_contents(content: &[u8]) -> Vec<Vec<u64>> {
    let mut pages = Vec::new();
    for at in memmem::find_iter(content, b"/Type") {
        let rest = content.get(at + 5..).unwrap_or(&[]);
        let name = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(0);
        let Some(after) = rest.get(name..).and_then(|r| r.strip_prefix(b"/Page")) else {
            continue;
        };
        if after.first().is_some_and(u8::is_ascii_alphanumeric) {
            continue; // /Pages, /PageLabel
        }
        let from = at.saturating_sub(2048);
        let start = content[from..at]
            .windows(3)
            .rposition(|w| w == b"obj")
            .map_or(from, |i| from + i);
        let after_type = content
            .get(at..(at + 4096).min(content.len()))
            .unwrap_or(&[]);
        let end = memmem::find(after_type, b"endobj").map_or(at + after_type.len(), |e| at + e);
        if let Some(dict) = content.get(start..end) {
            pages.push(content_references(dict));
        }
    }
    pages
}

/// The object numbers after `/Contents`: one `N G R`, or an array of them.
fn content_references(dict: &[u8]) -> Vec<u64> {
    let Some(at) = memmem::find(dict, b"/Contents") else {
        return Vec::new();
    };
    let rest = String::from_utf8_lossy(&dict[at + 9..]);
    let rest = rest.trim_start();
    let list = match rest.strip_prefix('[') {
        Some(inner) => inner.split(']').next().unwrap_or(""),
        None => rest
            .get(..rest.find('R').map_or(0, |r| r + 1))
            .unwrap_or(""),
    };
    let words: Vec<&str> = list.split_ascii_whitespace().collect();
    words
        .windows(3)
        .filter(|w| w[2] == "R")
        .filter_map(|w| w[0].parse().ok())
        .collect()
}

/// The filter names in a stream dictionary, in order.
pub(super) fn filters_of(dict: &str) -> Vec<String> {
    let Some(at) = dict.find("/Filter") else {
        return Vec::new();
    };
    let rest = dict[at + 7..].trim_start();
    let list = if let Some(inner) = rest.strip_prefix('[') {
        inner.split(']').next().unwrap_or("")
    } else {
        rest.split(|c: char| c.is_whitespace() || c == '>')
            .next()
            .unwrap_or("")
    };
    list.split('/')
        .map(|f| f.trim().trim_end_matches(['>', '/']).to_string())
        .filter(|f| !f.is_empty())
        .collect()
}

/// Inflates a zlib stream up to `room` bytes, keeping what came out before any error (PDF
/// writers often leave a byte or two of junk after the stream). `None` when nothing came
/// out or the room was exceeded.
pub(super) fn inflate(data: &[u8], room: u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut decoder = flate2::read::ZlibDecoder::new(data).take(room.saturating_add(1));
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match decoder.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buffer[..n]),
        }
    }
    (!out.is_empty() && out.len() as u64 <= room).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_names_are_decoded() {
        let mut names = Names::default();
        search_names(b"<< /S /J#61vaScript /JS (app.alert(1)) >>", &mut names);
        assert_eq!(names.javascript, 2);
    }

    #[test]
    fn filters_are_listed() {
        assert_eq!(
            filters_of("<< /Length 5 /Filter /FlateDecode >>"),
            ["FlateDecode"]
        );
        assert_eq!(
            filters_of("<</Filter[/ASCII85Decode/FlateDecode]>>"),
            ["ASCII85Decode", "FlateDecode"]
        );
    }
}
