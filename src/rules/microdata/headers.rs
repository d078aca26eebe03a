//! Row and column counts, and variable names, from the headers of NumPy, Stata, SPSS and SAS
//! transport files. Every offset is checked; a header that does not add up is an error.

/// What a data file's header says about its shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shape {
    /// Rows (observations, cases); `None` when the header does not record them.
    pub rows: Option<u64>,
    pub columns: u64,
    /// Variable names, as many as the header gives (at most [`MAX_NAMES`]).
    pub names: Vec<String>,
    /// Format-specific detail for the evidence (a dtype, a release number).
    pub detail: String,
}

/// Most variable names kept for the evidence.
pub const MAX_NAMES: usize = 50;

fn get(data: &[u8], start: usize, len: usize) -> Result<&[u8], String> {
    start
        .checked_add(len)
        .and_then(|end| data.get(start..end))
        .ok_or_else(|| format!("header cut off at byte {start}"))
}

fn name(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end])
        .trim_end()
        .to_string()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A NumPy `.npy` header: shape, dtype, and where the data starts.
pub fn npy(data: &[u8]) -> Result<(Shape, usize, bool), String> {
    let major = *data.get(6).ok_or("header cut off")?;
    let (len, start) = match major {
        1 => {
            let b = get(data, 8, 2)?;
            (u16::from_le_bytes([b[0], b[1]]) as usize, 10)
        }
        2 | 3 => {
            let b = get(data, 8, 4)?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
        }
        _ => return Err(format!("unknown npy version {major}")),
    };
    let header = String::from_utf8_lossy(get(data, start, len)?).into_owned();
    let descr = header
        .split("'descr':")
        .nth(1)
        .ok_or("no descr in the npy header")?;
    let descr = descr.trim_start();
    let (dtype, names) = if descr.starts_with('[') {
        let list = &descr[..descr.find("],").unwrap_or(descr.len())];
        let names: Vec<String> = list
            .split("('")
            .skip(1)
            .filter_map(|s| s.split('\'').next().map(str::to_string))
            .collect();
        ("structured".to_string(), names)
    } else {
        let value = descr.trim_start_matches(['\'', '"']);
        let end = value.find(['\'', '"']).unwrap_or(value.len());
        (value[..end].to_string(), Vec::new())
    };
    let shape_text = header
        .split("'shape':")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .ok_or("no shape in the npy header")?;
    let dims: Vec<u64> = shape_text
        .trim_start()
        .trim_start_matches('(')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('L').parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| "npy shape is not a tuple of integers".to_string())?;
    let is_object = dtype.contains('O');
    let columns = if names.is_empty() {
        dims.get(1..)
            .map_or(1, |rest| rest.iter().product::<u64>().max(1))
    } else {
        names.len() as u64
    };
    let shape = Shape {
        rows: Some(dims.first().copied().unwrap_or(1)),
        columns,
        names: names.into_iter().take(MAX_NAMES).collect(),
        detail: format!("dtype {dtype}, shape {dims:?}"),
    };
    Ok((shape, start + len, is_object))
}

/// Stata: the XML-like header of format 117 to 119, or the binary header of 113 to 115.
pub fn stata(data: &[u8]) -> Result<Shape, String> {
    if data.starts_with(b"<stata_dta>") {
        let release_at = find(data, b"<release>").ok_or("no release")? + 9;
        let release: u32 = String::from_utf8_lossy(get(data, release_at, 3)?)
            .parse()
            .map_err(|_| "release is not a number")?;
        let little = find(data, b"<byteorder>LSF").is_some();
        let k_at = find(data, b"<K>").ok_or("no K")? + 3;
        let (k_len, n_len, name_len) = match release {
            117 => (2, 4, 33),
            118 => (2, 8, 129),
            119 => (4, 8, 129),
            _ => return Err(format!("unknown Stata release {release}")),
        };
        let columns = uint(get(data, k_at, k_len)?, little);
        let n_at = find(data, b"<N>").ok_or("no N")? + 3;
        let rows = uint(get(data, n_at, n_len)?, little);
        let names_at = find(data, b"<varnames>").ok_or("no varnames")? + 10;
        let names = (0..columns.min(MAX_NAMES as u64) as usize)
            .map(|i| get(data, names_at + i * name_len, name_len).map(name))
            .collect::<Result<_, _>>()?;
        return Ok(Shape {
            rows: Some(rows),
            columns,
            names,
            detail: format!("Stata release {release}"),
        });
    }
    let header = get(data, 0, 109)?;
    let release = header[0];
    let little = header[1] == 2;
    let columns = uint(&header[4..6], little);
    let rows = uint(&header[6..10], little);
    let names_at = 109 + columns as usize;
    let names = (0..columns.min(MAX_NAMES as u64) as usize)
        .map(|i| get(data, names_at + i * 33, 33).map(name))
        .collect::<Result<_, _>>()?;
    Ok(Shape {
        rows: Some(rows),
        columns,
        names,
        detail: format!("Stata release {release}"),
    })
}

fn uint(bytes: &[u8], little: bool) -> u64 {
    let fold = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
    if little {
        bytes.iter().rev().fold(0, fold)
    } else {
        bytes.iter().fold(0, fold)
    }
}

/// SPSS `.sav`: the 176-byte file header, then one record per variable.
// Limitation: names are the 8-character short names; long names (record 7, subtype 13) are
// not read.
pub fn spss(data: &[u8]) -> Result<Shape, String> {
    let header = get(data, 0, 176)?;
    let layout = i32::from_le_bytes([header[64], header[65], header[66], header[67]]);
    let little = matches!(layout, 2 | 3);
    let int = |b: &[u8]| uint(b, little) as u32 as i32;
    let cases = int(&header[80..84]);
    let compression = int(&header[72..76]);
    let mut at = 176usize;
    let mut names = Vec::new();
    let mut columns = 0u64;
    while int(get(data, at, 4)?) == 2 {
        let record = get(data, at, 32)?;
        let kind = int(&record[4..8]);
        let has_label = int(&record[8..12]);
        let missing = int(&record[12..16]).unsigned_abs() as usize;
        let short = name(&record[24..32]);
        at += 32;
        if has_label == 1 {
            let length = int(get(data, at, 4)?) as u32 as usize;
            at = at
                .checked_add(4 + length.div_ceil(4) * 4)
                .ok_or("label length overflows")?;
        }
        at = at
            .checked_add(missing * 8)
            .ok_or("missing values overflow")?;
        // Continuation records of long strings have type -1.
        if kind != -1 {
            columns += 1;
            if names.len() < MAX_NAMES {
                names.push(short);
            }
        }
    }
    Ok(Shape {
        rows: (cases >= 0).then_some(cases as u64),
        columns,
        names,
        detail: format!("SPSS, compression {compression}"),
    })
}

/// SAS transport (XPORT) versions 5 and 8: the NAMESTR header gives the variables, the data
/// after the OBS header the rows.
// Limitation: only the first member of a library is read, and version 8 long names (LABELV8
// records) are not: names are the 8-character ones. Rows are the data bytes divided by the row
// length; a last record padded with blanks can add at most 80 / row length rows.
pub fn sas_xport(data: &[u8]) -> Result<Shape, String> {
    let (namestr, version) = match find(data, b"HEADER RECORD*******NAMESTR HEADER RECORD") {
        Some(at) => (at, 5),
        None => (
            find(data, b"HEADER RECORD*******NAMSTV8 HEADER RECORD").ok_or("no NAMESTR header")?,
            8,
        ),
    };
    let count = String::from_utf8_lossy(get(data, namestr + 54, 4)?);
    let columns: usize = count
        .trim()
        .parse()
        .map_err(|_| "variable count unreadable")?;
    let member = find(data, b"HEADER RECORD*******MEMB").ok_or("no member header")?;
    let size = String::from_utf8_lossy(get(data, member + 74, 4)?);
    let size: usize = size.trim().parse().unwrap_or(140);
    let mut names = Vec::new();
    let mut row_length = 0u64;
    for i in 0..columns {
        let entry = get(data, namestr + 80 + i * size, size.max(16))?;
        row_length += u16::from_be_bytes([entry[4], entry[5]]) as u64;
        if names.len() < MAX_NAMES {
            names.push(name(&entry[8..16]));
        }
    }
    let obs = find(data, b"HEADER RECORD*******OBS     HEADER RECORD")
        .or_else(|| find(data, b"HEADER RECORD*******OBSV8   HEADER RECORD"))
        .ok_or("no OBS header")?;
    let body = (data.len() as u64).saturating_sub(obs as u64 + 80);
    let rows = body.checked_div(row_length).ok_or("rows of zero length")?;
    Ok(Shape {
        rows: Some(rows),
        columns: columns as u64,
        names,
        detail: format!("SAS XPORT v{version}, rows of {row_length} bytes"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_header_is_read() {
        let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (30, 4), }";
        let mut data = b"\x93NUMPY\x01\x00".to_vec();
        data.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        data.extend_from_slice(dict.as_bytes());
        let (shape, start, object) = npy(&data).unwrap();
        assert_eq!(shape.rows, Some(30));
        assert_eq!(shape.columns, 4);
        assert_eq!(start, data.len());
        assert!(!object);
    }

    #[test]
    fn cut_headers_are_errors() {
        assert!(npy(b"\x93NUMPY\x01\x00\xff\xff{").is_err());
        assert!(stata(b"<stata_dta><header><release>118").is_err());
        assert!(spss(b"$FL2").is_err());
        assert!(sas_xport(b"HEADER RECORD*******LIBRARY").is_err());
    }
}
