//! Parquet footers: the row count and column names from the Thrift-encoded `FileMetaData`,
//! read with a minimal compact-protocol reader (no Parquet library needed).

use super::headers::{Shape, MAX_NAMES};

/// Deepest nesting of Thrift structs and lists followed.
const MAX_DEPTH: usize = 32;

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

type Result<T> = std::result::Result<T, &'static str>;

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.data.get(self.pos).ok_or("footer cut off")?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("varint too long")
    }

    fn zigzag(&mut self) -> Result<i64> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn binary(&mut self) -> Result<&[u8]> {
        let n = usize::try_from(self.varint()?).map_err(|_| "length overflows")?;
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let end = end.ok_or("string runs past the footer")?;
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    /// Reads a field header: `None` at the struct's end, else (field id, type).
    fn field(&mut self, last: &mut i16) -> Result<Option<(i16, u8)>> {
        let b = self.byte()?;
        if b == 0 {
            return Ok(None);
        }
        let kind = b & 0x0f;
        let delta = (b >> 4) as i16;
        *last = if delta == 0 {
            self.zigzag()? as i16
        } else {
            last.wrapping_add(delta)
        };
        Ok(Some((*last, kind)))
    }

    fn list_header(&mut self) -> Result<(u64, u8)> {
        let b = self.byte()?;
        let size = match b >> 4 {
            15 => self.varint()?,
            n => u64::from(n),
        };
        Ok((size, b & 0x0f))
    }

    /// Skips an element of a list or map. Booleans there take a byte each (in a struct they
    /// live in the field header), so every element consumes input and a huge declared size
    /// ends at the footer's end instead of looping.
    fn element(&mut self, kind: u8, depth: usize) -> Result<()> {
        if matches!(kind, 1 | 2) {
            return self.byte().map(|_| ());
        }
        self.skip(kind, depth)
    }

    fn skip(&mut self, kind: u8, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err("footer nested too deep");
        }
        match kind {
            1 | 2 => {}
            3 => {
                self.byte()?;
            }
            4..=6 => {
                self.varint()?;
            }
            7 => {
                for _ in 0..8 {
                    self.byte()?;
                }
            }
            8 => {
                self.binary()?;
            }
            9 | 10 => {
                let (size, inner) = self.list_header()?;
                for _ in 0..size {
                    self.element(inner, depth + 1)?;
                }
            }
            11 => {
                let size = self.varint()?;
                if size > 0 {
                    let types = self.byte()?;
                    for _ in 0..size {
                        self.element(types >> 4, depth + 1)?;
                        self.element(types & 0x0f, depth + 1)?;
                    }
                }
            }
            12 => {
                let mut last = 0;
                while let Some((_, kind)) = self.field(&mut last)? {
                    self.skip(kind, depth + 1)?;
                }
            }
            _ => return Err("unknown Thrift type"),
        }
        Ok(())
    }
}

/// Reads the footer of a whole Parquet file.
pub fn parquet(data: &[u8]) -> std::result::Result<Shape, String> {
    let n = data.len();
    if n < 12 || &data[n - 4..] != b"PAR1" {
        return Err("no PAR1 footer magic".into());
    }
    let length = u32::from_le_bytes([data[n - 8], data[n - 7], data[n - 6], data[n - 5]]) as usize;
    let start = (n - 8)
        .checked_sub(length)
        .ok_or("footer length runs past the start")?;
    let mut reader = Reader {
        data: &data[start..n - 8],
        pos: 0,
    };
    file_metadata(&mut reader).map_err(|e| format!("footer: {e}"))
}

fn file_metadata(r: &mut Reader) -> Result<Shape> {
    let mut shape = Shape::default();
    let mut last = 0;
    while let Some((id, kind)) = r.field(&mut last)? {
        match (id, kind) {
            (2, 9) => {
                let (size, inner) = r.list_header()?;
                for index in 0..size {
                    if inner != 12 {
                        return Err("schema is not a list of structs");
                    }
                    let (name, children) = schema_element(r)?;
                    // The first element is the root; leaves are the columns.
                    if index > 0 && children == 0 {
                        shape.columns += 1;
                        if shape.names.len() < MAX_NAMES {
                            shape.names.push(name);
                        }
                    }
                }
            }
            (3, 6) => shape.rows = Some(u64::try_from(r.zigzag()?).unwrap_or(0)),
            _ => r.skip(kind, 0)?,
        }
    }
    if shape.rows.is_none() {
        return Err("no row count");
    }
    shape.detail = "Parquet".into();
    Ok(shape)
}

fn schema_element(r: &mut Reader) -> Result<(String, i64)> {
    let (mut name, mut children) = (String::new(), 0);
    let mut last = 0;
    while let Some((id, kind)) = r.field(&mut last)? {
        match (id, kind) {
            (4, 8) => name = String::from_utf8_lossy(r.binary()?).into_owned(),
            (5, 5) => children = r.zigzag()?,
            _ => r.skip(kind, 0)?,
        }
    }
    Ok((name, children))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footer_of_a_small_file_is_read() {
        // FileMetaData { 1: version 1, 2: [root(children 1), leaf "age"], 3: rows 40 }
        let mut meta = vec![0x15, 0x02, 0x19, 0x2c];
        meta.extend_from_slice(&[0x48, 0x04]);
        meta.extend_from_slice(b"root");
        meta.extend_from_slice(&[0x15, 0x02, 0x00]);
        meta.extend_from_slice(&[0x48, 0x03]);
        meta.extend_from_slice(b"age");
        meta.push(0x00);
        meta.extend_from_slice(&[0x16, 80, 0x00]);
        let mut file = b"PAR1".to_vec();
        file.extend_from_slice(&meta);
        file.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        file.extend_from_slice(b"PAR1");
        let shape = parquet(&file).unwrap();
        assert_eq!(shape.rows, Some(40));
        assert_eq!(shape.columns, 1);
        assert_eq!(shape.names, vec!["age".to_string()]);
    }

    #[test]
    fn bad_footers_are_errors() {
        // A list of 2^60 booleans ends at the footer's end.
        let list = b"PAR1\x19\xf1\x80\x80\x80\x80\x80\x80\x80\x80\x01\x0b\x00\x00\x00PAR1";
        assert!(parquet(list).is_err());
        assert!(parquet(b"PAR1\xff\xff\xff\x7fPAR1").is_err());
        assert!(parquet(b"PAR1\x19\x01\x00\x00\x00\x00PAR1").is_err());
    }
}
