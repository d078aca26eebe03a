//! Reading a file once: the bytes that are hashed are the bytes the rules see.
//!
//! Each file is opened without following links and without blocking, checked to be a regular
//! file through the open handle (so a file swapped for a fifo or a link after the walk is
//! caught), then read in one streaming pass that feeds the SHA-256 hasher, the byte
//! statistics and, when the file's kind needs its content and the policy allows, an in-memory
//! copy for the content rules. Memory stays bounded whatever the file's size.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::identify::{self, Class, Identity};
use crate::policy::Policy;
use crate::stats::ByteStats;

/// Bytes at the start of every file kept for identification and header rules.
pub const HEAD_BYTES: usize = 64 * 1024;

const CHUNK_BYTES: usize = 256 * 1024;

/// A regular file, read once: its hash, identity, statistics and, when kept, its content.
#[derive(Debug)]
pub struct Inspected {
    /// Path relative to the request root, `/`-separated, as shown in reports.
    pub path: String,
    /// Bytes read, which is the size hashed.
    pub bytes: u64,
    /// Size the file had when opened; differs from `bytes` if it changed while being read.
    pub size_at_open: u64,
    pub sha256: String,
    pub identity: Identity,
    /// Lowercased extension, without the dot.
    pub extension: Option<String>,
    /// The first bytes of the file, at most [`HEAD_BYTES`].
    pub head: Vec<u8>,
    content: Option<Vec<u8>>,
    /// Byte statistics, measured only for data of no known format: they serve the opaque-data
    /// rules alone, and skipping them elsewhere keeps known formats at hashing speed.
    pub stats: Option<ByteStats>,
}

impl Inspected {
    /// The whole file, when it was small enough to keep for the content rules.
    pub fn content(&self) -> Option<&[u8]> {
        self.content.as_deref()
    }

    pub fn class(&self) -> Class {
        self.identity.class()
    }

    /// Hands the kept content over, for unpacking an archive once its own checks are done.
    pub fn take_content(&mut self) -> Option<Vec<u8>> {
        self.content.take()
    }
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the file disappeared between the walk and the read")]
    Vanished,
    #[error("the entry became a symbolic link after the walk")]
    BecameLink,
    #[error("the entry is no longer a regular file ({0})")]
    NotRegular(&'static str),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Reads `abs` once, hashing and measuring every byte.
pub fn read(abs: &Path, path: &str, policy: &Policy) -> Result<Inspected, ReadError> {
    let (mut file, size_at_open) = open_regular(abs)?;
    let extension = extension_of(path);

    let opaque = &policy.opaque;
    let mut measured = Measured {
        hasher: Sha256::new(),
        stats: Some(ByteStats::new(
            opaque.block_bytes.0 as usize,
            opaque.block_critical,
        )),
        bytes: 0,
    };
    let mut head = Vec::with_capacity(size_at_open.min(HEAD_BYTES as u64) as usize);
    let mut content: Option<Vec<u8>> = None;
    let mut first_look: Option<Identity> = None;
    let keep_limit = policy.read.inspect_bytes.0 as usize;
    // Small files are the common case: a buffer the size of the file, not of a large chunk,
    // keeps the cost per file down to the read itself.
    let mut buffer = vec![0u8; (size_at_open as usize).clamp(4096, CHUNK_BYTES)];

    loop {
        // Once a copy is being kept, the bytes are read straight into it: a large model file
        // is then copied once, by the kernel, rather than twice.
        if let Some(kept) = content.as_mut().filter(|kept| kept.len() < keep_limit) {
            let start = kept.len();
            let want = (keep_limit - start).min(CHUNK_BYTES) as u64;
            if (&mut file).take(want).read_to_end(kept)? == 0 {
                break;
            }
            measured.update(&kept[start..]);
            continue;
        }

        let n = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        };
        let chunk = &buffer[..n];
        measured.update(chunk);

        let for_head = (HEAD_BYTES - head.len()).min(n);
        head.extend_from_slice(&chunk[..for_head]);
        if first_look.is_none() && head.len() == HEAD_BYTES {
            let identity = identify::identify(&head, None, extension.as_deref());
            content = start_content(&identity, &head, size_at_open, policy);
            if let Some(kept) = content.as_mut() {
                keep(kept, &chunk[for_head..], policy);
            }
            if !measures_bytes(identity.class()) {
                measured.stats = None;
            }
            first_look = Some(identity);
        }
    }
    let Measured {
        hasher,
        mut stats,
        bytes,
    } = measured;
    let first_look = match first_look {
        Some(identity) => identity,
        None => {
            let identity = identify::identify(&head, None, extension.as_deref());
            content = start_content(&identity, &head, size_at_open, policy);
            identity
        }
    };
    if !measures_bytes(first_look.class()) {
        stats = None;
    }
    if let Some(stats) = stats.as_mut() {
        stats.finish();
    }
    // A file that grew past the limit while being read is not kept half-read.
    if content
        .as_ref()
        .is_some_and(|kept| kept.len() as u64 != bytes)
    {
        content = None;
    }

    // The whole content can refine the first look (a ZIP's central directory names a
    // PyTorch checkpoint or an Office document).
    let identity = match content.as_deref() {
        Some(all) if bytes > head.len() as u64 => {
            identify::identify(&head, Some(all), extension.as_deref())
        }
        _ => first_look,
    };
    Ok(Inspected {
        path: path.to_string(),
        bytes,
        size_at_open,
        sha256: hex(&hasher.finalize()),
        identity,
        extension,
        head,
        content,
        stats,
    })
}

/// Inspects bytes already in memory (an archive member) exactly as a file is read: hashed,
/// measured and identified, with the whole content kept for the rules.
pub fn from_bytes(path: &str, bytes: Vec<u8>, policy: &Policy) -> Inspected {
    let head = bytes[..bytes.len().min(HEAD_BYTES)].to_vec();
    let extension = extension_of(path);
    let identity = identify::identify(&head, Some(&bytes), extension.as_deref());
    let stats = measures_bytes(identity.class()).then(|| {
        let opaque = &policy.opaque;
        let mut stats = ByteStats::new(opaque.block_bytes.0 as usize, opaque.block_critical);
        stats.update(&bytes);
        stats.finish();
        stats
    });
    Inspected {
        path: path.to_string(),
        bytes: bytes.len() as u64,
        size_at_open: bytes.len() as u64,
        sha256: hex(&Sha256::digest(&bytes)),
        identity,
        extension,
        head,
        content: Some(bytes),
        stats,
    }
}

/// Decides from the first bytes whether the content rules need the whole file, and if so
/// starts the in-memory copy with those bytes.
fn start_content(identity: &Identity, head: &[u8], size: u64, policy: &Policy) -> Option<Vec<u8>> {
    let class = identity.class();
    let wanted = needs_content(class)
        && size <= policy.read.inspect_bytes.0
        && size <= policy.file_budget(class);
    if !wanted {
        return None;
    }
    // A failed reservation leaves the file unkept (and reported as not inspected) instead of
    // aborting the whole check.
    let mut kept = Vec::new();
    kept.try_reserve_exact(usize::try_from(size).ok()?).ok()?;
    kept.extend_from_slice(head);
    Some(kept)
}

/// What the single read pass measures of every byte, whichever buffer the bytes landed in.
struct Measured {
    hasher: Sha256,
    stats: Option<ByteStats>,
    bytes: u64,
}

impl Measured {
    fn update(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
        if let Some(stats) = self.stats.as_mut() {
            stats.update(chunk);
        }
        self.bytes += chunk.len() as u64;
    }
}

fn keep(kept: &mut Vec<u8>, chunk: &[u8], policy: &Policy) {
    let room = (policy.read.inspect_bytes.0 as usize).saturating_sub(kept.len());
    kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
}

/// True for the class whose judgement rests on byte statistics: data of no known format.
fn measures_bytes(class: Class) -> bool {
    class == Class::Unknown
}

/// Classes whose rules read the whole file. Ciphertext, unknown data and executables are
/// judged from their header and byte statistics alone, so they are never held in memory.
pub fn needs_content(class: Class) -> bool {
    !matches!(
        class,
        Class::Encrypted | Class::Unknown | Class::Empty | Class::Executable
    )
}

/// Opens a regular file without following a final symbolic link and without blocking (a fifo
/// swapped in after the walk would otherwise block the open forever), and returns its size.
pub(crate) fn open_regular(abs: &Path) -> Result<(File, u64), ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file = options.open(abs).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ReadError::Vanished,
        _ if e.raw_os_error() == Some(libc::ELOOP) => ReadError::BecameLink,
        _ => ReadError::Io(e),
    })?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(crate::walk::special_kind(
            &metadata.file_type(),
        )));
    }
    Ok((file, metadata.len()))
}

/// The lowercased extension of the last path component.
pub fn extension_of(path: &str) -> Option<String> {
    let name = path.rsplit(['/', '!']).next().unwrap_or(path);
    let (stem, extension) = name.rsplit_once('.')?;
    (!stem.is_empty() && !extension.is_empty()).then(|| extension.to_ascii_lowercase())
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        text.push(DIGITS[(byte >> 4) as usize] as char);
        text.push(DIGITS[(byte & 0x0f) as usize] as char);
    }
    text
}
