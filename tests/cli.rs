//! The binary on real folders: the example request, every kind of bad input the walk and the
//! reader must survive, exit codes, policies and the report contract.

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
        .timeout(Duration::from_secs(60));
    command
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/requests/example")
}

/// Runs a JSON check and returns the exit code and the parsed report.
fn check_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let output = egress_check()
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("run");
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output.status.code().expect("exit code"), report)
}

fn file<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no {path} in {report:#}"))
}

fn rules_of(entry: &Value) -> Vec<String> {
    entry["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect()
}

fn finding<'a>(entry: &'a Value, rule: &str) -> &'a Value {
    entry["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {entry:#}"))
}

/// A policy file in its own folder, outside any request.
fn policy_file(text: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("policy.toml");
    fs::write(&path, text).expect("write policy");
    (dir, path)
}

fn request() -> TempDir {
    TempDir::new().expect("tempdir")
}

#[test]
fn example_request_report_follows_the_contract() {
    let (code, report) = check_json(&example(), &[]);
    assert_eq!(code, 2);
    assert_eq!(report["schema"], "egress-check/report/v1");
    assert_eq!(report["tool"]["name"], "egress-check");
    assert_eq!(report["policy"]["name"], "default");
    assert_eq!(report["policy"]["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(report["verdict"], "block");
    assert_eq!(report["summary"]["files"], 6);
    assert_eq!(report["summary"]["block"], 1);
    assert_eq!(report["summary"]["review"], 1);
    assert_eq!(report["summary"]["pass"], 4);
    assert_eq!(report["summary"]["capacity_bytes"], 6144);

    let cache = file(&report, "extra/cache.dat");
    assert_eq!(cache["verdict"], "block");
    assert_eq!(rules_of(cache), ["O001"]);
    assert_eq!(cache["capacity_bytes"], 6144);
    let plot = file(&report, "figures/incidence.png");
    assert_eq!(plot["kind"], "image");
    assert_eq!(plot["format"], "png");
    assert_eq!(
        plot["verdict"], "pass",
        "a clean plot passes the image rules"
    );
    let table = file(&report, "tables/age_by_sex.csv");
    assert_eq!(table["kind"], "table");
    let small = finding(table, "T001");
    assert_eq!(small["location"]["row"], "60-79");
    assert_eq!(small["location"]["column"], "Male");
    assert_eq!(small["evidence"]["value"], 3);
    assert_eq!(file(&report, "tables/regression.csv")["verdict"], "pass");

    let paths: Vec<&str> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "files are listed in path order");
}

#[test]
fn sha256_is_of_the_bytes_on_disk() {
    // Worked out with `sha256sum` on the fixture (its content is fixed by generate.py).
    let (_, report) = check_json(&example(), &[]);
    let table = file(&report, "tables/age_by_sex.csv");
    let bytes = fs::read(example().join("tables/age_by_sex.csv")).expect("fixture");
    assert_eq!(table["bytes"], bytes.len());
    let expected = std::process::Command::new("sha256sum")
        .arg(example().join("tables/age_by_sex.csv"))
        .output()
        .expect("sha256sum");
    let expected = String::from_utf8_lossy(&expected.stdout);
    assert_eq!(table["sha256"].as_str(), expected.split_whitespace().next());
}

#[test]
fn two_runs_and_any_job_count_give_the_same_report() {
    let strip = |mut report: Value| {
        report["generated_at"] = Value::Null;
        report
    };
    let (_, one) = check_json(&example(), &["--jobs", "1"]);
    let (_, two) = check_json(&example(), &["--jobs", "2"]);
    assert_eq!(strip(one), strip(two));
}

#[test]
fn json_report_snapshot() {
    let output = egress_check()
        .arg("check")
        .arg("testdata/requests/example")
        .args(["--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run");
    let mut report: Value = serde_json::from_slice(&output.stdout).expect("json");
    report["generated_at"] = Value::String("[timestamp]".into());
    report["policy"]["sha256"] = Value::String("[policy hash]".into());
    report["tool"]["version"] = Value::String("[version]".into());
    insta::assert_snapshot!(serde_json::to_string_pretty(&report).expect("render"));
}

#[test]
fn text_report_snapshot() {
    let output = egress_check()
        .arg("check")
        .arg("testdata/requests/example")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(
        !text.contains('\x1b'),
        "no colour when NO_COLOR is set or not a terminal"
    );
    let hash_at = text.rfind('(').expect("policy hash");
    insta::assert_snapshot!(format!("{}(…)", &text[..hash_at]));
}

#[test]
fn symlinks_are_described_never_followed() {
    let dir = request();
    let outside = TempDir::new().expect("tempdir");
    fs::write(outside.path().join("secret.csv"), "id,dob\n1,1970-01-01\n").expect("write");
    std::os::unix::fs::symlink(
        outside.path().join("secret.csv"),
        dir.path().join("out.csv"),
    )
    .expect("link");
    std::os::unix::fs::symlink("loop_b", dir.path().join("loop_a")).expect("link");
    std::os::unix::fs::symlink("loop_a", dir.path().join("loop_b")).expect("link");
    std::os::unix::fs::symlink("nowhere", dir.path().join("dangling")).expect("link");

    let (code, report) = check_json(dir.path(), &[]);
    assert_eq!(code, 2);
    let out = file(&report, "out.csv");
    assert_eq!(out["kind"], "symlink");
    assert_eq!(out["sha256"], Value::Null);
    assert_eq!(finding(out, "W001")["evidence"]["resolves"], "outside");
    assert_eq!(
        finding(file(&report, "loop_a"), "W001")["evidence"]["resolves"],
        "loop"
    );
    assert_eq!(
        finding(file(&report, "dangling"), "W001")["evidence"]["resolves"],
        "dangling"
    );
    assert!(!serde_json::to_string(&report)
        .expect("json")
        .contains("1970-01-01"));
}

#[test]
fn fifo_is_reported_without_being_opened() {
    let dir = request();
    let fifo = dir.path().join("pipe.csv");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(status.success());
    // The command's timeout turns a hang on open into a failure.
    let (code, report) = check_json(dir.path(), &[]);
    assert_eq!(code, 2);
    let pipe = file(&report, "pipe.csv");
    assert_eq!(pipe["kind"], "fifo");
    assert_eq!(finding(pipe, "W002")["evidence"]["type"], "fifo");
}

#[test]
fn empty_file_is_never_a_pass() {
    let dir = request();
    fs::write(dir.path().join("results.csv"), "").expect("write");
    let (code, report) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let empty = file(&report, "results.csv");
    assert_eq!(empty["kind"], "empty");
    assert_eq!(rules_of(empty), ["W009"]);
}

#[test]
fn names_with_newlines_and_escapes_are_blocked_and_printed_escaped() {
    let dir = request();
    fs::write(dir.path().join("a\nb.txt"), "x\n").expect("write");
    fs::write(dir.path().join("c\x1b[31md.txt"), "x\n").expect("write");
    fs::write(dir.path().join("exe\u{202e}txt.csv"), "a,b\n1,2\n").expect("write");

    let (_, report) = check_json(dir.path(), &[]);
    assert!(rules_of(file(&report, "a\nb.txt")).contains(&"W006".to_string()));
    assert!(rules_of(file(&report, "c\x1b[31md.txt")).contains(&"W006".to_string()));
    let bidi = finding(file(&report, "exe\u{202e}txt.csv"), "W006");
    assert_eq!(bidi["evidence"]["characters"][0], "U+202E");

    let output = egress_check()
        .arg("check")
        .arg(dir.path())
        .output()
        .expect("run");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(
        !text.contains('\x1b'),
        "raw escape reached the terminal: {text:?}"
    );
    assert!(
        !text.contains('\u{202e}'),
        "raw bidi override reached the terminal"
    );
    assert!(text.contains("a\\nb.txt: block W006"), "{text}");
    assert!(text.contains("c\\u{001b}[31md.txt"), "{text}");
}

#[test]
fn names_that_are_not_utf8_are_shown_escaped() {
    use std::os::unix::ffi::OsStrExt;
    let dir = request();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.csv");
    fs::write(dir.path().join(name), "a,b\n1,2\n").expect("write");
    let (_, report) = check_json(dir.path(), &[]);
    let entry = file(&report, "caf\\xe9.csv");
    assert!(rules_of(entry).contains(&"W004".to_string()));
    assert_eq!(
        entry["kind"], "table",
        "the file is still read and identified"
    );
}

#[test]
fn deep_paths_stop_at_the_depth_limit() {
    let dir = request();
    let mut deep = dir.path().to_path_buf();
    for level in 0..40 {
        deep.push(format!("d{level}"));
    }
    fs::create_dir_all(&deep).expect("mkdir");
    fs::write(deep.join("table.csv"), "a,b\n1,2\n").expect("write");

    let (code, report) = check_json(dir.path(), &[]);
    assert_eq!(code, 2);
    let limited: Vec<&Value> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| rules_of(f).contains(&"W007".to_string()))
        .collect();
    assert_eq!(limited.len(), 1, "one entry marks where the walk stopped");
    assert_eq!(limited[0]["kind"], "directory");
    assert_eq!(finding(limited[0], "W007")["evidence"]["depth"], 17);
    assert_eq!(finding(limited[0], "W007")["evidence"]["limit"], 16);
}

#[test]
fn hidden_entries_are_reported_not_skipped() {
    let dir = request();
    fs::create_dir(dir.path().join(".ipynb_checkpoints")).expect("mkdir");
    fs::write(
        dir.path().join(".ipynb_checkpoints/nb-checkpoint.ipynb"),
        "{}",
    )
    .expect("write");
    fs::write(dir.path().join(".DS_Store"), b"\0\0\0\x01Bud1").expect("write");
    fs::write(dir.path().join("~$results.xlsx"), b"lock").expect("write");
    let (_, report) = check_json(dir.path(), &[]);
    for path in [".ipynb_checkpoints", ".DS_Store", "~$results.xlsx"] {
        assert!(
            rules_of(file(&report, path)).contains(&"W005".to_string()),
            "{path}"
        );
    }
    // The checkpoint folder's content is still checked.
    file(&report, ".ipynb_checkpoints/nb-checkpoint.ipynb");
}

#[test]
fn file_over_budget_is_still_hashed_in_full() {
    let dir = request();
    let size = 3 * 1024 * 1024 + 17;
    let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    fs::write(dir.path().join("big.bin"), &data).expect("write");
    let (_policy_dir, policy) = policy_file("[budgets]\nfile_bytes = \"1 MiB\"\n");

    let (code, report) = check_json(dir.path(), &["--policy", policy.to_str().expect("utf-8")]);
    assert_eq!(code, 2);
    let big = file(&report, "big.bin");
    assert_eq!(big["bytes"], size);
    let budget = finding(big, "B001");
    assert_eq!(budget["evidence"]["limit"], 1024 * 1024);
    assert_eq!(budget["evidence"]["budget"], "budgets.file_bytes");
    let expected = std::process::Command::new("sha256sum")
        .arg(dir.path().join("big.bin"))
        .output()
        .expect("sha256sum");
    let expected = String::from_utf8_lossy(&expected.stdout);
    assert_eq!(big["sha256"].as_str(), expected.split_whitespace().next());
}

#[test]
fn disguised_and_mislabelled_files() {
    let dir = request();
    let mut zip = Vec::new();
    {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(&mut zip));
        writer
            .start_file(
                "records.csv",
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Stored),
            )
            .expect("member");
        std::io::Write::write_all(&mut writer, b"id,dob\n").expect("write");
        writer.finish().expect("zip");
    }
    fs::write(dir.path().join("results.csv"), &zip).expect("write");
    fs::write(
        dir.path().join("plot.jpg"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .expect("write");
    fs::write(
        dir.path().join("key.enc"),
        b"Salted__\x01\x02\x03\x04\x05\x06\x07\x08xyz",
    )
    .expect("write");

    let (_, report) = check_json(dir.path(), &[]);
    let disguised = finding(file(&report, "results.csv"), "I002");
    assert_eq!(disguised["severity"], "block");
    assert_eq!(disguised["evidence"]["content"], "zip");
    let mislabelled = finding(file(&report, "plot.jpg"), "I001");
    assert_eq!(mislabelled["severity"], "review");
    assert_eq!(mislabelled["evidence"]["content"], "png");
    let key = file(&report, "key.enc");
    assert_eq!(rules_of(key), ["O002"]);
    assert_eq!(key["capacity_bytes"], 19);
}

#[test]
fn low_entropy_unknown_binary_is_blocked_with_its_statistics() {
    let dir = request();
    let mut data = vec![0u8; 8192];
    for (i, byte) in data.iter_mut().enumerate() {
        *byte = [0x00, 0x01, 0xfe, 0x7f][i % 4];
    }
    fs::write(dir.path().join("weights.dat"), &data).expect("write");
    let (_, report) = check_json(dir.path(), &[]);
    let unknown = finding(file(&report, "weights.dat"), "O003");
    // Four values equally often: exactly 2 bits per byte (before the tiny bias correction).
    let entropy = unknown["evidence"]["entropy_bits_per_byte"]
        .as_f64()
        .expect("entropy");
    assert!((entropy - 2.0).abs() < 0.01, "{entropy}");
    assert_eq!(unknown["capacity_bytes"], 8192);
}

#[test]
fn request_budgets_and_entry_limit() {
    let dir = request();
    for i in 0..5 {
        fs::write(dir.path().join(format!("t{i}.csv")), "a,b\n1,2\n").expect("write");
    }
    let (_p, policy) =
        policy_file("[budgets]\nrequest_files = 3\nrequest_bytes = 20\n[walk]\nmax_entries = 4\n");
    let (code, report) = check_json(dir.path(), &["--policy", policy.to_str().expect("utf-8")]);
    assert_eq!(code, 2);
    let request: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(request, ["W008", "B002", "B003"]);
    assert_eq!(
        report["summary"]["files"], 4,
        "the walk stopped at the limit"
    );
}

#[test]
fn capacity_budget_names_the_largest_contributors() {
    let dir = request();
    let (_p, policy) = policy_file("[budgets]\ncapacity_bytes = 100\n");
    fs::write(dir.path().join("a.bin"), [0x9f_u8; 80]).expect("write");
    fs::write(dir.path().join("b.bin"), [0x8e_u8; 60]).expect("write");
    let (_, report) = check_json(dir.path(), &["--policy", policy.to_str().expect("utf-8")]);
    let capacity = &report["findings"][0];
    assert_eq!(capacity["rule"], "B004");
    assert_eq!(capacity["evidence"]["capacity_bytes"], 140);
    assert_eq!(capacity["evidence"]["limit"], 100);
    assert_eq!(capacity["evidence"]["largest"][0]["path"], "a.bin");
}

#[test]
fn exit_codes_follow_the_verdict() {
    let dir = request();
    fs::write(dir.path().join("t.csv"), "a,b\n1,2\n").expect("write");
    let (code, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "review");
    let (_p, policy) = policy_file("[rules]\nsmall-cell = \"info\"\n");
    let (code, report) = check_json(dir.path(), &["--policy", policy.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "pass: {report:#}");
    assert_eq!(report["verdict"], "pass");
    let (_p, off) = policy_file("[rules]\nT001 = \"off\"\nT014 = \"off\"\n");
    let (code, report) = check_json(dir.path(), &["--policy", off.to_str().expect("utf-8")]);
    assert_eq!(code, 0);
    assert_eq!(rules_of(file(&report, "t.csv")).len(), 0);
}

#[test]
fn unusable_checks_exit_3_with_advice() {
    let missing = egress_check()
        .args(["check", "/nonexistent/request"])
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&missing.get_output().stderr).to_string();
    assert!(stderr.contains("does not exist"), "{stderr}");

    let dir = request();
    fs::write(dir.path().join("file.csv"), "a\n").expect("write");
    egress_check()
        .arg("check")
        .arg(dir.path().join("file.csv"))
        .assert()
        .code(3);

    egress_check()
        .args(["check", "--no-such-flag"])
        .assert()
        .code(3);
    egress_check().arg("frobnicate").assert().code(3);
    egress_check().arg("check").assert().code(3);
    egress_check()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "yaml"])
        .assert()
        .code(3);
    egress_check().arg("--help").assert().code(0);
    egress_check().arg("--version").assert().code(0);

    let (_p, policy) = policy_file("[budgets]\nfile_byts = 3\n");
    let bad = egress_check()
        .arg("check")
        .arg(dir.path())
        .args(["--policy", policy.to_str().expect("utf-8")])
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&bad.get_output().stderr).to_string();
    assert!(
        stderr.contains("file_byts") && stderr.contains("policy.toml"),
        "{stderr}"
    );

    egress_check()
        .arg("check")
        .arg(dir.path())
        .args(["--policy", "nope"])
        .assert()
        .code(3);
}

#[test]
fn the_request_folder_is_never_written() {
    let dir = request();
    fs::write(dir.path().join("t.csv"), "a,b\n1,2\n").expect("write");
    let listing = |root: &Path| -> Vec<(PathBuf, u64, std::time::SystemTime)> {
        walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| {
                let meta = e.metadata().expect("metadata");
                (
                    e.path().to_path_buf(),
                    meta.len(),
                    meta.modified().expect("mtime"),
                )
            })
            .collect()
    };
    let before = listing(dir.path());
    check_json(dir.path(), &[]);
    egress_check()
        .arg("check")
        .arg(dir.path())
        .arg("--output")
        .arg(dir.path().join("report.json"))
        .assert()
        .code(3);
    assert_eq!(before, listing(dir.path()));

    let out = TempDir::new().expect("tempdir");
    let report = out.path().join("report.json");
    egress_check()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "json", "--output"])
        .arg(&report)
        .assert()
        .code(1);
    let written: Value = serde_json::from_slice(&fs::read(&report).expect("report")).expect("json");
    assert_eq!(written["verdict"], "review");
}

#[test]
fn unreadable_file_is_blocked() {
    // Root reads every file whatever its mode, so the case only exists for other users.
    if unsafe { libc::geteuid() } == 0 {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = request();
    let path = dir.path().join("locked.csv");
    fs::write(&path, "a,b\n1,2\n").expect("write");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).expect("chmod");
    let (code, report) = check_json(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(rules_of(file(&report, "locked.csv")), ["W003"]);
}

#[test]
fn rules_and_policy_commands() {
    let listing = egress_check().arg("rules").assert().code(0);
    let listing = String::from_utf8_lossy(&listing.get_output().stdout).to_string();
    assert!(listing.contains("W001  symlink"));

    let explained = egress_check()
        .args(["rule", "random-data"])
        .assert()
        .code(0);
    let explained = String::from_utf8_lossy(&explained.get_output().stdout).to_string();
    assert!(explained.starts_with("O001 random-data"));
    assert!(explained.contains("How to fix the output"));
    egress_check().args(["rule", "Z999"]).assert().code(3);

    let shown = egress_check()
        .args(["policy", "show", "strict"])
        .assert()
        .code(0);
    let shown = String::from_utf8_lossy(&shown.get_output().stdout).to_string();
    assert!(shown.contains("name = \"strict\""));
    assert!(shown.contains("capacity_bytes = \"16 KiB\""));

    let out = TempDir::new().expect("tempdir");
    let path = out.path().join("mine.toml");
    egress_check()
        .args(["policy", "init", "--output"])
        .arg(&path)
        .assert()
        .code(0);
    egress_check()
        .args(["policy", "init", "--output"])
        .arg(&path)
        .assert()
        .code(3);
    egress_check()
        .args(["policy", "show"])
        .arg(&path)
        .assert()
        .code(0);
}

#[test]
fn policy_hash_is_reproducible_from_policy_show() {
    use sha2::Digest;
    let shown = egress_check().args(["policy", "show"]).assert().code(0);
    let shown = String::from_utf8_lossy(&shown.get_output().stdout).to_string();
    let (first, body) = shown.split_once('\n').expect("header line");
    let digest = egress_check_hex(&sha2::Sha256::digest(body.as_bytes()));
    assert!(first.ends_with(&digest), "{first} vs {digest}");
    let (_, report) = check_json(&example(), &[]);
    assert_eq!(report["policy"]["sha256"], digest);
}

fn egress_check_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn cached_and_uncached_runs_give_identical_reports() {
    let dir = request();
    for entry in walkdir::WalkDir::new(example())
        .into_iter()
        .filter_map(Result::ok)
    {
        let relative = entry.path().strip_prefix(example()).expect("inside");
        let target = dir.path().join(relative);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
    let cache = TempDir::new().expect("tempdir");
    let cache_arg = ["--cache", cache.path().to_str().expect("utf-8")];
    let strip = |mut report: Value| {
        report["generated_at"] = Value::Null;
        report
    };
    let count = |dir: &Path| {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .count()
    };

    let (_, uncached) = check_json(dir.path(), &[]);
    let (_, filling) = check_json(dir.path(), &cache_arg);
    assert_eq!(count(cache.path()), 6, "one entry per file");
    let (_, cached) = check_json(dir.path(), &cache_arg);
    assert_eq!(strip(uncached.clone()), strip(filling));
    assert_eq!(strip(uncached), strip(cached));

    // A changed file is checked afresh and gets an entry of its own.
    fs::write(dir.path().join("logs/run.log"), "rerun\n").expect("write");
    let (_, changed) = check_json(dir.path(), &cache_arg);
    assert_eq!(count(cache.path()), 7);
    assert_eq!(file(&changed, "logs/run.log")["bytes"], 6);

    egress_check()
        .arg("check")
        .arg(dir.path())
        .arg("--cache")
        .arg(dir.path().join("cache"))
        .assert()
        .code(3);
    assert!(!dir.path().join("cache").exists());
}

#[test]
fn opensafely_preset_redacts_seven_or_fewer_and_rounds_to_five() {
    let (_, report) = check_json(&example(), &["--policy", "opensafely"]);
    assert_eq!(report["policy"]["name"], "opensafely");
    let table = file(&report, "tables/age_by_sex.csv");
    assert_eq!(finding(table, "T001")["evidence"]["threshold"], 8);
    // 112, 97, 209 … are not multiples of 5.
    assert!(rules_of(table).contains(&"T008".to_string()));
    let (_, ons) = check_json(&example(), &["--policy", "ons-10-5"]);
    let table = file(&ons, "tables/age_by_sex.csv");
    assert_eq!(finding(table, "T001")["evidence"]["threshold"], 10);
    assert!(rules_of(table).contains(&"T008".to_string()));
}

#[test]
fn a_file_past_the_time_budget_is_blocked_and_the_run_goes_on() {
    let dir = request();
    fs::write(dir.path().join("a.csv"), "group,n\nx,120\ny,130\n").expect("write");
    fs::write(dir.path().join("b.csv"), "group,n\nx,140\ny,150\n").expect("write");
    // A budget no check can meet: every file stops at the first family and is blocked.
    let (_p, policy) = policy_file("[read]\nfile_seconds = 1e-12\n");
    let (code, report) = check_json(dir.path(), &["--policy", policy.to_str().expect("utf-8")]);
    assert_eq!(code, 2);
    for path in ["a.csv", "b.csv"] {
        let limit = finding(file(&report, path), "K003");
        assert_eq!(limit["severity"], "block");
        assert!(
            limit["evidence"]["families_skipped"]
                .as_u64()
                .expect("count")
                >= 1
        );
    }
}
