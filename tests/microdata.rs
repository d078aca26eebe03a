//! Runs the binary on `testdata/microdata` and compares each data file's rows, columns and
//! variable names with the shapes the writing library reported (`expected.json`, written by
//! `generate_microdata.py`), and checks that corrupt files are blocked as unreadable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/microdata")
}

/// Findings per fixture: path → list of (rule, chunk, evidence).
type Findings = BTreeMap<String, Vec<(String, String, Value)>>;

fn findings() -> &'static Findings {
    static REPORT: OnceLock<Findings> = OnceLock::new();
    REPORT.get_or_init(|| {
        let output = Command::cargo_bin("egress-check")
            .expect("binary built")
            .args(["check", dir().to_str().expect("utf-8"), "--format", "json"])
            .output()
            .expect("runs");
        assert_eq!(
            output.status.code(),
            Some(2),
            "fixtures include blocked files"
        );
        let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
        let mut out = Findings::new();
        for file in report["files"].as_array().expect("files") {
            let list = file["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(|f| {
                    let chunk = f["location"]["chunk"].as_str().unwrap_or("").to_string();
                    let rule = f["rule"].as_str().expect("rule").to_string();
                    (rule, chunk, f["evidence"].clone())
                })
                .collect();
            out.insert(file["path"].as_str().expect("path").to_string(), list);
        }
        out
    })
}

fn expected() -> BTreeMap<String, BTreeMap<String, Value>> {
    let text = std::fs::read_to_string(dir().join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected JSON")
}

#[test]
fn shapes_match_what_the_writer_reported() {
    let threshold = 100;
    for (path, tables) in expected() {
        let got = findings()
            .get(&path)
            .unwrap_or_else(|| panic!("{path} not reported"));
        assert_eq!(got.len(), tables.len(), "{path}: one finding per table");
        for (table, shape) in tables {
            let (rule, _, evidence) = got
                .iter()
                .find(|(_, chunk, _)| *chunk == table)
                .unwrap_or_else(|| panic!("{path}: no finding for table {table:?}"));
            let rows = shape["rows"].as_u64().expect("rows");
            let want = if rows >= threshold { "D001" } else { "D002" };
            assert_eq!(rule, want, "{path} {table}");
            assert_eq!(evidence["rows"], shape["rows"], "{path} {table}");
            assert_eq!(evidence["columns"], shape["columns"], "{path} {table}");
            assert_eq!(evidence["variables"], shape["names"], "{path} {table}");
            assert_eq!(evidence["threshold"], threshold, "{path} {table}");
        }
    }
}

#[test]
fn corrupt_files_are_blocked_as_unreadable() {
    let cases = [
        ("cyclic.sqlite", "reached twice"),
        ("bad_footer.arrow", "runs past the start"),
        ("cut.rds", "runs past the end"),
        ("cut.por", "no Z end marker"),
        ("cut.sas7bdat", "cut off"),
        ("cut.h5", "run past the end"),
    ];
    for (path, why) in cases {
        let got = &findings()[path];
        assert_eq!(got.len(), 1, "{path}");
        let (rule, _, evidence) = &got[0];
        assert_eq!(rule, "D003", "{path}");
        let error = evidence["error"].as_str().expect("error");
        assert!(error.contains(why), "{path}: {error}");
    }
}

#[test]
fn every_fixture_is_covered() {
    let expected = expected();
    let listed = findings()
        .keys()
        .filter(|p| !expected.contains_key(*p))
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(
        listed,
        [
            "bad_footer.arrow",
            "cut.h5",
            "cut.por",
            "cut.rds",
            "cut.sas7bdat",
            "cyclic.sqlite",
            "expected.json"
        ],
        "fixtures without an expectation"
    );
}

/// Every prefix (in steps) and many single-byte changes of the por, sas7bdat and HDF5
/// fixtures are parsed without a panic: each gives a shape or an error.
#[test]
fn damaged_files_never_panic() {
    use egress_check::rules::microdata::{hdf5, por, sas7bdat};
    type Parse = fn(&[u8]) -> Result<usize, String>;
    let parsers: [(&str, Parse); 4] = [
        ("cohort.por", |d| por::spss_portable(d).map(|_| 1)),
        ("cohort.sas7bdat", |d| sas7bdat::sas7bdat(d).map(|_| 1)),
        ("cohort.h5", |d| hdf5::hdf5(d).map(|s| s.len())),
        ("cohort_latest.h5", |d| hdf5::hdf5(d).map(|s| s.len())),
    ];
    for (name, parse) in parsers {
        let data = std::fs::read(dir().join(name)).expect("fixture");
        assert!(parse(&data).is_ok(), "{name} parses whole");
        for cut in (0..data.len()).step_by(37) {
            let _ = parse(&data[..cut]);
        }
        for at in (0..data.len()).step_by(11) {
            for value in [0x00, 0xff, data[at] ^ 0x80] {
                let mut damaged = data.clone();
                damaged[at] = value;
                let _ = parse(&damaged);
            }
        }
    }
}
