//! The audit ledger: one JSON line per check, each line carrying the SHA-256 of the line
//! before it, so that a governance board can tell the record has not been edited.
//!
//! The first line carries [`GENESIS`]. Editing, inserting or deleting any line breaks the link
//! held by the line after it, which `audit verify` reports with its line number. A line is
//! appended with one write of the whole line to a file opened for appending, under an
//! exclusive lock, so two checks writing at once cannot interleave or fork the chain.
//!
//! Limitation: the last line has no successor to vouch for it, so rewriting or removing the
//! tail is only caught by comparing the head hash `audit verify` prints with one recorded
//! elsewhere (`audit verify --head HASH`).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::finding::{Severity, Verdict};
use crate::inspect::hex;
use crate::report::Report;

/// The `prev_sha256` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Name of the ledger line schema.
pub const LEDGER_SCHEMA: &str = "egress-check/ledger/v1";

/// Why the ledger could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("cannot use ledger {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("ledger {0} ends in the middle of a line; run `egress-check audit verify` on it")]
    Truncated(String),
    #[error("cannot encode the ledger line: {0}")]
    Encode(#[from] serde_json::Error),
}

/// One check, as recorded in the ledger.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    /// Always [`LEDGER_SCHEMA`].
    pub schema: String,
    /// When the check ran (RFC 3339, UTC).
    pub time: String,
    /// The request id from the manifest, when it had a valid one.
    pub request_id: Option<String>,
    /// The request folder as given on the command line.
    pub root: String,
    /// The tool and version that ran the check.
    pub tool: Tool,
    /// The policy the check ran under.
    pub policy: PolicyRef,
    /// The request's verdict.
    pub verdict: Verdict,
    /// Every file of the request, in path order.
    pub files: Vec<LedgerFile>,
    /// Request-level findings above info.
    pub request_findings: Vec<RuleHit>,
    /// SHA-256 of the previous line's bytes (without its newline), or [`GENESIS`].
    pub prev_sha256: String,
}

/// The tool that ran the check.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tool {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The policy a check ran under.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PolicyRef {
    /// Its name.
    pub name: String,
    pub sha256: String,
}

/// One file of a check.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LedgerFile {
    /// Relative to the request root.
    pub path: String,
    pub sha256: Option<String>,
    /// Size in bytes.
    pub bytes: u64,
    /// The file's verdict.
    pub verdict: Verdict,
    /// Bytes it could be carrying that no rule vouches for.
    pub capacity_bytes: u64,
    /// Findings above info, by rule.
    pub findings: Vec<RuleHit>,
}

/// A rule that fired, and how seriously.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RuleHit {
    /// The rule code.
    pub rule: String,
    /// The severity under the policy of the check.
    pub severity: Severity,
}

impl Entry {
    /// The ledger entry of a report; `prev_sha256` is filled in when it is appended.
    pub fn from_report(report: &Report) -> Entry {
        let hits = |findings: &[crate::finding::Finding]| -> Vec<RuleHit> {
            findings
                .iter()
                .filter(|f| f.severity > Severity::Info)
                .map(|f| RuleHit {
                    rule: f.rule.code.to_string(),
                    severity: f.severity,
                })
                .collect()
        };
        Entry {
            schema: LEDGER_SCHEMA.to_string(),
            time: report.generated_at.clone(),
            request_id: report.request_id().map(str::to_string),
            root: report.root.clone(),
            tool: Tool {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            policy: PolicyRef {
                name: report.policy_name.clone(),
                sha256: report.policy_sha256.clone(),
            },
            verdict: report.verdict(),
            files: report
                .files
                .iter()
                .map(|f| LedgerFile {
                    path: f.path.clone(),
                    sha256: f.sha256.clone(),
                    bytes: f.bytes,
                    verdict: f.verdict(),
                    capacity_bytes: f.capacity_bytes(),
                    findings: hits(&f.findings),
                })
                .collect(),
            request_findings: hits(&report.findings),
            prev_sha256: GENESIS.to_string(),
        }
    }
}

/// SHA-256 of one line, as the next line records it.
pub fn line_hash(line: &[u8]) -> String {
    hex(&Sha256::digest(line))
}

/// Appends `entry` to the ledger at `path`, creating it if needed, chained to its last line.
/// Returns the new head hash.
pub fn append(path: &Path, mut entry: Entry) -> Result<String, LedgerError> {
    let io_error = |source| LedgerError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(io_error)?;
    lock(&file).map_err(io_error)?;

    let mut existing = Vec::new();
    file.read_to_end(&mut existing).map_err(io_error)?;
    if !existing.is_empty() && !existing.ends_with(b"\n") {
        return Err(LedgerError::Truncated(path.display().to_string()));
    }
    entry.prev_sha256 = match existing.strip_suffix(b"\n") {
        Some(body) => line_hash(body.rsplit(|&b| b == b'\n').next().unwrap_or(body)),
        None => GENESIS.to_string(),
    };

    let mut line = serde_json::to_vec(&entry)?;
    let head = line_hash(&line);
    line.push(b'\n');
    file.write_all(&line).map_err(io_error)?;
    file.sync_data().map_err(io_error)?;
    Ok(head)
}

/// Takes an exclusive advisory lock, released when the file is closed.
fn lock(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a descriptor we own for the duration of the call.
        let status = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if status != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// What `audit verify` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// Every link holds.
    Intact {
        /// Lines in the ledger.
        entries: usize,
        /// SHA-256 of the last line ([`GENESIS`] for an empty ledger).
        head: String,
    },
    /// The first line whose link does not hold, one-based, and why.
    Broken { line: usize, reason: String },
}

/// Checks the chain of the ledger text `bytes`.
pub fn verify_bytes(bytes: &[u8]) -> Verification {
    let mut previous = GENESIS.to_string();
    let mut entries = 0;
    let mut rest = bytes;
    while !rest.is_empty() {
        let number = entries + 1;
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            return Verification::Broken {
                line: number,
                reason: "the last line is incomplete (no newline)".into(),
            };
        };
        let line = &rest[..end];
        rest = &rest[end + 1..];
        let recorded = match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(value) => value
                .get("prev_sha256")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            Err(error) => {
                return Verification::Broken {
                    line: number,
                    reason: format!("not a JSON line: {error}"),
                }
            }
        };
        match recorded {
            Some(hash) if hash == previous => {}
            Some(hash) => {
                return Verification::Broken {
                    line: number,
                    reason: format!(
                        "records previous line hash {hash} but the line before it hashes to \
                         {previous}: a line was edited, inserted or deleted before this one"
                    ),
                }
            }
            None => {
                return Verification::Broken {
                    line: number,
                    reason: "has no prev_sha256".into(),
                }
            }
        }
        previous = line_hash(line);
        entries += 1;
    }
    Verification::Intact {
        entries,
        head: previous,
    }
}

/// Reads the ledger at `path` whole.
pub fn read(path: &Path) -> Result<Vec<u8>, LedgerError> {
    std::fs::read(path).map_err(|source| LedgerError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// The ledger's entries, skipping lines that do not parse (verification reports those).
pub fn entries(bytes: &[u8]) -> Vec<Entry> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect()
}

/// Figures over past checks, for a governance board.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Checks recorded.
    pub checks: usize,
    /// Files over those checks.
    pub files: usize,
    /// Checks by request verdict.
    pub verdicts: BTreeMap<Verdict, usize>,
    /// Checks by policy, as `name (short hash)`.
    pub policies: BTreeMap<String, usize>,
    /// By month (`YYYY-MM`): checks, files, bytes of files that passed, their capacity.
    pub months: BTreeMap<String, Month>,
    /// Blocking findings by rule code, most common first.
    pub blocked_rules: Vec<(String, usize)>,
    /// Review findings by rule code, most common first.
    pub review_rules: Vec<(String, usize)>,
}

/// One month of checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Month {
    /// Checks recorded.
    pub checks: usize,
    /// Files over those checks.
    pub files: usize,
    /// Checks whose request verdict was pass.
    pub pass: usize,
    /// Checks whose request verdict was review.
    pub review: usize,
    /// Checks whose request verdict was block.
    pub block: usize,
    /// Bytes in files whose verdict was pass.
    pub bytes_passed: u64,
    /// Unverifiable capacity of files whose verdict was pass.
    pub capacity_passed: u64,
}

/// Summarises `entries`.
pub fn summarise(entries: &[Entry]) -> Summary {
    let mut summary = Summary {
        checks: entries.len(),
        ..Summary::default()
    };
    let mut blocked: BTreeMap<String, usize> = BTreeMap::new();
    let mut review: BTreeMap<String, usize> = BTreeMap::new();
    for entry in entries {
        summary.files += entry.files.len();
        *summary.verdicts.entry(entry.verdict).or_default() += 1;
        let policy = format!(
            "{} ({})",
            entry.policy.name,
            entry
                .policy
                .sha256
                .get(..12)
                .unwrap_or(&entry.policy.sha256)
        );
        *summary.policies.entry(policy).or_default() += 1;
        let month_key = entry.time.get(..7).unwrap_or("unknown").to_string();
        let month = summary.months.entry(month_key).or_default();
        month.checks += 1;
        match entry.verdict {
            Verdict::Pass => month.pass += 1,
            Verdict::Review => month.review += 1,
            Verdict::Block => month.block += 1,
        }
        for file in &entry.files {
            month.files += 1;
            if file.verdict == Verdict::Pass {
                month.bytes_passed += file.bytes;
                month.capacity_passed += file.capacity_bytes;
            }
        }
        let hits = entry
            .files
            .iter()
            .flat_map(|f| &f.findings)
            .chain(&entry.request_findings);
        for hit in hits {
            let counts = match hit.severity {
                Severity::Block => &mut blocked,
                Severity::Review => &mut review,
                Severity::Info => continue,
            };
            *counts.entry(hit.rule.clone()).or_default() += 1;
        }
    }
    summary.blocked_rules = most_common(blocked);
    summary.review_rules = most_common(review);
    summary
}

fn most_common(counts: BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let mut list: Vec<(String, usize)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(time: &str, verdict: Verdict, rule: Option<(&str, Severity)>) -> Entry {
        Entry {
            schema: LEDGER_SCHEMA.into(),
            time: time.into(),
            request_id: Some("R1".into()),
            root: "req".into(),
            tool: Tool {
                name: "egress-check".into(),
                version: "0".into(),
            },
            policy: PolicyRef {
                name: "default".into(),
                sha256: "ab".repeat(32),
            },
            verdict,
            files: vec![LedgerFile {
                path: "t.csv".into(),
                sha256: Some("cd".repeat(32)),
                bytes: 100,
                verdict,
                capacity_bytes: 0,
                findings: rule
                    .map(|(rule, severity)| RuleHit {
                        rule: rule.into(),
                        severity,
                    })
                    .into_iter()
                    .collect(),
            }],
            request_findings: Vec::new(),
            prev_sha256: GENESIS.into(),
        }
    }

    /// A ledger of three checks, written through `append`.
    fn ledger() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ledger.jsonl");
        append(&path, entry("2026-01-05T10:00:00Z", Verdict::Pass, None)).expect("append");
        append(
            &path,
            entry(
                "2026-01-20T10:00:00Z",
                Verdict::Block,
                Some(("O001", Severity::Block)),
            ),
        )
        .expect("append");
        append(
            &path,
            entry(
                "2026-02-02T10:00:00Z",
                Verdict::Review,
                Some(("K001", Severity::Review)),
            ),
        )
        .expect("append");
        (dir, path)
    }

    fn lines(path: &Path) -> Vec<String> {
        let text = std::fs::read_to_string(path).expect("read");
        text.lines().map(str::to_string).collect()
    }

    fn join(lines: &[String]) -> Vec<u8> {
        lines
            .iter()
            .flat_map(|l| format!("{l}\n").into_bytes())
            .collect()
    }

    #[test]
    fn an_intact_ledger_verifies_and_chains_from_genesis() {
        let (_dir, path) = ledger();
        let bytes = read(&path).expect("read");
        let lines = lines(&path);
        assert!(lines[0].contains(GENESIS));
        assert_eq!(
            verify_bytes(&bytes),
            Verification::Intact {
                entries: 3,
                head: line_hash(lines[2].as_bytes())
            }
        );
        assert_eq!(
            verify_bytes(b""),
            Verification::Intact {
                entries: 0,
                head: GENESIS.into()
            }
        );
    }

    fn broken_line(bytes: &[u8]) -> usize {
        match verify_bytes(bytes) {
            Verification::Broken { line, .. } => line,
            intact => panic!("not detected: {intact:?}"),
        }
    }

    #[test]
    fn an_edit_is_detected_at_the_next_line() {
        let (_dir, path) = ledger();
        let mut lines = lines(&path);
        lines[0] = lines[0].replace("\"pass\"", "\"block\"");
        assert_eq!(broken_line(&join(&lines)), 2);
    }

    #[test]
    fn an_insertion_is_detected() {
        let (_dir, path) = ledger();
        let mut lines = lines(&path);
        // A forged line correctly chained to line 1 still breaks line 2's link.
        let mut forged = entry("2026-01-10T10:00:00Z", Verdict::Pass, None);
        forged.prev_sha256 = line_hash(lines[0].as_bytes());
        lines.insert(1, serde_json::to_string(&forged).expect("json"));
        assert_eq!(broken_line(&join(&lines)), 3);
    }

    #[test]
    fn a_deletion_is_detected() {
        let (_dir, path) = ledger();
        let mut lines = lines(&path);
        lines.remove(1);
        assert_eq!(broken_line(&join(&lines)), 2);
        let (_dir, path) = ledger();
        let mut first_gone = self::lines(&path);
        first_gone.remove(0);
        assert_eq!(broken_line(&join(&first_gone)), 1);
    }

    #[test]
    fn garbage_and_a_torn_last_line_are_detected() {
        let (_dir, path) = ledger();
        let mut bytes = read(&path).expect("read");
        bytes.extend_from_slice(b"{\"prev");
        assert_eq!(broken_line(&bytes), 4);
        assert_eq!(broken_line(b"not json\n"), 1);
        std::fs::write(&path, &bytes).expect("write");
        let refused = append(&path, entry("2026-03-01T00:00:00Z", Verdict::Pass, None));
        assert!(matches!(refused, Err(LedgerError::Truncated(_))));
    }

    #[test]
    fn summary_counts_verdicts_months_and_rules() {
        let (_dir, path) = ledger();
        let summary = summarise(&entries(&read(&path).expect("read")));
        assert_eq!(summary.checks, 3);
        assert_eq!(summary.verdicts.get(&Verdict::Block), Some(&1));
        assert_eq!(summary.months["2026-01"].checks, 2);
        assert_eq!(summary.months["2026-01"].bytes_passed, 100);
        assert_eq!(summary.months["2026-02"].review, 1);
        assert_eq!(summary.blocked_rules, [("O001".to_string(), 1)]);
        assert_eq!(summary.review_rules, [("K001".to_string(), 1)]);
        assert_eq!(summary.policies.values().sum::<usize>(), 3);
    }
}
