//! The Markdown report, for pasting into a ticket or a pull request.
//!
//! Every string from the request (paths, messages quoting cell text, manifest text) goes
//! through [`escape_markdown`], so a file name cannot add links, images, HTML or table columns
//! to the ticket. The rule documentation of the rules that fired closes the report, so a
//! researcher reading the ticket knows how to fix each output.

use std::io::{self, Write};

use super::{location_words, short_hash, FileEntry, Renderer, Report};
use crate::finding::{Finding, Verdict};
use crate::policy::size::human;
use crate::report::text::escape as escape_controls;
use crate::rules::Rule;

/// Renders the report as GitHub-flavoured Markdown.
pub struct MarkdownRenderer;

impl Renderer for MarkdownRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let summary = report.summary();
        let verdict = report.verdict();
        writeln!(
            out,
            "# egress-check: {} {}\n",
            verdict_mark(verdict),
            verdict.as_str().to_uppercase()
        )?;
        writeln!(
            out,
            "Request `{}` checked under policy **{}** (sha256 `{}`) by egress-check {} at {}.\n",
            code_span(&report.root),
            escape_markdown(&report.policy_name),
            short_hash(&report.policy_sha256),
            env!("CARGO_PKG_VERSION"),
            escape_markdown(&report.generated_at),
        )?;
        writeln!(
            out,
            "| files | bytes | pass | review | block | unverifiable capacity | budget |"
        )?;
        writeln!(out, "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")?;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            summary.files,
            human(summary.bytes),
            summary.pass,
            summary.review,
            summary.block,
            human(summary.capacity_bytes),
            human(report.capacity_budget),
        )?;

        manifest_section(report, out)?;

        if !report.findings.is_empty() {
            writeln!(out, "## Request findings\n")?;
            findings_table(&report.findings, out)?;
        }

        writeln!(out, "## Files\n")?;
        writeln!(out, "| verdict | file | kind | bytes | findings |")?;
        writeln!(out, "| --- | --- | --- | ---: | ---: |")?;
        for file in &report.files {
            writeln!(
                out,
                "| {} {} | `{}` | {} | {} | {} |",
                verdict_mark(file.verdict()),
                file.verdict(),
                code_span(&file.path),
                escape_markdown(&kind_text(file)),
                file.bytes,
                file.findings.len()
            )?;
        }
        writeln!(out)?;

        for file in report.files.iter().filter(|f| !f.findings.is_empty()) {
            file_section(report, file, out)?;
        }

        rules_section(report, out)
    }
}

fn manifest_section(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(manifest) = &report.manifest else {
        return Ok(());
    };
    writeln!(
        out,
        "## Request manifest\n\n`{}` ({} bytes) describes the request; it is not an output.\n",
        code_span(&manifest.path),
        manifest.bytes
    )?;
    let Some(valid) = &manifest.manifest else {
        writeln!(out, "The manifest is invalid and was ignored.\n")?;
        return Ok(());
    };
    let request = &valid.request;
    writeln!(out, "- **Request id:** {}", escape_markdown(&request.id))?;
    for (label, value) in [
        ("Project", &request.project),
        ("Researcher", &request.researcher),
        ("Purpose", &request.purpose),
    ] {
        if let Some(value) = value {
            writeln!(out, "- **{label}:** {}", escape_markdown(value))?;
        }
    }
    writeln!(out)?;
    if !valid.groups.is_empty() {
        writeln!(out, "| group | files | context | disclosure controls |")?;
        writeln!(out, "| --- | --- | --- | --- |")?;
        for group in &valid.groups {
            let files: Vec<String> = group
                .files
                .iter()
                .map(|f| format!("`{}`", code_span(f)))
                .collect();
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape_markdown(&group.name),
                files.join(", "),
                escape_markdown(&group.context),
                escape_markdown(&group.controls)
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn file_section(report: &Report, file: &FileEntry, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "### {} `{}`: {}\n",
        verdict_mark(file.verdict()),
        code_span(&file.path),
        file.verdict()
    )?;
    let hash = file.sha256.as_deref().unwrap_or("not read");
    writeln!(
        out,
        "{}, {} bytes, sha256 `{hash}`",
        escape_markdown(&kind_text(file)),
        file.bytes
    )?;
    if let Some(group) = report.group_of(file) {
        writeln!(
            out,
            "\nGroup **{}**: {} Controls: {}",
            escape_markdown(&group.name),
            escape_markdown(&group.context),
            escape_markdown(&group.controls)
        )?;
    }
    writeln!(out)?;
    findings_table(&file.findings, out)
}

fn findings_table(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "| severity | rule | where | finding | exception requested |"
    )?;
    writeln!(out, "| --- | --- | --- | --- | --- |")?;
    for finding in findings {
        let reason = finding
            .exception
            .as_deref()
            .map(escape_markdown)
            .unwrap_or_default();
        writeln!(
            out,
            "| {} | [{} {}](#rule-{}) | {} | {} | {} |",
            finding.severity,
            finding.rule.code,
            finding.rule.name,
            finding.rule.code.to_ascii_lowercase(),
            escape_markdown(&location_words(&finding.location)),
            escape_markdown(&finding.message),
            reason
        )?;
    }
    writeln!(out)
}

fn rules_section(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rules = fired_rules(report);
    if rules.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Rules\n")?;
    for rule in rules {
        writeln!(
            out,
            "### Rule {}\n\n**{} {}** (default {}): {}\n",
            rule.code, rule.code, rule.name, rule.severity, rule.summary
        )?;
        writeln!(out, "- *Detects:* {}", rule.detects)?;
        writeln!(out, "- *Why it matters:* {}", rule.why)?;
        writeln!(out, "- *How to fix the output:* {}", rule.fix)?;
        writeln!(
            out,
            "- *Policy keys:* `{}`\n",
            rule.policy_keys.join("`, `")
        )?;
    }
    Ok(())
}

/// The rules with at least one finding in the report, in registry order.
pub(crate) fn fired_rules(report: &Report) -> Vec<&'static Rule> {
    let fired = |rule: &Rule| {
        report
            .files
            .iter()
            .flat_map(|f| &f.findings)
            .chain(&report.findings)
            .any(|f| std::ptr::eq(f.rule, rule))
    };
    crate::rules::RULES
        .iter()
        .copied()
        .filter(|r| fired(r))
        .collect()
}

/// "table (csv)" or "symlink".
pub(crate) fn kind_text(file: &FileEntry) -> String {
    match &file.format {
        Some(format) if *format != file.kind => format!("{} ({format})", file.kind),
        _ => file.kind.clone(),
    }
}

fn verdict_mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "✅",
        Verdict::Review => "⚠️",
        Verdict::Block => "⛔",
    }
}

/// Text for inside a code span: controls escaped, backticks and pipes replaced so the span
/// and the table cell cannot be closed early.
fn code_span(text: &str) -> String {
    escape_controls(text).replace('`', "ˋ").replace('|', "¦")
}

/// Escapes text for Markdown: control and invisible characters as `\u{..}`, Markdown
/// punctuation with a backslash, and `<`, `>`, `&` as HTML entities so no tag or entity can
/// be written by a file name or a cell.
pub fn escape_markdown(text: &str) -> String {
    let text = escape_controls(text);
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|'
            | '~' => {
                escaped.push('\\');
                escaped.push(c);
            }
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_defuses_links_images_html_and_tables() {
        let hostile = "![x](http://evil/) <img src=x onerror=alert(1)> a|b `c` *d*";
        let escaped = escape_markdown(hostile);
        assert_eq!(
            escaped,
            "\\!\\[x\\]\\(http://evil/\\) &lt;img src=x onerror=alert\\(1\\)&gt; a\\|b \\`c\\` \
             \\*d\\*"
        );
        assert_eq!(escape_markdown("a\nb\x1b"), "a\\\\nb\\\\u\\{001b\\}");
        assert_eq!(code_span("a`b|c\n"), "aˋb¦c\\n");
    }
}
