//! The HTML report in a real browser: Debian's chromium renders it headless and the test reads
//! back the DOM it built. The test skips itself, saying so, when `/usr/bin/chromium` is absent
//! (`.ci/run` installs it when apt can reach a mirror).

use std::fs;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

const CHROMIUM: &str = "/usr/bin/chromium";

#[test]
fn html_report_renders_and_hostile_names_stay_text() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("SKIPPED: {CHROMIUM} is absent; `apt-get install -y chromium` to run this test");
        return;
    }
    let request = TempDir::new().expect("tempdir");
    let hostile = "<img src=x onerror=alert(1)>.csv";
    fs::write(request.path().join(hostile), "a,b\n1,2\n").expect("write");
    fs::write(request.path().join("cache.dat"), [0x9f_u8; 300]).expect("write");

    let out = TempDir::new().expect("tempdir");
    let page = out.path().join("report.html");
    Command::cargo_bin("egress-check")
        .expect("binary")
        .arg("check")
        .arg(request.path())
        .args(["--format", "html", "--output"])
        .arg(&page)
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2);

    let dumped = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .timeout(Duration::from_secs(120))
        .output()
        .expect("chromium");
    let dom = String::from_utf8_lossy(&dumped.stdout);
    assert!(dom.contains("<h1>"), "chromium built no page: {dom}");
    assert!(dom.contains("BLOCK"), "the verdict heads the page: {dom}");
    assert!(
        !dom.contains("<img"),
        "a file name became an element: {dom}"
    );
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt;.csv"),
        "the file name is shown as text: {dom}"
    );
    assert!(
        dom.contains("id=\"rule-O003\""),
        "rule documentation is on the page"
    );
}

/// Renders the manifest fixture's report to `target/html-report.png`, the screenshot README
/// shows (copied to `docs/html-report.png` by hand when the report's look changes).
#[test]
fn html_report_screenshot() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("SKIPPED: {CHROMIUM} is absent; `apt-get install -y chromium` to run this test");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = TempDir::new().expect("tempdir");
    let page = out.path().join("report.html");
    Command::cargo_bin("egress-check")
        .expect("binary")
        .current_dir(root)
        .args([
            "check",
            "testdata/requests/with-manifest",
            "--format",
            "html",
            "--output",
        ])
        .arg(&page)
        .timeout(Duration::from_secs(60))
        .assert()
        .code(1);
    let png = root.join("target/html-report.png");
    let _ = fs::remove_file(&png);
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1200,1500",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .timeout(Duration::from_secs(120))
        .output()
        .expect("chromium");
    let bytes = fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
}
