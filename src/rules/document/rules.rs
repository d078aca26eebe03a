//! The document rules' identities and documentation (family P, "paper").

use crate::finding::Severity;
use crate::rules::{Family, Rule};

pub static DOCUMENT_MACRO: Rule = Rule {
    code: "P001",
    name: "document-macro",
    family: Family::Document,
    severity: Severity::Block,
    summary: "a document that carries macros",
    detects: "Office Open XML documents holding a VBA project (vbaProject.bin, the docm, xlsm \
              and pptm forms) and OpenDocument files holding Basic or other scripts \
              (Basic/, Scripts/).",
    why: "A macro is a program: it can hold or rebuild any data, and it runs on the machine \
          of whoever opens the output outside the TRE.",
    fix: "Save the document without macros (docx, xlsx, pptx, or the plain OpenDocument \
          form) and release the analysis code separately if it is needed.",
    policy_keys: &["rules.P001"],
    references: &[
        "ECMA-376 Part 1, 15.2.1 (VBA Project part)",
        "ISO/IEC 26300, 3.17 (scripts)",
    ],
};

pub static EMBEDDED_OBJECT: Rule = Rule {
    code: "P002",
    name: "embedded-object",
    family: Family::Document,
    severity: Severity::Block,
    summary: "a file embedded in a document (OLE object, attachment)",
    detects: "OLE objects and packages embedded in Office documents (word/embeddings/, \
              ppt/embeddings/, xl/embeddings/), OpenDocument sub-objects (Object N/), files \
              attached to a PDF (/EmbeddedFile, /FileAttachment) and objects in RTF \
              (\\objdata). Each is named with its size; where it can be inflated it is also \
              checked below as a member.",
    why: "An embedded spreadsheet or attachment travels invisibly with the report: the \
          reviewer reads the page, and the whole dataset behind a chart leaves with it.",
    fix: "Paste charts and tables as pictures or plain tables, and submit any file that \
          must be released as a separate output.",
    policy_keys: &["rules.P002"],
    references: &[
        "ECMA-376 Part 1, 15.2.9 (Embedded Object part)",
        "ISO 32000-1, 7.11.4",
    ],
};

pub static EXTERNAL_REFERENCE: Rule = Rule {
    code: "P003",
    name: "external-reference",
    family: Family::Document,
    severity: Severity::Review,
    summary: "a document that links to or submits to something outside itself",
    detects: "Office relationships with TargetMode=\"External\" (remote templates, linked \
              images and data), the attached template, PDF /URI and /SubmitForm actions, and \
              href or src attributes of SVG and HTML that point to http(s) or \
              protocol-relative (//) addresses.",
    why: "A remote template or image is fetched when the document is opened, telling its \
          owner who opened it; a link's query string can itself carry data out.",
    fix: "Remove links that are not needed; keep plain citations as text.",
    policy_keys: &["rules.P003"],
    references: &["ECMA-376 Part 2, 9.3 (relationships, TargetMode)"],
};

pub static COMMENTS_AND_REVISIONS: Rule = Rule {
    code: "P004",
    name: "comments-and-revisions",
    family: Family::Document,
    severity: Severity::Review,
    summary: "comments or tracked changes left in a document",
    detects: "Comment parts (word/comments.xml, xl/comments*.xml, ppt/comments/, threaded \
              comments), tracked insertions and deletions (w:ins, w:del) and OpenDocument \
              annotations and tracked changes. The finding quotes a short excerpt.",
    why: "Deleted text and reviewers' notes are invisible on the page but travel with the \
          file; they often hold the unsuppressed figure or the note about a named patient.",
    fix: "Accept or reject every change, delete the comments, and save again.",
    policy_keys: &["rules.P004"],
    references: &["ECMA-376 Part 1, 17.13 (annotations)"],
};

pub static ACTIVE_CONTENT: Rule = Rule {
    code: "P005",
    name: "active-content",
    family: Family::Document,
    severity: Severity::Block,
    summary: "scripts or launch actions in a PDF, SVG or HTML file",
    detects: "PDF /JavaScript, /JS and /Launch (including in an /OpenAction, and names \
              written with #hex escapes, and inside Flate-compressed object streams), and \
              <script> elements and on* event-handler attributes in SVG and HTML.",
    why: "A script can compute, decode or fetch anything when the output is opened: it can \
          carry data no reader sees on the page.",
    fix: "Export the document again without scripts or interactive features (print to PDF, \
          save the plot as PNG).",
    policy_keys: &["rules.P005"],
    references: &[
        "ISO 32000-1, 12.6.4 (action types)",
        "ACRO default configuration",
    ],
};

pub static PDF_TRAILING_PAYLOAD: Rule = Rule {
    code: "P006",
    name: "pdf-trailing-payload",
    family: Family::Document,
    severity: Severity::Block,
    summary: "a large or random-looking block of bytes after a PDF's final %%EOF",
    detects: "More than 64 bytes that are not whitespace after the last %%EOF marker, or any \
              run there whose entropy is that of compressed or encrypted data.",
    why: "Readers ignore what follows %%EOF, so a file appended there leaves unseen.",
    fix: "Export the PDF again from its source.",
    policy_keys: &["rules.P006"],
    references: &["ISO 32000-1, 7.5.5 (file trailer)"],
};

pub static PDF_TRAILING_BYTES: Rule = Rule {
    code: "P007",
    name: "pdf-trailing-bytes",
    family: Family::Document,
    severity: Severity::Review,
    summary: "a few bytes or whitespace after a PDF's final %%EOF",
    detects: "Whitespace beyond a line end, or up to 64 bytes of low-entropy text, after the \
              last %%EOF marker.",
    why: "Usually a careless writer, but the bytes are outside the document and invisible; \
          a person should glance at them.",
    fix: "Export the PDF again from its source.",
    policy_keys: &["rules.P007"],
    references: &["ISO 32000-1, 7.5.5 (file trailer)"],
};

pub static INCREMENTAL_UPDATE: Rule = Rule {
    code: "P008",
    name: "incremental-update",
    family: Family::Document,
    severity: Severity::Review,
    summary: "a PDF saved with incremental updates",
    detects: "More than one %%EOF marker or startxref section: the file holds earlier \
              versions of itself under the latest one.",
    why: "An incremental save keeps what was redacted or deleted: the earlier revision, with \
          the unsuppressed table, is still in the file.",
    fix: "Export or print the PDF to a new file, which writes only the final revision.",
    policy_keys: &["rules.P008"],
    references: &["ISO 32000-1, 7.5.6 (incremental updates)"],
};

pub static PDF_NOT_INSPECTED: Rule = Rule {
    code: "P009",
    name: "pdf-not-inspected",
    family: Family::Document,
    severity: Severity::Review,
    summary: "parts of a PDF that could not be inspected",
    detects: "Encrypted PDFs (/Encrypt), and streams in filters other than Flate (LZW, \
              ASCII85, DCT and the rest) or too large to inflate, so that keywords inside \
              them could not be searched.",
    why: "A keyword search only finds what it can read; what was not read was not checked.",
    fix: "Export the PDF without encryption; a person should check the rest by hand.",
    policy_keys: &["read.inspect_bytes", "rules.P009"],
    references: &["ISO 32000-1, 7.4 (filters), 7.6 (encryption)"],
};

pub static MARKUP_CONTENT: Rule = Rule {
    code: "P010",
    name: "markup-content",
    family: Family::Document,
    severity: Severity::Review,
    summary: "an SVG or HTML file, or foreign content inside one",
    detects: "Every SVG (vector images are code: text, paths and metadata that a raster \
              plot would not carry), and <foreignObject>, <iframe>, <object> and <embed> \
              elements in SVG and HTML.",
    why: "ACRO blocks SVG by default because its text and structure can carry anything; \
          foreign objects embed a second document inside the first.",
    fix: "Save plots as PNG; save reports as PDF.",
    policy_keys: &["rules.P010"],
    references: &[
        "ACRO default configuration (.svg)",
        "SVG 2, 23.4 (foreignObject)",
    ],
};

pub static DATA_URI: Rule = Rule {
    code: "P011",
    name: "data-uri",
    family: Family::Document,
    severity: Severity::Info,
    summary: "content embedded as a data: URI, checked below as a member",
    detects: "data: URIs in SVG and HTML. Base64 ones are decoded and the bytes checked as a \
              file of their own, reported as document!/dataN.ext, so an inline PNG gets the \
              image rules.",
    why: "Inline images are common in exported reports; what matters is what the decoded \
          bytes are, and the member's verdict is carried up to the document.",
    fix: "Nothing, unless the member is flagged.",
    policy_keys: &["rules.P011"],
    references: &["RFC 2397"],
};

pub static UNREADABLE_DOCUMENT: Rule = Rule {
    code: "P012",
    name: "unreadable-document",
    family: Family::Document,
    severity: Severity::Block,
    summary: "a document, or a part of one, that cannot be parsed",
    detects: "Office and OpenDocument packages whose ZIP cannot be read, parts too large to \
              inflate, notebooks that are not valid JSON, base64 in a notebook output or a \
              data: URI that does not decode, and PDFs with no %%EOF.",
    why: "Fail closed: what cannot be parsed cannot be checked, and is never passed.",
    fix: "Export the document again from its source application.",
    policy_keys: &[
        "archives.max_inflated_bytes",
        "read.inspect_bytes",
        "rules.P012",
    ],
    references: &[],
};

pub static ROW_LISTING_OUTPUT: Rule = Rule {
    code: "P013",
    name: "row-listing-output",
    family: Family::Document,
    severity: Severity::Block,
    summary: "a notebook output that lists rows of a data frame",
    detects: "Rendered data frames in notebook outputs (text/html tables and text/plain \
              reprs) with a running integer index, as df.head(), df.sample() or printing \
              a frame gives, with at least 5 rows.",
    why: "A printed head() is five people's records: it is individual-level data, whatever \
          the analysis around it.",
    fix: "Clear the notebook's outputs (Kernel > Restart & Clear Output, or nbstripout) and \
          release aggregate tables as separate files.",
    policy_keys: &["rules.P013"],
    references: &["SDC handbook (Griffiths et al. 2019), 'individual-level data'"],
};

pub static ERROR_OUTPUT: Rule = Rule {
    code: "P014",
    name: "error-output",
    family: Family::Document,
    severity: Severity::Review,
    summary: "a notebook output that is an error traceback",
    detects: "Outputs of type error, and stderr streams that hold a Python traceback.",
    why: "Tracebacks print the values of variables and lines of data that failed to parse, \
          and paths that name the project's data.",
    fix: "Fix the error and run the notebook again, or clear the output.",
    policy_keys: &["rules.P014"],
    references: &[],
};

pub static LARGE_OUTPUT: Rule = Rule {
    code: "P015",
    name: "large-output",
    family: Family::Document,
    severity: Severity::Info,
    summary: "a large notebook text output, counted toward the capacity budget",
    detects: "Text outputs of more than 10,000 characters. Their size is counted as capacity \
              the rules cannot vouch for, against budgets.capacity_bytes.",
    why: "A long printed output is where records leave a notebook; no rule here reads it \
          line by line yet.",
    fix: "Print summaries, not data.",
    policy_keys: &["budgets.capacity_bytes", "rules.P015"],
    references: &[],
};

pub static DOCUMENT_NOT_INSPECTED: Rule = Rule {
    code: "P016",
    name: "document-not-inspected",
    family: Family::Document,
    severity: Severity::Review,
    summary: "a document format whose content this version does not inspect",
    detects: "Legacy OLE compound files (.doc, .xls, .ppt) and RTF: identified, searched only \
              for embedded objects (RTF), not otherwise inspected.",
    why: "What was not inspected was not checked; a person must look.",
    fix: "Save the document in its Office Open XML or PDF form.",
    policy_keys: &["rules.P016"],
    references: &[],
};
