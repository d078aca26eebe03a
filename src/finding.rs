//! Findings and verdicts: the one record every rule produces and every report renders.
//!
//! A finding says which rule fired, how serious it is under the active policy, where in the
//! file it applies, what was measured and which threshold it broke. Verdicts are derived from
//! findings and never stored separately, so a report cannot disagree with its own evidence.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::rules::Rule;

/// How serious a finding is. The order matters: a verdict is the worst severity present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Recorded in the report, no effect on the verdict.
    Info,
    /// A person must look at the file before it is released.
    Review,
    /// The file must not leave as it is.
    Block,
}

impl Severity {
    /// The lowercase word used in policies and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Review => "review",
            Severity::Block => "block",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome for a file or a request: pass unless some finding asks for more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Review,
    Block,
}

impl Verdict {
    /// The verdict a set of findings earns: the worst severity above `info`.
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Verdict {
        findings
            .into_iter()
            .map(|f| Verdict::from(f.severity))
            .max()
            .unwrap_or(Verdict::Pass)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Review => "review",
            Verdict::Block => "block",
        }
    }
}

impl From<Severity> for Verdict {
    fn from(severity: Severity) -> Verdict {
        match severity {
            Severity::Info => Verdict::Pass,
            Severity::Review => Verdict::Review,
            Severity::Block => Verdict::Block,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a file a finding applies. Only the fields that make sense for the rule are set;
/// the rest are left out of the report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Row label of a table cell, as printed in the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// Column label of a table cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// One-based line number in a text file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Byte offset of the first byte concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_offset: Option<u64>,
    /// Number of bytes concerned, starting at `byte_offset`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_length: Option<u64>,
    /// A named part of a container: a PNG chunk, a JPEG segment, a sheet, an archive member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chunk: Option<String>,
}

impl Location {
    /// A byte range, the usual location of container and entropy findings.
    pub fn bytes(offset: u64, length: u64) -> Location {
        Location {
            byte_offset: Some(offset),
            byte_length: Some(length),
            ..Location::default()
        }
    }

    /// True when no field is set: the finding concerns the file as a whole.
    pub fn is_whole_file(&self) -> bool {
        *self == Location::default()
    }
}

/// One thing a rule found, with the evidence a person needs to check it.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule that fired.
    pub rule: &'static Rule,
    /// The severity the active policy gives that rule.
    pub severity: Severity,
    /// One sentence, naming the place, the measured figure and the threshold.
    pub message: String,
    pub location: Location,
    /// The measured figures and thresholds, as a JSON object.
    pub evidence: Map<String, Value>,
    /// Bytes this file could be carrying that the rule cannot rule out.
    pub capacity_bytes: u64,
    /// The researcher's reason from the request manifest, when an exception there names this
    /// finding. Shown beside the finding; it never changes the severity or a verdict.
    pub exception: Option<String>,
}

/// Builds the evidence object of a finding from `key => value` pairs.
#[macro_export]
macro_rules! evidence {
    ($($key:expr => $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut map = ::serde_json::Map::new();
        $(map.insert(String::from($key), ::serde_json::json!($value));)*
        map
    }};
}

impl Finding {
    /// A finding of `rule` at its default severity, about the whole file, carrying nothing.
    /// The policy's severity is applied when it is pushed into a `Findings` collector.
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            location: Location::default(),
            evidence: Map::new(),
            capacity_bytes: 0,
            exception: None,
        }
    }

    /// Sets where in the file the finding applies.
    pub fn at(mut self, location: Location) -> Finding {
        self.location = location;
        self
    }

    /// Adds the measured figures and thresholds (keys already set are overwritten).
    pub fn with_evidence(mut self, evidence: Map<String, Value>) -> Finding {
        self.evidence.extend(evidence);
        self
    }

    /// Sets the bytes the file could be carrying unseen.
    pub fn carrying(mut self, capacity_bytes: u64) -> Finding {
        self.capacity_bytes = capacity_bytes;
        self
    }
}
