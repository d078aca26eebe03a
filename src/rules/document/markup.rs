//! SVG and HTML: scripts, event handlers, external references, foreign content and data:
//! URIs, found by a tolerant tag scan rather than a full parser (browsers are tolerant too).

use super::text::{attributes, base64, excerpt};
use super::{
    part, Budget, Member, ACTIVE_CONTENT, DATA_URI, EXTERNAL_REFERENCE, MARKUP_CONTENT,
    UNREADABLE_DOCUMENT,
};
use crate::evidence;
use crate::finding::Finding;
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
    for (index, uri) in data_uris(&text).iter().enumerate() {
        let name = member_name(index, &uri.media_type);
        out.push(
            Finding::new(
                &DATA_URI,
                format!(
                    "a {} data: URI of {} characters, checked below as {name}",
                    uri.media_type,
                    uri.payload.len()
                ),
            )
            .at(part(&name))
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
    let text = String::from_utf8_lossy(content);
    let mut members = Vec::new();
    for (index, uri) in data_uris(&text).iter().enumerate() {
        let name = member_name(index, &uri.media_type);
        let room = budget.room();
        let decoded = if uri.base64 {
            base64(uri.payload)
        } else {
            Some(percent_decode(uri.payload))
        };
        let Some(bytes) = decoded else {
            out.push(
                Finding::new(
                    &UNREADABLE_DOCUMENT,
                    format!("the data: URI checked as {name} is not valid base64"),
                )
                .at(part(&name))
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

/// One data: URI.
struct DataUri<'a> {
    media_type: String,
    base64: bool,
    payload: &'a str,
}

/// Every `data:type/subtype[;params],payload` in the text, in order.
fn data_uris(text: &str) -> Vec<DataUri<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|rest| rest.find("data:")) {
        let start = from + at + 5;
        from = start;
        let Some(rest) = text.get(start..) else { break };
        let Some(comma) = rest
            .get(..rest.len().min(128))
            .and_then(|head| head.find(','))
        else {
            continue;
        };
        let header = &rest[..comma];
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
        let body = &rest[comma + 1..];
        let end = body
            .find(|c: char| matches!(c, '"' | '\'' | ')' | '<' | '>') || c.is_whitespace())
            .unwrap_or(body.len());
        found.push(DataUri {
            media_type,
            base64,
            payload: &body[..end],
        });
        from = start + comma + 1 + end;
    }
    found
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
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
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
        let text = "the data: we used <img src=\"data:image/png;base64,iVBORw0KGgo=\">";
        let uris = data_uris(text);
        assert_eq!(uris.len(), 1);
        assert_eq!(uris[0].media_type, "image/png");
        assert!(uris[0].base64);
        assert_eq!(uris[0].payload, "iVBORw0KGgo=");
        assert_eq!(member_name(0, "image/png"), "data0.png");
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
