//! The policy as written: serde structs that reject unknown keys, and their validation.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::{
    digest_hex, rule_severities, Budgets, ByteSize, OpaqueSettings, Policy, ReadLimits,
    TextSettings, WalkLimits,
};
use crate::identify::Class;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    name: Option<String>,
    description: Option<String>,
    walk: Option<RawWalk>,
    read: Option<RawRead>,
    budgets: Option<RawBudgets>,
    opaque: Option<RawOpaque>,
    text: Option<RawText>,
    #[serde(default)]
    rules: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWalk {
    max_depth: Option<usize>,
    max_entries: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRead {
    inspect_bytes: Option<ByteSize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudgets {
    file_bytes: Option<ByteSize>,
    #[serde(default)]
    file_bytes_by_kind: HashMap<String, ByteSize>,
    request_bytes: Option<ByteSize>,
    request_files: Option<usize>,
    capacity_bytes: Option<ByteSize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOpaque {
    min_bytes: Option<ByteSize>,
    entropy_bits: Option<f64>,
    alpha: Option<f64>,
    block_bytes: Option<ByteSize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    max_findings: Option<usize>,
    dob_window_bytes: Option<usize>,
    payload_min_bytes: Option<usize>,
    payload_entropy_bits: Option<f64>,
    row_min_rows: Option<usize>,
    row_min_fields: Option<usize>,
    invisible_min_bits: Option<u64>,
}

impl RawText {
    /// Checks the text settings, adding every problem to `problems`.
    fn validate(self, problems: &mut Vec<String>) -> TextSettings {
        let need = |key: &str, problems: &mut Vec<String>| {
            problems.push(format!("text.{key}: missing"));
        };
        let take = |value: Option<usize>, key: &str, problems: &mut Vec<String>| {
            value.unwrap_or_else(|| {
                need(key, problems);
                0
            })
        };
        let settings = TextSettings {
            max_findings: take(self.max_findings, "max_findings", problems),
            dob_window_bytes: take(self.dob_window_bytes, "dob_window_bytes", problems),
            payload_min_bytes: take(self.payload_min_bytes, "payload_min_bytes", problems),
            payload_entropy_bits: self.payload_entropy_bits.unwrap_or_else(|| {
                problems.push("text.payload_entropy_bits: missing".into());
                0.0
            }),
            row_min_rows: take(self.row_min_rows, "row_min_rows", problems),
            row_min_fields: take(self.row_min_fields, "row_min_fields", problems),
            invisible_min_bits: self.invisible_min_bits.unwrap_or_else(|| {
                problems.push("text.invisible_min_bits: missing".into());
                0
            }),
        };
        let mut at_least = |key: &str, value: u64, least: u64, why: &str| {
            if value < least {
                problems.push(format!(
                    "text.{key} = {value}: must be at least {least}, {why}"
                ));
            }
        };
        at_least(
            "max_findings",
            settings.max_findings as u64,
            1,
            "to list any finding",
        );
        at_least(
            "payload_min_bytes",
            settings.payload_min_bytes as u64,
            16,
            "or every UUID and short token is a payload",
        );
        at_least(
            "row_min_rows",
            settings.row_min_rows as u64,
            2,
            "to make a listing",
        );
        at_least(
            "row_min_fields",
            settings.row_min_fields as u64,
            2,
            "to split a record",
        );
        at_least(
            "invisible_min_bits",
            settings.invisible_min_bits,
            1,
            "to carry anything",
        );
        if settings.dob_window_bytes > 256 {
            problems.push(format!(
                "text.dob_window_bytes = {}: at most 256, or any date on a long line after \
                 the word 'born' counts",
                settings.dob_window_bytes
            ));
        }
        if !(0.0..=8.0).contains(&settings.payload_entropy_bits) {
            problems.push(format!(
                "text.payload_entropy_bits = {}: bits per byte lie between 0 and 8",
                settings.payload_entropy_bits
            ));
        }
        settings
    }
}

impl RawPolicy {
    pub(super) fn deserialize_table(table: toml::Table) -> Result<RawPolicy, String> {
        RawPolicy::deserialize(toml::Value::Table(table)).map_err(|e| e.to_string())
    }

    /// Checks every value and builds the trusted policy, or lists every problem found.
    pub(super) fn validate(self) -> Result<Policy, Vec<String>> {
        let mut problems = Vec::new();
        let mut need = |key: &str| problems.push(format!("{key}: missing"));

        let walk = self.walk.unwrap_or(RawWalk {
            max_depth: None,
            max_entries: None,
        });
        let read = self.read.unwrap_or(RawRead {
            inspect_bytes: None,
        });
        let budgets = self.budgets.unwrap_or(RawBudgets {
            file_bytes: None,
            file_bytes_by_kind: HashMap::new(),
            request_bytes: None,
            request_files: None,
            capacity_bytes: None,
        });
        let opaque = self.opaque.unwrap_or(RawOpaque {
            min_bytes: None,
            entropy_bits: None,
            alpha: None,
            block_bytes: None,
        });

        let max_depth = walk.max_depth.unwrap_or_else(|| {
            need("walk.max_depth");
            0
        });
        let max_entries = walk.max_entries.unwrap_or_else(|| {
            need("walk.max_entries");
            0
        });
        let inspect_bytes = read.inspect_bytes.unwrap_or_else(|| {
            need("read.inspect_bytes");
            ByteSize(0)
        });
        let file_bytes = budgets.file_bytes.unwrap_or_else(|| {
            need("budgets.file_bytes");
            ByteSize(0)
        });
        let request_bytes = budgets.request_bytes.unwrap_or_else(|| {
            need("budgets.request_bytes");
            ByteSize(0)
        });
        let request_files = budgets.request_files.unwrap_or_else(|| {
            need("budgets.request_files");
            0
        });
        let capacity_bytes = budgets.capacity_bytes.unwrap_or_else(|| {
            need("budgets.capacity_bytes");
            ByteSize(0)
        });
        let min_bytes = opaque.min_bytes.unwrap_or_else(|| {
            need("opaque.min_bytes");
            ByteSize(0)
        });
        let entropy_bits = opaque.entropy_bits.unwrap_or_else(|| {
            need("opaque.entropy_bits");
            0.0
        });
        let alpha = opaque.alpha.unwrap_or_else(|| {
            need("opaque.alpha");
            0.0
        });
        let block_bytes = opaque.block_bytes.unwrap_or_else(|| {
            need("opaque.block_bytes");
            ByteSize(0)
        });

        if max_depth == 0 {
            problems.push("walk.max_depth: must be at least 1".into());
        }
        if max_entries == 0 {
            problems.push("walk.max_entries: must be at least 1".into());
        }
        if inspect_bytes.0 < 1 << 20 {
            problems.push(format!(
                "read.inspect_bytes = {inspect_bytes}: must be at least 1 MiB so rules see whole \
                 tables and plots"
            ));
        }
        if !(0.0..=8.0).contains(&entropy_bits) {
            problems.push(format!(
                "opaque.entropy_bits = {entropy_bits}: bits per byte lie between 0 and 8"
            ));
        }
        if !(alpha > 0.0 && alpha < 1.0) {
            problems.push(format!(
                "opaque.alpha = {alpha}: a significance level lies strictly between 0 and 1"
            ));
        }
        if block_bytes.0 > 16 << 20 {
            problems.push(format!(
                "opaque.block_bytes = {block_bytes}: at most 16 MiB, or random regions cannot \
                 be located"
            ));
        }
        if block_bytes.0 < 1280 {
            problems.push(format!(
                "opaque.block_bytes = {block_bytes}: the chi-square test over 256 byte values \
                 needs blocks of at least 1280 bytes"
            ));
        }
        if min_bytes.0 < 1280 {
            problems.push(format!(
                "opaque.min_bytes = {min_bytes}: must be at least 1280 bytes (5 per byte value)"
            ));
        }

        let mut by_kind = BTreeMap::new();
        for (kind, size) in budgets.file_bytes_by_kind {
            match kind.parse::<Class>() {
                Ok(class) => {
                    by_kind.insert(class, size);
                }
                Err(known) => problems.push(format!(
                    "budgets.file_bytes_by_kind.{kind}: not a kind of file; kinds are {known}"
                )),
            }
        }

        let text = self.text.unwrap_or_default().validate(&mut problems);
        let rules = rule_severities(&self.rules, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }

        let mut policy = Policy {
            name: self.name.unwrap_or_else(|| "unnamed".into()),
            description: self.description.unwrap_or_default(),
            walk: WalkLimits {
                max_depth,
                max_entries,
            },
            read: ReadLimits { inspect_bytes },
            budgets: Budgets {
                file_bytes,
                file_bytes_by_kind: by_kind,
                request_bytes,
                request_files,
                capacity_bytes,
            },
            opaque: OpaqueSettings {
                min_bytes,
                entropy_bits,
                alpha,
                block_bytes,
            },
            text,
            rules,
            sha256: String::new(),
        };
        policy.sha256 = digest_hex(&policy.to_toml());
        Ok(policy)
    }
}

/// Lays `over` on top of `base`, table by table: a key in `over` replaces the same key in
/// `base`, except that two tables are merged.
pub(super) fn merge(mut base: toml::Table, over: toml::Table) -> toml::Table {
    for (key, value) in over {
        match (base.remove(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(over_inner)) => {
                base.insert(key, toml::Value::Table(merge(inner, over_inner)));
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
    base
}
