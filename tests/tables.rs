//! The table rules (family T) on the fixtures of `testdata/tables/`, through the binary:
//! for every fixture, the exact rules, cells and values found.

use std::collections::BTreeMap;

use assert_cmd::Command;
use serde_json::Value;

/// Runs `check DIR --format json` and returns the report, with the expected exit code.
fn check(dir: &str, extra: &[&str], exit: i32) -> Value {
    let root = format!("{}/testdata/{dir}", env!("CARGO_MANIFEST_DIR"));
    let output = Command::cargo_bin("egress-check")
        .expect("binary")
        .args(["check", &root, "--format", "json"])
        .args(extra)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(exit), "{output:?}");
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

/// Per file: its findings other than the info-level layout, as `CODE row | column`.
fn findings(report: &Value) -> BTreeMap<String, Vec<String>> {
    let mut by_file = BTreeMap::new();
    for file in report["files"].as_array().expect("files") {
        let path = file["path"].as_str().expect("path").to_string();
        let mut found = Vec::new();
        for finding in file["findings"].as_array().expect("findings") {
            let rule = finding["rule"].as_str().expect("rule");
            if rule == "T014" {
                continue;
            }
            let location = &finding["location"];
            let part = |key: &str| location[key].as_str().unwrap_or("-").to_string();
            found.push(format!("{rule} {} | {}", part("row"), part("column")));
        }
        by_file.insert(path, found);
    }
    by_file
}

/// The first finding of `rule` in `path`.
fn finding<'a>(report: &'a Value, path: &str, rule: &str) -> &'a Value {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == path)
        .and_then(|f| {
            f["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .find(|x| x["rule"] == rule)
        })
        .unwrap_or_else(|| panic!("no {rule} in {path}"))
}

#[test]
fn every_fixture_gives_exactly_its_findings() {
    let report = check("tables", &[], 2);
    let found = findings(&report);
    let expected: &[(&str, &[&str])] = &[
        ("clean_crosstab.csv", &[]),
        ("calibration_points.csv", &["T007 - | -"]),
        (
            "class_disclosure.csv",
            &[
                "T001 Pregnant | Male",
                "T005 Pregnant | Female",
                "T005 Not pregnant | Male",
            ],
        ),
        ("counts_then_total_n.csv", &["T001 London | Current"]),
        ("covert_digits.csv", &["T010 - | -"]),
        (
            "describe_quartiles.csv",
            &[
                "T001 age | count",
                "T002 age | mean",
                "T002 age | std",
                "T002 age | 25%",
                "T002 age | 50%",
                "T002 age | 75%",
            ],
        ),
        ("excess_digits.csv", &["T009 - | mean_age"]),
        ("extremes.csv", &["T004 - | max_cost"]),
        ("float64_means.csv", &[]),
        ("hidden_sheet.xlsx", &["T012 - | -", "T007 - | -"]),
        ("long_format.csv", &[]),
        ("long_numeric_group.csv", &["T001 South / 1 | count"]),
        (
            "means_by_group.csv",
            &["T001 A | n", "T002 A | mean_bmi", "T002 A | sd_bmi"],
        ),
        ("means_no_n.csv", &["T003 - | mean_length_of_stay"]),
        ("microdata.csv", &["T007 - | -"]),
        ("no_rows.csv", &["T013 - | -"]),
        (
            "payload.csv",
            &[
                "T011 U2FsdGVkX1+vupppZksvRf5pq5g5XjFRlipRkwB0 | column 1",
                "T011 Female\u{200b}\u{200c}\u{200b}\u{200d} | column 1",
            ],
        ),
        ("percent_of_n.csv", &["T001 A | pct_smokers"]),
        ("percent_of_title_n.csv", &["T001 Other | percent"]),
        ("rate_events_person_years.csv", &[]),
        ("row_percent_of_n.csv", &["T001 18-39 | Current"]),
        ("semicolon_decimal_comma.csv", &["T001 B | n"]),
        (
            "small_cells.csv",
            &["T001 40-59 | Male", "T001 80+ | Male", "T005 80+ | Female"],
        ),
        ("suppressed_contradicted.csv", &["T006 London | Current"]),
        ("suppressed_protected.csv", &[]),
        ("suppressed_recoverable.csv", &["T006 40-59 | Male"]),
        ("visible_sheet.xlsx", &[]),
        (
            "windows1252_two_headers.csv",
            &["T001 Provence | Male / n", "T002 Provence | Male / %"],
        ),
    ];
    for (path, want) in expected {
        let got = found.get(*path).unwrap_or_else(|| panic!("{path} missing"));
        assert_eq!(got, want, "{path}");
    }
    assert_eq!(
        found.len(),
        expected.len(),
        "a fixture without expectations"
    );
}

#[test]
fn evidence_names_values_and_thresholds() {
    let report = check("tables", &[], 2);

    let small = finding(&report, "small_cells.csv", "T001");
    assert_eq!(small["evidence"]["value"], 3);
    assert_eq!(small["evidence"]["threshold"], 10);
    assert_eq!(small["location"]["line"], 3);

    let contradicted = finding(&report, "suppressed_contradicted.csv", "T006");
    assert_eq!(contradicted["evidence"]["recovered"], 150);
    assert_eq!(contradicted["evidence"]["marker_contradicted"], true);

    let recovered = finding(&report, "percent_of_n.csv", "T001");
    assert_eq!(recovered["evidence"]["value"], 4);
    assert_eq!(recovered["evidence"]["recovered_from"]["denominator"], 40.0);

    let thousands = finding(&report, "semicolon_decimal_comma.csv", "T001");
    assert_eq!(thousands["evidence"]["value"], 7);

    let suppressed = finding(&report, "suppressed_recoverable.csv", "T006");
    assert_eq!(suppressed["evidence"]["recovered"], 3);
    assert_eq!(suppressed["evidence"]["marker"], "<10");
    assert_eq!(suppressed["severity"], "block");

    let dominance = finding(&report, "extremes.csv", "T004");
    assert_eq!(dominance["evidence"]["dominance_row"], "B");
    assert_eq!(dominance["evidence"]["max_share_of_sum"], 0.95);

    let payload = finding(&report, "payload.csv", "T011");
    assert_eq!(payload["capacity_bytes"], 48);

    let covert = finding(&report, "covert_digits.csv", "T010");
    assert_eq!(covert["evidence"]["digits_beyond_float64"], 555);
    assert!(covert["capacity_bytes"].as_u64().expect("capacity") >= 230);

    let hidden = finding(&report, "hidden_sheet.xlsx", "T012");
    assert_eq!(hidden["evidence"]["state"], "very hidden");
    assert_eq!(hidden["location"]["chunk"], "raw");

    let micro = finding(&report, "microdata.csv", "T007");
    let reasons = micro["evidence"]["reasons"].as_array().expect("reasons");
    assert!(reasons.len() >= 2, "{reasons:?}");
    assert_eq!(micro["evidence"]["rows"], 30);
}

#[test]
fn layout_reports_inferred_roles() {
    let report = check("tables", &[], 2);
    let layout = finding(&report, "windows1252_two_headers.csv", "T014");
    let roles: Vec<String> = layout["evidence"]["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| format!("{}={}", c["column"].as_str().unwrap_or(""), c["role"]))
        .collect();
    assert_eq!(
        roles,
        [
            "R\u{e9}gion=\"label\"",
            "Female / n=\"count\"",
            "Female / %=\"percent\"",
            "Male / n=\"count\"",
            "Male / %=\"percent\"",
        ]
    );
    assert_eq!(
        layout["evidence"]["header_lines"],
        serde_json::json!([2, 3])
    );
    let crosstab = finding(&report, "clean_crosstab.csv", "T014");
    assert_eq!(
        crosstab["evidence"]["margin_rows"],
        serde_json::json!(["Total"])
    );
}

#[test]
fn rounding_is_checked_when_the_policy_asks() {
    let policy = format!(
        "{}/testdata/policies/round5.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let report = check("tables-rounding", &["--policy", &policy], 1);
    let found = findings(&report);
    assert_eq!(found["unrounded.csv"], ["T008 40-59 | Female"]);
    assert_eq!(found["rounded.csv"], Vec::<String>::new());

    // Under the default policy (no rounding base) neither file is judged on rounding.
    let report = check("tables-rounding", &[], 0);
    assert!(findings(&report).values().all(Vec::is_empty));
}

#[test]
fn differencing_between_tables_of_one_request_is_found() {
    let report = check("tables-differencing", &[], 1);
    let found = findings(&report);

    // Differences worked by hand in testdata/generate_tables.py.
    assert_eq!(found["admissions_all.csv"], Vec::<String>::new());
    assert_eq!(
        found["admissions_excl_care_homes.csv"],
        [
            "T015 65-79 | Female",
            "T015 65-79 | Total",
            "T015 80+ | Male",
            "T015 Total | Male",
        ]
    );
    assert_eq!(
        found["asthma_under_19.csv"],
        ["T015 0-18 | asthma", "T015 19-64 | asthma"]
    );
    assert_eq!(found["asthma_under_18.csv"], Vec::<String>::new());
    assert_eq!(found["asthma_under_18_next_year.csv"], Vec::<String>::new());

    let band = finding(&report, "asthma_under_19.csv", "T015");
    assert_eq!(band["evidence"]["difference"], 3.0);
    assert_eq!(band["evidence"]["band"], "18");
    assert_eq!(band["evidence"]["other"]["path"], "asthma_under_18.csv");
    assert_eq!(band["evidence"]["other"]["value"], 57.0);
    assert_eq!(band["evidence"]["threshold"], 10);
}
