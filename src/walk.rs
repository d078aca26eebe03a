//! Walking the request folder: every entry, read-only, links never followed.
//!
//! The walk decides nothing about content. It lists regular files for reading, and turns
//! everything that is not a plain file or folder (links, fifos, sockets, devices, unreadable
//! folders), every suspicious name and every breach of the depth and entry limits into
//! findings, so that nothing in the folder is silently skipped.

use std::ffi::OsStr;
use std::fs::FileType;
use std::path::{Component, Path, PathBuf};

use tracing::debug;
use walkdir::WalkDir;

use crate::evidence;
use crate::finding::Finding;
use crate::policy::Policy;
use crate::rules::walk as rules;

/// What an entry of the request folder is, from its own metadata (links not followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Directory,
    Symlink,
    /// A fifo, socket or device, never opened.
    Special(&'static str),
    /// An entry whose metadata could not be read.
    Unreadable,
}

impl EntryKind {
    /// The `kind` written in reports for entries that are not regular files.
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::File => "file",
            EntryKind::Directory => "directory",
            EntryKind::Symlink => "symlink",
            EntryKind::Special(kind) => kind,
            EntryKind::Unreadable => "unreadable",
        }
    }
}

/// One entry of the request: a regular file to read, or another entry with findings.
#[derive(Debug)]
pub struct Entry {
    pub abs: PathBuf,
    /// Path relative to the root, `/`-separated; bytes that are not UTF-8 appear as `\xNN`.
    pub path: String,
    pub kind: EntryKind,
    /// Findings about the entry itself: its name, its kind, its depth.
    pub findings: Vec<Finding>,
    /// False for a file past the depth limit: it is listed and blocked, not read.
    pub read: bool,
}

/// The walk's result: entries to report, and findings about the request as a whole.
#[derive(Debug, Default)]
pub struct Walked {
    pub entries: Vec<Entry>,
    pub findings: Vec<Finding>,
}

/// Lists the request under `root`. Regular files are always listed; other entries only when
/// they carry a finding (a plain folder is not an output).
pub fn walk(root: &Path, policy: &Policy) -> Walked {
    let limits = &policy.walk;
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut walked = Walked::default();
    let mut seen = 0usize;

    let mut iter = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1)
        .into_iter();

    while let Some(next) = iter.next() {
        let item = match next {
            Ok(item) => item,
            Err(error) => {
                walked.entries.push(unreadable(root, &error));
                continue;
            }
        };

        seen += 1;
        if seen > limits.max_entries {
            walked.findings.push(
                Finding::new(
                    &rules::ENTRY_LIMIT,
                    format!(
                        "the request has more than {} entries; the walk stopped at {} and the \
                         rest was not checked",
                        limits.max_entries,
                        display_path(relative(root, item.path()))
                    ),
                )
                .with_evidence(evidence! {"limit" => limits.max_entries}),
            );
            break;
        }

        let file_type = item.file_type();
        let kind = kind_of(&file_type);
        let path = display_path(relative(root, item.path()));
        let mut findings = name_findings(item.file_name());

        if item.depth() > limits.max_depth {
            findings.push(
                Finding::new(
                    &rules::DEPTH_LIMIT,
                    format!(
                        "{} is {} levels deep, past the limit of {}; it was not checked",
                        kind.label(),
                        item.depth(),
                        limits.max_depth
                    ),
                )
                .with_evidence(evidence! {"depth" => item.depth(), "limit" => limits.max_depth}),
            );
            if file_type.is_dir() {
                iter.skip_current_dir();
            }
            walked.entries.push(Entry {
                abs: item.path().to_path_buf(),
                path,
                kind,
                findings,
                read: false,
            });
            continue;
        }

        match kind {
            EntryKind::Symlink => findings.push(symlink_finding(item.path(), &canonical_root)),
            EntryKind::Special(what) => findings.push(
                Finding::new(
                    &rules::SPECIAL_FILE,
                    format!("{what} in the request; it was not opened"),
                )
                .with_evidence(evidence! {"type" => what}),
            ),
            _ => {}
        }

        if kind == EntryKind::File || !findings.is_empty() {
            walked.entries.push(Entry {
                abs: item.path().to_path_buf(),
                path,
                kind,
                findings,
                read: kind == EntryKind::File,
            });
        }
    }

    debug!(entries = walked.entries.len(), "walk finished");
    walked
}

fn kind_of(file_type: &FileType) -> EntryKind {
    if file_type.is_symlink() {
        EntryKind::Symlink
    } else if file_type.is_dir() {
        EntryKind::Directory
    } else if file_type.is_file() {
        EntryKind::File
    } else {
        EntryKind::Special(special_kind(file_type))
    }
}

/// Names the kind of a non-regular, non-directory entry.
pub fn special_kind(file_type: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "fifo";
        }
        if file_type.is_socket() {
            return "socket";
        }
        if file_type.is_block_device() {
            return "block device";
        }
        if file_type.is_char_device() {
            return "character device";
        }
    }
    if file_type.is_dir() {
        "directory"
    } else if file_type.is_symlink() {
        "symlink"
    } else {
        "special file"
    }
}

fn unreadable(root: &Path, error: &walkdir::Error) -> Entry {
    let at = error.path().unwrap_or(root);
    let reason = error
        .io_error()
        .map_or_else(|| error.to_string(), |io| io.to_string());
    Entry {
        abs: at.to_path_buf(),
        path: display_path(relative(root, at)),
        kind: EntryKind::Unreadable,
        findings: vec![Finding::new(
            &rules::UNREADABLE,
            format!("cannot be read: {reason}; its contents were not checked"),
        )
        .with_evidence(evidence! {"error" => reason})],
        read: false,
    }
}

/// A link is never followed, only described: where it points, and whether that is outside
/// the request, a loop, or nowhere.
fn symlink_finding(link: &Path, canonical_root: &Path) -> Finding {
    let target = std::fs::read_link(link)
        .map(|t| display_path(&t))
        .unwrap_or_else(|e| format!("<unreadable: {e}>"));
    let resolved = std::fs::canonicalize(link);
    let (status, message) = match &resolved {
        Ok(path) if path.starts_with(canonical_root) => ("inside", "points inside the request"),
        Ok(_) => ("outside", "points outside the request folder"),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => ("loop", "is a loop of links"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ("dangling", "points nowhere"),
        Err(_) => ("unresolved", "cannot be resolved"),
    };
    Finding::new(
        &rules::SYMLINK,
        format!("symbolic link to {target:?} {message}; links are never followed or released"),
    )
    .with_evidence(evidence! {"target" => target, "resolves" => status})
}

/// Findings about a single name: bytes that are not UTF-8, control and invisible characters,
/// hidden and editor files.
pub(crate) fn name_findings(name: &OsStr) -> Vec<Finding> {
    let mut findings = Vec::new();
    let shown = display_path(Path::new(name));

    if name.to_str().is_none() {
        findings.push(
            Finding::new(
                &rules::NAME_NOT_UTF8,
                format!("name {shown:?} is not valid UTF-8; bytes are shown as \\xNN"),
            )
            .with_evidence(evidence! {"name" => shown}),
        );
    }

    let lossy = name.to_string_lossy();
    let suspicious: Vec<String> = lossy
        .chars()
        .filter(|&c| is_deceptive_char(c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    if !suspicious.is_empty() {
        findings.push(
            Finding::new(
                &rules::CONTROL_CHARACTER_NAME,
                format!(
                    "name holds {} control or invisible character(s) ({}); such names can \
                     rewrite a reviewer's terminal or disguise an extension",
                    suspicious.len(),
                    suspicious.join(", ")
                ),
            )
            .with_evidence(evidence! {"characters" => suspicious}),
        );
    }

    if let Some(reason) = hidden_reason(&lossy) {
        findings.push(
            Finding::new(
                &rules::HIDDEN_ENTRY,
                format!("{reason}; reviewers rarely see it"),
            )
            .with_evidence(evidence! {"name" => shown, "reason" => reason}),
        );
    }
    findings
}

/// Characters a reviewer cannot see or that change how a name is displayed.
pub fn is_deceptive_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{e0000}'..='\u{e007f}')
}

fn hidden_reason(name: &str) -> Option<&'static str> {
    if name.starts_with("~$") {
        Some("an Office lock file")
    } else if name == ".ipynb_checkpoints" {
        Some("a Jupyter checkpoint folder, holding earlier versions of notebooks")
    } else if name == ".DS_Store" {
        Some("a macOS folder index, which lists file names")
    } else if name == "__MACOSX" {
        Some("a macOS resource-fork folder")
    } else if name.eq_ignore_ascii_case("thumbs.db") || name.eq_ignore_ascii_case("desktop.ini") {
        Some("a Windows thumbnail or folder settings file")
    } else if name.starts_with('.') {
        Some("a hidden entry")
    } else if name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".bak") {
        Some("an editor backup file")
    } else {
        None
    }
}

fn relative<'a>(root: &Path, path: &'a Path) -> &'a Path {
    path.strip_prefix(root).unwrap_or(path)
}

/// A path as reports show it: components joined with `/`, bytes that are not UTF-8 written
/// as `\xNN` so the name stays recognisable and the report stays valid UTF-8.
pub fn display_path(path: &Path) -> String {
    let mut shown = String::new();
    for component in path.components() {
        let part: &OsStr = match component {
            Component::Normal(part) => part,
            Component::RootDir => {
                shown.push('/');
                continue;
            }
            other => other.as_os_str(),
        };
        if !shown.is_empty() && !shown.ends_with('/') {
            shown.push('/');
        }
        push_escaped(&mut shown, part);
    }
    shown
}

fn push_escaped(shown: &mut String, part: &OsStr) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        for piece in part.as_bytes().utf8_chunks() {
            shown.push_str(piece.valid());
            for byte in piece.invalid() {
                shown.push_str(&format!("\\x{byte:02x}"));
            }
        }
    }
    #[cfg(not(unix))]
    shown.push_str(&part.to_string_lossy());
}
