//! Manifest rules: problems with the request manifest (`egress-manifest.toml`) itself.
//!
//! The manifest is the researcher's description of the request and their requests for
//! exceptions. It is never an output, and it never changes a verdict on its own; these rules
//! only say when it could not be used or asked for something that is not there.

use super::{Family, Rule};
use crate::finding::Severity;

/// R001: an exception that answers no finding.
pub static UNMATCHED_EXCEPTION: Rule = Rule {
    code: "R001",
    name: "unmatched-exception",
    family: Family::Manifest,
    severity: Severity::Info,
    summary: "an exception in the manifest that answers no finding",
    detects: "Exceptions in egress-manifest.toml whose rule and file together match no finding \
              of this check: the file was renamed or removed, the pattern is mistyped, or the \
              finding it answered no longer fires.",
    why: "An exception is a justification a checker reads beside a finding. One that answers \
          nothing is either stale, and clutters the record, or aimed at a file that is not \
          what the researcher thinks it is.",
    fix: "Remove the exception, or correct its rule code or file pattern so that it names the \
          finding it is meant to answer.",
    policy_keys: &["rules.R001"],
    references: &["ACRO Records.add_exception: one reason per output that does not pass"],
};

/// R002: a manifest that cannot be used.
pub static INVALID_MANIFEST: Rule = Rule {
    code: "R002",
    name: "invalid-manifest",
    family: Family::Manifest,
    severity: Severity::Review,
    summary: "a request manifest that cannot be read or is not valid",
    detects: "An egress-manifest.toml at the request root that is not a regular file, is too \
              large, is not UTF-8 TOML, has unknown keys, or lacks a required field (request \
              id, a group's context or controls, an exception's reason). Every problem is \
              listed; the manifest is then ignored as a whole.",
    why: "The manifest carries the context a checker needs and the researcher's reasons for \
          exceptions. When it cannot be used, none of that reaches the checker, so a person \
          must look at the request with that in mind.",
    fix: "Correct the listed problems; `egress-check check` on the request shows whether the \
          manifest is now read.",
    policy_keys: &["rules.R002"],
    references: &["README, section Request manifest"],
};
