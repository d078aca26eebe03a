//! A realistic mixed request, `testdata/requests/mixed/` (made by
//! `testdata/generate_documents.py`, `mixed_request()`): a zip of three tables, a Word report
//! with a plot and a reviewer's comment, a notebook, a run log and the analysis code. Every
//! file and every member must get the verdict a human output checker would give, for the
//! reason given beside it: this is the end-to-end check that the families work together.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// The JSON report of the mixed request, run once for all the tests here.
fn report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/requests/mixed");
        let output = Command::cargo_bin("egress-check")
            .expect("binary")
            .timeout(Duration::from_secs(120))
            .arg("check")
            .arg(dir)
            .args(["--format", "json"])
            .output()
            .expect("run");
        // Exit 2: something is blocked (the report's comment and the notebook's listing).
        assert_eq!(output.status.code(), Some(2));
        serde_json::from_slice(&output.stdout).expect("json")
    })
}

fn files() -> &'static [Value] {
    report()["files"].as_array().expect("files")
}

fn entry(path: &str) -> &'static Value {
    files()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no {path}"))
}

/// The rule codes of a file's findings, in report order.
fn rules(path: &str) -> Vec<&'static str> {
    entry(path)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect()
}

fn finding(path: &str, code: &str) -> &'static Value {
    entry(path)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == code)
        .unwrap_or_else(|| panic!("{path} has no {code}"))
}

/// Asserts one file's kind, verdict and exact rule codes.
fn expect(path: &str, kind: &str, verdict: &str, codes: &[&str]) {
    let file = entry(path);
    assert_eq!(file["kind"], kind, "{path} kind");
    assert_eq!(file["verdict"], verdict, "{path} verdict");
    assert_eq!(rules(path), codes, "{path} rules");
}

#[test]
fn every_file_and_member_is_listed_once() {
    let paths: Vec<&str> = files()
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        paths,
        [
            "analysis.ipynb",
            "code/analysis.R",
            "code/analysis.py",
            "logs/run.log",
            "report.docx",
            "report.docx!/word/media/image1.png",
            "tables.zip",
            "tables.zip!/age_by_sex.csv",
            "tables.zip!/deaths_by_region.csv",
            "tables.zip!/regression.csv",
        ]
    );
    assert_eq!(report()["verdict"], "block");
    let summary = &report()["summary"];
    assert_eq!(
        (&summary["pass"], &summary["review"], &summary["block"]),
        (&Value::from(6), &Value::from(2), &Value::from(2))
    );
    // Nothing here is opaque: no rule needs to charge capacity to the budget.
    assert_eq!(summary["capacity_bytes"], 0);
    assert_eq!(report()["findings"], Value::Array(vec![]));
}

#[test]
fn the_zip_of_tables_is_opened_and_each_table_checked() {
    // A001: an archive is always reviewed as a container, so that the checker knows its
    // members were unpacked and judged one by one below.
    expect("tables.zip", "archive", "review", &["A001"]);
    for member in [
        "tables.zip!/age_by_sex.csv",
        "tables.zip!/deaths_by_region.csv",
        "tables.zip!/regression.csv",
    ] {
        assert_eq!(entry(member)["container"], "tables.zip", "{member}");
    }
    // T014 (info) says how the table was read; T001: the Male 60-79 cell counts 3, under
    // the default threshold of 10, which is the classic small-cell disclosure.
    expect(
        "tables.zip!/age_by_sex.csv",
        "table",
        "review",
        &["T014", "T001"],
    );
    let small = finding("tables.zip!/age_by_sex.csv", "T001");
    assert_eq!(small["location"]["row"], "60-79");
    assert_eq!(small["location"]["column"], "Male");
    assert_eq!(small["evidence"]["value"], 3);
    // Deaths of 388 to 455 out of populations near 50,000: every count is large, and the
    // populations are denominators, not small cells.
    expect(
        "tables.zip!/deaths_by_region.csv",
        "table",
        "pass",
        &["T014"],
    );
    // Coefficients, standard errors and p-values to three decimals: model output, no counts,
    // no excess digits.
    expect("tables.zip!/regression.csv", "table", "pass", &["T014"]);
}

#[test]
fn the_report_blocks_on_its_comment_and_its_plot_passes() {
    // E001: a reviewer's comment names a patient by a valid NHS number (modulus 11 holds),
    // so the document must not leave; P004 asks for review of the comment as such, quoting it
    // with the number masked.
    expect("report.docx", "document", "block", &["E001", "P004"]);
    let nhs = finding("report.docx", "E001");
    assert_eq!(nhs["severity"], "block");
    assert_eq!(nhs["location"]["chunk"], "word/comments.xml");
    let quoted = finding("report.docx", "P004")["message"]
        .as_str()
        .expect("message");
    assert!(!quoted.contains("943 476 5919"), "{quoted}");
    // The figure is the clean bar plot: checked as an image member, nothing hidden in it.
    expect("report.docx!/word/media/image1.png", "image", "pass", &[]);
    assert_eq!(
        entry("report.docx!/word/media/image1.png")["container"],
        "report.docx"
    );
}

#[test]
fn the_notebook_blocks_on_its_row_listing_and_reviews_its_crosstab() {
    // The notebook's tables meet the table rules where they are printed (T014 for each):
    // the Markdown cell's deaths by region are all large (pass); the crosstab output has the
    // Male 60-79 cell of 3 (T001, review), the same cell as the zipped CSV; the head() table
    // is read with its running index dropped. P013: that `cohort.head()` prints five rows of
    // individual records, which is microdata, not an aggregate, and blocks the notebook. The
    // "loaded 609 patients" line is a cohort total and raises nothing.
    expect(
        "analysis.ipynb",
        "document",
        "block",
        &["T014", "T014", "T001", "T014", "P013"],
    );
    let small = finding("analysis.ipynb", "T001");
    assert_eq!(small["location"]["chunk"], "cell2/output0 table 1");
    assert_eq!(small["location"]["row"], "60-79");
    assert_eq!(small["location"]["column"], "M");
    assert_eq!(
        finding("analysis.ipynb", "P013")["location"]["chunk"],
        "cell3/output0"
    );
}

#[test]
fn the_log_and_code_pass() {
    // Timestamps, counts of 609 and 14 iterations, and paths: nothing identifying.
    expect("logs/run.log", "text", "pass", &[]);
    // E011 (info): the author's own e-mail on an author line of the code is attribution,
    // not a patient's contact detail, so it is recorded, masked, and does not hold the file.
    for path in ["code/analysis.R", "code/analysis.py"] {
        expect(path, "text", "pass", &["E011"]);
        let email = finding(path, "E011");
        assert_eq!(email["severity"], "info", "{path}");
        let message = email["message"].as_str().expect("message");
        assert!(!message.contains("jo.bloggs@"), "{path}: {message}");
    }
}
