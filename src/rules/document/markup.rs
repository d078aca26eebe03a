//! SVG and HTML: scripts, event handlers, external references, foreign content and data:
//! URIs, found by a tolerant tag scan rather than a full parser (browsers are tolerant too).

use memchr::memmem;

use super::text::{attributes, base64, excerpt};
use super::{
    part, Budget, Member, ACTIVE_CONTENT, DATA_URI, EXTERNAL_REFERENCE, MARKUP_CONTENT,
    UNREADABLE_DOCUMENT,
};
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::identify::Format;
use crate::rules::Findings;

/// Attributes whose value is fetched or followed.
const LINK_ATTRIBUTES: &[&str] = &[
    "href",
    "xlink:href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
];
/// Elements that embed another document.
const FOREIGN_ELEMENTS: &[&str] = &["foreignobject", "iframe", "object", "embed", "frame"];
/// Most targets quoted in one finding.
const TARGETS_QUOTED: usize = 5;

/// One start tag: its lowercased name and its attributes.
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// Every start tag, in order.
fn start_tags(text: &str) -> Vec<Tag> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|rest| rest.find('<')) {
        let start = from + open + 1;
        let Some(rest) = text.get(start..) else { break };
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            from = start;
            continue;
        }
        let end = rest.find('>').unwrap_or(rest.len());
        let inner = &rest[..end];
        let name_end = inner
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(inner.len());
        found.push(Tag {
            name: inner[..name_end].to_ascii_lowercase(),
            attributes: attributes(&inner[name_end..]),
        });
        from = start + end;
    }
    found
}

/// Checks one SVG or HTML file.
pub(super) fn check(content: &[u8], format: Format, out: &mut Findings) {
    let text = String::from_utf8_lossy(content);
    let tags = start_tags(&text);

    let scripts = tags.iter().filter(|t| t.name == "script").count();
    let mut handlers: Vec<String> = Vec::new();
    let mut script_urls = 0usize;
    let mut targets: Vec<String> = Vec::new();
    let mut foreign: Vec<String> = Vec::new();
    for tag in &tags {
        if FOREIGN_ELEMENTS.contains(&tag.name.as_str()) && !foreign.contains(&tag.name) {
            foreign.push(tag.name.clone());
        }
        for (name, value) in &tag.attributes {
            let value = value.trim();
            if is_handler(name) && !handlers.contains(name) {
                handlers.push(name.clone());
            }
            if !LINK_ATTRIBUTES.contains(&name.as_str()) {
                continue;
            }
            let lower = value.to_ascii_lowercase();
            if lower.starts_with("javascript:") {
                script_urls += 1;
            } else if is_external(&lower) && !targets.iter().any(|t| t == value) {
                targets.push(value.to_string());
            }
        }
    }
    // Limitation: CSS (url(…), @import) inside style elements and attributes is not searched
    // for external references.

    if scripts + handlers.len() + script_urls > 0 {
        out.push(
            Finding::new(
                &ACTIVE_CONTENT,
                format!(
                    "{scripts} <script> element(s), {} event-handler attribute(s) ({}) and \
                     {script_urls} javascript: link(s)",
                    handlers.len(),
                    handlers.join(", ")
                ),
            )
            .with_evidence(evidence! {
                "scripts" => scripts, "handlers" => handlers, "javascript_urls" => script_urls,
            }),
        );
    }
    if !targets.is_empty() {
        let quoted: Vec<String> = targets
            .iter()
            .take(TARGETS_QUOTED)
            .map(|t| excerpt(t))
            .collect();
        out.push(
            Finding::new(
                &EXTERNAL_REFERENCE,
                format!(
                    "{} external reference(s): {}",
                    targets.len(),
                    quoted.join(", ")
                ),
            )
            .with_evidence(evidence! {"count" => targets.len(), "targets" => quoted}),
        );
    }
    if format == Format::Svg || !foreign.is_empty() {
        let message = if foreign.is_empty() {
            "an SVG file: vector images carry text and structure a person must review".into()
        } else {
            format!(
                "{format} file embedding foreign content: <{}>",
                foreign.join(">, <")
            )
        };
        out.push(
            Finding::new(&MARKUP_CONTENT, message)
                .with_evidence(evidence! {"format" => format.as_str(), "foreign" => foreign}),
        );
    }
    for (index, uri) in data_uris(content).iter().enumerate() {
        let name = member_name(index, &uri.media_type);
        out.push(
            Finding::new(
                &DATA_URI,
                format!(
                    "a {} data: URI of {} characters at byte {}, checked below as {name}",
                    uri.media_type,
                    uri.payload.len(),
                    uri.offset
                ),
            )
            .at(uri.location(&name))
            .with_evidence(evidence! {
                "media_type" => uri.media_type.as_str(), "chars" => uri.payload.len(),
                "base64" => uri.base64,
            }),
        );
    }
    // Limitation: the visible text is not searched for identifiers or encoded payloads; the
    // text rules (src/rules/text/) should be run on it once they land.
}

/// Decodes each data: URI into a member.
pub(super) fn members(content: &[u8], budget: &Budget, out: &mut Findings) -> Vec<Member> {
    let mut members = Vec::new();
    for (index, uri) in data_uris(content).iter().enumerate() {
        let name = member_name(index, &uri.media_type);
        let room = budget.room();
        let decoded = if uri.base64 {
            std::str::from_utf8(&uri.payload).ok().and_then(base64)
        } else {
            Some(percent_decode(&uri.payload))
        };
        let Some(bytes) = decoded else {
            out.push(
                Finding::new(
                    &UNREADABLE_DOCUMENT,
                    format!(
                        "the data: URI at byte {} checked as {name} is not valid base64",
                        uri.offset
                    ),
                )
                .at(uri.location(&name))
                .with_evidence(evidence! {"member" => name.as_str()}),
            );
            continue;
        };
        if budget.take(&name, bytes.len() as u64, room, out) {
            members.push(Member { name, bytes });
        }
    }
    members
}

/// An event-handler attribute: `on` and a lowercase event name.
fn is_handler(name: &str) -> bool {
    name.len() > 2 && name.starts_with("on") && name[2..].bytes().all(|b| b.is_ascii_lowercase())
}

/// An address fetched from elsewhere: http(s), ftp, or protocol-relative.
fn is_external(lower: &str) -> bool {
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("ftp://")
        || lower.starts_with("//")
}

/// One data: URI, as written in the file.
struct DataUri {
    media_type: String,
    base64: bool,
    /// Byte offset of `data:` in the file.
    offset: usize,
    /// Bytes from `data:` to the end of the payload as written, whitespace included.
    length: usize,
    /// The payload with the whitespace a browser drops taken out: all of it from base64
    /// (which ignores whitespace), tabs and line breaks from the rest (the URL parser removes
    /// them), so that a payload wrapped over lines decodes whole.
    payload: Vec<u8>,
}

impl DataUri {
    /// Where the URI stands in the file, under the member name it is checked as.
    fn location(&self, name: &str) -> Location {
        Location {
            byte_offset: Some(self.offset as u64),
            byte_length: Some(self.length as u64),
            ..part(name)
        }
    }
}

/// Every `data:type/subtype[;params],payload` in the file, in order, the scheme matched in
/// any case as URL parsers do.
///
/// Where the payload ends depends on what opens the URI. After a quote (an attribute value,
/// a quoted CSS `url("…")`, a string in a script) it runs to the same quote: XML attribute
/// values may hold line breaks, and matplotlib writes its rasters as
/// `xlink:href="data:image/png;base64,` then a line break and the base64 wrapped over lines.
/// After `url(` it runs to `)`. Anywhere else (an unquoted attribute, prose) it ends at the
/// first whitespace, quote, bracket or parenthesis.
// Limitation: character references inside an attribute value (`&#10;`) are not expanded; a
// base64 payload holding one is reported as not decoding (P012) rather than checked.
fn data_uris(content: &[u8]) -> Vec<DataUri> {
    let lower = content.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut closers = Closers::default();
    let mut from = 0;
    while let Some(at) = lower
        .get(from..)
        .and_then(|rest| memmem::find(rest, b"data:"))
    {
        let offset = from + at;
        let start = offset + 5;
        from = start;
        let Some(rest) = content.get(start..) else {
            break;
        };
        let head = &rest[..rest.len().min(128)];
        let Some(comma) = memchr::memchr(b',', head) else {
            continue;
        };
        let Ok(header) = std::str::from_utf8(&head[..comma]) else {
            continue;
        };
        let mut params = header.split(';');
        let media_type = params.next().unwrap_or("").trim().to_ascii_lowercase();
        let valid = media_type.split_once('/').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && media_type
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"/+-.".contains(&c))
        });
        if !valid {
            continue;
        }
        let base64 = params.any(|p| p.trim().eq_ignore_ascii_case("base64"));
        let body_start = start + comma + 1;
        let opener = content[..offset]
            .iter()
            .rev()
            .find(|b| !b.is_ascii_whitespace())
            .copied();
        let end = closers.payload_end(content, opener, body_start);
        let written = &content[body_start..end];
        let payload: Vec<u8> = if base64 {
            written
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect()
        } else {
            let trimmed = written.trim_ascii();
            trimmed
                .iter()
                .copied()
                .filter(|b| !matches!(b, b'\t' | b'\n' | b'\r'))
                .collect()
        };
        found.push(DataUri {
            media_type,
            base64,
            offset,
            length: end - offset,
            payload,
        });
        from = end.max(from);
    }
    found
}

/// The next `"`, `'` and `)` at or after the last place asked about, each found once for
/// all the URIs before it, so that a file of many unclosed URIs is still read in linear
/// time.
#[derive(Default)]
struct Closers {
    /// For each closer: the position found, `None` once there is none left in the file.
    next: [Option<Option<usize>>; 3],
}

impl Closers {
    const BYTES: [u8; 3] = [b'"', b'\'', b')'];

    /// The first `closer` at or after `from`.
    fn find(&mut self, content: &[u8], closer: u8, from: usize) -> Option<usize> {
        let slot = Self::BYTES.iter().position(|&b| b == closer)?;
        match self.next[slot] {
            Some(Some(at)) if at >= from => return Some(at),
            Some(None) => return None,
            _ => {}
        }
        let at = content
            .get(from..)
            .and_then(|rest| memchr::memchr(closer, rest))
            .map(|i| from + i);
        self.next[slot] = Some(at);
        at
    }

    /// The end of the payload that starts at `body` after the URI opened by `opener` (see
    /// [`data_uris`]); an opening quote or parenthesis never closed falls back to the
    /// unquoted rule.
    fn payload_end(&mut self, content: &[u8], opener: Option<u8>, body: usize) -> usize {
        let closer = match opener {
            Some(quote @ (b'"' | b'\'')) => Some(quote),
            Some(b'(') => Some(b')'),
            _ => None,
        };
        if let Some(end) = closer.and_then(|c| self.find(content, c, body)) {
            return end;
        }
        content
            .get(body..)
            .and_then(|rest| {
                rest.iter().position(|&b| {
                    matches!(b, b'"' | b'\'' | b')' | b'<' | b'>') || b.is_ascii_whitespace()
                })
            })
            .map_or(content.len(), |i| body + i)
    }
}

/// The member name of the `index`th data: URI, with an extension from its media type.
fn member_name(index: usize, media_type: &str) -> String {
    let extension = match media_type {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/bmp" => "bmp",
        "image/svg+xml" => "svg",
        "text/html" => "html",
        "text/csv" => "csv",
        "text/plain" => "txt",
        "application/pdf" => "pdf",
        "application/json" => "json",
        _ => "bin",
    };
    format!("data{index}.{extension}")
}

/// `%hh` escapes decoded; anything malformed kept as it is.
fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(value) if b == b'%' => {
                out.push(value);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_uris_are_found_but_not_prose() {
        let text = b"the data: we used <img src=\"data:image/png;base64,iVBORw0KGgo=\">";
        let uris = data_uris(text);
        assert_eq!(uris.len(), 1);
        assert_eq!(uris[0].media_type, "image/png");
        assert!(uris[0].base64);
        assert_eq!(uris[0].payload, b"iVBORw0KGgo=");
        assert_eq!((uris[0].offset, uris[0].length), (28, 34));
        assert_eq!(member_name(0, "image/png"), "data0.png");
    }

    #[test]
    fn a_quoted_payload_runs_over_line_breaks_to_its_quote() {
        // As matplotlib's SVG backend writes a raster: a line break after the comma, then
        // the base64 wrapped. "aGVsbG8=" is "hello".
        let svg = b"<image xlink:href=\"data:image/png;base64,\naGVs\r\nbG8=\n\" x=\"0\"/>";
        let uris = data_uris(svg);
        assert_eq!(uris.len(), 1);
        assert_eq!(uris[0].payload, b"aGVsbG8=");
        assert_eq!(base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        // `<image xlink:href="` is 19 bytes, so `data:` is at byte 19; the header runs to
        // 40, then "\n" 41, "aGVs" 42-45, "\r\n" 46-47, "bG8=" 48-51, "\n" 52, the quote 53.
        assert_eq!(svg[19..24], *b"data:");
        assert_eq!(svg[53], b'"');
        assert_eq!((uris[0].offset, uris[0].length), (19, 53 - 19));
    }

    #[test]
    fn css_urls_and_other_openers() {
        let css = b"<p style=\"background: url(data:image/png;base64,aGVs\n  bG8=) top\">";
        assert_eq!(data_uris(css)[0].payload, b"aGVsbG8=");
        // Quoted inside url(): tabs and line breaks go, spaces stay (the URL parser's rule).
        let quoted = b"a { background: url('data:text/plain,a%20b\n c\t') }";
        let uri = &data_uris(quoted)[0];
        assert!(!uri.base64);
        assert_eq!(uri.payload, b"a%20b c");
        assert_eq!(percent_decode(&uri.payload), b"a b c");
        // Unquoted attributes end at whitespace; the scheme is matched in any case.
        let unquoted = b"<img src=DATA:image/png;base64,aGVs bG8=>";
        assert_eq!(data_uris(unquoted)[0].payload, b"aGVs");
        // A quote never closed falls back to the unquoted rule.
        let unclosed = b"<img src=\"data:image/png;base64,aGVs<p>text";
        assert_eq!(data_uris(unclosed)[0].payload, b"aGVs");
    }

    #[test]
    fn offsets_are_bytes_of_the_file_not_of_a_lossy_copy() {
        // Two invalid UTF-8 bytes (each one U+FFFD, three bytes, in a lossy string) before.
        let mut file = b"\xff\xfe<a href='".to_vec();
        file.extend_from_slice(b"data:text/plain,hi'>");
        let uris = data_uris(&file);
        assert_eq!((uris[0].offset, uris[0].length), (11, 18));
        assert_eq!(uris[0].payload, b"hi");
    }

    #[test]
    fn many_unclosed_uris_are_read_in_linear_time() {
        // 20,000 URIs opened by `(` with no `)` in the file: each falls back to the unquoted
        // rule without searching the rest of the file again.
        let file = b"(data:a/b,x ".repeat(20_000);
        let uris = data_uris(&file);
        assert_eq!(uris.len(), 20_000);
        assert_eq!(uris[19_999].payload, b"x");
        for input in [
            &b"data:"[..],
            b"\"data:a/b,",
            b"(data:a/b,",
            b"data:/,",
            b"\xffdata:\xff/b,",
        ] {
            let _ = data_uris(input);
        }
    }

    #[test]
    fn handlers_and_links_are_recognised() {
        assert!(is_handler("onload"));
        assert!(!is_handler("on"));
        assert!(!is_handler("one-1"));
        assert!(is_external("//cdn.example.org/x.js"));
        assert!(!is_external("#local"));
        let tags = start_tags("<p>x</p><svg onload='a()'><a xlink:href='http://e.org'/>");
        assert_eq!(tags.len(), 3);
        assert_eq!(tags[1].attributes[0].0, "onload");
    }
}
