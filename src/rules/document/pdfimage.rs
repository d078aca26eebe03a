//! The pictures inside a PDF, taken out as files so that the image rules check them.
//!
//! An image XObject (ISO 32000-1, 8.9.5) is a stream with `/Subtype /Image`. Under
//! `DCTDecode` its bytes are a whole JPEG file, handed over as it is. Under `FlateDecode` they
//! are zlib-compressed rows of samples, the same rows a PNG holds: with a PNG predictor
//! (`/DecodeParms << /Predictor 10..15 >>`) each row already starts with its PNG filter byte;
//! without one, a filter byte of 0 is put before each row. The rows are wrapped in a PNG of
//! the stream's width, height, depth and colour type (grey or RGB) so that the bit-plane and
//! LSB estimators see exactly the samples the PDF holds.
//!
//! Images that cannot be handed over (JPEG 2000, CCITT, JBIG2, indexed or CMYK colour, TIFF
//! predictors, rows that do not add up) are counted in one finding instead of being passed.

use std::borrow::Cow;
use std::io::Write;

use super::pdf::{filters_of, inflate, raw_streams, RawStream};
use super::{Budget, Member, PDF_NOT_INSPECTED};
use crate::evidence;
use crate::finding::Finding;
use crate::rules::Findings;

/// Hands back each image XObject as a JPEG or PNG file, within the document budget.
pub(super) fn members(content: &[u8], budget: &Budget, out: &mut Findings) -> Vec<Member> {
    let mut members = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for (index, stream) in raw_streams(content).into_iter().enumerate() {
        if !is_image(&stream.dict) {
            continue;
        }
        let label = stream.object.map_or_else(
            || format!("stream-{}", index + 1),
            |n| format!("object-{n}"),
        );
        let filters = filters_of(&stream.dict);
        let room = budget.room();
        let taken = match filters.as_slice() {
            [f] if f == "DCTDecode" || f == "DCT" => {
                Some((format!("{label}.jpg"), jpeg_bytes(&stream).to_vec()))
            }
            [f] if f == "FlateDecode" || f == "Fl" => match inflate(stream.data, room) {
                Some(rows) => png(&stream.dict, &rows).map(|png| (format!("{label}.png"), png)),
                None => {
                    budget.take(&label, room.saturating_add(1), room, out);
                    continue;
                }
            },
            _ => None,
        };
        match taken {
            Some((name, bytes)) => {
                if budget.take(&name, bytes.len() as u64, room, out) {
                    members.push(Member { name, bytes });
                }
            }
            None => {
                let what = if filters.is_empty() {
                    "unfiltered".to_string()
                } else {
                    filters.join("+")
                };
                skipped.push(format!("{label} ({what})"));
            }
        }
    }
    if !skipped.is_empty() {
        out.push(
            Finding::new(
                &PDF_NOT_INSPECTED,
                format!(
                    "{} image(s) in the PDF could not be taken out for the image rules: {}",
                    skipped.len(),
                    skipped
                        .iter()
                        .take(5)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with_evidence(evidence! {"images" => skipped.len(), "examples" => skipped}),
        );
    }
    members
}

fn is_image(dict: &str) -> bool {
    let compact: String = dict.split_ascii_whitespace().collect();
    compact.contains("/Subtype/Image")
}

/// A DCT stream's bytes: `/Length` of them when it is a direct number that fits, else up to
/// `endstream` without the end of line before it.
fn jpeg_bytes<'a>(stream: &RawStream<'a>) -> &'a [u8] {
    let declared = number_entry(&stream.dict, "/Length").and_then(|n| usize::try_from(n).ok());
    let is_reference = stream
        .dict
        .split("/Length")
        .nth(1)
        .is_some_and(|rest| rest.split_ascii_whitespace().nth(2) == Some("R"));
    match declared {
        Some(length) if !is_reference && length <= stream.data.len() => &stream.data[..length],
        _ => {
            let end = stream
                .data
                .iter()
                .rposition(|b| !matches!(b, b'\r' | b'\n'))
                .map_or(0, |i| i + 1);
            &stream.data[..end]
        }
    }
}

/// The integer after `key` in a dictionary (`/Width 640`).
fn number_entry(dict: &str, key: &str) -> Option<u64> {
    dict.match_indices(key)
        .filter(|(at, _)| {
            let next = dict.as_bytes().get(at + key.len());
            !next.is_some_and(u8::is_ascii_alphanumeric)
        })
        .find_map(|(at, _)| {
            let rest = dict.get(at + key.len()..)?.trim_start();
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            rest.get(..digits)?.parse().ok()
        })
}

/// A PNG of the inflated samples `rows` described by the image dictionary, or `None` when
/// they cannot be one (see the module documentation).
fn png(dict: &str, rows: &[u8]) -> Option<Vec<u8>> {
    let width = number_entry(dict, "/Width")?;
    let height = number_entry(dict, "/Height")?;
    let depth = number_entry(dict, "/BitsPerComponent")?;
    let predictor = number_entry(dict, "/Predictor").unwrap_or(1);
    if !(1..=65_535).contains(&width) || !(1..=65_535).contains(&height) {
        return None;
    }
    if !matches!(depth, 1 | 2 | 4 | 8 | 16) || !(predictor == 1 || (10..=15).contains(&predictor)) {
        return None;
    }
    let filtered = predictor >= 10;
    let compact: String = dict.split_ascii_whitespace().collect();
    let channels = if compact.contains("/ColorSpace/DeviceGray") {
        1
    } else if compact.contains("/ColorSpace/DeviceRGB") {
        3
    } else if compact.contains("/ColorSpace/") || compact.contains("/ColorSpace[") {
        return None; // indexed, CMYK, Lab, separations
    } else {
        // An indirect colour space (ICCBased, usually): the sample count tells grey from RGB.
        [1u64, 3].into_iter().find(|&c| {
            row_bytes(width, c, depth, filtered).checked_mul(height) == Some(rows.len() as u64)
        })?
    };
    if channels == 3 && depth < 8 {
        return None;
    }
    let row = row_bytes(width, channels, depth, filtered);
    let rows = rows.get(..usize::try_from(row.checked_mul(height)?).ok()?)?;
    let samples: Cow<[u8]> = if filtered {
        Cow::Borrowed(rows)
    } else {
        let row = usize::try_from(row).ok()?;
        let mut with_filters = Vec::with_capacity(rows.len() + rows.len() / row.max(1) + 1);
        for line in rows.chunks(row.max(1)) {
            with_filters.push(0);
            with_filters.extend_from_slice(line);
        }
        Cow::Owned(with_filters)
    };
    let colour_type = if channels == 3 { 2 } else { 0 };
    Some(encode_png(
        width as u32,
        height as u32,
        depth as u8,
        colour_type,
        &samples,
    ))
}

/// Bytes in one row of samples, plus the filter byte when `filtered`.
fn row_bytes(width: u64, channels: u64, depth: u64, filtered: bool) -> u64 {
    (width * channels * depth).div_ceil(8) + u64::from(filtered)
}

/// A PNG file of already-filtered rows.
fn encode_png(width: u32, height: u32, depth: u8, colour_type: u8, filtered: &[u8]) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[depth, colour_type, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &header);
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let compressed = encoder
        .write_all(filtered)
        .and_then(|()| encoder.finish())
        .unwrap_or_default();
    chunk(&mut png, b"IDAT", &compressed);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    png.extend_from_slice(&crc.finalize().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_numbers_are_read() {
        let dict = "<< /Type /XObject /Subtype /Image /Width 4 /Height 2 /BitsPerComponent 8 \
                    /Length 12 0 R >>";
        assert_eq!(number_entry(dict, "/Width"), Some(4));
        assert_eq!(number_entry(dict, "/Height"), Some(2));
        assert_eq!(number_entry(dict, "/Length"), Some(12));
        assert_eq!(number_entry("/Widths [1 2]", "/Width"), None);
        assert!(is_image(dict));
    }

    #[test]
    fn grey_rows_become_a_png_the_image_crate_reads() {
        let dict = "<< /Subtype /Image /Width 3 /Height 2 /ColorSpace /DeviceGray \
                    /BitsPerComponent 8 >>";
        let png = png(dict, &[0, 50, 100, 150, 200, 250]).expect("png");
        let image = image::load_from_memory(&png).expect("decodes").to_luma8();
        assert_eq!(image.dimensions(), (3, 2));
        assert_eq!(image.into_raw(), [0, 50, 100, 150, 200, 250]);
    }

    #[test]
    fn predicted_rgb_rows_keep_their_filters() {
        // Two RGB pixels a row, each row with filter 1 (Sub): pixel 2 = pixel 1 + (1, 1, 1).
        let rows = [1, 10, 20, 30, 1, 1, 1, 1, 40, 50, 60, 2, 2, 2];
        let dict = "<< /Subtype /Image /Width 2 /Height 2 /ColorSpace 7 0 R \
                    /BitsPerComponent 8 /DecodeParms << /Predictor 15 /Colors 3 /Columns 2 >> >>";
        let png = png(dict, &rows).expect("png");
        let image = image::load_from_memory(&png).expect("decodes").to_rgb8();
        assert_eq!(
            image.into_raw(),
            [10, 20, 30, 11, 21, 31, 40, 50, 60, 42, 52, 62]
        );
    }

    #[test]
    fn images_that_cannot_be_pngs_are_refused() {
        let base = "/Subtype /Image /Width 2 /Height 2 /BitsPerComponent 8";
        assert!(png(&format!("{base} /ColorSpace /DeviceCMYK"), &[0; 16]).is_none());
        assert!(png(
            &format!("{base} /ColorSpace [/Indexed /DeviceRGB 1 <>]"),
            &[0; 4]
        )
        .is_none());
        assert!(png(&format!("{base} /ColorSpace /DeviceGray"), &[0; 3]).is_none());
        assert!(png(
            &format!("{base} /ColorSpace /DeviceGray /Predictor 2"),
            &[0; 4]
        )
        .is_none());
        assert!(png("/Width 99999999 /Height 1 /BitsPerComponent 8", &[0; 4]).is_none());
    }
}
