//! Coverage: saying plainly which files no content rule has checked.
//!
//! A file that no rule has looked inside is not passed: its kind is recorded, a person is
//! asked to look, and the report says why. As families of content rules are added, the kinds
//! they cover leave [`has_content_rules`]' list of gaps.

use super::{document, Family, FileCheck, Findings, Rule};
use crate::evidence;
use crate::finding::{Finding, Severity};
use crate::identify::{Class, Format};
use crate::inspect::{needs_content, Inspected};
use crate::policy::size::human;
use crate::policy::Policy;

pub static NO_CONTENT_RULES: Rule = Rule {
    code: "K001",
    name: "no-content-rules",
    family: Family::Coverage,
    severity: Severity::Review,
    summary: "a file of a kind whose content no rule in this version checks",
    detects: "Files identified as a kind (tables, images, models, microdata files, archives, \
              documents, text) for which this version of egress-check has no content rules \
              yet. The file was read, hashed and identified, but nothing inside it was judged.",
    why: "A tool that passes what it did not check is worse than none: reviewers would trust \
          the pass. The file needs a person's review until a rule family covers its kind.",
    fix: "Have an output checker review the file by hand.",
    policy_keys: &["rules.K001"],
    references: &[],
};

pub static CONTENT_NOT_INSPECTED: Rule = Rule {
    code: "K002",
    name: "content-not-inspected",
    family: Family::Coverage,
    severity: Severity::Block,
    summary: "a file too large for the content rules to hold in memory",
    detects: "Files within their size budget but larger than read.inspect_bytes, the most one \
              file's content rules may hold in memory. They are hashed and measured, not \
              inspected.",
    why: "What was not inspected was not checked, and an unchecked file is never passed.",
    fix: "Split the output into smaller files, or raise read.inspect_bytes in the policy if \
          the checking machine has the memory.",
    policy_keys: &["read.inspect_bytes", "rules.K002"],
    references: &[],
};

pub static TIME_LIMIT: Rule = Rule {
    code: "K003",
    name: "check-time-limit",
    family: Family::Coverage,
    severity: Severity::Block,
    summary: "a file whose checks ran past the time budget",
    detects: "Files on which the content rules spent more than read.file_seconds. The budget is \
              checked between families of rules: the family running when it ran out finishes, \
              the rest are skipped.",
    why: "A file crafted to make the checks slow is a way to exhaust the checker, and the \
          families skipped did not check it; an unchecked file is never passed.",
    fix: "Split the output into smaller files, or have it reviewed by hand.",
    policy_keys: &["read.file_seconds", "rules.K003"],
    references: &[],
};

/// True for the kinds whose content a family of rules checks.
pub fn has_content_rules(class: Class, format: Format) -> bool {
    matches!(
        class,
        Class::Executable
            | Class::Encrypted
            | Class::Unknown
            | Class::Empty
            | Class::Archive
            | Class::Model
            | Class::Microdata
            | Class::Table
            | Class::Spreadsheet
            | Class::Image
            | Class::Text
    ) || (class == Class::Document && document::inspects(format))
}

/// Flags files whose content nothing checked.
pub struct CoverageCheck;

impl FileCheck for CoverageCheck {
    fn check(&self, file: &Inspected, policy: &Policy, out: &mut Findings) {
        let class = file.class();
        let within_budget = file.bytes <= policy.file_budget(class);
        if needs_content(class) && file.content().is_none() && within_budget {
            out.push(
                Finding::new(
                    &CONTENT_NOT_INSPECTED,
                    format!(
                        "{} is more than the {} the content rules may hold in memory \
                         (read.inspect_bytes); it was hashed but not inspected",
                        human(file.bytes),
                        policy.read.inspect_bytes
                    ),
                )
                .with_evidence(evidence! {
                    "bytes" => file.bytes,
                    "limit" => policy.read.inspect_bytes.0,
                }),
            );
        }

        if !has_content_rules(class, file.identity.format) {
            let format = file.identity.format;
            out.push(
                Finding::new(
                    &NO_CONTENT_RULES,
                    format!(
                        "identified as {format} ({class}); no rule in this version checks the \
                         content of {class} files, so a person must"
                    ),
                )
                .with_evidence(evidence! {
                    "kind" => class.as_str(),
                    "format" => format.as_str(),
                    "capacity" => "not estimated",
                }),
            );
        }
    }
}
