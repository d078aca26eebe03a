//! Content signatures: magic numbers, container peeks and text sniffing.

use std::io::Read;

use super::{Format, Identity};
use crate::decompress::{self, Codec};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
const HDF5: &[u8] = b"\x89HDF\r\n\x1a\n";
const OLE2: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";
const SAS7BDAT: &[u8] = &[
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc2, 0xea, 0x81, 0x60, 0xb3, 0x14, 0x11, 0xcf, 0xbd, 0x92,
    0x08, 0x00, 0x09, 0xc7, 0x31, 0x8c, 0x18, 0x1f, 0x10, 0x11,
];

/// Formats recognised by a fixed signature, in the order they are tried.
const SIGNATURES: &[(&[u8], Format)] = &[
    (PNG, Format::Png),
    (b"\xff\xd8\xff", Format::Jpeg),
    (b"GIF87a", Format::Gif),
    (b"GIF89a", Format::Gif),
    (b"II*\x00", Format::Tiff),
    (b"MM\x00*", Format::Tiff),
    (b"PAR1", Format::Parquet),
    (b"ARROW1", Format::Arrow),
    (b"FEA1", Format::Feather),
    (b"\x93NUMPY", Format::Npy),
    (b"<stata_dta>", Format::Stata),
    (b"$FL2", Format::Spss),
    (b"$FL3", Format::Spss),
    (b"HEADER RECORD*******LIB", Format::SasXport),
    (b"RDX2\n", Format::RData),
    (b"RDX3\n", Format::RData),
    (b"RDA2\n", Format::RData),
    (b"RDA3\n", Format::RData),
    (b"SQLite format 3\x00", Format::Sqlite),
    (b"GGUF", Format::Gguf),
    (b"BZh", Format::Bzip2),
    (b"\xfd7zXZ\x00", Format::Xz),
    (b"\x28\xb5\x2f\xfd", Format::Zstd),
    (b"7z\xbc\xaf\x27\x1c", Format::SevenZip),
    (b"Rar!\x1a\x07", Format::Rar),
    (b"\x00asm", Format::Wasm),
    (b"!<arch>\n", Format::StaticLibrary),
    (b"{\\rtf", Format::Rtf),
    (b"Salted__", Format::OpensslEncrypted),
    (b"age-encryption.org/v1\n", Format::Age),
    (b"-----BEGIN AGE ENCRYPTED FILE-----", Format::Age),
    (b"-----BEGIN PGP MESSAGE-----", Format::Pgp),
];

/// Identifies binary formats, and text formats with a binary-like signature (PDF, RTF, armoured
/// ciphertext). Returns `None` for text and for data with no signature.
pub(super) fn binary_signature(
    head: &[u8],
    content: Option<&[u8]>,
    extension: Option<&str>,
) -> Option<Identity> {
    if let Some(identity) = executable(head, content) {
        return Some(identity);
    }
    if let Some((_, format)) = SIGNATURES.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Some(compressed_flavour(head, *format));
    }
    if let Some(identity) = joblib_stream(head, extension) {
        return Some(identity);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(zip_flavour(head, content));
    }
    if head.starts_with(b"\x1f\x8b") {
        return Some(gzip_flavour(head));
    }
    if is_zlib_pickle(head) {
        return Some(Identity::with(Format::Joblib, "zlib-compressed pickle"));
    }
    if head.starts_with(OLE2) {
        return Some(ole_flavour(head, extension));
    }
    if head.starts_with(SAS7BDAT) {
        return Some(Identity::of(Format::Sas7bdat));
    }
    if is_bmp(head) {
        return Some(Identity::of(Format::Bmp));
    }
    if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(Identity::of(Format::Webp));
    }
    if head.len() > 262 && &head[257..262] == b"ustar" {
        return Some(Identity::of(Format::Tar));
    }
    if [0, 512, 1024, 2048]
        .iter()
        .any(|&at| head.get(at..at + 8) == Some(HDF5))
    {
        return Some(hdf5_flavour(head));
    }
    if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Some(Identity::of(Format::Pdf));
    }
    if head.len() > 464 && find(&head[..head.len().min(600)], b"SPSSPORT").is_some() {
        return Some(Identity::of(Format::SpssPortable));
    }
    if is_old_stata(head, extension) {
        return Some(Identity::of(Format::Stata));
    }
    if is_rds(head) {
        return Some(Identity::of(Format::Rds));
    }
    if is_arrow_stream(head) {
        return Some(Identity::with(Format::Arrow, "Arrow IPC stream"));
    }
    if let Some(identity) = pickle(head) {
        return Some(identity);
    }
    if is_safetensors(head, content) {
        return Some(Identity::of(Format::Safetensors));
    }
    if is_pgp_binary(head) {
        return Some(Identity::of(Format::Pgp));
    }
    if is_onnx(head, extension) {
        return Some(Identity::of(Format::Onnx));
    }
    None
}

/// ELF, PE, Mach-O and Java class files, through goblin's header parsers.
fn executable(head: &[u8], content: Option<&[u8]>) -> Option<Identity> {
    let mut magic = [0u8; 16];
    let n = head.len().min(16);
    magic[..n].copy_from_slice(&head[..n]);
    let hint = goblin::peek_bytes(&magic).ok()?;
    let bytes = content.unwrap_or(head);
    match hint {
        goblin::Hint::Elf(_) => {
            let detail = match goblin::elf::Elf::parse_header(bytes) {
                Ok(header) => format!(
                    "{}, {}",
                    goblin::elf::header::et_to_str(header.e_type),
                    goblin::elf::header::machine_to_str(header.e_machine)
                ),
                Err(_) => "header unreadable".into(),
            };
            Some(Identity::with(Format::Elf, detail))
        }
        goblin::Hint::PE => {
            let detail = match goblin::pe::header::Header::parse(bytes) {
                Ok(header) => {
                    let dll = header.coff_header.characteristics
                        & goblin::pe::characteristic::IMAGE_FILE_DLL
                        != 0;
                    format!(
                        "{}, {}",
                        if dll { "DLL" } else { "EXE" },
                        goblin::pe::header::machine_to_str(header.coff_header.machine)
                    )
                }
                Err(_) => "DOS or truncated PE header".into(),
            };
            Some(Identity::with(Format::Pe, detail))
        }
        goblin::Hint::Mach(_) | goblin::Hint::MachFat(_) => {
            Some(Identity::with(Format::MachO, mach_detail(bytes)))
        }
        _ if head.starts_with(b"\xca\xfe\xba\xbe") => Some(Identity::of(Format::JavaClass)),
        _ => None,
    }
}

fn mach_detail(bytes: &[u8]) -> String {
    match goblin::mach::Mach::parse(bytes) {
        Ok(goblin::mach::Mach::Binary(macho)) => format!(
            "{}, {}",
            goblin::mach::header::filetype_to_str(macho.header.filetype),
            goblin::mach::constants::cputype::get_arch_name_from_types(
                macho.header.cputype,
                macho.header.cpusubtype
            )
            .unwrap_or("unknown architecture")
        ),
        Ok(goblin::mach::Mach::Fat(fat)) => {
            format!("universal binary, {} architectures", fat.narches)
        }
        Err(_) => "header unreadable".into(),
    }
}

/// Tells apart the ZIP-based formats by their member names: Office Open XML, OpenDocument,
/// PyTorch checkpoints, NumPy npz, Keras v3; otherwise a plain ZIP archive.
fn zip_flavour(head: &[u8], content: Option<&[u8]>) -> Identity {
    let names = content
        .and_then(central_directory_names)
        .unwrap_or_else(|| local_header_names(head));
    let has = |wanted: &str| names.iter().any(|name| name == wanted);
    let any_prefix = |prefix: &str| names.iter().any(|name| name.starts_with(prefix));

    if has("mimetype") {
        if let Some(kind) = opendocument_mimetype(head) {
            return Identity::of(kind);
        }
    }
    if has("[Content_Types].xml") {
        let macro_enabled = names.iter().any(|n| n.ends_with("vbaProject.bin"));
        if any_prefix("xl/") {
            return Identity::of(if macro_enabled {
                Format::Xlsm
            } else {
                Format::Xlsx
            });
        }
        if any_prefix("word/") {
            return Identity::of(if macro_enabled {
                Format::Docm
            } else {
                Format::Docx
            });
        }
        if any_prefix("ppt/") {
            return Identity::of(Format::Pptx);
        }
    }
    if names
        .iter()
        .any(|n| n == "data.pkl" || n.ends_with("/data.pkl"))
    {
        return Identity::of(Format::PyTorch);
    }
    if has("config.json") && names.iter().any(|n| n.ends_with(".weights.h5")) {
        return Identity::of(Format::Keras);
    }
    if !names.is_empty() && names.iter().all(|n| n.ends_with(".npy")) {
        return Identity::with(Format::Npz, format!("{} arrays", names.len()));
    }
    Identity::with(Format::Zip, format!("{} members", names.len()))
}

fn central_directory_names(content: &[u8]) -> Option<Vec<String>> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(content)).ok()?;
    Some(
        archive
            .file_names()
            .filter_map(|name| name.ok().map(|n| n.into_owned()))
            .collect(),
    )
}

/// Member names from the local headers at the start of the file, for archives too large to
/// keep in memory. Stops at the first entry whose size is deferred to a data descriptor.
fn local_header_names(head: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = 0usize;
    while let Some(header) = head.get(at..at + 30) {
        if &header[0..4] != b"PK\x03\x04" {
            break;
        }
        let flags = u16::from_le_bytes([header[6], header[7]]);
        let compressed = u32::from_le_bytes([header[18], header[19], header[20], header[21]]);
        let name_len = u16::from_le_bytes([header[26], header[27]]) as usize;
        let extra_len = u16::from_le_bytes([header[28], header[29]]) as usize;
        let Some(name) = head.get(at + 30..at + 30 + name_len) else {
            break;
        };
        names.push(String::from_utf8_lossy(name).into_owned());
        if flags & 0x08 != 0 {
            break;
        }
        at = at
            .saturating_add(30 + name_len + extra_len)
            .saturating_add(compressed as usize);
    }
    names
}

/// OpenDocument files store their media type uncompressed as the first member.
fn opendocument_mimetype(head: &[u8]) -> Option<Format> {
    let text = head.get(30..head.len().min(120))?;
    let text = String::from_utf8_lossy(text);
    if !text.starts_with("mimetypeapplication/vnd.oasis.opendocument.") {
        return None;
    }
    let kind = &text["mimetypeapplication/vnd.oasis.opendocument.".len()..];
    if kind.starts_with("spreadsheet") {
        Some(Format::Ods)
    } else if kind.starts_with("text") {
        Some(Format::Odt)
    } else if kind.starts_with("presentation") {
        Some(Format::Odp)
    } else {
        None
    }
}

/// A gzip stream is an archive, unless it inflates to R's serialisation format (`.rds` and
/// `.RData` files are gzip-compressed by default).
fn gzip_flavour(head: &[u8]) -> Identity {
    let mut start = [0u8; 8];
    let mut decoder = flate2::read::GzDecoder::new(head);
    let mut filled = 0;
    while filled < start.len() {
        match decoder.read(&mut start[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    let start = &start[..filled];
    if matches!(start, [0x80, 2..=5, ..]) {
        Identity::with(Format::Joblib, "gzip-compressed pickle")
    } else if is_rds(start) {
        Identity::with(Format::Rds, "gzip-compressed")
    } else if start.starts_with(b"RDX") || start.starts_with(b"RDA") {
        Identity::with(Format::RData, "gzip-compressed")
    } else {
        Identity::of(Format::Gzip)
    }
}

/// A bzip2 or xz stream that opens a pickle is a joblib file compressed with `bz2` or `xz`;
/// anything else keeps the format its signature gave.
fn compressed_flavour(head: &[u8], format: Format) -> Identity {
    let (codec, note) = match format {
        Format::Bzip2 => (Codec::Bzip2, "bz2-compressed pickle"),
        Format::Xz => (Codec::Xz, "xz-compressed pickle"),
        _ => return Identity::of(format),
    };
    if opens_pickle(head, codec) {
        Identity::with(Format::Joblib, note)
    } else {
        Identity::of(format)
    }
}

/// Joblib's `lz4` compressor writes a bare LZ4 frame and its `lzma` compressor the legacy
/// `.lzma` format, neither with a signature of its own among research outputs: an LZ4 frame
/// is taken as joblib when it opens a pickle, and `5d 00` as `.lzma` only under that
/// extension or `.joblib`.
fn joblib_stream(head: &[u8], extension: Option<&str>) -> Option<Identity> {
    match Codec::sniff(head)? {
        Codec::Lz4 => opens_pickle(head, Codec::Lz4)
            .then(|| Identity::with(Format::Joblib, "lz4-compressed pickle")),
        Codec::Lzma if matches!(extension, Some("lzma" | "joblib")) => {
            if opens_pickle(head, Codec::Lzma) {
                Some(Identity::with(Format::Joblib, "lzma-compressed pickle"))
            } else {
                Some(Identity::of(Format::Lzma))
            }
        }
        _ => None,
    }
}

/// Whether the first bytes `codec` inflates from `head` open a pickle (protocol 2 to 5).
fn opens_pickle(head: &[u8], codec: Codec) -> bool {
    let Ok(mut decoder) = decompress::decoder(codec, head, 0) else {
        return false;
    };
    let mut start = [0u8; 2];
    let mut filled = 0;
    while filled < start.len() {
        match decoder.read(&mut start[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    matches!(start, [0x80, 2..=5])
}

/// A zlib stream (as joblib's `compress=` writes) whose first inflated bytes open a pickle.
fn is_zlib_pickle(head: &[u8]) -> bool {
    let [cmf @ 0x78, flg, ..] = head else {
        return false;
    };
    if (u16::from(*cmf) * 256 + u16::from(*flg)) % 31 != 0 {
        return false;
    }
    let mut start = [0u8; 2];
    let mut decoder = flate2::read::ZlibDecoder::new(head);
    decoder.read_exact(&mut start).is_ok() && matches!(start, [0x80, 2..=5])
}

/// R's serialisation header: format X (XDR), A (ASCII) or B (native), then version 2 or 3.
fn is_rds(head: &[u8]) -> bool {
    matches!(head, [b'X' | b'A' | b'B', b'\n', 0, 0, 0, 2 | 3, ..])
        || head.starts_with(b"A\n2\n")
        || head.starts_with(b"A\n3\n")
}

/// OLE2 compound files are legacy Office documents; the stream names tell which.
fn ole_flavour(head: &[u8], extension: Option<&str>) -> Identity {
    let utf16 =
        |name: &str| -> Vec<u8> { name.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    if find(head, &utf16("Workbook")).is_some() || find(head, &utf16("Book")).is_some() {
        return Identity::of(Format::Xls);
    }
    if matches!(extension, Some("xls")) {
        return Identity::of(Format::Xls);
    }
    Identity::with(
        Format::OleCompound,
        "legacy Office or other OLE2 compound file",
    )
}

/// An Arrow IPC stream has no magic: it opens with a continuation marker (`FF FF FF FF`), the
/// schema message's length (a multiple of 8) and that message's flatbuffer root offset.
fn is_arrow_stream(head: &[u8]) -> bool {
    let word = |at: usize| {
        head.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    match (word(0), word(4), word(8)) {
        (Some(u32::MAX), Some(length), Some(root)) => {
            (8..=1 << 20).contains(&length) && length % 8 == 0 && root < length
        }
        _ => false,
    }
}

/// Keras HDF5 models carry their configuration as an attribute near the start of the file.
fn hdf5_flavour(head: &[u8]) -> Identity {
    if find(head, b"model_config").is_some() || find(head, b"keras_version").is_some() {
        Identity::with(Format::Keras, "HDF5 model")
    } else {
        Identity::of(Format::Hdf5)
    }
}

/// BMP: "BM", then a declared file size and a pixel-data offset that fit a real header.
fn is_bmp(head: &[u8]) -> bool {
    if head.len() < 26 || !head.starts_with(b"BM") {
        return false;
    }
    let offset = u32::from_le_bytes([head[10], head[11], head[12], head[13]]);
    let dib = u32::from_le_bytes([head[14], head[15], head[16], head[17]]);
    head[6..10] == [0, 0, 0, 0] && (12..=124).contains(&dib) && offset >= 14 + dib
}

/// Stata 8 to 13 (format 113 to 115): release byte, byte order 1 or 2, file type 1.
fn is_old_stata(head: &[u8], extension: Option<&str>) -> bool {
    matches!(head, [0x71..=0x73, 1 | 2, 1, 0, ..]) && extension == Some("dta")
}

/// Pickle protocols 2 to 5 start with PROTO; protocols 0 and 1 are recognised by the usual
/// first opcodes and the STOP at the end.
fn pickle(head: &[u8]) -> Option<Identity> {
    // PyTorch's legacy format is a pickle whose first object is a long magic number.
    if head.starts_with(&[0x80, 0x02, 0x8a, 0x0a]) {
        return Some(Identity::with(Format::PyTorch, "legacy pickle checkpoint"));
    }
    let protocol = match head {
        // After PROTO 4 and 5 comes FRAME (0x95); after PROTO 2 and 3 any opcode.
        [0x80, protocol @ 2..=5, next, ..] if *protocol < 4 || *next == 0x95 => {
            format!("protocol {protocol}")
        }
        _ if is_protocol_0_or_1(head) => "protocol 0 or 1".to_string(),
        _ => return None,
    };
    let joblib =
        find(head, b"joblib.numpy_pickle").is_some() || find(head, b"NumpyArrayWrapper").is_some();
    let format = if joblib {
        Format::Joblib
    } else {
        Format::Pickle
    };
    Some(Identity::with(format, protocol))
}

fn is_protocol_0_or_1(head: &[u8]) -> bool {
    let protocol0 = head.starts_with(b"(dp0\n")
        || head.starts_with(b"(lp0\n")
        || (is_global_opcode(head) && head.ends_with(b"."));
    // Protocol 1 arguments are binary, so text that happens to start with "(K" is not one.
    let protocol1 = matches!(
        head,
        [b'}' | b']' | b'(', b'q' | b'(' | b'X' | b'U' | b'K', ..]
    ) && head.ends_with(b".")
        && head.iter().any(|&b| b < 0x09);
    protocol0 || protocol1
}

/// A protocol 0 GLOBAL opcode: `c`, a dotted module name, a newline, a name, a newline.
fn is_global_opcode(head: &[u8]) -> bool {
    let Some(rest) = head.strip_prefix(b"c") else {
        return false;
    };
    let mut lines = rest.splitn(3, |&b| b == b'\n');
    let identifier = |line: &[u8]| {
        !line.is_empty()
            && line
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    };
    let (module, name, rest) = (lines.next(), lines.next(), lines.next());
    matches!((module, name, rest), (Some(m), Some(n), Some(_)) if identifier(m) && identifier(n))
}

/// safetensors: an 8-byte little-endian header length, then a JSON header.
fn is_safetensors(head: &[u8], content: Option<&[u8]>) -> bool {
    let Some(length) = head.get(0..8) else {
        return false;
    };
    let length = u64::from_le_bytes(length.try_into().unwrap_or([0; 8]));
    let fits = content.is_none_or(|all| length < all.len() as u64);
    (2..100 << 20).contains(&length) && fits && head.get(8) == Some(&b'{')
}

/// OpenPGP binary messages: an encrypted session key packet (tag 1 or 3) or symmetrically
/// encrypted data packet (tag 18) in old or new packet format, with a plausible version.
fn is_pgp_binary(head: &[u8]) -> bool {
    let Some(&first) = head.first() else {
        return false;
    };
    if first & 0x80 == 0 {
        return false;
    }
    let (tag, body) = if first & 0x40 != 0 {
        (first & 0x3f, head.get(2..))
    } else {
        let length_bytes = match first & 0x03 {
            0 => 1,
            1 => 2,
            2 => 4,
            _ => return false,
        };
        ((first >> 2) & 0x0f, head.get(1 + length_bytes..))
    };
    let version = body.and_then(|b| b.first()).copied();
    match tag {
        1 => version == Some(3) || version == Some(6),
        3 => matches!(version, Some(4..=6)),
        18 => version == Some(1),
        _ => false,
    }
}

/// ONNX files are bare protobuf: field 1 (ir_version) as a small varint, then another field
/// of ModelProto. Weak on its own, so the `.onnx` extension is also required.
fn is_onnx(head: &[u8], extension: Option<&str>) -> bool {
    extension == Some("onnx")
        && matches!(
            head,
            [
                0x08,
                1..=20,
                0x12 | 0x1a | 0x22 | 0x28 | 0x32 | 0x3a | 0x42,
                ..
            ]
        )
}

/// Text formats, told apart by content and, among text, by extension.
pub(super) fn text(head: &[u8], extension: Option<&str>) -> Option<Identity> {
    let encoding = text_encoding(head)?;
    let text = decode(head, encoding);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let lower_start: String = trimmed
        .chars()
        .take(256)
        .collect::<String>()
        .to_ascii_lowercase();

    let format = if trimmed.starts_with('{')
        && text.contains("\"nbformat\"")
        && text.contains("\"cells\"")
    {
        Format::Notebook
    } else if lower_start.starts_with("<svg")
        || (lower_start.starts_with("<?xml") && text.contains("<svg"))
    {
        Format::Svg
    } else if lower_start.starts_with("<!doctype html") || lower_start.starts_with("<html") {
        Format::Html
    } else if lower_start.starts_with("<?xml") {
        Format::Xml
    } else if matches!(extension, Some(ext) if super::extension::is_code(ext))
        || trimmed.starts_with("#!")
    {
        Format::Code
    } else if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && matches!(extension, Some("json" | "geojson") | None)
    {
        Format::Json
    } else if let Some(delimiter) = table_delimiter(&text) {
        let format = if delimiter == '\t' {
            Format::Tsv
        } else {
            Format::Csv
        };
        return Some(Identity::with(
            format,
            format!("{encoding}, delimiter {delimiter:?}"),
        ));
    } else {
        match extension {
            Some("csv") => Format::Csv,
            Some("tsv" | "tab") => Format::Tsv,
            _ => Format::Text,
        }
    };
    Some(Identity::with(format, encoding))
}

/// How a text file is encoded, or `None` when the bytes are not text.
fn text_encoding(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return Some("utf-16");
    }
    if head.contains(&0) {
        return None;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    if controls * 100 > head.len() {
        return None;
    }
    match std::str::from_utf8(head) {
        Ok(_) => Some(if head.starts_with(b"\xef\xbb\xbf") {
            "utf-8 with BOM"
        } else {
            "utf-8"
        }),
        // A character cut in two at the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() => Some("utf-8"),
        Err(_) => {
            // Windows-1252 leaves five bytes undefined, and text in it is still mostly ASCII
            // (accented letters are a few in every word, not every byte).
            let undefined = head
                .iter()
                .any(|b| matches!(b, 0x81 | 0x8d | 0x8f | 0x90 | 0x9d));
            let ascii = head.iter().filter(|b| b.is_ascii()).count();
            (!undefined && ascii * 10 >= head.len() * 7).then_some("windows-1252")
        }
    }
}

fn decode(head: &[u8], encoding: &str) -> String {
    match encoding {
        "utf-16" => {
            let big_endian = head.starts_with(&[0xfe, 0xff]);
            let units: Vec<u16> = head[2..]
                .chunks_exact(2)
                .map(|pair| {
                    let bytes = [pair[0], pair[1]];
                    if big_endian {
                        u16::from_be_bytes(bytes)
                    } else {
                        u16::from_le_bytes(bytes)
                    }
                })
                .collect();
            String::from_utf16_lossy(&units)
        }
        "windows-1252" => head.iter().map(|&b| b as char).collect(),
        _ => String::from_utf8_lossy(head).into_owned(),
    }
}

/// The delimiter of a delimited table, when most lines of the sample split into the same
/// number (at least two) of fields on it. Title lines above and notes below a table are
/// tolerated: three quarters of the lines must agree.
fn table_delimiter(text: &str) -> Option<char> {
    let mut lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(60)
        .collect();
    if text.len() >= 60 * 1024 && lines.len() > 1 {
        lines.pop(); // the sample may end mid-line
    }
    if lines.len() < 2 {
        return None;
    }
    let mut best: Option<(char, usize)> = None;
    for delimiter in [',', '\t', ';', '|'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|line| count_outside_quotes(line, delimiter))
            .collect();
        let mut mode = (0usize, 0usize);
        for &count in &counts {
            let agree = counts.iter().filter(|&&c| c == count).count();
            if count > 0 && (agree > mode.1 || (agree == mode.1 && count > mode.0)) {
                mode = (count, agree);
            }
        }
        if mode.0 > 0 && mode.1 * 4 >= lines.len() * 3 && mode.1 >= 2 {
            let score = mode.1 * 1000 + mode.0;
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((delimiter, score));
            }
        }
    }
    best.map(|(delimiter, _)| delimiter)
}

fn count_outside_quotes(line: &str, delimiter: char) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == delimiter && !quoted {
            count += 1;
        }
    }
    count
}

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
