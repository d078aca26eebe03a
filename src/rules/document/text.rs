//! Small, bounded helpers for the markup inside documents: tags, attributes, excerpts and
//! base64. No recursion and no allocation proportional to anything but the input.

/// Longest excerpt quoted in a finding, in characters.
pub const EXCERPT_CHARS: usize = 120;

/// The text of an XML or HTML fragment with the tags removed and whitespace collapsed.
pub fn strip_tags(markup: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in markup.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    collapse(&text)
}

/// Whitespace runs collapsed to one space, trimmed.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How far after a date-of-birth keyword a date is masked in an excerpt: the largest window
/// a policy may set, so that an excerpt never shows a date the text rules could report.
const MASK_DOB_WINDOW: usize = 256;

/// At most [`EXCERPT_CHARS`] characters of `text`, with an ellipsis when cut, and with every
/// identifier the text rules recognise masked: a quoted comment must not disclose the NHS
/// number the text rules report masked.
pub fn excerpt(text: &str) -> String {
    let text = crate::rules::text::mask_identifiers(text, MASK_DOB_WINDOW);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// Each start tag named `name` (ASCII case-insensitive, `<name` followed by a space, `/` or
/// `>`), as the text between `<` and `>`. Linear in the input: the next `>` is found once
/// for all the starts before it.
pub fn tags<'a>(markup: &'a str, name: &str) -> Vec<&'a str> {
    let lower = markup.to_ascii_lowercase();
    let wanted = format!("<{}", name.to_ascii_lowercase());
    let mut found = Vec::new();
    let mut from = 0;
    let mut next_close: Option<usize> = None;
    while let Some(at) = lower.get(from..).and_then(|rest| rest.find(&wanted)) {
        let start = from + at;
        let after = start + wanted.len();
        from = after;
        let boundary = lower.as_bytes().get(after).copied();
        if !matches!(boundary, Some(b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>')) {
            continue;
        }
        let close = match next_close {
            Some(close) if close >= after => close,
            _ => match markup.get(after..).and_then(|rest| rest.find('>')) {
                Some(offset) => after + offset,
                None => break,
            },
        };
        next_close = Some(close);
        if let Some(tag) = markup.get(start + 1..close) {
            found.push(tag);
        }
    }
    found
}

/// Every `name="value"` or `name='value'` attribute in a tag, names lowercased.
pub fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let bytes = tag.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let Some(eq) = tag.get(at..).and_then(|rest| rest.find('=')) else {
            break;
        };
        let eq = at + eq;
        let before = tag[..eq].trim_end();
        let name_start = before
            .char_indices()
            .rev()
            .take(256)
            .find(|&(_, c)| c.is_whitespace() || c == '<')
            .map_or(0, |(i, c)| i + c.len_utf8());
        let name_start = name_start.min(before.len());
        let name = before[name_start..].trim().to_ascii_lowercase();
        let rest = tag[eq + 1..].trim_start();
        let offset = tag.len() - rest.len();
        let (value, next) = match rest.chars().next() {
            Some(quote @ ('"' | '\'')) => match rest[1..].find(quote) {
                Some(close) => (&rest[1..1 + close], offset + close + 2),
                None => (&rest[1..], tag.len()),
            },
            _ => {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                (&rest[..end], offset + end)
            }
        };
        if !name.is_empty() {
            found.push((name, value.to_string()));
        }
        at = next.max(eq + 1);
    }
    found
}

/// Decodes standard or URL-safe base64, ignoring whitespace; `None` on any other character
/// or a bad length.
pub fn base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    let mut padding = 0usize;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        if padding > 0 {
            return None;
        }
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    (bits < 6 && padding <= 2).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_rejects_junk() {
        assert_eq!(base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64("aGVs\nbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64("a*b"), None);
        assert_eq!(base64("aGVsbG8=x"), None);
    }

    #[test]
    fn excerpts_mask_identifiers() {
        assert_eq!(
            excerpt("Is this 943 476 5919 from EH1 1YZ?"),
            "Is this 943 *** **19 from EH1 ***?"
        );
    }

    #[test]
    fn tags_and_attributes_are_found() {
        let markup = r#"<svg><a href="http://x.org/?q=1" onclick='go()'>t</a><abbr x=1></svg>"#;
        let found = tags(markup, "a");
        assert_eq!(found.len(), 1);
        let attrs = attributes(found[0]);
        assert_eq!(attrs[0], ("href".into(), "http://x.org/?q=1".into()));
        assert_eq!(attrs[1], ("onclick".into(), "go()".into()));
        assert_eq!(strip_tags("<p>a  <b>b</b></p>"), "a b");
    }

    #[test]
    fn odd_markup_never_panics() {
        for input in [
            "a\u{3000}b=1 c='x",
            "=",
            "==\"",
            "x=\u{e9}\u{3000}=",
            "<a\u{3000}>",
            "",
        ] {
            let _ = attributes(input);
            let _ = tags(input, "a").len();
            let _ = strip_tags(input);
        }
        assert_eq!(
            attributes("a\u{3000}b=1"),
            [("b".to_string(), "1".to_string())]
        );
    }
}
