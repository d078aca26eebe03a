//! EXIF and TIFF image file directories (TIFF 6.0, section 2; CIPA DC-008 Exif 2.32).
//!
//! One walker serves EXIF blocks (JPEG APP1, PNG eXIf, WebP EXIF) and TIFF files. It follows
//! IFD0, the next-IFD chain, and the Exif and GPS sub-directories, visiting each offset once
//! and bounding the number of entries, so a loop or a bogus count cannot hang or panic it.

use super::bytes::{be16, be32, le16, le32};
use super::{long_text, place, METADATA_TEXT};
use crate::evidence;
use crate::finding::Finding;
use crate::policy::ImageSettings;
use crate::rules::Findings;

/// Most directory entries read from one block; real files have a few hundred at most.
const MAX_ENTRIES: usize = 4096;
const EXIF_IFD: u16 = 0x8769;
const GPS_IFD: u16 = 0x8825;

/// Free-text tags: ImageDescription, Artist, Copyright, UserComment, XPComment, XPSubject.
const TEXT_TAGS: &[(u16, &str)] = &[
    (0x010e, "ImageDescription"),
    (0x013b, "Artist"),
    (0x8298, "Copyright"),
    (0x9286, "UserComment"),
    (0x9c9c, "XPComment"),
    (0x9c9f, "XPSubject"),
];

/// Which directory an entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Directory {
    /// IFD0 and the IFDs chained after it (images, thumbnails).
    Image,
    Exif,
    Gps,
}

/// One directory entry, with the byte range of its value inside the block.
#[derive(Clone, Debug)]
pub struct Entry {
    pub directory: Directory,
    pub tag: u16,
    pub kind: u16,
    pub count: u32,
    /// Start of the value (inline or at its offset) and its length, within the block.
    pub value_at: usize,
    pub value_len: usize,
}

impl Entry {
    /// The integer values of a SHORT or LONG entry, bounded to what the block holds.
    pub fn numbers(&self, block: &[u8]) -> Vec<u64> {
        let little = block.starts_with(b"II");
        let width = match self.kind {
            3 => 2,
            4 => 4,
            _ => return Vec::new(),
        };
        (0..self.count as usize)
            .map_while(|i| {
                let at = self.value_at.checked_add(i.checked_mul(width)?)?;
                match (width, little) {
                    (2, true) => le16(block, at).map(u64::from),
                    (2, false) => be16(block, at).map(u64::from),
                    (_, true) => le32(block, at).map(u64::from),
                    (_, false) => be32(block, at).map(u64::from),
                }
            })
            .collect()
    }
}

/// Walks the directories of a TIFF-structured block. Errors describe the first defect.
pub fn walk(block: &[u8]) -> Result<Vec<Entry>, String> {
    let little = match block.get(..4) {
        Some(b"II*\0") => true,
        Some(b"MM\0*") => false,
        _ => return Err("no TIFF header (II*\\0 or MM\\0*)".into()),
    };
    let u16_at = |at: usize| {
        if little {
            le16(block, at)
        } else {
            be16(block, at)
        }
    };
    let u32_at = |at: usize| {
        if little {
            le32(block, at)
        } else {
            be32(block, at)
        }
    };
    let first = u32_at(4).ok_or("cut-off TIFF header")? as usize;

    let mut entries = Vec::new();
    let mut visited = Vec::new();
    let mut queue = vec![(first, Directory::Image)];
    while let Some((offset, directory)) = queue.pop() {
        if offset == 0 || visited.contains(&offset) {
            continue;
        }
        visited.push(offset);
        let count = u16_at(offset).ok_or(format!("IFD offset {offset} is past the end"))?;
        for i in 0..count as usize {
            if entries.len() >= MAX_ENTRIES {
                return Err(format!("more than {MAX_ENTRIES} directory entries"));
            }
            let at = offset + 2 + i * 12;
            let (Some(tag), Some(kind), Some(n)) = (u16_at(at), u16_at(at + 2), u32_at(at + 4))
            else {
                return Err(format!("IFD entry at byte {at} is cut off"));
            };
            let size = match kind {
                1 | 2 | 6 | 7 => 1u64,
                3 | 8 => 2,
                4 | 9 | 11 | 13 => 4,
                5 | 10 | 12 => 8,
                _ => 1,
            };
            let value_len = size * n as u64;
            let value_at = if value_len <= 4 {
                at + 8
            } else {
                u32_at(at + 8).ok_or("cut-off entry")? as usize
            };
            if value_at as u64 + value_len > block.len() as u64 {
                return Err(format!(
                    "tag 0x{tag:04x} points to {value_len} bytes at {value_at}, past the end"
                ));
            }
            let entry = Entry {
                directory,
                tag,
                kind,
                count: n,
                value_at,
                value_len: value_len as usize,
            };
            if directory == Directory::Image && matches!(tag, EXIF_IFD | GPS_IFD) {
                let target = entry.numbers(block).first().copied().unwrap_or(0) as usize;
                let sub = if tag == GPS_IFD {
                    Directory::Gps
                } else {
                    Directory::Exif
                };
                queue.push((target, sub));
            }
            entries.push(entry);
        }
        if directory == Directory::Image {
            let next = u32_at(offset + 2 + count as usize * 12).unwrap_or(0) as usize;
            queue.push((next, Directory::Image));
        }
    }
    Ok(entries)
}

/// Reviews an EXIF block: GPS position and long free text are findings; a block that does
/// not parse is reported as unreadable metadata.
pub fn review(block: &[u8], kind: &str, at: usize, settings: &ImageSettings, out: &mut Findings) {
    let entries = match walk(block) {
        Ok(entries) => entries,
        Err(error) => {
            out.push(
                Finding::new(
                    &super::MALFORMED_IMAGE,
                    format!("{kind} metadata does not parse: {error}"),
                )
                .at(place(kind, at, block.len()))
                .with_evidence(evidence! {"kind" => kind, "error" => error})
                .carrying(block.len() as u64),
            );
            return;
        }
    };
    let gps: Vec<String> = entries
        .iter()
        .filter(|e| e.directory == Directory::Gps && e.tag != 0)
        .map(|e| format!("0x{:04x}", e.tag))
        .collect();
    if !gps.is_empty() {
        out.push(
            Finding::new(
                &METADATA_TEXT,
                format!("{kind} holds a GPS directory with {} tags", gps.len()),
            )
            .at(place(kind, at, block.len()))
            .with_evidence(evidence! {"kind" => kind, "gps_tags" => gps}),
        );
    }
    for entry in &entries {
        let Some((_, name)) = TEXT_TAGS.iter().find(|(tag, _)| *tag == entry.tag) else {
            continue;
        };
        let value = block
            .get(entry.value_at..entry.value_at + entry.value_len)
            .unwrap_or_default();
        // UserComment starts with an 8-byte character-code prefix; text ends at a NUL.
        let value = if entry.tag == 0x9286 {
            value.get(8..).unwrap_or_default()
        } else {
            value
        };
        let end = value.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
        let label = format!("{kind} {name}");
        if let Some(finding) = long_text(&label, &value[..end], settings) {
            out.push(finding.at(place(kind, at, block.len())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian block: IFD0 with a GPS pointer, and a GPS IFD with one tag.
    fn with_gps() -> Vec<u8> {
        let mut b = b"II*\0\x08\0\0\0".to_vec();
        b.extend_from_slice(&[1, 0]); // one entry
        b.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0]);
        b.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
        b.extend_from_slice(&[1, 0]); // GPS IFD at 26: one entry
        b.extend_from_slice(&[1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
        b.extend_from_slice(&[0, 0, 0, 0]);
        b
    }

    #[test]
    fn finds_the_gps_directory() {
        let entries = walk(&with_gps()).expect("parses");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].directory, Directory::Gps);
        assert_eq!(entries[1].tag, 1);
    }

    #[test]
    fn loops_and_bad_offsets_are_errors_not_hangs() {
        let mut looped = b"II*\0\x08\0\0\0\0\0\x08\0\0\0".to_vec();
        assert!(walk(&looped).expect("a loop is visited once").is_empty());
        looped[4] = 200;
        assert!(walk(&looped).is_err());
        assert!(walk(b"II*").is_err());
    }
}
