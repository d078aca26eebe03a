//! SQLite databases: every table's row count and column names, read from the file's b-trees
//! as the SQLite file format describes them (<https://sqlite.org/fileformat2.html>), without
//! opening the database with SQLite.
//!
//! The schema table on page 1 gives each table's root page and `CREATE TABLE` statement; the
//! rows of a table are the cells of its leaf pages, found by following interior pages' child
//! pointers. Overflow pages are followed only for schema records (long `CREATE` statements);
//! counting rows never needs them.

use std::collections::HashSet;

use super::headers::{Shape, MAX_NAMES};

/// Most pages visited in one database, over all tables. A b-tree that needs more is reported
/// as unreadable rather than walked without end.
pub const MAX_PAGES: usize = 1 << 20;

/// Most tables reported from one database.
const MAX_TABLES: usize = 256;

/// Deepest b-tree followed; SQLite's own trees stay far below this.
const MAX_DEPTH: usize = 40;

const LEAF_TABLE: u8 = 0x0d;
const INTERIOR_TABLE: u8 = 0x05;
const LEAF_INDEX: u8 = 0x0a;
const INTERIOR_INDEX: u8 = 0x02;

/// A database's page geometry and the pages visited so far.
struct Pages<'a> {
    data: &'a [u8],
    size: usize,
    usable: usize,
    count: usize,
    visited: HashSet<u32>,
}

type Result<T> = std::result::Result<T, String>;

impl<'a> Pages<'a> {
    fn open(data: &'a [u8]) -> Result<Self> {
        let header = data.get(..100).ok_or("database header cut off")?;
        if !header.starts_with(b"SQLite format 3\0") {
            return Err("no SQLite header string".into());
        }
        let size = match u16::from_be_bytes([header[16], header[17]]) {
            1 => 65_536,
            n if n >= 512 && n.is_power_of_two() => usize::from(n),
            n => return Err(format!("page size {n} at byte 16 is not valid")),
        };
        let reserved = usize::from(header[20]);
        let usable = size
            .checked_sub(reserved)
            .filter(|&u| u >= 480)
            .ok_or_else(|| format!("{reserved} reserved bytes leave pages too small"))?;
        Ok(Pages {
            data,
            size,
            usable,
            count: data.len() / size,
            visited: HashSet::new(),
        })
    }

    /// The bytes of page `number` (1-based), once: a page met twice is a cycle.
    fn page(&mut self, number: u32) -> Result<&'a [u8]> {
        let index = (number as usize)
            .checked_sub(1)
            .filter(|&i| i < self.count)
            .ok_or_else(|| format!("page {number} is outside the file's {} pages", self.count))?;
        if self.visited.len() >= MAX_PAGES {
            return Err(format!("more than {MAX_PAGES} pages to visit"));
        }
        if !self.visited.insert(number) {
            return Err(format!("page {number} is reached twice (a cycle)"));
        }
        let start = index * self.size;
        self.data
            .get(start..start + self.size)
            .ok_or_else(|| format!("page {number} cut off"))
    }

    fn offset_of(&self, number: u32) -> usize {
        (number as usize)
            .saturating_sub(1)
            .saturating_mul(self.size)
    }
}

/// A b-tree page's header, at byte 100 on page 1 and byte 0 elsewhere.
struct Node<'a> {
    page: &'a [u8],
    kind: u8,
    cells: usize,
    right: u32,
    pointers: usize,
}

fn node(page: &[u8], number: u32) -> Result<Node<'_>> {
    let at = if number == 1 { 100 } else { 0 };
    let cut = || format!("page {number} header cut off");
    let kind = *page.get(at).ok_or_else(cut)?;
    let cells = usize::from(u16_at(page, at + 3).ok_or_else(cut)?);
    let (right, header) = match kind {
        INTERIOR_TABLE | INTERIOR_INDEX => (u32_at(page, at + 8).ok_or_else(cut)?, 12),
        LEAF_TABLE | LEAF_INDEX => (0, 8),
        other => return Err(format!("page {number} has b-tree type {other:#04x}")),
    };
    Ok(Node {
        page,
        kind,
        cells,
        right,
        pointers: at + header,
    })
}

impl Node<'_> {
    /// Where cell `i` starts within the page.
    fn cell(&self, i: usize, number: u32) -> Result<usize> {
        let at = self.pointers + 2 * i;
        let offset = u16_at(self.page, at)
            .ok_or_else(|| format!("cell pointer {i} of page {number} cut off"))?;
        let offset = usize::from(offset);
        if offset >= self.page.len() {
            return Err(format!("cell {i} of page {number} points outside the page"));
        }
        Ok(offset)
    }

    /// Child page numbers of an interior page, the right-most last.
    fn children(&self, number: u32) -> Result<Vec<u32>> {
        let mut out = Vec::with_capacity(self.cells + 1);
        for i in 0..self.cells {
            let at = self.cell(i, number)?;
            out.push(
                u32_at(self.page, at)
                    .ok_or_else(|| format!("child pointer of page {number} cut off"))?,
            );
        }
        out.push(self.right);
        Ok(out)
    }
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// SQLite's big-endian varint of one to nine bytes; returns the value and its length.
fn varint(data: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for i in 0..9 {
        let b = *data.get(at.checked_add(i)?)?;
        if i == 8 {
            return Some(((value << 8) | u64::from(b), 9));
        }
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Rows of the table whose b-tree starts at `root`: the cells of its leaves (and, for a
/// `WITHOUT ROWID` table kept as an index b-tree, of its interior pages too).
fn count_rows(pages: &mut Pages, root: u32) -> Result<u64> {
    let mut rows = 0u64;
    let mut stack = vec![(root, 0usize)];
    while let Some((number, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(format!("b-tree from page {root} deeper than {MAX_DEPTH}"));
        }
        let page = pages.page(number)?;
        let node = node(page, number)?;
        match node.kind {
            LEAF_TABLE | LEAF_INDEX => rows = rows.saturating_add(node.cells as u64),
            kind => {
                if kind == INTERIOR_INDEX {
                    rows = rows.saturating_add(node.cells as u64);
                }
                stack.extend(node.children(number)?.into_iter().map(|c| (c, depth + 1)));
            }
        }
    }
    Ok(rows)
}

/// One row of `sqlite_schema`: (type, name, root page, sql).
struct SchemaRow {
    kind: String,
    name: String,
    root: i64,
    sql: String,
}

/// Reads the schema table's rows from the b-tree on page 1.
fn schema(pages: &mut Pages) -> Result<Vec<SchemaRow>> {
    let mut rows = Vec::new();
    let mut stack = vec![(1u32, 0usize)];
    while let Some((number, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(format!("schema b-tree deeper than {MAX_DEPTH}"));
        }
        let page = pages.page(number)?;
        let node = node(page, number)?;
        match node.kind {
            LEAF_TABLE => {
                for i in 0..node.cells {
                    let at = node.cell(i, number)?;
                    let payload = leaf_payload(pages, page, at, number)?;
                    rows.push(schema_row(&payload).map_err(|e| {
                        format!(
                            "schema record at byte {}: {e}",
                            pages.offset_of(number) + at
                        )
                    })?);
                }
            }
            INTERIOR_TABLE => {
                stack.extend(node.children(number)?.into_iter().map(|c| (c, depth + 1)));
            }
            other => return Err(format!("schema page {number} has b-tree type {other:#04x}")),
        }
    }
    Ok(rows)
}

/// The whole payload of a table-leaf cell, following overflow pages where it spills.
fn leaf_payload(pages: &mut Pages, page: &[u8], at: usize, number: u32) -> Result<Vec<u8>> {
    let cut = || format!("cell at byte {at} of page {number} cut off");
    let (length, n) = varint(page, at).ok_or_else(cut)?;
    let (_, m) = varint(page, at + n).ok_or_else(cut)?;
    let start = at + n + m;
    let length = usize::try_from(length).map_err(|_| cut())?;
    let usable = pages.usable;
    let max_local = usable - 35;
    let local = if length <= max_local {
        length
    } else {
        let min_local = (usable - 12) * 32 / 255 - 23;
        let k = min_local + (length - min_local) % (usable - 4);
        if k <= max_local {
            k
        } else {
            min_local
        }
    };
    let mut payload = page.get(start..start + local).ok_or_else(cut)?.to_vec();
    let mut next = if local < length {
        u32_at(page, start + local).ok_or_else(cut)?
    } else {
        0
    };
    while payload.len() < length {
        let overflow = pages.page(next)?;
        next = u32_at(overflow, 0).ok_or("overflow page cut off")?;
        let take = (length - payload.len()).min(usable - 4);
        payload.extend_from_slice(overflow.get(4..4 + take).ok_or("overflow page cut off")?);
    }
    Ok(payload)
}

/// Decodes a schema record's five columns (type, name, tbl_name, rootpage, sql).
fn schema_row(record: &[u8]) -> Result<SchemaRow> {
    let (header_len, n) = varint(record, 0).ok_or("record header cut off")?;
    let header_len = usize::try_from(header_len).map_err(|_| "record header too long")?;
    let mut types = Vec::new();
    let mut at = n;
    while at < header_len && types.len() < 5 {
        let (serial, m) = varint(record, at).ok_or("record header cut off")?;
        types.push(serial);
        at += m;
    }
    let mut body = header_len;
    let mut values = Vec::new();
    for serial in types {
        let size = serial_size(serial).ok_or("unknown serial type")?;
        let bytes = body
            .checked_add(size)
            .and_then(|end| record.get(body..end))
            .ok_or("record body cut off")?;
        values.push((serial, bytes));
        body += size;
    }
    let text = |i: usize| {
        values
            .get(i)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    };
    let root = match values.get(3) {
        Some(&(serial @ 1..=6, bytes)) if serial_size(serial) == Some(bytes.len()) => bytes
            .iter()
            .fold(if bytes[0] & 0x80 != 0 { -1i64 } else { 0 }, |acc, &b| {
                (acc << 8) | i64::from(b)
            }),
        Some((8, _)) => 0,
        Some((9, _)) => 1,
        _ => 0,
    };
    Ok(SchemaRow {
        kind: text(0),
        name: text(1),
        root,
        sql: text(4),
    })
}

/// Bytes a value of a record's serial type occupies.
fn serial_size(serial: u64) -> Option<usize> {
    Some(match serial {
        0 | 8 | 9 => 0,
        1..=4 => serial as usize,
        5 => 6,
        6 | 7 => 8,
        10 | 11 => return None,
        n => usize::try_from((n - 12) / 2).ok()?,
    })
}

/// The statement with its `--` and `/* */` comments blanked out (quoted text kept).
fn without_comments(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut quote = None::<char>;
    while let Some(c) = chars.next() {
        match (quote, c, chars.peek()) {
            (Some(q), c, _) => {
                if c == q || (q == '[' && c == ']') {
                    quote = None;
                }
                out.push(c);
            }
            (None, '-', Some('-')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                out.push(' ');
            }
            (None, '/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                out.push(' ');
            }
            (None, c @ ('"' | '\'' | '`' | '['), _) => {
                quote = Some(c);
                out.push(c);
            }
            (None, c, _) => out.push(c),
        }
    }
    out
}

/// Column names of a `CREATE TABLE name (...)` statement; table constraints are left out.
pub fn column_names(sql: &str) -> Vec<String> {
    let sql = &without_comments(sql);
    let Some(open) = sql.find('(') else {
        return Vec::new();
    };
    let mut items = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None::<char>, open + 1);
    for (i, c) in sql.char_indices().skip_while(|&(i, _)| i <= open) {
        match (quote, c) {
            (Some(q), c) if c == q || (q == '[' && c == ']') => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`' | '[') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => {
                items.push(&sql[start..i]);
                break;
            }
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                items.push(&sql[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    const CONSTRAINTS: [&str; 5] = ["constraint", "primary", "unique", "check", "foreign"];
    items
        .into_iter()
        .filter_map(|item| {
            let item = item.trim_start();
            let name = match item.chars().next()? {
                q @ ('"' | '`' | '[') => {
                    let close = if q == '[' { ']' } else { q };
                    item[1..].split(close).next()?.to_string()
                }
                _ => item.split_whitespace().next()?.to_string(),
            };
            let keyword = name.to_ascii_lowercase();
            (!CONSTRAINTS.contains(&keyword.as_str()) || item.starts_with(['"', '`', '[']))
                .then_some(name)
        })
        .collect()
}

/// Every user table of a database, named, with its rows and columns. A virtual table (root
/// page 0) has no b-tree of its own, so its rows are left unknown.
// Limitation: rows still in a write-ahead log (`-wal` file beside the database) are not in
// this file and are not counted; freed pages holding deleted rows are not examined.
pub fn sqlite(data: &[u8]) -> std::result::Result<Vec<(Option<String>, Shape)>, String> {
    let mut pages = Pages::open(data)?;
    let schema = schema(&mut pages)?;
    let mut out = Vec::new();
    for row in schema
        .into_iter()
        .filter(|r| r.kind == "table" && !r.name.starts_with("sqlite_"))
    {
        if out.len() >= MAX_TABLES {
            return Err(format!("more than {MAX_TABLES} tables"));
        }
        let names = column_names(&row.sql);
        let rows = match u32::try_from(row.root) {
            Ok(0) | Err(_) => None,
            Ok(root) => {
                Some(count_rows(&mut pages, root).map_err(|e| format!("table {}: {e}", row.name))?)
            }
        };
        let shape = Shape {
            rows,
            columns: names.len() as u64,
            names: names.into_iter().take(MAX_NAMES).collect(),
            detail: format!("SQLite table, root page {}", row.root),
        };
        out.push((Some(row.name), shape));
    }
    if out.is_empty() {
        return Err("the schema lists no tables".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_are_big_endian_groups_of_seven() {
        assert_eq!(varint(&[0x05], 0), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9], 0), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81], 0), None);
    }

    #[test]
    fn columns_come_from_the_create_statement() {
        let sql =
            "CREATE TABLE \"people\" (-- a, b\n\"age\" /* c, d */ INTEGER, [sex] TEXT, bmi REAL \
                   CHECK (bmi > 0), note VARCHAR(10), PRIMARY KEY (age, sex))";
        assert_eq!(column_names(sql), ["age", "sex", "bmi", "note"]);
        assert!(column_names("CREATE VIRTUAL TABLE t USING fts5").is_empty());
    }

    #[test]
    fn bad_databases_are_errors() {
        assert!(sqlite(b"SQLite format 3\0").is_err());
        let mut header = b"SQLite format 3\0".to_vec();
        header.resize(100, 0);
        header[16] = 0x03;
        assert!(sqlite(&header).is_err());
    }

    #[test]
    fn a_page_reached_twice_is_a_cycle() {
        // Page size 512, page 2 an interior table page whose children are itself.
        let mut data = b"SQLite format 3\0".to_vec();
        data.resize(1024, 0);
        data[16..18].copy_from_slice(&512u16.to_be_bytes());
        data[512] = INTERIOR_TABLE;
        data[512 + 8..512 + 12].copy_from_slice(&2u32.to_be_bytes());
        let mut pages = Pages::open(&data).unwrap();
        let error = count_rows(&mut pages, 2).unwrap_err();
        assert!(error.contains("twice"), "{error}");
    }
}
