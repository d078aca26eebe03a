//! Console tables in logs through the binary, on the fixtures under `testdata/logs/` that
//! `testdata/generate_text.py` writes: Stata `tabulate` output (plain and SMCL), R's
//! `table()` and a pipe table printed into a run log meet the table rules, at the table,
//! cell and line of the file; estimation and summary output beside a clean crosstab does not.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/logs")
}

fn report() -> Value {
    let output = Command::cargo_bin("egress-check")
        .expect("binary built")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60))
        .arg("check")
        .arg(fixtures())
        .args(["--format", "json"])
        .output()
        .expect("run");
    let stdout = String::from_utf8(output.stdout).expect("utf-8 report");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn file<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no {path}"))
}

/// (rule, chunk, row, column, line) of each finding of a file, in report order; empty
/// strings and 0 where the location has none.
fn findings(report: &Value, path: &str) -> Vec<(String, String, String, String, u64)> {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    file(report, path)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let at = &f["location"];
            (
                text(&f["rule"]),
                text(&at["chunk"]),
                text(&at["row"]),
                text(&at["column"]),
                at["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn owned(expected: &[(&str, &str, &str, &str, u64)]) -> Vec<(String, String, String, String, u64)> {
    expected
        .iter()
        .map(|(r, t, row, c, l)| {
            (
                r.to_string(),
                t.to_string(),
                row.to_string(),
                c.to_string(),
                *l,
            )
        })
        .collect()
}

#[test]
fn a_small_cell_of_a_two_way_tabulate_is_found_at_its_line() {
    let report = report();
    // London has 4 with a complication (line 15 of the log; line 16 of the SMCL, whose
    // first line is `{smcl}`); every other cell is 12 or more, margins included.
    let expected = |line| {
        owned(&[
            ("T014", "table 1", "", "", 0),
            (
                "T001",
                "table 1",
                "London",
                "complication = 1 / Freq.",
                line,
            ),
        ])
    };
    assert_eq!(findings(&report, "leak/stata_tab.log"), expected(15));
    assert_eq!(findings(&report, "leak/stata_tab.smcl"), expected(16));
    let entry = file(&report, "leak/stata_tab.log");
    assert_eq!(entry["kind"], "text");
    assert_eq!(entry["verdict"], "review");
    let layout = &entry["findings"][0]["evidence"];
    assert_eq!(layout["header_lines"], serde_json::json!([12, 13]));
    assert_eq!(layout["body_lines"], serde_json::json!([15, 18]));
    assert_eq!(layout["margin_rows"], serde_json::json!(["Total"]));
    let cell = &entry["findings"][1];
    assert_eq!(cell["evidence"]["value"], 4.0);
    assert_eq!(cell["evidence"]["threshold"], 10);
}

#[test]
fn a_one_way_tabulate_and_a_pipe_table_in_a_run_log() {
    let report = report();
    // Mixed: 3 people (line 16), and its percentage computed from them.
    assert_eq!(
        findings(&report, "leak/stata_oneway.log"),
        owned(&[
            ("T014", "table 1", "", "", 0),
            ("T001", "table 1", "Mixed", "Freq.", 16),
            ("T002", "table 1", "Mixed", "Percent", 16),
        ])
    );
    // The same table alone in a text file, identified as a `|`-delimited table (Mixed on
    // line 5): still read as Stata printed it.
    assert_eq!(file(&report, "leak/tabulate.txt")["kind"], "table");
    assert_eq!(
        findings(&report, "leak/tabulate.txt"),
        owned(&[
            ("T014", "table 1", "", "", 0),
            ("T001", "table 1", "Mixed", "Freq.", 5),
            ("T002", "table 1", "Mixed", "Percent", 5),
        ])
    );
    // R's table(region, complication): London has 3 (line 15); summary(), head() and
    // proc.time() beside it are not tables.
    assert_eq!(
        findings(&report, "leak/r_table.Rout"),
        owned(&[
            ("T014", "table 1", "", "", 0),
            ("T001", "table 1", "London", "complication = 1 / n", 15),
        ])
    );
    // The pipe table's 18-39 row (line 7) has 3 deaths.
    assert_eq!(
        findings(&report, "leak/pipe_table.log"),
        owned(&[
            ("T014", "table 1", "", "", 0),
            ("T001", "table 1", "18-39", "deaths", 7),
        ])
    );
}

#[test]
fn regression_summary_and_percentage_lines_are_not_counts() {
    let report = report();
    // The crosstab with row percentages and the one-way table are read (the Key box above
    // the crosstab takes no number); the regression's df of 1, its coefficients and the
    // summary's minimum of 1 are not cells.
    let entry = file(&report, "clean/stata_clean.log");
    assert_eq!(entry["verdict"], "pass", "{entry:#}");
    assert_eq!(
        findings(&report, "clean/stata_clean.log"),
        owned(&[
            ("T014", "table 1", "", "", 0),
            ("T014", "table 2", "", "", 0)
        ])
    );
    let crosstab = &entry["findings"][0]["evidence"];
    assert_eq!(crosstab["body_rows"], 5);
    assert_eq!(
        crosstab["columns"][1],
        serde_json::json!({"column": "sex = Female / Freq.", "role": "count"})
    );
}
