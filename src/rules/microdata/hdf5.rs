//! HDF5 files (`.h5`, `.hdf5`): the shape of every data set, found by walking the group tree
//! from the superblock as the HDF5 File Format Specification (version 3.0) lays it out. No
//! data is read: only superblocks, object headers, B-tree and symbol-table nodes, local heaps
//! and the dataspace and datatype messages.
//!
//! Superblocks 0 and 1 root the tree in a symbol table (a version 1 B-tree of symbol-table
//! nodes whose names live in a local heap); superblocks 2 and 3 point at the root group's
//! object header, whose link messages name its members. A data set's rows are its first
//! dimension; its columns the product of the others, or the members of a compound type.

use std::collections::HashSet;

use super::headers::{Shape, MAX_NAMES};

type Result<T> = std::result::Result<T, String>;

const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";

/// Most objects (groups and data sets) visited, and the deepest group nesting followed.
const MAX_OBJECTS: usize = 4096;
const MAX_DEPTH: usize = 32;

/// Most data sets reported from one file.
const MAX_DATASETS: usize = 64;

/// Most header messages read from one object, over all its continuation blocks.
const MAX_MESSAGES: usize = 4096;

// Header message types.
const DATASPACE: u16 = 0x0001;
const LINK_INFO: u16 = 0x0002;
const DATATYPE: u16 = 0x0003;
const LINK: u16 = 0x0006;
const LAYOUT: u16 = 0x0008;
const CONTINUATION: u16 = 0x0010;
const SYMBOL_TABLE: u16 = 0x0011;

struct File<'a> {
    data: &'a [u8],
    base: u64,
    offsets: usize,
    lengths: usize,
}

/// What an object header holds that the walk needs.
#[derive(Default)]
struct Object {
    dims: Option<Vec<u64>>,
    compound_members: Option<u64>,
    /// The compound type's member names, when they could be stepped through.
    compound_names: Vec<String>,
    is_dataset: bool,
    symbol_table: Option<(u64, u64)>,
    links: Vec<(String, u64)>,
}

impl<'a> File<'a> {
    fn bytes(&self, at: u64, len: usize) -> Result<&'a [u8]> {
        usize::try_from(at)
            .ok()
            .and_then(|a| Some(a..a.checked_add(len)?))
            .and_then(|r| self.data.get(r))
            .ok_or_else(|| format!("{len} bytes at {at} run past the end of the file"))
    }

    fn uint(&self, at: u64, len: usize) -> Result<u64> {
        Ok(le(self.bytes(at, len)?))
    }

    /// A file address, made absolute by the base address.
    fn address(&self, at: u64) -> Result<u64> {
        let raw = self.uint(at, self.offsets)?;
        raw.checked_add(self.base)
            .ok_or_else(|| format!("address at {at} overflows"))
    }

    /// The messages of the object header at `at`: (type, body).
    fn messages(&self, at: u64) -> Result<Vec<(u16, &'a [u8])>> {
        let mut out = Vec::new();
        if self.bytes(at, 4)? == b"OHDR" {
            let version = self.uint(at + 4, 1)?;
            if version != 2 {
                return Err(format!("object header at {at} has version {version}"));
            }
            let flags = self.uint(at + 5, 1)?;
            let mut pos = at + 6;
            if flags & 0x20 != 0 {
                pos += 16;
            }
            if flags & 0x10 != 0 {
                pos += 4;
            }
            let size_len = 1usize << (flags & 3);
            let size = self.uint(pos, size_len)?;
            pos += size_len as u64;
            let tracked = flags & 0x04 != 0;
            let mut blocks = vec![(pos, size)];
            while let Some((start, size)) = blocks.pop() {
                let chunk = self.bytes(start, usize::try_from(size).map_err(|e| e.to_string())?)?;
                let mut p = 0usize;
                let head = if tracked { 6 } else { 4 };
                while p + head <= chunk.len() {
                    let kind = u16::from(chunk[p]);
                    let len = usize::from(u16::from_le_bytes([chunk[p + 1], chunk[p + 2]]));
                    let body = chunk
                        .get(p + head..p + head + len)
                        .ok_or_else(|| format!("message at {} runs past its chunk", start))?;
                    if kind == CONTINUATION {
                        let (next, length) = self.continuation(body)?;
                        let sig = self.bytes(next, 4)?;
                        if sig != b"OCHK" {
                            return Err(format!("continuation at {next} has no OCHK signature"));
                        }
                        blocks.push((next + 4, length.saturating_sub(8)));
                    }
                    out.push((kind, body));
                    if out.len() > MAX_MESSAGES {
                        return Err(format!("object at {at} has too many messages"));
                    }
                    p += head + len;
                }
            }
        } else {
            let version = self.uint(at, 1)?;
            if version != 1 {
                return Err(format!("object header at {at} has version {version}"));
            }
            let size = self.uint(at + 8, 4)?;
            let mut blocks = vec![(at + 16, size)];
            while let Some((start, size)) = blocks.pop() {
                let chunk = self.bytes(start, usize::try_from(size).map_err(|e| e.to_string())?)?;
                let mut p = 0usize;
                while p + 8 <= chunk.len() {
                    let kind = u16::from_le_bytes([chunk[p], chunk[p + 1]]);
                    let len = usize::from(u16::from_le_bytes([chunk[p + 2], chunk[p + 3]]));
                    let body = chunk
                        .get(p + 8..p + 8 + len)
                        .ok_or_else(|| format!("message at {} runs past its block", start))?;
                    if kind == CONTINUATION {
                        blocks.push(self.continuation(body)?);
                    }
                    out.push((kind, body));
                    if out.len() > MAX_MESSAGES {
                        return Err(format!("object at {at} has too many messages"));
                    }
                    p += 8 + len;
                }
            }
        }
        Ok(out)
    }

    fn continuation(&self, body: &[u8]) -> Result<(u64, u64)> {
        let address = body
            .get(..self.offsets)
            .map(le)
            .ok_or("continuation message cut off")?;
        let length = body
            .get(self.offsets..self.offsets + self.lengths)
            .map(le)
            .ok_or("continuation message cut off")?;
        Ok((address.saturating_add(self.base), length))
    }

    fn object(&self, at: u64) -> Result<Object> {
        let mut object = Object::default();
        for (kind, body) in self.messages(at)? {
            match kind {
                DATASPACE => object.dims = Some(self.dataspace(body)?),
                DATATYPE => {
                    let class = body.first().ok_or("datatype message cut off")? & 0x0f;
                    if class == 6 {
                        let fields = body.get(1..3).ok_or("datatype message cut off")?;
                        object.compound_members = Some(le(fields));
                        object.compound_names = compound_names(body).unwrap_or_default();
                    }
                }
                LAYOUT => object.is_dataset = true,
                SYMBOL_TABLE => {
                    let btree = body.get(..self.offsets).map(le);
                    let heap = body.get(self.offsets..2 * self.offsets).map(le);
                    let (Some(b), Some(h)) = (btree, heap) else {
                        return Err("symbol table message cut off".into());
                    };
                    object.symbol_table =
                        Some((b.saturating_add(self.base), h.saturating_add(self.base)));
                }
                LINK => {
                    if let Some(link) = self.link(body)? {
                        object.links.push(link);
                    }
                }
                LINK_INFO => {
                    // Flags, then the creation-order index if tracked, then the fractal heap.
                    let flags = *body.get(1).ok_or("link info cut off")?;
                    let at = 2 + if flags & 1 != 0 { 8 } else { 0 };
                    let heap = body
                        .get(at..at + self.offsets)
                        .map(le)
                        .ok_or("link info cut off")?;
                    if heap != u64::MAX >> (64 - 8 * self.offsets as u32) {
                        // Limitation: groups with many links keep them in a fractal heap
                        // ("dense" storage), which is not read; such a file stays unreadable.
                        return Err("a group keeps its links in dense storage".into());
                    }
                }
                _ => {}
            }
        }
        Ok(object)
    }

    fn dataspace(&self, body: &[u8]) -> Result<Vec<u64>> {
        let version = *body.first().ok_or("dataspace cut off")?;
        let rank = usize::from(*body.get(1).ok_or("dataspace cut off")?);
        let start = match version {
            1 => 8,
            2 => 4,
            _ => return Err(format!("dataspace version {version}")),
        };
        (0..rank)
            .map(|i| {
                let at = start + i * self.lengths;
                body.get(at..at + self.lengths)
                    .map(le)
                    .ok_or_else(|| "dataspace dimensions cut off".to_string())
            })
            .collect()
    }

    /// A link message's name and, for a hard link, the object it points at.
    fn link(&self, body: &[u8]) -> Result<Option<(String, u64)>> {
        let cut = || "link message cut off".to_string();
        let flags = *body.get(1).ok_or_else(cut)?;
        let mut p = 2usize;
        let mut kind = 0u8;
        if flags & 0x08 != 0 {
            kind = *body.get(p).ok_or_else(cut)?;
            p += 1;
        }
        if flags & 0x04 != 0 {
            p += 8;
        }
        if flags & 0x10 != 0 {
            p += 1;
        }
        let size_len = 1usize << (flags & 3);
        let name_len = usize::try_from(le(body.get(p..p + size_len).ok_or_else(cut)?))
            .map_err(|e| e.to_string())?;
        p += size_len;
        let name = body.get(p..p + name_len).ok_or_else(cut)?;
        p += name_len;
        if kind != 0 {
            return Ok(None);
        }
        let address = le(body.get(p..p + self.offsets).ok_or_else(cut)?);
        Ok(Some((
            String::from_utf8_lossy(name).into_owned(),
            address.saturating_add(self.base),
        )))
    }

    /// The members of a group kept in a symbol table: a version 1 B-tree whose leaves point at
    /// symbol-table nodes, names in the local heap.
    fn symbol_table(
        &self,
        btree: u64,
        heap: u64,
        seen: &mut HashSet<u64>,
    ) -> Result<Vec<(String, u64)>> {
        if self.bytes(heap, 4)? != b"HEAP" {
            return Err(format!("no local heap at {heap}"));
        }
        let heap_data = self.address(heap + 8 + 2 * self.lengths as u64)?;
        let mut out = Vec::new();
        let mut nodes = vec![btree];
        while let Some(node) = nodes.pop() {
            if !seen.insert(node) || seen.len() > MAX_OBJECTS {
                return Err(format!(
                    "B-tree node at {node} reached twice or too many nodes"
                ));
            }
            match self.bytes(node, 4)? {
                b"TREE" => {
                    let entries = self.uint(node + 6, 2)?;
                    let mut p = node + 8 + 2 * self.offsets as u64;
                    for _ in 0..entries {
                        p += self.lengths as u64;
                        let child = self.address(p)?;
                        p += self.offsets as u64;
                        nodes.push(child);
                        if nodes.len() > MAX_OBJECTS {
                            return Err(format!("a group B-tree has over {MAX_OBJECTS} nodes"));
                        }
                    }
                }
                b"SNOD" => {
                    let count = self.uint(node + 6, 2)?;
                    let entry = 2 * self.offsets as u64 + 24;
                    for i in 0..count {
                        let at = node + 8 + i * entry;
                        let name_at = self.uint(at, self.offsets)?;
                        let object = self.address(at + self.offsets as u64)?;
                        let start = heap_data
                            .checked_add(name_at)
                            .ok_or("heap name offset overflows")?;
                        let rest = usize::try_from(start)
                            .ok()
                            .and_then(|s| self.data.get(s..))
                            .ok_or_else(|| format!("name at {start} is past the end"))?;
                        let name = rest.split(|&b| b == 0).next().unwrap_or_default();
                        let name = String::from_utf8_lossy(name).into_owned();
                        out.push((name, object));
                        if out.len() > MAX_OBJECTS {
                            return Err(format!("a group has over {MAX_OBJECTS} members"));
                        }
                    }
                }
                other => {
                    return Err(format!("unknown group node {:?} at {node}", other));
                }
            }
        }
        Ok(out)
    }
}

/// Deepest nesting of datatypes stepped through.
const MAX_TYPE_DEPTH: usize = 16;

/// The member names of a compound datatype message (versions 1 to 3), read by stepping
/// through each member's name, offset and datatype.
fn compound_names(body: &[u8]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    datatype_len(body, 0, 0, &mut names)?;
    Ok(names)
}

/// The length of the datatype description at `at` of `body`, its properties included.
/// The names of the outermost compound's members go to `names`.
fn datatype_len(body: &[u8], at: usize, depth: usize, names: &mut Vec<String>) -> Result<usize> {
    if depth > MAX_TYPE_DEPTH {
        return Err("datatypes nest too deep".into());
    }
    let head = body.get(at..at + 8).ok_or("datatype cut off")?;
    let (class, version) = (head[0] & 0x0f, head[0] >> 4);
    let bits = le(&head[1..4]);
    let props = at + 8;
    let len = 8 + match class {
        0 | 4 => 4,
        1 => 12,
        2 => 2,
        3 | 7 => 0,
        5 => usize::try_from(bits & 0xff).unwrap_or(0),
        6 => {
            let mut p = props;
            let size = le(&head[4..8]);
            for _ in 0..(bits & 0xffff) {
                let rest = body.get(p..).ok_or("compound member cut off")?;
                let end = rest
                    .iter()
                    .position(|&b| b == 0)
                    .ok_or("name unterminated")?;
                if depth == 0 && names.len() < MAX_NAMES {
                    names.push(String::from_utf8_lossy(&rest[..end]).into_owned());
                }
                p += match version {
                    1 | 2 => (end + 8) / 8 * 8,
                    _ => end + 1,
                };
                p += match version {
                    1 => 32,
                    2 => 4,
                    _ => match size {
                        0..=0xff => 1,
                        0x100..=0xffff => 2,
                        0x1_0000..=0xff_ffff => 3,
                        _ => 4,
                    },
                };
                p += datatype_len(body, p, depth + 1, &mut Vec::new())?;
            }
            p - props
        }
        8 => {
            let base = datatype_len(body, props, depth + 1, &mut Vec::new())?;
            let base_size = usize::try_from(le(body
                .get(props + 4..props + 8)
                .ok_or("enum base cut off")?))
            .map_err(|e| e.to_string())?;
            let mut p = props + base;
            for _ in 0..(bits & 0xffff) {
                let rest = body.get(p..).ok_or("enum name cut off")?;
                let end = rest
                    .iter()
                    .position(|&b| b == 0)
                    .ok_or("name unterminated")?;
                p += if version >= 3 {
                    end + 1
                } else {
                    (end + 8) / 8 * 8
                };
            }
            let values = usize::try_from(bits & 0xffff)
                .ok()
                .and_then(|n| n.checked_mul(base_size))
                .ok_or("enum values overflow")?;
            p + values - props
        }
        9 => datatype_len(body, props, depth + 1, &mut Vec::new())?,
        10 => {
            let rank = usize::from(*body.get(props).ok_or("array cut off")?);
            let dims = if version >= 3 {
                1 + 4 * rank
            } else {
                4 + 8 * rank
            };
            dims + datatype_len(body, props + dims, depth + 1, &mut Vec::new())?
        }
        other => return Err(format!("datatype class {other}")),
    };
    at.checked_add(len)
        .and_then(|end| body.get(at..end))
        .ok_or("datatype properties cut off")?;
    Ok(len)
}

fn le(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// Every data set of the file, by path, with its shape. Objects reached twice through hard
/// links are visited once.
// Limitation: compound members' names are read best-effort (a member datatype that cannot be
// stepped over leaves the names out, not the counts); soft and external links are not
// followed; groups in dense storage (over 8 links in the latest
// format) make the file unreadable (D003); only the first dimension counts as rows.
pub fn hdf5(data: &[u8]) -> Result<Vec<(Option<String>, Shape)>> {
    let start = [0u64, 512, 1024, 2048]
        .into_iter()
        .find(|&at| {
            usize::try_from(at)
                .ok()
                .and_then(|a| data.get(a..a + 8))
                .is_some_and(|s| s == SIGNATURE)
        })
        .ok_or("no HDF5 signature")?;
    let mut file = File {
        data,
        base: start,
        offsets: 8,
        lengths: 8,
    };
    let version = file.uint(start + 8, 1)?;
    let root = match version {
        0 | 1 => {
            file.offsets = usize::try_from(file.uint(start + 13, 1)?).unwrap_or(0);
            file.lengths = usize::try_from(file.uint(start + 14, 1)?).unwrap_or(0);
            check_sizes(&file)?;
            let fixed = if version == 0 { 24 } else { 28 };
            file.base = file.uint(start + fixed, file.offsets)?;
            let entry = start + fixed + 4 * file.offsets as u64;
            file.address(entry + file.offsets as u64)?
        }
        2 | 3 => {
            file.offsets = usize::try_from(file.uint(start + 9, 1)?).unwrap_or(0);
            file.lengths = usize::try_from(file.uint(start + 10, 1)?).unwrap_or(0);
            check_sizes(&file)?;
            file.base = file.uint(start + 12, file.offsets)?;
            file.address(start + 12 + 3 * file.offsets as u64)?
        }
        _ => return Err(format!("superblock version {version}")),
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut nodes = HashSet::new();
    let mut stack = vec![(String::new(), root, 0usize)];
    while let Some((path, at, depth)) = stack.pop() {
        if !seen.insert(at) {
            continue;
        }
        if seen.len() > MAX_OBJECTS || depth > MAX_DEPTH {
            return Err(format!(
                "more than {MAX_OBJECTS} objects or {MAX_DEPTH} levels"
            ));
        }
        let object = file
            .object(at)
            .map_err(|e| format!("object {path:?}: {e}"))?;
        if object.is_dataset {
            if out.len() >= MAX_DATASETS {
                return Err(format!("more than {MAX_DATASETS} data sets"));
            }
            let dims = object.dims.unwrap_or_default();
            let rows = dims.first().copied().unwrap_or(1);
            let columns = match object.compound_members {
                Some(members) => members,
                None => dims.iter().skip(1).fold(1u64, |a, &d| a.saturating_mul(d)),
            };
            let shape = Shape {
                rows: Some(rows),
                columns,
                names: object.compound_names.into_iter().take(MAX_NAMES).collect(),
                detail: format!("HDF5 data set of dimensions {dims:?}"),
            };
            out.push((Some(if path.is_empty() { "/".into() } else { path }), shape));
            continue;
        }
        let mut members = object.links;
        if let Some((btree, heap)) = object.symbol_table {
            members.extend(file.symbol_table(btree, heap, &mut nodes)?);
        }
        for (name, address) in members.into_iter().rev() {
            stack.push((format!("{path}/{name}"), address, depth + 1));
        }
    }
    if out.is_empty() {
        return Err("the file holds no data sets".into());
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn check_sizes(file: &File) -> Result<()> {
    for size in [file.offsets, file.lengths] {
        if ![2, 4, 8].contains(&size) {
            return Err(format!("offset or length size {size} is not 2, 4 or 8"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(data: &[u8]) -> File<'_> {
        File {
            data,
            base: 0,
            offsets: 8,
            lengths: 8,
        }
    }

    #[test]
    fn dataspaces_of_both_versions_are_read() {
        // Version 1: rank 2, four reserved bytes, then 150 and 3 as 8-byte lengths.
        let mut v1 = vec![1, 2, 0, 0, 0, 0, 0, 0];
        v1.extend_from_slice(&150u64.to_le_bytes());
        v1.extend_from_slice(&3u64.to_le_bytes());
        assert_eq!(file(&[]).dataspace(&v1).unwrap(), [150, 3]);
        let mut v2 = vec![2, 1, 0, 1];
        v2.extend_from_slice(&7u64.to_le_bytes());
        assert_eq!(file(&[]).dataspace(&v2).unwrap(), [7]);
        assert!(file(&[]).dataspace(&v2[..8]).is_err());
        assert!(file(&[]).dataspace(&[3, 0]).is_err());
    }

    #[test]
    fn links_name_hard_links_only() {
        // Flags 0x08 (link type present), type 0 (hard), name of 3 bytes, address 96.
        let mut hard = vec![1, 0x08, 0, 3];
        hard.extend_from_slice(b"abc");
        hard.extend_from_slice(&96u64.to_le_bytes());
        assert_eq!(file(&[]).link(&hard).unwrap(), Some(("abc".into(), 96)));
        let soft = [1, 0x08, 1, 1, b'x', 1, 0, b'y'];
        assert_eq!(file(&[]).link(&soft).unwrap(), None);
        assert!(file(&[]).link(&hard[..9]).is_err());
    }

    #[test]
    fn compound_member_names_step_over_nested_types() {
        // Version 3 compound of 24 bytes: a (int32) and bb (an array of two float64).
        let mut body = vec![0x36, 2, 0, 0, 24, 0, 0, 0];
        body.extend_from_slice(b"a\0\0");
        body.extend_from_slice(&[0x10, 0, 0, 0, 4, 0, 0, 0, 0, 0, 32, 0]);
        body.extend_from_slice(b"bb\0\x04");
        body.extend_from_slice(&[0x3a, 0, 0, 0, 16, 0, 0, 0, 1, 2, 0, 0, 0]);
        body.extend_from_slice(&[0x11, 0x20, 0x3f, 0, 8, 0, 0, 0]);
        body.extend_from_slice(&[0, 0, 64, 0, 52, 11, 0, 0, 255, 3, 0, 0]);
        assert_eq!(compound_names(&body).unwrap(), ["a", "bb"]);
        assert_eq!(
            datatype_len(&body, 0, 0, &mut Vec::new()).unwrap(),
            body.len()
        );
        assert!(compound_names(&body[..body.len() - 1]).is_err());
        // A class the format does not define.
        assert!(datatype_len(&[0x1c, 0, 0, 0, 0, 0, 0, 0], 0, 0, &mut Vec::new()).is_err());
    }

    #[test]
    fn broken_files_are_errors() {
        assert!(hdf5(b"not hdf5").unwrap_err().contains("signature"));
        let mut data = SIGNATURE.to_vec();
        data.extend_from_slice(&[9; 40]);
        assert!(hdf5(&data).unwrap_err().contains("superblock version 9"));
        // Superblock 2 whose root object header address is past the end.
        let mut v2 = SIGNATURE.to_vec();
        v2.extend_from_slice(&[2, 8, 8, 0]);
        for address in [0u64, u64::MAX, 48, 4096] {
            v2.extend_from_slice(&address.to_le_bytes());
        }
        v2.extend_from_slice(&[0; 4]);
        assert!(hdf5(&v2).unwrap_err().contains("past the end"));
        // Sizes of offsets other than 2, 4 or 8.
        v2[9] = 3;
        assert!(hdf5(&v2).unwrap_err().contains("not 2, 4 or 8"));
    }
}
