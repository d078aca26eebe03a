//! The report formats on the example request and on a request with a manifest: Markdown,
//! SARIF, HTML and the SACRO-Viewer export, snapshotted with the timestamp, the policy hash
//! and the version redacted.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

fn egress_check() -> Command {
    let mut command = Command::cargo_bin("egress-check").expect("binary built");
    command
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .timeout(Duration::from_secs(60));
    command
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/requests")
        .join(name)
}

/// Runs `check` on a fixture (by its path relative to the crate) and returns exit code and
/// standard output.
fn run(request: &str, args: &[&str]) -> (i32, String) {
    let output = egress_check()
        .arg("check")
        .arg(format!("testdata/requests/{request}"))
        .args(args)
        .output()
        .expect("run");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    (output.status.code().expect("exit code"), stdout)
}

/// The policy hash of the default policy, to redact it.
fn policy_hash() -> String {
    let (_, json) = run("example", &["--format", "json"]);
    let report: Value = serde_json::from_str(&json).expect("json");
    report["policy"]["sha256"]
        .as_str()
        .expect("hash")
        .to_string()
}

/// Replaces RFC 3339 timestamps, the policy hash (whole or short) and the version.
fn redact(text: &str) -> String {
    let hash = policy_hash();
    let text = text
        .replace(&hash, "[policy hash]")
        .replace(&hash[..12], "[policy hash]")
        .replace(env!("CARGO_PKG_VERSION"), "[version]");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if i + 20 <= chars.len() && is_timestamp(&chars[i..i + 20]) {
            out.push_str("[timestamp]");
            i += 20;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn is_timestamp(c: &[char]) -> bool {
    let shape = "dddd-dd-ddTdd:dd:ddZ";
    shape.chars().zip(c).all(|(s, &c)| match s {
        'd' => c.is_ascii_digit(),
        s => s == c,
    })
}

#[test]
fn markdown_report_snapshot() {
    let (code, markdown) = run("example", &["--format", "markdown"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(redact(&markdown));
}

#[test]
fn sarif_report_snapshot() {
    let (code, sarif) = run("example", &["--format", "sarif"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(redact(&sarif));
}

#[test]
fn sarif_follows_the_2_1_0_structure() {
    let (_, sarif) = run("example", &["--format", "sarif"]);
    let log: Value = serde_json::from_str(&sarif).expect("json");
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"]
        .as_str()
        .expect("schema")
        .contains("sarif-2.1.0"));
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), egress_check::rules::RULES.len());
    for rule in rules {
        for key in ["id", "name"] {
            assert!(rule[key].is_string(), "{key} in {rule}");
        }
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(rule[key]["text"].is_string(), "{key} in {rule}");
        }
    }
    let results = run["results"].as_array().expect("results");
    // O001 on the cache file, T001 and two T014 (info) on the tables.
    assert_eq!(results.len(), 4);
    for result in results {
        let id = result["ruleId"].as_str().expect("ruleId");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], id);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().expect("level")));
        assert!(result["message"]["text"].is_string());
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert!(artifact["uri"].is_string());
    }
    let random = results
        .iter()
        .find(|r| r["ruleId"] == "O001")
        .expect("O001");
    assert_eq!(random["level"], "error");
    let location = &random["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "extra/cache.dat");
    assert_eq!(location["region"]["byteOffset"], 0);
    assert_eq!(location["region"]["byteLength"], 6144);
    let review = results
        .iter()
        .find(|r| r["ruleId"] == "T001")
        .expect("T001");
    assert_eq!(review["level"], "warning");
    let info = results
        .iter()
        .find(|r| r["ruleId"] == "T014")
        .expect("T014");
    assert_eq!(info["level"], "note");
}

/// A request folder outside the crate, to build hostile cases in.
fn request() -> TempDir {
    TempDir::new().expect("tempdir")
}

#[test]
fn markdown_escapes_hostile_names() {
    let dir = request();
    fs::write(
        dir.path().join("<img src=x onerror=alert(1)>.csv"),
        "a,b\n1,2\n",
    )
    .expect("write");
    fs::write(dir.path().join("x|y](http:evil).csv"), "a,b\n1,2\n").expect("write");
    let output = egress_check()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "markdown"])
        .output()
        .expect("run");
    let markdown = String::from_utf8(output.stdout).expect("utf-8");
    // Inside a code span a tag or a link is inert text; they appear nowhere else.
    let tag = "`<img src=x onerror=alert(1)>.csv`";
    assert_eq!(
        markdown.matches("<img").count(),
        markdown.matches(tag).count()
    );
    let in_span = markdown.matches("`x¦y](http:evil).csv`").count();
    assert!(in_span > 0, "{markdown}");
    assert_eq!(
        markdown.matches("](http:evil)").count(),
        in_span,
        "{markdown}"
    );
    assert!(
        !markdown.contains("x|y"),
        "a pipe would split the table cell: {markdown}"
    );
}

#[test]
fn manifest_reasons_sit_beside_findings_and_change_no_verdict() {
    let (code, json) = run("with-manifest", &["--format", "json"]);
    assert_eq!(code, 1, "the exception leaves the review in place");
    let report: Value = serde_json::from_str(&json).expect("json");
    let paths: Vec<&str> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, ["figures/incidence.png", "tables/age_by_sex.csv"]);
    assert_eq!(report["manifest"]["path"], "egress-manifest.toml");
    assert_eq!(
        report["manifest"]["manifest"]["request"]["id"],
        "REQ-2026-042"
    );
    assert_eq!(
        report["manifest"]["sha256"].as_str().map(str::len),
        Some(64)
    );

    let table = &report["files"][1];
    assert_eq!(table["group"], "incidence");
    assert_eq!(table["verdict"], "review");
    let finding = table["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "T001")
        .expect("the small cell");
    assert_eq!(finding["severity"], "review");
    assert!(finding["exception"]["reason"]
        .as_str()
        .expect("reason")
        .starts_with("Checked by hand"));
    assert_eq!(report["files"][0]["findings"][0]["exception"], Value::Null);

    let request = report["findings"].as_array().expect("findings");
    assert_eq!(request.len(), 1);
    assert_eq!(request[0]["rule"], "R001");
    assert_eq!(request[0]["evidence"]["file"], "extra/cache.dat");
}

#[test]
fn an_exception_never_turns_a_block_into_a_pass() {
    let dir = request();
    fs::write(dir.path().join("cache.dat"), [0x9f_u8; 300]).expect("write");
    fs::write(
        dir.path().join("egress-manifest.toml"),
        "[request]\nid = \"R1\"\n[[exceptions]]\nrule = \"O003\"\nfile = \"*.dat\"\n\
         reason = \"please\"\n",
    )
    .expect("write");
    let output = egress_check()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    let finding = &report["files"][0]["findings"][0];
    assert_eq!(finding["rule"], "O003");
    assert_eq!(finding["severity"], "block");
    assert_eq!(finding["exception"]["reason"], "please");
    assert_eq!(
        report["summary"]["files"], 1,
        "the manifest is not an output"
    );
}

#[test]
fn an_invalid_manifest_is_a_finding_not_an_abort() {
    let dir = request();
    fs::write(dir.path().join("t.csv"), "a,b\n1,2\n").expect("write");
    fs::write(
        dir.path().join("egress-manifest.toml"),
        "[request]\nid = \"R1\"\nsecret_key = 1\n\
         [[exceptions]]\nrule = \"K001\"\nfile = \"t.csv\"\n",
    )
    .expect("write");
    let output = egress_check()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "R002");
    assert_eq!(finding["severity"], "review");
    assert!(
        finding["message"]
            .as_str()
            .expect("message")
            .contains("secret_key"),
        "{finding}"
    );
    assert_eq!(report["manifest"]["manifest"], Value::Null);
    assert_eq!(report["files"][0]["findings"][0]["exception"], Value::Null);
}

#[test]
fn a_manifest_that_is_a_link_stays_an_output() {
    let dir = request();
    let outside = request();
    fs::write(outside.path().join("m.toml"), "[request]\nid = \"R1\"\n").expect("write");
    std::os::unix::fs::symlink(
        outside.path().join("m.toml"),
        dir.path().join("egress-manifest.toml"),
    )
    .expect("link");
    let output = egress_check()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["files"][0]["path"], "egress-manifest.toml");
    assert_eq!(report["files"][0]["findings"][0]["rule"], "W001");
    assert!(report.get("manifest").is_none());
}

#[test]
fn manifest_fixture_reports_in_text_and_markdown() {
    let (_, text) = run("with-manifest", &[]);
    assert!(
        text.contains("exception requested: Checked by hand"),
        "{text}"
    );
    assert!(text.contains("manifest egress-manifest.toml (request REQ-2026-042"));
    let (_, markdown) = run("with-manifest", &["--format", "markdown"]);
    insta::assert_snapshot!(redact(&markdown));
    assert!(fixture("with-manifest")
        .join("egress-manifest.toml")
        .is_file());
}

fn audit(args: &[&str], ledger: &Path) -> (i32, String) {
    let output = egress_check()
        .arg("audit")
        .args(args)
        .arg(ledger)
        .output()
        .expect("run");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    (output.status.code().expect("exit code"), stdout)
}

#[test]
fn ledger_records_checks_and_verify_catches_tampering() {
    let dir = TempDir::new().expect("tempdir");
    let ledger = dir.path().join("ledger.jsonl");
    for request in ["example", "with-manifest"] {
        egress_check()
            .arg("check")
            .arg(fixture(request))
            .arg("--ledger")
            .arg(&ledger)
            .output()
            .expect("run");
    }
    let text = fs::read_to_string(&ledger).expect("ledger");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    let first: Value = serde_json::from_str(lines[0]).expect("json");
    let second: Value = serde_json::from_str(lines[1]).expect("json");
    assert_eq!(first["prev_sha256"], egress_check::ledger::GENESIS);
    assert_eq!(first["verdict"], "block");
    assert_eq!(first["files"][1]["path"], "extra/cache.dat");
    assert_eq!(first["files"][1]["bytes"], 6144);
    assert_eq!(first["files"][1]["verdict"], "block");
    assert_eq!(first["policy"]["name"], "default");
    assert_eq!(second["request_id"], "REQ-2026-042");
    assert_eq!(
        second["prev_sha256"],
        egress_check::ledger::line_hash(lines[0].as_bytes())
    );

    let (code, out) = audit(&["verify"], &ledger);
    assert_eq!(code, 0, "{out}");
    let head = egress_check::ledger::line_hash(lines[1].as_bytes());
    assert!(out.contains(&head), "{out}");
    let (code, _) = audit(&["verify", "--head", &head], &ledger);
    assert_eq!(code, 0);
    let (code, out) = audit(&["verify", "--head", &"0".repeat(64)], &ledger);
    assert_eq!(code, 2, "{out}");

    let (code, summary) = audit(&["summary"], &ledger);
    assert_eq!(code, 0);
    assert!(summary.contains("2 checks of 8 files"), "{summary}");
    assert!(summary.contains("| O001 random-data | 1 |"), "{summary}");
    let (code, html) = audit(&["summary", "--format", "html"], &ledger);
    assert_eq!(code, 0);
    assert!(
        html.contains("<svg") && html.contains("Hash chain intact"),
        "{html}"
    );

    fs::write(&ledger, text.replacen("\"block\"", "\"pass\"", 1)).expect("tamper");
    let (code, out) = audit(&["verify"], &ledger);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("line 2"), "{out}");
    let (_, summary) = audit(&["summary"], &ledger);
    assert!(summary.contains("broken at line 2"), "{summary}");

    let (code, _) = audit(&["verify"], &dir.path().join("missing.jsonl"));
    assert_eq!(code, 3);
}

#[test]
fn the_ledger_is_never_inside_the_request() {
    let dir = request();
    fs::write(dir.path().join("t.csv"), "a,b\n1,2\n").expect("write");
    let output = egress_check()
        .arg("check")
        .arg(dir.path())
        .arg("--ledger")
        .arg(dir.path().join("ledger.jsonl"))
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("inside the request folder"));
    assert!(!dir.path().join("ledger.jsonl").exists());
}

#[test]
fn html_report_snapshot() {
    let (code, html) = run("example", &["--format", "html"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(redact(&html));
}

#[test]
fn html_report_with_manifest_snapshot() {
    let (code, html) = run("with-manifest", &["--format", "html"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(redact(&html));
}

#[test]
fn html_report_is_self_contained_and_inert() {
    let dir = request();
    let hostile = "<img src=x onerror=alert(1)>.csv";
    fs::write(dir.path().join(hostile), "a,b\n1,2\n").expect("write");
    fs::write(
        dir.path().join("egress-manifest.toml"),
        "[request]\nid = \"<script>alert(2)</script>\"\n[[exceptions]]\nrule = \"K001\"\n\
         file = \"*.csv\"\nreason = \"</td><b onmouseover=x>\"\n",
    )
    .expect("write");
    let output = egress_check()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "html"])
        .output()
        .expect("run");
    let html = String::from_utf8(output.stdout).expect("utf-8");
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in [
        "<img",
        "<script",
        "<b onmouseover",
        "src=\"http",
        "href=\"http",
        "<link",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} in {html}");
    }
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;.csv"));
    assert!(html.contains("&lt;/td&gt;&lt;b onmouseover=x&gt;"));
    assert!(html.contains("default-src 'none'"), "a CSP forbids scripts");
    // Every finding links to its rule's documentation on the same page.
    let mut linked = 0;
    for piece in html.split("href=\"#rule-").skip(1) {
        let code = &piece[..4];
        assert!(
            html.contains(&format!("id=\"rule-{code}\"")),
            "no docs for {code}"
        );
        linked += 1;
    }
    assert!(linked > 0, "findings link to their rules");
}

#[test]
fn acro_export_writes_results_and_checksums() {
    let out = TempDir::new().expect("tempdir");
    let export = out.path().join("export");
    let status = egress_check()
        .args([
            "check",
            "testdata/requests/example",
            "--format",
            "acro",
            "--output",
        ])
        .arg(&export)
        .output()
        .expect("run")
        .status;
    assert_eq!(status.code(), Some(2));
    let text = fs::read_to_string(export.join("results.json")).expect("results.json");
    insta::assert_snapshot!(redact(&text));

    // The layout SACRO-Viewer validates: version, results, files[].name, with a checksum.
    let results: Value = serde_json::from_str(&text).expect("json");
    assert!(results["version"].is_string());
    let outputs = results["results"].as_object().expect("results");
    assert_eq!(outputs.len(), 6);
    for (name, output) in outputs {
        let file = &output["files"][0];
        assert_eq!(file["name"], name.as_str());
        assert!(["pass", "fail", "review"].contains(&output["status"].as_str().expect("status")));
        let checksum = fs::read_to_string(export.join("checksums").join(format!("{name}.txt")))
            .expect("checksum");
        let bytes = fs::read(fixture("example").join(name)).expect("output");
        use sha2::Digest;
        let expected: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(checksum, expected, "{name}");
    }
    assert_eq!(outputs["extra/cache.dat"]["status"], "fail");
    assert_eq!(
        outputs["extra/cache.dat"]["files"][0]["sdc"]["summary"]["O001"],
        1
    );
    assert_eq!(outputs["logs/run.log"]["status"], "pass");
    assert_eq!(outputs["tables/age_by_sex.csv"]["status"], "review");

    // An earlier export is never overwritten, and a folder is required.
    let again = egress_check()
        .args([
            "check",
            "testdata/requests/example",
            "--format",
            "acro",
            "--output",
        ])
        .arg(&export)
        .output()
        .expect("run");
    assert_eq!(again.status.code(), Some(3));
    let bare = egress_check()
        .args(["check", "testdata/requests/example", "--format", "acro"])
        .output()
        .expect("run");
    assert_eq!(bare.status.code(), Some(3));
}

#[test]
fn acro_export_carries_exceptions_and_is_never_inside_the_request() {
    let out = TempDir::new().expect("tempdir");
    egress_check()
        .args([
            "check",
            "testdata/requests/with-manifest",
            "--format",
            "acro",
            "--output",
        ])
        .arg(out.path().join("x"))
        .output()
        .expect("run");
    let results: Value =
        serde_json::from_slice(&fs::read(out.path().join("x/results.json")).expect("read"))
            .expect("json");
    let table = &results["results"]["tables/age_by_sex.csv"];
    assert!(table["exception"]
        .as_str()
        .expect("exception")
        .starts_with("T001: Checked by hand"));
    assert_eq!(table["status"], "review");
    assert_eq!(table["properties"]["group"], "incidence");
    assert_eq!(results["egress_check"]["request_id"], "REQ-2026-042");
    assert_eq!(
        results["egress_check"]["request_findings"][0]["rule"],
        "R001"
    );

    let dir = request();
    fs::write(dir.path().join("t.csv"), "a,b\n1,2\n").expect("write");
    let inside = egress_check()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "acro", "--output"])
        .arg(dir.path().join("export"))
        .output()
        .expect("run");
    assert_eq!(inside.status.code(), Some(3));
    assert!(!dir.path().join("export").exists());
}
