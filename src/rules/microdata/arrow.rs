//! Arrow IPC files (Feather v2), Arrow IPC streams and Feather v1: column names from the
//! schema and rows summed over the record batches, read from the flatbuffer metadata the
//! Arrow columnar format specifies (<https://arrow.apache.org/docs/format/Columnar.html>,
//! `Schema.fbs`, `Message.fbs`, `File.fbs`; Feather v1: `feather.fbs` of Arrow 0.17).

use super::flatbuf::{i64_at, u32_at, Table};
use super::headers::{Shape, MAX_NAMES};

type Result<T> = std::result::Result<T, String>;

const FILE_MAGIC: &[u8] = b"ARROW1";
const FEATHER_V1_MAGIC: &[u8] = b"FEA1";

/// Most messages read from one stream.
const MAX_MESSAGES: usize = 1 << 20;

/// `MessageHeader` union members of `Message.fbs`.
const SCHEMA: u8 = 1;
const RECORD_BATCH: u8 = 3;

/// Bytes of a `Block` struct in the file footer: offset, metadata length (padded), body length.
const BLOCK_BYTES: usize = 24;

/// Column names of a `Schema` table: its top-level fields.
fn schema_names(schema: &Table) -> Result<(u64, Vec<String>)> {
    let Some((start, count)) = schema.vector(1)? else {
        return Ok((0, Vec::new()));
    };
    let mut names = Vec::new();
    for i in 0..count {
        let field = schema.table_in(start, i)?;
        if names.len() < MAX_NAMES {
            names.push(field.string(0)?.unwrap_or_default());
        } else {
            break;
        }
    }
    Ok((count as u64, names))
}

/// An encapsulated message at `at`: its flatbuffer and the byte after it.
fn message(data: &[u8], at: usize) -> Result<Option<(&[u8], usize)>> {
    let first = u32_at(data, at).map_err(|_| format!("message at byte {at} cut off"))?;
    let (length, start) = if first == u32::MAX {
        let length = u32_at(data, at + 4).map_err(|_| format!("message at byte {at} cut off"))?;
        (length as usize, at + 8)
    } else {
        (first as usize, at + 4)
    };
    if length == 0 {
        return Ok(None);
    }
    let end = start
        .checked_add(length)
        .filter(|&e| e <= data.len())
        .ok_or_else(|| format!("message at byte {at} declares {length} bytes past the end"))?;
    Ok(Some((&data[start..end], end)))
}

/// The `length` of a `RecordBatch` message, or `None` for another kind of message.
fn batch_rows(message: &Table) -> Result<Option<u64>> {
    if message.u8(1)? != Some(RECORD_BATCH) {
        return Ok(None);
    }
    let batch = message
        .table(2)?
        .ok_or("record batch message without a header")?;
    let rows = batch.i64(0)?.unwrap_or(0);
    u64::try_from(rows)
        .map(Some)
        .map_err(|_| format!("record batch of {rows} rows"))
}

/// An Arrow IPC file (Feather v2): the schema and record-batch blocks of its footer.
pub fn arrow_file(data: &[u8]) -> Result<Shape> {
    let n = data.len();
    if n < 14 || !data.starts_with(FILE_MAGIC) || !data.ends_with(FILE_MAGIC) {
        return Err("no ARROW1 magic at both ends".into());
    }
    let length = u32_at(data, n - 10)? as usize;
    let start = (n - 10)
        .checked_sub(length)
        .filter(|&s| s >= 8)
        .ok_or_else(|| format!("footer of {length} bytes runs past the start"))?;
    let footer = Table::root(&data[start..n - 10]).map_err(|e| format!("footer: {e}"))?;
    let schema = footer.table(1)?.ok_or("footer without a schema")?;
    let (columns, names) = schema_names(&schema)?;
    let mut rows = 0u64;
    let mut batches = 0usize;
    if let Some((blocks, count)) = footer.vector(3)? {
        for i in 0..count {
            let at = blocks + i * BLOCK_BYTES;
            let offset = i64_at(footer.buf(), at)?;
            let offset = usize::try_from(offset)
                .map_err(|_| format!("record batch {i} at offset {offset}"))?;
            let (meta, _) = message(data, offset)?
                .ok_or_else(|| format!("record batch {i} at byte {offset} is empty"))?;
            let message = Table::root(meta).map_err(|e| format!("batch at {offset}: {e}"))?;
            let batch = batch_rows(&message)?
                .ok_or_else(|| format!("block {i} at byte {offset} is not a record batch"))?;
            rows = rows.saturating_add(batch);
            batches += 1;
        }
    }
    Ok(Shape {
        rows: Some(rows),
        columns,
        names,
        detail: format!("Arrow IPC file, {batches} record batches"),
    })
}

/// An Arrow IPC stream: a schema message, then record batches (and dictionary batches)
/// until an end-of-stream marker or the end of the data.
pub fn arrow_stream(data: &[u8]) -> Result<Shape> {
    let mut at = 0usize;
    let mut shape: Option<Shape> = None;
    let mut batches = 0usize;
    for _ in 0..MAX_MESSAGES {
        if at >= data.len() {
            break;
        }
        let Some((meta, end)) = message(data, at)? else {
            break;
        };
        let message = Table::root(meta).map_err(|e| format!("message at byte {at}: {e}"))?;
        let body = message.i64(3)?.unwrap_or(0);
        let body = usize::try_from(body).map_err(|_| format!("body of {body} bytes at {at}"))?;
        if message.u8(1)? == Some(SCHEMA) {
            let schema = message.table(2)?.ok_or("schema message without a schema")?;
            let (columns, names) = schema_names(&schema)?;
            shape = Some(Shape {
                rows: Some(0),
                columns,
                names,
                detail: String::new(),
            });
        } else if let Some(rows) = batch_rows(&message)? {
            let shape = shape
                .as_mut()
                .ok_or_else(|| format!("record batch at byte {at} before the schema"))?;
            shape.rows = shape.rows.map(|r| r.saturating_add(rows));
            batches += 1;
        }
        at = end
            .checked_add(body)
            .filter(|&e| e <= data.len())
            .ok_or_else(|| format!("message body at byte {end} runs past the end"))?;
    }
    let mut shape = shape.ok_or("stream without a schema message")?;
    shape.detail = format!("Arrow IPC stream, {batches} record batches");
    Ok(shape)
}

/// Feather v1: the `CTable` metadata at the end of the file gives rows and columns.
pub fn feather_v1(data: &[u8]) -> Result<Shape> {
    let n = data.len();
    if n < 12 || !data.starts_with(FEATHER_V1_MAGIC) || !data.ends_with(FEATHER_V1_MAGIC) {
        return Err("no FEA1 magic at both ends".into());
    }
    let length = u32_at(data, n - 8)? as usize;
    let start = (n - 8)
        .checked_sub(length)
        .filter(|&s| s >= 4)
        .ok_or_else(|| format!("metadata of {length} bytes runs past the start"))?;
    let table = Table::root(&data[start..n - 8]).map_err(|e| format!("metadata: {e}"))?;
    let rows = table.i64(1)?.unwrap_or(0);
    let rows = u64::try_from(rows).map_err(|_| format!("{rows} rows"))?;
    let (mut names, mut columns) = (Vec::new(), 0);
    if let Some((start, count)) = table.vector(2)? {
        columns = count as u64;
        for i in 0..count.min(MAX_NAMES) {
            names.push(table.table_in(start, i)?.string(0)?.unwrap_or_default());
        }
    }
    Ok(Shape {
        rows: Some(rows),
        columns,
        names,
        detail: "Feather v1".into(),
    })
}

/// Any of the three layouts, told apart by their magic.
pub fn arrow(data: &[u8]) -> Result<Shape> {
    if data.starts_with(FILE_MAGIC) {
        arrow_file(data)
    } else if data.starts_with(FEATHER_V1_MAGIC) {
        feather_v1(data)
    } else {
        arrow_stream(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_files_are_errors() {
        assert!(arrow(b"ARROW1\0\0ARROW1").is_err());
        assert!(arrow(b"ARROW1\0\0\xff\xff\xff\x7fARROW1").is_err());
        assert!(arrow(b"FEA1\0\0\0\0FEA1").is_err());
        assert!(arrow(b"\xff\xff\xff\xff\x10\0\0\0").is_err());
        assert!(arrow(b"").is_err());
    }
}
