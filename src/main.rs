//! The command-line interface of egress-check, and nothing else: argument parsing, logging
//! set-up, choosing a renderer, and exit codes.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use egress_check::ledger::{self, Verification};
use egress_check::policy::PRESETS;
use egress_check::report::{
    acro, audit, HtmlRenderer, JsonRenderer, MarkdownRenderer, Renderer, SarifRenderer,
    TextRenderer,
};
use egress_check::rules::{self, Rule};
use egress_check::{check_request, Options, Policy, Verdict};

/// Exit code when the check could not be run at all.
const EXIT_UNUSABLE: u8 = 3;

/// Decides whether research outputs may leave a Trusted Research Environment.
#[derive(Debug, Parser)]
#[command(name = "egress-check", version, about, long_about = None)]
struct Cli {
    /// More log output on standard error (-v: progress of each phase, -vv: every file).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    /// Only errors on standard error.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a request folder and report a verdict per file and for the request.
    ///
    /// Exit code: 0 every file passes, 1 something needs review, 2 something is blocked,
    /// 3 the check could not be run.
    Check {
        /// The request folder. It is only ever read.
        dir: PathBuf,

        /// A policy preset name (default, strict) or the path of a policy TOML file.
        #[arg(long, default_value = "default")]
        policy: String,

        /// Report format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,

        /// Write the report to this file instead of standard output (never inside DIR); for
        /// `--format acro`, the folder to write results.json and checksums/ into.
        #[arg(long)]
        output: Option<PathBuf>,

        /// Files checked at once; defaults to one per core.
        #[arg(long)]
        jobs: Option<usize>,

        /// Reuse findings of files already checked under the same policy and version; the
        /// folder is created if needed (never inside DIR).
        #[arg(long)]
        cache: Option<PathBuf>,

        /// Append one hash-chained JSON line recording this check to this audit ledger
        /// (never inside DIR).
        #[arg(long)]
        ledger: Option<PathBuf>,
    },

    /// List every rule with its code, name, default severity and summary.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },

    /// Explain one rule: what it detects, why it matters, how to fix the output.
    Rule {
        /// Rule code (T001) or name (small-cell).
        code: String,
    },

    /// Show or start a policy.
    #[command(subcommand)]
    Policy(PolicyCommand),

    /// Verify or summarise an audit ledger written by `check --ledger`.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the ledger's hash chain. Exit code: 0 intact, 2 broken (the line is named),
    /// 3 unreadable.
    Verify {
        /// The ledger file.
        ledger: PathBuf,
        /// The head hash recorded at the last verification; also catches a rewritten or
        /// removed last line.
        #[arg(long)]
        head: Option<String>,
    },
    /// Summarise past checks for a governance board: verdicts, months, policies, rules.
    Summary {
        /// The ledger file.
        ledger: PathBuf,
        #[arg(long, value_enum, default_value_t = SummaryFormat::Markdown)]
        format: SummaryFormat,
        /// Write the summary to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// Formats of the audit summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum SummaryFormat {
    Markdown,
    Html,
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Print the effective policy, every key included, as TOML.
    Show {
        /// A preset name or a policy file.
        #[arg(default_value = "default")]
        policy: String,
    },
    /// Print the fully commented default policy, to copy and edit.
    Init {
        /// Write it to this file instead of standard output (an existing file is kept).
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// Formats of the rule listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

/// Formats of a check's report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Markdown,
    Sarif,
    Html,
    /// SACRO-Viewer's results.json and checksums/, written into the folder --output names.
    Acro,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(EXIT_UNUSABLE),
            };
        }
    };
    init_logging(cli.verbose, cli.quiet);

    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => tracing::Level::ERROR,
        (false, 0) => tracing::Level::WARN,
        (false, 1) => tracing::Level::INFO,
        (false, _) => tracing::Level::DEBUG,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_target(false)
        .init();
}

/// Runs a command and returns the exit code it earns.
fn run(command: Command) -> Result<u8> {
    match command {
        Command::Check {
            dir,
            policy,
            format,
            output,
            jobs,
            cache,
            ledger,
        } => check(
            &dir,
            &policy,
            format,
            output.as_deref(),
            jobs,
            cache,
            ledger.as_deref(),
        ),
        Command::Audit(AuditCommand::Verify { ledger, head }) => verify_ledger(&ledger, head),
        Command::Audit(AuditCommand::Summary {
            ledger,
            format,
            output,
        }) => {
            summarise_ledger(&ledger, format, output.as_deref())?;
            Ok(0)
        }
        Command::Rules { format } => {
            list_rules(format)?;
            Ok(0)
        }
        Command::Rule { code } => {
            let rule = rules::lookup(&code).with_context(|| {
                format!("no rule has the code or name {code:?}; `egress-check rules` lists them")
            })?;
            print!("{}", explain(rule));
            Ok(0)
        }
        Command::Policy(PolicyCommand::Show { policy }) => {
            let policy = Policy::load(&policy)?;
            println!("# effective policy, sha256 {}", policy.sha256);
            print!("{}", policy.to_toml());
            Ok(0)
        }
        Command::Policy(PolicyCommand::Init { output }) => {
            init_policy(output.as_deref())?;
            Ok(0)
        }
    }
}

fn check(
    dir: &Path,
    policy: &str,
    format: Format,
    output: Option<&Path>,
    jobs: Option<usize>,
    cache: Option<PathBuf>,
    ledger: Option<&Path>,
) -> Result<u8> {
    let policy = Policy::load(policy)?;
    if jobs == Some(0) {
        bail!("--jobs must be at least 1");
    }
    if let Some(output) = output {
        refuse_inside(dir, output, "--output")?;
    }
    if let Some(cache) = &cache {
        refuse_inside(dir, &cache.join("entry"), "--cache")?;
    }
    if format == Format::Acro && output.is_none() {
        bail!("--format acro writes a folder: give it with --output DIR");
    }
    if let Some(ledger) = ledger {
        refuse_inside(dir, ledger, "--ledger")?;
    }

    let options = Options {
        jobs,
        progress: io::stderr().is_terminal(),
        cache,
    };
    let report = check_request(dir, &policy, &options)?;

    // Recorded before the report is written: no report leaves without its ledger line.
    if let Some(ledger) = ledger {
        ledger::append(ledger, ledger::Entry::from_report(&report))?;
    }

    if let (Format::Acro, Some(folder)) = (format, output) {
        acro::write_export(&report, folder).with_context(|| {
            format!(
                "cannot write the SACRO-Viewer export into {} (an earlier export is kept)",
                folder.display()
            )
        })?;
        return Ok(exit_code(report.verdict()));
    }

    let color = output.is_none()
        && io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let renderer: Box<dyn Renderer> = match format {
        Format::Text => Box::new(TextRenderer { color }),
        Format::Json => Box::new(JsonRenderer),
        Format::Markdown => Box::new(MarkdownRenderer),
        Format::Sarif => Box::new(SarifRenderer),
        Format::Html => Box::new(HtmlRenderer),
        Format::Acro => Box::new(acro::AcroRenderer),
    };
    let mut sink: Box<dyn Write> = match output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    renderer
        .render(&report, &mut sink)
        .context("cannot write the report")?;
    sink.flush().context("cannot write the report")?;

    Ok(exit_code(report.verdict()))
}

/// The exit code a verdict earns.
fn exit_code(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Pass => 0,
        Verdict::Review => 1,
        Verdict::Block => 2,
    }
}

/// The request folder is never written into, not even by our own report, cache or ledger.
fn refuse_inside(dir: &Path, output: &Path, flag: &str) -> Result<()> {
    let Ok(root) = dir.canonicalize() else {
        return Ok(()); // the check itself reports a missing root
    };
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // A cache folder may not exist yet: judge its nearest existing ancestor.
    let existing = parent
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(Path::new("."));
    let parent = existing.canonicalize().with_context(|| {
        format!(
            "the folder of {flag} {} cannot be resolved",
            output.display()
        )
    })?;
    // An existing file may be a link into the request: judge where it leads.
    let target = output.canonicalize().unwrap_or(parent);
    if target.starts_with(&root) {
        bail!(
            "{flag} {} is inside the request folder, which is never written to; use a \
             folder elsewhere",
            output.display()
        );
    }
    Ok(())
}

/// `audit verify`: 0 intact, 2 broken, 3 unreadable (an error).
fn verify_ledger(path: &Path, head: Option<String>) -> Result<u8> {
    let bytes = ledger::read(path)?;
    match ledger::verify_bytes(&bytes) {
        Verification::Intact {
            entries,
            head: actual,
        } => {
            if let Some(expected) = head.filter(|h| *h != actual) {
                println!(
                    "BROKEN: the chain holds over {entries} lines but its head is {actual}, not \
                     the recorded {expected}: lines at the end were rewritten or removed"
                );
                return Ok(2);
            }
            println!("OK: {entries} lines, hash chain intact; head {actual}");
            Ok(0)
        }
        Verification::Broken { line, reason } => {
            println!("BROKEN at line {line}: {reason}");
            Ok(2)
        }
    }
}

/// `audit summary`: the governance board's view of the ledger.
fn summarise_ledger(path: &Path, format: SummaryFormat, output: Option<&Path>) -> Result<()> {
    let bytes = ledger::read(path)?;
    let chain = ledger::verify_bytes(&bytes);
    let summary = ledger::summarise(&ledger::entries(&bytes));
    let mut sink: Box<dyn Write> = match output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    match format {
        SummaryFormat::Markdown => audit::summary_markdown(&summary, &chain, &mut sink)?,
        SummaryFormat::Html => audit::summary_html(&summary, &chain, &mut sink)?,
    }
    sink.flush().context("cannot write the summary")?;
    Ok(())
}

fn list_rules(format: ListFormat) -> Result<()> {
    let mut out = io::stdout().lock();
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, rules::RULES)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            for rule in rules::RULES {
                writeln!(
                    out,
                    "{}  {:<26} {:<7} {}",
                    rule.code, rule.name, rule.severity, rule.summary
                )?;
            }
        }
    }
    Ok(())
}

/// A rule's documentation, in its fixed sections.
fn explain(rule: &Rule) -> String {
    let mut text = format!(
        "{} {}: {}\nfamily: {}    default severity: {}\n\n",
        rule.code, rule.name, rule.summary, rule.family, rule.severity
    );
    for (heading, body) in [
        ("What it detects", rule.detects),
        ("Why it matters", rule.why),
        ("How to fix the output", rule.fix),
    ] {
        text.push_str(&format!("{heading}\n  {body}\n\n"));
    }
    text.push_str(&format!("Policy keys\n  {}\n", rule.policy_keys.join(", ")));
    if !rule.references.is_empty() {
        text.push_str("\nReferences\n");
        for reference in rule.references {
            text.push_str(&format!("  - {reference}\n"));
        }
    }
    text
}

fn init_policy(output: Option<&Path>) -> Result<()> {
    let text = PRESETS[0].1;
    match output {
        None => print!("{text}"),
        Some(path) => {
            let mut file = File::options()
                .write(true)
                .create_new(true)
                .open(path)
                .with_context(|| {
                    format!(
                        "cannot create {} (an existing file is kept)",
                        path.display()
                    )
                })?;
            file.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}
