//! GIF blocks and trailer (GIF89a specification), BMP and WebP declared sizes (Microsoft
//! BITMAPINFOHEADER; RFC 9649 WebP container), and TIFF strip and tile bounds (TIFF 6.0).

use super::bytes::{le16, le32, looks_random};
use super::{exif, found, long_text, metadata_block, place, trailing};
use super::{MALFORMED_IMAGE, UNKNOWN_CHUNK};
use crate::evidence;
use crate::policy::ImageSettings;
use crate::rules::Findings;

fn malformed(out: &mut Findings, format: &str, message: String, at: usize) {
    out.push(
        found(&MALFORMED_IMAGE, message, "structure", at, 0)
            .with_evidence(evidence! {"format" => format, "offset" => at}),
    );
}

/// Reads GIF data sub-blocks from `at`; returns their bytes joined and the offset after the
/// terminator, or `None` when they run past the end.
fn sub_blocks(content: &[u8], mut at: usize) -> Option<(Vec<u8>, usize)> {
    let mut data = Vec::new();
    loop {
        let size = *content.get(at)? as usize;
        at += 1;
        if size == 0 {
            return Some((data, at));
        }
        data.extend_from_slice(content.get(at..at + size)?);
        at += size;
    }
}

/// Walks the blocks of a GIF up to its trailer. Returns true when the structure is sound.
pub fn gif(content: &[u8], settings: &ImageSettings, out: &mut Findings) -> bool {
    let (Some(flags), true) = (content.get(10), content.len() >= 13) else {
        malformed(out, "gif", "the GIF header is cut off".into(), 0);
        return false;
    };
    let table = |flags: u8| {
        if flags & 0x80 != 0 {
            3usize << ((flags & 7) + 1)
        } else {
            0
        }
    };
    let mut at = 13 + table(*flags);
    loop {
        let Some(&introducer) = content.get(at) else {
            malformed(out, "gif", "the GIF ends without a trailer".into(), at);
            return false;
        };
        let start = at;
        let next = match introducer {
            0x3b => {
                trailing(content, at + 1, "the GIF trailer", settings, out);
                return true;
            }
            0x2c => {
                let flags = content.get(at + 9).copied().unwrap_or(0);
                // Descriptor, local colour table, LZW code size, then the data sub-blocks.
                sub_blocks(content, at + 10 + table(flags) + 1).map(|(_, end)| end)
            }
            0x21 => {
                let label = content.get(at + 1).copied().unwrap_or(0);
                sub_blocks(content, at + 2).map(|(data, end)| {
                    extension(label, &data, start, end - start, settings, out);
                    end
                })
            }
            other => {
                let message = format!("unknown GIF block 0x{other:02x} at byte {at}");
                malformed(out, "gif", message, at);
                return false;
            }
        };
        match next {
            Some(end) => at = end,
            None => {
                let message = format!("GIF block at byte {at} runs past the end");
                malformed(out, "gif", message, at);
                return false;
            }
        }
    }
}

fn extension(
    label: u8,
    data: &[u8],
    at: usize,
    stored: usize,
    settings: &ImageSettings,
    out: &mut Findings,
) {
    let limit = settings.metadata_bytes.0;
    match label {
        // Graphic control: 4 bytes of timing and transparency.
        0xf9 => {}
        0xfe | 0x01 => {
            let kind = if label == 0xfe {
                "GIF comment"
            } else {
                "GIF plain text"
            };
            if !metadata_block(kind, data.len() as u64, false, data, limit, at, stored, out) {
                if let Some(finding) = long_text(kind, data, settings) {
                    out.push(finding.at(place(kind, at, stored)));
                }
            }
        }
        0xff => {
            let id = data.get(..11).unwrap_or(data);
            let known = matches!(id, b"NETSCAPE2.0" | b"ANIMEXTS1.0" | b"XMP DataXMP");
            if metadata_block(
                "GIF application",
                data.len() as u64,
                false,
                data,
                limit,
                at,
                stored,
                out,
            ) {
                return;
            }
            if !known {
                let name = String::from_utf8_lossy(id).into_owned();
                out.push(
                    found(
                        &UNKNOWN_CHUNK,
                        format!("GIF application extension {name:?} of {} bytes", data.len()),
                        "application extension",
                        at,
                        stored,
                    )
                    .with_evidence(evidence! {"identifier" => name, "bytes" => data.len()})
                    .carrying(data.len() as u64),
                );
            }
        }
        _ => out.push(
            found(
                &UNKNOWN_CHUNK,
                format!(
                    "unknown GIF extension 0x{label:02x} of {} bytes",
                    data.len()
                ),
                "extension",
                at,
                stored,
            )
            .with_evidence(evidence! {"label" => label, "bytes" => data.len()})
            .carrying(data.len() as u64),
        ),
    }
}

/// Checks a BMP's declared file size and pixel array against the file.
pub fn bmp(content: &[u8], settings: &ImageSettings, out: &mut Findings) -> bool {
    let (Some(declared), Some(pixels_at), Some(header)) =
        (le32(content, 2), le32(content, 10), le32(content, 14))
    else {
        malformed(out, "bmp", "the BMP header is cut off".into(), 0);
        return false;
    };
    let (declared, pixels_at) = (declared as usize, pixels_at as usize);
    let (Some(width), Some(height), Some(bits)) =
        (le32(content, 18), le32(content, 22), le16(content, 28))
    else {
        malformed(out, "bmp", "the BMP info header is cut off".into(), 14);
        return false;
    };
    let compression = le32(content, 30).unwrap_or(0);
    let (width, height) = (width as i32 as i64, (height as i32 as i64).abs());
    if header < 12 || width <= 0 || pixels_at > content.len() || declared > content.len() {
        let message = format!(
            "BMP declares {declared} bytes and pixels at byte {pixels_at}, for a file of {}",
            content.len()
        );
        malformed(out, "bmp", message, 0);
        return false;
    }
    // Uncompressed rows are padded to 4 bytes; compressed data ends where the file says.
    let end = if compression == 0 || compression == 3 {
        let row = (width * bits as i64 + 31) / 32 * 4;
        (pixels_at as u64).saturating_add(row.saturating_mul(height).max(0) as u64)
    } else {
        declared as u64
    };
    if end > content.len() as u64 {
        let message = format!("BMP pixel data ends at byte {end}, past the end of the file");
        malformed(out, "bmp", message, pixels_at);
        return false;
    }
    trailing(
        content,
        declared.max(end as usize),
        "the declared bitmap",
        settings,
        out,
    );
    true
}

/// True when a WebP holds lossless (VP8L) image data and no lossy (VP8) data.
pub fn webp_is_lossless(content: &[u8]) -> bool {
    let mut lossless = false;
    let mut at = 12;
    while let (Some(kind), Some(size)) = (content.get(at..at + 4), le32(content, at + 4)) {
        match kind {
            b"VP8 " => return false,
            b"VP8L" => lossless = true,
            _ => {}
        }
        at = at
            .saturating_add(8)
            .saturating_add(size as usize + (size as usize & 1));
    }
    lossless
}

/// Walks the RIFF chunks of a WebP against the size its header declares.
pub fn webp(content: &[u8], settings: &ImageSettings, out: &mut Findings) -> bool {
    let Some(size) = le32(content, 4) else {
        malformed(out, "webp", "the RIFF header is cut off".into(), 0);
        return false;
    };
    let end = 8usize.saturating_add(size as usize);
    if end > content.len() || content.get(8..12) != Some(b"WEBP") {
        let message = format!("RIFF declares {end} bytes for a file of {}", content.len());
        malformed(out, "webp", message, 0);
        return false;
    }
    let mut at = 12;
    while at < end {
        let (Some(kind), Some(length)) = (content.get(at..at + 4), le32(content, at + 4)) else {
            malformed(
                out,
                "webp",
                format!("chunk header cut off at byte {at}"),
                at,
            );
            return false;
        };
        let length = length as usize;
        let Some(data) = content.get(at + 8..(at + 8).saturating_add(length)) else {
            malformed(
                out,
                "webp",
                format!("chunk at byte {at} runs past the end"),
                at,
            );
            return false;
        };
        let name = String::from_utf8_lossy(kind).into_owned();
        let stored = 8 + length + (length & 1);
        let limit = settings.metadata_bytes.0;
        match kind {
            b"VP8 " | b"VP8L" | b"VP8X" | b"ALPH" | b"ANIM" | b"ANMF" => {}
            b"ICCP" => {
                let icc = settings.icc_bytes.0;
                metadata_block("ICCP", length as u64, false, &[], icc, at, stored, out);
            }
            b"EXIF" | b"XMP " => {
                if !metadata_block(&name, length as u64, false, data, limit, at, stored, out)
                    && kind == b"EXIF"
                {
                    exif::review(data, "EXIF", at, settings, out);
                }
            }
            _ => out.push(
                found(
                    &UNKNOWN_CHUNK,
                    format!(
                        "unknown WebP chunk {name:?} of {length} bytes{}",
                        if looks_random(data) {
                            ", random-looking"
                        } else {
                            ""
                        }
                    ),
                    name.clone(),
                    at,
                    stored,
                )
                .with_evidence(evidence! {"chunk" => name, "bytes" => length})
                .carrying(length as u64),
            ),
        }
        at = at.saturating_add(stored);
    }
    trailing(content, end, "the RIFF container", settings, out);
    true
}

/// Checks that a TIFF's directories parse and its strips and tiles lie inside the file.
///
/// Limitation: bytes that no directory references (a gap between strips, data after the
/// last strip) are not measured, so a payload placed there is not found.
pub fn tiff(content: &[u8], settings: &ImageSettings, out: &mut Findings) -> bool {
    let entries = match exif::walk(content) {
        Ok(entries) => entries,
        Err(error) => {
            malformed(
                out,
                "tiff",
                format!("the TIFF directories do not parse: {error}"),
                0,
            );
            return false;
        }
    };
    let find = |tag: u16| -> Vec<Vec<u64>> {
        entries
            .iter()
            .filter(|e| e.tag == tag)
            .map(|e| e.numbers(content))
            .collect()
    };
    for (offsets_tag, counts_tag) in [(0x0111, 0x0117), (0x0144, 0x0145)] {
        for (offsets, counts) in find(offsets_tag).iter().zip(find(counts_tag).iter()) {
            for (offset, count) in offsets.iter().zip(counts) {
                if offset.saturating_add(*count) > content.len() as u64 {
                    let message = format!(
                        "a TIFF strip or tile of {count} bytes at byte {offset} runs past the end"
                    );
                    malformed(out, "tiff", message, *offset as usize);
                    return false;
                }
            }
        }
    }
    exif::review(content, "TIFF", 0, settings, out);
    true
}
