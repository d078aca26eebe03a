//! A minimal, bounds-checked FlatBuffers reader: tables, their scalar, string, table and
//! vector fields, as the FlatBuffers binary format lays them out
//! (<https://flatbuffers.dev/internals/>). Enough to read Arrow and Feather metadata without
//! generated code; every offset is checked against the buffer, so a corrupt buffer is an
//! error, never a panic.

type Result<T> = std::result::Result<T, String>;

/// A table inside a buffer: where it starts and where its vtable is.
#[derive(Clone, Copy)]
pub struct Table<'a> {
    buf: &'a [u8],
    at: usize,
    vtable: usize,
    vtable_len: usize,
}

fn u16_at(buf: &[u8], at: usize) -> Result<u16> {
    let b = at
        .checked_add(2)
        .and_then(|end| buf.get(at..end))
        .ok_or_else(|| format!("flatbuffer cut off at byte {at}"))?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

pub fn u32_at(buf: &[u8], at: usize) -> Result<u32> {
    let b = at
        .checked_add(4)
        .and_then(|end| buf.get(at..end))
        .ok_or_else(|| format!("flatbuffer cut off at byte {at}"))?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

pub fn i64_at(buf: &[u8], at: usize) -> Result<i64> {
    let b = at
        .checked_add(8)
        .and_then(|end| buf.get(at..end))
        .ok_or_else(|| format!("flatbuffer cut off at byte {at}"))?;
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(b);
    Ok(i64::from_le_bytes(bytes))
}

/// Follows the unsigned offset stored at `at`.
fn follow(buf: &[u8], at: usize) -> Result<usize> {
    let offset = u32_at(buf, at)? as usize;
    at.checked_add(offset)
        .filter(|&to| to < buf.len())
        .ok_or_else(|| format!("offset at byte {at} points outside the buffer"))
}

impl<'a> Table<'a> {
    /// The root table of a buffer.
    pub fn root(buf: &'a [u8]) -> Result<Self> {
        Self::at(buf, follow(buf, 0)?)
    }

    fn at(buf: &'a [u8], at: usize) -> Result<Self> {
        let soffset = i64::from(u32_at(buf, at)? as i32);
        let vtable = i64::try_from(at)
            .ok()
            .and_then(|a| usize::try_from(a - soffset).ok())
            .ok_or_else(|| format!("vtable of the table at byte {at} is outside the buffer"))?;
        let vtable_len = usize::from(u16_at(buf, vtable)?);
        if vtable_len < 4 || vtable.checked_add(vtable_len).is_none_or(|e| e > buf.len()) {
            return Err(format!("vtable at byte {vtable} is malformed"));
        }
        Ok(Table {
            buf,
            at,
            vtable,
            vtable_len,
        })
    }

    /// Where field `index` is stored, or `None` when the table leaves it out.
    fn field(&self, index: usize) -> Result<Option<usize>> {
        let slot = 4 + 2 * index;
        if slot + 2 > self.vtable_len {
            return Ok(None);
        }
        match u16_at(self.buf, self.vtable + slot)? {
            0 => Ok(None),
            offset => Ok(Some(self.at + usize::from(offset))),
        }
    }

    pub fn u8(&self, index: usize) -> Result<Option<u8>> {
        self.field(index)?
            .map(|at| {
                self.buf
                    .get(at)
                    .copied()
                    .ok_or_else(|| format!("field cut off at byte {at}"))
            })
            .transpose()
    }

    pub fn i64(&self, index: usize) -> Result<Option<i64>> {
        self.field(index)?
            .map(|at| i64_at(self.buf, at))
            .transpose()
    }

    pub fn table(&self, index: usize) -> Result<Option<Table<'a>>> {
        self.field(index)?
            .map(|at| Table::at(self.buf, follow(self.buf, at)?))
            .transpose()
    }

    pub fn string(&self, index: usize) -> Result<Option<String>> {
        self.field(index)?
            .map(|at| {
                let (start, len) = self.vector_at(at)?;
                let bytes = start
                    .checked_add(len)
                    .and_then(|end| self.buf.get(start..end))
                    .ok_or_else(|| format!("string at byte {start} runs past the buffer"))?;
                Ok(String::from_utf8_lossy(bytes).into_owned())
            })
            .transpose()
    }

    /// A vector field: where its elements start and how many there are.
    pub fn vector(&self, index: usize) -> Result<Option<(usize, usize)>> {
        self.field(index)?.map(|at| self.vector_at(at)).transpose()
    }

    fn vector_at(&self, at: usize) -> Result<(usize, usize)> {
        let start = follow(self.buf, at)?;
        let len = u32_at(self.buf, start)? as usize;
        Ok((start + 4, len))
    }

    /// Element `i` of a vector of tables starting at `start`.
    pub fn table_in(&self, start: usize, i: usize) -> Result<Table<'a>> {
        let at = i
            .checked_mul(4)
            .and_then(|o| start.checked_add(o))
            .ok_or("vector index overflows")?;
        Table::at(self.buf, follow(self.buf, at)?)
    }

    pub fn buf(&self) -> &'a [u8] {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_built_table_is_read() {
        // root offset 12 -> table at 12; vtable at 4: len 8, table len 12, field 0 at +4
        // (a string offset), field 1 at +8 (a u8).
        let mut buf = vec![12, 0, 0, 0, 8, 0, 12, 0, 4, 0, 8, 0];
        buf.extend_from_slice(&8i32.to_le_bytes()); // soffset: 12 - 8 = 4
        buf.extend_from_slice(&8u32.to_le_bytes()); // string at 16 + 8 = 24
        buf.extend_from_slice(&[7, 0, 0, 0]);
        buf.extend_from_slice(&3u32.to_le_bytes());
        buf.extend_from_slice(b"age\0");
        let root = Table::root(&buf).unwrap();
        assert_eq!(root.string(0).unwrap().as_deref(), Some("age"));
        assert_eq!(root.u8(1).unwrap(), Some(7));
        assert_eq!(root.u8(2).unwrap(), None);
    }

    #[test]
    fn offsets_outside_the_buffer_are_errors() {
        assert!(Table::root(&[0xff, 0xff, 0xff, 0x7f]).is_err());
        assert!(Table::root(&[4, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f]).is_err());
    }
}
