//! The pictures inside a PDF, taken out as files so that the image rules check them.
//!
//! An image XObject (ISO 32000-1, 8.9.5) is a stream with `/Subtype /Image`. Under
//! `DCTDecode` its bytes are a whole JPEG file, handed over as it is. Under `FlateDecode` they
//! are zlib-compressed rows of samples, the same rows a PNG holds: with a PNG predictor
//! (`/DecodeParms << /Predictor 10..15 >>`) each row already starts with its PNG filter byte;
//! without one, a filter byte of 0 is put before each row. The rows are wrapped in a PNG of
//! the stream's width, height, depth and colour type (grey or RGB) so that the bit-plane and
//! LSB estimators see exactly the samples the PDF holds. Indexed images over a grey or RGB
//! base (matplotlib's rasters of 256 colours or fewer) have their indices expanded through
//! the palette into 8-bit grey or RGB samples first ([`pdfpalette`](super::pdfpalette)).
//!
//! Images that cannot be handed over (JPEG 2000, CCITT, JBIG2, CMYK or Lab colour, indexed
//! colour over another base or with a palette or indices that do not add up, TIFF
//! predictors, rows that do not add up) are counted in one finding instead of being passed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;

use super::pdf::{filters_of, has_name, inflate, raw_streams, RawStream};
use super::pdfpalette::{self, ColourSpace, Lookup, Rows};
use super::{Budget, Member, PDF_NOT_INSPECTED};
use crate::evidence;
use crate::finding::Finding;
use crate::rules::Findings;

/// Most bytes a palette stream may inflate to: 256 RGB entries are 768 bytes, so anything
/// much longer is not a palette.
const PALETTE_STREAM_BYTES: u64 = 4096;

/// Why an image was not handed over.
#[derive(Debug, PartialEq)]
enum Refused {
    /// A layout this module does not read (see the module documentation).
    Unsupported,
    /// An indexed image that does not add up, and why.
    Indexed(String),
    /// Expanding the indices would take more than the room left.
    TooLarge,
}

/// Hands back each image XObject as a JPEG or PNG file, within the document budget.
pub(super) fn members(content: &[u8], budget: &Budget, out: &mut Findings) -> Vec<Member> {
    let mut members = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let streams = raw_streams(content);
    // The last stream of each object number: an incremental update's revision wins.
    let objects: HashMap<u64, &RawStream> = streams
        .iter()
        .filter_map(|s| s.object.map(|n| (n, s)))
        .collect();
    let palette = |object: u64| palette_stream(objects.get(&object).copied());
    for (index, stream) in streams.iter().enumerate() {
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
                Ok((format!("{label}.jpg"), jpeg_bytes(stream).to_vec()))
            }
            [f] if f == "FlateDecode" || f == "Fl" => match inflate(stream.data, room) {
                Some(rows) => png(stream.raw_dict, &rows, room, &palette)
                    .map(|png| (format!("{label}.png"), png)),
                None => {
                    budget.take(&label, room.saturating_add(1), room, out);
                    continue;
                }
            },
            _ => Err(Refused::Unsupported),
        };
        let what = if filters.is_empty() {
            "unfiltered".to_string()
        } else {
            filters.join("+")
        };
        match taken {
            Ok((name, bytes)) => {
                if budget.take(&name, bytes.len() as u64, room, out) {
                    members.push(Member { name, bytes });
                }
            }
            Err(Refused::TooLarge) => {
                budget.take(&format!("{label}.png"), room.saturating_add(1), room, out);
            }
            Err(Refused::Indexed(reason)) => {
                skipped.push(format!("{label} ({what}, indexed colour: {reason})"));
            }
            Err(Refused::Unsupported) => skipped.push(format!("{label} ({what})")),
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

/// The bytes of a palette kept in a stream object of its own: unfiltered or Flate, and no
/// longer than [`PALETTE_STREAM_BYTES`].
fn palette_stream(stream: Option<&RawStream>) -> Option<Vec<u8>> {
    let stream = stream?;
    match filters_of(&stream.dict).as_slice() {
        [] => Some(stream.data.to_vec()),
        [f] if f == "FlateDecode" || f == "Fl" => inflate(stream.data, PALETTE_STREAM_BYTES),
        _ => None,
    }
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

/// A PNG of the inflated samples `rows` described by the image dictionary `raw_dict` (as
/// written), or why they cannot be one (see the module documentation). `palettes` gives the
/// bytes of a palette stream by its object number; `room` bounds the expansion of indices.
fn png(
    raw_dict: &[u8],
    rows: &[u8],
    room: u64,
    palettes: &dyn Fn(u64) -> Option<Vec<u8>>,
) -> Result<Vec<u8>, Refused> {
    let dict = String::from_utf8_lossy(raw_dict);
    let entry = |key| number_entry(&dict, key).ok_or(Refused::Unsupported);
    let width = entry("/Width")?;
    let height = entry("/Height")?;
    let depth = entry("/BitsPerComponent")?;
    let predictor = number_entry(&dict, "/Predictor").unwrap_or(1);
    if !(1..=65_535).contains(&width) || !(1..=65_535).contains(&height) {
        return Err(Refused::Unsupported);
    }
    if !matches!(depth, 1 | 2 | 4 | 8 | 16) || !(predictor == 1 || (10..=15).contains(&predictor)) {
        return Err(Refused::Unsupported);
    }
    let filtered = predictor >= 10;
    let channels = match pdfpalette::colour_space(raw_dict) {
        ColourSpace::Gray => 1,
        ColourSpace::Rgb => 3,
        ColourSpace::Indexed(space) => {
            let space = space.map_err(Refused::Indexed)?;
            let layout = Rows {
                width: width as usize,
                height: height as usize,
                depth: depth as usize,
                filtered,
            };
            return indexed_png(&dict, layout, &space, rows, room, palettes);
        }
        ColourSpace::Other => return Err(Refused::Unsupported),
        // Limitation: a colour space given by reference is not looked up. An ICCBased one
        // is told grey from RGB by the sample count; an indexed one is then taken for grey,
        // and its indices, not its colours, are what the image rules see.
        ColourSpace::Unknown => [1u64, 3]
            .into_iter()
            .find(|&c| {
                row_bytes(width, c, depth, filtered).checked_mul(height) == Some(rows.len() as u64)
            })
            .ok_or(Refused::Unsupported)?,
    };
    if channels == 3 && depth < 8 {
        return Err(Refused::Unsupported);
    }
    let row = row_bytes(width, channels, depth, filtered);
    let rows = usize::try_from(row.saturating_mul(height))
        .ok()
        .and_then(|length| rows.get(..length))
        .ok_or(Refused::Unsupported)?;
    let samples: Cow<[u8]> = if filtered {
        Cow::Borrowed(rows)
    } else {
        let row = usize::try_from(row).map_err(|_| Refused::Unsupported)?;
        let mut with_filters = Vec::with_capacity(rows.len() + rows.len() / row.max(1) + 1);
        for line in rows.chunks(row.max(1)) {
            with_filters.push(0);
            with_filters.extend_from_slice(line);
        }
        Cow::Owned(with_filters)
    };
    let colour_type = if channels == 3 { 2 } else { 0 };
    Ok(encode_png(
        width as u32,
        height as u32,
        depth as u8,
        colour_type,
        &samples,
    ))
}

/// An indexed image as a PNG of its colours: 8-bit grey or RGB.
fn indexed_png(
    dict: &str,
    layout: Rows,
    space: &pdfpalette::Indexed,
    rows: &[u8],
    room: u64,
    palettes: &dyn Fn(u64) -> Option<Vec<u8>>,
) -> Result<Vec<u8>, Refused> {
    if has_name(dict, "/Decode") {
        // Limitation: a /Decode array remaps the indices; it is not applied.
        return Err(Refused::Indexed(
            "a /Decode array remaps the indices".into(),
        ));
    }
    if layout.depth == 16 {
        return Err(Refused::Indexed("16 bits an index".into()));
    }
    if layout.expanded_bytes(space.components) > room {
        return Err(Refused::TooLarge);
    }
    let palette: Cow<[u8]> = match &space.lookup {
        Lookup::Bytes(bytes) => Cow::Borrowed(bytes),
        Lookup::Stream(object) => Cow::Owned(palettes(*object).ok_or_else(|| {
            Refused::Indexed(format!(
                "the palette stream, object {object}, could not be read"
            ))
        })?),
    };
    let samples = pdfpalette::expand(layout, space, &palette, rows).map_err(Refused::Indexed)?;
    let colour_type = if space.components == 3 { 2 } else { 0 };
    Ok(encode_png(
        layout.width as u32,
        layout.height as u32,
        8,
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

    const ROOM: u64 = 1 << 20;

    fn none(_: u64) -> Option<Vec<u8>> {
        None
    }

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
        let png = png(dict.as_bytes(), &[0, 50, 100, 150, 200, 250], ROOM, &none).expect("png");
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
        let png = png(dict.as_bytes(), &rows, ROOM, &none).expect("png");
        let image = image::load_from_memory(&png).expect("decodes").to_rgb8();
        assert_eq!(
            image.into_raw(),
            [10, 20, 30, 11, 21, 31, 40, 50, 60, 42, 52, 62]
        );
    }

    #[test]
    fn images_that_cannot_be_pngs_are_refused() {
        let refused = |dict: &str, rows: &[u8]| png(dict.as_bytes(), rows, ROOM, &none);
        let base = "/Subtype /Image /Width 2 /Height 2 /BitsPerComponent 8";
        let unsupported = Err(Refused::Unsupported);
        assert_eq!(
            refused(&format!("{base} /ColorSpace /DeviceCMYK"), &[0; 16]),
            unsupported
        );
        assert_eq!(
            refused(
                &format!("{base} /ColorSpace [/Indexed /DeviceRGB 1 <>]"),
                &[0; 4]
            ),
            Err(Refused::Indexed(
                "the palette holds 0 bytes, fewer than the 6 that hival 1 needs".into()
            ))
        );
        assert_eq!(
            refused(&format!("{base} /ColorSpace /DeviceGray"), &[0; 3]),
            unsupported
        );
        assert_eq!(
            refused(
                &format!("{base} /ColorSpace /DeviceGray /Predictor 2"),
                &[0; 4]
            ),
            unsupported
        );
        assert_eq!(
            refused("/Width 99999999 /Height 1 /BitsPerComponent 8", &[0; 4]),
            unsupported
        );
    }

    /// A 2x2 image of 1-bit indices into a palette of red then blue: row 0 is indices 0, 1
    /// (0b0100_0000), row 1 is 1, 0 (0b1000_0000).
    const TWO_COLOURS: &str = "<< /Subtype /Image /Width 2 /Height 2 /BitsPerComponent 1 \
                               /ColorSpace [/Indexed /DeviceRGB 1 PALETTE] >>";

    #[test]
    fn indexed_images_become_pngs_of_their_colours() {
        let expected = [255, 0, 0, 0, 0, 255, 0, 0, 255, 255, 0, 0];
        let dict = TWO_COLOURS.replace("PALETTE", "<ff0000 0000ff>");
        let file = png(dict.as_bytes(), &[0x40, 0x80], ROOM, &none).expect("png");
        let image = image::load_from_memory(&file).expect("decodes").to_rgb8();
        assert_eq!(image.dimensions(), (2, 2));
        assert_eq!(image.into_raw(), expected);

        // The palette in a stream of its own, object 9, Flate-compressed.
        let dict = TWO_COLOURS.replace("PALETTE", "9 0 R");
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&[255, 0, 0, 0, 0, 255]).expect("write");
        let compressed = encoder.finish().expect("finish");
        let stream = RawStream {
            object: Some(9),
            dict: Cow::Borrowed("<< /Length 14 /Filter /FlateDecode >>"),
            raw_dict: b"",
            data: &compressed,
        };
        let palettes = |object: u64| palette_stream(Some(&stream).filter(|_| object == 9));
        let file = png(dict.as_bytes(), &[0x40, 0x80], ROOM, &palettes).expect("png");
        let image = image::load_from_memory(&file).expect("decodes").to_rgb8();
        assert_eq!(image.into_raw(), expected);
        assert_eq!(
            png(dict.as_bytes(), &[0x40, 0x80], ROOM, &none),
            Err(Refused::Indexed(
                "the palette stream, object 9, could not be read".into()
            ))
        );
    }

    #[test]
    fn indexed_images_are_held_to_the_budget() {
        // Expanded: 2 rows of a filter byte and 2 RGB pixels, 14 bytes.
        let dict = TWO_COLOURS.replace("PALETTE", "<ff0000 0000ff>");
        assert!(png(dict.as_bytes(), &[0x40, 0x80], 14, &none).is_ok());
        assert_eq!(
            png(dict.as_bytes(), &[0x40, 0x80], 13, &none),
            Err(Refused::TooLarge)
        );
        let decoded = dict.replace(">>", "/Decode [1 0] >>");
        assert_eq!(
            png(decoded.as_bytes(), &[0x40, 0x80], ROOM, &none),
            Err(Refused::Indexed(
                "a /Decode array remaps the indices".into()
            ))
        );
    }
}
