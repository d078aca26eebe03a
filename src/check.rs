//! Checking a request: walk it, read and check each file in parallel, add the request-level
//! budgets, and assemble the report.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use tracing::{debug, info};

use crate::cache::Cache;
use crate::error::Error;
use crate::evidence;
use crate::finding::Finding;
use crate::identify::Class;
use crate::inspect::{self, Inspected, ReadError};
use crate::manifest::{self, ManifestFile, MANIFEST_NAME};
use crate::policy::Policy;
use crate::report::{FileEntry, Report};
use crate::rules::{
    self, archive as archive_rules, budget, coverage as coverage_rules, table, walk as walk_rules,
    Findings,
};
use crate::unpack;
use crate::walk::{self, Entry, EntryKind};

/// How a check runs, as opposed to what it judges (the policy).
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Worker threads; `None` uses one per core.
    pub jobs: Option<usize>,
    /// Draw a progress bar on standard error.
    pub progress: bool,
    /// Folder of findings from earlier checks, keyed by content, policy and tool version.
    pub cache: Option<PathBuf>,
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

    let cache = match &options.cache {
        Some(dir) => Some(
            Cache::open(dir, policy).map_err(|source| Error::CacheUnusable {
                path: dir.clone(),
                source,
            })?,
        ),
        None => None,
    };
    let progress = progress_bar(options, walked.entries.len());
    let check = |entry: &Entry| {
        let files = check_entry(entry, policy, cache.as_ref());
        progress.inc(1);
        files
    };
    let checked: Vec<Vec<FileEntry>> = match options.jobs {
        Some(jobs) => rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .map_err(|e| Error::Threads(jobs, e.to_string()))?
            .install(|| walked.entries.par_iter().map(check).collect()),
        None => walked.entries.par_iter().map(check).collect(),
    };
    progress.finish_and_clear();
    let mut files: Vec<FileEntry> = checked.into_iter().flatten().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    info!(files = files.len(), elapsed = ?started.elapsed(), "checked files");

    let mut request = Findings::new(policy);
    for finding in walked.findings {
        request.push(finding);
    }
    table::differencing::check_request(&mut files, policy);
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
/// shows, followed by the members of an archive. Never fails: a file that cannot be read gets
/// a finding saying why.
pub fn check_entry(entry: &Entry, policy: &Policy, cache: Option<&Cache>) -> Vec<FileEntry> {
    let mut walk_findings = Findings::new(policy);
    for finding in &entry.findings {
        walk_findings.push(finding.clone());
    }
    let walk_findings = walk_findings.into_vec();
    let mut file = FileEntry::new(&entry.path, entry.kind.label());
    if !entry.read {
        file.findings = walk_findings;
        return vec![file];
    }

    let inspected = match inspect::read(&entry.abs, &entry.path, policy) {
        Ok(inspected) => inspected,
        Err(error) => {
            if matches!(error, ReadError::NotRegular(_)) {
                file.kind = "special file".into();
            }
            let mut findings = Findings::new(policy);
            findings.push(
                Finding::new(
                    &walk_rules::UNREADABLE,
                    format!("cannot be read: {error}; it was not checked"),
                )
                .with_evidence(evidence! {"error" => error.to_string()}),
            );
            file.findings = walk_findings;
            file.findings.extend(findings.into_vec());
            return vec![file];
        }
    };
    debug!(path = %entry.path, format = %inspected.identity.format, "read");

    let sha256 = inspected.sha256.clone();
    let cached = cache.and_then(|cache| cache.get(&entry.path, &sha256));
    let mut entries = match cached {
        Some(entries) if !entries.is_empty() => entries,
        _ => {
            let findings = Findings::new(policy);
            let entries = check_inspected(inspected, policy, file, findings, 0, &Cell::new(0));
            if let Some(cache) = cache {
                cache.put(&entry.path, &sha256, &entries);
            }
            entries
        }
    };
    // Findings about the name and place of the file come first, as the walk found them.
    let content_findings = std::mem::take(&mut entries[0].findings);
    entries[0].findings = walk_findings;
    entries[0].findings.extend(content_findings);
    entries
}

/// Runs every content check on a file read from disk or inflated from an archive, and
/// returns its entry followed by the entries of its members.
fn check_inspected(
    mut inspected: Inspected,
    policy: &Policy,
    mut file: FileEntry,
    mut findings: Findings,
    depth: usize,
    inflated: &Cell<u64>,
) -> Vec<FileEntry> {
    file.bytes = inspected.bytes;
    file.sha256 = Some(inspected.sha256.clone());
    file.kind = inspected.class().to_string();
    file.format = Some(inspected.identity.format.to_string());
    file.detail = inspected.identity.detail.clone();
    file.entropy = inspected.stats.as_ref().map(|stats| stats.entropy());
    whole_file_findings(&inspected, &mut findings);
    run_file_checks(&inspected, policy, &mut findings);

    let members = if inspected.class() == Class::Archive {
        expand_archive(&mut inspected, policy, &mut findings, depth, inflated)
    } else {
        expand_document(&inspected, policy, &mut findings, depth, inflated)
    };
    file.worst_member = members.iter().map(FileEntry::verdict).max();
    (file.findings, file.tables) = findings.into_parts();

    let mut entries = vec![file];
    entries.extend(members);
    entries
}

/// Runs every family's content checks on one file, within the policy's time budget. The budget
/// is checked between families: Rust cannot stop a running check safely, so a slow family
/// finishes and the families after it are skipped, with a finding that says so.
fn run_file_checks(inspected: &Inspected, policy: &Policy, findings: &mut Findings) {
    let started = Instant::now();
    let budget = policy.read.file_seconds;
    for (index, check) in rules::FILE_CHECKS.iter().enumerate() {
        let elapsed = started.elapsed().as_secs_f64();
        if elapsed > budget {
            let skipped = rules::FILE_CHECKS.len() - index;
            findings.push(
                Finding::new(
                    &coverage_rules::TIME_LIMIT,
                    format!(
                        "checks took {elapsed:.1} s, past the budget of {budget} s \
                         (read.file_seconds); {skipped} of {} rule families were skipped",
                        rules::FILE_CHECKS.len()
                    ),
                )
                .with_evidence(evidence! {
                    "seconds" => elapsed, "limit" => budget, "families_skipped" => skipped,
                }),
            );
            return;
        }
        check.check(inspected, policy, findings);
    }
}

/// Inflates an archive's members one at a time and checks each as a file of its own.
fn expand_archive(
    archive: &mut Inspected,
    policy: &Policy,
    findings: &mut Findings,
    depth: usize,
    inflated: &Cell<u64>,
) -> Vec<FileEntry> {
    let format = archive.identity.format;
    if !unpack::can_unpack(format) {
        findings.push(
            Finding::new(
                &archive_rules::ARCHIVE_NOT_OPENED,
                format!(
                    "{format} archives are not opened: {}; its members were not checked. \
                     Re-pack the files as a ZIP or tar archive, or submit them unpacked",
                    unpack::why_not_opened(format)
                ),
            )
            .with_evidence(evidence! {
                "format" => format.as_str(), "reason" => unpack::why_not_opened(format),
            })
            .carrying(archive.bytes),
        );
        return Vec::new();
    }
    if depth >= policy.archives.max_depth {
        findings.push(
            Finding::new(
                &archive_rules::ARCHIVE_DEPTH,
                format!(
                    "archive nested {} deep, past the limit of {} (archives.max_depth); it was \
                     not opened",
                    depth + 1,
                    policy.archives.max_depth
                ),
            )
            .with_evidence(evidence! {"depth" => depth + 1, "limit" => policy.archives.max_depth}),
        );
        return Vec::new();
    }
    let Some(content) = archive.take_content() else {
        return Vec::new(); // too large to hold: coverage reports it as not inspected
    };

    let limits = unpack::Limits {
        max_members: policy.archives.max_members,
        max_total_bytes: policy.archives.max_inflated_bytes.0,
        max_member_bytes: policy.read.inspect_bytes.0,
        max_ratio: policy.archives.max_ratio,
    };
    let mut entries = Vec::new();
    let mut checked = 0usize;
    unpack::unpack(
        format,
        &content,
        &archive.path,
        &limits,
        inflated,
        &mut |event| match event {
            unpack::Event::Member { name, bytes } => {
                checked += 1;
                entries.extend(check_member(
                    &archive.path,
                    &name,
                    bytes,
                    policy,
                    depth,
                    inflated,
                ));
            }
            unpack::Event::Problem(finding) => findings.push(finding),
        },
    );
    findings.push(
        Finding::new(
            &archive_rules::ARCHIVE_CONTENTS,
            format!(
                "{format} archive: {checked} member(s) checked below as {}!/…",
                archive.path
            ),
        )
        .with_evidence(evidence! {"format" => format.as_str(), "members_checked" => checked}),
    );
    entries
}

/// Checks the parts of a document that are files of their own (pictures in a docx, data:
/// URIs, notebook plots) exactly as archive members are: same recursion, same depth limit,
/// same inflation budget, reported as `document!/part`.
fn expand_document(
    document: &Inspected,
    policy: &Policy,
    findings: &mut Findings,
    depth: usize,
    inflated: &Cell<u64>,
) -> Vec<FileEntry> {
    if !rules::document::inspects(document.identity.format) {
        return Vec::new();
    }
    if depth >= policy.archives.max_depth {
        findings.push(
            Finding::new(
                &archive_rules::ARCHIVE_DEPTH,
                format!(
                    "document nested {} deep, past the limit of {} (archives.max_depth); its \
                     pictures and embedded parts were not checked",
                    depth + 1,
                    policy.archives.max_depth
                ),
            )
            .with_evidence(evidence! {"depth" => depth + 1, "limit" => policy.archives.max_depth}),
        );
        return Vec::new();
    }
    let members = rules::document::members(document, policy, inflated, findings);
    members
        .into_iter()
        .flat_map(|member| {
            check_member(
                &document.path,
                &member.name,
                member.bytes,
                policy,
                depth,
                inflated,
            )
        })
        .collect()
}

/// Checks bytes that are not on disk (an attachment, a fuzzer's input) exactly as a file at
/// `path` would be checked, archive members included.
pub fn check_bytes(path: &str, bytes: Vec<u8>, policy: &Policy) -> Vec<FileEntry> {
    let findings = Findings::new(policy);
    let file = FileEntry::new(path, "file");
    let inspected = inspect::from_bytes(path, bytes, policy);
    check_inspected(inspected, policy, file, findings, 0, &Cell::new(0))
}

fn check_member(
    archive: &str,
    name: &str,
    bytes: Vec<u8>,
    policy: &Policy,
    depth: usize,
    inflated: &Cell<u64>,
) -> Vec<FileEntry> {
    let path = format!("{archive}!/{name}");
    let mut findings = Findings::new(policy);
    let base = name.rsplit('/').next().unwrap_or(name);
    for finding in walk::name_findings(std::ffi::OsStr::new(base)) {
        findings.push(finding);
    }
    let mut file = FileEntry::new(&path, "file");
    file.container = Some(archive.to_string());
    let inspected = inspect::from_bytes(&path, bytes, policy);
    check_inspected(inspected, policy, file, findings, depth + 1, inflated)
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
        let file =
            check_entry(&entry(&gone, "gone.csv"), &Policy::default_policy(), None).remove(0);
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
        let file = check_entry(
            &entry(&link, "swapped.csv"),
            &Policy::default_policy(),
            None,
        )
        .remove(0);
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
