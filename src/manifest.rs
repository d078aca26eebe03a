//! The request manifest: an optional `egress-manifest.toml` at the request root in which the
//! researcher describes the request, groups the outputs with their context and the disclosure
//! controls applied, and asks for exceptions with a reason.
//!
//! Loading has the policy's two phases: serde structs that reject unknown keys, then
//! validation that collects every problem at once. A manifest that cannot be used becomes an
//! `invalid-manifest` finding and is ignored; it never aborts the check. The manifest is not
//! an output: the walk leaves it out of the files and the report lists it on its own.
//!
//! An exception only puts its reason beside the findings it answers. It never changes a
//! severity or a verdict: only a policy does that.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::evidence;
use crate::finding::Finding;
use crate::inspect::{hex, open_regular};
use crate::report::FileEntry;
use crate::rules::{self, manifest as rules_manifest, Findings, Rule};

/// The manifest's file name, at the request root.
pub const MANIFEST_NAME: &str = "egress-manifest.toml";

/// Largest manifest read; a description of a request has no reason to be larger.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    request: Option<RawRequest>,
    #[serde(default)]
    groups: Vec<RawGroup>,
    #[serde(default)]
    exceptions: Vec<RawException>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    id: Option<String>,
    project: Option<String>,
    researcher: Option<String>,
    purpose: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    name: Option<String>,
    #[serde(default)]
    files: Vec<String>,
    context: Option<String>,
    controls: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    rule: Option<String>,
    file: Option<String>,
    reason: Option<String>,
}

/// Who asks for what release, and why.
#[derive(Clone, Debug, Serialize)]
pub struct RequestInfo {
    /// The request's identifier in the TRE's own system.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub researcher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

/// Outputs described together: what they are and which disclosure controls were applied.
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// The group's name, shown beside each of its files.
    pub name: String,
    /// Paths or glob patterns (`*`, `?`, `**`) relative to the request root.
    pub files: Vec<String>,
    /// What the outputs are, readable without knowing the project.
    pub context: String,
    /// The disclosure controls applied (suppression, rounding, thresholds).
    pub controls: String,
}

/// A request to release a file despite a finding, with the researcher's reason.
#[derive(Clone, Debug, Serialize)]
pub struct Exception {
    /// The rule the exception answers.
    #[serde(serialize_with = "serialize_rule")]
    pub rule: &'static Rule,
    /// A path or glob pattern relative to the request root.
    pub file: String,
    /// The researcher's justification, shown beside the findings it answers.
    pub reason: String,
}

fn serialize_rule<S: serde::Serializer>(rule: &&'static Rule, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(rule.code)
}

/// A valid manifest.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    /// Who asks for what release, and why.
    pub request: RequestInfo,
    /// Outputs described together, in the order written.
    pub groups: Vec<Group>,
    /// Requests for exceptions, in the order written.
    pub exceptions: Vec<Exception>,
}

/// The manifest file as found in the request, listed apart from the outputs.
#[derive(Clone, Debug, Serialize)]
pub struct ManifestFile {
    /// Relative to the root: always [`MANIFEST_NAME`].
    pub path: String,
    /// Size of the manifest file.
    pub bytes: u64,
    /// SHA-256 of the bytes parsed; `None` when it could not be read.
    pub sha256: Option<String>,
    /// The validated content; `None` when the manifest is invalid.
    pub manifest: Option<Manifest>,
    /// Why the manifest could not be used, every problem at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

impl ManifestFile {
    /// The group a file belongs to: the first whose patterns match its path.
    pub fn group_of(&self, path: &str) -> Option<&Group> {
        let manifest = self.manifest.as_ref()?;
        manifest
            .groups
            .iter()
            .find(|group| group.files.iter().any(|pattern| glob_match(pattern, path)))
    }

    /// The request id, when the manifest is valid.
    pub fn request_id(&self) -> Option<&str> {
        self.manifest.as_ref().map(|m| m.request.id.as_str())
    }
}

/// Reads and validates the manifest at `abs`. Never fails: problems are kept in the result.
pub fn load(abs: &Path) -> ManifestFile {
    let mut file = ManifestFile {
        path: MANIFEST_NAME.to_string(),
        bytes: 0,
        sha256: None,
        manifest: None,
        problems: Vec::new(),
    };
    let bytes = match read_bounded(abs) {
        Ok(bytes) => bytes,
        Err(problem) => {
            file.problems.push(problem);
            return file;
        }
    };
    file.bytes = bytes.len() as u64;
    file.sha256 = Some(hex(&Sha256::digest(&bytes)));
    match parse(&bytes) {
        Ok(manifest) => file.manifest = Some(manifest),
        Err(problems) => file.problems = problems,
    }
    file
}

fn read_bounded(abs: &Path) -> Result<Vec<u8>, String> {
    let (file, _) = open_regular(abs).map_err(|e| format!("cannot be read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {e}"))?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(format!(
            "is larger than the {MAX_MANIFEST_BYTES} bytes a manifest may have"
        ));
    }
    Ok(bytes)
}

/// Parses and validates manifest bytes, collecting every problem.
pub fn parse(bytes: &[u8]) -> Result<Manifest, Vec<String>> {
    let text = std::str::from_utf8(bytes).map_err(|e| vec![format!("is not UTF-8: {e}")])?;
    let raw: RawManifest = toml::from_str(text).map_err(|e| vec![flatten(&e.to_string())])?;
    validate(raw)
}

/// A TOML error on one line, for a finding message.
fn flatten(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "|")
        .collect::<Vec<_>>()
        .join(" ")
}

fn required(value: Option<String>, key: &str, problems: &mut Vec<String>) -> String {
    match value {
        Some(text) if !text.trim().is_empty() => text,
        _ => {
            problems.push(format!("{key} is required and must not be empty"));
            String::new()
        }
    }
}

fn validate(raw: RawManifest) -> Result<Manifest, Vec<String>> {
    let mut problems = Vec::new();
    let request = match raw.request {
        Some(request) => RequestInfo {
            id: required(request.id, "request.id", &mut problems),
            project: request.project,
            researcher: request.researcher,
            purpose: request.purpose,
        },
        None => {
            problems.push("the [request] table is required (at least its id)".to_string());
            RequestInfo {
                id: String::new(),
                project: None,
                researcher: None,
                purpose: None,
            }
        }
    };

    let mut groups = Vec::new();
    for (i, group) in raw.groups.into_iter().enumerate() {
        let name = required(group.name, &format!("groups[{i}].name"), &mut problems);
        if group.files.is_empty() {
            problems.push(format!(
                "groups[{i}].files must list at least one file or pattern"
            ));
        }
        groups.push(Group {
            name,
            files: group.files,
            context: required(
                group.context,
                &format!("groups[{i}].context"),
                &mut problems,
            ),
            controls: required(
                group.controls,
                &format!("groups[{i}].controls"),
                &mut problems,
            ),
        });
    }

    let mut exceptions = Vec::new();
    for (i, exception) in raw.exceptions.into_iter().enumerate() {
        let code = required(
            exception.rule,
            &format!("exceptions[{i}].rule"),
            &mut problems,
        );
        let file = required(
            exception.file,
            &format!("exceptions[{i}].file"),
            &mut problems,
        );
        let reason = required(
            exception.reason,
            &format!("exceptions[{i}].reason"),
            &mut problems,
        );
        let rule = rules::lookup(&code);
        if rule.is_none() && !code.is_empty() {
            problems.push(format!(
                "exceptions[{i}].rule: no rule has the code or name {code:?}"
            ));
        }
        if let Some(rule) = rule {
            exceptions.push(Exception { rule, file, reason });
        }
    }

    if problems.is_empty() {
        Ok(Manifest {
            request,
            groups,
            exceptions,
        })
    } else {
        Err(problems)
    }
}

/// Puts each exception's reason beside the findings it answers, and reports the invalid
/// manifest or the exceptions that answer nothing as request-level findings. Severities and
/// verdicts are left as they are.
///
/// Limitation: an exception names a file, so request-level findings (budgets, the entry
/// limit) cannot be answered by one; such an exception is reported as unmatched.
pub fn apply(manifest: &ManifestFile, files: &mut [FileEntry], request: &mut Findings) {
    let Some(valid) = &manifest.manifest else {
        request.push(
            Finding::new(
                &rules_manifest::INVALID_MANIFEST,
                format!(
                    "{MANIFEST_NAME} was ignored: {}",
                    manifest.problems.join("; ")
                ),
            )
            .with_evidence(evidence! {"problems" => manifest.problems}),
        );
        return;
    };

    for file in files.iter_mut() {
        file.group = manifest.group_of(&file.path).map(|g| g.name.clone());
    }

    for exception in &valid.exceptions {
        let mut answered = 0usize;
        for file in files.iter_mut() {
            if !glob_match(&exception.file, &file.path) {
                continue;
            }
            for finding in &mut file.findings {
                if std::ptr::eq(finding.rule, exception.rule) && finding.exception.is_none() {
                    finding.exception = Some(exception.reason.clone());
                    answered += 1;
                }
            }
        }
        if answered == 0 {
            request.push(
                Finding::new(
                    &rules_manifest::UNMATCHED_EXCEPTION,
                    format!(
                        "the exception for {} {} on {} answers no finding",
                        exception.rule.code, exception.rule.name, exception.file
                    ),
                )
                .with_evidence(evidence! {
                    "rule" => exception.rule.code,
                    "file" => exception.file,
                    "reason" => exception.reason,
                }),
            );
        }
    }
}

/// Matches a `/`-separated path against a glob: `*` and `?` within one path segment, `**`
/// across segments. Anything else matches itself. Linear in pattern × path, so a hostile
/// pattern cannot make it slow.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let path: Vec<char> = path.chars().collect();
    // matches[j]: the pattern read so far matches path[..j].
    let mut matches = vec![false; path.len() + 1];
    matches[0] = true;
    let mut p = 0;
    while p < pattern.len() {
        let mut next = vec![false; path.len() + 1];
        match pattern[p] {
            '*' if pattern.get(p + 1) == Some(&'*') => {
                let slash = pattern.get(p + 2) == Some(&'/');
                let mut reached = false;
                for j in 0..=path.len() {
                    if slash {
                        // `**/`: no folder at all, or any run of folders ending in `/`.
                        let after_folder = j > 0 && path[j - 1] == '/' && reached;
                        next[j] = matches[j] || after_folder;
                        reached |= matches[j];
                    } else {
                        reached |= matches[j];
                        next[j] = reached;
                    }
                }
                p += if slash { 3 } else { 2 };
            }
            '*' => {
                let mut reached = false;
                for j in 0..=path.len() {
                    if j > 0 && path[j - 1] == '/' {
                        reached = false;
                    }
                    reached |= matches[j];
                    next[j] = reached;
                }
                p += 1;
            }
            '?' => {
                for j in 1..=path.len() {
                    next[j] = matches[j - 1] && path[j - 1] != '/';
                }
                p += 1;
            }
            literal => {
                for j in 1..=path.len() {
                    next[j] = matches[j - 1] && path[j - 1] == literal;
                }
                p += 1;
            }
        }
        matches = next;
    }
    matches[path.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::policy::Policy;

    #[test]
    fn globs_match_within_and_across_folders() {
        assert!(glob_match("tables/age.csv", "tables/age.csv"));
        assert!(!glob_match("tables/age.csv", "tables/age.csvx"));
        assert!(glob_match("tables/*.csv", "tables/age.csv"));
        assert!(!glob_match("tables/*.csv", "tables/sub/age.csv"));
        assert!(!glob_match("*.csv", "tables/age.csv"));
        assert!(glob_match("**/*.csv", "age.csv"));
        assert!(glob_match("**/*.csv", "tables/sub/age.csv"));
        assert!(glob_match("tables/**", "tables/sub/age.csv"));
        assert!(glob_match("t?bles/a*", "tables/age.csv"));
        assert!(!glob_match("?", "/"));
        assert!(glob_match("**", "a/b/c"));
        assert!(!glob_match("a/**/c", "a/b/d"));
        assert!(glob_match("a/**/c", "a/c"));
        assert!(glob_match("a/**/c", "a/b/x/c"));
    }

    #[test]
    fn hostile_pattern_is_quick() {
        let pattern = "*a".repeat(200);
        let path = "a".repeat(2000) + "b";
        let started = std::time::Instant::now();
        assert!(!glob_match(&pattern, &path));
        assert!(started.elapsed().as_secs() < 2);
    }

    const GOOD: &str = r#"
[request]
id = "REQ-42"
project = "P-17"

[[groups]]
name = "tables"
files = ["tables/*.csv"]
context = "counts of patients by age band and sex"
controls = "counts under 10 suppressed"

[[exceptions]]
rule = "no-content-rules"
file = "tables/age.csv"
reason = "checked by hand"

[[exceptions]]
rule = "O001"
file = "nothing/here.bin"
reason = "stale"
"#;

    fn entry(path: &str, rule: &'static Rule) -> FileEntry {
        let mut entry = FileEntry::new(path, "table");
        entry.bytes = 10;
        entry.sha256 = Some("0".repeat(64));
        entry.findings = vec![Finding::new(rule, "m")];
        entry
    }

    #[test]
    fn a_valid_manifest_parses() {
        let manifest = parse(GOOD.as_bytes()).expect("valid");
        assert_eq!(manifest.request.id, "REQ-42");
        assert_eq!(manifest.groups[0].files, ["tables/*.csv"]);
        assert_eq!(manifest.exceptions[0].rule.code, "K001");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = "[request]\nid = \"\"\n[[groups]]\nname = \"g\"\nfiles = []\n\
                    [[exceptions]]\nrule = \"Z999\"\nfile = \"a\"\n";
        let problems = parse(text.as_bytes()).expect_err("invalid");
        let joined = problems.join("\n");
        for expected in [
            "request.id",
            "groups[0].files",
            "groups[0].context",
            "groups[0].controls",
            "exceptions[0].reason",
            "Z999",
        ] {
            assert!(joined.contains(expected), "{expected} in {joined}");
        }
        let unknown = parse(b"[request]\nid = \"x\"\ncolour = 1\n").expect_err("unknown key");
        assert!(unknown[0].contains("colour"), "{unknown:?}");
    }

    #[test]
    fn exceptions_annotate_without_changing_severity() {
        let manifest = ManifestFile {
            path: MANIFEST_NAME.into(),
            bytes: 1,
            sha256: None,
            manifest: Some(parse(GOOD.as_bytes()).expect("valid")),
            problems: Vec::new(),
        };
        let k001 = rules::lookup("K001").expect("rule");
        let o001 = rules::lookup("O001").expect("rule");
        let mut files = vec![
            entry("tables/age.csv", k001),
            entry("tables/other.csv", k001),
            entry("extra/cache.dat", o001),
        ];
        let policy = Policy::default_policy();
        let mut request = Findings::new(&policy);
        apply(&manifest, &mut files, &mut request);

        let answered = &files[0].findings[0];
        assert_eq!(answered.exception.as_deref(), Some("checked by hand"));
        assert_eq!(answered.severity, Severity::Review);
        assert_eq!(files[1].findings[0].exception, None);
        assert_eq!(files[2].findings[0].exception, None, "wrong file");
        assert_eq!(files[0].group.as_deref(), Some("tables"));
        assert_eq!(files[2].group, None);

        let request = request.into_vec();
        assert_eq!(request.len(), 1);
        assert_eq!(request[0].rule.code, "R001");
        assert!(request[0].message.contains("nothing/here.bin"));
    }

    #[test]
    fn an_invalid_manifest_is_a_finding() {
        let manifest = ManifestFile {
            path: MANIFEST_NAME.into(),
            bytes: 1,
            sha256: None,
            manifest: None,
            problems: vec!["request.id is required".into()],
        };
        let policy = Policy::default_policy();
        let mut request = Findings::new(&policy);
        apply(&manifest, &mut [], &mut request);
        let request = request.into_vec();
        assert_eq!(request[0].rule.code, "R002");
        assert_eq!(request[0].severity, Severity::Review);
    }
}
