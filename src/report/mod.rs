//! The report of a check: per-file results, request-level findings, verdicts and summary,
//! and the renderers that turn it into text for a person or JSON for a program.
//!
//! The JSON form is the `egress-check/report/v1` contract described in README: airlock
//! systems parse it, so its field names and meanings only ever grow.

/// The SACRO-Viewer export.
pub mod acro;
/// The governance summary of an audit ledger.
pub mod audit;
mod html;
mod json;
mod markdown;
mod sarif;
mod text;

use std::io::{self, Write};

use crate::finding::{Finding, Location, Verdict};
use crate::manifest::{Group, ManifestFile};
use crate::rules::table::differencing::CountTable;

pub use html::{escape_html, HtmlRenderer};
pub(crate) use html::{page_end, page_start};
pub use json::JsonRenderer;
pub use markdown::{escape_markdown, MarkdownRenderer};
pub use sarif::SarifRenderer;
pub use text::TextRenderer;

/// Name of the JSON report schema; bumped only for incompatible changes.
pub const SCHEMA: &str = "egress-check/report/v1";

/// One entry of the request as reported: a regular file, or another entry with findings.
#[derive(Clone, Debug)]
pub struct FileEntry {
    /// Relative to the request root, `/`-separated.
    pub path: String,
    pub bytes: u64,
    /// Present for every regular file that could be read.
    pub sha256: Option<String>,
    /// The class of a regular file, or the kind of another entry ("symlink", "fifo").
    pub kind: String,
    pub format: Option<String>,
    pub detail: Option<String>,
    /// Shannon entropy of the whole file, bits per byte.
    pub entropy: Option<f64>,
    /// The manifest group the file belongs to, by name.
    pub group: Option<String>,
    pub findings: Vec<Finding>,
    /// For an archive member, the path of the archive it was inflated from.
    pub container: Option<String>,
    /// For an archive, the worst verdict among its members, carried up to it.
    pub worst_member: Option<Verdict>,
    /// The count cells of its tables, for the differencing check; not reported.
    pub tables: Vec<CountTable>,
}

impl FileEntry {
    /// An entry with nothing measured yet.
    pub fn new(path: &str, kind: &str) -> FileEntry {
        FileEntry {
            path: path.to_string(),
            bytes: 0,
            sha256: None,
            kind: kind.to_string(),
            format: None,
            detail: None,
            entropy: None,
            group: None,
            findings: Vec::new(),
            container: None,
            worst_member: None,
            tables: Vec::new(),
        }
    }

    /// The worst of its own findings and, for an archive, of its members.
    pub fn verdict(&self) -> Verdict {
        Verdict::from_findings(&self.findings).max(self.worst_member.unwrap_or(Verdict::Pass))
    }

    /// True for files on disk, false for archive members and for links, fifos and the like.
    pub fn is_file_on_disk(&self) -> bool {
        self.sha256.is_some() && self.container.is_none()
    }

    /// Bytes this file could be carrying unseen: the findings' estimates added, never more
    /// than the file.
    pub fn capacity_bytes(&self) -> u64 {
        let claimed: u64 = self.findings.iter().map(|f| f.capacity_bytes).sum();
        claimed.min(self.bytes)
    }
}

/// Everything one check found.
#[derive(Clone, Debug)]
pub struct Report {
    /// The request folder as given on the command line.
    pub root: String,
    pub policy_name: String,
    pub policy_sha256: String,
    /// When the check ran, RFC 3339 in UTC: the one field that differs between two runs.
    pub generated_at: String,
    /// In path order.
    pub files: Vec<FileEntry>,
    /// Findings about the request as a whole: budgets and walk limits.
    pub findings: Vec<Finding>,
    /// The policy's capacity budget, shown beside the measured capacity.
    pub capacity_budget: u64,
    /// The request manifest, when the request has one; it is never one of the `files`.
    pub manifest: Option<ManifestFile>,
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub bytes: u64,
    pub pass: usize,
    pub review: usize,
    pub block: usize,
    pub capacity_bytes: u64,
}

impl Report {
    /// The worst verdict over the files and the request-level findings.
    pub fn verdict(&self) -> Verdict {
        let files = self.files.iter().map(FileEntry::verdict);
        let request = Verdict::from_findings(&self.findings);
        files.chain([request]).max().unwrap_or(Verdict::Pass)
    }

    /// The request id from a valid manifest.
    pub fn request_id(&self) -> Option<&str> {
        self.manifest.as_ref().and_then(ManifestFile::request_id)
    }

    /// The manifest group of a file, with its context and controls.
    pub fn group_of(&self, file: &FileEntry) -> Option<&Group> {
        let manifest = self.manifest.as_ref()?.manifest.as_ref()?;
        let name = file.group.as_deref()?;
        manifest.groups.iter().find(|g| g.name == name)
    }

    /// Counts of files by verdict, bytes and capacity.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            files: self.files.len(),
            ..Summary::default()
        };
        for file in &self.files {
            if file.container.is_none() {
                summary.bytes += file.bytes;
            }
            summary.capacity_bytes += file.capacity_bytes();
            match file.verdict() {
                Verdict::Pass => summary.pass += 1,
                Verdict::Review => summary.review += 1,
                Verdict::Block => summary.block += 1,
            }
        }
        summary
    }
}

/// The location of a finding in words ("in IDAT, row 40-49, column Female, bytes 0..64"),
/// unescaped: each renderer escapes it for its own format. Empty for the whole file.
pub fn location_words(location: &Location) -> String {
    let mut parts = Vec::new();
    if let Some(chunk) = &location.chunk {
        parts.push(format!("in {chunk}"));
    }
    if let Some(row) = &location.row {
        parts.push(format!("row {row}"));
    }
    if let Some(column) = &location.column {
        parts.push(format!("column {column}"));
    }
    if let Some(line) = location.line {
        parts.push(format!("line {line}"));
    }
    if let Some(offset) = location.byte_offset {
        match location.byte_length {
            Some(length) => {
                parts.push(format!("bytes {offset}..{}", offset.saturating_add(length)))
            }
            None => parts.push(format!("byte {offset}")),
        }
    }
    parts.join(", ")
}

/// The first characters of a hash, for places where the whole one does not fit.
pub fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Writes a report in one format.
pub trait Renderer {
    /// Writes `report` to `out`.
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}
