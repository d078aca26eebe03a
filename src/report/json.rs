//! The JSON report, schema `egress-check/report/v1`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use super::{FileEntry, Renderer, Report, SCHEMA};
use crate::finding::{Finding, Location, Severity, Verdict};
use crate::manifest::ManifestFile;

/// Renders the report as pretty-printed JSON.
pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &JsonReport::from(report))?;
        out.write_all(b"\n")
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    tool: Tool,
    policy: PolicyRef<'a>,
    root: &'a str,
    generated_at: &'a str,
    verdict: Verdict,
    summary: JsonSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest: Option<&'a ManifestFile>,
    findings: Vec<JsonFinding<'a>>,
    files: Vec<JsonFile<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct PolicyRef<'a> {
    name: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    bytes: u64,
    pass: usize,
    review: usize,
    block: usize,
    capacity_bytes: u64,
    capacity_budget_bytes: u64,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    bytes: u64,
    sha256: Option<&'a str>,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entropy_bits_per_byte: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<&'a str>,
    verdict: Verdict,
    capacity_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    location: &'a Location,
    evidence: &'a Map<String, Value>,
    capacity_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    exception: Option<JsonException<'a>>,
}

#[derive(Serialize)]
struct JsonException<'a> {
    reason: &'a str,
}

impl<'a> From<&'a Report> for JsonReport<'a> {
    fn from(report: &'a Report) -> JsonReport<'a> {
        let summary = report.summary();
        JsonReport {
            schema: SCHEMA,
            tool: Tool {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            },
            policy: PolicyRef {
                name: &report.policy_name,
                sha256: &report.policy_sha256,
            },
            root: &report.root,
            generated_at: &report.generated_at,
            verdict: report.verdict(),
            summary: JsonSummary {
                files: summary.files,
                bytes: summary.bytes,
                pass: summary.pass,
                review: summary.review,
                block: summary.block,
                capacity_bytes: summary.capacity_bytes,
                capacity_budget_bytes: report.capacity_budget,
            },
            manifest: report.manifest.as_ref(),
            findings: report.findings.iter().map(JsonFinding::from).collect(),
            files: report.files.iter().map(JsonFile::from).collect(),
        }
    }
}

impl<'a> From<&'a FileEntry> for JsonFile<'a> {
    fn from(file: &'a FileEntry) -> JsonFile<'a> {
        JsonFile {
            path: &file.path,
            bytes: file.bytes,
            sha256: file.sha256.as_deref(),
            kind: &file.kind,
            format: file.format.as_deref(),
            detail: file.detail.as_deref(),
            entropy_bits_per_byte: file.entropy.map(|e| (e * 10_000.0).round() / 10_000.0),
            container: file.container.as_deref(),
            verdict: file.verdict(),
            capacity_bytes: file.capacity_bytes(),
            group: file.group.as_deref(),
            findings: file.findings.iter().map(JsonFinding::from).collect(),
        }
    }
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(finding: &'a Finding) -> JsonFinding<'a> {
        JsonFinding {
            rule: finding.rule.code,
            name: finding.rule.name,
            severity: finding.severity,
            message: &finding.message,
            location: &finding.location,
            evidence: &finding.evidence,
            capacity_bytes: finding.capacity_bytes,
            exception: finding
                .exception
                .as_deref()
                .map(|reason| JsonException { reason }),
        }
    }
}
