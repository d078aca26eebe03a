//! PNG chunk walk (PNG specification, W3C third edition 2025, sections 5 and 11).
//!
//! Every chunk's length, type and CRC is checked; text chunks are measured inflated (zTXt can
//! hold hundreds of KB in a few); the IDAT stream is inflated with a cap and must produce
//! exactly height x (1 + row bytes), summed over the Adam7 passes when interlaced (zsteg's
//! "extradata:imagedata"); and nothing may follow IEND.

use super::bytes::{be32, inflate, looks_random};
use super::{exif, found, long_text, metadata_block, place, trailing, xmp};
use super::{IMAGE_DATA_EXCESS, MALFORMED_IMAGE, UNKNOWN_CHUNK};
use crate::evidence;
use crate::policy::ImageSettings;
use crate::rules::Findings;

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Registered chunk types (critical and ancillary, including APNG and HDR metadata).
const KNOWN: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"cICP", b"mDCV", b"cLLI", b"tEXt", b"zTXt", b"iTXt", b"bKGD", b"hIST", b"pHYs", b"sPLT",
    b"eXIf", b"tIME", b"acTL", b"fcTL", b"fdAT",
];

/// The header fields the IDAT check needs.
#[derive(Clone, Copy, Debug)]
struct Header {
    width: u32,
    height: u32,
    bits: u8,
    channels: u8,
    interlaced: bool,
}

/// Walks the chunks of a PNG; returns true when the pixels can be decoded.
pub fn check(content: &[u8], settings: &ImageSettings, out: &mut Findings) -> bool {
    let malformed = |out: &mut Findings, message: String, at: usize| {
        out.push(
            found(&MALFORMED_IMAGE, message, "structure", at, 0)
                .with_evidence(evidence! {"format" => "png", "offset" => at}),
        );
    };
    if !content.starts_with(SIGNATURE) {
        malformed(out, "the PNG signature is missing".into(), 0);
        return false;
    }
    let mut at = SIGNATURE.len();
    let mut header: Option<Header> = None;
    let mut idat: Vec<u8> = Vec::new();
    let mut idat_at: Option<usize> = None;
    let mut text_total = 0u64;
    let mut text_reported = false;
    let mut decodable = true;
    let mut ended = false;
    let mut last_kind = [0u8; 4];

    while at < content.len() {
        let (Some(length), Some(kind)) = (be32(content, at), content.get(at + 4..at + 8)) else {
            malformed(out, format!("a chunk header is cut off at byte {at}"), at);
            return false;
        };
        let length = length as usize;
        let data_at = at + 8;
        let Some(end) = data_at.checked_add(length).and_then(|e| e.checked_add(4)) else {
            malformed(
                out,
                format!("chunk length {length} overflows at byte {at}"),
                at,
            );
            return false;
        };
        if length > 0x7fff_ffff || end > content.len() {
            malformed(
                out,
                format!("chunk at byte {at} declares {length} bytes, past the end of the file"),
                at,
            );
            return false;
        }
        let name = String::from_utf8_lossy(kind).into_owned();
        let data = &content[data_at..data_at + length];
        let stored_crc = be32(content, data_at + length).unwrap_or(0);
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(kind);
        hasher.update(data);
        if hasher.finalize() != stored_crc {
            malformed(out, format!("{name} chunk at byte {at} fails its CRC"), at);
            decodable = false;
        }

        match kind {
            b"IHDR" => header = parse_header(data),
            b"IDAT" => {
                if idat_at.is_some() && last_kind != *b"IDAT" {
                    malformed(
                        out,
                        format!("IDAT chunks are not consecutive (byte {at})"),
                        at,
                    );
                }
                idat_at.get_or_insert(at);
                idat.extend_from_slice(data);
            }
            b"IEND" => {
                ended = true;
                trailing(content, end, "the IEND chunk", settings, out);
                break;
            }
            b"tEXt" | b"zTXt" | b"iTXt" => {
                let (size, reported) = text_chunk(kind, data, at, settings, out);
                text_total += size;
                text_reported |= reported;
            }
            b"eXIf" => {
                text_total += data.len() as u64;
                let limit = settings.metadata_bytes.0;
                if !metadata_block(
                    "eXIf",
                    data.len() as u64,
                    false,
                    data,
                    limit,
                    at,
                    end - at,
                    out,
                ) {
                    exif::review(data, "eXIf", at, settings, out);
                }
            }
            b"iCCP" => icc(data, at, settings, out),
            _ if !KNOWN.iter().any(|k| k.as_slice() == kind) => {
                let random = looks_random(data);
                out.push(
                    found(
                        &UNKNOWN_CHUNK,
                        format!(
                            "unregistered {name} chunk of {length} bytes at byte {at}{}",
                            if random { ", random-looking" } else { "" }
                        ),
                        name.clone(),
                        at,
                        end - at,
                    )
                    .with_evidence(evidence! {"chunk" => name, "bytes" => length})
                    .carrying(length as u64),
                );
            }
            _ => {}
        }
        last_kind.copy_from_slice(kind);
        at = end;
    }

    if text_total > settings.metadata_bytes.0 && !text_reported {
        metadata_block(
            "text chunks in total",
            text_total,
            false,
            &[],
            settings.metadata_bytes.0,
            0,
            0,
            out,
        );
    }
    if !ended {
        malformed(out, "the PNG has no IEND chunk".into(), content.len());
    }
    let Some(header) = header else {
        malformed(
            out,
            "the PNG has no valid IHDR chunk".into(),
            SIGNATURE.len(),
        );
        return false;
    };
    let idat_ok = check_idat(&idat, idat_at.unwrap_or(0), header, out);
    decodable && idat_ok && ended
}

fn parse_header(data: &[u8]) -> Option<Header> {
    let width = be32(data, 0)?;
    let height = be32(data, 4)?;
    let bits = *data.get(8)?;
    let channels = match data.get(9)? {
        0 | 3 => 1,
        2 => 3,
        4 => 2,
        6 => 4,
        _ => return None,
    };
    let interlaced = *data.get(12)? == 1;
    (width > 0 && height > 0 && matches!(bits, 1 | 2 | 4 | 8 | 16)).then_some(Header {
        width,
        height,
        bits,
        channels,
        interlaced,
    })
}

/// Bytes the IDAT stream must inflate to: a filter byte and the packed samples of each row.
fn expected_scanlines(h: Header) -> u64 {
    let row = |width: u64| (width * h.channels as u64 * h.bits as u64).div_ceil(8);
    let (w, ht) = (h.width as u64, h.height as u64);
    if !h.interlaced {
        return ht.saturating_mul(1 + row(w));
    }
    // Adam7: (x start, y start, x step, y step) of each pass.
    const PASSES: [(u64, u64, u64, u64); 7] = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    PASSES
        .iter()
        .map(|&(x0, y0, dx, dy)| {
            let pw = (w + dx - 1 - x0) / dx;
            let ph = (ht + dy - 1 - y0) / dy;
            if pw == 0 || ph == 0 {
                0
            } else {
                ph.saturating_mul(1 + row(pw))
            }
        })
        .fold(0u64, u64::saturating_add)
}

/// Inflates the IDAT stream with a cap just past the expected size; returns true if sound.
fn check_idat(idat: &[u8], at: usize, header: Header, out: &mut Findings) -> bool {
    let expected = expected_scanlines(header);
    // Counting up to 16 MiB past the scanlines bounds the work on a bomb while still
    // measuring any realistic excess.
    let cap = expected.saturating_add(16 << 20);
    let push_malformed = |out: &mut Findings, message: String| {
        out.push(
            found(&MALFORMED_IMAGE, message, "IDAT", at, idat.len())
                .with_evidence(evidence! {"format" => "png", "expected_bytes" => expected}),
        );
    };
    let inflated = match inflate(idat, cap, 0) {
        Ok(inflated) => inflated,
        Err(error) => {
            push_malformed(out, format!("the IDAT stream does not inflate: {error}"));
            return false;
        }
    };
    if inflated.size < expected {
        push_malformed(
            out,
            format!(
                "the IDAT stream inflates to {} bytes, short of the {expected} the header needs",
                inflated.size
            ),
        );
        return false;
    }
    let excess = inflated.size - expected;
    let hidden = excess + inflated.left_over;
    if hidden > 0 {
        out.push(
            found(
                &IMAGE_DATA_EXCESS,
                format!(
                    "the IDAT stream holds {}{excess} bytes after the last scanline and {} \
                     compressed bytes after the zlib stream ends",
                    if inflated.capped { "at least " } else { "" },
                    inflated.left_over
                ),
                "IDAT",
                at,
                idat.len(),
            )
            .with_evidence(evidence! {
                "expected_bytes" => expected,
                "inflated_bytes" => inflated.size,
                "excess_bytes" => excess,
                "bytes_after_stream" => inflated.left_over,
            })
            .carrying(hidden),
        );
    }
    true
}

/// Measures a text chunk inflated; returns its text size for the total, and whether a
/// metadata-payload finding was made.
fn text_chunk(
    kind: &[u8],
    data: &[u8],
    at: usize,
    settings: &ImageSettings,
    out: &mut Findings,
) -> (u64, bool) {
    let name = String::from_utf8_lossy(kind).into_owned();
    let stored = data.len() + 12;
    let keyword_end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let keyword = String::from_utf8_lossy(&data[..keyword_end.min(79)]).into_owned();
    let rest = data.get(keyword_end + 1..).unwrap_or_default();
    let label = format!("{name} {keyword:?}");
    let cap = settings.metadata_bytes.0.saturating_mul(64).max(1 << 20);
    // XMP is read field by field, so all of it is kept (it is within metadata_bytes when it
    // gets that far).
    let is_xmp = kind == b"iTXt" && keyword == "XML:com.adobe.xmp";
    let keep = if is_xmp {
        usize::try_from(settings.metadata_bytes.0)
            .unwrap_or(usize::MAX)
            .min(1 << 24)
    } else {
        settings.text_chars.saturating_mul(4).max(4096)
    };

    // (compressed?, text bytes) per the chunk layouts of section 11.3.3.
    let (compressed, body) = match kind {
        b"zTXt" => (true, rest.get(1..).unwrap_or_default()),
        b"iTXt" => {
            let flag = rest.first().copied().unwrap_or(0) == 1;
            let after = rest.get(2..).unwrap_or_default();
            // Skip the language tag and the translated keyword, each NUL-terminated.
            let mut body = after;
            for _ in 0..2 {
                let cut = body
                    .iter()
                    .position(|&b| b == 0)
                    .map_or(body.len(), |p| p + 1);
                body = body.get(cut..).unwrap_or_default();
            }
            (flag, body)
        }
        _ => (false, rest),
    };
    let (size, capped, text) = if compressed {
        match inflate(body, cap, keep) {
            Ok(inflated) => (inflated.size, inflated.capped, inflated.head),
            Err(error) => {
                out.push(
                    found(
                        &MALFORMED_IMAGE,
                        format!("{label} does not inflate: {error}"),
                        name,
                        at,
                        stored,
                    )
                    .with_evidence(evidence! {"format" => "png", "chunk" => label})
                    .carrying(body.len() as u64),
                );
                return (body.len() as u64, true);
            }
        }
    } else {
        (
            body.len() as u64,
            false,
            body[..body.len().min(keep)].to_vec(),
        )
    };
    let limit = settings.metadata_bytes.0;
    let reported = metadata_block(&label, size, capped, &text, limit, at, stored, out);
    if !reported && (is_xmp || xmp::is_packet(&text)) {
        xmp::review(&text, &label, &name, (at, stored), settings, out);
    } else if !reported {
        if let Some(finding) = long_text(&label, &text, settings) {
            out.push(finding.at(place(name, at, stored)));
        }
    }
    (size, reported)
}

/// An ICC profile: measured inflated against its own, larger limit.
fn icc(data: &[u8], at: usize, settings: &ImageSettings, out: &mut Findings) {
    let name_end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let body = data.get(name_end + 2..).unwrap_or_default();
    let cap = settings.icc_bytes.0.saturating_add(1);
    match inflate(body, cap, 0) {
        Ok(inflated) => {
            metadata_block(
                "iCCP",
                inflated.size,
                inflated.capped,
                &[],
                settings.icc_bytes.0,
                at,
                data.len() + 12,
                out,
            );
        }
        Err(error) => out.push(
            found(
                &MALFORMED_IMAGE,
                format!("iCCP profile does not inflate: {error}"),
                "iCCP",
                at,
                data.len() + 12,
            )
            .with_evidence(evidence! {"format" => "png", "chunk" => "iCCP"}),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanline_sizes_follow_the_header() {
        let h = Header {
            width: 10,
            height: 3,
            bits: 8,
            channels: 3,
            interlaced: false,
        };
        assert_eq!(expected_scanlines(h), 3 * 31);
        let bits1 = Header {
            bits: 1,
            channels: 1,
            ..h
        };
        assert_eq!(expected_scanlines(bits1), 3 * 3);
        // A 1x1 interlaced image has only the first pass.
        let one = Header {
            width: 1,
            height: 1,
            interlaced: true,
            ..h
        };
        assert_eq!(expected_scanlines(one), 4);
    }
}
