//! Encoded payloads: base64, base32, hexadecimal, Ascii85 and uuencoded data in text.
//!
//! Alphabets follow RFC 4648 (base64 and its URL-safe form, base32, base16), Adobe's
//! ASCII85Decode filter (`<~ … ~>`, `z` for four zero bytes) and POSIX uuencode (`begin MODE
//! NAME`, length-prefixed lines, `end`). A run is the longest stretch of an alphabet's
//! characters; lines that hold nothing but one run (base64 is wrapped at 64 or 76 columns)
//! are joined into one run.
//!
//! What is not a payload, and why it is left alone:
//! - digests and identifiers: MD5, SHA-1 (git), SHA-256 and SHA-512 print as at most 128 hex
//!   or 88 base64 characters, 64 bytes decoded, and UUIDs as 16 bytes in hyphenated groups.
//!   The default `min_bytes` (65) is one byte more than the longest of these, and lines that
//!   are exactly a digest are not joined, so a list of commit hashes is never a run; the
//!   `sha512-` prefix of Subresource Integrity hashes (lock files) is not part of a run;
//! - URLs, paths and code: `.`, `:`, `?`, `&`, `=` inside and spaces break runs, and a
//!   base64 run must mix capitals, small letters and digits (a random 88-character run lacks
//!   one of them with probability under 10^-6), base32 and hex runs must mix letters and digits;
//! - filler: a decoded entropy under `entropy_bits` (Miller-Madow corrected) marks repeated
//!   characters and rulers. English text decodes to about 4 bits per byte and random bytes to
//!   nearly 8, so the default of 3 keeps every real payload, text included.
//!
//! Limitation: a payload cut into digest-sized lines, or into runs shorter than `min_bytes`
//! separated by spaces, is not found; base85 without `<~ ~>` delimiters (Python's
//! `b85encode`, Z85) is not looked for, because its alphabet covers most of what code is
//! written in.

use crate::stats;

/// The encodings recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// RFC 4648 base64 (`+`, `/`).
    Base64,
    /// RFC 4648 base64 with the URL and file name safe alphabet (`-`, `_`).
    Base64Url,
    /// RFC 4648 base32.
    Base32,
    /// RFC 4648 base16, either case.
    Hex,
    /// Adobe Ascii85 between `<~` and `~>`.
    Ascii85,
    /// POSIX uuencode between `begin` and `end`.
    Uuencode,
}

impl Encoding {
    /// Name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Base64Url => "base64url",
            Encoding::Base32 => "base32",
            Encoding::Hex => "hex",
            Encoding::Ascii85 => "ascii85",
            Encoding::Uuencode => "uuencode",
        }
    }
}

/// An encoded run judged to be a payload.
#[derive(Clone, Debug, PartialEq)]
pub struct Payload {
    /// Byte offset of the first character of the run.
    pub start: usize,
    /// Byte offset just past the run.
    pub end: usize,
    /// The encoding the run's characters fit.
    pub encoding: Encoding,
    /// Encoded characters, line breaks and delimiters excluded.
    pub chars: usize,
    /// Lines the run spans.
    pub lines: usize,
    /// Bytes it decodes to: its capacity.
    pub decoded_bytes: usize,
    /// Shannon entropy of the decoded bytes, Miller-Madow corrected, in bits per byte.
    pub entropy: f64,
    /// What the decoded bytes look like: "text", "random-looking data" or "binary data".
    pub content: &'static str,
}

const B64: u8 = 1;
const URL: u8 = 2;
const B32: u8 = 4;
const HEX: u8 = 8;

/// Which alphabets each byte belongs to.
const CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut class = 0;
        if c.is_ascii_alphanumeric() {
            class |= B64 | URL;
        }
        if c == b'+' || c == b'/' {
            class |= B64;
        }
        if c == b'-' || c == b'_' {
            class |= URL;
        }
        if c.is_ascii_uppercase() || (c >= b'2' && c <= b'7') {
            class |= B32;
        }
        if c.is_ascii_hexdigit() {
            class |= HEX;
        }
        table[b] = class;
        b += 1;
    }
    table
};

/// Finds encoded runs of at least `min_bytes` decoded bytes whose decoded entropy reaches
/// `entropy_bits`.
pub fn scan_payloads(text: &str, min_bytes: usize, entropy_bits: f64) -> Vec<Payload> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    // Wrapped lines being joined, and where the last of them ends (its newline).
    let mut block: Vec<(usize, usize)> = Vec::new();
    let mut block_end = 0;
    let mut i = 0;
    while i < bytes.len() {
        if CLASSES[bytes[i] as usize] == 0 {
            i += 1;
            continue;
        }
        let (start, end) = run_at(bytes, i);
        i = end;
        // Shorter runs can be neither a wrapped line nor, for any valid policy, a payload.
        if end - start < 16 {
            continue;
        }
        if let Some((line_start, line_end)) = whole_line(bytes, start, end) {
            if !is_digest(&bytes[start..end]) {
                // Wrapped lines follow each other and are as long as the first; only the
                // last may be shorter.
                let fits = block.first().is_some_and(|&(s, e)| {
                    let first = e - s;
                    let last = block.last().map_or(0, |&(s, e)| e - s);
                    line_start == block_end + 1 && last == first && end - start <= first
                });
                if !fits {
                    judge(bytes, &block, min_bytes, entropy_bits, &mut found);
                    block.clear();
                }
                block.push((start, end));
                block_end = line_end;
                continue;
            }
        }
        judge(bytes, &[(start, end)], min_bytes, entropy_bits, &mut found);
    }
    judge(bytes, &block, min_bytes, entropy_bits, &mut found);
    super::payload_framed::scan_framed(text, min_bytes, entropy_bits, &mut found);
    found.sort_by_key(|p| p.start);
    found
}

/// The run of base64/base32/hex characters starting at `from` (with up to six `=` of
/// padding, and without a digest-name prefix): its start and end.
fn run_at(bytes: &[u8], from: usize) -> (usize, usize) {
    let mut start = from;
    let mut stop = from;
    while stop < bytes.len() && CLASSES[bytes[stop] as usize] != 0 {
        stop += 1;
    }
    // Subresource Integrity and Nix name the digest before it: `sha512-<base64>`.
    if let Some(prefix) = DIGEST_PREFIXES
        .iter()
        .find(|p| bytes[start..stop].starts_with(p.as_bytes()))
    {
        start += prefix.len();
    }
    let mut end = stop;
    while end < bytes.len() && end - stop < 6 && bytes[end] == b'=' {
        end += 1;
    }
    (start, end)
}

/// When the run `start..end` is alone on its line (spaces aside): where the line starts and
/// where it ends (its newline, or the end of the text).
fn whole_line(bytes: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
    let before = bytes[..start].iter().rev().take_while(|b| blank(b)).count();
    let line_start = start - before;
    if line_start > 0 && bytes[line_start - 1] != b'\n' {
        return None;
    }
    let after = bytes[end..].iter().take_while(|b| blank(b)).count();
    let line_end = end + after;
    (line_end == bytes.len() || bytes[line_end] == b'\n').then_some((line_start, line_end))
}

const DIGEST_PREFIXES: &[&str] = &["sha1-", "sha256-", "sha384-", "sha512-", "md5-"];

/// Hex or base64 exactly the length of an MD5, SHA-1, SHA-256 or SHA-512 digest.
fn is_digest(run: &[u8]) -> bool {
    let hex = run.iter().all(u8::is_ascii_hexdigit);
    let padded_base64 = run.ends_with(b"=") && matches!(run.len(), 24 | 28 | 44 | 88);
    (hex && matches!(run.len(), 32 | 40 | 64 | 128)) || padded_base64
}

/// Judges a run made of `parts` (one, or several wrapped lines).
fn judge(
    bytes: &[u8],
    parts: &[(usize, usize)],
    min_bytes: usize,
    entropy_bits: f64,
    found: &mut Vec<Payload>,
) {
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return;
    };
    let chars: usize = parts.iter().map(|(s, e)| e - s).sum();
    // Base64 is the densest of the three: fewer characters than this cannot reach min_bytes.
    if chars * 3 / 4 < min_bytes {
        return;
    }
    let mut symbols = Vec::with_capacity(chars);
    for &(s, e) in parts {
        symbols.extend_from_slice(&bytes[s..e]);
    }
    let padding = symbols.iter().rev().take_while(|&&b| b == b'=').count();
    let body = &symbols[..symbols.len() - padding];
    let Some(encoding) = encoding_of(body) else {
        return;
    };
    let decoded = match encoding {
        Encoding::Hex => decode_bits(body, 4, |b| (b as char).to_digit(16)),
        Encoding::Base32 => decode_bits(body, 5, base32_value),
        _ => decode_bits(body, 6, base64_value),
    };
    if let Some(payload) = assess(
        decoded,
        (first.0, last.1),
        encoding,
        chars,
        parts.len(),
        min_bytes,
        entropy_bits,
    ) {
        found.push(payload);
    }
}

/// The encoding a run's characters fit, requiring the mix of character kinds its output has.
fn encoding_of(body: &[u8]) -> Option<Encoding> {
    let all = body
        .iter()
        .fold(B64 | URL | B32 | HEX, |acc, &b| acc & CLASSES[b as usize]);
    let digit = body.iter().any(u8::is_ascii_digit);
    let upper = body.iter().any(u8::is_ascii_uppercase);
    let lower = body.iter().any(u8::is_ascii_lowercase);
    if all & HEX != 0 {
        (digit && (upper || lower)).then_some(Encoding::Hex)
    } else if all & B32 != 0 {
        (digit && upper).then_some(Encoding::Base32)
    } else if digit && upper && lower {
        if all & B64 != 0 {
            Some(Encoding::Base64)
        } else if all & URL != 0 {
            Some(Encoding::Base64Url)
        } else {
            None
        }
    } else {
        None
    }
}

fn base64_value(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

fn base32_value(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'2'..=b'7' => Some(u32::from(b - b'2') + 26),
        _ => None,
    }
}

/// Decodes symbols of `width` bits each into bytes, most significant bits first.
pub(super) fn decode_bits(
    symbols: &[u8],
    width: u32,
    value: impl Fn(u8) -> Option<u32>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(symbols.len() * width as usize / 8);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for &symbol in symbols {
        let Some(v) = value(symbol) else {
            continue;
        };
        buffer = (buffer << width) | v;
        bits += width;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

/// Measures decoded bytes and keeps them as a payload when they are long and varied enough.
pub(super) fn assess(
    decoded: Vec<u8>,
    (start, end): (usize, usize),
    encoding: Encoding,
    chars: usize,
    lines: usize,
    min_bytes: usize,
    entropy_bits: f64,
) -> Option<Payload> {
    if decoded.len() < min_bytes {
        return None;
    }
    let entropy = corrected_entropy(&decoded);
    if entropy < entropy_bits {
        return None;
    }
    let printable = decoded
        .iter()
        .filter(|&&b| b.is_ascii_graphic() || matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    // Random bytes of n < 256 cannot show more than log2(n) bits of entropy.
    let ceiling = (decoded.len() as f64).log2().min(8.0);
    let content = if printable * 100 >= decoded.len() * 95 {
        "text"
    } else if entropy >= 0.9 * ceiling {
        "random-looking data"
    } else {
        "binary data"
    };
    Some(Payload {
        start,
        end,
        encoding,
        chars,
        lines,
        decoded_bytes: decoded.len(),
        entropy,
        content,
    })
}

/// Shannon entropy in bits per byte with the Miller-Madow correction for small samples.
pub(super) fn corrected_entropy(data: &[u8]) -> f64 {
    let mut histogram = [0u64; 256];
    for &b in data {
        histogram[b as usize] += 1;
    }
    let total = data.len() as u64;
    if total == 0 {
        return 0.0;
    }
    let distinct = histogram.iter().filter(|&&c| c > 0).count() as f64;
    let correction = (distinct - 1.0) / (2.0 * total as f64 * std::f64::consts::LN_2);
    (stats::entropy(&histogram, total) + correction).min(8.0)
}

#[cfg(test)]
#[path = "payload_tests.rs"]
pub(super) mod tests;
