//! JPEG marker walk (ITU-T T.81, annex B; JFIF 1.02; Exif 2.32 for APP1).
//!
//! Markers are walked from SOI, each segment skipped by its declared length, and the
//! entropy-coded data after each SOS skipped byte by byte (0xFF00 is a stuffed byte and
//! 0xFFD0-D7 are restart markers), so the EOI found is the main image's, never the one inside
//! an EXIF thumbnail. APPn and COM segments are measured; EXIF is reviewed for GPS and text.

use super::bytes::be16;
use super::{exif, found, long_text, metadata_block, place, trailing, xmp};
use super::{MALFORMED_IMAGE, UNKNOWN_CHUNK};
use crate::evidence;
use crate::policy::ImageSettings;
use crate::rules::Findings;

/// APPn identifiers written by common cameras, editors and libraries.
const KNOWN_APP: &[&[u8]] = &[
    b"JFIF\0",
    b"JFXX\0",
    b"Exif\0",
    b"http://ns.adobe.com/xap/1.0/\0",
    b"http://ns.adobe.com/xmp/extension/\0",
    b"ICC_PROFILE\0",
    b"MPF\0",
    b"FPXR\0",
    b"Ducky",
    b"Photoshop 3.0\0",
    b"Adobe",
];

/// Walks the markers of a JPEG. Returns true when the structure is sound.
pub fn check(content: &[u8], settings: &ImageSettings, out: &mut Findings) -> bool {
    let malformed = |out: &mut Findings, message: String, at: usize| {
        out.push(
            found(&MALFORMED_IMAGE, message, "structure", at, 0)
                .with_evidence(evidence! {"format" => "jpeg", "offset" => at}),
        );
    };
    if !content.starts_with(&[0xff, 0xd8]) {
        malformed(out, "the JPEG start-of-image marker is missing".into(), 0);
        return false;
    }
    let mut at = 2;
    let mut icc_total = 0u64;
    let mut icc_at = 0usize;
    let mut seen_frame = false;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes (B.1.1.2).
        if content.get(at) != Some(&0xff) {
            malformed(out, format!("expected a marker at byte {at}"), at);
            return false;
        }
        while content.get(at + 1) == Some(&0xff) {
            at += 1;
        }
        let Some(&marker) = content.get(at + 1) else {
            malformed(
                out,
                "the JPEG ends without an end-of-image marker".into(),
                at,
            );
            return false;
        };
        match marker {
            0xd9 => {
                if !seen_frame {
                    malformed(out, "the JPEG has no frame header (SOF)".into(), at);
                }
                if icc_total > settings.icc_bytes.0 {
                    let limit = settings.icc_bytes.0;
                    metadata_block("ICC profile", icc_total, false, &[], limit, icc_at, 0, out);
                }
                trailing(content, at + 2, "the end-of-image marker", settings, out);
                return seen_frame;
            }
            0x01 | 0xd0..=0xd7 => {
                at += 2;
                continue;
            }
            0xd8 | 0x00 => {
                malformed(
                    out,
                    format!("unexpected marker 0xFF{marker:02X} at byte {at}"),
                    at,
                );
                return false;
            }
            _ => {}
        }
        let Some(length) = be16(content, at + 2).map(usize::from) else {
            malformed(out, format!("segment length cut off at byte {at}"), at);
            return false;
        };
        let end = at + 2 + length;
        if length < 2 || end > content.len() {
            malformed(
                out,
                format!(
                    "segment 0xFF{marker:02X} at byte {at} declares {length} bytes past the end"
                ),
                at,
            );
            return false;
        }
        let data = &content[at + 4..end];
        match marker {
            0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => seen_frame = true,
            0xe0..=0xef => {
                if data.starts_with(b"ICC_PROFILE\0") {
                    icc_total += data.len().saturating_sub(14) as u64;
                    icc_at = if icc_at == 0 { at } else { icc_at };
                } else {
                    app_segment(marker, data, at, end - at, settings, out);
                }
            }
            0xfe => {
                let limit = settings.metadata_bytes.0;
                let len = data.len() as u64;
                if !metadata_block("COM", len, false, data, limit, at, end - at, out) {
                    if let Some(finding) = long_text("COM", data, settings) {
                        out.push(finding.at(place("COM", at, end - at)));
                    }
                }
            }
            0xda => {
                at = skip_entropy_coded(content, end);
                continue;
            }
            _ => {}
        }
        at = end;
    }
}

/// Returns the offset of the first marker after the entropy-coded data starting at `at`.
fn skip_entropy_coded(content: &[u8], mut at: usize) -> usize {
    while at + 1 < content.len() {
        if content[at] == 0xff {
            let next = content[at + 1];
            if next != 0x00 && !(0xd0..=0xd7).contains(&next) && next != 0xff {
                return at;
            }
            if next == 0xff {
                // Fill bytes before a marker: let the marker loop skip them.
                return at;
            }
            at += 2;
        } else {
            at += 1;
        }
    }
    content.len()
}

fn app_segment(
    marker: u8,
    data: &[u8],
    at: usize,
    stored: usize,
    settings: &ImageSettings,
    out: &mut Findings,
) {
    let name = format!("APP{}", marker - 0xe0);
    let known = KNOWN_APP.iter().find(|id| data.starts_with(id));
    let label = match known {
        Some(id) => format!(
            "{name} {}",
            String::from_utf8_lossy(id).trim_end_matches('\0')
        ),
        None => name.clone(),
    };
    let limit = settings.metadata_bytes.0;
    let is_exif = known.is_some_and(|id| *id == b"Exif\0");
    // Limitation: an EXIF block is not tested for randomness, because its thumbnail is
    // JPEG data; only its size limits it.
    let sample: &[u8] = if is_exif { &[] } else { data };
    if metadata_block(
        &label,
        data.len() as u64,
        false,
        sample,
        limit,
        at,
        stored,
        out,
    ) {
        return;
    }
    if is_exif {
        exif::review(data.get(6..).unwrap_or_default(), &label, at, settings, out);
    } else if let Some(id) = known.filter(|id| id.starts_with(b"http://ns.adobe.com/xap")) {
        let packet = data.get(id.len()..).unwrap_or_default();
        xmp::review(packet, &label, &name, (at, stored), settings, out);
    } else if known.is_none() {
        out.push(
            found(
                &UNKNOWN_CHUNK,
                format!(
                    "{name} segment of {} bytes with an unknown identifier",
                    data.len()
                ),
                name,
                at,
                stored,
            )
            .with_evidence(evidence! {
                "segment" => label,
                "bytes" => data.len(),
                "starts_with" => crate::inspect::hex(&data[..data.len().min(8)]),
            })
            .carrying(data.len() as u64),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_coded_data_skips_stuffing_and_restarts() {
        let scan = [1, 2, 0xff, 0x00, 3, 0xff, 0xd3, 4, 0xff, 0xd9];
        assert_eq!(skip_entropy_coded(&scan, 0), 8);
        assert_eq!(skip_entropy_coded(&[1, 2, 3], 0), 3);
    }
}
