//! Unpacking archives: listing and inflating members under the policy's guards.
//!
//! ZIP, 7z and tar members, and the single stream inside a gzip, bzip2, xz, .lzma or zstd
//! file, are inflated one at a time into memory, never to disk, with every limit enforced
//! while inflating: declared sizes are never trusted. Each member that fits is handed to the
//! caller to be checked as a file in its own right (a `.tar.xz` holds a `.tar`, unpacked in
//! turn); everything else (an encrypted member, a path that escapes, a link, a bomb, a
//! corrupt stream) becomes a finding.

mod sevenz;

use std::cell::Cell;
use std::io::{Cursor, Read};
use std::path::{Component, Path};

use crate::decompress::{self, Codec};
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::identify::Format;
use crate::policy::size::human;
use crate::rules::archive as rules;
use crate::rules::walk as walk_rules;

/// The guards on one top-level archive and everything nested in it.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most members listed per archive.
    pub max_members: usize,
    /// Most bytes inflated from one top-level archive, nested archives included.
    pub max_total_bytes: u64,
    /// Largest inflated member: members are held in memory to be checked.
    pub max_member_bytes: u64,
    /// Largest ratio of inflated to compressed size for members over 1 MiB.
    pub max_ratio: u64,
}

/// Ratios are only judged on members at least this large: a tiny file of zeros compresses
/// a thousandfold without being a bomb.
const RATIO_FLOOR: u64 = 1 << 20;

/// What unpacking found, in archive order.
pub enum Event {
    /// A regular member, inflated within every limit.
    Member { name: String, bytes: Vec<u8> },
    /// A finding about the archive or one of its members.
    Problem(Finding),
}

/// Formats this version can look inside.
pub fn can_unpack(format: Format) -> bool {
    matches!(format, Format::Zip | Format::Tar | Format::SevenZip)
        || single_stream(format).is_some()
}

/// Why an archive format is not opened, for the finding that says so.
pub fn why_not_opened(format: Format) -> &'static str {
    match format {
        Format::Rar => {
            "no maintained, licence-compatible RAR decoder in pure Rust exists (the reference \
             unRAR source forbids using it to re-create the compressor), so none is built in"
        }
        _ => "this version has no decoder for the format",
    }
}

/// The codec of a format that compresses one stream rather than listing members.
fn single_stream(format: Format) -> Option<Codec> {
    match format {
        Format::Gzip => Some(Codec::Gzip),
        Format::Bzip2 => Some(Codec::Bzip2),
        Format::Xz => Some(Codec::Xz),
        Format::Lzma => Some(Codec::Lzma),
        Format::Zstd => Some(Codec::Zstd),
        _ => None,
    }
}

/// Lists and inflates the members of `content`, an archive of `format` named `name`.
/// `inflated` counts the bytes inflated so far from the top-level archive and is shared with
/// nested calls.
pub fn unpack(
    format: Format,
    content: &[u8],
    name: &str,
    limits: &Limits,
    inflated: &Cell<u64>,
    visit: &mut dyn FnMut(Event),
) {
    match format {
        Format::Zip => unzip(content, limits, inflated, visit),
        Format::Tar => untar(content, limits, inflated, visit),
        Format::SevenZip => sevenz::unpack(content, limits, inflated, visit),
        Format::Gzip => gunzip(content, name, limits, inflated, visit),
        _ => {
            if let Some(codec) = single_stream(format) {
                decompress_stream(codec, content, name, limits, inflated, visit);
            }
        }
    }
}

fn unzip(content: &[u8], limits: &Limits, inflated: &Cell<u64>, visit: &mut dyn FnMut(Event)) {
    let mut archive = match zip::ZipArchive::new(Cursor::new(content)) {
        Ok(archive) => archive,
        Err(error) => return visit(Event::Problem(corrupt(None, &error.to_string()))),
    };
    let count = archive.len();
    if count > limits.max_members {
        visit(Event::Problem(member_limit(count, limits.max_members)));
    }

    for index in 0..count.min(limits.max_members) {
        let entry = archive.by_index_raw(index).map(|member| {
            (
                String::from_utf8_lossy(member.name_raw()).into_owned(),
                member.encrypted(),
                member.is_dir(),
                member.is_symlink(),
                member.compressed_size(),
                is_zstd(member.compression()),
            )
        });
        let (name, encrypted, is_dir, is_link, compressed, zstd) = match entry {
            Ok(fields) => fields,
            Err(error) => {
                visit(Event::Problem(corrupt(None, &error.to_string())));
                continue;
            }
        };
        if is_dir {
            continue;
        }
        if let Some(problem) = unsafe_path(&name) {
            visit(Event::Problem(problem));
            continue;
        }
        if encrypted {
            visit(Event::Problem(encrypted_member(&name, compressed)));
            continue;
        }
        if is_link {
            visit(Event::Problem(link_member(&name)));
            continue;
        }
        if zstd {
            unzip_zstd(&mut archive, index, &name, limits, inflated, visit);
            continue;
        }
        let member = match archive.by_index(index) {
            Ok(member) => member,
            Err(error) => {
                visit(Event::Problem(corrupt(Some(&name), &error.to_string())));
                continue;
            }
        };
        inflate_member(member, &name, compressed, limits, inflated, visit);
    }
}

/// APPNOTE 4.4.5 method 93: Zstandard. The `zip` crate decodes it only through the C
/// library, so the raw member is read here and inflated with the pure-Rust decoder, its CRC-32
/// checked as the crate checks the other methods'.
const ZIP_ZSTD: u16 = 93;

/// The crate names method 93 only when built with its C zstd feature; without it the raw
/// method number, which it marks deprecated, is the only way to recognise it.
#[allow(deprecated)]
fn is_zstd(method: zip::CompressionMethod) -> bool {
    method.to_u16() == ZIP_ZSTD
}

fn unzip_zstd(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    name: &str,
    limits: &Limits,
    inflated: &Cell<u64>,
    visit: &mut dyn FnMut(Event),
) {
    let (raw, crc) = match archive.by_index_raw(index) {
        Ok(mut member) => {
            let crc = member.crc32();
            let mut raw = Vec::new();
            let room = limits.max_member_bytes;
            match (&mut member).take(room).read_to_end(&mut raw) {
                Ok(_) => (raw, crc),
                Err(error) => {
                    return visit(Event::Problem(corrupt(Some(name), &error.to_string())))
                }
            }
        }
        Err(error) => return visit(Event::Problem(corrupt(Some(name), &error.to_string()))),
    };

    let mut checked = None;
    let compressed = raw.len() as u64;
    let reader = decompress::decoder(Codec::Zstd, &raw, limits.max_member_bytes);
    let reader = match reader {
        Ok(reader) => reader,
        Err(error) => return visit(Event::Problem(corrupt(Some(name), &error.to_string()))),
    };
    inflate_member(
        reader,
        name,
        compressed,
        limits,
        inflated,
        &mut |event| match event {
            Event::Member { name, bytes } if crc32fast::hash(&bytes) != crc => {
                checked = Some(Event::Problem(corrupt(
                    Some(&name),
                    &format!(
                        "CRC-32 {:08x} does not match the stored {crc:08x}",
                        crc32fast::hash(&bytes)
                    ),
                )));
            }
            other => checked = Some(other),
        },
    );
    if let Some(event) = checked {
        visit(event);
    }
}

fn untar(content: &[u8], limits: &Limits, inflated: &Cell<u64>, visit: &mut dyn FnMut(Event)) {
    let mut archive = tar::Archive::new(content);
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(error) => return visit(Event::Problem(corrupt(None, &error.to_string()))),
    };

    let mut listed = 0usize;
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                visit(Event::Problem(corrupt(None, &error.to_string())));
                return;
            }
        };
        listed += 1;
        if listed > limits.max_members {
            visit(Event::Problem(member_limit(listed, limits.max_members)));
            return;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if let Some(problem) = unsafe_path(&name) {
            visit(Event::Problem(problem));
            continue;
        }
        if kind.is_symlink() || kind.is_hard_link() {
            visit(Event::Problem(link_member(&name)));
            continue;
        }
        if !kind.is_file() {
            visit(Event::Problem(special_member(&name)));
            continue;
        }
        let size = entry.header().size().unwrap_or(0);
        inflate_member(entry, &name, size, limits, inflated, visit);
    }
}

fn gunzip(
    content: &[u8],
    name: &str,
    limits: &Limits,
    inflated: &Cell<u64>,
    visit: &mut dyn FnMut(Event),
) {
    let decoder = flate2::read::MultiGzDecoder::new(content);
    let stored_name = decoder
        .header()
        .and_then(|header| header.filename())
        .map(|raw| String::from_utf8_lossy(raw).into_owned());
    let member = stored_name
        .filter(|stored| unsafe_path(stored).is_none())
        .unwrap_or_else(|| gunzipped_name(name));
    inflate_member(
        decoder,
        &member,
        content.len() as u64,
        limits,
        inflated,
        visit,
    );
}

/// A bzip2, xz, .lzma or zstd file: one member, named from the archive.
fn decompress_stream(
    codec: Codec,
    content: &[u8],
    name: &str,
    limits: &Limits,
    inflated: &Cell<u64>,
    visit: &mut dyn FnMut(Event),
) {
    let member = gunzipped_name(name);
    match decompress::decoder(codec, content, limits.max_member_bytes) {
        Ok(reader) => {
            inflate_member(
                reader,
                &member,
                content.len() as u64,
                limits,
                inflated,
                visit,
            );
        }
        Err(error) => visit(Event::Problem(corrupt(Some(&member), &error.to_string()))),
    }
}

/// Suffixes of single-stream files, and what the stream inside is called: `results.csv.gz`
/// holds `results.csv`; `outputs.tgz` and `outputs.tar.zst` hold `outputs.tar`.
const STREAM_SUFFIXES: &[(&str, &str)] = &[
    (".tgz", ".tar"),
    (".tbz2", ".tar"),
    (".tbz", ".tar"),
    (".txz", ".tar"),
    (".tzst", ".tar"),
    (".gz", ""),
    (".bz2", ""),
    (".xz", ""),
    (".lzma", ""),
    (".zst", ""),
];

/// The name of the stream inside a single-stream file, from the file's own name.
fn gunzipped_name(archive: &str) -> String {
    let base = archive.rsplit(['/', '!']).next().unwrap_or(archive);
    STREAM_SUFFIXES
        .iter()
        .find_map(|(suffix, becomes)| {
            base.strip_suffix(suffix)
                .filter(|stem| !stem.is_empty())
                .map(|stem| format!("{stem}{becomes}"))
        })
        .unwrap_or_else(|| format!("{base}.contents"))
}

/// Reads one member with every cap enforced on the bytes actually produced. Returns `false`
/// when the member could not be read to its end (a bomb or a corrupt stream), so that a caller
/// in the middle of a solid block stops decoding it.
fn inflate_member(
    reader: impl Read,
    name: &str,
    compressed: u64,
    limits: &Limits,
    inflated: &Cell<u64>,
    visit: &mut dyn FnMut(Event),
) -> bool {
    let room = limits
        .max_member_bytes
        .min(limits.max_total_bytes.saturating_sub(inflated.get()));
    let mut bytes = Vec::new();
    if let Err(error) = reader.take(room.saturating_add(1)).read_to_end(&mut bytes) {
        visit(Event::Problem(corrupt(Some(name), &error.to_string())));
        return false;
    }
    let produced = bytes.len() as u64;
    inflated.set(inflated.get() + produced);

    if produced > room {
        visit(Event::Problem(bomb(
            name,
            compressed,
            room,
            limits,
            inflated.get(),
        )));
        return false;
    }
    let ratio = produced / compressed.max(1);
    if produced >= RATIO_FLOOR && ratio > limits.max_ratio {
        visit(Event::Problem(
            Finding::new(
                &rules::ARCHIVE_BOMB,
                format!(
                    "member {name:?} inflates {} from {} bytes, a ratio of {ratio} over the \
                     limit of {} (archives.max_ratio)",
                    human(produced),
                    compressed,
                    limits.max_ratio
                ),
            )
            .at(member_location(name))
            .with_evidence(evidence! {
                "member" => name, "inflated_bytes" => produced, "compressed_bytes" => compressed,
                "ratio" => ratio, "limit" => limits.max_ratio,
            }),
        ));
        return true;
    }
    visit(Event::Member {
        name: name.to_string(),
        bytes,
    });
    true
}

/// A member path that is absolute or climbs out with `..`: extracting it would write outside
/// the folder it is unpacked into.
fn unsafe_path(name: &str) -> Option<Finding> {
    let path = Path::new(name);
    let escapes = path.is_absolute()
        || name.starts_with('\\')
        || name.contains(":\\")
        || path.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::RootDir | Component::Prefix(_)
            )
        })
        || name.split(['/', '\\']).any(|part| part == "..");
    escapes.then(|| {
        Finding::new(
            &rules::MEMBER_PATH_ESCAPE,
            format!("member path {name:?} leads outside the archive's folder when extracted"),
        )
        .at(member_location(name))
        .with_evidence(evidence! {"member" => name})
    })
}

fn member_location(name: &str) -> Location {
    Location {
        chunk: Some(name.to_string()),
        ..Location::default()
    }
}

fn corrupt(member: Option<&str>, error: &str) -> Finding {
    let message = match member {
        Some(name) => format!("member {name:?} cannot be read: {error}"),
        None => format!("the archive cannot be read: {error}"),
    };
    let finding = Finding::new(&rules::CORRUPT_ARCHIVE, message)
        .with_evidence(evidence! {"member" => member, "error" => error});
    match member {
        Some(name) => finding.at(member_location(name)),
        None => finding,
    }
}

fn member_limit(count: usize, limit: usize) -> Finding {
    Finding::new(
        &rules::MEMBER_LIMIT,
        format!(
            "the archive lists at least {count} members, over the limit of {limit} \
             (archives.max_members); the rest were not checked"
        ),
    )
    .with_evidence(evidence! {"members" => count, "limit" => limit})
}

fn encrypted_member(name: &str, compressed: u64) -> Finding {
    Finding::new(
        &rules::ENCRYPTED_MEMBER,
        format!("member {name:?} is encrypted ({compressed} bytes) and cannot be checked"),
    )
    .at(member_location(name))
    .with_evidence(evidence! {"member" => name, "compressed_bytes" => compressed})
    .carrying(compressed)
}

fn link_member(name: &str) -> Finding {
    Finding::new(
        &walk_rules::SYMLINK,
        format!("member {name:?} is a link; links are never followed or released"),
    )
    .at(member_location(name))
    .with_evidence(evidence! {"member" => name})
}

fn special_member(name: &str) -> Finding {
    Finding::new(
        &walk_rules::SPECIAL_FILE,
        format!("member {name:?} is a device, fifo or other special entry"),
    )
    .at(member_location(name))
    .with_evidence(evidence! {"member" => name})
}

fn bomb(name: &str, compressed: u64, room: u64, limits: &Limits, inflated: u64) -> Finding {
    let (limit, key) = if room == limits.max_member_bytes {
        (limits.max_member_bytes, "read.inspect_bytes")
    } else {
        (limits.max_total_bytes, "archives.max_inflated_bytes")
    };
    Finding::new(
        &rules::ARCHIVE_BOMB,
        format!(
            "member {name:?} inflates past {} ({key}) from {compressed} compressed bytes; \
             inflating stopped there",
            human(limit)
        ),
    )
    .at(member_location(name))
    .with_evidence(evidence! {
        "member" => name, "compressed_bytes" => compressed, "limit" => limit,
        "budget" => key, "inflated_so_far" => inflated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const LIMITS: Limits = Limits {
        max_members: 100,
        max_total_bytes: 10 << 20,
        max_member_bytes: 4 << 20,
        max_ratio: 100,
    };

    fn collect(format: Format, content: &[u8], name: &str) -> (Vec<(String, usize)>, Vec<String>) {
        let mut members = Vec::new();
        let mut problems = Vec::new();
        let inflated = Cell::new(0);
        unpack(
            format,
            content,
            name,
            &LIMITS,
            &inflated,
            &mut |event| match event {
                Event::Member { name, bytes } => members.push((name, bytes.len())),
                Event::Problem(finding) => problems.push(finding.rule.code.to_string()),
            },
        );
        (members, problems)
    }

    fn zip_with(members: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
        let mut buffer = Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut buffer);
        let method = if deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        for (name, data) in members {
            writer.start_file(*name, options).expect("member");
            writer.write_all(data).expect("write");
        }
        writer.finish().expect("zip");
        buffer.into_inner()
    }

    #[test]
    fn zip_members_are_inflated() {
        let zip = zip_with(&[("a.csv", b"x,y\n1,2\n"), ("dir/b.txt", b"hello")], true);
        let (members, problems) = collect(Format::Zip, &zip, "out.zip");
        assert_eq!(
            members,
            [("a.csv".to_string(), 8), ("dir/b.txt".to_string(), 5)]
        );
        assert!(problems.is_empty());
    }

    #[test]
    fn escaping_paths_are_not_inflated() {
        let zip = zip_with(&[("../../etc/cron.d/x", b"x"), ("/abs.txt", b"y")], false);
        let (members, problems) = collect(Format::Zip, &zip, "out.zip");
        assert!(members.is_empty());
        assert_eq!(problems, ["A004", "A004"]);
    }

    #[test]
    fn a_zip_bomb_stops_at_the_ratio() {
        let zeros = vec![0u8; 3 << 20];
        let zip = zip_with(&[("zeros.csv", &zeros)], true);
        let (members, problems) = collect(Format::Zip, &zip, "bomb.zip");
        assert!(members.is_empty());
        assert_eq!(problems, ["A002"]);
    }

    #[test]
    fn inflating_stops_at_the_member_cap_whatever_the_header_says() {
        let big = vec![7u8; 5 << 20];
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&big).expect("gzip");
        let gz = encoder.finish().expect("gzip");
        let (members, problems) = collect(Format::Gzip, &gz, "big.csv.gz");
        assert!(members.is_empty());
        assert_eq!(problems, ["A002"]);
    }

    #[test]
    fn truncated_zip_is_corrupt() {
        let zip = zip_with(&[("a.csv", b"x,y\n1,2\n")], true);
        let (_, problems) = collect(Format::Zip, &zip[..zip.len() - 30], "cut.zip");
        assert_eq!(problems, ["A005"]);
    }

    #[test]
    fn tar_links_and_files() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(4);
        header.set_cksum();
        builder
            .append_data(&mut header, "t.csv", &b"a,b\n"[..])
            .expect("file");
        let mut link = tar::Header::new_gnu();
        link.set_entry_type(tar::EntryType::Symlink);
        link.set_size(0);
        builder
            .append_link(&mut link, "passwd", "/etc/passwd")
            .expect("link");
        let tar = builder.into_inner().expect("tar");
        let (members, problems) = collect(Format::Tar, &tar, "out.tar");
        assert_eq!(members, [("t.csv".to_string(), 4)]);
        assert_eq!(problems, ["W001"]);
    }

    #[test]
    fn gzip_member_is_named_from_the_archive() {
        assert_eq!(gunzipped_name("dir/results.csv.gz"), "results.csv");
        assert_eq!(gunzipped_name("a.zip!/outputs.tgz"), "outputs.tar");
        assert_eq!(gunzipped_name("blob"), "blob.contents");
        assert_eq!(gunzipped_name("out/outputs.tar.zst"), "outputs.tar");
        assert_eq!(gunzipped_name("outputs.txz"), "outputs.tar");
        assert_eq!(gunzipped_name("t1.csv.lzma"), "t1.csv");
        assert_eq!(gunzipped_name(".xz"), ".xz.contents");
    }

    #[test]
    fn a_solid_seven_zip_block_stops_at_the_member_cap() {
        // 64 MiB of zeros then a table in one solid LZMA2 block (generate_archives.py).
        let bomb = include_bytes!("../testdata/compressed/bomb.7z");
        let tight = Limits {
            max_member_bytes: 1 << 20,
            ..LIMITS
        };
        let inflated = Cell::new(0);
        let mut seen = Vec::new();
        unpack(
            Format::SevenZip,
            bomb,
            "bomb.7z",
            &tight,
            &inflated,
            &mut |event| match event {
                Event::Member { name, .. } => seen.push(name),
                Event::Problem(finding) => seen.push(finding.rule.code.to_string()),
            },
        );
        assert_eq!(seen, ["A002"], "the member after the bomb is never decoded");
        assert_eq!(inflated.get(), (1 << 20) + 1);
    }

    #[test]
    fn seven_zip_members_are_listed_and_inflated() {
        let tables = include_bytes!("../testdata/compressed/tables.7z");
        let (members, problems) = collect(Format::SevenZip, tables, "tables.7z");
        assert_eq!(
            members,
            [
                ("tables/clean.csv".to_string(), 31),
                ("tables/dirty.csv".to_string(), 29)
            ]
        );
        assert!(problems.is_empty());
    }

    #[test]
    fn a_zstd_stream_past_the_total_budget_stops_there() {
        let bomb = include_bytes!("../testdata/compressed/bomb.csv.zst");
        let tight = Limits {
            max_total_bytes: 1000,
            ..LIMITS
        };
        let inflated = Cell::new(0);
        let mut problems = Vec::new();
        unpack(
            Format::Zstd,
            bomb,
            "bomb.csv.zst",
            &tight,
            &inflated,
            &mut |event| {
                if let Event::Problem(finding) = event {
                    problems.push(finding.evidence["budget"].to_string());
                }
            },
        );
        assert_eq!(problems, ["\"archives.max_inflated_bytes\""]);
        assert_eq!(inflated.get(), 1001);
    }
}
