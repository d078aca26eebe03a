//! Getting at the pickle inside a model file: inflating compressed joblib files with a cap, and
//! finding `data.pkl` in a PyTorch ZIP checkpoint. Nothing here runs or imports the model.

use std::io::{Cursor, Read};

/// How a pickle was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    Plain,
    Zlib,
    Gzip,
}

impl Packing {
    /// Reads the compression from the first bytes: a zlib header (`78 xx`, checksum valid) or
    /// the gzip magic.
    pub fn of(data: &[u8]) -> Packing {
        match data {
            [0x1f, 0x8b, ..] => Packing::Gzip,
            [cmf @ 0x78, flg, ..] if (u16::from(*cmf) * 256 + u16::from(*flg)) % 31 == 0 => {
                Packing::Zlib
            }
            _ => Packing::Plain,
        }
    }

    /// Name used in evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            Packing::Plain => "none",
            Packing::Zlib => "zlib",
            Packing::Gzip => "gzip",
        }
    }
}

/// Why a container could not be opened.
#[derive(Debug, Clone, PartialEq)]
pub enum OpenError {
    /// Inflating stopped at the cap: the stream holds more than the policy allows.
    OverCap { cap: u64 },
    /// The compressed stream or the ZIP is corrupt.
    Corrupt(String),
    /// A ZIP checkpoint with no `data.pkl` member.
    NoPickle,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::OverCap { cap } => {
                write!(
                    f,
                    "inflates to more than {cap} bytes (models.inflate_bytes)"
                )
            }
            OpenError::Corrupt(why) => write!(f, "cannot be decompressed: {why}"),
            OpenError::NoPickle => f.write_str("holds no data.pkl member"),
        }
    }
}

/// Inflates `data` when compressed, reading at most `cap` bytes of output.
// Limitation: joblib's lz4, xz, bz2 and lzma compressors are not opened. xz and bz2 files are
// identified as archives (and reviewed as such); lz4 frames have no signature here and are
// judged as unknown binary data, which blocks.
pub fn inflate(data: &[u8], cap: u64) -> Result<Option<Vec<u8>>, OpenError> {
    let reader: Box<dyn Read + '_> = match Packing::of(data) {
        Packing::Plain => return Ok(None),
        Packing::Zlib => Box::new(flate2::read::ZlibDecoder::new(data)),
        Packing::Gzip => Box::new(flate2::read::MultiGzDecoder::new(data)),
    };
    read_capped(reader, cap).map(Some)
}

fn read_capped(reader: impl Read, cap: u64) -> Result<Vec<u8>, OpenError> {
    let mut out = Vec::new();
    reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| OpenError::Corrupt(e.to_string()))?;
    if out.len() as u64 > cap {
        return Err(OpenError::OverCap { cap });
    }
    Ok(out)
}

/// A PyTorch checkpoint's pickle and the size of the tensor storages beside it.
#[derive(Debug)]
pub struct Checkpoint {
    /// Name of the pickle member (`archive/data.pkl`).
    pub member: String,
    pub pickle: Vec<u8>,
    /// Uncompressed bytes of every other member (`data/0`, `data/1`, ...).
    pub storage_bytes: u64,
    pub members: usize,
}

/// Opens a PyTorch ZIP checkpoint and reads its `data.pkl`, at most `cap` bytes of it.
pub fn torch_checkpoint(data: &[u8], cap: u64) -> Result<Checkpoint, OpenError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(data)).map_err(|e| OpenError::Corrupt(e.to_string()))?;
    let mut member = None;
    let mut storage_bytes = 0u64;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| OpenError::Corrupt(e.to_string()))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if name == "data.pkl" || name.ends_with("/data.pkl") {
            member.get_or_insert((index, name));
        } else {
            storage_bytes = storage_bytes.saturating_add(entry.size());
        }
    }
    let (index, name) = member.ok_or(OpenError::NoPickle)?;
    let entry = archive
        .by_index(index)
        .map_err(|e| OpenError::Corrupt(e.to_string()))?;
    let pickle = read_capped(entry, cap)?;
    Ok(Checkpoint {
        member: name,
        pickle,
        storage_bytes,
        members: archive.len(),
    })
}

/// Reads one member of a ZIP (a `.keras` file's `config.json`), at most `cap` bytes.
pub fn zip_member(data: &[u8], wanted: &str, cap: u64) -> Result<Option<Vec<u8>>, OpenError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(data)).map_err(|e| OpenError::Corrupt(e.to_string()))?;
    let entry = match archive.by_name(wanted) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(OpenError::Corrupt(e.to_string())),
    };
    read_capped(entry, cap).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn zlib_and_gzip_are_recognised_and_inflated() {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(3));
        encoder.write_all(b"\x80\x04N.").unwrap();
        let zlib = encoder.finish().unwrap();
        assert_eq!(Packing::of(&zlib), Packing::Zlib);
        assert_eq!(inflate(&zlib, 100).unwrap().unwrap(), b"\x80\x04N.");
        assert_eq!(Packing::of(b"\x80\x04N."), Packing::Plain);
    }

    #[test]
    fn inflating_stops_at_the_cap() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
        encoder.write_all(&vec![0u8; 1 << 20]).unwrap();
        let gzip = encoder.finish().unwrap();
        assert_eq!(inflate(&gzip, 1000), Err(OpenError::OverCap { cap: 1000 }));
    }
}
