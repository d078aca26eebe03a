//! Checking a request: walk it, read and check each file in parallel, add the request-level
//! budgets, and assemble the report.

use std::path::Path;
use std::time::{Instant, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use tracing::{debug, info};

use crate::error::Error;
use crate::evidence;
use crate::finding::Finding;
use crate::inspect::{self, ReadError};
use crate::manifest::{self, ManifestFile, MANIFEST_NAME};
use crate::policy::Policy;
use crate::report::{FileEntry, Report};
use crate::rules::{self, budget, walk as walk_rules, Findings};
use crate::walk::{self, Entry, EntryKind};

/// How a check runs, as opposed to what it judges (the policy).
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Worker threads; `None` uses one per core.
    pub jobs: Option<usize>,
    /// Draw a progress bar on standard error.
    pub progress: bool,
}

/// Fewest files for which a progress bar is worth drawing.
const PROGRESS_MIN_FILES: usize = 200;

/// Checks the request folder `root` under `policy`. Problems with files in the request are
/// findings in the report; only a root that cannot be checked at all is an error.
pub fn check_request(root: &Path, policy: &Policy, options: &Options) -> Result<Report, Error> {
    validate_root(root)?;
    let started = Instant::now();
    let generated_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();

    let mut walked = walk::walk(root, policy);
    let manifest = take_manifest(&mut walked);
    info!(entries = walked.entries.len(), elapsed = ?started.elapsed(), "walked request");

    let progress = progress_bar(options, walked.entries.len());
    let check = |entry: &Entry| {
        let file = check_entry(entry, policy);
        progress.inc(1);
        file
    };
    let mut files: Vec<FileEntry> = match options.jobs {
        Some(jobs) => rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .map_err(|e| Error::Threads(jobs, e.to_string()))?
            .install(|| walked.entries.par_iter().map(check).collect()),
        None => walked.entries.par_iter().map(check).collect(),
    };
    progress.finish_and_clear();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    info!(files = files.len(), elapsed = ?started.elapsed(), "checked files");

    let mut request = Findings::new(policy);
    for finding in walked.findings {
        request.push(finding);
    }
    budget::check_request(&files, policy, &mut request);
    if let Some(manifest) = &manifest {
        manifest::apply(manifest, &mut files, &mut request);
    }

    Ok(Report {
        root: walk::display_path(root),
        policy_name: policy.name.clone(),
        policy_sha256: policy.sha256.clone(),
        generated_at,
        files,
        findings: request.into_vec(),
        capacity_budget: policy.budgets.capacity_bytes.0,
        manifest,
    })
}

/// Takes the request manifest out of the walked entries and reads it. Only a regular file at
/// the root counts: a link or fifo of that name stays an entry and gets its own findings.
fn take_manifest(walked: &mut walk::Walked) -> Option<ManifestFile> {
    let at = walked.entries.iter().position(|entry| {
        entry.path == MANIFEST_NAME && entry.kind == EntryKind::File && entry.findings.is_empty()
    })?;
    let entry = walked.entries.remove(at);
    Some(manifest::load(&entry.abs))
}

fn validate_root(root: &Path) -> Result<(), Error> {
    let metadata = std::fs::metadata(root).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => Error::RootMissing(root.to_path_buf()),
        _ => Error::RootUnreadable {
            path: root.to_path_buf(),
            source,
        },
    })?;
    if !metadata.is_dir() {
        return Err(Error::RootNotDirectory(root.to_path_buf()));
    }
    std::fs::read_dir(root).map_err(|source| Error::RootUnreadable {
        path: root.to_path_buf(),
        source,
    })?;
    Ok(())
}

fn progress_bar(options: &Options, entries: usize) -> ProgressBar {
    if !options.progress || entries < PROGRESS_MIN_FILES {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(entries as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} files, {eta} left") {
        bar.set_style(style);
    }
    bar
}

/// Checks one entry: its walk findings, then, for a regular file, everything its content
/// shows. Never fails: a file that cannot be read gets a finding saying why.
pub fn check_entry(entry: &Entry, policy: &Policy) -> FileEntry {
    let mut findings = Findings::new(policy);
    for finding in &entry.findings {
        findings.push(finding.clone());
    }
    let mut file = FileEntry {
        path: entry.path.clone(),
        bytes: 0,
        sha256: None,
        kind: entry.kind.label().to_string(),
        format: None,
        detail: None,
        entropy: None,
        group: None,
        findings: Vec::new(),
    };
    if !entry.read {
        file.findings = findings.into_vec();
        return file;
    }

    match inspect::read(&entry.abs, &entry.path, policy) {
        Ok(inspected) => {
            debug!(path = %entry.path, format = %inspected.identity.format, "read");
            file.bytes = inspected.bytes;
            file.sha256 = Some(inspected.sha256.clone());
            file.kind = inspected.class().to_string();
            file.format = Some(inspected.identity.format.to_string());
            file.detail = inspected.identity.detail.clone();
            file.entropy = Some(inspected.stats.entropy());
            whole_file_findings(&inspected, &mut findings);
            for check in rules::FILE_CHECKS {
                check.check(&inspected, policy, &mut findings);
            }
        }
        Err(error) => {
            if matches!(error, ReadError::NotRegular(_)) {
                file.kind = "special file".into();
            }
            findings.push(
                Finding::new(
                    &walk_rules::UNREADABLE,
                    format!("cannot be read: {error}; it was not checked"),
                )
                .with_evidence(evidence! {"error" => error.to_string()}),
            );
        }
    }
    file.findings = findings.into_vec();
    file
}

/// Findings about the read itself: an empty file, a file that changed size while read.
fn whole_file_findings(file: &inspect::Inspected, findings: &mut Findings) {
    if file.bytes == 0 && file.size_at_open == 0 {
        findings.push(Finding::new(&walk_rules::EMPTY_FILE, "the file is empty"));
    }
    if file.bytes != file.size_at_open {
        findings.push(
            Finding::new(
                &walk_rules::CHANGED_WHILE_READ,
                format!(
                    "the file was {} bytes when opened and {} bytes were read",
                    file.size_at_open, file.bytes
                ),
            )
            .with_evidence(
                evidence! {"size_at_open" => file.size_at_open, "bytes_read" => file.bytes},
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(abs: &Path, path: &str) -> Entry {
        Entry {
            abs: abs.to_path_buf(),
            path: path.to_string(),
            kind: EntryKind::File,
            findings: Vec::new(),
            read: true,
        }
    }

    #[test]
    fn a_file_that_vanished_after_the_walk_is_blocked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let gone = dir.path().join("gone.csv");
        let file = check_entry(&entry(&gone, "gone.csv"), &Policy::default_policy());
        assert_eq!(file.sha256, None);
        assert_eq!(file.findings.len(), 1);
        assert_eq!(file.findings[0].rule.code, "W003");
        assert!(file.findings[0].message.contains("disappeared"));
    }

    #[test]
    fn a_file_swapped_for_a_link_after_the_walk_is_not_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("real.csv"), "a,b\n1,2\n").expect("write");
        let link = dir.path().join("swapped.csv");
        std::os::unix::fs::symlink(dir.path().join("real.csv"), &link).expect("link");
        let file = check_entry(&entry(&link, "swapped.csv"), &Policy::default_policy());
        assert_eq!(file.sha256, None);
        assert!(file.findings[0].message.contains("symbolic link"));
    }

    #[test]
    fn a_size_change_during_the_read_is_blocked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "a,b\n1,2\n").expect("write");
        let policy = Policy::default_policy();
        let mut inspected = inspect::read(&path, "t.csv", &policy).expect("read");
        inspected.size_at_open += 10;
        let mut findings = Findings::new(&policy);
        whole_file_findings(&inspected, &mut findings);
        let findings = findings.into_vec();
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule.code, "W010");
    }
}
