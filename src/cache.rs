//! The re-check cache: a resubmitted request re-checks only the files that changed.
//!
//! Every file is still read and hashed (the hash is the key, and the bytes released must be
//! the bytes checked), but the rules' findings for a file already checked are taken from the
//! cache. The key covers everything the findings depend on: the tool version, the effective
//! policy's hash, the file's path in the request and its SHA-256. Entries are JSON files
//! written atomically (a temporary file renamed into place), so concurrent checks sharing a
//! cache never read half an entry.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tracing::{debug, warn};

use crate::finding::{Finding, Location, Severity, Verdict};
use crate::inspect::hex;
use crate::policy::Policy;
use crate::report::FileEntry;
use crate::rules;
use crate::rules::table::differencing::CountTable;

/// A folder of cached findings for one policy and tool version.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct CachedEntry {
    path: String,
    bytes: u64,
    sha256: Option<String>,
    kind: String,
    format: Option<String>,
    detail: Option<String>,
    entropy: Option<f64>,
    container: Option<String>,
    worst_member: Option<Verdict>,
    findings: Vec<CachedFinding>,
    #[serde(default)]
    tables: Vec<CountTable>,
}

#[derive(Serialize, Deserialize)]
struct CachedFinding {
    rule: String,
    severity: Severity,
    message: String,
    location: Location,
    evidence: Map<String, Value>,
    capacity_bytes: u64,
}

impl Cache {
    /// Opens (creating if needed) the cache folder `dir` for checks under `policy`.
    pub fn open(dir: &Path, policy: &Policy) -> std::io::Result<Cache> {
        fs::create_dir_all(dir)?;
        Ok(Cache {
            dir: dir.to_path_buf(),
            salt: format!("{}\n{}\n", env!("CARGO_PKG_VERSION"), policy.sha256),
        })
    }

    fn entry_path(&self, path: &str, sha256: &str) -> PathBuf {
        let mut hasher = Sha256::new();
        hasher.update(self.salt.as_bytes());
        hasher.update(path.as_bytes());
        hasher.update(b"\n");
        hasher.update(sha256.as_bytes());
        let key = hex(&hasher.finalize());
        self.dir.join(&key[..2]).join(format!("{key}.json"))
    }

    /// The entries checked before for this path and content, if any.
    pub fn get(&self, path: &str, sha256: &str) -> Option<Vec<FileEntry>> {
        let text = fs::read(self.entry_path(path, sha256)).ok()?;
        let cached: Vec<CachedEntry> = match serde_json::from_slice(&text) {
            Ok(cached) => cached,
            Err(error) => {
                debug!(%path, %error, "unusable cache entry");
                return None;
            }
        };
        cached.into_iter().map(CachedEntry::restore).collect()
    }

    /// Stores the entries of one checked file. A failure only costs a later re-check.
    pub fn put(&self, path: &str, sha256: &str, entries: &[FileEntry]) {
        let target = self.entry_path(path, sha256);
        let cached: Vec<CachedEntry> = entries.iter().map(CachedEntry::from).collect();
        if let Err(error) = write_atomically(&target, &cached) {
            warn!(cache = %self.dir.display(), %error, "cannot write to the cache");
        }
    }
}

fn write_atomically(target: &Path, cached: &[CachedEntry]) -> std::io::Result<()> {
    let folder = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(folder)?;
    let mut temporary = tempfile_in(folder)?;
    serde_json::to_writer(&mut temporary.1, cached)?;
    temporary.1.flush()?;
    fs::rename(&temporary.0, target)
}

/// A new file in `folder` with a name no other writer uses.
fn tempfile_in(folder: &Path) -> std::io::Result<(PathBuf, fs::File)> {
    let unique = format!(
        ".tmp-{}-{:?}-{}",
        std::process::id(),
        std::thread::current().id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let path = folder.join(unique.replace(['(', ')'], ""));
    let file = fs::File::options()
        .write(true)
        .create_new(true)
        .open(&path)?;
    Ok((path, file))
}

impl From<&FileEntry> for CachedEntry {
    fn from(entry: &FileEntry) -> CachedEntry {
        CachedEntry {
            path: entry.path.clone(),
            bytes: entry.bytes,
            sha256: entry.sha256.clone(),
            kind: entry.kind.clone(),
            format: entry.format.clone(),
            detail: entry.detail.clone(),
            entropy: entry.entropy,
            container: entry.container.clone(),
            worst_member: entry.worst_member,
            findings: entry.findings.iter().map(CachedFinding::from).collect(),
            tables: entry.tables.clone(),
        }
    }
}

impl CachedEntry {
    /// Rebuilds the entry, or `None` if a rule it names no longer exists.
    fn restore(self) -> Option<FileEntry> {
        let findings = self
            .findings
            .into_iter()
            .map(CachedFinding::restore)
            .collect::<Option<Vec<_>>>()?;
        Some(FileEntry {
            path: self.path,
            bytes: self.bytes,
            sha256: self.sha256,
            kind: self.kind,
            format: self.format,
            detail: self.detail,
            entropy: self.entropy,
            // The manifest is applied to every report afresh, cached files included.
            group: None,
            findings,
            container: self.container,
            worst_member: self.worst_member,
            tables: self.tables,
        })
    }
}

impl From<&Finding> for CachedFinding {
    fn from(finding: &Finding) -> CachedFinding {
        CachedFinding {
            rule: finding.rule.code.to_string(),
            severity: finding.severity,
            message: finding.message.clone(),
            location: finding.location.clone(),
            evidence: finding.evidence.clone(),
            capacity_bytes: finding.capacity_bytes,
        }
    }
}

impl CachedFinding {
    fn restore(self) -> Option<Finding> {
        let rule = rules::lookup(&self.rule)?;
        Some(Finding {
            rule,
            severity: self.severity,
            message: self.message,
            location: self.location,
            evidence: self.evidence,
            capacity_bytes: self.capacity_bytes,
            exception: None,
        })
    }
}
