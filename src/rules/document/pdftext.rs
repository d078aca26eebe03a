//! The text a PDF shows, from its content streams, for the text rules.
//!
//! A page's content stream draws text with the text-showing operators (ISO 32000-1, 9.4.3):
//! `(string) Tj`, `[(str) -250 (ing)] TJ`, and `'` and `"`, which move to the next line
//! first. Strings are literal (`(…)`, with backslash escapes and balanced parentheses) or
//! hexadecimal (`<…>`). [`text_lines`] walks the operators and writes one line of text for
//! each line the page shows: a new text object (`BT`…`ET`), `T*`, `'`, `"`, a `Td`/`TD` that
//! moves down, or a `Tm` that changes the vertical position starts a line; a large gap in a
//! `TJ` array (more than [`WORD_GAP`] thousandths of an em) is a space between words.
//!
//! Limitation: string bytes are read as single-byte codes in Latin-1, which is what the
//! standard and WinAnsi encodings of simple fonts give for ASCII text. Composite (CID) fonts
//! with two-byte codes, and fonts whose codes are mapped only by a ToUnicode CMap or a
//! custom /Differences array, are not mapped: their text comes out as unreadable codes and
//! the identifiers in it are not found. Text drawn as paths or images is not text at all.

/// A `TJ` displacement larger than this (in thousandths of a text-space unit, negative
/// moving right) reads as a space between words. Word spaces are typically a quarter to a
/// third of an em; kerning is a few tens of units.
const WORD_GAP: f64 = 200.0;

/// Most operands kept on the stack; content streams never need more than six.
const MAX_OPERANDS: usize = 16;

/// An operand of a content-stream operator.
enum Operand {
    Number(f64),
    Text(Vec<u8>),
    /// A `TJ` array: strings and displacements in order.
    Array(Vec<Operand>),
    Other,
}

/// The text shown by a content stream, one shown line a line.
pub(super) fn text_lines(stream: &[u8]) -> String {
    let mut text = String::new();
    let mut operands: Vec<Operand> = Vec::new();
    let mut last_y: Option<f64> = None;
    let mut at = 0;
    while let Some(&byte) = stream.get(at) {
        match byte {
            b'%' => at = line_end(stream, at),
            b'(' => {
                let (string, next) = literal(stream, at + 1);
                push(&mut operands, Operand::Text(string));
                at = next;
            }
            b'<' if stream.get(at + 1) == Some(&b'<') => at += 2,
            b'>' if stream.get(at + 1) == Some(&b'>') => at += 2,
            b'<' => {
                let (string, next) = hex(stream, at + 1);
                push(&mut operands, Operand::Text(string));
                at = next;
            }
            b'[' => {
                let (array, next) = array(stream, at + 1);
                push(&mut operands, Operand::Array(array));
                at = next;
            }
            b'/' => {
                at = token_end(stream, at + 1);
                push(&mut operands, Operand::Other);
            }
            _ if byte.is_ascii_whitespace() || b"]{}>)".contains(&byte) => at += 1,
            _ => {
                let end = token_end(stream, at + 1);
                let word = &stream[at..end];
                at = end;
                if let Some(number) = number(word) {
                    push(&mut operands, Operand::Number(number));
                    continue;
                }
                if word == b"ID" {
                    at = inline_image_end(stream, at);
                }
                operator(word, &operands, &mut last_y, &mut text);
                operands.clear();
            }
        }
    }
    text
}

/// Acts on one operator with the operands before it.
fn operator(word: &[u8], operands: &[Operand], last_y: &mut Option<f64>, text: &mut String) {
    match word {
        b"Tj" => show(operands.last(), text),
        b"'" | b"\"" => {
            new_line(text);
            show(operands.last(), text);
        }
        b"TJ" => {
            if let Some(Operand::Array(items)) = operands.last() {
                for item in items {
                    match item {
                        Operand::Number(gap) if *gap < -WORD_GAP => space(text),
                        other => show(Some(other), text),
                    }
                }
            }
        }
        b"T*" | b"BT" | b"ET" => new_line(text),
        b"Td" | b"TD" => match numbers(operands).get(1) {
            Some(dy) if *dy != 0.0 => new_line(text),
            _ => space(text),
        },
        b"Tm" => {
            let y = numbers(operands).get(5).copied();
            if y.is_some() && y == *last_y {
                space(text);
            } else {
                new_line(text);
            }
            *last_y = y;
        }
        _ => {}
    }
}

fn numbers(operands: &[Operand]) -> Vec<f64> {
    operands
        .iter()
        .filter_map(|o| match o {
            Operand::Number(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// Writes a string operand, its bytes read as Latin-1 (see the module's limitation).
fn show(operand: Option<&Operand>, text: &mut String) {
    if let Some(Operand::Text(bytes)) = operand {
        text.extend(bytes.iter().map(|&b| match b {
            b'\n' | b'\r' => ' ',
            _ => char::from(b),
        }));
    }
}

fn new_line(text: &mut String) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

fn space(text: &mut String) {
    if !text.is_empty() && !text.ends_with([' ', '\n']) {
        text.push(' ');
    }
}

fn push(operands: &mut Vec<Operand>, operand: Operand) {
    if operands.len() < MAX_OPERANDS {
        operands.push(operand);
    }
}

fn line_end(stream: &[u8], at: usize) -> usize {
    stream
        .get(at..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n' || b == b'\r'))
        .map_or(stream.len(), |i| at + i)
}

/// The end of a regular token: the first white-space or delimiter byte at or after `at`.
fn token_end(stream: &[u8], at: usize) -> usize {
    stream
        .get(at..)
        .and_then(|rest| {
            rest.iter()
                .position(|&b| b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b))
        })
        .map_or(stream.len(), |i| at + i)
}

fn number(word: &[u8]) -> Option<f64> {
    let first = *word.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    std::str::from_utf8(word).ok()?.parse().ok()
}

/// A literal string starting after its `(`: the decoded bytes and the index after its `)`.
fn literal(stream: &[u8], mut at: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut depth = 0usize;
    while let Some(&byte) = stream.get(at) {
        at += 1;
        match byte {
            b'(' => {
                depth += 1;
                out.push(byte);
            }
            b')' if depth == 0 => return (out, at),
            b')' => {
                depth -= 1;
                out.push(byte);
            }
            b'\\' => at = escape(stream, at, &mut out),
            _ => out.push(byte),
        }
    }
    (out, at)
}

/// Decodes the escape after a backslash at `at`; returns the index after it.
fn escape(stream: &[u8], at: usize, out: &mut Vec<u8>) -> usize {
    let Some(&next) = stream.get(at) else {
        return at;
    };
    let simple = match next {
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'b' => Some(8),
        b'f' => Some(12),
        b'(' | b')' | b'\\' => Some(next),
        _ => None,
    };
    if let Some(byte) = simple {
        out.push(byte);
        return at + 1;
    }
    if next == b'\r' {
        return at + 1 + usize::from(stream.get(at + 1) == Some(&b'\n'));
    }
    if next == b'\n' {
        return at + 1;
    }
    let digits = stream
        .get(at..)
        .unwrap_or(&[])
        .iter()
        .take(3)
        .take_while(|b| (b'0'..=b'7').contains(b))
        .count();
    if digits == 0 {
        out.push(next); // an unknown escape stands for the character itself
        return at + 1;
    }
    let value = stream[at..at + digits]
        .iter()
        .fold(0u32, |v, &d| v * 8 + u32::from(d - b'0'));
    out.push((value & 0xff) as u8);
    at + digits
}

/// A hexadecimal string starting after its `<`: the bytes and the index after its `>`.
fn hex(stream: &[u8], at: usize) -> (Vec<u8>, usize) {
    let end = stream
        .get(at..)
        .and_then(|rest| rest.iter().position(|&b| b == b'>'))
        .map_or(stream.len(), |i| at + i);
    let digits: Vec<u8> = stream[at.min(end)..end]
        .iter()
        .filter_map(|&b| char::from(b).to_digit(16))
        .map(|d| d as u8)
        .collect();
    let bytes = digits
        .chunks(2)
        .map(|pair| {
            let high = pair.first().copied().unwrap_or(0);
            high << 4 | pair.get(1).copied().unwrap_or(0)
        })
        .collect();
    (bytes, end.saturating_add(1))
}

/// The strings and numbers of an array starting after its `[`, and the index after its `]`.
/// Nested arrays and other objects inside are skipped.
fn array(stream: &[u8], mut at: usize) -> (Vec<Operand>, usize) {
    let mut items = Vec::new();
    while let Some(&byte) = stream.get(at) {
        match byte {
            b']' => return (items, at + 1),
            b'(' => {
                let (string, next) = literal(stream, at + 1);
                items.push(Operand::Text(string));
                at = next;
            }
            b'<' => {
                let (string, next) = hex(stream, at + 1);
                items.push(Operand::Text(string));
                at = next;
            }
            _ if byte.is_ascii_whitespace() => at += 1,
            _ => {
                let end = token_end(stream, at + 1);
                if let Some(n) = number(&stream[at..end]) {
                    items.push(Operand::Number(n));
                }
                at = end;
            }
        }
    }
    (items, at)
}

/// The index after an inline image's data: the `EI` that follows white space and is followed
/// by white space or the end (ISO 32000-1, 8.9.7).
fn inline_image_end(stream: &[u8], at: usize) -> usize {
    let rest = stream.get(at..).unwrap_or(&[]);
    for found in memchr::memmem::find_iter(rest, b"EI") {
        let before = found
            .checked_sub(1)
            .and_then(|i| rest.get(i))
            .is_some_and(u8::is_ascii_whitespace);
        let after = rest.get(found + 2).is_none_or(u8::is_ascii_whitespace);
        if before && after {
            return at + found + 2;
        }
    }
    stream.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_strings_of_every_operator() {
        let stream = b"BT /F1 12 Tf 72 720 Td (Patient NHS ) Tj [(943) -20 ( 476) -300 (5919)] TJ \
                       0 -14 Td (second \\(line\\)) Tj T* <4869> Tj (next) ' ET";
        assert_eq!(
            text_lines(stream),
            "Patient NHS 943 476 5919\nsecond (line)\nHi\nnext\n"
        );
    }

    #[test]
    fn escapes_octal_and_continuations() {
        let (bytes, next) = literal(b"a\\101\\\nb\\q(c)d) tail", 0);
        assert_eq!(bytes, b"aAbq(c)d");
        assert_eq!(next, 15);
        let (bytes, _) = hex(b"48 65 6c6C 6>", 0);
        assert_eq!(bytes, b"Hell`");
    }

    #[test]
    fn same_baseline_matrices_join_and_inline_images_are_skipped() {
        let stream = b"BT 1 0 0 1 72 700 Tm (a) Tj 1 0 0 1 90 700 Tm (b) Tj 1 0 0 1 72 680 Tm \
                       (c) Tj ET BI /W 2 /H 2 ID \x00(Tj)EI\xff EI Q BT (d) Tj ET";
        assert_eq!(text_lines(stream), "a b\nc\nd\n");
    }

    #[test]
    fn broken_streams_never_panic() {
        for stream in [
            &b"(unclosed"[..],
            b"<abc",
            b"[(a) 1",
            b"\\",
            b"(\\",
            b"(\\1",
            b"ID",
            b"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 Tm",
            b"] ) > } Tj TJ ' \"",
        ] {
            let _ = text_lines(stream);
        }
    }
}
