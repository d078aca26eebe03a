//! Quantised DCT coefficients of a JPEG, read without decoding pixels (ITU-T T.81).
//!
//! The DCT-domain steganalysis ([`super::jpeg_stego`]) needs the coefficients exactly as the
//! encoder (or an embedder) left them, and neither jpeg-decoder nor zune-jpeg exposes them,
//! so this module decodes Huffman-coded baseline, extended (8-bit) and progressive scans:
//! spectral selection, successive approximation (DC and AC, first and refinement scans, with
//! end-of-band runs), restart intervals and any sampling factors from 1 to 4. Arithmetic
//! coding, 12-bit precision, lossless and hierarchical JPEGs are reported as unsupported.
//!
//! Coefficients are returned per component in natural (row-major) order within each 8x8
//! block, blocks in raster order over the component's grid padded to whole MCUs; the
//! quantisation tables are in natural order too. The pixel cap of the policy is checked
//! against the frame header before anything is allocated.

mod huffman;
mod scan;

use huffman::Table;

/// Position in natural order of the k-th coefficient in zigzag order (T.81, figure A.6).
pub const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// Why the coefficients could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DctError {
    /// A coding process this reader does not implement; the file may well be valid.
    #[error("{0} is not supported by the coefficient reader")]
    Unsupported(String),
    /// More pixels than the policy lets the checker hold.
    #[error("{pixels} pixels, over the limit of {limit}")]
    TooLarge { pixels: u64, limit: u64 },
    /// Broken or inconsistent data.
    #[error("{what} at byte {offset}")]
    Corrupt { offset: usize, what: &'static str },
}

impl DctError {
    fn corrupt(offset: usize, what: &'static str) -> DctError {
        DctError::Corrupt { offset, what }
    }
}

/// One colour component's quantised coefficients.
#[derive(Clone, Debug)]
pub struct Component {
    /// Component identifier from the frame header.
    pub id: u8,
    /// Horizontal and vertical sampling factors.
    pub sampling: (u8, u8),
    /// Blocks across and down that cover the image (T.81 A.2.2, without MCU padding).
    pub blocks_wide: usize,
    pub blocks_high: usize,
    /// Blocks across the stored grid, which is padded to whole MCUs.
    pub stride: usize,
    /// Blocks down the stored grid.
    pub rows: usize,
    /// 64 coefficients a block, natural order, blocks in raster order of the padded grid.
    pub coefficients: Vec<i16>,
    /// The quantisation table in natural order.
    pub quantisation: [u16; 64],
    table_id: u8,
    latched: bool,
}

impl Component {
    /// The 64 coefficients of the block at (`column`, `row`) of the padded grid.
    pub fn block(&self, column: usize, row: usize) -> Option<&[i16]> {
        let start = (row * self.stride + column) * 64;
        self.coefficients.get(start..start + 64)
    }

    /// The blocks that cover the image, skipping MCU padding, in raster order.
    pub fn image_blocks(&self) -> impl Iterator<Item = &[i16]> + '_ {
        (0..self.blocks_high).flat_map(move |row| {
            (0..self.blocks_wide).filter_map(move |column| self.block(column, row))
        })
    }
}

/// The coefficients of a whole JPEG.
#[derive(Clone, Debug)]
pub struct Coefficients {
    pub width: usize,
    pub height: usize,
    pub progressive: bool,
    pub components: Vec<Component>,
}

/// The frame and the tables in force, as the markers define them.
struct Decoder {
    frame: Option<Frame>,
    quantisation: [Option<[u16; 64]>; 4],
    dc_tables: [Option<Table>; 4],
    ac_tables: [Option<Table>; 4],
    restart_interval: usize,
}

struct Frame {
    width: usize,
    height: usize,
    progressive: bool,
    max_sampling: (usize, usize),
    components: Vec<Component>,
}

/// Reads the quantised coefficients of `content`, refusing frames over `max_pixels`.
pub fn read(content: &[u8], max_pixels: u64) -> Result<Coefficients, DctError> {
    if !content.starts_with(&[0xff, 0xd8]) {
        return Err(DctError::corrupt(0, "no start-of-image marker"));
    }
    let mut decoder = Decoder {
        frame: None,
        quantisation: [None; 4],
        dc_tables: [None, None, None, None],
        ac_tables: [None, None, None, None],
        restart_interval: 0,
    };
    let mut at = 2;
    loop {
        let (marker, start) = next_marker(content, at)?;
        if marker == 0xd9 {
            break;
        }
        let length = be16(content, start + 2)
            .ok_or_else(|| DctError::corrupt(start, "segment length cut off"))?;
        let end = start + 2 + length;
        let data = content
            .get(start + 4..end)
            .filter(|_| length >= 2)
            .ok_or_else(|| DctError::corrupt(start, "segment past the end"))?;
        at = match marker {
            0xda => decoder.scan(content, data, start, end)?,
            _ => {
                decoder.segment(marker, data, start, max_pixels)?;
                end
            }
        };
    }
    decoder.finish()
}

/// Finds the marker at `at` after optional fill bytes; returns it and its offset.
fn next_marker(content: &[u8], at: usize) -> Result<(u8, usize), DctError> {
    let mut at = at;
    if content.get(at) != Some(&0xff) {
        return Err(DctError::corrupt(at, "expected a marker"));
    }
    while content.get(at + 1) == Some(&0xff) {
        at += 1;
    }
    match content.get(at + 1) {
        Some(&marker) if marker != 0 && !(0xd0..=0xd8).contains(&marker) => Ok((marker, at)),
        Some(_) => Err(DctError::corrupt(at, "unexpected marker")),
        None => Err(DctError::corrupt(at, "no end-of-image marker")),
    }
}

fn be16(content: &[u8], at: usize) -> Option<usize> {
    let bytes = content.get(at..at + 2)?;
    Some(usize::from(bytes[0]) << 8 | usize::from(bytes[1]))
}

impl Decoder {
    fn segment(
        &mut self,
        marker: u8,
        data: &[u8],
        at: usize,
        max_pixels: u64,
    ) -> Result<(), DctError> {
        match marker {
            0xc0..=0xc2 => self.frame_header(marker, data, at, max_pixels),
            0xc3 => Err(DctError::Unsupported("lossless JPEG (SOF3)".into())),
            0xc5..=0xc7 => Err(DctError::Unsupported("hierarchical JPEG".into())),
            0xc9..=0xcb | 0xcd..=0xcf => Err(DctError::Unsupported("arithmetic-coded JPEG".into())),
            0xc4 => self.huffman_tables(data, at),
            0xdb => self.quantisation_tables(data, at),
            0xdd => {
                self.restart_interval =
                    be16(data, 0).ok_or_else(|| DctError::corrupt(at, "short DRI segment"))?;
                Ok(())
            }
            0xde => Err(DctError::Unsupported("hierarchical JPEG (DHP)".into())),
            _ => Ok(()),
        }
    }

    fn frame_header(
        &mut self,
        marker: u8,
        data: &[u8],
        at: usize,
        max_pixels: u64,
    ) -> Result<(), DctError> {
        if self.frame.is_some() {
            return Err(DctError::corrupt(at, "second frame header"));
        }
        let short = || DctError::corrupt(at, "short frame header");
        let precision = *data.first().ok_or_else(short)?;
        if precision != 8 {
            return Err(DctError::Unsupported(format!("{precision}-bit precision")));
        }
        let height = be16(data, 1).ok_or_else(short)?;
        let width = be16(data, 3).ok_or_else(short)?;
        let count = usize::from(*data.get(5).ok_or_else(short)?);
        if height == 0 {
            return Err(DctError::Unsupported("a height set by a DNL marker".into()));
        }
        if width == 0 || count == 0 || count > 4 {
            return Err(DctError::corrupt(at, "zero width or bad component count"));
        }
        let pixels = width as u64 * height as u64;
        if pixels > max_pixels {
            return Err(DctError::TooLarge {
                pixels,
                limit: max_pixels,
            });
        }
        let mut specs = Vec::with_capacity(count);
        for i in 0..count {
            let spec = data.get(6 + 3 * i..9 + 3 * i).ok_or_else(short)?;
            let (h, v) = (spec[1] >> 4, spec[1] & 15);
            if !(1..=4).contains(&h) || !(1..=4).contains(&v) || spec[2] > 3 {
                return Err(DctError::corrupt(at, "bad sampling factor or table"));
            }
            specs.push((spec[0], h, v, spec[2]));
        }
        let hmax = specs.iter().map(|s| usize::from(s.1)).max().unwrap_or(1);
        let vmax = specs.iter().map(|s| usize::from(s.2)).max().unwrap_or(1);
        let mcus_wide = width.div_ceil(8 * hmax);
        let mcus_high = height.div_ceil(8 * vmax);
        let components = specs
            .into_iter()
            .map(|(id, h, v, table_id)| {
                let (hu, vu) = (usize::from(h), usize::from(v));
                let stride = mcus_wide * hu;
                let rows = mcus_high * vu;
                Component {
                    id,
                    sampling: (h, v),
                    blocks_wide: (width * hu).div_ceil(hmax).div_ceil(8),
                    blocks_high: (height * vu).div_ceil(vmax).div_ceil(8),
                    stride,
                    rows,
                    coefficients: vec![0; stride * rows * 64],
                    quantisation: [0; 64],
                    table_id,
                    latched: false,
                }
            })
            .collect();
        self.frame = Some(Frame {
            width,
            height,
            progressive: marker == 0xc2,
            max_sampling: (hmax, vmax),
            components,
        });
        Ok(())
    }

    fn huffman_tables(&mut self, data: &[u8], at: usize) -> Result<(), DctError> {
        let mut rest = data;
        while let Some((&class_id, tail)) = rest.split_first() {
            let counts: [u8; 16] = tail
                .get(..16)
                .and_then(|c| c.try_into().ok())
                .ok_or_else(|| DctError::corrupt(at, "short DHT segment"))?;
            let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
            let values = tail
                .get(16..16 + total)
                .ok_or_else(|| DctError::corrupt(at, "short DHT segment"))?;
            let table =
                Table::new(&counts, values).map_err(|_| DctError::corrupt(at, "bad DHT"))?;
            let id = usize::from(class_id & 15);
            match (class_id >> 4, id) {
                (0, 0..=3) => self.dc_tables[id] = Some(table),
                (1, 0..=3) => self.ac_tables[id] = Some(table),
                _ => return Err(DctError::corrupt(at, "bad Huffman table class or id")),
            }
            rest = &tail[16 + total..];
        }
        Ok(())
    }

    fn quantisation_tables(&mut self, data: &[u8], at: usize) -> Result<(), DctError> {
        let mut rest = data;
        while let Some((&precision_id, tail)) = rest.split_first() {
            let wide = precision_id >> 4 == 1;
            let size = if wide { 128 } else { 64 };
            let values = tail
                .get(..size)
                .ok_or_else(|| DctError::corrupt(at, "short DQT segment"))?;
            let id = usize::from(precision_id & 15);
            if id > 3 || precision_id >> 4 > 1 {
                return Err(DctError::corrupt(at, "bad quantisation table id"));
            }
            let mut table = [0u16; 64];
            for (k, &natural) in ZIGZAG.iter().enumerate() {
                table[natural] = if wide {
                    u16::from(values[2 * k]) << 8 | u16::from(values[2 * k + 1])
                } else {
                    u16::from(values[k])
                };
            }
            self.quantisation[id] = Some(table);
            rest = &tail[size..];
        }
        Ok(())
    }

    fn finish(self) -> Result<Coefficients, DctError> {
        let frame = self
            .frame
            .ok_or_else(|| DctError::corrupt(0, "no frame header"))?;
        if frame.components.iter().any(|c| !c.latched) {
            return Err(DctError::corrupt(0, "a component appears in no scan"));
        }
        Ok(Coefficients {
            width: frame.width,
            height: frame.height,
            progressive: frame.progressive,
            components: frame.components,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/jpeg/dct");

    fn histogram(component: &Component) -> Vec<u64> {
        let mut counts = vec![0u64; 17];
        for block in component.image_blocks() {
            for &value in block {
                if (-8..=8).contains(&value) {
                    counts[(value + 8) as usize] += 1;
                }
            }
        }
        counts
    }

    fn compare(name: &str, expected: &Value) {
        let content = std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture");
        let read = read(&content, 1 << 24).unwrap_or_else(|e| panic!("{name}: {e}"));
        let components = expected["components"].as_array().expect("components");
        assert_eq!(read.components.len(), components.len(), "{name}");
        for (index, (component, want)) in read.components.iter().zip(components).enumerate() {
            let what = format!("{name} component {index}");
            let blocks = [component.blocks_high as u64, component.blocks_wide as u64];
            assert_eq!(want["blocks"], serde_json::json!(blocks), "{what}");
            let abs_sum: i64 = component
                .image_blocks()
                .flat_map(|b| b.iter())
                .map(|&v| i64::from(v).abs())
                .sum();
            assert_eq!(want["abs_sum"], abs_sum, "{what}");
            assert_eq!(
                want["histogram"],
                serde_json::json!(histogram(component)),
                "{what}"
            );
            let quantisation: Vec<u16> = component.quantisation.to_vec();
            assert_eq!(
                want["quantisation"],
                serde_json::json!(quantisation),
                "{what}"
            );
            for pick in want["coefficients"].as_array().expect("picks") {
                let at = |i: usize| pick[i].as_u64().expect("index") as usize;
                let block = component.block(at(1), at(0)).expect("block");
                assert_eq!(pick[3], block[at(2)], "{what} {pick}");
            }
        }
    }

    #[test]
    fn coefficients_match_libjpeg() {
        let text = std::fs::read_to_string(format!("{FIXTURES}/expected.json")).expect("json");
        let expected: Value = serde_json::from_str(&text).expect("json");
        let files = expected.as_object().expect("object");
        assert!(files.len() >= 7);
        for (name, digest) in files {
            compare(name, digest);
        }
    }

    #[test]
    fn frames_over_the_pixel_cap_are_refused_before_allocation() {
        let content = std::fs::read(format!("{FIXTURES}/grey.jpg")).expect("fixture");
        let refused = read(&content, 1000);
        assert!(matches!(
            refused,
            Err(DctError::TooLarge { limit: 1000, .. })
        ));
    }

    #[test]
    fn truncated_and_mutated_files_give_errors_not_panics() {
        for name in ["baseline_420.jpg", "progressive_420.jpg", "restart_422.jpg"] {
            let content = std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture");
            let cut = &content[..content.len() * 2 / 3];
            assert!(read(cut, 1 << 24).is_err(), "{name} cut");
            let mut state = 7u32;
            for _ in 0..300 {
                let mut mutated = content.clone();
                for _ in 0..4 {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    let at = (state >> 8) as usize % mutated.len();
                    mutated[at] = (state >> 3) as u8;
                }
                let _ = read(&mutated, 1 << 24);
            }
        }
    }

    #[test]
    fn arithmetic_coding_is_unsupported() {
        let content = [0xff, 0xd8, 0xff, 0xc9, 0x00, 0x02, 0xff, 0xd9];
        assert!(matches!(read(&content, 100), Err(DctError::Unsupported(_))));
    }
}
