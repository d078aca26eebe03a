//! Opaque data: files whose bytes nobody can verify.
//!
//! Containers and known formats are identified first (compressed data is nearly as random as
//! ciphertext), so these rules only judge what has no recognised structure, plus ciphertext
//! recognised by its header whatever its entropy.

use super::{Family, FileCheck, Findings, Rule};
use crate::evidence;
use crate::finding::{Finding, Location, Severity};
use crate::identify::Class;
use crate::inspect::Inspected;
use crate::policy::size::human;
use crate::policy::Policy;

pub static RANDOM_DATA: Rule = Rule {
    code: "O001",
    name: "random-data",
    family: Family::Opaque,
    severity: Severity::Block,
    summary: "data of no known format that is indistinguishable from random bytes",
    detects: "Files with no recognised format whose byte values pass a chi-square test of \
              uniformity (255 degrees of freedom, significance opaque.alpha) and whose \
              bias-corrected entropy reaches opaque.entropy_bits. Ciphertext and random keys \
              look like this; so does compressed data with its header removed.",
    why: "Random-looking bytes cannot be checked: they may be encrypted records. The whole \
          file counts against the request's capacity budget.",
    fix: "Release the data in a checkable form (a table, a plot), or, if this is a key or a \
          seed, ask whether it needs to leave at all.",
    policy_keys: &[
        "opaque.min_bytes",
        "opaque.entropy_bits",
        "opaque.alpha",
        "rules.O001",
    ],
    references: &[
        "C. E. Shannon (1948), A Mathematical Theory of Communication",
        "G. A. Miller (1955), Note on the bias of information estimates",
        "NIST SP 800-22 rev 1a (2010), frequency tests of randomness",
    ],
};

pub static CIPHERTEXT: Rule = Rule {
    code: "O002",
    name: "ciphertext",
    family: Family::Opaque,
    severity: Severity::Block,
    summary: "an encrypted file (OpenSSL, OpenPGP, age)",
    detects: "Files starting with the header of an encryption tool: OpenSSL enc (Salted__), \
              OpenPGP messages (binary packets or ASCII armour), age (binary or armoured).",
    why: "An encrypted file cannot be checked; releasing it releases whatever was encrypted.",
    fix: "Remove it. Outputs leave a TRE in the clear, so that they can be checked.",
    policy_keys: &["rules.O002"],
    references: &[
        "RFC 4880 / RFC 9580, OpenPGP message format",
        "age format specification, age-encryption.org/v1",
    ],
};

pub static UNKNOWN_BINARY: Rule = Rule {
    code: "O003",
    name: "unknown-binary",
    family: Family::Opaque,
    severity: Severity::Block,
    summary: "binary data of no known format",
    detects: "Files that are not text and match no format egress-check knows. The evidence \
              gives the entropy, the uniformity test and any random-looking regions, with \
              their byte offsets.",
    why: "A format nobody can read cannot be checked. Failing closed is the only safe answer; \
          the whole file counts against the request's capacity budget.",
    fix: "Export the output in a standard format (CSV, PNG, PDF), or explain the format so \
          that a rule can be added for it.",
    policy_keys: &["opaque.block_bytes", "rules.O003"],
    references: &["../shared/notes/formats.md, rule opaque.high_entropy"],
};

/// Judges ciphertext and files of no known format from their header and byte statistics.
pub struct OpaqueCheck;

impl FileCheck for OpaqueCheck {
    fn check(&self, file: &Inspected, policy: &Policy, out: &mut Findings) {
        match file.class() {
            Class::Encrypted => ciphertext(file, out),
            Class::Unknown => unknown(file, policy, out),
            _ => {}
        }
    }
}

fn ciphertext(file: &Inspected, out: &mut Findings) {
    let format = file.identity.format.as_str();
    out.push(
        Finding::new(
            &CIPHERTEXT,
            format!(
                "encrypted with {format}: {} that cannot be checked",
                human(file.bytes)
            ),
        )
        .at(Location::bytes(0, file.bytes))
        .with_evidence(evidence! {"format" => format, "bytes" => file.bytes})
        .carrying(file.bytes),
    );
}

fn unknown(file: &Inspected, policy: &Policy, out: &mut Findings) {
    let Some(stats) = &file.stats else {
        // Data of no known format is always measured; should it not be, it still fails closed.
        out.push(
            Finding::new(
                &UNKNOWN_BINARY,
                format!("{} of binary data in no known format", human(file.bytes)),
            )
            .carrying(file.bytes),
        );
        return;
    };
    let settings = &policy.opaque;
    let entropy = stats.corrected_entropy();
    let (statistic, p_value) = stats.chi_square();
    let testable = file.bytes >= settings.min_bytes.0;
    let mut evidence = evidence! {
        "bytes" => file.bytes,
        "entropy_bits_per_byte" => round(entropy, 4),
        "entropy_threshold" => settings.entropy_bits,
        "chi_square" => round(statistic, 2),
        "chi_square_p_value" => round(p_value, 6),
        "alpha" => settings.alpha,
    };

    if testable && entropy >= settings.entropy_bits && p_value >= settings.alpha {
        out.push(
            Finding::new(
                &RANDOM_DATA,
                format!(
                    "{} of no known format look random: {entropy:.3} bits per byte (threshold \
                     {}), chi-square {statistic:.1} with p = {p_value:.3} does not reject \
                     uniform bytes at alpha {}",
                    human(file.bytes),
                    settings.entropy_bits,
                    settings.alpha
                ),
            )
            .at(Location::bytes(0, file.bytes))
            .with_evidence(evidence)
            .carrying(file.bytes),
        );
        return;
    }

    let (blocks, random_blocks) = stats.blocks();
    let (regions, more) = stats.regions();
    evidence.insert("blocks".into(), blocks.into());
    evidence.insert("random_blocks".into(), random_blocks.into());
    let listed: Vec<_> = regions
        .iter()
        .take(5)
        .map(|r| evidence! {"offset" => r.offset, "length" => r.length})
        .collect();
    evidence.insert("random_regions".into(), listed.into());
    if more > 0 || regions.len() > 5 {
        evidence.insert(
            "random_regions_not_listed".into(),
            (more + regions.len().saturating_sub(5) as u64).into(),
        );
    }

    let mut message = format!(
        "{} of binary data in no known format ({entropy:.2} bits per byte)",
        human(file.bytes)
    );
    let mut location = Location::default();
    if let Some(largest) = regions.first() {
        message.push_str(&format!(
            "; {random_blocks} of {blocks} blocks look random, the largest run {} at byte {}",
            human(largest.length),
            largest.offset
        ));
        location = Location::bytes(largest.offset, largest.length);
    } else if !testable {
        message.push_str(&format!(
            "; too short for the uniformity test (under {})",
            settings.min_bytes
        ));
    }
    out.push(
        Finding::new(&UNKNOWN_BINARY, message)
            .at(location)
            .with_evidence(evidence)
            .carrying(file.bytes),
    );
}

fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}
