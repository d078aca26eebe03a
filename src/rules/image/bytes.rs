//! Small, bounds-checked readers shared by the container walkers, and capped inflation.
//!
//! Header fields are attacker-controlled: every read returns `None` past the end instead of
//! panicking, and inflation never trusts a declared size, stopping at a cap.

use std::io::Read;

use crate::stats::entropy_of;

/// Big-endian u16 at `at`.
pub fn be16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// Big-endian u32 at `at`.
pub fn be32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Little-endian u16 at `at`.
pub fn le16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

/// Little-endian u32 at `at`.
pub fn le32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Fewest bytes on which a block is judged random-looking.
pub const RANDOM_MIN_BYTES: usize = 1024;
/// Entropy above which a metadata block is called random-looking. Text and XML measure
/// 4-6 bits per byte; deflate output and ciphertext 7.9 and more on a few KiB.
pub const RANDOM_BITS: f64 = 7.5;

/// True when `data` is long enough to judge and looks like compressed or encrypted bytes.
pub fn looks_random(data: &[u8]) -> bool {
    data.len() >= RANDOM_MIN_BYTES && entropy_of(data) > RANDOM_BITS
}

/// What a capped inflation found.
#[derive(Debug)]
pub struct Inflated {
    /// Bytes produced, at most the cap.
    pub size: u64,
    /// True when the output reached the cap (there may be more).
    pub capped: bool,
    /// The first bytes of the output, at most the `keep` asked for.
    pub head: Vec<u8>,
    /// Compressed bytes left over after the end of the zlib stream (0 when capped).
    pub left_over: u64,
}

/// Inflates the zlib stream `data`, counting at most `cap` bytes of output and keeping the
/// first `keep`. An error means the stream is corrupt or ends early.
pub fn inflate(data: &[u8], cap: u64, keep: usize) -> std::io::Result<Inflated> {
    let mut decoder = flate2::bufread::ZlibDecoder::new(data);
    let mut head = Vec::new();
    let mut size = 0u64;
    let mut buffer = [0u8; 32 * 1024];
    while size < cap {
        let want = (cap - size).min(buffer.len() as u64) as usize;
        let n = decoder.read(&mut buffer[..want])?;
        if n == 0 {
            break;
        }
        let room = keep.saturating_sub(head.len()).min(n);
        head.extend_from_slice(&buffer[..room]);
        size += n as u64;
    }
    let capped = size >= cap;
    let left_over = if capped {
        0
    } else {
        (data.len() as u64).saturating_sub(decoder.total_in())
    };
    Ok(Inflated {
        size,
        capped,
        head,
        left_over,
    })
}

/// Characters of text, counted leniently (invalid UTF-8 counts a character per byte).
pub fn text_chars(data: &[u8]) -> usize {
    match std::str::from_utf8(data) {
        Ok(text) => text.chars().count(),
        Err(_) => data.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn readers_stop_at_the_end() {
        assert_eq!(be32(&[0, 0, 1, 0], 0), Some(256));
        assert_eq!(be32(&[0, 0, 1], 0), None);
        assert_eq!(le16(&[1, 0], usize::MAX), None);
    }

    #[test]
    fn inflation_is_capped_and_measures_left_over() {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Default::default());
        encoder.write_all(&[b'a'; 10_000]).expect("write");
        let mut stream = encoder.finish().expect("finish");
        let whole = inflate(&stream, 1 << 20, 4).expect("inflate");
        assert_eq!(
            (whole.size, whole.capped, whole.left_over),
            (10_000, false, 0)
        );
        assert_eq!(whole.head, b"aaaa");
        let capped = inflate(&stream, 100, 0).expect("inflate");
        assert_eq!((capped.size, capped.capped), (100, true));
        stream.extend_from_slice(b"hidden");
        assert_eq!(inflate(&stream, 1 << 20, 0).expect("inflate").left_over, 6);
        assert!(inflate(&stream[..10], 1 << 20, 0).is_err());
    }

    #[test]
    fn entropy_of_uniform_bytes_is_eight() {
        let all: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        assert!((entropy_of(&all) - 8.0).abs() < 1e-9);
        assert!(looks_random(&all));
        assert!(!looks_random(&[7u8; 4096]));
    }
}
