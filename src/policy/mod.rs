//! Policies: the thresholds, budgets and rule severities a check runs under.
//!
//! Loading has two phases. The TOML is read into raw serde structs that reject unknown keys;
//! the raw values are then validated into a trusted [`Policy`], collecting every problem at
//! once so a policy author fixes them in one pass. A policy file only needs the keys it
//! changes: it is laid over the default preset before validation.

mod raw;
pub mod size;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::finding::Severity;
use crate::identify::Class;
use crate::rules::{self, Rule};
pub use size::ByteSize;

/// Policy presets shipped in the binary, selected by name with `--policy NAME`.
pub const PRESETS: &[(&str, &str)] = &[
    ("default", include_str!("../../policies/default.toml")),
    ("strict", include_str!("../../policies/strict.toml")),
    ("opensafely", include_str!("../../policies/opensafely.toml")),
    ("ons-10-5", include_str!("../../policies/ons-10-5.toml")),
];

/// The validated policy. Every field is present and within range.
#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    pub name: String,
    pub description: String,
    pub walk: WalkLimits,
    pub read: ReadLimits,
    pub budgets: Budgets,
    pub opaque: OpaqueSettings,
    pub archives: ArchiveSettings,
    pub models: ModelSettings,
    pub microdata: MicrodataSettings,
    pub tables: TableSettings,
    pub images: ImageSettings,
    pub text: TextSettings,
    /// Severity per rule code; `None` turns the rule off. Only rules the policy changes.
    #[serde(serialize_with = "serialize_rules")]
    pub rules: BTreeMap<&'static str, Option<Severity>>,
    /// SHA-256 of the effective policy as `policy show` prints it.
    #[serde(skip)]
    pub sha256: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct WalkLimits {
    pub max_depth: usize,
    pub max_entries: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReadLimits {
    pub inspect_bytes: ByteSize,
    /// Seconds the content rules may spend on one file, checked between families.
    pub file_seconds: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Budgets {
    pub file_bytes: ByteSize,
    pub file_bytes_by_kind: BTreeMap<Class, ByteSize>,
    pub request_bytes: ByteSize,
    pub request_files: usize,
    pub capacity_bytes: ByteSize,
}

#[derive(Clone, Debug, Serialize)]
pub struct OpaqueSettings {
    pub min_bytes: ByteSize,
    pub entropy_bits: f64,
    pub alpha: f64,
    pub block_bytes: ByteSize,
    /// The chi-square statistic at which a block's uniformity is rejected at `alpha`.
    #[serde(skip)]
    pub block_critical: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ArchiveSettings {
    pub max_depth: usize,
    pub max_members: usize,
    pub max_inflated_bytes: ByteSize,
    pub max_ratio: u64,
}

/// Settings of the model rules (family M).
#[derive(Clone, Debug, Serialize)]
pub struct ModelSettings {
    /// Smallest `min_samples_leaf` a tree or forest may have (SACRO-ML: 5).
    pub min_samples_leaf: u64,
    /// Whether random forests must be fitted with bootstrap (SACRO-ML: yes).
    pub require_bootstrap: bool,
    /// Most bytes a compressed model or ZIP member is inflated to.
    pub inflate_bytes: ByteSize,
}

/// Settings of the microdata rules (family D).
#[derive(Clone, Debug, Serialize)]
pub struct MicrodataSettings {
    /// Rows at or above which a data file or pickled frame is treated as person-level.
    pub person_level_rows: u64,
}

/// Thresholds of the table rules (family T).
#[derive(Clone, Debug, Serialize)]
pub struct TableSettings {
    /// Smallest count that may be released: counts under it are small cells.
    pub threshold: u64,
    /// Whether a zero count is a small cell (disclosive by default).
    pub zeros_are_disclosive: bool,
    /// Base counts must be rounded to; 0 when the policy does not ask for rounding.
    pub rounding_base: u64,
    /// Most significant digits a number may print before the excess counts as capacity.
    pub significant_digits: u32,
    /// Fewest excess digits on which the uniformity test of covert digits is run.
    pub digits_min_sample: usize,
    /// Significance level of that test.
    pub digits_alpha: f64,
    /// Suppressed cells whose feasible interval is narrower than this are reported.
    pub protection_interval: u64,
    /// Share of a total held by the largest contributor at which dominance fails.
    pub dominance_share: f64,
    /// Rows from which a table with no count column may be one row per person.
    pub individual_rows: usize,
    /// Shortest run of base64, base32 or hex characters in a cell reported as a payload.
    pub payload_chars: usize,
}

/// Thresholds of the image rules (family G).
#[derive(Clone, Debug, Serialize)]
pub struct ImageSettings {
    /// Most pixels decoded for the pixel analysis; more is a `pixel-limit` finding.
    pub max_pixels: u64,
    /// Bytes after the end of an image that are tolerated.
    pub trailing_bytes: ByteSize,
    /// Largest metadata block (text chunk inflated, APPn, COM, EXIF) that passes.
    pub metadata_bytes: ByteSize,
    /// Largest ICC colour profile that passes.
    pub icc_bytes: ByteSize,
    /// Longest free-text metadata value, in characters, that passes without review.
    pub text_chars: usize,
    /// Sample Pairs Analysis estimate at which a channel is reviewed.
    pub spa_rate: f64,
    /// Sample Pairs Analysis over a plot's busy tiles only, at which a channel is reviewed.
    pub spa_busy_rate: f64,
    /// RS analysis estimate at which a channel is reviewed.
    pub rs_rate: f64,
    /// Weighted Stego estimate at which a channel is reviewed.
    pub ws_rate: f64,
    /// Significance of the chi-square attack: prefixes with p at least 1 - alpha count.
    pub chi_square_alpha: f64,
    /// Estimate at which any estimator's finding blocks rather than asks for review.
    pub block_rate: f64,
    /// Flat-region rate estimate at which a plot is flagged.
    pub flat_rate: f64,
    /// Share of an image's pixels with one-level alpha noise (beyond two-level) that is flagged.
    pub alpha_noise_share: f64,
    /// Most distinct colours per pixel of a plot, counted on the top 7 bits of each sample.
    pub plot_colours_per_pixel: f64,
    /// Least share of 5-pixel crosses exactly flat in the top 7 bits in a plot.
    pub plot_flat_share: f64,
    /// Chi-square probability of embedding at which a prefix of a JPEG's AC coefficients
    /// counts as carrying JSteg-like embedding.
    pub jsteg_p: f64,
    /// Share of a component's usable AC coefficients, from the start, that looks embedded
    /// at which the JPEG is reviewed.
    pub jsteg_rate: f64,
    /// The same share at which the JPEG is blocked: calibrated on JPEGs, apart from the
    /// pixel estimators' `block_rate`.
    pub jsteg_block_rate: f64,
    /// F5 calibration estimate (share of non-zero AC coefficients changed) that is reviewed.
    pub f5_rate: f64,
    /// F5 calibration estimate that blocks.
    pub f5_block_rate: f64,
    /// Least share of luminance blocks with a non-zero AC coefficient for a JPEG to count as
    /// photo-like, so that the F5 calibration is run on it.
    pub jpeg_photo_share: f64,
}

/// Thresholds of the text rules (family E).
#[derive(Clone, Debug, Serialize)]
pub struct TextSettings {
    /// Findings of one rule listed per file; the last listed counts the rest.
    pub max_findings: usize,
    /// Bytes after a date-of-birth keyword within which a date is taken as one.
    pub dob_window_bytes: usize,
    /// Fewest decoded bytes for an encoded run to be a payload.
    pub payload_min_bytes: usize,
    /// Fewest bits per byte (Miller-Madow corrected) in the decoded bytes of a payload.
    pub payload_entropy_bits: f64,
    /// Fewest consecutive record-like lines that make a row listing.
    pub row_min_rows: usize,
    /// Fewest fields in a record-like line.
    pub row_min_fields: usize,
    /// Fewest bits invisible characters must be able to carry to be reported.
    pub invisible_min_bits: u64,
}

impl Policy {
    /// Loads a preset by name, or else a policy file by path.
    pub fn load(name_or_path: &str) -> Result<Policy, Error> {
        if let Some((name, text)) = PRESETS.iter().find(|(name, _)| *name == name_or_path) {
            return Policy::from_toml(text, &format!("preset {name:?}"));
        }

        let path = Path::new(name_or_path);
        if !path.exists() {
            return Err(Error::PolicyNotFound(name_or_path.to_string()));
        }
        let text = std::fs::read_to_string(path).map_err(|source| Error::PolicyUnreadable {
            path: path.to_path_buf(),
            source,
        })?;
        Policy::from_toml(&text, &path.display().to_string())
    }

    /// The default preset. It ships in the binary and is tested, so it always validates.
    pub fn default_policy() -> Policy {
        match Policy::from_toml(PRESETS[0].1, "preset \"default\"") {
            Ok(policy) => policy,
            Err(error) => panic!("the shipped default policy is invalid: {error}"),
        }
    }

    /// Parses `text` laid over the default preset, and validates the result. `origin` names
    /// the file in error messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<Policy, Error> {
        let invalid = |problems: Vec<String>| Error::PolicyInvalid {
            origin: origin.to_string(),
            problems,
        };

        // Parsed alone first, so unknown keys and bad values are reported with this file's
        // own line numbers.
        let own: toml::Table = toml::from_str(text).map_err(|e| invalid(vec![e.to_string()]))?;
        raw::RawPolicy::deserialize_table(own.clone()).map_err(|e| invalid(vec![e]))?;

        let base: toml::Table = toml::from_str(PRESETS[0].1)
            .map_err(|e| invalid(vec![format!("default preset: {e}")]))?;
        let merged = raw::merge(base, own);
        let raw = raw::RawPolicy::deserialize_table(merged).map_err(|e| invalid(vec![e]))?;
        raw.validate().map_err(invalid)
    }

    /// The severity this policy gives `rule`, or `None` when the policy turns it off.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        match self.rules.get(rule.code) {
            Some(setting) => *setting,
            None => Some(rule.severity),
        }
    }

    /// The byte budget of one file of class `class`.
    pub fn file_budget(&self, class: Class) -> u64 {
        self.budgets
            .file_bytes_by_kind
            .get(&class)
            .unwrap_or(&self.budgets.file_bytes)
            .0
    }

    /// The effective policy as TOML: every key, defaults included.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot render policy: {e}\n"))
    }
}

fn serialize_rules<S: serde::Serializer>(
    rules: &BTreeMap<&'static str, Option<Severity>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let named: BTreeMap<&str, &str> = rules
        .iter()
        .map(|(code, severity)| (*code, severity.map_or("off", Severity::as_str)))
        .collect();
    named.serialize(serializer)
}

/// Resolves the `[rules]` table: keys are codes or names, values severities or "off".
fn rule_severities(
    table: &HashMap<String, String>,
    problems: &mut Vec<String>,
) -> BTreeMap<&'static str, Option<Severity>> {
    let mut resolved = BTreeMap::new();
    for (key, value) in table {
        let Some(rule) = rules::lookup(key) else {
            problems.push(format!(
                "rules.{key}: no rule has this code or name; `egress-check rules` lists them"
            ));
            continue;
        };
        let severity = match value.as_str() {
            "info" => Some(Severity::Info),
            "review" => Some(Severity::Review),
            "block" => Some(Severity::Block),
            "off" => None,
            other => {
                problems.push(format!(
                    "rules.{key} = {other:?}: use \"info\", \"review\", \"block\" or \"off\""
                ));
                continue;
            }
        };
        resolved.insert(rule.code, severity);
    }
    resolved
}

fn digest_hex(text: &str) -> String {
    crate::inspect::hex(&Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_validate() {
        for (name, _) in PRESETS {
            let policy = Policy::load(name).expect(name);
            assert_eq!(policy.name, *name);
        }
    }

    #[test]
    fn partial_file_inherits_defaults() {
        let policy = Policy::from_toml("name = \"mine\"\n[budgets]\nrequest_files = 7\n", "t")
            .expect("valid");
        assert_eq!(policy.budgets.request_files, 7);
        assert_eq!(policy.budgets.file_bytes, ByteSize(16 << 20));
    }

    #[test]
    fn unknown_key_is_named() {
        let error = Policy::from_toml("[budgets]\nfile_byts = 3\n", "my.toml").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("file_byts"), "{text}");
        assert!(text.contains("my.toml"), "{text}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = "[opaque]\nalpha = 2.0\nentropy_bits = 9.5\n[rules]\nZ999 = \"block\"\n";
        let Err(Error::PolicyInvalid { problems, .. }) = Policy::from_toml(text, "p") else {
            panic!("expected invalid policy");
        };
        assert_eq!(problems.len(), 3, "{problems:?}");
    }

    #[test]
    fn table_settings_are_validated() {
        let text = "[tables]\nthreshold = 0\ndigits_alpha = 2.0\npayload_chars = 4\n";
        let Err(Error::PolicyInvalid { problems, .. }) = Policy::from_toml(text, "p") else {
            panic!("expected invalid policy");
        };
        assert_eq!(problems.len(), 3, "{problems:?}");
        let policy = Policy::from_toml("[tables]\nthreshold = 8\n", "p").expect("valid");
        assert_eq!(policy.tables.threshold, 8);
        assert!(policy.tables.zeros_are_disclosive);
        assert!(Policy::from_toml("[tables]\nthreshhold = 8\n", "p").is_err());
    }

    #[test]
    fn rules_can_be_retuned_or_turned_off() {
        let text = "[rules]\nhidden-entry = \"off\"\nW001 = \"review\"\n";
        let policy = Policy::from_toml(text, "p").expect("valid");
        assert_eq!(policy.severity(&rules::walk::HIDDEN_ENTRY), None);
        assert_eq!(
            policy.severity(&rules::walk::SYMLINK),
            Some(Severity::Review)
        );
    }

    #[test]
    fn hash_changes_with_content() {
        let a = Policy::from_toml("[budgets]\nrequest_files = 7\n", "a").expect("valid");
        let b = Policy::from_toml("[budgets]\nrequest_files = 8\n", "b").expect("valid");
        assert_ne!(a.sha256, b.sha256);
        assert_eq!(a.sha256.len(), 64);
    }
}
