//! SPSS portable files (`.por`): variable names from the dictionary records and the number of
//! cases counted by reading the data section's values, as the portable file format is
//! documented in the PSPP manual (appendix "Portable File Format").
//!
//! The file is 80-column lines; line ends are dropped and short lines padded with spaces. A
//! 200-byte splash is followed by a 256-byte translation table that maps the file's bytes to
//! the portable character set, the tag `SPSSPORT`, then records: numbers are base-30 digits
//! ended by `/`, strings a number (the length) and that many characters.

use super::headers::{Shape, MAX_NAMES};

type Result<T> = std::result::Result<T, String>;

/// Characters of a portable-format line.
const LINE: usize = 80;

/// Where the translation table starts, after the splash.
const TABLE_AT: usize = 200;

/// The portable character set from code 64: digits, letters, space and punctuation (PSPP
/// manual, table of portable characters). Codes past these map to nothing this reader needs.
const PORTABLE: &[u8] = concat!(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    " .<(+|&[]!$*);^-/|,%_>?`:#@'=\""
)
.as_bytes();

/// Most variables read from the dictionary.
const MAX_VARIABLES: usize = 1 << 16;

/// The file's text with line ends removed and each line padded to 80 columns, translated to
/// ASCII through the file's translation table.
fn logical_text(data: &[u8]) -> Result<Vec<u8>> {
    let mut text = Vec::with_capacity(data.len());
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        text.extend_from_slice(line);
        if line.len() < LINE {
            text.resize(text.len() + LINE - line.len(), b' ');
        }
    }
    let table = text
        .get(TABLE_AT..TABLE_AT + 256)
        .ok_or("translation table cut off")?;
    let mut map = [0u8; 256];
    for (i, &ascii) in PORTABLE.iter().enumerate() {
        let byte = usize::from(table[64 + i]);
        if map[byte] == 0 {
            map[byte] = ascii;
        }
    }
    let start = TABLE_AT + 256;
    Ok(text[start..].iter().map(|&b| map[usize::from(b)]).collect())
}

struct Reader {
    text: Vec<u8>,
    pos: usize,
}

impl Reader {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn byte(&mut self) -> Result<u8> {
        let b = self.peek().ok_or("file cut off")?;
        self.pos += 1;
        Ok(b)
    }

    /// A base-30 number: `*.` is the system-missing value. Returns the value's integer part
    /// when it has one small enough to use as a length or count.
    fn number(&mut self) -> Result<Option<i64>> {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
        let at = self.pos;
        if self.peek() == Some(b'*') {
            self.pos += 1;
            self.byte()?;
            return Ok(None);
        }
        let mut value: Option<i64> = Some(0);
        let mut fraction = false;
        let mut digits = 0usize;
        loop {
            match self.byte()? {
                b'/' if digits > 0 => break,
                b'-' if digits == 0 && !fraction => {}
                b'.' if !fraction => fraction = true,
                b'+' | b'-' => value = None,
                c => {
                    let digit = match c {
                        b'0'..=b'9' => c - b'0',
                        b'A'..=b'T' => c - b'A' + 10,
                        _ => return Err(format!("number at character {at} is malformed")),
                    };
                    digits += 1;
                    if !fraction {
                        value = value
                            .and_then(|v| v.checked_mul(30))
                            .and_then(|v| v.checked_add(i64::from(digit)));
                    }
                }
            }
        }
        Ok(value)
    }

    fn string(&mut self) -> Result<String> {
        let at = self.pos;
        let length = self
            .number()?
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| format!("string length at character {at} is not a count"))?;
        let end = self
            .pos
            .checked_add(length)
            .filter(|&e| e <= self.text.len())
            .ok_or_else(|| format!("string at character {at} runs past the end"))?;
        let text = String::from_utf8_lossy(&self.text[self.pos..end]).into_owned();
        self.pos = end;
        Ok(text)
    }

    fn count(&mut self) -> Result<usize> {
        let at = self.pos;
        self.number()?
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| format!("count at character {at} is not a count"))
    }

    /// A value of a variable of `width` (0 numeric, else string).
    fn value(&mut self, width: usize) -> Result<()> {
        if width == 0 {
            self.number().map(|_| ())
        } else {
            self.string().map(|_| ())
        }
    }
}

/// Reads the dictionary, then counts cases until the `Z` padding that ends the data. The
/// format records no case count, so every value is read (and dropped): time is linear in the
/// file, memory one translated copy of it.
// Limitation: only the 92 portable characters that spell numbers, names and tags are
// translated; other characters inside string values and labels read as NUL, which does not
// change the counts. A writer that strips trailing spaces inside a string value split across
// lines gets them back as padding, as the PSPP manual prescribes.
pub fn spss_portable(data: &[u8]) -> Result<Shape> {
    let mut r = Reader {
        text: logical_text(data)?,
        pos: 0,
    };
    if r.text.get(..8) != Some(b"SPSSPORT") {
        return Err("no SPSSPORT tag after the translation table".into());
    }
    r.pos = 9;
    r.string()?;
    r.string()?;
    let mut widths: Vec<usize> = Vec::new();
    let mut names = Vec::new();
    loop {
        let at = r.pos;
        match r.byte()? {
            b'1' | b'2' | b'3' | b'6' | b'C' => {
                r.string()?;
            }
            b'4' | b'5' => {
                r.number()?;
            }
            b'7' => {
                if widths.len() >= MAX_VARIABLES {
                    return Err(format!("more than {MAX_VARIABLES} variables"));
                }
                widths.push(r.count()?);
                let name = r.string()?;
                if names.len() < MAX_NAMES {
                    names.push(name);
                }
                for _ in 0..6 {
                    r.number()?;
                }
            }
            tag @ (b'8' | b'9' | b'A' | b'B') => {
                let width = widths
                    .last()
                    .copied()
                    .ok_or("missing value before variables")?;
                for _ in 0..if tag == b'B' { 2 } else { 1 } {
                    r.value(width)?;
                }
            }
            b'D' => value_labels(&mut r, &widths, &names)?,
            b'E' => {
                for _ in 0..r.count()? {
                    r.string()?;
                }
            }
            b'F' => break,
            other => {
                return Err(format!(
                    "unknown record tag {:?} at character {at}",
                    char::from(other)
                ))
            }
        }
    }
    let data_at = r.pos;
    let mut cases = 0u64;
    loop {
        while r.peek() == Some(b' ') {
            r.pos += 1;
        }
        match r.peek() {
            Some(b'Z') => break,
            None => {
                return Err(format!(
                    "data from character {data_at} has no Z end marker after {cases} cases"
                ))
            }
            Some(_) if widths.is_empty() => {
                return Err("data records but no variables".into());
            }
            Some(_) => {}
        }
        for &width in &widths {
            r.value(width)
                .map_err(|e| format!("case {} from character {data_at}: {e}", cases + 1))?;
        }
        cases += 1;
    }
    Ok(Shape {
        rows: Some(cases),
        columns: widths.len() as u64,
        names,
        detail: "SPSS portable".into(),
    })
}

/// A value-label record: the variables it applies to (whose type gives the values' type),
/// then value and label pairs.
fn value_labels(r: &mut Reader, widths: &[usize], names: &[String]) -> Result<()> {
    let mut width = 0;
    for _ in 0..r.count()? {
        let name = r.string()?;
        if let Some(i) = names.iter().position(|n| *n == name) {
            width = widths.get(i).copied().unwrap_or(0);
        }
    }
    for _ in 0..r.count()? {
        r.value(width)?;
        r.string()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(text: &str) -> Reader {
        Reader {
            text: text.as_bytes().to_vec(),
            pos: 0,
        }
    }

    #[test]
    fn base_30_numbers_are_read() {
        // 10 is 30, 1B is 41 (and .F a half), -RD1AM6K is a large negative number.
        assert_eq!(reader("10/").number().unwrap(), Some(30));
        assert_eq!(reader(" 1B.F/").number().unwrap(), Some(41));
        assert_eq!(reader("*.").number().unwrap(), None);
        assert_eq!(reader("-RD1AM6K/").number().unwrap(), Some(20_000_000_000));
        assert!(reader("1Z/").number().is_err());
        assert!(reader("12").number().is_err());
    }

    /// A portable file around `body`, with ReadStat's splash and an identity translation
    /// table, wrapped at 80 columns.
    fn por(body: &str) -> Vec<u8> {
        let mut text = format!("{:200}", "ASCII SPSS PORT FILE").into_bytes();
        text.extend_from_slice(&[b'0'; 64]);
        text.extend_from_slice(PORTABLE);
        text.resize(456, b'0');
        text.extend_from_slice(b"SPSSPORTA8/202601016/120000");
        text.extend_from_slice(body.as_bytes());
        let mut out = Vec::new();
        for line in text.chunks(LINE) {
            out.extend_from_slice(line);
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    #[test]
    fn dictionary_records_and_cases_are_read() {
        // Variables AGE (numeric, missing range 0 THRU 1) and SEX (one character, missing
        // value X); value labels for both; a document; then two cases.
        let body = "18/ReadStat42/5C/70/3/AGE5/8/2/5/8/2/B0/1/CC/Age in years\
                    71/3/SEX1/1/0/1/1/0/81/X\
                    D1/3/AGE1/10/3/oldD1/3/SEX2/1/F6/Female1/M4/MaleE1/5/hello\
                    F10/1/F*.1/MZZZZ";
        let shape = spss_portable(&por(body)).unwrap();
        assert_eq!(shape.rows, Some(2));
        assert_eq!(shape.columns, 2);
        assert_eq!(shape.names, ["AGE", "SEX"]);
    }

    #[test]
    fn data_without_its_end_marker_is_an_error() {
        let body = "70/3/AGE5/8/2/5/8/2/F10/*.";
        let error = spss_portable(&por(body)).unwrap_err();
        assert!(error.contains("no Z end marker after 2 cases"), "{error}");
        let error = spss_portable(&por("70/3/AGE5/8/2/5/8/2/F1Z")).unwrap_err();
        assert!(error.contains("case 1"), "{error}");
        assert!(spss_portable(&por("FZ")).unwrap().rows == Some(0));
        assert!(spss_portable(&por("F1/Z")).is_err());
        assert!(spss_portable(&por("Q"))
            .unwrap_err()
            .contains("unknown record tag"));
    }

    #[test]
    fn cut_files_are_errors() {
        assert!(spss_portable(b"ASCII SPSS PORT FILE").is_err());
        let mut splash = vec![b'0'; 200 + 64];
        splash.extend_from_slice(PORTABLE);
        splash.resize(456, b'0');
        splash.extend_from_slice(b"SPSSPORTA8/20260101");
        assert!(spss_portable(&splash).is_err());
    }
}
