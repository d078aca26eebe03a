//! Runs the binary on `testdata/models` and checks the exact rule codes and evidence of each
//! fixture: a positive and a negative fixture per model and microdata rule.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

/// Findings of every fixture: path → (rule code → evidence).
type Report = BTreeMap<String, BTreeMap<String, Value>>;

fn check(dir: &Path) -> (Value, i32) {
    let output = Command::cargo_bin("egress-check")
        .expect("binary built")
        .args([
            "check",
            dir.to_str().expect("utf-8 path"),
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&output.stdout).expect("JSON report");
    (report, output.status.code().unwrap_or(-1))
}

fn fixtures() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/models");
        let (report, code) = check(&dir);
        assert_eq!(code, 2, "fixtures include blocked files");
        let mut out = Report::new();
        for file in report["files"].as_array().expect("files") {
            let mut rules = BTreeMap::new();
            for finding in file["findings"].as_array().expect("findings") {
                let code = finding["rule"].as_str().expect("code").to_string();
                rules.insert(code, finding["evidence"].clone());
            }
            out.insert(file["path"].as_str().expect("path").to_string(), rules);
        }
        out
    })
}

fn codes(path: &str) -> Vec<&'static str> {
    let rules = fixtures()
        .get(path)
        .unwrap_or_else(|| panic!("{path} missing"));
    rules.keys().map(String::as_str).collect()
}

fn evidence(path: &str, code: &str) -> &'static Value {
    &fixtures()[path][code]
}

#[test]
fn every_fixture_gets_exactly_its_rules() {
    let expected: &[(&str, &[&str])] = &[
        ("cohort.dta", &["D001"]),
        ("cohort.npy", &["D001"]),
        ("cohort.sav", &["D001"]),
        ("cohort.sqlite", &["D001"]),
        ("cohort.xpt", &["D001"]),
        ("cohort_frame.pkl", &["M005"]),
        ("custom_op.onnx", &["M008"]),
        ("dense.keras", &["M007"]),
        ("five_rows.dta", &["D002"]),
        ("forest_leaf1.joblib", &["M004"]),
        ("forest_no_bootstrap.pkl", &["M004"]),
        ("forest_safe_gzip.joblib", &["M006"]),
        ("forest_safe_zlib.joblib", &["M006"]),
        ("knn.joblib", &["M003"]),
        ("labels.npy", &["D002", "M006"]),
        ("lambda.keras", &["M008"]),
        ("linear.pt", &["M007"]),
        ("logistic.pkl", &["M006"]),
        ("matmul.onnx", &["M007"]),
        ("means.npy", &["D002"]),
        ("os_system.pkl", &["M001"]),
        ("split.npz", &["D001", "D002"]),
        ("summary_frame.pkl", &["M006"]),
        ("svc.pkl", &["M003"]),
        ("tiny.gguf", &["M007"]),
        ("trailing.pkl", &["M002", "M006"]),
        ("truncated.pkl", &["M002"]),
        ("weights.safetensors", &["M007"]),
    ];
    for (path, rules) in expected {
        assert_eq!(codes(path), *rules, "{path}");
    }
    assert_eq!(fixtures().len(), expected.len(), "every fixture is listed");
}

#[test]
fn code_execution_names_the_global_and_the_call() {
    let e = evidence("os_system.pkl", "M001");
    assert_eq!(e["globals"], serde_json::json!(["posix.system"]));
    assert_eq!(e["called"], true);
}

#[test]
fn instance_based_models_count_their_rows() {
    let knn = evidence("knn.joblib", "M003");
    assert_eq!(knn["stored_rows"], 30);
    assert_eq!(knn["features"], 4);
    assert_eq!(knn["attribute"], "_fit_X");
    let svc = evidence("svc.pkl", "M003");
    assert_eq!(svc["attribute"], "support_vectors_");
    assert_eq!(svc["features"], 4);
}

#[test]
fn forests_are_judged_on_their_own_parameters() {
    let leaf = evidence("forest_leaf1.joblib", "M004");
    assert_eq!(leaf["min_samples_leaf"], 1.0);
    assert_eq!(leaf["threshold"], 5);
    let bootstrap = evidence("forest_no_bootstrap.pkl", "M004");
    assert_eq!(bootstrap["bootstrap"], false);
    assert_eq!(bootstrap["min_samples_leaf"], 5.0);
    // The safe forest's template estimator has min_samples_leaf=1: it must not count.
    let safe = evidence("forest_safe_zlib.joblib", "M006");
    assert_eq!(
        safe["estimators"],
        serde_json::json!(["RandomForestClassifier"])
    );
}

#[test]
fn pickled_frames_are_measured() {
    let frame = evidence("cohort_frame.pkl", "M005");
    assert_eq!(frame["rows"], 150);
    assert_eq!(frame["columns"], 3);
    assert_eq!(frame["threshold"], 100);
}

#[test]
fn unverifiable_pickles_say_where() {
    assert_eq!(evidence("trailing.pkl", "M002")["trailing_bytes"], 23);
    assert!(evidence("truncated.pkl", "M002")["error"]
        .as_str()
        .is_some_and(|e| e.contains("before STOP")));
}

#[test]
fn weights_report_parameter_counts() {
    assert_eq!(evidence("weights.safetensors", "M007")["parameters"], 15);
    assert_eq!(evidence("tiny.gguf", "M007")["parameters"], 32);
    assert_eq!(evidence("matmul.onnx", "M007")["parameters"], 12);
    assert_eq!(evidence("dense.keras", "M007")["layers"], 2);
    let torch = evidence("linear.pt", "M007");
    assert_eq!(torch["parameters"], 12);
    assert_eq!(
        torch["largest_arrays"][0]["shape"],
        serde_json::json!([4, 3])
    );
    let lambda = evidence("lambda.keras", "M008");
    assert_eq!(
        lambda["layers"],
        serde_json::json!(["Lambda (keras.layers)"])
    );
    let custom = evidence("custom_op.onnx", "M008");
    assert_eq!(
        custom["custom_domains"],
        serde_json::json!(["org.example.custom"])
    );
}

#[test]
fn microdata_headers_give_rows_columns_and_names() {
    let names = serde_json::json!(["age", "sex", "bmi"]);
    for path in ["cohort.dta", "cohort.xpt"] {
        let e = evidence(path, "D001");
        assert_eq!(
            (e["rows"].clone(), e["columns"].clone()),
            (150.into(), 3.into()),
            "{path}"
        );
        assert_eq!(e["variables"], names, "{path}");
    }
    assert_eq!(evidence("cohort.sav", "D001")["rows"], 150);
    assert_eq!(evidence("cohort.npy", "D001")["rows"], 150);
    assert_eq!(evidence("split.npz", "D001")["rows"], 120);
    assert_eq!(evidence("five_rows.dta", "D002")["rows"], 5);
    assert_eq!(evidence("means.npy", "D002")["columns"], 3);
}

#[test]
fn a_pickle_is_never_loaded() {
    // A pickle that would create a folder if anything unpickled it.
    let dir = tempfile::tempdir().expect("temp dir");
    let request = dir.path().join("request");
    std::fs::create_dir(&request).expect("request dir");
    let canary = dir.path().join("canary");
    let stream = format!("cposix\nmkdir\n(S'{}'\ntR.", canary.display());
    std::fs::write(request.join("model.pkl"), stream).expect("write");
    let (report, code) = check(&request);
    assert_eq!(code, 2);
    assert_eq!(report["files"][0]["findings"][0]["rule"], "M001");
    assert!(!canary.exists(), "the pickle was executed");
}

#[test]
fn the_row_threshold_comes_from_the_policy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let request = dir.path().join("request");
    std::fs::create_dir(&request).expect("request dir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/models/five_rows.dta");
    std::fs::copy(fixture, request.join("five_rows.dta")).expect("copy");
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[microdata]\nperson_level_rows = 5\n").expect("policy");
    let output = Command::cargo_bin("egress-check")
        .expect("binary built")
        .args([
            "check",
            request.to_str().expect("utf-8"),
            "--format",
            "json",
            "--policy",
        ])
        .arg(&policy)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["files"][0]["findings"][0]["rule"], "D001");
}

#[test]
fn cut_and_corrupted_fixtures_never_crash_the_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/models");
    let mut written = 0;
    for entry in std::fs::read_dir(&source).expect("fixtures") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let data = std::fs::read(&path).expect("read");
        std::fs::write(
            dir.path().join(format!("half-{name}")),
            &data[..data.len() / 2],
        )
        .expect("write");
        let mut corrupted = data.clone();
        for at in (7..corrupted.len()).step_by(97) {
            corrupted[at] ^= 0x5a;
        }
        std::fs::write(dir.path().join(format!("bad-{name}")), corrupted).expect("write");
        written += 2;
    }
    let (report, code) = check(dir.path());
    assert_eq!(code, 2, "cut fixtures are blocked, not passed");
    // Archive members (a cut file may still open as a gzip or ZIP) are listed too; count
    // only the files written.
    let files: Vec<&Value> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f.get("container").is_none())
        .collect();
    assert_eq!(files.len(), written);
    for file in files {
        let path = file["path"].as_str().unwrap_or("");
        if path.starts_with("half-") {
            assert_ne!(file["verdict"], "pass", "{path}");
        }
    }
}

#[test]
fn a_pytorch_checkpoint_is_opened_to_its_pickle() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = std::fs::File::create(dir.path().join("model.pt")).expect("create");
    let mut archive = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    archive
        .start_file("archive/data.pkl", stored)
        .expect("member");
    archive
        .write_all(b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00id\x85R.")
        .expect("write");
    archive
        .start_file("archive/version", stored)
        .expect("member");
    archive.write_all(b"3\n").expect("write");
    archive.finish().expect("finish");
    let (report, code) = check(dir.path());
    assert_eq!(code, 2);
    let finding = &report["files"][0]["findings"][0];
    assert_eq!(finding["rule"], "M001");
    assert_eq!(finding["location"]["chunk"], "archive/data.pkl at byte 2");
}
