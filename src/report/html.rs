//! The HTML report: one self-contained page an output checker reads on a laptop inside the
//! TRE. Inline CSS, no script, no network, no external asset; a Content-Security-Policy that
//! forbids scripts and remote loads backs that up should an escape ever be missed.
//!
//! Every string from the request (paths, messages quoting cell text, evidence, manifest text)
//! goes through [`escape_html`]. The verdict and counts come first, then each file with its
//! verdict, hash and findings, each finding linking to its rule's documentation at the end.
//!
//! A file whose findings name table cells (a row and a column label) gets a grid of those
//! rows and columns with the flagged cells coloured by severity and labelled with their rules.
//!
//! Limitation: the grid shows where the flagged cells are, not the table's values, and images
//! are not shown as thumbnails beside their bit planes: both need the file bytes, which the
//! report does not carry, and re-reading the request here would show bytes other than those
//! hashed.

use std::io::{self, Write};

use super::markdown::{fired_rules, kind_text};
use super::{location_words, short_hash, FileEntry, Renderer, Report};
use crate::finding::{Finding, Verdict};
use crate::policy::size::human;
use crate::report::text::escape as escape_controls;

/// Renders the report as one self-contained HTML page.
pub struct HtmlRenderer;

/// The page's style sheet, inline so the file stands alone.
pub(crate) const STYLE: &str = "\
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;\
color:#1b1b1b;background:#fff}\
h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:1px solid #ccc}h3{margin:.2rem 0}\
code,pre{font:13px ui-monospace,monospace;overflow-wrap:anywhere}\
pre{white-space:pre-wrap;margin:.3rem 0}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}\
th,td{border:1px solid #ddd;padding:.25rem .45rem;text-align:left;vertical-align:top}\
th{background:#f4f4f4}td.n{text-align:right}\
.badge{display:inline-block;padding:0 .45rem;border-radius:.3rem;font-weight:600;color:#fff}\
.pass{background:#1a7f37}.review{background:#9a6700}.block{background:#cf222e}\
.info{background:#6e7781}\
header.verdict{border-left:.6rem solid;padding:.4rem 1rem;margin-bottom:1rem}\
header.v-pass{border-color:#1a7f37}header.v-review{border-color:#9a6700}\
header.v-block{border-color:#cf222e}\
article{border:1px solid #ddd;border-radius:.4rem;padding:.6rem 1rem;margin:1rem 0}\
tr.exception td{background:#fff8c5}\
.meta{color:#57606a}\
section.rule{border-top:1px solid #eee;padding:.3rem 0}\
table.cells{width:auto}caption{text-align:left;font-weight:600}\
td.flag-block{background:#ffd7d5}td.flag-review{background:#fff1c2}td.flag-info{background:#eee}\
svg text{font:12px system-ui,sans-serif}";

impl Renderer for HtmlRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let verdict = report.verdict();
        let summary = report.summary();
        page_start(
            out,
            &format!("egress-check: {} – {}", verdict_word(verdict), report.root),
        )?;

        writeln!(out, "<header class=\"verdict v-{verdict}\">")?;
        writeln!(
            out,
            "<h1><span class=\"badge {verdict}\">{}</span> egress request check</h1>",
            verdict_word(verdict)
        )?;
        writeln!(
            out,
            "<p>Request <code>{}</code>{} checked under policy <b>{}</b> (sha256 \
             <code title=\"{}\">{}</code>) by egress-check {} at {}.</p>",
            escape_html(&report.root),
            report
                .request_id()
                .map(|id| format!(", id <b>{}</b>,", escape_html(id)))
                .unwrap_or_default(),
            escape_html(&report.policy_name),
            escape_html(&report.policy_sha256),
            escape_html(short_hash(&report.policy_sha256)),
            env!("CARGO_PKG_VERSION"),
            escape_html(&report.generated_at),
        )?;
        writeln!(
            out,
            "<table class=\"counts\"><tr><th>files</th><th>bytes</th><th>pass</th>\
             <th>review</th><th>block</th><th>unverifiable capacity</th><th>budget</th></tr>"
        )?;
        writeln!(
            out,
            "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr></table>",
            summary.files,
            human(summary.bytes),
            summary.pass,
            summary.review,
            summary.block,
            human(summary.capacity_bytes),
            human(report.capacity_budget)
        )?;
        writeln!(out, "</header>")?;

        manifest_section(report, out)?;

        if !report.findings.is_empty() {
            writeln!(out, "<h2 id=\"request-findings\">Request findings</h2>")?;
            findings_table(&report.findings, out)?;
        }

        writeln!(out, "<h2 id=\"files\">Files</h2>")?;
        writeln!(
            out,
            "<table class=\"index\"><tr><th>verdict</th><th>file</th><th>kind</th>\
             <th>bytes</th><th>findings</th></tr>"
        )?;
        for (i, file) in report.files.iter().enumerate() {
            writeln!(
                out,
                "<tr><td>{}</td><td><a href=\"#file-{i}\"><code>{}</code></a></td><td>{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                badge(file.verdict()),
                escape_html(&file.path),
                escape_html(&kind_text(file)),
                file.bytes,
                file.findings.len()
            )?;
        }
        writeln!(out, "</table>")?;
        for (i, file) in report.files.iter().enumerate() {
            file_article(report, i, file, out)?;
        }

        rules_section(report, out)?;
        writeln!(
            out,
            "<footer class=\"meta\"><p>egress-check {}: an aid to the output checker, not a \
             replacement. A verdict is changed only by a policy; exceptions are shown, never \
             applied.</p></footer>",
            env!("CARGO_PKG_VERSION")
        )?;
        page_end(out)
    }
}

/// The opening of a self-contained page: doctype, a CSP with no script and no remote load,
/// the inline style sheet and the title.
pub(crate) fn page_start(out: &mut dyn Write, title: &str) -> io::Result<()> {
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">"
    )?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(out, "<title>{}</title>", escape_html(title))?;
    writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>")
}

/// Closes what [`page_start`] opened.
pub(crate) fn page_end(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "</body>\n</html>")
}

fn manifest_section(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(manifest) = &report.manifest else {
        return Ok(());
    };
    writeln!(out, "<h2 id=\"manifest\">Request manifest</h2>")?;
    writeln!(
        out,
        "<p class=\"meta\"><code>{}</code>, {} bytes, sha256 <code>{}</code>: the researcher's \
         description of the request; it is not an output.</p>",
        escape_html(&manifest.path),
        manifest.bytes,
        escape_html(manifest.sha256.as_deref().unwrap_or("not read"))
    )?;
    let Some(valid) = &manifest.manifest else {
        return writeln!(out, "<p>The manifest is invalid and was ignored.</p>");
    };
    let request = &valid.request;
    writeln!(out, "<dl>")?;
    writeln!(
        out,
        "<dt>Request id</dt><dd>{}</dd>",
        escape_html(&request.id)
    )?;
    for (label, value) in [
        ("Project", &request.project),
        ("Researcher", &request.researcher),
        ("Purpose", &request.purpose),
    ] {
        if let Some(value) = value {
            writeln!(out, "<dt>{label}</dt><dd>{}</dd>", escape_html(value))?;
        }
    }
    writeln!(out, "</dl>")?;
    if !valid.groups.is_empty() {
        writeln!(
            out,
            "<table><tr><th>group</th><th>files</th><th>context</th>\
             <th>disclosure controls</th></tr>"
        )?;
        for group in &valid.groups {
            let files: Vec<String> = group
                .files
                .iter()
                .map(|f| format!("<code>{}</code>", escape_html(f)))
                .collect();
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape_html(&group.name),
                files.join(" "),
                escape_html(&group.context),
                escape_html(&group.controls)
            )?;
        }
        writeln!(out, "</table>")?;
    }
    Ok(())
}

fn file_article(
    report: &Report,
    index: usize,
    file: &FileEntry,
    out: &mut dyn Write,
) -> io::Result<()> {
    let verdict = file.verdict();
    writeln!(out, "<article id=\"file-{index}\">")?;
    writeln!(
        out,
        "<h3>{} <code>{}</code></h3>",
        badge(verdict),
        escape_html(&file.path)
    )?;
    writeln!(
        out,
        "<p class=\"meta\">{}, {} bytes, sha256 <code>{}</code></p>",
        escape_html(&kind_text(file)),
        file.bytes,
        escape_html(file.sha256.as_deref().unwrap_or("not read"))
    )?;
    if let Some(group) = report.group_of(file) {
        writeln!(
            out,
            "<p>Group <b>{}</b>: {} <i>Controls:</i> {}</p>",
            escape_html(&group.name),
            escape_html(&group.context),
            escape_html(&group.controls)
        )?;
    }
    if file.findings.is_empty() {
        writeln!(out, "<p>No findings.</p>")?;
    } else {
        flagged_cells(&file.findings, out)?;
        findings_table(&file.findings, out)?;
    }
    writeln!(out, "</article>")
}

/// The rows and columns named by cell findings, in order of first mention, with each flagged
/// cell coloured by its worst severity and labelled with its rule codes.
fn flagged_cells(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    let mut rows: Vec<&str> = Vec::new();
    let mut columns: Vec<&str> = Vec::new();
    let mut cells: Vec<(&str, &str, &Finding)> = Vec::new();
    for finding in findings {
        let (Some(row), Some(column)) = (&finding.location.row, &finding.location.column) else {
            continue;
        };
        if !rows.contains(&row.as_str()) {
            rows.push(row);
        }
        if !columns.contains(&column.as_str()) {
            columns.push(column);
        }
        cells.push((row, column, finding));
    }
    if cells.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<table class=\"cells\"><caption>Flagged cells</caption><tr><th></th>"
    )?;
    for column in &columns {
        write!(out, "<th>{}</th>", escape_html(column))?;
    }
    writeln!(out, "</tr>")?;
    for row in &rows {
        write!(out, "<tr><th>{}</th>", escape_html(row))?;
        for column in &columns {
            let here: Vec<&Finding> = cells
                .iter()
                .filter(|(r, c, _)| r == row && c == column)
                .map(|(_, _, f)| *f)
                .collect();
            match here.iter().map(|f| f.severity).max() {
                Some(worst) => {
                    let codes: Vec<&str> = here.iter().map(|f| f.rule.code).collect();
                    write!(out, "<td class=\"flag-{worst}\">{}</td>", codes.join(" "))?;
                }
                None => write!(out, "<td></td>")?,
            }
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</table>")
}

fn findings_table(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<table class=\"findings\"><tr><th>severity</th><th>rule</th><th>where</th>\
         <th>finding</th><th>evidence</th></tr>"
    )?;
    for finding in findings {
        let evidence = serde_json::to_string_pretty(&finding.evidence).unwrap_or_default();
        writeln!(
            out,
            "<tr><td><span class=\"badge {sev}\">{sev}</span></td>\
             <td><a href=\"#rule-{code}\">{code} {name}</a></td><td>{where_}</td>\
             <td>{message}</td><td><details><summary>evidence</summary><pre>{evidence}</pre>\
             </details></td></tr>",
            sev = finding.severity,
            code = finding.rule.code,
            name = finding.rule.name,
            where_ = escape_html(&location_words(&finding.location)),
            message = escape_html(&finding.message),
            evidence = escape_html(&evidence),
        )?;
        if let Some(reason) = &finding.exception {
            writeln!(
                out,
                "<tr class=\"exception\"><td colspan=\"5\"><b>Exception requested:</b> {} \
                 <i>(shown for the checker; the severity is unchanged)</i></td></tr>",
                escape_html(reason)
            )?;
        }
    }
    writeln!(out, "</table>")
}

fn rules_section(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rules = fired_rules(report);
    if rules.is_empty() {
        return Ok(());
    }
    writeln!(out, "<h2 id=\"rules\">Rules</h2>")?;
    for rule in rules {
        writeln!(
            out,
            "<section class=\"rule\" id=\"rule-{code}\"><h3>{code} {name} \
             <span class=\"badge {sev}\">default {sev}</span></h3><p>{summary}</p><dl>\
             <dt>What it detects</dt><dd>{detects}</dd><dt>Why it matters</dt><dd>{why}</dd>\
             <dt>How to fix the output</dt><dd>{fix}</dd><dt>Policy keys</dt>\
             <dd><code>{keys}</code></dd></dl></section>",
            code = rule.code,
            name = rule.name,
            sev = rule.severity,
            summary = escape_html(rule.summary),
            detects = escape_html(rule.detects),
            why = escape_html(rule.why),
            fix = escape_html(rule.fix),
            keys = escape_html(&rule.policy_keys.join(", ")),
        )?;
    }
    Ok(())
}

fn badge(verdict: Verdict) -> String {
    format!("<span class=\"badge {verdict}\">{verdict}</span>")
}

fn verdict_word(verdict: Verdict) -> String {
    verdict.as_str().to_uppercase()
}

/// Escapes text for HTML element content and quoted attribute values: `& < > " '` become
/// character references, and control, bidirectional and invisible characters are first
/// shown as `\u{..}` so a name cannot reorder or hide what the checker reads.
pub fn escape_html(text: &str) -> String {
    let text = escape_controls(text);
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;
    use crate::rules::lookup;

    #[test]
    fn cell_findings_are_drawn_as_a_grid() {
        let cell = |row: &str, column: &str| Location {
            row: Some(row.into()),
            column: Some(column.into()),
            ..Location::default()
        };
        let findings = vec![
            Finding::new(lookup("W001").expect("rule"), "a").at(cell("40-49", "<b>Female</b>")),
            Finding::new(lookup("I001").expect("rule"), "b").at(cell("50-59", "Male")),
            Finding::new(lookup("O001").expect("rule"), "whole file"),
        ];
        let mut out = Vec::new();
        flagged_cells(&findings, &mut out).expect("render");
        let html = String::from_utf8(out).expect("utf-8");
        assert!(
            html.contains("<th>&lt;b&gt;Female&lt;/b&gt;</th><th>Male</th>"),
            "{html}"
        );
        assert!(html.contains("<tr><th>40-49</th><td class=\"flag-block\">W001</td><td></td>"));
        assert!(
            html.contains("<td class=\"flag-review\">I001</td>"),
            "{html}"
        );

        let mut none = Vec::new();
        flagged_cells(&findings[2..], &mut none).expect("render");
        assert!(none.is_empty(), "no grid without cell findings");
    }

    #[test]
    fn escapes_markup_in_names() {
        assert_eq!(
            escape_html("<img src=x onerror=alert(1)>.csv"),
            "&lt;img src=x onerror=alert(1)&gt;.csv"
        );
        assert_eq!(
            escape_html("a\"b'c&d"),
            "a&quot;b&#39;c&amp;d",
            "safe inside quoted attributes"
        );
        assert_eq!(
            escape_html("</code><script>"),
            "&lt;/code&gt;&lt;script&gt;"
        );
        assert_eq!(
            escape_html("&lt;"),
            "&amp;lt;",
            "entities are not passed through"
        );
    }

    #[test]
    fn escapes_controls_and_bidi_overrides() {
        assert_eq!(escape_html("exe\u{202e}txt.csv"), "exe\\u{202e}txt.csv");
        assert_eq!(escape_html("a\nb\x1b"), "a\\nb\\u{001b}");
        assert_eq!(escape_html("Ünïcode"), "Ünïcode");
    }
}
