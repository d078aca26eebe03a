#!/usr/bin/env python3
"""Writes the document fixtures under testdata/documents/: Office Open XML and OpenDocument
packages built by hand with zipfile, PDFs written object by object, SVG, HTML, notebooks and
RTF. Deterministic (fixed timestamps, random.Random(23)); needs only the standard library and
the committed images in testdata/images/.

    python3 testdata/generate_documents.py
"""

import base64
import json
import random
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "documents"
STAMP = (2026, 1, 1, 0, 0, 0)
CLEAN_PNG = (HERE / "images" / "clean_plot_bars.png").read_bytes()
APPENDED_PNG = (HERE / "images" / "png_after_iend.png").read_bytes()
RNG = random.Random(23)

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def zip_write(path: Path, parts: list[tuple[str, bytes | str]], stored_first=False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for i, (name, data) in enumerate(parts):
            if isinstance(data, str):
                data = data.encode("utf-8")
            info = zipfile.ZipInfo(name, STAMP)
            stored = stored_first and i == 0
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def rels(items: list[tuple[str, str, str, bool]]) -> str:
    body = "".join(
        f'<Relationship Id="{rid}" Type="{R}/{kind}" Target="{target}"'
        + (' TargetMode="External"' if external else "")
        + "/>"
        for rid, kind, target, external in items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">{body}</Relationships>'


def docx(name: str, body: str, extra: list[tuple[str, bytes | str]] = (),
         doc_rels: list = (), macro=False) -> None:
    """A minimal WordprocessingML package: content types, package rels, the document."""
    main = "application/vnd.ms-word.document.macroEnabled.main+xml" if macro else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="png" ContentType="image/png"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document {W} xmlns:r="{R}">'
        f"<w:body>{body}</w:body></w:document>"
    )
    parts = [
        ("[Content_Types].xml", types),
        ("_rels/.rels", rels([("rId1", "officeDocument", "word/document.xml", False)])),
        ("word/document.xml", document),
        ("word/_rels/document.xml.rels", rels(list(doc_rels))),
    ]
    zip_write(OUT / name, parts + list(extra))


def para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def office() -> None:
    text = para("Table 2 shows mortality by region; all counts are at least 10.")
    image_rel = [("rId5", "image", "media/image1.png", False)]
    docx("clean.docx", text, [("word/media/image1.png", CLEAN_PNG)], image_rel)
    docx("macro.docm", text, [("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + bytes(60))],
         macro=True)
    docx("embedded.docx", text,
         [("word/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))],
         [("rId6", "oleObject", "embeddings/oleObject1.bin", False)])
    docx("remote_template.docx", text, [
        ("word/settings.xml", f'<w:settings {W} xmlns:r="{R}"><w:attachedTemplate r:id="rId1"/>'
                              "</w:settings>"),
        ("word/_rels/settings.xml.rels",
         rels([("rId1", "attachedTemplate", "https://templates.example.org/t.dotm", True)])),
    ])
    tracked = (
        para("Mortality was highest in the North.")
        + '<w:p><w:del w:id="1" w:author="R"><w:r><w:delText>One patient, aged 93, in Leeds'
        "</w:delText></w:r></w:del>"
        '<w:ins w:id="2" w:author="R"><w:r><w:t>Counts under 10 suppressed.</w:t></w:r></w:ins>'
        "</w:p>"
    )
    comments = (
        f'<w:comments {W}><w:comment w:id="0" w:author="R"><w:p><w:r>'
        "<w:t>Is this the patient from ward 7?</w:t></w:r></w:p></w:comment></w:comments>"
    )
    docx("tracked.docx", tracked, [("word/comments.xml", comments)])
    docx("appended_image.docx", text, [("word/media/image1.png", APPENDED_PNG)], image_rel)

    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>'
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        "<office:body><office:text><text:p>Summary of results.</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    zip_write(OUT / "macro.odt", [
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content),
        ("Basic/Standard/Module1.xml", '<script:module script:name="Module1">Sub Main\nEnd Sub'
                                       "</script:module>"),
    ], stored_first=True)


def pdf(objects: list[bytes], trailer_extra: bytes = b"", after: bytes = b"\n") -> bytes:
    """A PDF with a correct cross-reference table; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF" % (
        len(objects) + 1, trailer_extra, xref)
    return bytes(out) + after


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


PAGE = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    stream(zlib.compress(b"BT /F1 12 Tf 20 100 Td (Results) Tj ET"), b"/Filter /FlateDecode "),
]


def write(name: str, data: bytes | str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def pdfs() -> None:
    write("clean.pdf", pdf(PAGE))
    catalog_js = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>"
    write("javascript.pdf", pdf([catalog_js] + PAGE[1:] + [
        b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"]))
    hidden = zlib.compress(b"5 0 6 0 << /S /J#61vaScript /JS 6 0 R >> (this.submitForm\\(\\))")
    write("hidden_javascript.pdf", pdf([catalog_js] + PAGE[1:] + [
        stream(hidden, b"/Type /ObjStm /N 2 /First 8 /Filter /FlateDecode ")]))
    catalog_files = b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 5 0 R >> >>"
    write("attachment.pdf", pdf([catalog_files] + PAGE[1:] + [
        b"<< /Names [(cohort.csv) 6 0 R] >>",
        b"<< /Type /Filespec /F (cohort.csv) /EF << /F 7 0 R >> >>",
        stream(b"id,age\n1,93\n", b"/Type /EmbeddedFile "),
    ]))
    page_link = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R " \
                b"/Annots [5 0 R] >>"
    write("link.pdf", pdf(PAGE[:2] + [page_link, PAGE[3]] + [
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] "
        b"/A << /S /URI /URI (https://example.org/upload?id=4711) >> >>"]))
    write("appended.pdf", pdf(PAGE, after=b"\n" + RNG.randbytes(2048)))
    write("eof_smuggle.pdf", pdf(PAGE) + RNG.randbytes(1024) + b"\n%%EOF\n")
    write("trailing_text.pdf", pdf(PAGE, after=b"\n\n  see v2\n"))
    first = pdf(PAGE)
    update = (b"\n5 0 obj\n(revised)\nendobj\nxref\n0 1\n0000000000 65535 f \n"
              b"trailer\n<< /Size 6 /Root 1 0 R /Prev 9 >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(first) + 1))
    write("incremental.pdf", first + update)
    write("lzw.pdf", pdf(PAGE + [stream(b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01",
                                        b"/Filter /LZWDecode ")]))
    write("truncated.pdf", pdf(PAGE)[:300])


SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' \
           'width="100" height="60">'


def markup() -> None:
    bars = '<rect x="10" y="20" width="20" height="40"/><rect x="40" y="10" width="20" ' \
           'height="50"/><text x="10" y="15">Admissions by year</text>'
    write("clean.svg", SVG_HEAD + bars + "</svg>\n")
    write("script.svg", SVG_HEAD + bars + '<script>fetch("/x?d="+document.cookie)</script>'
          '<rect onmouseover="leak()" width="1" height="1"/></svg>\n')
    clean_uri = base64.b64encode(CLEAN_PNG).decode()
    write("clean.html", "<!DOCTYPE html><html><head><title>Results</title></head><body>"
          "<h1>Results</h1><p>Figure 1.</p>"
          f'<img alt="figure 1" src="data:image/png;base64,{clean_uri}"></body></html>\n')
    appended_uri = base64.b64encode(APPENDED_PNG).decode()
    write("inline_appended.html", "<!DOCTYPE html><html><body><p>Figure 2.</p>"
          f'<img src="data:image/png;base64,{appended_uri}"></body></html>\n')
    write("external.html", "<!DOCTYPE html><html><body><p>Results</p>"
          '<img src="https://tracker.example.org/p.gif?study=42">'
          '<a href="#top">top</a></body></html>\n')
    write("bad_data_uri.html", "<!DOCTYPE html><html><body>"
          '<img src="data:image/png;base64,iVBOR*not*base64"></body></html>\n')


def notebook(name: str, outputs: list[list[dict]]) -> None:
    cells = [
        {"cell_type": "code", "execution_count": i + 1, "id": f"c{i}", "metadata": {},
         "outputs": outs, "source": ["x = 1\n"]}
        for i, outs in enumerate(outputs)
    ]
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    write(name, json.dumps(nb, indent=1) + "\n")


HEAD_PLAIN = ("   age sex   bmi\n0   34   F  22.1\n1   45   M  27.3\n2   51   F  31.0\n"
              "3   29   M  24.4\n4   62   F  28.9")
HEAD_HTML = (
    '<table border="1" class="dataframe">\n  <thead>\n    <tr style="text-align: right;">\n'
    "      <th></th>\n      <th>age</th>\n      <th>sex</th>\n      <th>bmi</th>\n    </tr>\n"
    "  </thead>\n  <tbody>\n"
    + "".join(f"    <tr>\n      <th>{i}</th>\n      <td>{a}</td>\n      <td>{s}</td>\n"
              f"      <td>{b}</td>\n    </tr>\n"
              for i, (a, s, b) in enumerate([(34, "F", 22.1), (45, "M", 27.3), (51, "F", 31.0),
                                             (29, "M", 24.4), (62, "F", 28.9)]))
    + "  </tbody>\n</table>"
)
GROUPED_PLAIN = ("     count\nage_band       \n18-39      112\n40-59      143\n60-79       88\n"
                 "80+         21\n")


def notebooks() -> None:
    image = {"output_type": "display_data", "metadata": {},
             "data": {"image/png": base64.b64encode(CLEAN_PNG).decode(),
                      "text/plain": ["<Figure size 640x480 with 1 Axes>"]}}
    mean = {"output_type": "stream", "name": "stdout", "text": ["mean age 54.2\n"]}
    notebook("clean.ipynb", [[mean], [image]])
    notebook("head.ipynb", [[{"output_type": "execute_result", "execution_count": 1,
                              "metadata": {}, "data": {"text/html": HEAD_HTML,
                                                       "text/plain": HEAD_PLAIN}}]])
    notebook("grouped.ipynb", [[{"output_type": "execute_result", "execution_count": 1,
                                 "metadata": {}, "data": {"text/plain": GROUPED_PLAIN}}]])
    notebook("error.ipynb", [[{"output_type": "error", "ename": "KeyError",
                               "evalue": "'nhs_number'",
                               "traceback": ["KeyError: 'nhs_number'"]}]])
    long_text = "".join(f"iteration {i}: loss 0.{i % 97:02d}\n" for i in range(600))
    notebook("large_output.ipynb", [[{"output_type": "stream", "name": "stdout",
                                      "text": long_text}]])
    appended = {"output_type": "display_data", "metadata": {},
                "data": {"image/png": base64.b64encode(APPENDED_PNG).decode()}}
    notebook("appended_plot.ipynb", [[mean], [appended]])
    write("broken.ipynb", '{"nbformat": 4, "cells": [{"cell_type": "code", "outputs": [')


def rtf() -> None:
    write("object.rtf", "{\\rtf1\\ansi Results {\\object\\objemb{\\*\\objdata "
          "01050000020000000b0000004578636500}}}\n")


# NHS number 943 476 5919: weights 10..2 over 943476591 give 299; 299 mod 11 = 2; 11 - 2 = 9.
NHS = "943 476 5919"


def comments_part(text: str) -> str:
    return (f'<w:comments {W}><w:comment w:id="0" w:author="R"><w:p><w:r>'
            f"<w:t>{text}</w:t></w:r></w:p></w:comment></w:comments>")


def document_text() -> None:
    """Identifiers in the written text of a docx and a PDF, for the text rules."""
    split_runs = ('<w:p><w:r><w:t xml:space="preserve">Check patient </w:t></w:r>'
                  '<w:r><w:rPr><w:b/></w:rPr><w:t>943 47</w:t></w:r>'
                  '<w:r><w:t>6 5919 &amp; recode.</w:t></w:r></w:p>')
    body = para("Mortality by region.") + para("") + split_runs
    header = (f'<w:hdr {W}><w:p><w:r><w:t>Call 07700 900123 with queries</w:t></w:r></w:p>'
              "</w:hdr>")
    docx("identifiers.docx", body, [
        ("word/comments.xml", comments_part("Clinic at EH1 1YZ, see notes.")),
        ("word/header1.xml", header),
    ])
    content = (b"BT /F1 12 Tf 20 180 Td (Cohort summary) Tj 0 -14 Td "
               b"[(Patient 943) -20 ( 476 5919)] TJ ET")
    page = PAGE[:3] + [stream(zlib.compress(content), b"/Filter /FlateDecode ")]
    write("identifiers.pdf", pdf(page))


def png_rows(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and the zlib stream of filtered rows of an 8-bit RGB PNG."""
    assert png[12:16] == b"IHDR" and png[24:26] == b"\x08\x02", "8-bit RGB only"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    at, idat = 8, b""
    while at < len(png):
        length = int.from_bytes(png[at:at + 4], "big")
        if png[at + 4:at + 8] == b"IDAT":
            idat += png[at + 8:at + 8 + length]
        at += 12 + length
    return width, height, idat


def pdf_images() -> None:
    """A PDF whose page draws four image XObjects: two JPEGs (DCTDecode, one with bytes after
    its EOI) and two PNG-predicted Flate images (one clean plot, one with every LSB replaced)."""
    images = []
    for name in ["clean_photo.jpg", "jpeg_after_eoi.jpg"]:
        jpeg = (HERE / "images" / name).read_bytes()
        images.append(stream(jpeg, b"/Type /XObject /Subtype /Image /Width 1 /Height 1 "
                                   b"/ColorSpace /DeviceRGB /BitsPerComponent 8 "
                                   b"/Filter /DCTDecode "))
    for name in ["clean_plot_bars.png", "plot_lsb_100.png"]:
        width, height, idat = png_rows((HERE / "images" / name).read_bytes())
        images.append(stream(idat, b"/Type /XObject /Subtype /Image /Width %d /Height %d "
                                   b"/ColorSpace /DeviceRGB /BitsPerComponent 8 "
                                   b"/Filter /FlateDecode /DecodeParms << /Predictor 15 "
                                   b"/Colors 3 /Columns %d >> " % (width, height, width)))
    draw = b" ".join(b"q 40 0 0 30 %d 20 cm /Im%d Do Q" % (10 + 45 * i, i) for i in range(4))
    xobjects = b" ".join(b"/Im%d %d 0 R" % (i, 5 + i) for i in range(4))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
            b"/Resources << /XObject << " + xobjects + b" >> >> >>")
    write("images.pdf", pdf(PAGE[:2] + [page, stream(zlib.compress(draw),
                                                      b"/Filter /FlateDecode ")] + images))


def crosstab_html(rows: list[tuple[str, int, int]]) -> str:
    """A crosstab as pandas renders `pd.crosstab(a, b, margins=True)`: the columns' name over
    the index name, the margins named All."""
    cells = lambda tag, values: "".join(f"      <{tag}>{v}</{tag}>\n" for v in values)
    body = "".join(f"    <tr>\n      <th>{label}</th>\n{cells('td', [f, m, f + m])}    </tr>\n"
                   for label, f, m in rows)
    total = (sum(r[1] for r in rows), sum(r[2] for r in rows))
    body += (f"    <tr>\n      <th>All</th>\n{cells('td', [*total, sum(total)])}    </tr>\n")
    return ('<table border="1" class="dataframe">\n  <thead>\n'
            '    <tr style="text-align: right;">\n      <th>sex</th>\n'
            + cells("th", ["F", "M", "All"]) + "    </tr>\n    <tr>\n      <th>age_band</th>\n"
            + cells("th", ["", "", ""]) + "    </tr>\n  </thead>\n  <tbody>\n" + body
            + "  </tbody>\n</table>")


CROSSTAB = [("18-39", 112, 97), ("40-59", 143, 131), ("60-79", 88, 3), ("80+", 21, 14)]
REGIONS_MD = ("Deaths by region, 2015-2024:\n\n| region | deaths | population |\n"
              "|:---|---:|---:|\n| North | 412 | 51,230 |\n| Midlands | 388 | 47,810 |\n"
              "| South | 455 | 60,122 |\n")


def embedded_tables() -> None:
    """Tables inside a notebook, a web page and a Markdown file, for the table rules."""
    cells = [
        {"cell_type": "markdown", "id": "regions", "metadata": {}, "source": [REGIONS_MD]},
        {"cell_type": "code", "execution_count": 1, "id": "xtab", "metadata": {},
         "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                      "data": {"text/html": crosstab_html(CROSSTAB),
                               "text/plain": "(crosstab)"}}],
         "source": ["pd.crosstab(cohort.age_band, cohort.sex, margins=True)"]},
    ]
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    write("crosstab.ipynb", json.dumps(nb, indent=1) + "\n")
    write("tables.html", "<!DOCTYPE html><html><body>\n"
          "<table class=\"layout\"><tr><td><a href=\"#t\">Tables</a></td></tr></table>\n"
          "<h2>Table 1</h2>\n<table>\n<tr><th>Age band</th><th>Female</th><th>Male</th></tr>\n"
          + "".join(f"<tr><td>{a}</td><td>{f}</td><td>{m}</td></tr>\n" for a, f, m in CROSSTAB)
          + "</table>\n<h2>Table 2</h2>\n<table>\n<tr><th>Region</th><th>Deaths</th></tr>\n"
          "<tr><td>North</td><td>412</td></tr>\n<tr><td>South</td><td>455</td></tr>\n"
          "</table>\n</body></html>\n")
    write("results.md", "# Results\n\nAdmissions by age band and sex:\n\n"
          "| Age band | Female | Male |\n|---|--:|--:|\n"
          + "".join(f"| {a} | {f} | {m} |\n" for a, f, m in CROSSTAB)
          + "\n" + REGIONS_MD + "\nThe pipe in `cat log | wc -l` is not a table.\n")


def wtc(text, pr: str = "") -> str:
    """A Word table cell holding one paragraph; `pr` goes in its w:tcPr."""
    run = f"<w:r><w:t>{text}</w:t></w:r>" if text != "" else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="1200" w:type="dxa"/>{pr}</w:tcPr><w:p>{run}</w:p></w:tc>'


def wtbl(rows: list[list[str]], columns: int) -> str:
    """A Word table of rows of cells made by wtc(), with its grid of `columns` columns."""
    grid = '<w:gridCol w:w="1200"/>' * columns
    body = "".join(f"<w:tr>{''.join(cells)}</w:tr>" for cells in rows)
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>")


def odt(name: str, body: str) -> None:
    """A minimal OpenDocument text package whose office:text is `body`."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    zip_write(OUT / name, [
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content),
    ], stored_first=True)


def word_tables() -> None:
    """Results tables inside Word and OpenDocument reports, for the table rules."""
    header = [wtc("Age band"), wtc("Female"), wtc("Male")]
    rows = [[wtc(a), wtc(f), wtc(m)] for a, f, m in CROSSTAB]
    docx("results_table.docx",
         para("Results") + para("Table 1. Admissions by age band and sex, 2015-2024.")
         + wtbl([header] + rows, 3) + para("Source: linked admissions, 2015-2024."))

    regions = [[wtc("Region"), wtc("Deaths"), wtc("Population")]] + [
        [wtc(r), wtc(d), wtc(p)] for r, d, p in
        [("North", 412, "51,230"), ("Midlands", 388, "47,810"), ("South", 455, "60,122")]]
    model = [[wtc("Term"), wtc("Estimate"), wtc("SE"), wtc("p-value")]] + [
        [wtc(t), wtc(e), wtc(se), wtc(p)] for t, e, se, p in
        [("(Intercept)", "2.314", "0.412", "&lt;0.001"), ("Age (per 10 years)", "0.187",
         "0.051", "&lt;0.001"), ("Female", "-0.093", "0.118", "0.431")]]
    sites = [[wtc("Site"), wtc("Patients")], [wtc("Leeds"), wtc(240)], [wtc("York"), wtc(186)]]
    footnotes = (f'<w:footnotes {W}><w:footnote w:id="1"><w:p><w:r><w:t>Recruitment by site:'
                 f"</w:t></w:r></w:p>{wtbl(sites, 2)}</w:footnote></w:footnotes>")
    docx("clean_tables.docx",
         para("Table 1. Deaths by region.") + wtbl(regions, 3)
         + para("Table 2. Poisson model of admission.") + wtbl(model, 4),
         [("word/footnotes.xml", footnotes)])

    span, restart, below = '<w:gridSpan w:val="2"/>', '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    merged = [
        [wtc("Age band", restart), wtc("Female", span), wtc("Male", span)],
        [wtc("", below), wtc("n"), wtc("%"), wtc("n"), wtc("%")],
    ] + [[wtc(a), wtc(f), wtc(f"{100 * f / (f + m):.1f}"), wtc(m), wtc(f"{100 * m / (f + m):.1f}")]
         for a, f, m in CROSSTAB]
    docx("merged_header.docx", para("Table 3. Admissions by age band and sex.")
         + wtbl(merged, 5))

    cell = lambda text, attrs="": (f"<table:table-cell{attrs}><text:p>{text}</text:p>"
                                   "</table:table-cell>")
    spanned = ' table:number-columns-spanned="2"'
    covered = "<table:covered-table-cell/>"
    head = (f"<table:table-header-rows><table:table-row>{cell('Age band')}"
            f"{cell('Female', spanned)}{covered}{cell('Male', spanned)}{covered}"
            f"</table:table-row><table:table-row>{cell('')}{cell('n')}{cell('%')}"
            f"{cell('n')}{cell('%')}</table:table-row></table:table-header-rows>")
    body = "".join(
        f"<table:table-row>{cell(a)}{cell(f)}{cell(f'{100 * f / (f + m):.1f}')}{cell(m)}"
        f"{cell(f'{100 * m / (f + m):.1f}')}</table:table-row>" for a, f, m in CROSSTAB)
    odt("results_table.odt",
        "<text:p>Table 1. Admissions by age band and sex.</text:p>"
        '<table:table table:name="Table1">'
        '<table:table-column table:number-columns-repeated="5"/>'
        f"{head}{body}</table:table><text:p>Source: linked admissions.</text:p>")


def mixed_request() -> None:
    """requests/mixed/: a realistic request of mixed kinds, each member with a known verdict
    (tests/mixed_request.rs)."""
    root = HERE / "requests" / "mixed"
    tables = [
        ("age_by_sex.csv", "age_band,Female,Male,Total\n18-39,112,97,209\n40-59,143,131,274\n"
                           "60-79,88,3,91\n80+,21,14,35\nTotal,364,245,609\n"),
        ("deaths_by_region.csv", "region,deaths,population\nNorth,412,51230\nMidlands,388,"
                                 "47810\nSouth,455,60122\n"),
        ("regression.csv", "term,estimate,se,p_value\n(Intercept),2.314,0.412,<0.001\n"
                           "age_per_10y,0.187,0.051,<0.001\nfemale,-0.093,0.118,0.431\n"),
    ]
    root.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(root / "tables.zip", "w") as archive:
        for name, text in tables:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)

    body = (para("Incidence of admission by age and sex, 2015-2024.")
            + para("Figure 1 shows admissions per year; all counts are at least 10.")
            + '<w:p><w:r><w:drawing><a:blip r:embed="rId5" '
              'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"/></w:drawing>'
              "</w:r></w:p>")
    image_rel = [("rId5", "image", "media/image1.png", False)]
    saved = OUT
    globals()["OUT"] = root
    docx("report.docx", body, [
        ("word/media/image1.png", CLEAN_PNG),
        ("word/comments.xml", comments_part(f"Check this against patient {NHS} first.")),
    ], image_rel)
    globals()["OUT"] = saved

    cells = [
        {"cell_type": "code", "execution_count": 1, "id": "load", "metadata": {},
         "outputs": [{"output_type": "stream", "name": "stdout",
                      "text": ["loaded 609 patients\n"]}],
         "source": ["cohort = pd.read_parquet('/data/cohort.parquet')\n",
                    "print(f'loaded {len(cohort)} patients')"]},
        {"cell_type": "markdown", "id": "regions", "metadata": {}, "source": [REGIONS_MD]},
        {"cell_type": "code", "execution_count": 2, "id": "xtab", "metadata": {},
         "outputs": [{"output_type": "execute_result", "execution_count": 2, "metadata": {},
                      "data": {"text/html": crosstab_html(CROSSTAB),
                               "text/plain": "(crosstab)"}}],
         "source": ["pd.crosstab(cohort.age_band, cohort.sex, margins=True)"]},
        {"cell_type": "code", "execution_count": 3, "id": "head", "metadata": {},
         "outputs": [{"output_type": "execute_result", "execution_count": 3, "metadata": {},
                      "data": {"text/html": HEAD_HTML, "text/plain": HEAD_PLAIN}}],
         "source": ["cohort.head()"]},
    ]
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    (root / "analysis.ipynb").write_text(json.dumps(nb, indent=1) + "\n")

    (root / "logs").mkdir(exist_ok=True)
    (root / "logs" / "run.log").write_text(
        "2026-11-30 10:02:11 INFO loaded cohort: 609 patients\n"
        "2026-11-30 10:02:12 INFO fitted Poisson model in 14 iterations, deviance 812.4\n"
        "2026-11-30 10:02:12 INFO wrote outputs/tables.zip (3 tables)\n"
        "2026-11-30 10:02:14 INFO wrote outputs/report.docx\n")
    (root / "code").mkdir(exist_ok=True)
    (root / "code" / "analysis.R").write_text(
        "# Incidence of admission by age and sex.\n"
        "# Author: Jo Bloggs <jo.bloggs@ed.ac.uk>\n"
        "library(dplyr)\n"
        "cohort <- arrow::read_parquet('/data/cohort.parquet')\n"
        "counts <- cohort |> count(age_band, sex)\n"
        "write.csv(counts, 'outputs/age_by_sex.csv', row.names = FALSE)\n")
    (root / "code" / "analysis.py").write_text(
        '"""Fit the incidence model and export aggregate tables."""\n'
        '__author__ = "Jo Bloggs"\n'
        '__email__ = "jo.bloggs@ed.ac.uk"\n\n'
        "import pandas as pd\n\n"
        "cohort = pd.read_parquet('/data/cohort.parquet')\n"
        "table = pd.crosstab(cohort.age_band, cohort.sex, margins=True, margins_name='Total')\n"
        "table.to_csv('outputs/age_by_sex.csv')\n")


def matplotlib_svg(png: bytes) -> str:
    """An SVG as matplotlib's SVG backend writes a raster (imshow, a colour bar): the PNG as
    an `xlink:href` data: URI with a line break after the comma and the base64 wrapped at 76
    columns, so that the payload runs over lines to the closing quote."""
    wrapped = base64.encodebytes(png).decode("ascii")
    return ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
            '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
            '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
            '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="460.8pt" height="345.6pt" '
            'viewBox="0 0 460.8 345.6" xmlns="http://www.w3.org/2000/svg" version="1.1">\n'
            ' <defs>\n  <style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}'
            '</style>\n </defs>\n <g id="figure_1">\n  <g id="axes_1">\n'
            '   <g clip-path="url(#p1)">\n'
            f'    <image xlink:href="data:image/png;base64,\n{wrapped}" id="image1" '
            'transform="scale(1 -1) translate(0 -266.4)" x="103.7" y="-41.5" width="266.4" '
            'height="266.4"/>\n   </g>\n  </g>\n </g>\n <defs>\n  <clipPath id="p1">\n'
            '   <rect x="103.7" y="41.5" width="266.4" height="266.4"/>\n  </clipPath>\n'
            " </defs>\n</svg>\n")


def svg_rasters() -> None:
    """matplotlib-style SVGs holding the clean plot, and the plot with bytes after IEND."""
    write("plot_wrapped.svg", matplotlib_svg(CLEAN_PNG))
    write("plot_wrapped_appended.svg", matplotlib_svg(APPENDED_PNG))


def png_filter(rows: list[bytes], kinds: list[int]) -> bytes:
    """Rows of one byte a pixel (indices of 8 bits or fewer) under the given PNG filters
    (RFC 2083, 6), each after its filter byte."""
    out, prior = bytearray(), bytes(len(rows[0]))
    for row, kind in zip(rows, kinds):
        out.append(kind)
        for x, value in enumerate(row):
            a = row[x - 1] if x else 0
            b = prior[x]
            c = prior[x - 1] if x else 0
            if kind == 0:
                predicted = 0
            elif kind == 1:
                predicted = a
            elif kind == 2:
                predicted = b
            elif kind == 3:
                predicted = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predicted = a if pa <= pb and pa <= pc else b if pb <= pc else c
            out.append((value - predicted) % 256)
        prior = row
    return bytes(out)


def pack(indices: list[int], depth: int) -> bytes:
    """One row of indices packed `depth` bits each, high bits first, the last byte padded."""
    out, bits, used = bytearray(), 0, 0
    for index in indices:
        bits, used = (bits << depth) | index, used + depth
        if used == 8:
            out.append(bits)
            bits, used = 0, 0
    if used:
        out.append(bits << (8 - used))
    return bytes(out)


def heatmap(rng: random.Random, width: int, height: int, colours: int, block: int) -> list:
    """Rows of indices drawing a heatmap: `block`-pixel cells of random colours."""
    cells = [[rng.randrange(colours) for _ in range(width // block)]
             for _ in range(height // block)]
    return [[cells[y // block][x // block] for x in range(width)] for y in range(height)]


def viridis(n: int) -> list[tuple[int, int, int]]:
    """`n` colours interpolated between five viridis anchors."""
    anchors = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
    out = []
    for i in range(n):
        t = i * (len(anchors) - 1) / (n - 1)
        k = min(int(t), len(anchors) - 2)
        f = t - k
        out.append(tuple(round(a + (b - a) * f) for a, b in zip(anchors[k], anchors[k + 1])))
    return out


def pdf_literal(data: bytes) -> bytes:
    """A PDF literal string as matplotlib's pdfRepr writes bytes: \\, ( and ) escaped, and
    line feeds and carriage returns as \\n and \\r."""
    escapes = {0x5C: b"\\\\", 0x28: b"\\(", 0x29: b"\\)", 0x0A: b"\\n", 0x0D: b"\\r"}
    return b"(" + b"".join(escapes.get(b, bytes([b])) for b in data) + b")"


def indexed_image(rows: list, depth: int, colour_space: bytes, predictor: bool) -> bytes:
    """An image XObject of indices, Flate-compressed, with or without PNG predictor 15."""
    width, height = len(rows[0]), len(rows)
    packed = [pack(row, depth) for row in rows]
    if predictor:
        data = png_filter(packed, [y % 5 for y in range(height)])
        parms = b"/DecodeParms << /Predictor 15 /Colors 1 /Columns %d /BitsPerComponent %d >> " \
            % (width, depth)
    else:
        data, parms = b"".join(packed), b""
    return stream(zlib.compress(data), b"/Type /XObject /Subtype /Image /Width %d /Height %d "
                  b"/ColorSpace %s /BitsPerComponent %d /Filter /FlateDecode %s"
                  % (width, height, colour_space, depth, parms))


def image_page(count: int) -> list[bytes]:
    """The catalog, pages, a page drawing image XObjects 5 to 4 + count, and its content."""
    draw = b" ".join(b"q 40 0 0 30 %d 20 cm /Im%d Do Q" % (10 + 45 * i, i) for i in range(count))
    xobjects = b" ".join(b"/Im%d %d 0 R" % (i, 5 + i) for i in range(count))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
            b"/Resources << /XObject << " + xobjects + b" >> >> >>")
    return PAGE[:2] + [page, stream(zlib.compress(draw), b"/Filter /FlateDecode ")]


def indexed_pdfs() -> None:
    """PDFs of indexed-colour images, as matplotlib writes rasters of 256 colours or fewer.

    indexed.pdf: (5) a 16-colour viridis heatmap, 4 bits an index, PNG predictor rows with
    filters None, Sub, Up, Average and Paeth in turn, the palette a literal string holding
    every byte matplotlib escapes; (6) a grey heatmap, 8 bits an index, a hex-string
    palette, no predictor; (7) a 4-colour heatmap, 2 bits an index, the palette in Flate
    stream 8. indexed_bad.pdf: (5) indices up to 3 with hival 1, (6) hival 15 with 8 colours,
    (7) an ICCBased base."""
    rng = random.Random(31)
    palette = [list(c) for c in viridis(16)]
    # Bytes matplotlib escapes, put where viridis has values near them.
    palette[1][1], palette[2][0], palette[6][0], palette[0][1], palette[12][2] = \
        0x28, 0x29, 0x5C, 0x0A, 0x0D
    literal = pdf_literal(bytes(v for c in palette for v in c))
    viridis_map = indexed_image(heatmap(rng, 64, 48, 16, 8), 4,
                                b"[ /Indexed /DeviceRGB 15\n" + literal + b" ]", True)
    greys = bytes(range(0, 256, 4))
    grey_map = indexed_image(heatmap(rng, 48, 32, 64, 4), 8,
                             b"[/Indexed /DeviceGray 63 <" + greys.hex().encode() + b">]", False)
    four = bytes(v for c in viridis(4) for v in c)
    four_map = indexed_image(heatmap(rng, 40, 40, 4, 5), 2,
                             b"[/Indexed /DeviceRGB 3 8 0 R]", True)
    write("indexed.pdf", pdf(image_page(3) + [viridis_map, grey_map, four_map,
                                              stream(zlib.compress(four),
                                                     b"/Filter /FlateDecode ")]))

    past = indexed_image(heatmap(rng, 16, 16, 4, 4), 2,
                         b"[/Indexed /DeviceRGB 1 <" + four[:6].hex().encode() + b">]", False)
    short = indexed_image(heatmap(rng, 16, 16, 8, 4), 4,
                          b"[/Indexed /DeviceRGB 15 " + pdf_literal(four * 2) + b"]", True)
    icc = indexed_image(heatmap(rng, 16, 16, 4, 4), 2,
                        b"[/Indexed [/ICCBased 8 0 R] 3 " + pdf_literal(four) + b"]", False)
    write("indexed_bad.pdf", pdf(image_page(3) + [past, short, icc,
                                                  stream(bytes(16), b"/N 3 ")]))


if __name__ == "__main__":
    office()
    pdfs()
    markup()
    notebooks()
    rtf()
    document_text()
    pdf_images()
    embedded_tables()
    word_tables()
    mixed_request()
    svg_rasters()
    indexed_pdfs()
