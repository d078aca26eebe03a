//! The policy as written: serde structs that reject unknown keys, and their validation.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::{
    digest_hex, rule_severities, ArchiveSettings, Budgets, ByteSize, ImageSettings,
    MicrodataSettings, ModelSettings, OpaqueSettings, Policy, ReadLimits, TableSettings,
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
    archives: Option<RawArchives>,
    models: Option<RawModels>,
    microdata: Option<RawMicrodata>,
    tables: Option<RawTables>,
    #[serde(default)]
    images: RawImages,
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
    file_seconds: Option<f64>,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArchives {
    max_depth: Option<usize>,
    max_members: Option<usize>,
    max_inflated_bytes: Option<ByteSize>,
    max_ratio: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModels {
    min_samples_leaf: Option<u64>,
    require_bootstrap: Option<bool>,
    inflate_bytes: Option<ByteSize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMicrodata {
    person_level_rows: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTables {
    threshold: Option<u64>,
    zeros_are_disclosive: Option<bool>,
    rounding_base: Option<u64>,
    significant_digits: Option<u32>,
    digits_min_sample: Option<usize>,
    digits_alpha: Option<f64>,
    protection_interval: Option<u64>,
    dominance_share: Option<f64>,
    individual_rows: Option<usize>,
    payload_chars: Option<usize>,
}

impl RawTables {
    /// Validates the `[tables]` section, adding each problem to `problems`.
    fn validate(self, problems: &mut Vec<String>) -> TableSettings {
        let mut need = |key: &str| problems.push(format!("tables.{key}: missing"));
        let threshold = self.threshold.unwrap_or_else(|| {
            need("threshold");
            10
        });
        let zeros_are_disclosive = self.zeros_are_disclosive.unwrap_or_else(|| {
            need("zeros_are_disclosive");
            true
        });
        let rounding_base = self.rounding_base.unwrap_or_else(|| {
            need("rounding_base");
            0
        });
        let significant_digits = self.significant_digits.unwrap_or_else(|| {
            need("significant_digits");
            17
        });
        let digits_min_sample = self.digits_min_sample.unwrap_or_else(|| {
            need("digits_min_sample");
            50
        });
        let digits_alpha = self.digits_alpha.unwrap_or_else(|| {
            need("digits_alpha");
            0.001
        });
        let protection_interval = self.protection_interval.unwrap_or_else(|| {
            need("protection_interval");
            5
        });
        let dominance_share = self.dominance_share.unwrap_or_else(|| {
            need("dominance_share");
            0.9
        });
        let individual_rows = self.individual_rows.unwrap_or_else(|| {
            need("individual_rows");
            20
        });
        let payload_chars = self.payload_chars.unwrap_or_else(|| {
            need("payload_chars");
            40
        });
        if threshold == 0 {
            problems.push("tables.threshold: must be at least 1".into());
        }
        if significant_digits == 0 {
            problems.push("tables.significant_digits: must be at least 1".into());
        }
        if digits_min_sample < 50 {
            problems.push(format!(
                "tables.digits_min_sample = {digits_min_sample}: the chi-square test over ten \
                 digits needs at least 50 (five expected per digit)"
            ));
        }
        if !(digits_alpha > 0.0 && digits_alpha < 1.0) {
            problems.push(format!(
                "tables.digits_alpha = {digits_alpha}: a significance level lies strictly \
                 between 0 and 1"
            ));
        }
        if !(dominance_share > 0.5 && dominance_share <= 1.0) {
            problems.push(format!(
                "tables.dominance_share = {dominance_share}: a share above one half and at most 1"
            ));
        }
        if individual_rows < 2 {
            problems.push("tables.individual_rows: must be at least 2".into());
        }
        if payload_chars < 16 {
            problems.push(format!(
                "tables.payload_chars = {payload_chars}: runs under 16 characters match \
                 ordinary words and codes"
            ));
        }
        TableSettings {
            threshold,
            zeros_are_disclosive,
            rounding_base,
            significant_digits,
            digits_min_sample,
            digits_alpha,
            protection_interval,
            dominance_share,
            individual_rows,
            payload_chars,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImages {
    max_pixels: Option<u64>,
    trailing_bytes: Option<ByteSize>,
    metadata_bytes: Option<ByteSize>,
    icc_bytes: Option<ByteSize>,
    text_chars: Option<usize>,
    spa_rate: Option<f64>,
    spa_busy_rate: Option<f64>,
    rs_rate: Option<f64>,
    ws_rate: Option<f64>,
    chi_square_alpha: Option<f64>,
    block_rate: Option<f64>,
    flat_rate: Option<f64>,
    alpha_noise_share: Option<f64>,
    plot_colours_per_pixel: Option<f64>,
    plot_flat_share: Option<f64>,
    jsteg_p: Option<f64>,
    jsteg_rate: Option<f64>,
    jsteg_block_rate: Option<f64>,
    f5_rate: Option<f64>,
    f5_block_rate: Option<f64>,
    jpeg_photo_share: Option<f64>,
}

impl RawImages {
    /// Validates the `[images]` table, adding every problem to `problems`.
    fn validate(self, problems: &mut Vec<String>) -> ImageSettings {
        let mut need = |key: &str| problems.push(format!("images.{key}: missing"));
        let mut rate = |key: &str, value: Option<f64>| match value {
            Some(v) => v,
            None => {
                need(key);
                0.5
            }
        };
        let settings = ImageSettings {
            spa_rate: rate("spa_rate", self.spa_rate),
            spa_busy_rate: rate("spa_busy_rate", self.spa_busy_rate),
            rs_rate: rate("rs_rate", self.rs_rate),
            ws_rate: rate("ws_rate", self.ws_rate),
            chi_square_alpha: rate("chi_square_alpha", self.chi_square_alpha),
            block_rate: rate("block_rate", self.block_rate),
            flat_rate: rate("flat_rate", self.flat_rate),
            alpha_noise_share: rate("alpha_noise_share", self.alpha_noise_share),
            plot_colours_per_pixel: rate("plot_colours_per_pixel", self.plot_colours_per_pixel),
            plot_flat_share: rate("plot_flat_share", self.plot_flat_share),
            jsteg_p: rate("jsteg_p", self.jsteg_p),
            jsteg_rate: rate("jsteg_rate", self.jsteg_rate),
            jsteg_block_rate: rate("jsteg_block_rate", self.jsteg_block_rate),
            f5_rate: rate("f5_rate", self.f5_rate),
            f5_block_rate: rate("f5_block_rate", self.f5_block_rate),
            jpeg_photo_share: rate("jpeg_photo_share", self.jpeg_photo_share),
            max_pixels: self.max_pixels.unwrap_or(1),
            trailing_bytes: self.trailing_bytes.unwrap_or(ByteSize(0)),
            metadata_bytes: self.metadata_bytes.unwrap_or(ByteSize(1)),
            icc_bytes: self.icc_bytes.unwrap_or(ByteSize(1)),
            text_chars: self.text_chars.unwrap_or(1),
        };
        for (key, present) in [
            ("max_pixels", self.max_pixels.is_some()),
            ("trailing_bytes", self.trailing_bytes.is_some()),
            ("metadata_bytes", self.metadata_bytes.is_some()),
            ("icc_bytes", self.icc_bytes.is_some()),
            ("text_chars", self.text_chars.is_some()),
        ] {
            if !present {
                problems.push(format!("images.{key}: missing"));
            }
        }
        let fractions = [
            ("spa_rate", settings.spa_rate),
            ("spa_busy_rate", settings.spa_busy_rate),
            ("rs_rate", settings.rs_rate),
            ("ws_rate", settings.ws_rate),
            ("chi_square_alpha", settings.chi_square_alpha),
            ("block_rate", settings.block_rate),
            ("flat_rate", settings.flat_rate),
            ("alpha_noise_share", settings.alpha_noise_share),
            ("plot_colours_per_pixel", settings.plot_colours_per_pixel),
            ("plot_flat_share", settings.plot_flat_share),
            ("jsteg_p", settings.jsteg_p),
            ("jsteg_rate", settings.jsteg_rate),
            ("jsteg_block_rate", settings.jsteg_block_rate),
            ("f5_rate", settings.f5_rate),
            ("f5_block_rate", settings.f5_block_rate),
            ("jpeg_photo_share", settings.jpeg_photo_share),
        ];
        for (key, value) in fractions {
            if !(value > 0.0 && value < 1.0) {
                problems.push(format!(
                    "images.{key} = {value}: must lie strictly between 0 and 1"
                ));
            }
        }
        for (key, value) in [
            ("spa_rate", settings.spa_rate),
            ("spa_busy_rate", settings.spa_busy_rate),
            ("rs_rate", settings.rs_rate),
            ("ws_rate", settings.ws_rate),
        ] {
            if value > settings.block_rate {
                problems.push(format!(
                    "images.{key} = {value}: must not exceed images.block_rate = {}",
                    settings.block_rate
                ));
            }
        }
        for (review, block, low, high) in [
            (
                "jsteg_rate",
                "jsteg_block_rate",
                settings.jsteg_rate,
                settings.jsteg_block_rate,
            ),
            (
                "f5_rate",
                "f5_block_rate",
                settings.f5_rate,
                settings.f5_block_rate,
            ),
        ] {
            if low > high {
                problems.push(format!(
                    "images.{review} = {low}: must not exceed images.{block} = {high}"
                ));
            }
        }
        if settings.max_pixels < 1 {
            problems.push("images.max_pixels: must be at least 1".into());
        }
        if settings.metadata_bytes.0 < 1 || settings.icc_bytes.0 < 1 {
            problems.push("images.metadata_bytes and images.icc_bytes: at least 1 byte".into());
        }
        if settings.text_chars < 1 {
            problems.push("images.text_chars: must be at least 1".into());
        }
        settings
    }
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
            file_seconds: None,
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

        let archives = self.archives.unwrap_or(RawArchives {
            max_depth: None,
            max_members: None,
            max_inflated_bytes: None,
            max_ratio: None,
        });
        let archive_depth = archives.max_depth.unwrap_or_else(|| {
            need("archives.max_depth");
            0
        });
        let max_members = archives.max_members.unwrap_or_else(|| {
            need("archives.max_members");
            0
        });
        let max_inflated_bytes = archives.max_inflated_bytes.unwrap_or_else(|| {
            need("archives.max_inflated_bytes");
            ByteSize(0)
        });
        let max_ratio = archives.max_ratio.unwrap_or_else(|| {
            need("archives.max_ratio");
            0
        });
        let models = self.models.unwrap_or(RawModels {
            min_samples_leaf: None,
            require_bootstrap: None,
            inflate_bytes: None,
        });
        let min_samples_leaf = models.min_samples_leaf.unwrap_or_else(|| {
            need("models.min_samples_leaf");
            0
        });
        let require_bootstrap = models.require_bootstrap.unwrap_or_else(|| {
            need("models.require_bootstrap");
            true
        });
        let inflate_bytes = models.inflate_bytes.unwrap_or_else(|| {
            need("models.inflate_bytes");
            ByteSize(0)
        });
        let person_level_rows = self
            .microdata
            .and_then(|m| m.person_level_rows)
            .unwrap_or_else(|| {
                need("microdata.person_level_rows");
                0
            });

        let max_depth = walk.max_depth.unwrap_or_else(|| {
            need("walk.max_depth");
            0
        });
        let max_entries = walk.max_entries.unwrap_or_else(|| {
            need("walk.max_entries");
            0
        });
        let file_seconds = read.file_seconds.unwrap_or_else(|| {
            need("read.file_seconds");
            1.0
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
        if !(file_seconds > 0.0 && file_seconds.is_finite()) {
            problems.push(format!(
                "read.file_seconds = {file_seconds}: a number of seconds above zero"
            ));
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

        if max_members == 0 {
            problems.push("archives.max_members: must be at least 1".into());
        }
        if max_ratio == 0 {
            problems.push("archives.max_ratio: must be at least 1".into());
        }
        if min_samples_leaf == 0 {
            problems.push("models.min_samples_leaf: must be at least 1".into());
        }
        if inflate_bytes.0 < 1 << 20 {
            problems.push(format!(
                "models.inflate_bytes = {inflate_bytes}: must be at least 1 MiB so ordinary \
                 compressed models can be opened"
            ));
        }
        if person_level_rows < 2 {
            problems.push("microdata.person_level_rows: must be at least 2".into());
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

        let tables = self.tables.unwrap_or_default().validate(&mut problems);
        let images = self.images.validate(&mut problems);
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
            read: ReadLimits {
                inspect_bytes,
                file_seconds,
            },
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
                block_critical: crate::stats::chi_square_critical(alpha),
            },
            archives: ArchiveSettings {
                max_depth: archive_depth,
                max_members,
                max_inflated_bytes,
                max_ratio,
            },
            models: ModelSettings {
                min_samples_leaf,
                require_bootstrap,
                inflate_bytes,
            },
            microdata: MicrodataSettings { person_level_rows },
            tables,
            images,
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
