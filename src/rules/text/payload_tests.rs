//! Tests of the encoded-payload scanner, with encoders written from RFC 4648.

use super::*;

/// Deterministic bytes that look random (xorshift64*).
pub(crate) fn random_bytes(n: usize, mut state: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

/// RFC 4648 encoding with `alphabet` of 2^width symbols, padded to whole groups.
pub(crate) fn encode(data: &[u8], width: u32, alphabet: &[u8], group: usize) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in data {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= width {
            bits -= width;
            out.push(char::from(
                alphabet[((buffer >> bits) & ((1 << width) - 1)) as usize],
            ));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        let index = (buffer << (width - bits)) & ((1 << width) - 1);
        out.push(char::from(alphabet[index as usize]));
    }
    while out.len() % group != 0 {
        out.push('=');
    }
    out
}

const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn scan(text: &str) -> Vec<Payload> {
    scan_payloads(text, 65, 3.0)
}

#[test]
fn decoding_matches_rfc4648_vectors() {
    // RFC 4648 section 10: BASE64("foobar") = "Zm9vYmFy", BASE32("foobar") =
    // "MZXW6YTBOI======", BASE16("foobar") = "666F6F626172".
    assert_eq!(decode_bits(b"Zm9vYmFy", 6, base64_value), b"foobar");
    assert_eq!(decode_bits(b"MZXW6YTBOI", 5, base32_value), b"foobar");
    let hex = |b: u8| (b as char).to_digit(16);
    assert_eq!(decode_bits(b"666F6F626172", 4, hex), b"foobar");
    assert_eq!(encode(b"foobar", 5, BASE32, 8), "MZXW6YTBOI======");
}

#[test]
fn random_bytes_in_each_encoding_are_payloads() {
    let data = random_bytes(600, 7);
    let b64 = encode(&data, 6, BASE64, 4);
    let wrapped: String = b64
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\n", String::from_utf8_lossy(c)))
        .collect();
    for (text, encoding, lines) in [
        (format!("blob: {b64} end"), Encoding::Base64, 1),
        (
            format!("notes\n{wrapped}more notes\n"),
            Encoding::Base64,
            11,
        ),
        (encode(&data, 5, BASE32, 8), Encoding::Base32, 1),
        (crate::inspect::hex(&data), Encoding::Hex, 1),
    ] {
        let found = scan(&text);
        assert_eq!(found.len(), 1, "{encoding:?}: {found:?}");
        assert_eq!(found[0].encoding, encoding);
        assert_eq!(found[0].decoded_bytes, 600);
        assert_eq!(found[0].lines, lines);
        assert_eq!(found[0].content, "random-looking data");
    }
}

#[test]
fn encoded_text_is_a_payload_too() {
    let records = b"943 476 5919,1980-01-02,F\n401 023 2137,1975-06-30,M\n".repeat(3);
    let found = scan(&encode(&records, 6, BASE64, 4));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].content, "text");
}

#[test]
fn digests_uuids_urls_and_filler_are_not_payloads() {
    let sha256 = crate::inspect::hex(&random_bytes(32, 1));
    let sha512 = crate::inspect::hex(&random_bytes(64, 2));
    let commits: String = (0..50)
        .map(|i| format!("{}\n", crate::inspect::hex(&random_bytes(20, i + 10))))
        .collect();
    // Seed 3 gives base64 with '+' or '/'; the fixture notes.md one with neither.
    let sri = format!("sha512-{}", encode(&random_bytes(64, 3), 6, BASE64, 4));
    let sri_url = "sha512-5ZxCL8kYLFjcElBKiMLLEZpV3yrrN90o79dVQcRmAocyf7PzEowLKwqkGqh9uN1FY\
                   57wpf7BKrbv4GNLelNndA=="
        .to_string();
    for text in [
        format!("commit {sha256}\n{sha512}  file.csv\n"),
        commits,
        sri,
        sri_url,
        "id 123e4567-e89b-12d3-a456-426614174000".to_string(),
        "https://github.com/org/repo/blob/0123456789abcdef/src/very/long/path/name/\
         that/goes/on/for/a/while/file.py?token=abc"
            .to_string(),
        "A1".repeat(100),
        "x".repeat(400),
        "/home/researcher/projects/analysis/outputs/tables/and/more/tables/\
         and/even/more/folders/here"
            .to_string(),
    ] {
        assert!(scan(&text).is_empty(), "{text}: {:?}", scan(&text));
    }
}

#[test]
fn below_the_minimum_is_not_reported() {
    let short = encode(&random_bytes(64, 4), 6, BASE64, 4);
    assert!(scan(&short).is_empty());
    let long = encode(&random_bytes(65, 4), 6, BASE64, 4);
    assert_eq!(scan(&long).len(), 1);
}
