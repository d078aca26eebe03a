//! The SARIF 2.1.0 report, so code-scanning dashboards can list the findings.
//!
//! Plain serde structs for the part of the OASIS SARIF 2.1.0 schema we fill: one run whose
//! driver lists every rule of the registry (id, name, descriptions, help, default level), and
//! one result per finding. Severity maps to level: block → `error`, review → `warning`,
//! info → `note`. A finding with a line or byte range gets a `region`; table cells and
//! container chunks, which SARIF has no region for, are named in a logical location.
//! Request-level findings (budgets) have no file, so they carry no location.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use super::{location_words, Renderer, Report};
use crate::finding::{Finding, Location, Severity};
use crate::rules::{Rule, RULES};

/// The schema the output validates against.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders the report as a SARIF 2.1.0 log.
pub struct SarifRenderer;

impl Renderer for SarifRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &log(report))?;
        out.write_all(b"\n")
    }
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    original_uri_base_ids: Map<String, Value>,
    results: Vec<SarifResult>,
    properties: Map<String, Value>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: Map<String, Value>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    properties: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    #[serde(skip_serializing_if = "Option::is_none")]
    start_line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_length: Option<u64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    kind: &'static str,
}

/// The base id under which result URIs are relative to the request folder.
const BASE_ID: &str = "REQUEST";

fn log(report: &Report) -> Log {
    let mut results = Vec::new();
    for file in &report.files {
        for finding in &file.findings {
            results.push(result(finding, Some(&file.path)));
        }
    }
    for finding in &report.findings {
        results.push(result(finding, None));
    }

    let mut base = Map::new();
    base.insert(
        BASE_ID.into(),
        serde_json::json!({"description": {"text": format!("the request folder {}", report.root)}}),
    );
    let mut properties = Map::new();
    properties.insert("verdict".into(), report.verdict().as_str().into());
    properties.insert("root".into(), report.root.clone().into());
    properties.insert("generatedAt".into(), report.generated_at.clone().into());
    properties.insert(
        "policy".into(),
        serde_json::json!({"name": report.policy_name, "sha256": report.policy_sha256}),
    );
    if let Some(id) = report.request_id() {
        properties.insert("requestId".into(), id.into());
    }

    Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: env!("CARGO_PKG_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: RULES.iter().map(|rule| descriptor(rule)).collect(),
                },
            },
            original_uri_base_ids: base,
            results,
            properties,
        }],
    }
}

fn descriptor(rule: &Rule) -> Descriptor {
    let mut properties = Map::new();
    properties.insert("family".into(), rule.family.to_string().into());
    properties.insert(
        "tags".into(),
        serde_json::json!(["egress", rule.family.to_string()]),
    );
    Descriptor {
        id: rule.code,
        name: rule.name,
        short_description: Text {
            text: rule.summary.to_string(),
        },
        full_description: Text {
            text: format!("{} {}", rule.detects, rule.why),
        },
        help: Help {
            text: format!("{} Policy keys: {}.", rule.fix, rule.policy_keys.join(", ")),
            markdown: format!(
                "**What it detects.** {}\n\n**Why it matters.** {}\n\n**How to fix the \
                 output.** {}\n\n**Policy keys:** `{}`",
                rule.detects,
                rule.why,
                rule.fix,
                rule.policy_keys.join("`, `")
            ),
        },
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties,
    }
}

fn result(finding: &Finding, path: Option<&str>) -> SarifResult {
    let rule_index = RULES.iter().position(|r| std::ptr::eq(*r, finding.rule));
    let mut properties = Map::new();
    properties.insert("severity".into(), finding.severity.as_str().into());
    properties.insert("evidence".into(), Value::Object(finding.evidence.clone()));
    properties.insert("capacityBytes".into(), finding.capacity_bytes.into());
    if let Some(reason) = &finding.exception {
        properties.insert("exception".into(), serde_json::json!({"reason": reason}));
    }
    let mut text = finding.message.clone();
    if let Some(reason) = &finding.exception {
        text.push_str(&format!(" (exception requested: {reason})"));
    }
    SarifResult {
        rule_id: finding.rule.code,
        rule_index,
        level: level(finding.severity),
        message: Text { text },
        locations: path
            .map(|path| vec![location(path, &finding.location)])
            .unwrap_or_default(),
        properties,
    }
}

fn location(path: &str, location: &Location) -> SarifLocation {
    let region = (location.line.is_some() || location.byte_offset.is_some()).then(|| Region {
        start_line: location.line.filter(|&l| l >= 1),
        byte_offset: location.byte_offset,
        byte_length: location
            .byte_length
            .filter(|_| location.byte_offset.is_some()),
    });
    let mut logical = Vec::new();
    if location.row.is_some() || location.column.is_some() || location.chunk.is_some() {
        let cell_only = Location {
            line: None,
            byte_offset: None,
            byte_length: None,
            ..location.clone()
        };
        logical.push(LogicalLocation {
            name: location_words(&cell_only),
            kind: "element",
        });
    }
    SarifLocation {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri_path(path),
                uri_base_id: BASE_ID,
            },
            region,
        },
        logical_locations: logical,
    }
}

/// SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Block => "error",
        Severity::Review => "warning",
        Severity::Info => "note",
    }
}

/// A relative path as a URI reference: unreserved characters and `/` kept, every other byte
/// percent-encoded, so names with spaces, `#`, `%` or `?` stay one path.
pub fn uri_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            uri_path("tables/age by sex.csv"),
            "tables/age%20by%20sex.csv"
        );
        assert_eq!(uri_path("a#b?c%"), "a%23b%3Fc%25");
        assert_eq!(uri_path("café"), "caf%C3%A9");
    }

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::Block), "error");
        assert_eq!(level(Severity::Review), "warning");
        assert_eq!(level(Severity::Info), "note");
    }
}
