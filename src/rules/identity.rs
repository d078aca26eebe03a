//! Identity rules: a file's content against what its extension promises.

use super::{Family, FileCheck, Findings, Rule};
use crate::evidence;
use crate::finding::{Finding, Severity};
use crate::identify::{expected_formats, is_harmless_extension, Class};
use crate::inspect::Inspected;
use crate::policy::Policy;

pub static EXTENSION_MISMATCH: Rule = Rule {
    code: "I001",
    name: "extension-mismatch",
    family: Family::Identity,
    severity: Severity::Review,
    summary: "content of a different format than the extension says",
    detects: "Files whose content, identified from magic bytes and structure, is not a format \
              the extension stands for: a PNG saved as .jpg, JSON saved as .csv, a Stata file \
              saved as .sav. Text formats under a text extension are not flagged.",
    why: "Reviewers and tools choose how to look at a file by its extension. A file that is not \
          what its name says was either mislabelled, and may not be the output intended, or \
          renamed so that it is looked at the wrong way.",
    fix: "Give the file the extension of its real format, or export the intended output again.",
    policy_keys: &["rules.I001"],
    references: &["../shared/notes/formats.md, rule ext.mismatch"],
};

pub static DISGUISED_CONTENT: Rule = Rule {
    code: "I002",
    name: "disguised-content",
    family: Family::Identity,
    severity: Severity::Block,
    summary: "an executable, archive, model, ciphertext or unknown data under a harmless name",
    detects: "Files whose extension promises a table, image, text or document but whose content \
              is an executable, an archive, a pickled model, ciphertext or data of no known \
              format.",
    why: "This is how exfiltration passes a checker who works from file names: a ZIP of \
          records renamed results.csv, a key file renamed figure.png.",
    fix: "Do not rename files to get them released. Submit the real file under its real \
          extension, with an explanation, or remove it.",
    policy_keys: &["rules.I002"],
    references: &[
        "../shared/notes/formats.md, rule ext.mismatch (block if exec/archive/encrypted)",
    ],
};

/// Compares the identified format with the extension.
pub struct IdentityCheck;

impl FileCheck for IdentityCheck {
    fn check(&self, file: &Inspected, _policy: &Policy, out: &mut Findings) {
        let Some(extension) = file.extension.as_deref() else {
            return;
        };
        let Some(expected) = expected_formats(extension) else {
            return;
        };
        let format = file.identity.format;
        let class = format.class();
        if class == Class::Empty || expected.contains(&format) {
            return;
        }

        let evidence = evidence! {
            "extension" => extension,
            "content" => format.as_str(),
            "content_kind" => class.as_str(),
            "expected" => expected.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
        };
        let rule = if is_harmless_extension(extension) && class.is_concealing() {
            &DISGUISED_CONTENT
        } else {
            &EXTENSION_MISMATCH
        };
        out.push(
            Finding::new(
                rule,
                format!(
                    "named .{extension} but the content is {} ({class})",
                    describe(format.as_str())
                ),
            )
            .with_evidence(evidence),
        );
    }
}

fn describe(format: &str) -> String {
    match format {
        "unknown" => "data of no known format".into(),
        _ if format.starts_with(['a', 'e', 'i', 'o']) => format!("an {format} file"),
        _ => format!("a {format} file"),
    }
}
