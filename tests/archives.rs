//! Archives: every member checked as a file of its own, every guard enforced while inflating.
//! Fixtures are made by `testdata/generate.py` (`archives()`).

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn report() -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/archives");
    let output = Command::cargo_bin("egress-check")
        .expect("binary")
        .timeout(Duration::from_secs(60))
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    serde_json::from_slice(&output.stdout).expect("json")
}

fn entry<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no {path}"))
}

fn rules(entry: &Value) -> Vec<&str> {
    entry["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect()
}

#[test]
fn members_are_checked_recursively_and_verdicts_carried_up() {
    let report = report();
    let archive = entry(&report, "nested.zip");
    assert_eq!(rules(archive), ["A001"]);
    assert_eq!(
        archive["verdict"], "block",
        "the random member's block is carried up"
    );

    let blob = entry(&report, "nested.zip!/cache.bin");
    assert_eq!(blob["container"], "nested.zip");
    assert_eq!(rules(blob), ["O001"]);
    assert_eq!(blob["capacity_bytes"], 4096);

    let deep = entry(&report, "nested.zip!/inner.zip!/deep/table.csv");
    assert_eq!(deep["kind"], "table");
    assert_eq!(deep["container"], "nested.zip!/inner.zip");
    assert_eq!(entry(&report, "nested.zip!/inner.zip")["verdict"], "review");
}

#[test]
fn bombs_stop_inflating_at_the_ratio() {
    let report = report();
    let bomb = entry(&report, "bomb.zip");
    assert_eq!(rules(bomb), ["A002", "A001"]);
    let finding = &bomb["findings"][0];
    assert_eq!(finding["location"]["chunk"], "zeros.csv");
    assert_eq!(finding["evidence"]["inflated_bytes"], 8 << 20);
    assert_eq!(finding["evidence"]["limit"], 100);
    assert_eq!(finding["evidence"]["member"], "zeros.csv");
}

#[test]
fn encrypted_escaping_linked_and_corrupt_members() {
    let report = report();
    let encrypted = entry(&report, "encrypted.zip");
    assert_eq!(rules(encrypted), ["A003", "A001"]);
    assert_eq!(encrypted["capacity_bytes"], 31);

    let slip = entry(&report, "slip.zip");
    assert_eq!(rules(slip), ["A004", "A001"]);
    assert_eq!(
        slip["findings"][0]["evidence"]["member"],
        "../../outside.csv"
    );
    entry(&report, "slip.zip!/ok.csv");

    assert_eq!(rules(entry(&report, "results.tar")), ["W001", "A001"]);
    entry(&report, "results.tar!/results/t1.csv");

    assert_eq!(rules(entry(&report, "truncated.zip")), ["A005", "A001"]);
    let unopened = entry(&report, "outputs.rar");
    assert_eq!(rules(unopened), ["A007"]);
    assert_eq!(unopened["capacity_bytes"], 208);
    let reason = unopened["findings"][0]["evidence"]["reason"]
        .as_str()
        .expect("reason");
    assert!(reason.contains("RAR decoder"), "{reason}");
}

#[test]
fn members_count_in_the_summary_but_not_twice_in_bytes() {
    let report = report();
    let on_disk: u64 = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f.get("container").is_none())
        .map(|f| f["bytes"].as_u64().expect("bytes"))
        .sum();
    assert_eq!(report["summary"]["bytes"], on_disk);
}
