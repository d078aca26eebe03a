//! Budgets: how large a file and a request may be, and how many bytes a request may carry
//! that no rule can vouch for.
//!
//! Small payloads can always slip through a checker; thousands of records cannot, if the
//! bytes nobody can vouch for are held to a budget. Each finding names the budget, the
//! measured figure and the limit.

use super::{Family, FileCheck, Findings, Rule};
use crate::evidence;
use crate::finding::{Finding, Severity};
use crate::inspect::Inspected;
use crate::policy::size::human;
use crate::policy::Policy;
use crate::report::FileEntry;

pub static FILE_BYTES: Rule = Rule {
    code: "B001",
    name: "file-size-budget",
    family: Family::Budget,
    severity: Severity::Block,
    summary: "a file larger than its kind's size budget",
    detects: "Files larger than budgets.file_bytes, or the per-kind budget in \
              budgets.file_bytes_by_kind. The file is still hashed and measured in full, with \
              bounded memory.",
    why: "Research outputs are small: tables, figures, short reports. A large file is more \
          likely to hold record-level data, and cannot be reviewed by eye.",
    fix: "Release aggregates rather than data; split a large report into its parts; or ask \
          for a policy with a larger budget for this kind, with a justification.",
    policy_keys: &[
        "budgets.file_bytes",
        "budgets.file_bytes_by_kind",
        "rules.B001",
    ],
    references: &["OpenSAFELY job runner: level-4 files over 16 MB are excluded"],
};

pub static REQUEST_BYTES: Rule = Rule {
    code: "B002",
    name: "request-size-budget",
    family: Family::Budget,
    severity: Severity::Block,
    summary: "a request larger in total than the budget",
    detects: "Requests whose files together exceed budgets.request_bytes.",
    why: "Every byte released is a byte that could carry data; the total bounds what one \
          request can take out.",
    fix: "Release only the outputs the publication needs, or split the request.",
    policy_keys: &["budgets.request_bytes", "rules.B002"],
    references: &[],
};

pub static REQUEST_FILES: Rule = Rule {
    code: "B003",
    name: "request-files-budget",
    family: Family::Budget,
    severity: Severity::Block,
    summary: "a request with more files than the budget",
    detects: "Requests with more regular files than budgets.request_files.",
    why: "Reviewers cannot give hundreds of files real attention, and many small files can \
          together carry what one could not.",
    fix: "Combine related tables into one file, or split the request.",
    policy_keys: &["budgets.request_files", "rules.B003"],
    references: &[],
};

pub static CAPACITY: Rule = Rule {
    code: "B004",
    name: "capacity-budget",
    family: Family::Budget,
    severity: Severity::Block,
    summary: "more unverifiable capacity in the request than the budget",
    detects: "Requests whose findings together could be carrying more than \
              budgets.capacity_bytes: opaque and unknown data, executables, estimated hidden \
              payloads. The evidence lists the files that contribute most.",
    why: "A few bytes can always be hidden where no rule can see them; thousands of records \
          cannot, if the total is bounded. This budget is that bound.",
    fix: "Remove or replace the files with the largest capacity first.",
    policy_keys: &["budgets.capacity_bytes", "rules.B004"],
    references: &[],
};

/// Holds each file to the size budget of its kind.
pub struct FileBudgetCheck;

impl FileCheck for FileBudgetCheck {
    fn check(&self, file: &Inspected, policy: &Policy, out: &mut Findings) {
        let class = file.class();
        let limit = policy.file_budget(class);
        if file.bytes <= limit {
            return;
        }
        let key = if policy.budgets.file_bytes_by_kind.contains_key(&class) {
            format!("budgets.file_bytes_by_kind.{class}")
        } else {
            "budgets.file_bytes".to_string()
        };
        out.push(
            Finding::new(
                &FILE_BYTES,
                format!(
                    "{} is over the {} budget for {class} files ({key})",
                    human(file.bytes),
                    human(limit)
                ),
            )
            .with_evidence(evidence! {"bytes" => file.bytes, "limit" => limit, "budget" => key}),
        );
    }
}

/// The request-level budgets: total bytes, file count and capacity.
pub fn check_request(files: &[FileEntry], policy: &Policy, out: &mut Findings) {
    let budgets = &policy.budgets;
    let regular: Vec<&FileEntry> = files.iter().filter(|f| f.is_file_on_disk()).collect();
    let bytes: u64 = regular.iter().map(|f| f.bytes).sum();
    if bytes > budgets.request_bytes.0 {
        out.push(
            Finding::new(
                &REQUEST_BYTES,
                format!(
                    "the request holds {} in {} files, over the {} budget \
                     (budgets.request_bytes)",
                    human(bytes),
                    regular.len(),
                    human(budgets.request_bytes.0)
                ),
            )
            .with_evidence(evidence! {"bytes" => bytes, "limit" => budgets.request_bytes.0}),
        );
    }

    if regular.len() > budgets.request_files {
        out.push(
            Finding::new(
                &REQUEST_FILES,
                format!(
                    "the request holds {} files, over the budget of {} (budgets.request_files)",
                    regular.len(),
                    budgets.request_files
                ),
            )
            .with_evidence(evidence! {"files" => regular.len(), "limit" => budgets.request_files}),
        );
    }

    let capacity: u64 = files.iter().map(FileEntry::capacity_bytes).sum();
    if capacity > budgets.capacity_bytes.0 {
        let mut largest: Vec<&FileEntry> =
            files.iter().filter(|f| f.capacity_bytes() > 0).collect();
        largest.sort_by(|a, b| {
            b.capacity_bytes()
                .cmp(&a.capacity_bytes())
                .then(a.path.cmp(&b.path))
        });
        let top: Vec<_> = largest
            .iter()
            .take(10)
            .map(|f| evidence! {"path" => f.path, "capacity_bytes" => f.capacity_bytes()})
            .collect();
        out.push(
            Finding::new(
                &CAPACITY,
                format!(
                    "the request could be carrying {} that no rule can vouch for, over the {} \
                     budget (budgets.capacity_bytes); largest: {}",
                    human(capacity),
                    human(budgets.capacity_bytes.0),
                    largest.first().map_or("none", |f| f.path.as_str())
                ),
            )
            .with_evidence(evidence! {
                "capacity_bytes" => capacity,
                "limit" => budgets.capacity_bytes.0,
                "largest" => top,
            })
            .carrying(0),
        );
    }
}
