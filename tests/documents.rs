//! Documents: Office and OpenDocument packages, PDFs, SVG, HTML and notebooks, with their
//! pictures, data: URIs and plots checked as members. Fixtures are made by
//! `testdata/generate_documents.py`.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/documents");
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

fn finding(path: &str, code: &str) -> &'static Value {
    entry(path)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == code)
        .unwrap_or_else(|| panic!("{path} has no {code}"))
}

fn verdict(path: &str) -> &'static str {
    entry(path)["verdict"].as_str().expect("verdict")
}

#[test]
fn clean_documents_pass_with_their_pictures_checked() {
    for path in ["clean.docx", "clean.pdf", "clean.ipynb", "grouped.ipynb"] {
        assert_eq!(rules(path), Vec::<&str>::new(), "{path}");
        assert_eq!(verdict(path), "pass", "{path}");
    }
    for member in [
        "clean.docx!/word/media/image1.png",
        "clean.ipynb!/cell1/output0.png",
        "clean.html!/data0.png",
    ] {
        assert_eq!(entry(member)["kind"], "image", "{member}");
        assert_eq!(verdict(member), "pass", "{member}");
    }
    assert_eq!(
        entry("clean.docx!/word/media/image1.png")["container"],
        "clean.docx"
    );
    assert_eq!(rules("clean.html"), ["P011"]);
    assert_eq!(verdict("clean.html"), "pass");
    assert_eq!(rules("clean.svg"), ["P010"]);
    assert_eq!(verdict("clean.svg"), "review");
}

#[test]
fn pictures_inside_documents_get_the_image_rules() {
    for (document, member) in [
        (
            "appended_image.docx",
            "appended_image.docx!/word/media/image1.png",
        ),
        (
            "appended_plot.ipynb",
            "appended_plot.ipynb!/cell1/output0.png",
        ),
        ("inline_appended.html", "inline_appended.html!/data0.png"),
    ] {
        assert_eq!(rules(member), ["G001"], "{member}");
        assert_eq!(entry(member)["container"], document);
        assert_eq!(
            verdict(document),
            "block",
            "{document} carries its member's block"
        );
    }
}

#[test]
fn office_packages() {
    assert_eq!(rules("macro.docm"), ["P001"]);
    assert_eq!(
        finding("macro.docm", "P001")["evidence"]["part"],
        "word/vbaProject.bin"
    );
    assert_eq!(rules("macro.odt"), ["P001"]);
    assert_eq!(
        finding("macro.odt", "P001")["evidence"]["part"],
        "Basic/Standard/Module1.xml"
    );

    assert_eq!(rules("embedded.docx"), ["P002"]);
    let embedded = finding("embedded.docx", "P002");
    assert_eq!(
        embedded["evidence"]["part"],
        "word/embeddings/oleObject1.bin"
    );
    assert_eq!(embedded["evidence"]["bytes"], 512);
    assert_eq!(embedded["capacity_bytes"], 512);
    assert_eq!(
        rules("embedded.docx!/word/embeddings/oleObject1.bin"),
        ["P016"]
    );

    assert_eq!(rules("remote_template.docx"), ["P003"]);
    let template = finding("remote_template.docx", "P003");
    assert_eq!(template["evidence"]["type"], "attachedTemplate");
    assert_eq!(
        template["evidence"]["target"],
        "https://templates.example.org/t.dotm"
    );

    assert_eq!(rules("tracked.docx"), ["P004", "P004"]);
    let findings = entry("tracked.docx")["findings"]
        .as_array()
        .expect("findings");
    assert_eq!(
        findings[0]["evidence"]["excerpt"],
        "One patient, aged 93, in Leeds"
    );
    assert_eq!(findings[0]["evidence"]["deletions"], 1);
    assert_eq!(
        findings[1]["evidence"]["excerpt"],
        "Is this the patient from ward 7?"
    );
    assert_eq!(verdict("tracked.docx"), "review");
}

#[test]
fn pdfs() {
    assert_eq!(rules("javascript.pdf"), ["P005"]);
    assert_eq!(
        finding("javascript.pdf", "P005")["evidence"]["open_action"],
        1
    );
    assert_eq!(
        rules("hidden_javascript.pdf"),
        ["P005"],
        "found inside a Flate object stream, under a #-escaped name"
    );
    assert_eq!(rules("attachment.pdf"), ["P002"]);
    assert_eq!(rules("link.pdf"), ["P003"]);
    assert_eq!(
        finding("link.pdf", "P003")["evidence"]["targets"][0],
        "https://example.org/upload?id=4711"
    );

    assert_eq!(rules("appended.pdf"), ["P006"]);
    assert_eq!(finding("appended.pdf", "P006")["capacity_bytes"], 2049);
    assert_eq!(rules("eof_smuggle.pdf"), ["P006", "P008"]);
    assert_eq!(finding("eof_smuggle.pdf", "P006")["capacity_bytes"], 1026);
    assert_eq!(rules("trailing_text.pdf"), ["P007"]);
    assert_eq!(verdict("trailing_text.pdf"), "review");
    assert_eq!(rules("incremental.pdf"), ["P008"]);
    assert_eq!(
        finding("incremental.pdf", "P008")["evidence"]["eof_markers"],
        2
    );
    assert_eq!(rules("lzw.pdf"), ["P009"]);
    assert_eq!(
        finding("lzw.pdf", "P009")["evidence"]["filters"],
        serde_json::json!(["LZWDecode"])
    );
    assert_eq!(rules("truncated.pdf"), ["P012"]);
}

#[test]
fn svg_and_html() {
    assert_eq!(rules("script.svg"), ["P005", "P010"]);
    let script = finding("script.svg", "P005");
    assert_eq!(script["evidence"]["scripts"], 1);
    assert_eq!(
        script["evidence"]["handlers"],
        serde_json::json!(["onmouseover"])
    );
    assert_eq!(rules("external.html"), ["P003"]);
    assert_eq!(
        finding("external.html", "P003")["evidence"]["targets"],
        serde_json::json!(["https://tracker.example.org/p.gif?study=42"])
    );
    assert_eq!(rules("bad_data_uri.html"), ["P011", "P012"]);
    assert_eq!(verdict("bad_data_uri.html"), "block");
}

#[test]
fn notebooks() {
    // The head() table is also read by the table rules (T014), its running index dropped.
    assert_eq!(rules("head.ipynb"), ["T014", "P013"]);
    let head = finding("head.ipynb", "P013");
    assert_eq!(head["evidence"]["rows"], 5);
    assert_eq!(head["location"]["chunk"], "cell0/output0");
    assert_eq!(rules("error.ipynb"), ["P014"]);
    assert_eq!(
        finding("error.ipynb", "P014")["evidence"]["excerpt"],
        "KeyError: 'nhs_number'"
    );
    assert_eq!(rules("large_output.ipynb"), ["P015"]);
    assert_eq!(
        finding("large_output.ipynb", "P015")["capacity_bytes"],
        14890
    );
    assert_eq!(rules("broken.ipynb"), ["P012"]);
    assert_eq!(rules("object.rtf"), ["P002", "P016"]);
}

#[test]
fn identifiers_in_document_text_name_their_part_and_paragraph() {
    // An NHS number split over three runs in paragraph 3 of the body (after "Check patient "),
    // a postcode in a comment and a mobile number in a header.
    let nhs = finding("identifiers.docx", "E001");
    assert_eq!(nhs["location"]["chunk"], "word/document.xml");
    assert_eq!(nhs["location"]["line"], 3);
    assert_eq!(nhs["evidence"]["masked"], "943 *** **19");
    assert!(nhs["message"]
        .as_str()
        .expect("message")
        .contains("paragraph 3, column 15 of word/document.xml"));
    assert_eq!(
        finding("identifiers.docx", "E004")["location"]["chunk"],
        "word/comments.xml"
    );
    assert_eq!(
        finding("identifiers.docx", "E007")["location"]["chunk"],
        "word/header1.xml"
    );
    // The comment is quoted by P004 with the postcode masked.
    let comment = finding("identifiers.docx", "P004")["message"]
        .as_str()
        .expect("message");
    assert!(
        comment.contains("EH1 ***") && !comment.contains("1YZ"),
        "{comment}"
    );
    assert_eq!(verdict("identifiers.docx"), "block");

    // In the PDF the number is shown by a TJ array on the second text line of page 1.
    let pdf = finding("identifiers.pdf", "E001");
    assert_eq!(pdf["location"]["chunk"], "page 1 (object 4)");
    assert_eq!(pdf["location"]["line"], 2);
    assert_eq!(pdf["evidence"]["masked"], "943 *** **19");
    // The clean documents' text holds nothing.
    assert_eq!(rules("clean.pdf"), Vec::<&str>::new());
}

#[test]
fn pdf_images_are_checked_by_the_image_rules() {
    assert_eq!(verdict("images.pdf!/object-5.jpg"), "pass");
    assert_eq!(entry("images.pdf!/object-5.jpg")["kind"], "image");
    assert!(rules("images.pdf!/object-6.jpg").contains(&"G001"));
    assert_eq!(verdict("images.pdf!/object-7.png"), "pass");
    assert_eq!(entry("images.pdf!/object-7.png")["kind"], "image");
    assert!(rules("images.pdf!/object-8.png").contains(&"G012"));
    assert_eq!(verdict("images.pdf!/object-8.png"), "block");
    assert_eq!(verdict("images.pdf"), "block");
}

#[test]
fn tables_inside_notebooks_pages_and_markdown_meet_the_table_rules() {
    // A pandas crosstab rendered as HTML: the index-name row is folded into the header, so
    // the small cell is named by its labels, and the line is the line within the output.
    assert_eq!(rules("crosstab.ipynb"), ["T014", "T014", "T001"]);
    let small = finding("crosstab.ipynb", "T001");
    assert_eq!(small["location"]["chunk"], "cell1/output0 table 1");
    assert_eq!(small["location"]["row"], "60-79");
    assert_eq!(small["location"]["column"], "M");
    assert_eq!(small["evidence"]["value"], 3);
    assert_eq!(verdict("crosstab.ipynb"), "review");
    // The Markdown cell's table of deaths is read, and clean.
    assert_eq!(
        finding("crosstab.ipynb", "T014")["location"]["chunk"],
        "cell0/markdown table 1"
    );

    // A web page: the one-row layout table is not data and raises nothing; table 2 has the
    // small cell, table 3 is clean.
    assert_eq!(rules("tables.html"), ["T014", "T001", "T014"]);
    let small = finding("tables.html", "T001");
    assert_eq!(small["location"]["chunk"], "table 2");
    assert_eq!(small["location"]["line"], 8);
    assert_eq!(small["location"]["column"], "Male");
    assert_eq!(verdict("tables.html"), "review");

    // A Markdown file: two pipe tables, the first with the small cell at line 9; a pipe in
    // running text is not a table.
    assert_eq!(entry("results.md")["kind"], "text");
    assert_eq!(rules("results.md"), ["T014", "T001", "T014"]);
    let small = finding("results.md", "T001");
    assert_eq!(small["location"]["chunk"], "table 1");
    assert_eq!(small["location"]["line"], 9);
    assert_eq!(verdict("results.md"), "review");
}

#[test]
fn matplotlib_svg_rasters_wrapped_over_lines_are_decoded_and_checked() {
    // The payload starts on the line after `base64,` and is wrapped at 76 columns: it runs to
    // the closing quote, and the whole PNG is decoded.
    assert_eq!(rules("plot_wrapped.svg"), ["P010", "P011"]);
    assert_eq!(verdict("plot_wrapped.svg"), "review");
    assert_eq!(entry("plot_wrapped.svg!/data0.png")["kind"], "image");
    assert_eq!(rules("plot_wrapped.svg!/data0.png"), Vec::<&str>::new());
    assert_eq!(verdict("plot_wrapped.svg!/data0.png"), "pass");

    // The location is the URI in the file: `data:` at its offset, the closing quote just
    // after its length.
    let uri = finding("plot_wrapped.svg", "P011");
    let svg = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/documents/plot_wrapped.svg"),
    )
    .expect("fixture");
    let offset = uri["location"]["byte_offset"].as_u64().expect("offset") as usize;
    let length = uri["location"]["byte_length"].as_u64().expect("length") as usize;
    assert_eq!(&svg[offset..offset + 5], b"data:");
    assert_eq!(svg[offset + length], b'"');
    assert_eq!(uri["location"]["chunk"], "data0.png");

    assert_eq!(rules("plot_wrapped_appended.svg!/data0.png"), ["G001"]);
    assert_eq!(
        entry("plot_wrapped_appended.svg!/data0.png")["container"],
        "plot_wrapped_appended.svg"
    );
    assert_eq!(verdict("plot_wrapped_appended.svg"), "block");
}

#[test]
fn indexed_pdf_images_are_expanded_and_checked() {
    // Literal, hex and stream palettes; 4-, 8- and 2-bit indices; with and without
    // predictors: every image is taken out, and nothing is left uninspected.
    assert_eq!(rules("indexed.pdf"), Vec::<&str>::new());
    assert_eq!(verdict("indexed.pdf"), "pass");
    for object in 5..=7 {
        let member = format!("indexed.pdf!/object-{object}.png");
        assert_eq!(entry(&member)["kind"], "image", "{member}");
        assert_eq!(verdict(&member), "pass", "{member}");
    }

    // An index past hival, a short palette and an ICCBased base are each named.
    assert_eq!(rules("indexed_bad.pdf"), ["P009"]);
    let refused = finding("indexed_bad.pdf", "P009");
    assert_eq!(refused["evidence"]["images"], 3);
    let message = refused["message"].as_str().expect("message");
    for reason in [
        "object-5 (FlateDecode, indexed colour: index ",
        "is past the palette's last entry, 1",
        "object-6 (FlateDecode, indexed colour: the palette holds 24 bytes, fewer than the 48",
        "object-7 (FlateDecode, indexed colour: base colour space given as an array",
    ] {
        assert!(message.contains(reason), "{message}");
    }
    assert_eq!(verdict("indexed_bad.pdf"), "review");
}

#[test]
fn tables_inside_word_and_opendocument_reports_meet_the_table_rules() {
    // A results table in the body of a Word report: the cell of 3 is named by its labels,
    // the line is the row of the table.
    assert_eq!(rules("results_table.docx"), ["T014", "T001"]);
    let small = finding("results_table.docx", "T001");
    assert_eq!(small["location"]["chunk"], "table 1");
    assert_eq!(small["location"]["row"], "60-79");
    assert_eq!(small["location"]["column"], "Male");
    assert_eq!(small["location"]["line"], 4);
    assert_eq!(small["evidence"]["value"], 3);
    assert_eq!(small["evidence"]["threshold"], 10);
    assert_eq!(verdict("results_table.docx"), "review");

    // Counts of at least 10, a regression table, and a table of counts in a footnote: read,
    // named by their part, and nothing to report.
    assert_eq!(rules("clean_tables.docx"), ["T014", "T014", "T014"]);
    let findings = &entry("clean_tables.docx")["findings"];
    assert_eq!(findings[0]["location"]["chunk"], "table 1");
    assert_eq!(findings[1]["location"]["chunk"], "table 2");
    assert_eq!(findings[1]["evidence"]["columns"][1]["role"], "estimate");
    assert_eq!(
        findings[2]["location"]["chunk"],
        "word/footnotes.xml table 1"
    );
    assert_eq!(verdict("clean_tables.docx"), "pass");

    // Female and Male spanning two columns each (w:gridSpan, and ODF covered cells) over
    // n and %: the header's two rows name each column, and the percent of 3 is reported too.
    for path in ["merged_header.docx", "results_table.odt"] {
        assert_eq!(rules(path), ["T014", "T001", "T002"], "{path}");
        let layout = finding(path, "T014");
        let columns: Vec<&str> = layout["evidence"]["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .map(|c| c["column"].as_str().expect("column"))
            .collect();
        assert_eq!(
            columns,
            [
                "Age band",
                "Female / n",
                "Female / %",
                "Male / n",
                "Male / %"
            ],
            "{path}"
        );
        assert_eq!(
            layout["evidence"]["header_lines"],
            serde_json::json!([1, 2])
        );
        let small = finding(path, "T001");
        assert_eq!(small["location"]["chunk"], "table 1", "{path}");
        assert_eq!(small["location"]["row"], "60-79", "{path}");
        assert_eq!(small["location"]["column"], "Male / n", "{path}");
        assert_eq!(small["location"]["line"], 5, "{path}");
        assert_eq!(small["evidence"]["value"], 3, "{path}");
        let percent = finding(path, "T002");
        assert_eq!(percent["location"]["column"], "Male / %", "{path}");
        assert_eq!(percent["evidence"]["n_column"], "Male / n", "{path}");
        assert_eq!(verdict(path), "review", "{path}");
    }
}

#[test]
fn a_word_table_cut_short_is_reported_unreadable() {
    // A document.xml whose table never closes (the ZIP is sound): T013 blocks it, and the
    // rows that could be read are still judged.
    let document = "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.\
        openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:tbl>\
        <w:tr><w:tc><w:p><w:r><w:t>Region</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r>\
        <w:t>Deaths</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>North</w:t>\
        </w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>4</w:t></w:r></w:p></w:tc></w:tr>\
        <w:tr><w:tc><w:p><w:r><w:t>South</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r>\
        <w:t>15</w:t></w:r></w:p></w:tc><w:tc><w:p>";
    let types = "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/\
        package/2006/content-types\"><Override PartName=\"/word/document.xml\" \
        ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.\
        document.main+xml\"/></Types>";
    let dir = tempfile::tempdir().expect("tempdir");
    let file = std::fs::File::create(dir.path().join("cut.docx")).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in [
        ("[Content_Types].xml", types),
        ("word/document.xml", document),
    ] {
        zip.start_file(name, options).expect("start");
        std::io::Write::write_all(&mut zip, text.as_bytes()).expect("write");
    }
    zip.finish().expect("finish");
    let output = Command::cargo_bin("egress-check")
        .expect("binary")
        .timeout(Duration::from_secs(60))
        .arg("check")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .expect("run");
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    let file = &report["files"][0];
    assert_eq!(file["kind"], "document", "{file}");
    let findings = file["findings"].as_array().expect("findings");
    let unreadable = findings
        .iter()
        .find(|f| f["rule"] == "T013")
        .unwrap_or_else(|| panic!("no T013: {file}"));
    assert_eq!(unreadable["location"]["chunk"], "table 1");
    assert_eq!(unreadable["evidence"]["part"], "word/document.xml");
    assert_eq!(
        unreadable["evidence"]["error"],
        "the part ends inside the table"
    );
    let small = findings
        .iter()
        .find(|f| f["rule"] == "T001")
        .unwrap_or_else(|| panic!("no T001: {file}"));
    assert_eq!(small["location"]["row"], "North");
    assert_eq!(file["verdict"], "block");
}
