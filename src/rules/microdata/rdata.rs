//! R's serialisation format (`.rds` from `saveRDS`, `.RData` from `save`): data frames and
//! matrices found by walking the serialised objects, as R's `serialize.c` writes them (R
//! Internals, section 1.8 "Serialization formats"). Nothing is evaluated: the walk reads
//! type flags and lengths, keeps attributes, and skips the numbers themselves.
//!
//! A data frame is a list (`VECSXP`) whose `class` attribute holds `"data.frame"`: its columns
//! are the list's length, its variable names the `names` attribute, its rows the `row.names`
//! attribute (R's compact form `c(NA, -n)` or a vector of n names) or else the first column's
//! length.

use super::headers::{Shape, MAX_NAMES};

type Result<T> = std::result::Result<T, String>;

/// Deepest nesting of objects followed.
const MAX_DEPTH: usize = 64;

/// Most elements of one list, and strings of one character vector, kept for the walk (the
/// rest are read and dropped).
const MAX_KEPT: usize = 4096;

/// Most data frames and matrices reported from one file.
const MAX_FRAMES: usize = 64;

/// `NA_integer_`.
const NA_INTEGER: i32 = i32::MIN;

// SEXP types of Rinternals.h and the pseudo-types of serialize.c.
const NILSXP: u8 = 0;
const SYMSXP: u8 = 1;
const LISTSXP: u8 = 2;
const CLOSXP: u8 = 3;
const ENVSXP: u8 = 4;
const PROMSXP: u8 = 5;
const LANGSXP: u8 = 6;
const SPECIALSXP: u8 = 7;
const BUILTINSXP: u8 = 8;
const CHARSXP: u8 = 9;
const LGLSXP: u8 = 10;
const INTSXP: u8 = 13;
const REALSXP: u8 = 14;
const CPLXSXP: u8 = 15;
const STRSXP: u8 = 16;
const DOTSXP: u8 = 17;
const VECSXP: u8 = 19;
const EXPRSXP: u8 = 20;
const EXTPTRSXP: u8 = 22;
const WEAKREFSXP: u8 = 23;
const RAWSXP: u8 = 24;
const S4SXP: u8 = 25;
const ALTREP_SXP: u8 = 238;
const ATTRLISTSXP: u8 = 239;
const ATTRLANGSXP: u8 = 240;
const BASEENV_SXP: u8 = 241;
const EMPTYENV_SXP: u8 = 242;
const PERSISTSXP: u8 = 247;
const PACKAGESXP: u8 = 248;
const NAMESPACESXP: u8 = 249;
const BASENAMESPACE_SXP: u8 = 250;
const MISSINGARG_SXP: u8 = 251;
const UNBOUNDVALUE_SXP: u8 = 252;
const GLOBALENV_SXP: u8 = 253;
const NILVALUE_SXP: u8 = 254;
const REFSXP: u8 = 255;

/// What the walk keeps of one object.
#[derive(Debug, Default, Clone)]
struct Obj {
    sexp: u8,
    /// Elements of a vector, or `None` for objects that are not vectors.
    len: Option<u64>,
    /// A symbol's or a CHARSXP's text.
    text: Option<String>,
    ints: Vec<i32>,
    reals: Vec<f64>,
    strings: Vec<String>,
    /// Elements of a list, or (tag, value) cells of a pairlist.
    items: Vec<(Option<String>, Obj)>,
    attrs: Vec<(String, Obj)>,
}

impl Obj {
    fn of(sexp: u8) -> Self {
        Obj {
            sexp,
            ..Obj::default()
        }
    }

    fn attr(&self, name: &str) -> Option<&Obj> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, o)| o)
    }

    fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.strings.iter().any(|s| s == class))
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    big_endian: bool,
    /// The reference table: symbols keep their name, other referenced objects nothing.
    refs: Vec<Obj>,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| format!("object at byte {} runs past the end", self.pos))?;
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn int(&mut self) -> Result<i32> {
        let b = self.bytes(4)?;
        let b = [b[0], b[1], b[2], b[3]];
        Ok(if self.big_endian {
            i32::from_be_bytes(b)
        } else {
            i32::from_le_bytes(b)
        })
    }

    fn real(&mut self) -> Result<f64> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(if self.big_endian {
            f64::from_be_bytes(a)
        } else {
            f64::from_le_bytes(a)
        })
    }

    /// A vector length: an int, or -1 and two ints for a long vector.
    fn length(&mut self) -> Result<u64> {
        match self.int()? {
            -1 => {
                let upper = u64::from(self.int()? as u32);
                let lower = u64::from(self.int()? as u32);
                Ok((upper << 32) | lower)
            }
            n if n >= 0 => Ok(n as u64),
            n => Err(format!("negative length {n} at byte {}", self.pos)),
        }
    }

    /// Skips `n` elements of `size` bytes each.
    fn skip(&mut self, n: u64, size: u64) -> Result<()> {
        let total = n
            .checked_mul(size)
            .and_then(|t| usize::try_from(t).ok())
            .ok_or_else(|| format!("vector of {n} elements at byte {} overflows", self.pos))?;
        self.bytes(total).map(|_| ())
    }

    fn item(&mut self, depth: usize) -> Result<Obj> {
        let flags = self.int()?;
        self.item_with(flags, depth)
    }

    fn item_with(&mut self, flags: i32, depth: usize) -> Result<Obj> {
        if depth > MAX_DEPTH {
            return Err(format!("objects nested deeper than {MAX_DEPTH}"));
        }
        let sexp = (flags & 0xff) as u8;
        let has_attr = flags & (1 << 9) != 0;
        let at = self.pos.saturating_sub(4);
        let mut obj = match sexp {
            NILVALUE_SXP | NILSXP => return Ok(Obj::of(NILSXP)),
            EMPTYENV_SXP | BASEENV_SXP | GLOBALENV_SXP | UNBOUNDVALUE_SXP | MISSINGARG_SXP
            | BASENAMESPACE_SXP => return Ok(Obj::of(sexp)),
            REFSXP => return self.reference(flags),
            PERSISTSXP | PACKAGESXP | NAMESPACESXP => {
                self.int()?;
                let n = self.length()?;
                for _ in 0..n {
                    self.item(depth + 1)?;
                }
                self.refs.push(Obj::of(sexp));
                return Ok(Obj::of(sexp));
            }
            SYMSXP => {
                let mut symbol = Obj::of(SYMSXP);
                symbol.text = self.item(depth + 1)?.text;
                self.refs.push(symbol.clone());
                return Ok(symbol);
            }
            ENVSXP => {
                self.refs.push(Obj::of(ENVSXP));
                self.int()?;
                for _ in 0..4 {
                    self.item(depth + 1)?;
                }
                return Ok(Obj::of(ENVSXP));
            }
            LISTSXP | LANGSXP | CLOSXP | PROMSXP | DOTSXP | ATTRLANGSXP | ATTRLISTSXP => {
                return self.pairlist(flags, depth);
            }
            EXTPTRSXP => {
                self.refs.push(Obj::of(EXTPTRSXP));
                self.item(depth + 1)?;
                self.item(depth + 1)?;
                Obj::of(EXTPTRSXP)
            }
            WEAKREFSXP => {
                self.refs.push(Obj::of(WEAKREFSXP));
                Obj::of(WEAKREFSXP)
            }
            SPECIALSXP | BUILTINSXP => {
                let n = self.length()?;
                self.skip(n, 1)?;
                return Ok(Obj::of(sexp));
            }
            CHARSXP => {
                let mut obj = Obj::of(CHARSXP);
                match self.int()? {
                    -1 => {}
                    n => {
                        let n = usize::try_from(n).map_err(|_| format!("string length {n}"))?;
                        obj.text = Some(String::from_utf8_lossy(self.bytes(n)?).into_owned());
                    }
                }
                obj
            }
            LGLSXP | INTSXP => {
                let mut obj = Obj::of(sexp);
                let n = self.length()?;
                obj.len = Some(n);
                for _ in 0..n.min(2) {
                    obj.ints.push(self.int()?);
                }
                self.skip(n.saturating_sub(2), 4)?;
                obj
            }
            REALSXP => {
                let mut obj = Obj::of(sexp);
                let n = self.length()?;
                obj.len = Some(n);
                for _ in 0..n.min(3) {
                    obj.reals.push(self.real()?);
                }
                self.skip(n.saturating_sub(3), 8)?;
                obj
            }
            CPLXSXP | RAWSXP => {
                let n = self.length()?;
                self.skip(n, if sexp == RAWSXP { 1 } else { 16 })?;
                Obj {
                    len: Some(n),
                    ..Obj::of(sexp)
                }
            }
            STRSXP => {
                let mut obj = Obj::of(STRSXP);
                let n = self.length()?;
                obj.len = Some(n);
                for _ in 0..n {
                    let text = self.item(depth + 1)?.text;
                    if obj.strings.len() < MAX_KEPT {
                        obj.strings.push(text.unwrap_or_else(|| "NA".into()));
                    }
                }
                obj
            }
            VECSXP | EXPRSXP => {
                let mut obj = Obj::of(sexp);
                let n = self.length()?;
                obj.len = Some(n);
                for _ in 0..n {
                    let item = self.item(depth + 1)?;
                    if obj.items.len() < MAX_KEPT {
                        obj.items.push((None, item));
                    }
                }
                obj
            }
            S4SXP => Obj::of(S4SXP),
            ALTREP_SXP => return self.altrep(depth),
            other => {
                return Err(format!(
                    "serialised object type {other} at byte {at} is not read"
                ))
            }
        };
        if has_attr {
            obj.attrs = self.attributes(depth)?;
        }
        Ok(obj)
    }

    fn reference(&mut self, flags: i32) -> Result<Obj> {
        let index = match flags >> 8 {
            0 => self.int()?,
            n => n,
        };
        usize::try_from(index)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| self.refs.get(i))
            .cloned()
            .ok_or_else(|| format!("reference {index} at byte {} is unknown", self.pos))
    }

    /// A pairlist (or language object, closure, promise): attributes, tag and value per cell,
    /// the chain of cells followed iteratively.
    fn pairlist(&mut self, mut flags: i32, depth: usize) -> Result<Obj> {
        let mut list = Obj::of((flags & 0xff) as u8);
        loop {
            let sexp = (flags & 0xff) as u8;
            let has_attr = flags & (1 << 9) != 0 || matches!(sexp, ATTRLANGSXP | ATTRLISTSXP);
            if has_attr {
                let attrs = self.attributes(depth)?;
                if list.items.is_empty() {
                    list.attrs = attrs;
                }
            }
            let tag = if flags & (1 << 10) != 0 {
                self.item(depth + 1)?.text
            } else {
                None
            };
            let value = self.item(depth + 1)?;
            if list.items.len() < MAX_KEPT {
                list.items.push((tag, value));
            }
            flags = self.int()?;
            let next = (flags & 0xff) as u8;
            if !matches!(
                next,
                LISTSXP | LANGSXP | CLOSXP | PROMSXP | DOTSXP | ATTRLANGSXP | ATTRLISTSXP
            ) {
                self.item_with(flags, depth + 1)?;
                return Ok(list);
            }
        }
    }

    /// An attribute pairlist as (name, value) pairs.
    fn attributes(&mut self, depth: usize) -> Result<Vec<(String, Obj)>> {
        let list = self.item(depth + 1)?;
        Ok(list
            .items
            .into_iter()
            .map(|(tag, value)| (tag.unwrap_or_default(), value))
            .collect())
    }

    /// An ALTREP object (R 3.5+): class information, state and attributes. The length is
    /// recovered for the classes base R writes: compact sequences keep it as the state's first
    /// number, wrappers and deferred strings wrap an ordinary vector.
    fn altrep(&mut self, depth: usize) -> Result<Obj> {
        let info = self.item(depth + 1)?;
        let state = self.item(depth + 1)?;
        let attrs = self.item(depth + 1)?;
        let class = info
            .items
            .first()
            .and_then(|(_, c)| c.text.clone())
            .unwrap_or_default();
        let sexp = info
            .items
            .get(2)
            .and_then(|(_, t)| t.ints.first())
            .map_or(NILSXP, |&t| t as u8);
        let len = match class.as_str() {
            "compact_intseq" | "compact_realseq" => state
                .reals
                .first()
                .filter(|n| **n >= 0.0)
                .map(|&n| n as u64),
            _ => state.items.first().and_then(|(_, x)| x.len).or(state.len),
        };
        let wrapped = state.items.first().map(|(_, x)| x.clone());
        let mut obj = wrapped
            .filter(|x| x.sexp == sexp)
            .unwrap_or_else(|| Obj::of(sexp));
        obj.len = len;
        obj.attrs = attrs
            .items
            .into_iter()
            .map(|(tag, value)| (tag.unwrap_or_default(), value))
            .collect();
        Ok(obj)
    }
}

/// The data frames and matrices inside an object, with a name path for each.
fn frames(obj: &Obj, path: &str, depth: usize, out: &mut Vec<(Option<String>, Shape)>) {
    if depth > MAX_DEPTH || out.len() >= MAX_FRAMES {
        return;
    }
    let member = (!path.is_empty()).then(|| path.to_string());
    if obj.sexp == VECSXP && obj.has_class("data.frame") {
        out.push((member, frame_shape(obj)));
        return;
    }
    if let Some(dim) = obj.attr("dim").filter(|d| d.ints.len() == 2) {
        let names = obj
            .attr("dimnames")
            .and_then(|d| d.items.get(1))
            .map(|(_, n)| n.strings.iter().take(MAX_NAMES).cloned().collect())
            .unwrap_or_default();
        out.push((
            member,
            Shape {
                rows: u64::try_from(dim.ints[0]).ok(),
                columns: u64::try_from(dim.ints[1]).unwrap_or(0),
                names,
                detail: "R matrix".into(),
            },
        ));
        return;
    }
    let names = obj
        .attr("names")
        .map(|n| n.strings.as_slice())
        .unwrap_or(&[]);
    for (i, (tag, item)) in obj.items.iter().enumerate() {
        let name = tag
            .clone()
            .or_else(|| names.get(i).cloned())
            .unwrap_or_else(|| format!("[[{}]]", i + 1));
        let child = if path.is_empty() {
            name
        } else {
            format!("{path}${name}")
        };
        frames(item, &child, depth + 1, out);
    }
}

fn frame_shape(frame: &Obj) -> Shape {
    let names: Vec<String> = frame
        .attr("names")
        .map(|n| n.strings.iter().take(MAX_NAMES).cloned().collect())
        .unwrap_or_default();
    let rows = match frame.attr("row.names") {
        Some(r) if r.sexp == INTSXP && r.len == Some(2) && r.ints.first() == Some(&NA_INTEGER) => {
            r.ints.get(1).map(|n| u64::from(n.unsigned_abs()))
        }
        Some(r) => r.len,
        None => frame.items.first().and_then(|(_, c)| c.len),
    };
    let class = frame
        .attr("class")
        .map(|c| c.strings.join("/"))
        .unwrap_or_default();
    Shape {
        rows,
        columns: frame.len.unwrap_or(0),
        names,
        detail: format!("R {class}"),
    }
}

/// Reads the serialisation header at `at`; returns the reader positioned at the first item.
fn open(data: &[u8], at: usize) -> Result<Reader<'_>> {
    let big_endian = match data.get(at..at + 2) {
        Some(b"X\n") => true,
        Some(b"B\n") => cfg!(target_endian = "big"),
        Some(b"A\n") => return Err("ASCII R serialisation is not read".into()),
        _ => return Err(format!("no R serialisation header at byte {at}")),
    };
    let mut reader = Reader {
        data,
        pos: at + 2,
        big_endian,
        refs: Vec::new(),
    };
    let version = reader.int()?;
    reader.int()?;
    reader.int()?;
    match version {
        2 => {}
        3 => {
            let n = reader.length()?;
            reader.skip(n, 1)?;
        }
        v => return Err(format!("serialisation version {v} is not known")),
    }
    Ok(reader)
}

/// An uncompressed `.rds` or `.RData` stream: its data frames and matrices.
pub fn rdata(data: &[u8]) -> Result<Vec<(Option<String>, Shape)>> {
    let saved = [
        b"RDX2\n", b"RDX3\n", b"RDB2\n", b"RDB3\n", b"RDA2\n", b"RDA3\n",
    ];
    let is_saved = saved.iter().any(|m| data.starts_with(*m));
    let mut reader = open(data, if is_saved { 5 } else { 0 })?;
    let top = reader.item(0)?;
    let mut out = Vec::new();
    frames(&top, "", 0, &mut out);
    if out.is_empty() {
        return Err("holds no data frame or matrix whose rows could be counted".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(v: i32) -> Vec<u8> {
        v.to_be_bytes().to_vec()
    }

    fn chars(s: &str) -> Vec<u8> {
        [int(0x0004_0009), int(s.len() as i32), s.as_bytes().to_vec()].concat()
    }

    fn strings(list: &[&str]) -> Vec<u8> {
        let mut out = [int(STRSXP as i32), int(list.len() as i32)].concat();
        for s in list {
            out.extend(chars(s));
        }
        out
    }

    /// A tagged pairlist cell.
    fn attr(tag: &[u8], value: Vec<u8>) -> Vec<u8> {
        [int(0x0400 | LISTSXP as i32), tag.to_vec(), value].concat()
    }

    fn symbol(name: &str) -> Vec<u8> {
        [int(SYMSXP as i32), chars(name)].concat()
    }

    #[test]
    fn compact_row_names_give_the_rows() {
        // list(age = 1:2 as a plain vector, sex = c("F", "M")) with names, compact
        // row.names c(NA, -150) and class "data.frame".
        let mut data = b"X\n".to_vec();
        data.extend([int(2), int(0x0004_0201), int(0x0002_0300)].concat());
        data.extend(int(0x0200 | VECSXP as i32));
        data.extend(int(2));
        data.extend([int(INTSXP as i32), int(2), int(7), int(9)].concat());
        data.extend(strings(&["F", "M"]));
        data.extend(attr(&symbol("names"), strings(&["age", "sex"])));
        let row_names = [int(INTSXP as i32), int(2), int(NA_INTEGER), int(-150)].concat();
        data.extend(attr(&symbol("row.names"), row_names));
        data.extend(attr(&symbol("class"), strings(&["data.frame"])));
        data.extend(int(NILVALUE_SXP as i32));
        let shapes = rdata(&data).unwrap();
        assert_eq!(shapes.len(), 1);
        let shape = &shapes[0].1;
        assert_eq!(shape.rows, Some(150));
        assert_eq!(shape.columns, 2);
        assert_eq!(shape.names, ["age", "sex"]);
    }

    #[test]
    fn cut_and_unknown_streams_are_errors() {
        assert!(rdata(b"X\n\0\0\0\x02").is_err());
        assert!(rdata(b"A\n2\n").is_err());
        let mut huge = b"X\n".to_vec();
        huge.extend([int(2), int(0), int(0), int(VECSXP as i32), int(i32::MAX)].concat());
        assert!(rdata(&huge).is_err());
        let mut reference = b"X\n".to_vec();
        reference.extend([int(2), int(0), int(0), int(0x0000_07ff)].concat());
        assert!(rdata(&reference).is_err());
    }
}
