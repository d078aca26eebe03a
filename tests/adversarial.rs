//! The adversarial corpus (`testdata/adversarial/`, made by `testdata/generate.py`): every
//! file gets a non-pass verdict with a finding that says why, and the check neither crashes
//! nor hangs (the command's timeout) nor inflates a bomb whole.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn report() -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/adversarial");
    let output = Command::cargo_bin("egress-check")
        .expect("binary")
        .timeout(Duration::from_secs(60))
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

fn rules_of(report: &Value, path: &str) -> Vec<String> {
    let entry = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no {path}"));
    entry["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect()
}

#[test]
fn nothing_in_the_corpus_passes() {
    let report = report();
    let files = report["files"].as_array().expect("files");
    assert!(files.len() >= 11);
    for file in files {
        if file.get("container").is_some() {
            continue;
        }
        assert_ne!(file["verdict"], "pass", "{} passed", file["path"]);
        assert!(
            !file["findings"].as_array().expect("findings").is_empty(),
            "{} has no finding",
            file["path"]
        );
    }
}

#[test]
fn bombs_disguises_and_corruption_are_named() {
    let report = report();
    assert!(rules_of(&report, "bomb.csv.gz").contains(&"A002".into()));
    assert!(rules_of(&report, "truncated.gz").contains(&"A005".into()));
    assert_eq!(rules_of(&report, "random.csv"), ["I002", "O001"]);
    assert_eq!(rules_of(&report, "bad-elf.csv"), ["I002", "X001"]);
    assert_eq!(
        rules_of(&report, "polyglot.png"),
        ["G001"],
        "the appended ZIP is found"
    );
    assert_eq!(rules_of(&report, "truncated.png"), ["G006"]);
    assert_eq!(rules_of(&report, "truncated.jpg"), ["G006"]);
    assert_eq!(rules_of(&report, "dimensions-bomb.png"), ["G006"]);
    assert_eq!(rules_of(&report, "truncated.pkl"), ["M002"]);
    assert_eq!(rules_of(&report, "header-only.parquet"), ["D003"]);
    assert_eq!(
        rules_of(&report, "nested-6.zip!/level4.zip!/level3.zip"),
        ["A006"],
        "nesting stops at archives.max_depth"
    );
}
