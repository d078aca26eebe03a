//! Single-stream decompressors (gzip, zlib, bzip2, xz, .lzma, zstd, LZ4 frames) behind one
//! interface, so that archives and compressed model files are inflated the same way: as a
//! reader whose output the caller caps, never trusting a size the stream declares.

use std::io::{self, Read};

/// The largest dictionary any xz preset uses (`xz -9`, 64 MiB, xz(1) "Presets"): a decoder
/// memory limit below it would refuse honest files.
const LARGEST_PRESET_DICTIONARY: u64 = 64 << 20;

/// The most memory a decoder may allocate for a dictionary or window when the caller allows
/// `memory_limit`: never less than the largest xz preset's dictionary (7-Zip's default `-mx5`
/// uses 16 MiB, `-mx9` 64 MiB), so that honest files always open.
pub fn dictionary_limit(memory_limit: u64) -> u64 {
    memory_limit.max(LARGEST_PRESET_DICTIONARY)
}

/// A compression format that holds a single stream of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Gzip,
    Zlib,
    Bzip2,
    Xz,
    /// The legacy `.lzma` ("LZMA alone") format: a 13-byte header, then raw LZMA.
    Lzma,
    Zstd,
    /// An LZ4 frame (magic `04 22 4D 18`), as joblib's `lz4` compressor writes.
    Lz4,
}

impl Codec {
    /// Name used in evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Zlib => "zlib",
            Codec::Bzip2 => "bzip2",
            Codec::Xz => "xz",
            Codec::Lzma => "lzma",
            Codec::Zstd => "zstd",
            Codec::Lz4 => "lz4",
        }
    }

    /// Reads the codec from the first bytes. `.lzma` has no magic number: only the default
    /// properties byte (`5d`, lc=3 lp=0 pb=2) followed by a zero byte is taken, which is the
    /// prefix joblib tests for.
    pub fn sniff(data: &[u8]) -> Option<Codec> {
        match data {
            [0x1f, 0x8b, ..] => Some(Codec::Gzip),
            [b'B', b'Z', b'h', ..] => Some(Codec::Bzip2),
            [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Some(Codec::Xz),
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Codec::Zstd),
            [0x04, 0x22, 0x4d, 0x18, ..] => Some(Codec::Lz4),
            [0x5d, 0x00, ..] => Some(Codec::Lzma),
            [cmf @ 0x78, flg, ..] if (u16::from(*cmf) * 256 + u16::from(*flg)) % 31 == 0 => {
                Some(Codec::Zlib)
            }
            _ => None,
        }
    }
}

/// A reader of the decompressed bytes of `data`. `memory_limit` bounds the dictionary or
/// window a stream may ask the decoder to allocate (never below the largest xz preset's);
/// a stream asking for more fails to read, as a corrupt one does.
pub fn decoder<'a>(
    codec: Codec,
    data: &'a [u8],
    memory_limit: u64,
) -> io::Result<Box<dyn Read + 'a>> {
    let limit = dictionary_limit(memory_limit);
    let limit_kb = u32::try_from(limit / 1024).unwrap_or(u32::MAX - 1);
    Ok(match codec {
        Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(data)),
        Codec::Zlib => Box::new(flate2::read::ZlibDecoder::new(data)),
        Codec::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(data)),
        Codec::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(data, true, limit_kb)),
        Codec::Lzma => Box::new(lzma_rust2::LzmaReader::new_mem_limit(data, limit_kb, None)?),
        Codec::Zstd => Box::new(ZstdFrames::new(data, limit)),
        Codec::Lz4 => Box::new(lz4_flex::frame::FrameDecoder::new(data)),
    })
}

/// Why a capped read failed.
#[derive(Debug)]
pub enum CappedError {
    /// The stream produced more than the cap; reading stopped there.
    OverCap,
    /// The stream is corrupt or truncated.
    Corrupt(io::Error),
}

/// Reads `reader` to its end, keeping at most `cap` bytes: one byte past the cap is read to
/// tell a stream that fits exactly from one that would go on.
pub fn read_capped(reader: impl Read, cap: u64) -> Result<Vec<u8>, CappedError> {
    let mut out = Vec::new();
    reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(CappedError::Corrupt)?;
    if out.len() as u64 > cap {
        return Err(CappedError::OverCap);
    }
    Ok(out)
}

/// Every frame of a zstd stream in turn (a `.zst` file may hold several, and skippable
/// frames between them), where `ruzstd`'s decoder reads only one.
struct ZstdFrames<'a> {
    current: Option<ruzstd::decoding::StreamingDecoder<&'a [u8], ruzstd::decoding::FrameDecoder>>,
    rest: &'a [u8],
    window_limit: u64,
}

impl<'a> ZstdFrames<'a> {
    fn new(data: &'a [u8], window_limit: u64) -> Self {
        ZstdFrames {
            current: None,
            rest: data,
            window_limit,
        }
    }

    /// Starts the next data frame, skipping skippable frames. `false` at the end.
    fn next_frame(&mut self) -> io::Result<bool> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};

        while !self.rest.is_empty() {
            match ruzstd::decoding::StreamingDecoder::new_with_max_window_size(
                self.rest,
                self.window_limit,
            ) {
                Ok(decoder) => {
                    self.current = Some(decoder);
                    return Ok(true);
                }
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let skip = usize::try_from(length)
                        .ok()
                        .and_then(|length| length.checked_add(8))
                        .filter(|&skip| skip <= self.rest.len())
                        .ok_or_else(|| corrupt("a skippable frame runs past the end"))?;
                    self.rest = self.rest.get(skip..).unwrap_or_default();
                }
                Err(error) => return Err(corrupt(&error.to_string())),
            }
        }
        Ok(false)
    }
}

impl Read for ZstdFrames<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(decoder) = self.current.as_mut() {
                let read = decoder.read(buf)?;
                if read > 0 || buf.is_empty() {
                    return Ok(read);
                }
                if let Some(done) = self.current.take() {
                    self.rest = done.into_inner();
                }
            }
            if !self.next_frame()? {
                return Ok(0);
            }
        }
    }
}

fn corrupt(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Streams made by the reference encoders in testdata/generate_archives.py would need
    /// files; these are made by the Rust encoders the crates ship, which are independent of
    /// the decoders under test only in part, so every codec is also covered by a
    /// Python-made fixture in tests/archives.rs.
    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).expect("gzip");
        encoder.finish().expect("gzip")
    }

    fn bzip2(data: &[u8]) -> Vec<u8> {
        let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        encoder.write_all(data).expect("bzip2");
        encoder.finish().expect("bzip2")
    }

    fn lz4(data: &[u8]) -> Vec<u8> {
        let mut encoder = lz4_flex::frame::FrameEncoder::new(Vec::new());
        encoder.write_all(data).expect("lz4");
        encoder.finish().expect("lz4")
    }

    #[test]
    fn codecs_are_sniffed_from_their_magic() {
        assert_eq!(Codec::sniff(&gzip(b"x")), Some(Codec::Gzip));
        assert_eq!(Codec::sniff(&bzip2(b"x")), Some(Codec::Bzip2));
        assert_eq!(Codec::sniff(&lz4(b"x")), Some(Codec::Lz4));
        assert_eq!(Codec::sniff(b"\xfd7zXZ\x00\x00"), Some(Codec::Xz));
        assert_eq!(Codec::sniff(b"\x28\xb5\x2f\xfd"), Some(Codec::Zstd));
        assert_eq!(Codec::sniff(b"\x80\x04N."), None);
    }

    #[test]
    fn each_codec_round_trips_under_the_cap() {
        let data = b"age_band,n\n18-39,120\n".repeat(50);
        for packed in [gzip(&data), bzip2(&data), lz4(&data)] {
            let codec = Codec::sniff(&packed).expect("codec");
            let reader = decoder(codec, &packed, 0).expect("decoder");
            let out = read_capped(reader, 1 << 20).expect("inflate");
            assert_eq!(out, data, "{codec:?}");
        }
    }

    #[test]
    fn reading_stops_one_byte_past_the_cap() {
        let zeros = vec![0u8; 1 << 20];
        for packed in [gzip(&zeros), bzip2(&zeros), lz4(&zeros)] {
            let codec = Codec::sniff(&packed).expect("codec");
            let reader = decoder(codec, &packed, 0).expect("decoder");
            assert!(matches!(
                read_capped(reader, 1000),
                Err(CappedError::OverCap)
            ));
        }
    }

    #[test]
    fn exactly_the_cap_fits() {
        let data = vec![5u8; 4096];
        let packed = bzip2(&data);
        let reader = decoder(Codec::Bzip2, &packed, 0).expect("decoder");
        assert_eq!(read_capped(reader, 4096).expect("fits").len(), 4096);
    }

    #[test]
    fn truncated_streams_are_corrupt() {
        let data = b"0123456789".repeat(1000);
        for packed in [gzip(&data), bzip2(&data), lz4(&data)] {
            let codec = Codec::sniff(&packed).expect("codec");
            let cut = &packed[..packed.len() / 2];
            let reader = decoder(codec, cut, 0).expect("decoder");
            assert!(
                matches!(read_capped(reader, 1 << 20), Err(CappedError::Corrupt(_))),
                "{codec:?}"
            );
        }
    }

    #[test]
    fn zstd_frames_are_read_in_turn_and_skippable_frames_skipped() {
        // Two frames of one raw block each, written out by hand from RFC 8878 §3.1.1:
        // magic, frame header descriptor 0x20 (single segment, 1-byte content size), size,
        // block header (last block, raw, size 3), then the bytes.
        let frame = |body: &[u8; 3]| {
            let mut out = vec![0x28, 0xb5, 0x2f, 0xfd, 0x20, 3, 0x19, 0x00, 0x00];
            out.extend_from_slice(body);
            out
        };
        let mut stream = frame(b"abc");
        stream.extend_from_slice(&[0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 0xee, 0xee]);
        stream.extend(frame(b"def"));
        let reader = decoder(Codec::Zstd, &stream, 0).expect("decoder");
        assert_eq!(read_capped(reader, 100).expect("zstd"), b"abcdef");
    }
}
