//! Getting at the pickle inside a model file: inflating compressed joblib files with a cap, and
//! finding `data.pkl` in a PyTorch ZIP checkpoint. Nothing here runs or imports the model.

use std::io::{Cursor, Read};

use crate::decompress::{self, CappedError, Codec};

/// How a pickle was stored: plain, or compressed by one of joblib's compressors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    Plain,
    Compressed(Codec),
}

impl Packing {
    /// Reads the compression from the first bytes, as joblib's `compressor` module does by
    /// prefix: zlib (`78`, header checksum valid), gzip (`1f 8b`), bz2 (`BZ`), xz
    /// (`fd 37 7a 58 5a`), lzma (`5d 00`) and lz4 (the LZ4 frame magic `04 22 4d 18`).
    /// zstd is not a joblib compressor and is left as plain.
    pub fn of(data: &[u8]) -> Packing {
        match Codec::sniff(data) {
            Some(Codec::Zstd) | None => Packing::Plain,
            Some(codec) => Packing::Compressed(codec),
        }
    }

    /// Name used in evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            Packing::Plain => "none",
            Packing::Compressed(codec) => codec.as_str(),
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
pub fn inflate(data: &[u8], cap: u64) -> Result<Option<Vec<u8>>, OpenError> {
    let Packing::Compressed(codec) = Packing::of(data) else {
        return Ok(None);
    };
    let reader =
        decompress::decoder(codec, data, cap).map_err(|e| OpenError::Corrupt(e.to_string()))?;
    read_capped(reader, cap).map(Some)
}

fn read_capped(reader: impl Read, cap: u64) -> Result<Vec<u8>, OpenError> {
    decompress::read_capped(reader, cap).map_err(|error| match error {
        CappedError::OverCap => OpenError::OverCap { cap },
        CappedError::Corrupt(error) => OpenError::Corrupt(error.to_string()),
    })
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
        assert_eq!(Packing::of(&zlib), Packing::Compressed(Codec::Zlib));
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

    #[test]
    fn lz4_and_bz2_joblib_streams_are_inflated() {
        let mut lz4 = lz4_flex::frame::FrameEncoder::new(Vec::new());
        lz4.write_all(b"\x80\x04N.").unwrap();
        let lz4 = lz4.finish().unwrap();
        assert_eq!(Packing::of(&lz4), Packing::Compressed(Codec::Lz4));
        assert_eq!(inflate(&lz4, 100).unwrap().unwrap(), b"\x80\x04N.");

        let mut bz2 = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
        bz2.write_all(&vec![0u8; 1 << 20]).unwrap();
        let bz2 = bz2.finish().unwrap();
        assert_eq!(inflate(&bz2, 1000), Err(OpenError::OverCap { cap: 1000 }));
    }
}
