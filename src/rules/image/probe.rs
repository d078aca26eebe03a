//! Bit-plane probe: plain payloads in the low bits, found the way zsteg finds them.
//!
//! Sequential LSB tools write the payload from the first pixel on. The probe extracts the
//! first few KiB of the LSB stream, and of the two-low-bit stream, in the usual orders (each
//! channel row by row, interleaved RGB, interleaved RGBA), packs bits most significant first,
//! and looks at the start, and after a 4-byte length prefix, for a file signature, a zlib
//! stream that inflates, or printable text. A clean image's low bits are either constant
//! (plots) or noise (photos); neither produces these.

use super::bytes::inflate;

/// Bytes of each stream examined.
const STREAM_BYTES: usize = 4096;
/// Bytes of text that count as a text payload: zsteg reports strings of 8 or more; 32 keeps
/// chance matches in noise out (0.37^32 per offset).
const TEXT_BYTES: usize = 32;

/// File signatures worth finding in a bit plane.
const MAGIC: &[(&[u8], &str)] = &[
    (b"PK\x03\x04", "zip"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x1f\x8b\x08", "gzip"),
    (b"BZh", "bzip2"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\xfd7zXZ\0", "xz"),
    (b"Salted__", "openssl"),
    (b"-----BEGIN", "pem/pgp"),
    (b"SQLite format 3", "sqlite"),
    (b"age-encryption", "age"),
    (b"\x80\x04\x95", "pickle"),
];

/// A payload found in a bit plane.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The stream: channel order and bits, e.g. "rgb lsb" or "a 2 low bits".
    pub stream: String,
    /// What was found: "zip", "zlib", "text".
    pub what: String,
    /// Byte offset in the stream (0, or 4 after a length prefix).
    pub offset: usize,
    /// The length prefix read before it, when the payload starts at 4.
    pub length_prefix: Option<u32>,
    /// The first bytes, for the reviewer.
    pub preview: String,
}

/// Extracts the first `STREAM_BYTES` of the stream of `bits` low bits of the samples at
/// `channels` of each pixel (interleaved samples with `stride` per pixel).
fn stream(samples: &[u8], stride: usize, channels: &[usize], bits: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(STREAM_BYTES);
    let (mut byte, mut filled) = (0u8, 0u8);
    'pixels: for pixel in samples.chunks_exact(stride) {
        for &c in channels {
            let Some(&sample) = pixel.get(c) else {
                continue;
            };
            for bit in (0..bits).rev() {
                byte = (byte << 1) | ((sample >> bit) & 1);
                filled += 1;
                if filled == 8 {
                    out.push(byte);
                    (byte, filled) = (0, 0);
                    if out.len() == STREAM_BYTES {
                        break 'pixels;
                    }
                }
            }
        }
    }
    out
}

fn printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r')
}

/// What `data` starts with, if it is a payload.
fn recognise(data: &[u8]) -> Option<String> {
    if let Some((_, name)) = MAGIC.iter().find(|(magic, _)| data.starts_with(magic)) {
        return Some((*name).to_string());
    }
    if let [cmf, flg, ..] = data {
        let header_ok = cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0;
        if header_ok && inflate(data, 64, 0).is_ok_and(|i| i.size >= 16) {
            return Some("zlib".into());
        }
    }
    let run = data.iter().take_while(|&&b| printable(b)).count();
    if run >= TEXT_BYTES {
        let mut distinct = [false; 256];
        data[..run]
            .iter()
            .for_each(|&b| distinct[b as usize] = true);
        // Constant colours give periodic bytes such as "UUUU"; text uses many letters.
        if distinct.iter().filter(|&&d| d).count() >= 8 {
            return Some("text".into());
        }
    }
    None
}

/// Probes the low bit planes of interleaved 8-bit pixels with `stride` samples per pixel
/// (1 grey, 2 grey and alpha, 3 RGB, 4 RGBA). Returns every stream with a payload.
pub fn probe(samples: &[u8], stride: usize) -> Vec<Hit> {
    let names = match stride {
        1 => vec!["y"],
        2 => vec!["y", "a"],
        3 => vec!["r", "g", "b"],
        _ => vec!["r", "g", "b", "a"],
    };
    let mut orders: Vec<(String, Vec<usize>)> = (0..stride.min(4))
        .map(|c| (names[c].to_string(), vec![c]))
        .collect();
    if stride >= 3 {
        orders.push(("rgb".into(), vec![0, 1, 2]));
        orders.push(("bgr".into(), vec![2, 1, 0]));
    }
    if stride == 4 {
        orders.push(("rgba".into(), vec![0, 1, 2, 3]));
    }
    let mut hits = Vec::new();
    for (name, channels) in &orders {
        for bits in [1u8, 2] {
            let data = stream(samples, stride, channels, bits);
            let label = if bits == 1 { "lsb" } else { "2 low bits" };
            for offset in [0usize, 4] {
                let Some(what) = data.get(offset..).and_then(recognise) else {
                    continue;
                };
                let prefix =
                    (offset == 4).then(|| u32::from_be_bytes([data[0], data[1], data[2], data[3]]));
                let shown = &data[offset..data.len().min(offset + 24)];
                hits.push(Hit {
                    stream: format!("{name} {label}"),
                    what,
                    offset,
                    length_prefix: prefix,
                    preview: String::from_utf8_lossy(shown).into_owned(),
                });
                break;
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `payload` into the LSBs of interleaved RGB samples, most significant bit first.
    fn embed(cover: &mut [u8], payload: &[u8]) {
        let bits = payload
            .iter()
            .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1));
        for (sample, bit) in cover.iter_mut().zip(bits) {
            *sample = (*sample & !1) | bit;
        }
    }

    #[test]
    fn finds_text_and_zip_in_the_rgb_lsb_stream() {
        let mut cover = vec![200u8; 3 * 100 * 100];
        embed(
            &mut cover,
            b"patient_id,date_of_birth,postcode\n1001,1950-01-02,AB1 2CD\n",
        );
        let hits = probe(&cover, 3);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(
            (hits[0].stream.as_str(), hits[0].what.as_str()),
            ("rgb lsb", "text")
        );

        let mut zipped = vec![17u8; 3 * 100 * 100];
        embed(&mut zipped, b"\0\0\x01\x00PK\x03\x04rest-of-archive");
        let hits = probe(&zipped, 3);
        assert_eq!(hits[0].what, "zip");
        assert_eq!(hits[0].length_prefix, Some(256));
    }

    #[test]
    fn constant_and_noisy_planes_are_clean() {
        assert!(probe(&vec![255u8; 4 * 64 * 64], 4).is_empty());
        assert!(probe(&vec![85u8; 3 * 64 * 64], 3).is_empty());
        let mut state = 7u32;
        let noise: Vec<u8> = (0..3 * 64 * 64)
            .map(|_| {
                state = state.wrapping_mul(1664525).wrapping_add(1013904223);
                (state >> 24) as u8
            })
            .collect();
        assert!(probe(&noise, 3).is_empty());
    }
}
