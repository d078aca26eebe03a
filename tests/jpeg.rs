//! The DCT-domain JPEG tests end to end: `egress-check check testdata/jpeg/... --format json`
//! on clean photos and plots, and on JSteg-like and F5-like embeddings made by
//! `testdata/generate_jpeg_stego.py` (its `reference.json` records each fixture's true rate
//! and payload).

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const STEGO: &str = "testdata/jpeg/stego";

fn check(dir: &Path) -> Value {
    check_with(dir, &[])
}

fn check_with(dir: &Path, extra: &[&str]) -> Value {
    let output = Command::cargo_bin("egress-check")
        .expect("binary")
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("runs");
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

/// Each JPEG's findings, by path.
fn findings(report: &Value) -> BTreeMap<String, Vec<Value>> {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|file| file["kind"] == "image")
        .map(|file| {
            let path = file["path"].as_str().expect("path").to_string();
            (path, file["findings"].as_array().expect("findings").clone())
        })
        .collect()
}

/// (rule, method, component) of each finding.
fn summary(found: &[Value]) -> Vec<(String, String, u64)> {
    found
        .iter()
        .map(|f| {
            let evidence = &f["evidence"];
            (
                f["rule"].as_str().expect("rule").to_string(),
                evidence["method"].as_str().unwrap_or_default().to_string(),
                evidence["component"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn truth() -> Value {
    let text = std::fs::read_to_string(format!("{STEGO}/reference.json")).expect("reference");
    serde_json::from_str(&text).expect("json")
}

/// A finding's rule, method and component.
type Expected = (&'static str, &'static str, u64);

#[test]
fn clean_photos_and_plots_pass_and_embeddings_are_found() {
    let files = findings(&check(Path::new(STEGO)));
    let jsteg = "jsteg-chi-square";
    let f5 = "f5-calibration";
    let expected: &[(&str, &[Expected])] = &[
        ("clean_astronaut.jpg", &[]),
        ("clean_cat_grey.jpg", &[]),
        ("clean_cat_progressive.jpg", &[]),
        ("clean_coffee.jpg", &[]),
        ("clean_plot_bars.jpg", &[]),
        ("clean_plot_lines.jpg", &[]),
        // 5% of 14,326 usable coefficients is under the 1,024 the chi-square needs.
        ("jsteg_5.jpg", &[]),
        ("jsteg_50.jpg", &[("G012", jsteg, 1)]),
        // The Cb plane has under 1,024 usable coefficients and is not tested.
        ("jsteg_100.jpg", &[("G012", jsteg, 1), ("G012", jsteg, 3)]),
        // Its lowest mode reads 0.24, under images.f5_rate (0.35): missed by default.
        ("f5_20.jpg", &[]),
        ("f5_50.jpg", &[("G012", f5, 1)]),
        ("f5_100.jpg", &[("G012", f5, 1)]),
    ];
    for (path, want) in expected {
        let found = files
            .get(*path)
            .unwrap_or_else(|| panic!("{path} not reported"));
        let want: Vec<_> = want
            .iter()
            .map(|(r, m, c)| (r.to_string(), m.to_string(), *c))
            .collect();
        assert_eq!(summary(found), want, "{path}");
    }
    assert_eq!(files.len(), expected.len());
}

#[test]
fn the_decoder_fixtures_are_clean() {
    // Baseline, progressive, restart intervals, 4:2:0, 4:2:2, 4:4:4 and greyscale.
    let files = findings(&check(Path::new("testdata/jpeg/dct")));
    assert_eq!(files.len(), 7);
    for (path, found) in files {
        assert!(found.is_empty(), "{path}: {found:?}");
    }
}

#[test]
fn evidence_gives_the_method_estimate_threshold_and_payload() {
    let files = findings(&check(Path::new(STEGO)));
    let truth = truth();

    let jsteg = &files["jsteg_50.jpg"][0];
    let evidence = &jsteg["evidence"];
    assert_eq!(evidence["method"], "jsteg-chi-square");
    assert_eq!(evidence["component"], 1);
    assert_eq!(evidence["usable_coefficients"], 14_326);
    assert_eq!(evidence["estimate"], 0.58);
    assert_eq!(evidence["threshold"], 0.25);
    assert_eq!(evidence["prefix_p_threshold"], 0.5);
    let place = jsteg["location"]["chunk"].as_str().expect("chunk");
    assert!(place.starts_with("component 1 (id "), "{place}");
    // The simulator wrote 8,349 bits; the estimate's 2% steps give 8,309.
    let bits = truth["jsteg_50.jpg"]["truth"]["bits"]
        .as_f64()
        .expect("bits");
    let capacity = jsteg["capacity_bytes"].as_f64().expect("capacity");
    assert!(
        (capacity * 8.0 - bits).abs() < 0.02 * 14_326.0,
        "{capacity}"
    );

    // A policy with review from 0.2 puts the 20% embedding in the review band.
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("f5.toml");
    std::fs::write(&policy, "name = \"f5\"\n[images]\nf5_rate = 0.2\n").expect("policy");
    let lowered = findings(&check_with(
        Path::new(STEGO),
        &["--policy", policy.to_str().expect("utf-8")],
    ));
    for (name, rule, threshold) in [
        ("f5_20.jpg", "G011", 0.2),
        ("f5_50.jpg", "G012", 0.5),
        ("f5_100.jpg", "G012", 0.5),
    ] {
        let finding = &lowered[name][0];
        let evidence = &finding["evidence"];
        assert_eq!(finding["rule"], rule, "{name}");
        assert_eq!(evidence["method"], "f5-calibration");
        assert_eq!(evidence["threshold"], threshold, "{name}");
        assert!(evidence["usable_coefficients"].as_u64().expect("usable") > 10_000);
        // The calibration estimate of beta over-reads these 320 x 352 covers by about 0.1
        // to 0.25; the payload follows it, within a factor of 1.5 of what was embedded.
        let beta = truth[name]["truth"]["beta"].as_f64().expect("beta");
        let estimate = evidence["estimate"].as_f64().expect("estimate");
        assert!(
            estimate > beta && estimate < beta + 0.25,
            "{name}: {estimate} vs {beta}"
        );
        let lowest = evidence["lowest_mode_estimate"].as_f64().expect("lowest");
        assert!(
            lowest >= threshold && lowest <= estimate,
            "{name}: {lowest}"
        );
        let bits = truth[name]["truth"]["bits"].as_f64().expect("bits");
        let capacity = finding["capacity_bytes"].as_f64().expect("capacity") * 8.0;
        assert!(
            capacity > bits * 0.9 && capacity < bits * 1.5,
            "{name}: {capacity} vs {bits}"
        );
    }
}

#[test]
fn pixel_domain_estimators_are_not_run_on_jpegs() {
    // SPA, RS and WS give large estimates on decoded JPEG photos; none may appear.
    let report = check(Path::new(STEGO));
    for file in report["files"].as_array().expect("files") {
        for finding in file["findings"].as_array().expect("findings") {
            let method = finding["evidence"]["method"].as_str().unwrap_or_default();
            assert!(
                method == "jsteg-chi-square" || method == "f5-calibration",
                "{}: {finding}",
                file["path"]
            );
        }
    }
}

#[test]
fn jpegs_whose_coefficients_cannot_be_read_are_reviewed() {
    // The clean photo with its SOF0 marker turned into SOF9 (arithmetic coding), and with
    // its sample precision set to 12 bits: the marker walk is sound, the coefficients are
    // not read.
    let photo = std::fs::read(format!("{STEGO}/clean_cat_grey.jpg")).expect("fixture");
    let sof = photo
        .windows(2)
        .position(|w| w == [0xff, 0xc0])
        .expect("SOF0");
    let mut arithmetic = photo.clone();
    arithmetic[sof + 1] = 0xc9;
    let mut twelve = photo.clone();
    twelve[sof + 1] = 0xc1;
    twelve[sof + 4] = 12;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("arithmetic.jpg"), arithmetic).expect("write");
    std::fs::write(dir.path().join("twelve.jpg"), twelve).expect("write");
    let files = findings(&check(dir.path()));
    for (name, coding) in [
        ("arithmetic.jpg", "arithmetic-coded JPEG"),
        ("twelve.jpg", "12-bit precision"),
    ] {
        let found = &files[name];
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        assert_eq!(found[0]["rule"], "G013");
        assert_eq!(found[0]["severity"], "review");
        assert_eq!(found[0]["evidence"]["coding"], coding);
    }
}
