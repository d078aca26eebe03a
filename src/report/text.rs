//! The terminal report: one line per finding, then a summary line.
//!
//! Every string that comes from the request (paths, messages quoting cell text) is printed
//! with control and invisible characters escaped, so a file name cannot rewrite the
//! reviewer's terminal. Colour is used only when asked for (a terminal, no `NO_COLOR`).

use std::io::{self, Write};

use super::{location_words, Renderer, Report};
use crate::finding::{Finding, Location, Severity, Verdict};
use crate::policy::size::human;
use crate::walk::is_deceptive_char;

/// Renders the report for a person at a terminal.
pub struct TextRenderer {
    /// Colour the severities and verdict with ANSI escapes.
    pub color: bool,
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[1;32m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

impl Renderer for TextRenderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for file in &report.files {
            for finding in &file.findings {
                self.finding_line(out, &file.path, finding)?;
            }
        }
        for finding in &report.findings {
            self.finding_line(out, "(request)", finding)?;
        }

        if let Some(manifest) = &report.manifest {
            let state = match manifest.request_id() {
                Some(id) => format!("request {}", escape(id)),
                None => "invalid, ignored".to_string(),
            };
            writeln!(out, "manifest {} ({state}; not an output)", manifest.path)?;
        }
        let summary = report.summary();
        let verdict = report.verdict();
        writeln!(
            out,
            "{}: {} files, {}: {} pass, {} review, {} block; unverifiable capacity {} of {} \
             budget; policy {} ({})",
            self.paint(verdict_color(verdict), &verdict.as_str().to_uppercase()),
            summary.files,
            human(summary.bytes),
            summary.pass,
            summary.review,
            summary.block,
            human(summary.capacity_bytes),
            human(report.capacity_budget),
            escape(&report.policy_name),
            &report.policy_sha256[..report.policy_sha256.len().min(12)],
        )
    }
}

impl TextRenderer {
    fn finding_line(&self, out: &mut dyn Write, path: &str, finding: &Finding) -> io::Result<()> {
        let severity = finding.severity;
        writeln!(
            out,
            "{}: {} {} {}: {}{}",
            escape(path),
            self.paint(severity_color(severity), severity.as_str()),
            finding.rule.code,
            finding.rule.name,
            escape(&finding.message),
            where_text(&finding.location),
        )?;
        if let Some(reason) = &finding.exception {
            writeln!(out, "    exception requested: {}", escape(reason))?;
        }
        Ok(())
    }

    fn paint(&self, color: &str, text: &str) -> String {
        if self.color {
            format!("{color}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => DIM,
        Severity::Review => YELLOW,
        Severity::Block => RED,
    }
}

fn verdict_color(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => GREEN,
        Verdict::Review => YELLOW,
        Verdict::Block => RED,
    }
}

/// The location in words, for the end of a finding line.
pub(crate) fn where_text(location: &Location) -> String {
    let words = location_words(location);
    if words.is_empty() {
        words
    } else {
        format!(" [{}]", escape(&words))
    }
}

/// Escapes control, bidirectional and invisible characters as `\u{...}` (newline as `\n`).
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => escaped.push_str("\\n"),
            '\t' => escaped.push_str("\\t"),
            '\r' => escaped.push_str("\\r"),
            c if is_deceptive_char(c) => escaped.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape("a\x1b[31mb"), "a\\u{001b}[31mb");
        assert_eq!(escape("x\ny"), "x\\ny");
        assert_eq!(escape("exe.\u{202e}txt"), "exe.\\u{202e}txt");
        assert_eq!(escape("Ünïcode ok"), "Ünïcode ok");
    }
}
