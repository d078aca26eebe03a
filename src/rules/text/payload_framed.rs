//! Encodings with their own framing: Ascii85 between `<~` and `~>` (Adobe, PostScript
//! Language Reference, ASCII85Decode), and uuencode between `begin MODE NAME` and `end`
//! (POSIX `uuencode`).

use super::payload::{assess, Encoding, Payload};

/// Finds framed Ascii85 and uuencoded payloads and appends them to `found`.
pub fn scan_framed(text: &str, min_bytes: usize, entropy_bits: f64, found: &mut Vec<Payload>) {
    ascii85(text, min_bytes, entropy_bits, found);
    uuencode(text, min_bytes, entropy_bits, found);
}

fn ascii85(text: &str, min_bytes: usize, entropy_bits: f64, found: &mut Vec<Payload>) {
    let mut from = 0;
    while let Some(open) = memchr::memmem::find(&text.as_bytes()[from..], b"<~").map(|i| from + i) {
        let body_start = open + 2;
        let Some(close) =
            memchr::memmem::find(&text.as_bytes()[body_start..], b"~>").map(|i| body_start + i)
        else {
            return;
        };
        from = close + 2;
        let body = &text.as_bytes()[body_start..close];
        let Some(decoded) = decode_ascii85(body) else {
            continue;
        };
        let chars = body.iter().filter(|b| !b.is_ascii_whitespace()).count();
        let lines = body.iter().filter(|&&b| b == b'\n').count() + 1;
        if let Some(payload) = assess(
            decoded,
            (open, from),
            Encoding::Ascii85,
            chars,
            lines,
            min_bytes,
            entropy_bits,
        ) {
            found.push(payload);
        }
    }
}

/// Decodes Ascii85, or `None` when a character is outside its alphabet.
fn decode_ascii85(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() * 4 / 5);
    let mut group = [0u32; 5];
    let mut filled = 0;
    for &b in body {
        match b {
            b if b.is_ascii_whitespace() => continue,
            b'z' if filled == 0 => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                group[filled] = u32::from(b - b'!');
                filled += 1;
                if filled == 5 {
                    let value = group.iter().fold(0u64, |v, &d| v * 85 + u64::from(d));
                    out.extend_from_slice(&(value as u32).to_be_bytes());
                    filled = 0;
                }
            }
            _ => return None,
        }
    }
    if filled > 1 {
        // A final partial group is padded with 'u' and yields filled - 1 bytes.
        for slot in group.iter_mut().skip(filled) {
            *slot = 84;
        }
        let value = group.iter().fold(0u64, |v, &d| v * 85 + u64::from(d));
        out.extend_from_slice(&(value as u32).to_be_bytes()[..filled - 1]);
    }
    Some(out)
}

fn uuencode(text: &str, min_bytes: usize, entropy_bits: f64, found: &mut Vec<Payload>) {
    let mut from = 0;
    while let Some(start) =
        memchr::memmem::find(&text.as_bytes()[from..], b"begin ").map(|i| from + i)
    {
        from = start + 6;
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let at_line_start = start == 0 || text.as_bytes()[start - 1] == b'\n';
        if !at_line_start || !is_begin(text[start..line_end].trim_end()) {
            continue;
        }
        let mut offset = (line_end + 1).min(text.len());
        let mut decoded = Vec::new();
        let mut chars = 0;
        let mut count = 1;
        for body in text[offset..].split_inclusive('\n') {
            offset += body.len();
            count += 1;
            let body = body.trim_end_matches(['\n', '\r']);
            if body == "end" {
                break;
            }
            if body == "`" || body.is_empty() {
                continue;
            }
            let bytes = body.as_bytes();
            let length = usize::from(bytes[0].wrapping_sub(b' ') & 63);
            let symbols = &bytes[1..];
            chars += symbols.len();
            let mut line_bytes = super::payload::decode_bits(symbols, 6, |b| {
                (b' '..=b'`')
                    .contains(&b)
                    .then(|| u32::from(b.wrapping_sub(b' ') & 63))
            });
            line_bytes.truncate(length);
            decoded.extend_from_slice(&line_bytes);
        }
        from = offset.max(from);
        if let Some(payload) = assess(
            decoded,
            (start, offset),
            Encoding::Uuencode,
            chars,
            count,
            min_bytes,
            entropy_bits,
        ) {
            found.push(payload);
        }
    }
}

/// `begin 644 name`: the header line of a uuencoded file.
fn is_begin(line: &str) -> bool {
    let mut words = line.splitn(3, ' ');
    words.next() == Some("begin")
        && words.next().is_some_and(|m| {
            (3..=4).contains(&m.len()) && m.bytes().all(|b| (b'0'..=b'7').contains(&b))
        })
        && words.next().is_some_and(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::super::payload::tests::random_bytes;
    use super::*;

    fn encode_ascii85(data: &[u8]) -> String {
        let mut out = String::from("<~");
        for chunk in data.chunks(4) {
            let mut group = [0u8; 4];
            group[..chunk.len()].copy_from_slice(chunk);
            let mut value = u32::from_be_bytes(group);
            let mut digits = [0u8; 5];
            for d in digits.iter_mut().rev() {
                *d = (value % 85) as u8 + b'!';
                value /= 85;
            }
            out.push_str(&String::from_utf8_lossy(&digits[..chunk.len() + 1]));
        }
        out + "~>"
    }

    fn encode_uu(data: &[u8]) -> String {
        let mut out = String::from("begin 644 data.bin\n");
        for line in data.chunks(45) {
            out.push(char::from(b' ' + line.len() as u8));
            for group in line.chunks(3) {
                let mut g = [0u8; 3];
                g[..group.len()].copy_from_slice(group);
                let v = u32::from(g[0]) << 16 | u32::from(g[1]) << 8 | u32::from(g[2]);
                for shift in [18, 12, 6, 0] {
                    let six = ((v >> shift) & 63) as u8;
                    out.push(char::from(if six == 0 { b'`' } else { six + b' ' }));
                }
            }
            out.push('\n');
        }
        out + "`\nend\n"
    }

    fn scan(text: &str) -> Vec<Payload> {
        let mut found = Vec::new();
        scan_framed(text, 65, 3.0, &mut found);
        found
    }

    #[test]
    fn ascii85_known_value() {
        // "Man " is 0x4d616e20 = 1298230816 = 24*85^4 + 73*85^3 + 80*85^2 + 78*85 + 61,
        // digits + 33: 57 '9', 106 'j', 113 'q', 111 'o', 94 '^'.
        assert_eq!(decode_ascii85(b"9jqo^"), Some(b"Man ".to_vec()));
        assert_eq!(decode_ascii85(b"z"), Some(vec![0; 4]));
        assert_eq!(decode_ascii85(b"9jqo{"), None);
    }

    #[test]
    fn framed_random_data_is_found() {
        let data = random_bytes(300, 5);
        let a85 = scan(&format!("x {} y", encode_ascii85(&data)));
        assert_eq!(a85.len(), 1);
        assert_eq!(
            (a85[0].encoding, a85[0].decoded_bytes),
            (Encoding::Ascii85, 300)
        );
        let uu = scan(&format!("mail\n{}", encode_uu(&data)));
        assert_eq!(uu.len(), 1);
        assert_eq!(
            (uu[0].encoding, uu[0].decoded_bytes),
            (Encoding::Uuencode, 300)
        );
        assert_eq!(uu[0].start, 5);
    }

    #[test]
    fn short_or_not_framed_is_ignored() {
        assert!(scan(&encode_ascii85(&random_bytes(40, 6))).is_empty());
        assert!(scan("begin the analysis\n<~ not ascii85 { ~>\nbegin 644\n").is_empty());
        assert!(scan(&encode_uu(&[b'a'; 200])).is_empty());
    }
}
