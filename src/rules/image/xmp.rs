//! XMP packets read as structured metadata: the text of each field, not the whole packet.
//!
//! Editors (Adobe, GIMP, Inkscape, darktable) write XMP as RDF/XML: namespace declarations,
//! many short properties, an edit history of short entries, and about 2 KB of whitespace
//! padding so the packet can be rewritten in place (XMP Specification part 3, section 1.1.4).
//! The packet is long without any field being long, so the packet is held to the size limit
//! (images.metadata_bytes) and each field to the free-text limit (images.text_chars).

use super::bytes::text_chars;
use super::{long_text, place};
use crate::policy::ImageSettings;
use crate::rules::Findings;

/// One field of an XMP packet: an element's text or an attribute's value.
#[derive(Clone, Debug, PartialEq)]
pub struct Field<'a> {
    /// The element or attribute name, e.g. `dc:description` or `xmp:CreatorTool`.
    pub name: &'a [u8],
    pub text: &'a [u8],
}

/// True when `text` starts like an XMP packet (an `<?xpacket` header or an `x:xmpmeta` root).
pub fn is_packet(text: &[u8]) -> bool {
    let head = &text[..text.len().min(512)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    has(b"<?xpacket") || has(b"<x:xmpmeta")
}

/// The fields of an XMP packet: the non-blank text between tags, named by the element that
/// opens it, and the attribute values of each tag (namespace declarations skipped).
/// Processing instructions, comments and whitespace padding are not fields.
pub fn fields(packet: &[u8]) -> Vec<Field<'_>> {
    let mut fields = Vec::new();
    let mut element: &[u8] = b"";
    let mut rest = packet;
    while let Some(open) = rest.iter().position(|&b| b == b'<') {
        let text = trim(&rest[..open]);
        if !text.is_empty() {
            fields.push(Field {
                name: element,
                text,
            });
        }
        let tag_and_after = &rest[open + 1..];
        let close = tag_and_after
            .iter()
            .position(|&b| b == b'>')
            .unwrap_or(tag_and_after.len());
        let tag = &tag_and_after[..close];
        if !tag.starts_with(b"?") && !tag.starts_with(b"!") && !tag.starts_with(b"/") {
            element = name_of(tag);
            attributes(tag, &mut fields);
        }
        rest = tag_and_after.get(close + 1..).unwrap_or_default();
    }
    let text = trim(rest);
    if !text.is_empty() {
        fields.push(Field {
            name: element,
            text,
        });
    }
    fields
}

/// Reviews each field of an XMP packet against the free-text limit; the longest field over
/// the limit is reported, with the count of the others.
pub fn review(
    packet: &[u8],
    label: &str,
    chunk: &str,
    (at, stored): (usize, usize),
    settings: &ImageSettings,
    out: &mut Findings,
) {
    let long: Vec<Field> = fields(packet)
        .into_iter()
        .filter(|f| text_chars(f.text) > settings.text_chars)
        .collect();
    let Some(longest) = long.iter().max_by_key(|f| text_chars(f.text)) else {
        return;
    };
    let kind = format!(
        "{label} field {}{}",
        String::from_utf8_lossy(longest.name),
        match long.len() {
            1 => String::new(),
            n => format!(" (and {} more fields over the limit)", n - 1),
        }
    );
    if let Some(finding) = long_text(&kind, longest.text, settings) {
        out.push(finding.at(place(chunk, at, stored)));
    }
}

/// The name at the start of a tag, up to whitespace, `/` or the end.
fn name_of(tag: &[u8]) -> &[u8] {
    let end = tag
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'/')
        .unwrap_or(tag.len());
    &tag[..end]
}

/// Pushes the `name="value"` (or single-quoted) attributes of a tag, except `xmlns`.
fn attributes<'a>(tag: &'a [u8], fields: &mut Vec<Field<'a>>) {
    let mut rest = tag.get(name_of(tag).len()..).unwrap_or_default();
    while let Some(eq) = rest.iter().position(|&b| b == b'=') {
        let name = trim(&rest[..eq]);
        let after = trim_start(&rest[eq + 1..]);
        let Some((&quote, value_and_after)) = after.split_first() else {
            return;
        };
        if quote != b'"' && quote != b'\'' {
            return;
        }
        let end = value_and_after
            .iter()
            .position(|&b| b == quote)
            .unwrap_or(value_and_after.len());
        let value = &value_and_after[..end];
        if !name.starts_with(b"xmlns") && !trim(value).is_empty() {
            fields.push(Field { name, text: value });
        }
        rest = value_and_after.get(end + 1..).unwrap_or_default();
    }
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

fn trim(bytes: &[u8]) -> &[u8] {
    let bytes = trim_start(bytes);
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &bytes[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_element_texts_and_attribute_values() {
        let packet = br#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmp:CreatorTool='GIMP 2.10'>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Figure 2</rdf:li></rdf:Alt></dc:title>
</rdf:Description></rdf:RDF></x:xmpmeta>
                                                                      
<?xpacket end="w"?>"#;
        let found: Vec<(String, String)> = fields(packet)
            .iter()
            .map(|f| {
                (
                    String::from_utf8_lossy(f.name).into(),
                    String::from_utf8_lossy(f.text).into(),
                )
            })
            .collect();
        let expected = [
            ("xmp:CreatorTool", "GIMP 2.10"),
            ("xml:lang", "x-default"),
            ("rdf:li", "Figure 2"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        assert_eq!(found, expected);
        assert!(is_packet(packet));
    }

    #[test]
    fn broken_markup_gives_fields_not_panics() {
        for packet in [
            &b"<a b=\"unterminated"[..],
            b"<",
            b"text only",
            b"<a =>",
            b"<a b=c>",
        ] {
            let _ = fields(packet);
        }
        assert_eq!(fields(b"text only")[0].text, b"text only");
    }
}
