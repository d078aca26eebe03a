//! The written text of Office Open XML and OpenDocument parts, one paragraph a line, for the
//! text rules.
//!
//! A word-processor part keeps its text in XML text nodes (`<w:t>`, `<a:t>`, ODF `<text:p>`
//! content), split into runs wherever the formatting changes, so an NHS number can be spread
//! over several runs. [`paragraphs`] joins the text nodes of each paragraph element (`w:p`,
//! `a:p`, `text:p`, `text:h`, a shared-string item `si`, a spreadsheet `comment`), decodes
//! the five XML entities and character references, and ends each paragraph with a newline, so
//! that line N of the result is paragraph N of the part. Deleted text in tracked changes
//! (`w:delText`) is text like any other: it is still in the file.

/// Local names (after any `prefix:`) of the elements whose end closes a paragraph.
const PARAGRAPH_ENDS: &[&[u8]] = &[b"p", b"h", b"si", b"comment", b"threadedComment"];

/// Local names of empty elements that stand for white space inside a paragraph.
const SPACES: &[&[u8]] = &[b"tab", b"br", b"cr", b"s", b"line-break"];

/// Which parts of a package hold text a reader sees: bodies, headers and footers, notes,
/// comments, slides and shared strings. Styles and settings hold names, not prose, except
/// ODF's `styles.xml`, which holds the headers and footers.
pub(super) fn is_text_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    if !lower.ends_with(".xml") {
        return false;
    }
    let word = lower.starts_with("word/")
        && !lower.contains("/_rels/")
        && [
            "document",
            "comments",
            "header",
            "footer",
            "footnotes",
            "endnotes",
        ]
        .iter()
        .any(|prefix| base.starts_with(prefix));
    let slides = lower.starts_with("ppt/slides/")
        || lower.starts_with("ppt/notesslides/")
        || lower.starts_with("ppt/comments/");
    let sheets = lower == "xl/sharedstrings.xml"
        || lower.starts_with("xl/comments")
        || lower.starts_with("xl/threadedcomments/");
    let odf = lower == "content.xml" || lower == "styles.xml";
    word || slides || sheets || odf
}

/// The text of an XML part, one paragraph a line (see the module documentation).
pub(super) fn paragraphs(xml: &[u8]) -> String {
    let mut text = String::with_capacity(xml.len() / 4);
    scan(xml, |piece| match piece {
        Piece::Text(node) => push_text(node, &mut text),
        Piece::Cdata(body) => push_raw(body, &mut text),
        Piece::Tag(tag) => {
            let paragraph = PARAGRAPH_ENDS.contains(&tag.local);
            if paragraph && (tag.closing || tag.empty) {
                text.push('\n'); // an empty paragraph still counts
            } else if !tag.closing && SPACES.contains(&tag.local) {
                text.push(' ');
            }
        }
    });
    text
}

/// One piece of an XML part, in the order [`scan`] meets them.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Piece<'a> {
    /// A text node, its entities not yet decoded (see [`push_text`]).
    Text(&'a [u8]),
    /// The inside of a CDATA section, taken as it is (see [`push_raw`]).
    Cdata(&'a [u8]),
    Tag(Tag<'a>),
}

/// A start, end or empty tag.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tag<'a> {
    /// The name after any `prefix:`, as written (`tbl` for `w:tbl`).
    pub local: &'a [u8],
    /// An end tag, `</name>`.
    pub closing: bool,
    /// An empty element, `<name/>`.
    pub empty: bool,
    /// The bytes between `<` and `>`, attributes included.
    pub inside: &'a [u8],
}

impl Tag<'_> {
    /// The value of the attribute whose name, after any `prefix:`, is `local`
    /// (ASCII case-insensitive); entities are not decoded.
    pub fn attribute(&self, local: &str) -> Option<String> {
        super::attributes(&String::from_utf8_lossy(self.inside))
            .into_iter()
            .find(|(name, _)| name.rsplit(':').next() == Some(local))
            .map(|(_, value)| value)
    }
}

/// Walks an XML part once, handing each text node, CDATA section and tag to `visit`;
/// comments are skipped. A lexer, not a parser: it never fails, and markup cut short ends the
/// walk, so a broken part gives fewer pieces, never a panic. Linear in the input.
pub(crate) fn scan<'a>(xml: &'a [u8], mut visit: impl FnMut(Piece<'a>)) {
    let mut at = 0;
    while at < xml.len() {
        let Some(open) = memchr::memchr(b'<', &xml[at..]).map(|i| at + i) else {
            visit(Piece::Text(&xml[at..]));
            break;
        };
        if open > at {
            visit(Piece::Text(&xml[at..open]));
        }
        let rest = &xml[open..];
        if let Some(body) = rest.strip_prefix(b"<![CDATA[") {
            let end = memchr::memmem::find(body, b"]]>").unwrap_or(body.len());
            visit(Piece::Cdata(&body[..end]));
            at = open + 9 + end + 3;
            continue;
        }
        if rest.starts_with(b"<!--") {
            at = memchr::memmem::find(rest, b"-->").map_or(xml.len(), |e| open + e + 3);
            continue;
        }
        let Some(close) = memchr::memchr(b'>', rest) else {
            break;
        };
        let inside = &rest[1..close];
        let (closing, body) = match inside.strip_prefix(b"/") {
            Some(body) => (true, body),
            None => (false, inside),
        };
        let name_end = body
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(body.len());
        let name = &body[..name_end];
        visit(Piece::Tag(Tag {
            local: name.rsplit(|&b| b == b':').next().unwrap_or(name),
            closing,
            empty: !closing && inside.ends_with(b"/"),
            inside,
        }));
        at = open + close + 1;
    }
}

/// Adds a text node. Indentation between tags (white space with a line break) is not text;
/// line breaks inside text become spaces, since a newline ends a paragraph here.
pub(crate) fn push_text(node: &[u8], text: &mut String) {
    if node.is_empty() || node.iter().all(u8::is_ascii_whitespace) && node.contains(&b'\n') {
        return;
    }
    let mut from = 0;
    while let Some(amp) = memchr::memchr(b'&', &node[from..]).map(|i| from + i) {
        push_raw(&node[from..amp], text);
        let entity_end = node[amp..]
            .iter()
            .take(12)
            .position(|&b| b == b';')
            .map(|i| amp + i);
        match entity_end.and_then(|end| entity(&node[amp + 1..end]).map(|c| (c, end))) {
            Some((c, end)) => {
                text.push(c);
                from = end + 1;
            }
            None => {
                text.push('&');
                from = amp + 1;
            }
        }
    }
    push_raw(&node[from..], text);
}

/// Adds bytes as UTF-8 (invalid sequences as U+FFFD), line breaks as spaces.
pub(crate) fn push_raw(bytes: &[u8], text: &mut String) {
    let decoded = String::from_utf8_lossy(bytes);
    for c in decoded.chars() {
        text.push(if c == '\n' || c == '\r' { ' ' } else { c });
    }
}

/// The character an entity (the part between `&` and `;`) stands for.
fn entity(name: &[u8]) -> Option<char> {
    let code = match name {
        b"amp" => return Some('&'),
        b"lt" => return Some('<'),
        b"gt" => return Some('>'),
        b"quot" => return Some('"'),
        b"apos" => return Some('\''),
        [b'#', b'x' | b'X', hex @ ..] => u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16),
        [b'#', decimal @ ..] => std::str::from_utf8(decimal).ok()?.parse::<u32>(),
        _ => return None,
    };
    let c = char::from_u32(code.ok()?)?;
    Some(if c == '\n' || c == '\r' { ' ' } else { c })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_join_and_paragraphs_are_lines() {
        let xml = br#"<?xml version="1.0"?><w:document><w:body>
            <w:p><w:r><w:t>NHS </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>943 476</w:t></w:r>
            <w:r><w:t xml:space="preserve"> 5919</w:t></w:r></w:p>
            <w:p/>
            <w:p><w:r><w:t>A&amp;E &lt;3&gt; caf&#233; &#x41;</w:t><w:tab/><w:t>x</w:t></w:r></w:p>
            </w:body></w:document>"#;
        assert_eq!(paragraphs(xml), "NHS 943 476 5919\n\nA&E <3> café A x\n");
    }

    #[test]
    fn opendocument_spreadsheet_and_deleted_text() {
        let odf = b"<office:text><text:h>Title</text:h><text:p>a<text:s/>b<text:line-break/>c\
                    </text:p><!-- <text:p>no</text:p> --></office:text>";
        assert_eq!(paragraphs(odf), "Title\na b c\n");
        let shared = b"<sst><si><t>one</t></si><si><r><t>tw</t></r><r><t>o</t></r></si></sst>";
        assert_eq!(paragraphs(shared), "one\ntwo\n");
        let deleted = b"<w:p><w:del><w:r><w:delText>gone</w:delText></w:r></w:del></w:p>";
        assert_eq!(paragraphs(deleted), "gone\n");
    }

    #[test]
    fn broken_markup_never_panics() {
        for xml in [
            &b"<w:p>&#xFFFFFFFF; &bogus; &#; & <"[..],
            b"<![CDATA[x",
            b"<!-- open",
            b"text only",
            b"\xff\xfe<a:p>\xc3</a:p>",
            b"&amp",
        ] {
            let _ = paragraphs(xml);
        }
        assert_eq!(paragraphs(b"<![CDATA[a<b]]>c"), "a<bc");
    }

    #[test]
    fn text_parts_are_chosen_by_name() {
        for name in [
            "word/document.xml",
            "word/comments.xml",
            "word/header1.xml",
            "word/footer2.xml",
            "ppt/slides/slide3.xml",
            "ppt/notesSlides/notesSlide1.xml",
            "xl/sharedStrings.xml",
            "xl/comments1.xml",
            "content.xml",
            "styles.xml",
        ] {
            assert!(is_text_part(name), "{name}");
        }
        for name in [
            "word/styles.xml",
            "word/_rels/document.xml.rels",
            "xl/worksheets/sheet1.xml",
            "word/media/image1.png",
            "meta.xml",
        ] {
            assert!(!is_text_part(name), "{name}");
        }
    }
}
