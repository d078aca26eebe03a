//! The SACRO-Viewer export: the `results.json` layout ACRO writes, and a `checksums/` folder
//! holding the SHA-256 of each output, so checkers who already use SACRO-Viewer see our
//! findings there.
//!
//! One ACRO output per file of the request, keyed by its path. The file's verdict maps to the
//! ACRO status: block → `fail`, review → `review`, pass → `pass`. Findings are counted per
//! rule code in `files[].sdc.summary`, listed as `comments`, and the manifest's exception
//! reasons for the file are joined into `exception`. Request-level findings, the verdict and
//! the policy are kept under an `egress_check` key, which the Viewer ignores.
//!
//! `checksums/<path>.txt` holds the hash of the bytes egress-check checked. The outputs
//! themselves are not copied: the checker copies the request's files beside `results.json`,
//! and the Viewer then flags any file whose bytes are not the ones checked.
//!
//! ACRO's `sdc.cells` are 0-based positions in the table body: the table rules put them in
//! a cell finding's evidence as `row_index` (body row) and `column_index` (position among the
//! statistic columns, label columns being ACRO's index), and every cell finding is also
//! described, with its labels, in `comments`. Findings on a whole file or column have none.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path};

use serde_json::{json, Map, Value};

use super::{location_words, FileEntry, Renderer, Report};
use crate::finding::{Finding, Verdict};

/// The results layout version written: the one SACRO-Viewer itself writes for outputs that
/// did not come from ACRO, and the oldest it accepts.
pub const ACRO_LAYOUT_VERSION: &str = "0.4.0";

/// Renders `results.json` alone; [`write_export`] also writes the checksums.
pub struct AcroRenderer;

impl Renderer for AcroRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &results(report))?;
        out.write_all(b"\n")
    }
}

/// The ACRO status of a verdict.
pub fn status(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Block => "fail",
        Verdict::Review => "review",
        Verdict::Pass => "pass",
    }
}

/// The `results.json` document.
pub fn results(report: &Report) -> Value {
    let mut outputs = Map::new();
    for file in &report.files {
        outputs.insert(file.path.clone(), output(report, file));
    }
    let request_findings: Vec<Value> = report.findings.iter().map(finding_json).collect();
    json!({
        "version": ACRO_LAYOUT_VERSION,
        "tool": {"name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION")},
        "results": outputs,
        "egress_check": {
            "verdict": report.verdict(),
            "root": report.root,
            "request_id": report.request_id(),
            "policy": {"name": report.policy_name, "sha256": report.policy_sha256},
            "generated_at": report.generated_at,
            "request_findings": request_findings,
        },
    })
}

fn output(report: &Report, file: &FileEntry) -> Value {
    let mut summary = Map::new();
    let mut cells: Map<String, Value> = Map::new();
    for finding in &file.findings {
        let count = summary
            .get(finding.rule.code)
            .and_then(Value::as_u64)
            .unwrap_or(0);
        summary.insert(finding.rule.code.into(), (count + 1).into());
        let list = cells
            .entry(finding.rule.code)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let (Some(row), Some(column), Value::Array(list)) = (
            finding.evidence.get("row_index").and_then(Value::as_u64),
            finding.evidence.get("column_index").and_then(Value::as_u64),
            list,
        ) {
            list.push(json!([row, column]));
        }
    }
    let comments: Vec<String> = file.findings.iter().map(comment).collect();
    let exceptions: Vec<String> = file
        .findings
        .iter()
        .filter_map(|f| {
            f.exception
                .as_ref()
                .map(|r| format!("{}: {r}", f.rule.code))
        })
        .collect();
    let verdict = file.verdict();
    let mut properties = json!({
        "method": "egress-check",
        "kind": file.kind,
        "format": file.format,
        "bytes": file.bytes,
        "sha256": file.sha256,
    });
    if let (Some(group), Value::Object(properties)) = (report.group_of(file), &mut properties) {
        properties.insert("group".into(), group.name.clone().into());
        properties.insert("context".into(), group.context.clone().into());
        properties.insert("controls".into(), group.controls.clone().into());
    }
    json!({
        "uid": file.path,
        "status": status(verdict),
        "type": "custom",
        "properties": properties,
        "files": [{"name": file.path, "sdc": {"summary": summary, "cells": cells}}],
        "outcome": {},
        "command": "egress-check check",
        "summary": summary_line(file),
        "timestamp": report.generated_at,
        "comments": comments,
        "exception": exceptions.join("\n"),
    })
}

fn summary_line(file: &FileEntry) -> String {
    let rules: Vec<String> = file
        .findings
        .iter()
        .map(|f| format!("{} {} ({})", f.rule.code, f.rule.name, f.severity))
        .collect();
    if rules.is_empty() {
        format!("{}: no findings", status(file.verdict()))
    } else {
        format!("{}: {}", status(file.verdict()), rules.join("; "))
    }
}

fn comment(finding: &Finding) -> String {
    let place = location_words(&finding.location);
    let place = if place.is_empty() {
        String::new()
    } else {
        format!(" [{place}]")
    };
    format!(
        "{} {} {}: {}{place}",
        finding.severity, finding.rule.code, finding.rule.name, finding.message
    )
}

fn finding_json(finding: &Finding) -> Value {
    json!({
        "rule": finding.rule.code,
        "name": finding.rule.name,
        "severity": finding.severity,
        "message": finding.message,
    })
}

/// True for a relative path of plain components, safe to join under the export folder.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Writes `results.json` and `checksums/<path>.txt` into `dir`, which must not hold an
/// earlier export. Entries without a hash (links, unread files) get no checksum file.
pub fn write_export(report: &Report, dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let results_path = dir.join("results.json");
    let mut file = fs::File::options()
        .write(true)
        .create_new(true)
        .open(&results_path)?;
    let mut text = serde_json::to_vec_pretty(&results(report))?;
    text.push(b'\n');
    file.write_all(&text)?;

    let checksums = dir.join("checksums");
    fs::create_dir_all(&checksums)?;
    for entry in &report.files {
        let Some(sha256) = &entry.sha256 else {
            continue;
        };
        if !is_plain_relative(&entry.path) {
            continue;
        }
        let target = checksums.join(format!("{}.txt", entry.path));
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(target, sha256)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_map_to_acro_statuses() {
        assert_eq!(status(Verdict::Block), "fail");
        assert_eq!(status(Verdict::Review), "review");
        assert_eq!(status(Verdict::Pass), "pass");
    }

    #[test]
    fn only_plain_relative_paths_get_checksum_files() {
        assert!(is_plain_relative("tables/a.csv"));
        assert!(!is_plain_relative("../a.csv"));
        assert!(!is_plain_relative("/etc/passwd"));
        assert!(!is_plain_relative(""));
    }
}
