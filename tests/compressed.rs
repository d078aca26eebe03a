//! bzip2, xz, .lzma, zstd, tar.{bz2,xz,zst}, 7z, ZIP members in bzip2/LZMA/zstd, and joblib
//! files compressed with lz4, xz, bz2 and lzma. Fixtures and the expectation each is built
//! for are made by `testdata/generate_archives.py` with the formats' Python implementations.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/compressed");
        let output = Command::cargo_bin("egress-check")
            .expect("binary")
            .timeout(Duration::from_secs(120))
            .arg("check")
            .arg(dir)
            .args(["--format", "json"])
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(2));
        serde_json::from_slice(&output.stdout).expect("json")
    })
}

fn entry(path: &str) -> &'static Value {
    report()["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no {path}"))
}

fn rules(path: &str) -> Vec<&'static str> {
    entry(path)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect()
}

const SINGLE: &[&str] = &["bz2", "xz", "lzma", "zst"];

#[test]
fn single_stream_members_are_checked_and_verdicts_carried_up() {
    for suffix in SINGLE {
        assert_eq!(rules(&format!("clean.csv.{suffix}")), ["A001"], "{suffix}");
        assert_eq!(
            entry(&format!("clean.csv.{suffix}!/clean.csv"))["verdict"],
            "pass"
        );

        let dirty = format!("dirty.csv.{suffix}!/dirty.csv");
        assert_eq!(rules(&dirty), ["T014", "T001"], "{suffix}");
        assert_eq!(entry(&dirty)["container"], format!("dirty.csv.{suffix}"));
        assert_eq!(entry(&format!("dirty.csv.{suffix}"))["verdict"], "review");
    }
}

#[test]
fn compressed_tars_are_unpacked_twice() {
    for suffix in ["bz2", "xz", "zst"] {
        let tar = format!("outputs.tar.{suffix}!/outputs.tar");
        assert_eq!(entry(&tar)["kind"], "archive");
        assert_eq!(rules(&format!("{tar}!/tables/clean.csv")), ["T014"]);
        assert_eq!(rules(&format!("{tar}!/tables/dirty.csv")), ["T014", "T001"]);
    }
}

#[test]
fn every_compressor_bomb_stops_at_the_ratio() {
    let bombs = SINGLE
        .iter()
        .map(|suffix| (format!("bomb.csv.{suffix}"), "bomb.csv"))
        .chain([
            ("bomb-zstd.zip".to_string(), "zeros.csv"),
            ("bomb.7z".to_string(), "zeros.csv"),
        ]);
    for (path, member) in bombs {
        let bomb = entry(&path);
        assert_eq!(bomb["verdict"], "block", "{path}");
        let finding = &bomb["findings"][0];
        assert_eq!(finding["rule"], "A002", "{path}");
        assert_eq!(finding["evidence"]["member"], member);
        assert_eq!(finding["evidence"]["inflated_bytes"], 64 << 20);
        assert_eq!(finding["evidence"]["limit"], 100);
    }
    // The bomb's block goes on to the member after it, which fits.
    assert_eq!(rules("bomb.7z!/after.csv"), ["T014"]);
}

#[test]
fn truncated_streams_and_archives_are_corrupt() {
    for suffix in SINGLE {
        assert_eq!(rules(&format!("truncated.csv.{suffix}")), ["A005", "A001"]);
    }
    assert_eq!(rules("truncated.7z"), ["A005", "A001"]);
}

#[test]
fn zip_members_in_bzip2_lzma_and_zstd_are_inflated() {
    for method in ["bzip2", "lzma", "zstd"] {
        let zip = format!("members-{method}.zip");
        assert_eq!(rules(&zip), ["A001"], "{method}");
        assert_eq!(rules(&format!("{zip}!/clean.csv")), ["T014"]);
        assert_eq!(rules(&format!("{zip}!/dirty.csv")), ["T014", "T001"]);
    }
}

#[test]
fn seven_zip_members_are_checked_like_zip_members() {
    for archive in ["tables.7z", "tables-bzip2.7z"] {
        assert_eq!(rules(archive), ["A001"]);
        assert_eq!(entry(archive)["verdict"], "review");
        assert_eq!(rules(&format!("{archive}!/tables/clean.csv")), ["T014"]);
        assert_eq!(
            rules(&format!("{archive}!/tables/dirty.csv")),
            ["T014", "T001"]
        );
    }
}

#[test]
fn encrypted_and_escaping_seven_zips_block() {
    assert_eq!(rules("encrypted.7z"), ["A003", "A003", "A001"]);
    assert_eq!(
        entry("encrypted.7z")["findings"][0]["evidence"]["member"],
        "tables/clean.csv"
    );
    assert_eq!(rules("encrypted-header.7z"), ["A003", "A001"]);
    assert_eq!(
        entry("encrypted-header.7z")["findings"][0]["evidence"]["encrypted"],
        "header"
    );

    assert_eq!(rules("slip.7z"), ["A004", "A001"]);
    assert_eq!(
        entry("slip.7z")["findings"][0]["evidence"]["member"],
        "../outside.csv"
    );
    assert_eq!(rules("slip.7z!/ok.csv"), ["T014"]);
}

#[test]
fn joblib_files_from_every_compressor_are_opened() {
    for codec in ["lz4", "xz", "bz2", "lzma"] {
        let path = format!("models/forest_safe_{codec}.joblib");
        assert_eq!(entry(&path)["kind"], "model", "{codec}");
        assert_eq!(rules(&path), ["M006"], "{codec}: as its zlib twin");
    }
    let knn = entry("models/knn_lz4.joblib");
    assert_eq!(knn["findings"][0]["rule"], "M003");
    assert_eq!(knn["findings"][0]["evidence"]["stored_rows"], 30);
}
