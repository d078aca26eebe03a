//! The rule registry: every rule's code, name, default severity and documentation, in one list.
//!
//! `egress-check rules`, the reports and policy validation all read [`RULES`], so a rule that
//! exists is documented and can be tuned by a policy. Each family of rules lives in its own
//! module, which holds both the rule metadata and the check that emits its findings.

pub mod archive;
pub mod budget;
pub mod coverage;
pub mod document;
pub mod executable;
pub mod identity;
pub mod image;
pub mod manifest;
pub mod microdata;
pub mod model;
pub mod opaque;
pub mod table;
pub mod text;
pub mod walk;

use std::fmt;

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::inspect::Inspected;
use crate::policy::Policy;

/// The family a rule belongs to; the first letter of its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// W: the folder itself (links, special files, names, limits).
    Walk,
    /// I: what a file is, against what its name says.
    Identity,
    /// O: data that cannot be verified (ciphertext, random bytes, unknown binaries).
    Opaque,
    /// X: native executables and libraries.
    Executable,
    /// M: model files (pickles, weights).
    Model,
    /// D: microdata files (statistics packages, columnar and array formats, databases).
    Microdata,
    /// K: files of a kind this version has no content rules for.
    Coverage,
    /// B: size and capacity budgets, per file and per request.
    Budget,
    /// A: archives and their members.
    Archive,
    /// T: tables and spreadsheets (statistical disclosure control).
    Table,
    /// G: images (graphics): containers, metadata and hidden payloads in pixels.
    Image,
    /// R: the request manifest (exceptions, validity).
    Manifest,
    /// E: text, code and logs (identifiers, echoed records, encoded payloads).
    Text,
    /// P: documents ("paper"): Office, OpenDocument, PDF, SVG, HTML, notebooks.
    Document,
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Family::Walk => "walk",
            Family::Identity => "identity",
            Family::Opaque => "opaque",
            Family::Executable => "executable",
            Family::Model => "model",
            Family::Microdata => "microdata",
            Family::Coverage => "coverage",
            Family::Budget => "budget",
            Family::Archive => "archive",
            Family::Table => "table",
            Family::Image => "image",
            Family::Manifest => "manifest",
            Family::Text => "text",
            Family::Document => "document",
        };
        f.write_str(name)
    }
}

/// A rule's identity and documentation. The check that emits it lives in the family module.
///
/// The documentation follows fixed sections so that `egress-check rule CODE` reads the same
/// for every rule: what it detects, why it matters for disclosure, how to fix the output, the
/// policy keys that tune it, and the sources its numbers come from.
#[derive(Debug, Serialize)]
pub struct Rule {
    /// Stable code: family letter and three digits.
    pub code: &'static str,
    /// Kebab-case name of the problem the rule finds.
    pub name: &'static str,
    pub family: Family,
    /// Severity when the policy does not set one.
    pub severity: Severity,
    /// One line for listings.
    pub summary: &'static str,
    pub detects: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
    /// Policy keys that change what the rule measures or tolerates.
    pub policy_keys: &'static [&'static str],
    /// Papers, handbooks and guidance the rule follows.
    pub references: &'static [&'static str],
}

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &walk::SYMLINK,
    &walk::SPECIAL_FILE,
    &walk::UNREADABLE,
    &walk::NAME_NOT_UTF8,
    &walk::HIDDEN_ENTRY,
    &walk::CONTROL_CHARACTER_NAME,
    &walk::DEPTH_LIMIT,
    &walk::ENTRY_LIMIT,
    &walk::EMPTY_FILE,
    &walk::CHANGED_WHILE_READ,
    &identity::EXTENSION_MISMATCH,
    &identity::DISGUISED_CONTENT,
    &opaque::RANDOM_DATA,
    &opaque::CIPHERTEXT,
    &opaque::UNKNOWN_BINARY,
    &executable::NATIVE_EXECUTABLE,
    &model::PICKLE_CODE,
    &model::UNVERIFIABLE_MODEL,
    &model::INSTANCE_BASED,
    &model::TREE_LEAF,
    &model::PICKLED_DATA,
    &model::PICKLED_MODEL,
    &model::MODEL_WEIGHTS,
    &model::MODEL_CODE,
    &microdata::PERSON_LEVEL,
    &microdata::DATA_FILE,
    &microdata::UNREADABLE_DATA,
    &image::DATA_AFTER_END,
    &image::METADATA_PAYLOAD,
    &image::UNKNOWN_CHUNK,
    &image::METADATA_TEXT,
    &image::IMAGE_DATA_EXCESS,
    &image::MALFORMED_IMAGE,
    &image::PIXEL_LIMIT,
    &image::LSB_SIGNATURE,
    &image::ALPHA_NOISE,
    &image::FLAT_REGION_NOISE,
    &image::LSB_SUSPECTED,
    &image::LSB_EMBEDDING,
    &image::JPEG_NOT_ANALYSED,
    &text::NHS_NUMBER,
    &text::CHI_NUMBER,
    &text::NATIONAL_INSURANCE_NUMBER,
    &text::POSTCODE,
    &text::DATE_OF_BIRTH,
    &text::EMAIL_ADDRESS,
    &text::PHONE_NUMBER,
    &text::ROW_LISTING,
    &text::ENCODED_PAYLOAD,
    &text::INVISIBLE_CHARACTERS,
    &text::AUTHOR_EMAIL,
    &coverage::NO_CONTENT_RULES,
    &coverage::CONTENT_NOT_INSPECTED,
    &coverage::TIME_LIMIT,
    &archive::ARCHIVE_CONTENTS,
    &archive::ARCHIVE_BOMB,
    &archive::ENCRYPTED_MEMBER,
    &archive::MEMBER_PATH_ESCAPE,
    &archive::CORRUPT_ARCHIVE,
    &archive::ARCHIVE_DEPTH,
    &archive::ARCHIVE_NOT_OPENED,
    &archive::MEMBER_LIMIT,
    &budget::FILE_BYTES,
    &budget::REQUEST_BYTES,
    &budget::REQUEST_FILES,
    &budget::CAPACITY,
    &table::SMALL_CELL,
    &table::STATISTIC_FROM_TOO_FEW,
    &table::UNVERIFIABLE_CELL_SIZE,
    &table::EXTREME_VALUES,
    &table::CLASS_DISCLOSURE,
    &table::RECOVERABLE_SUPPRESSION,
    &table::INDIVIDUAL_LEVEL_DATA,
    &table::ROUNDING,
    &table::EXCESS_DIGITS,
    &table::COVERT_DIGITS,
    &table::HIDDEN_PAYLOAD,
    &table::HIDDEN_SHEET,
    &table::UNREADABLE_TABLE,
    &table::TABLE_LAYOUT,
    &table::TABLE_DIFFERENCING,
    &document::DOCUMENT_MACRO,
    &document::EMBEDDED_OBJECT,
    &document::EXTERNAL_REFERENCE,
    &document::COMMENTS_AND_REVISIONS,
    &document::ACTIVE_CONTENT,
    &document::PDF_TRAILING_PAYLOAD,
    &document::PDF_TRAILING_BYTES,
    &document::INCREMENTAL_UPDATE,
    &document::PDF_NOT_INSPECTED,
    &document::MARKUP_CONTENT,
    &document::DATA_URI,
    &document::UNREADABLE_DOCUMENT,
    &document::ROW_LISTING_OUTPUT,
    &document::ERROR_OUTPUT,
    &document::LARGE_OUTPUT,
    &document::DOCUMENT_NOT_INSPECTED,
    &manifest::UNMATCHED_EXCEPTION,
    &manifest::INVALID_MANIFEST,
];

/// Finds a rule by its code (`W001`) or its name (`symlink`), ignoring case.
pub fn lookup(code_or_name: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| {
        rule.code.eq_ignore_ascii_case(code_or_name) || rule.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// A family's check of one file's content. Families that look inside files implement this;
/// [`FILE_CHECKS`] lists them in the order they run.
pub trait FileCheck: Sync {
    fn check(&self, file: &Inspected, policy: &Policy, out: &mut Findings);
}

/// The content checks, run on every regular file that could be read.
pub static FILE_CHECKS: &[&dyn FileCheck] = &[
    &identity::IdentityCheck,
    &budget::FileBudgetCheck,
    &opaque::OpaqueCheck,
    &executable::ExecutableCheck,
    &model::ModelCheck,
    &microdata::MicrodataCheck,
    &table::TableCheck,
    &image::ImageCheck,
    &text::TextCheck,
    &document::DocumentCheck,
    &coverage::CoverageCheck,
];

/// Collects findings, giving each the severity the policy sets for its rule and dropping
/// those of rules the policy turns off, so that rules never ask whether they are enabled.
pub struct Findings<'p> {
    policy: &'p Policy,
    items: Vec<Finding>,
    tables: Vec<table::differencing::CountTable>,
}

impl<'p> Findings<'p> {
    pub fn new(policy: &'p Policy) -> Findings<'p> {
        Findings {
            policy,
            items: Vec::new(),
            tables: Vec::new(),
        }
    }

    /// Keeps a table's count cells for the request-wide differencing check.
    pub fn keep_table(&mut self, table: table::differencing::CountTable) {
        self.tables.push(table);
    }

    /// The findings and the count tables kept.
    pub fn into_parts(self) -> (Vec<Finding>, Vec<table::differencing::CountTable>) {
        (self.items, self.tables)
    }

    /// Records `finding` under the severity the policy gives its rule.
    pub fn push(&mut self, mut finding: Finding) {
        if let Some(severity) = self.policy.severity(finding.rule) {
            finding.severity = severity;
            self.items.push(finding);
        }
    }

    pub fn into_vec(self) -> Vec<Finding> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len(), "duplicate rule code");
        for rule in RULES {
            let (letter, digits) = rule.code.split_at(1);
            assert!(
                letter.chars().all(|c| c.is_ascii_uppercase()),
                "{}",
                rule.code
            );
            assert!(digits.len() == 3 && digits.chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn names_are_unique_kebab_case() {
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "duplicate rule name");
        for rule in RULES {
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                rule.name
            );
        }
    }

    #[test]
    fn every_rule_is_documented() {
        for rule in RULES {
            for (section, text) in [
                ("summary", rule.summary),
                ("detects", rule.detects),
                ("why", rule.why),
                ("fix", rule.fix),
            ] {
                assert!(text.len() > 10, "{} has no {section}", rule.code);
            }
            assert!(
                !rule.policy_keys.is_empty(),
                "{} names no policy key",
                rule.code
            );
        }
    }

    #[test]
    fn readme_lists_every_rule() {
        let readme = include_str!("../../README.md");
        for rule in RULES {
            let row = format!("| {} | {} | {} |", rule.code, rule.name, rule.severity);
            assert!(readme.contains(&row), "README's rules table lacks {row}");
        }
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(lookup("w001").map(|r| r.name), Some("symlink"));
        assert_eq!(lookup("random-data").map(|r| r.code), Some("O001"));
        assert!(lookup("nothing").is_none());
    }
}
