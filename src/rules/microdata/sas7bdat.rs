//! SAS data sets (`.sas7bdat`): rows, columns and variable names from the file header and the
//! metadata subheaders of its pages, as the format was reverse-engineered by Matt Shotwell
//! ("SAS7BDAT Database Binary Format", the R package `sas7bdat`) and read by pandas'
//! `sas7bdat.py` and ReadStat. No data row is decoded.
//!
//! The header says whether integers are 4 or 8 bytes (a 32- or 64-bit file) and their byte
//! order, where pages start and how long they are. Each metadata page lists subheaders by
//! pointer; a subheader is known by its signature: the row-size subheader holds the row count,
//! the column-size subheader the column count, column-text subheaders hold the names' text,
//! and column-name subheaders point into that text.

use super::headers::{Shape, MAX_NAMES};

type Result<T> = std::result::Result<T, String>;

/// The 32 bytes every sas7bdat file starts with.
pub const MAGIC: [u8; 32] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc2, 0xea, 0x81, 0x60, 0xb3, 0x14, 0x11, 0xcf, 0xbd, 0x92,
    0x08, 0x00, 0x09, 0xc7, 0x31, 0x8c, 0x18, 0x1f, 0x10, 0x11,
];

// Subheader signatures: the low 32 bits of the first integer of a subheader.
const ROW_SIZE: u32 = 0xF7F7_F7F7;
const COLUMN_SIZE: u32 = 0xF6F6_F6F6;
const COLUMN_TEXT: u32 = 0xFFFF_FFFD;
const COLUMN_NAME: u32 = 0xFFFF_FFFF;

// Page types, as ReadStat masks them: bits 0x0F00 tell data pages (0x0100) from pages that
// carry subheaders (meta 0, mix 0x0200, amd 0x0400, second meta 0x4000); bit 0x8000 marks a
// compressed-table page (0x9000) that holds no column metadata.
const PAGE_TYPE_MASK: u16 = 0x0F00;
const DATA_PAGE: u16 = 0x0100;
const COMP_PAGE: u16 = 0x8000;

/// Most pages scanned for metadata.
const MAX_PAGES: u64 = 1 << 20;

/// Most column-text blocks kept.
const MAX_TEXTS: usize = 4096;

/// Integers of the file's width and byte order.
struct Layout {
    wide: bool,
    little: bool,
}

impl Layout {
    fn int_len(&self) -> usize {
        if self.wide {
            8
        } else {
            4
        }
    }

    fn bytes<'a>(&self, data: &'a [u8], at: usize, len: usize) -> Result<&'a [u8]> {
        at.checked_add(len)
            .and_then(|end| data.get(at..end))
            .ok_or_else(|| format!("file cut off at byte {at}"))
    }

    fn uint(&self, data: &[u8], at: usize, len: usize) -> Result<u64> {
        let bytes = self.bytes(data, at, len)?;
        let fold = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
        Ok(if self.little {
            bytes.iter().rev().fold(0, fold)
        } else {
            bytes.iter().fold(0, fold)
        })
    }

    /// An integer of the file's width.
    fn int(&self, data: &[u8], at: usize) -> Result<u64> {
        self.uint(data, at, self.int_len())
    }

    fn usize(&self, data: &[u8], at: usize, len: usize) -> Result<usize> {
        let value = self.uint(data, at, len)?;
        usize::try_from(value).map_err(|_| format!("value {value} at byte {at} is too large"))
    }

    /// A subheader's signature: the low 32 bits of its first integer.
    fn signature(&self, data: &[u8], at: usize) -> Result<u32> {
        Ok((self.int(data, at)? & 0xFFFF_FFFF) as u32)
    }
}

/// What the metadata subheaders gave so far.
#[derive(Default)]
struct Meta<'a> {
    rows: Option<u64>,
    columns: Option<u64>,
    /// Column-text blocks, in file order (column names point at them by index).
    texts: Vec<&'a [u8]>,
    /// (text block, offset, length) of the first [`MAX_NAMES`] column names.
    names: Vec<(usize, usize, usize)>,
}

impl Meta<'_> {
    /// Whether everything reported is known, so later pages need not be read.
    fn complete(&self) -> bool {
        self.rows.is_some()
            && self
                .columns
                .is_some_and(|c| self.names.len() as u64 >= c.min(MAX_NAMES as u64))
    }
}

/// Reads the header and the metadata pages until the row count, column count and the first
/// [`MAX_NAMES`] names are known, or the pages run out. A file shorter than its header says is
/// an error, whether or not the missing pages would be read.
// Limitation: the row count is the row-size subheader's, which is what SAS, ReadStat and
// pandas report; rows a SAS `modify` marked deleted are still counted. Files written by SAS
// with RLE or RDC compression keep their metadata subheaders uncompressed and are read the same
// way, but the fixtures are ReadStat-written (64-bit, little-endian, uncompressed): 32-bit and
// big-endian layouts are tested on hand-built files only.
pub fn sas7bdat(data: &[u8]) -> Result<Shape> {
    if data.get(..32) != Some(&MAGIC[..]) {
        return Err("no sas7bdat magic number".into());
    }
    let flag = |at: usize| data.get(at).copied().ok_or("header cut off");
    let layout = Layout {
        wide: flag(32)? == b'3',
        little: flag(37)? == 1,
    };
    let pad = if flag(35)? == b'3' { 4 } else { 0 };
    let header_length = layout.usize(data, 196 + pad, 4)?;
    let page_length = layout.usize(data, 200 + pad, 4)?;
    let page_count = layout.int(data, 204 + pad)?;
    if header_length < 256 || page_length < 64 {
        return Err(format!(
            "header length {header_length} or page length {page_length} is too small"
        ));
    }
    let declared = u64::try_from(page_length)
        .ok()
        .and_then(|p| p.checked_mul(page_count))
        .and_then(|p| p.checked_add(header_length as u64));
    if declared.is_none_or(|d| d > data.len() as u64) {
        return Err(format!(
            "file cut off: a header of {header_length} bytes and {page_count} pages of \
             {page_length} bytes declared, {} bytes present",
            data.len()
        ));
    }
    let mut meta = Meta::default();
    for page in 0..page_count.min(MAX_PAGES) {
        let start = usize::try_from(page)
            .ok()
            .and_then(|p| p.checked_mul(page_length))
            .and_then(|o| o.checked_add(header_length))
            .ok_or("page offset overflows")?;
        let page_data = layout
            .bytes(data, start, page_length)
            .map_err(|_| format!("page {page} of {page_count} runs past the end of the file"))?;
        read_page(page_data, &layout, &mut meta).map_err(|e| format!("page {page}: {e}"))?;
        if meta.complete() {
            break;
        }
    }
    let rows = meta.rows.ok_or("no row-size subheader")?;
    let columns = meta.columns.ok_or("no column-size subheader")?;
    let mut names = Vec::new();
    for &(text, offset, length) in &meta.names {
        let block = meta
            .texts
            .get(text)
            .ok_or_else(|| format!("column name points at text block {text}, which is missing"))?;
        let bytes = offset
            .checked_add(length)
            .and_then(|end| block.get(offset..end))
            .ok_or_else(|| format!("column name at {offset}+{length} runs past its text"))?;
        names.push(String::from_utf8_lossy(bytes).trim_end().to_string());
    }
    Ok(Shape {
        rows: Some(rows),
        columns,
        names,
        detail: format!(
            "SAS7BDAT, {}-bit, {}-endian, {page_count} pages of {page_length} bytes",
            if layout.wide { 64 } else { 32 },
            if layout.little { "little" } else { "big" }
        ),
    })
}

/// Reads one page's metadata subheaders into `meta`; data pages are passed over. Subheaders
/// whose pointer marks them compressed (data rows) or truncated (unused) are skipped, as
/// ReadStat and pandas skip them.
fn read_page<'a>(page: &'a [u8], layout: &Layout, meta: &mut Meta<'a>) -> Result<()> {
    let int_len = layout.int_len();
    let bit_offset = if layout.wide { 32 } else { 16 };
    let page_type = layout.uint(page, bit_offset, 2)? as u16;
    if page_type & COMP_PAGE != 0 || page_type & PAGE_TYPE_MASK == DATA_PAGE {
        return Ok(());
    }
    let count = layout.usize(page, bit_offset + 4, 2)?;
    let pointer_length = if layout.wide { 24 } else { 12 };
    for i in 0..count {
        let at = bit_offset + 8 + i * pointer_length;
        let offset = layout.usize(page, at, int_len)?;
        let length = layout.usize(page, at + int_len, int_len)?;
        let compression = layout.uint(page, at + 2 * int_len, 1)? as u8;
        if length == 0 || compression != 0 {
            continue;
        }
        let body = layout
            .bytes(page, offset, length)
            .map_err(|_| format!("subheader {i} at {offset}+{length} runs past the page"))?;
        if length < int_len {
            continue;
        }
        match layout.signature(body, 0)? {
            ROW_SIZE => meta.rows = Some(layout.int(body, 6 * int_len)?),
            COLUMN_SIZE => meta.columns = Some(layout.int(body, int_len)?),
            // The block is the rest of the subheader, as ReadStat takes it; its first two bytes
            // are a size that writers disagree on (ReadStat writes the length less 4 + 2
            // integers), so it is not trusted.
            COLUMN_TEXT if meta.texts.len() < MAX_TEXTS => {
                meta.texts.push(body.get(int_len..).unwrap_or_default());
            }
            COLUMN_NAME => {
                let pointers = length.saturating_sub(2 * int_len + 12) / 8;
                for p in 0..pointers.min(MAX_NAMES.saturating_sub(meta.names.len())) {
                    let at = int_len + 8 * (p + 1);
                    meta.names.push((
                        layout.usize(body, at, 2)?,
                        layout.usize(body, at + 2, 2)?,
                        layout.usize(body, at + 4, 2)?,
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(buf: &mut [u8], at: usize, len: usize, value: u64, little: bool) {
        let bytes = value.to_be_bytes();
        let mut field = bytes[8 - len..].to_vec();
        if little {
            field.reverse();
        }
        buf[at..at + len].copy_from_slice(&field);
    }

    /// A one-page sas7bdat file laid out as the format description says: header, then a meta
    /// page with row-size, column-size, column-text and column-name subheaders.
    fn file(wide: bool, little: bool, rows: u64, names: &[&str]) -> Vec<u8> {
        let (int_len, pad, bit_offset, pointer) =
            if wide { (8, 4, 32, 24) } else { (4, 0, 16, 12) };
        let (header, page) = (1024, 2048);
        let mut data = vec![0u8; header + page];
        data[..32].copy_from_slice(&MAGIC);
        data[32] = if wide { b'3' } else { b'2' };
        data[35] = if wide { b'3' } else { b'2' };
        data[37] = u8::from(little);
        put(&mut data, 196 + pad, 4, header as u64, little);
        put(&mut data, 200 + pad, 4, page as u64, little);
        put(&mut data, 204 + pad, int_len, 1, little);
        let mut text = vec![0u8; 4];
        let mut spans = Vec::new();
        for name in names {
            spans.push((text.len(), name.len()));
            text.extend_from_slice(name.as_bytes());
        }
        let size = text.len() as u64;
        put(&mut text, 0, 2, size, little);
        let n = names.len();
        let mut bodies = Vec::new();
        let mut row_size = vec![0u8; 20 * int_len];
        put(&mut row_size, 0, int_len, u64::from(ROW_SIZE), little);
        put(&mut row_size, 6 * int_len, int_len, rows, little);
        bodies.push(row_size);
        let mut column_size = vec![0u8; 3 * int_len];
        put(&mut column_size, 0, int_len, u64::from(COLUMN_SIZE), little);
        put(&mut column_size, int_len, int_len, n as u64, little);
        bodies.push(column_size);
        let mut column_text = vec![0u8; int_len];
        column_text.extend_from_slice(&text);
        put(&mut column_text, 0, int_len, 0xFFFF_FFFF_FFFF_FFFD, little);
        bodies.push(column_text);
        let mut column_name = vec![0u8; 2 * int_len + 12 + 8 * n];
        put(&mut column_name, 0, int_len, u64::MAX, little);
        for (p, (offset, length)) in spans.iter().enumerate() {
            let at = int_len + 8 * (p + 1);
            put(&mut column_name, at + 2, 2, *offset as u64, little);
            put(&mut column_name, at + 4, 2, *length as u64, little);
        }
        bodies.push(column_name);
        let page_data = &mut data[header..];
        put(page_data, bit_offset + 4, 2, bodies.len() as u64, little);
        let mut offset = 512;
        for (i, body) in bodies.iter().enumerate() {
            let at = bit_offset + 8 + i * pointer;
            put(page_data, at, int_len, offset as u64, little);
            put(page_data, at + int_len, int_len, body.len() as u64, little);
            page_data[offset..offset + body.len()].copy_from_slice(body);
            offset += body.len();
        }
        data
    }

    #[test]
    fn both_widths_and_byte_orders_are_read() {
        let names = ["id", "dob", "postcode"];
        for (wide, little) in [(false, false), (false, true), (true, false), (true, true)] {
            let shape = sas7bdat(&file(wide, little, 1234, &names)).unwrap();
            assert_eq!(shape.rows, Some(1234), "wide {wide} little {little}");
            assert_eq!(shape.columns, 3);
            assert_eq!(shape.names, names);
            assert!(shape
                .detail
                .contains(if wide { "64-bit" } else { "32-bit" }));
        }
    }

    #[test]
    fn broken_files_are_errors() {
        assert!(sas7bdat(b"not a sas file").is_err());
        let good = file(true, true, 3, &["a"]);
        let error = sas7bdat(&good[..2000]).unwrap_err();
        assert!(error.contains("cut off"), "{error}");
        // Two pages declared, one present.
        let mut more = good.clone();
        put(&mut more, 208, 8, 2, true);
        assert!(sas7bdat(&more).unwrap_err().contains("cut off"));
        // The column name points at a text block that does not exist.
        let mut bad = good.clone();
        // Page at 1024, subheaders from 512 in it: row size (160 bytes), column size (24),
        // column text (8 + 5), then the column names, whose first pointer is 16 bytes in.
        let first_pointer = 1024 + 512 + 160 + 24 + 13 + 16;
        put(&mut bad, first_pointer, 2, 7, true);
        let error = sas7bdat(&bad).unwrap_err();
        assert!(error.contains("text block 7"), "{error}");
        // A subheader pointer past the page.
        let mut far = good;
        put(&mut far, 1024 + 40, 8, 4000, true);
        assert!(sas7bdat(&far).unwrap_err().contains("runs past the page"));
    }
}
