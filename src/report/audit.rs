//! The governance summary of an audit ledger, as Markdown or as a self-contained HTML page
//! with an inline SVG chart of checks per month.
//!
//! The summary always states first whether the ledger's hash chain is intact, because figures
//! from a broken ledger cannot be trusted.

use std::io::{self, Write};

use super::{escape_html, escape_markdown, page_end, page_start};
use crate::ledger::{Summary, Verification};
use crate::policy::size::human;

/// Writes the summary as Markdown.
pub fn summary_markdown(
    summary: &Summary,
    chain: &Verification,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "# egress-check audit summary\n")?;
    writeln!(out, "{}\n", escape_markdown(&chain_text(chain)))?;
    writeln!(
        out,
        "{} checks of {} files.\n\n| verdict | checks |\n| --- | ---: |",
        summary.checks, summary.files
    )?;
    for (verdict, count) in &summary.verdicts {
        writeln!(out, "| {verdict} | {count} |")?;
    }
    writeln!(out, "\n## By month\n")?;
    writeln!(
        out,
        "| month | checks | pass | review | block | files | bytes passed | capacity passed |"
    )?;
    writeln!(
        out,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )?;
    for (month, m) in &summary.months {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            escape_markdown(month),
            m.checks,
            m.pass,
            m.review,
            m.block,
            m.files,
            human(m.bytes_passed),
            human(m.capacity_passed)
        )?;
    }
    writeln!(out, "\n## By policy\n\n| policy | checks |\n| --- | ---: |")?;
    for (policy, count) in &summary.policies {
        writeln!(out, "| {} | {count} |", escape_markdown(policy))?;
    }
    for (title, rules) in [
        ("Rules that blocked most often", &summary.blocked_rules),
        (
            "Rules that asked for review most often",
            &summary.review_rules,
        ),
    ] {
        writeln!(out, "\n## {title}\n\n| rule | findings |\n| --- | ---: |")?;
        for (rule, count) in rules {
            writeln!(out, "| {} | {count} |", escape_markdown(&rule_label(rule)))?;
        }
    }
    Ok(())
}

/// Writes the summary as one self-contained HTML page.
pub fn summary_html(
    summary: &Summary,
    chain: &Verification,
    out: &mut dyn Write,
) -> io::Result<()> {
    page_start(out, "egress-check audit summary")?;
    let intact = matches!(chain, Verification::Intact { .. });
    writeln!(
        out,
        "<header class=\"verdict v-{}\"><h1>egress-check audit summary</h1><p>{}</p>\
         <p>{} checks of {} files.</p></header>",
        if intact { "pass" } else { "block" },
        escape_html(&chain_text(chain)),
        summary.checks,
        summary.files
    )?;
    writeln!(out, "<h2>Checks per month</h2>")?;
    month_chart(summary, out)?;
    writeln!(
        out,
        "<table><tr><th>month</th><th>checks</th><th>pass</th><th>review</th><th>block</th>\
         <th>files</th><th>bytes passed</th><th>capacity passed</th></tr>"
    )?;
    for (month, m) in &summary.months {
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}\
             </td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>",
            escape_html(month),
            m.checks,
            m.pass,
            m.review,
            m.block,
            m.files,
            human(m.bytes_passed),
            human(m.capacity_passed)
        )?;
    }
    writeln!(out, "</table>")?;
    writeln!(
        out,
        "<h2>Verdicts</h2><table><tr><th>verdict</th><th>checks</th></tr>"
    )?;
    for (verdict, count) in &summary.verdicts {
        writeln!(
            out,
            "<tr><td><span class=\"badge {verdict}\">{verdict}</span></td>\
             <td class=\"n\">{count}</td></tr>"
        )?;
    }
    writeln!(out, "</table>")?;
    writeln!(
        out,
        "<h2>Policies</h2><table><tr><th>policy</th><th>checks</th></tr>"
    )?;
    for (policy, count) in &summary.policies {
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{count}</td></tr>",
            escape_html(policy)
        )?;
    }
    writeln!(out, "</table>")?;
    for (title, rules) in [
        ("Rules that blocked most often", &summary.blocked_rules),
        (
            "Rules that asked for review most often",
            &summary.review_rules,
        ),
    ] {
        writeln!(
            out,
            "<h2>{title}</h2><table><tr><th>rule</th><th>findings</th></tr>"
        )?;
        for (rule, count) in rules {
            writeln!(
                out,
                "<tr><td>{}</td><td class=\"n\">{count}</td></tr>",
                escape_html(&rule_label(rule))
            )?;
        }
        writeln!(out, "</table>")?;
    }
    page_end(out)
}

/// A stacked bar per month (pass, review, block), as inline SVG with a text fallback.
fn month_chart(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    const BAR: usize = 36;
    const GAP: usize = 14;
    const HEIGHT: usize = 160;
    let most = summary.months.values().map(|m| m.checks).max().unwrap_or(0);
    if most == 0 {
        return writeln!(out, "<p>No checks recorded.</p>");
    }
    let width = summary.months.len() * (BAR + GAP) + GAP;
    writeln!(
        out,
        "<svg role=\"img\" aria-label=\"checks per month by verdict\" width=\"{width}\" \
         height=\"{}\" viewBox=\"0 0 {width} {}\">",
        HEIGHT + 40,
        HEIGHT + 40
    )?;
    for (i, (month, m)) in summary.months.iter().enumerate() {
        let x = GAP + i * (BAR + GAP);
        let mut top = HEIGHT + 10;
        for (count, color) in [
            (m.pass, "#1a7f37"),
            (m.review, "#9a6700"),
            (m.block, "#cf222e"),
        ] {
            let height = count * HEIGHT / most;
            top -= height;
            if height > 0 {
                writeln!(
                    out,
                    "<rect x=\"{x}\" y=\"{top}\" width=\"{BAR}\" height=\"{height}\" \
                     fill=\"{color}\"><title>{count}</title></rect>"
                )?;
            }
        }
        writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x + BAR / 2,
            HEIGHT + 28,
            escape_html(month)
        )?;
    }
    writeln!(out, "</svg>")
}

/// `O001 random-data`, or the code alone for a rule this version does not know.
fn rule_label(code: &str) -> String {
    match crate::rules::lookup(code) {
        Some(rule) => format!("{} {}", rule.code, rule.name),
        None => code.to_string(),
    }
}

fn chain_text(chain: &Verification) -> String {
    match chain {
        Verification::Intact { entries, head } => format!(
            "Hash chain intact over {entries} lines; head {head}. Compare the head with the \
             one recorded last time: the chain cannot vouch for its own last line."
        ),
        Verification::Broken { line, reason } => format!(
            "WARNING: the hash chain is broken at line {line} ({reason}); the figures below \
             cannot be trusted."
        ),
    }
}
