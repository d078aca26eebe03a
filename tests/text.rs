//! The text rules (E001-E010) through the binary, on the fixtures `testdata/generate_text.py`
//! writes: every file under `clean/` passes, every file under `leak/` is blocked by exactly
//! the rules expected, at the lines expected, with values masked.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/text")
}

fn run(dir: &Path, extra: &[&str]) -> (i32, String) {
    let output = Command::cargo_bin("egress-check")
        .expect("binary built")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60))
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("run");
    let stdout = String::from_utf8(output.stdout).expect("utf-8 report");
    (output.status.code().expect("exit code"), stdout)
}

fn report(extra: &[&str]) -> (i32, String, Value) {
    let (code, stdout) = run(&fixtures(), extra);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (code, stdout, report)
}

fn file<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no {path}"))
}

/// (rule, line, masked value or "") of each finding of a file, in report order.
fn findings(report: &Value, path: &str) -> Vec<(String, u64, String)> {
    file(report, path)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["location"]["line"].as_u64().expect("line"),
                f["evidence"]["masked"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn owned(expected: &[(&str, u64, &str)]) -> Vec<(String, u64, String)> {
    expected
        .iter()
        .map(|(r, l, m)| (r.to_string(), *l, m.to_string()))
        .collect()
}

#[test]
fn clean_text_code_and_logs_pass() {
    let (_, _, report) = report(&[]);
    for path in [
        "clean/analysis.R",
        "clean/analysis.py",
        "clean/git.log",
        "clean/lookalikes.txt",
        "clean/run.log",
    ] {
        let entry = file(&report, path);
        assert_eq!(entry["kind"], "text", "{path}");
        assert_eq!(entry["verdict"], "pass", "{path}: {entry:#}");
        assert_eq!(entry["findings"], Value::Array(vec![]), "{path}");
    }
    // The notes' pipe table of weekly admissions goes to the table rules: read (T014, info)
    // and clean, since every count is at least 90.
    let notes = file(&report, "clean/notes.md");
    assert_eq!(notes["verdict"], "pass", "{notes:#}");
    let codes: Vec<&str> = notes["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(codes, ["T014"]);
    assert_eq!(notes["findings"][0]["location"]["chunk"], "table 1");
}

#[test]
fn identifiers_are_found_with_lines_and_masked() {
    let (code, _, report) = report(&[]);
    assert_eq!(code, 2);
    assert_eq!(
        findings(&report, "leak/patients.log"),
        owned(&[
            ("E001", 2, "943 *** **19"),
            ("E005", 2, "****-**-**"),
            ("E001", 3, "401 *** **37"),
            ("E005", 3, "**/**/****"),
            ("E008", 6, ""),
        ])
    );
    assert_eq!(
        findings(&report, "leak/contacts.txt"),
        owned(&[
            ("E002", 2, "****** **38"),
            ("E003", 3, "AB ** ** ** C"),
            ("E004", 4, "EH1 ***"),
            ("E006", 5, "j***@ed.ac.uk"),
            ("E007", 5, "07*** ****23"),
        ])
    );
    let nhs = &file(&report, "leak/patients.log")["findings"][0];
    assert_eq!(nhs["evidence"]["column"], 52);
    assert_eq!(nhs["location"]["byte_offset"], 104);
    assert_eq!(nhs["location"]["byte_length"], 12);
    assert_eq!(nhs["severity"], "block");
}

#[test]
fn no_identifier_reaches_the_report_in_the_clear() {
    let (_, stdout, _) = report(&[]);
    for value in [
        "9434765919",
        "943 476 5919",
        "401 023 2137",
        "0101801238",
        "AB 12 34 56 C",
        "EH1 1YZ",
        "jane.doe",
        "07700 900123",
        "1980-01-02",
        "30/06/1975",
    ] {
        assert!(!stdout.contains(value), "{value} leaked into the report");
    }
}

#[test]
fn row_listing_gives_count_and_first_line() {
    let (_, _, report) = report(&[]);
    let listing = &file(&report, "leak/patients.log")["findings"][4];
    assert_eq!(listing["rule"], "E008");
    assert_eq!(listing["evidence"]["rows"], 5);
    assert_eq!(listing["evidence"]["first_line"], 6);
    assert_eq!(listing["evidence"]["last_line"], 10);
    assert_eq!(listing["evidence"]["fields"], 5);
    assert_eq!(listing["evidence"]["delimiter"], "spaces");
}

#[test]
fn payloads_carry_their_decoded_size() {
    let (_, _, report) = report(&[]);
    let blob = file(&report, "leak/blob.txt");
    assert_eq!(
        findings(&report, "leak/blob.txt"),
        owned(&[("E009", 5, "")])
    );
    let finding = &blob["findings"][0];
    assert_eq!(finding["capacity_bytes"], 1500);
    assert_eq!(finding["evidence"]["encoding"], "base64");
    assert_eq!(finding["evidence"]["lines"], 27); // 2000 characters wrapped at 76
    assert_eq!(
        finding["evidence"]["decoded_content"],
        "random-looking data"
    );
    assert_eq!(blob["capacity_bytes"], 1500);

    // 25 hidden bytes as 200 zero-width characters, one bit each.
    let hidden = file(&report, "leak/hidden.md");
    assert_eq!(
        findings(&report, "leak/hidden.md"),
        owned(&[("E010", 4, "")])
    );
    let finding = &hidden["findings"][0];
    assert_eq!(finding["evidence"]["count"], 200);
    assert_eq!(finding["evidence"]["bits"], 200);
    assert_eq!(finding["capacity_bytes"], 25);
}

#[test]
fn text_thresholds_come_from_the_policy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[text]\npayload_min_bytes = 2000\nrow_min_rows = 6\ninvisible_min_bits = 256\n\
         [rules]\nE001 = \"off\"\nE005 = \"review\"\n",
    )
    .expect("policy");
    let policy = policy.to_str().expect("utf-8 path");
    let (_, _, report) = report(&["--policy", policy]);
    assert_eq!(file(&report, "leak/blob.txt")["verdict"], "pass");
    assert_eq!(file(&report, "leak/hidden.md")["verdict"], "pass");
    let patients = file(&report, "leak/patients.log");
    assert_eq!(patients["verdict"], "review");
    assert_eq!(
        findings(&report, "leak/patients.log"),
        owned(&[("E005", 2, "****-**-**"), ("E005", 3, "**/**/****")])
    );
}

#[test]
fn bad_text_settings_stop_the_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = dir.path().join("p.toml");
    std::fs::write(&policy, "[text]\npayload_min_byte = 10\nrow_min_rows = 1\n").expect("p");
    let (code, _) = run(&fixtures(), &["--policy", policy.to_str().expect("path")]);
    assert_eq!(code, 3);
    std::fs::write(
        &policy,
        "[text]\nrow_min_rows = 1\npayload_entropy_bits = 9\n",
    )
    .expect("p");
    let output = Command::cargo_bin("egress-check")
        .expect("binary")
        .args(["policy", "show"])
        .arg(&policy)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr.contains("text.row_min_rows"), "{stderr}");
    assert!(stderr.contains("text.payload_entropy_bits"), "{stderr}");
}

#[test]
fn notebook_outputs_are_checked_per_cell() {
    let (_, _, report) = report(&[]);
    let clean = file(&report, "clean/analysis.ipynb");
    let text_rules: Vec<&Value> = clean["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with('E')))
        .collect();
    assert!(text_rules.is_empty(), "{text_rules:?}");

    let leak = file(&report, "leak/cohort.ipynb");
    assert_eq!(leak["verdict"], "block");
    let found: Vec<(String, u64, String)> = leak["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["location"]["chunk"] == "cell1/output0")
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with('E')))
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["location"]["line"].as_u64().expect("line"),
                f["evidence"]["masked"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        owned(&[
            ("E001", 2, "943 *** **19"),
            ("E001", 3, "401 *** **37"),
            ("E001", 4, "450 *** **04"),
            ("E001", 5, "612 *** **84"),
            ("E001", 6, "700 *** **15"),
            ("E008", 2, ""),
        ])
    );

    // The document rules name the same output the same way, so the findings line up.
    let listing = leak["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "P013")
        .expect("the document rules see the printed listing too");
    assert_eq!(listing["location"]["chunk"], "cell1/output0");
}

#[test]
fn a_loop_logging_each_patient_is_a_row_listing() {
    let (_, _, report) = report(&[]);
    let log = file(&report, "leak/patient_loop.log");
    assert_eq!(log["verdict"], "block");
    let listing = &log["findings"][0];
    assert_eq!(listing["rule"], "E008");
    assert_eq!(listing["evidence"]["rows"], 12);
    assert_eq!(listing["evidence"]["first_line"], 2);
    assert_eq!(listing["evidence"]["last_line"], 13);
    assert_eq!(log["findings"].as_array().map(Vec::len), Some(1));
}

#[test]
fn identifiers_are_found_in_a_log_read_as_a_csv() {
    let (_, _, report) = report(&[]);
    // Every line has two commas, so the log is identified as a CSV and the table rules read
    // it (T014); the identifier rules still run on its text and find the NHS number.
    let log = file(&report, "leak/batches.log");
    assert_eq!(log["kind"], "table");
    assert_eq!(log["verdict"], "block");
    let nhs: Vec<&Value> = log["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "E001")
        .collect();
    assert_eq!(nhs.len(), 1);
    assert_eq!(nhs[0]["location"]["line"], 9);
    assert_eq!(nhs[0]["evidence"]["masked"], "943 *** **19");
    // Row listings and payloads stay with the table rules: no E008 or E009 here.
    assert!(log["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["rule"] != "E008" && f["rule"] != "E009"));
}
