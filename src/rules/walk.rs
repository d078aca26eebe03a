//! Walk rules: what the folder itself holds besides plain files.
//!
//! The findings are made by the walk stage (`crate::walk`) and the reader; this module holds
//! the rules' identities and documentation.

use super::{Family, Rule};
use crate::finding::Severity;

pub static SYMLINK: Rule = Rule {
    code: "W001",
    name: "symlink",
    family: Family::Walk,
    severity: Severity::Block,
    summary: "a symbolic link in the request",
    detects: "Any symbolic link, whatever it points to. The link is described (its target, \
              and whether that lies inside the request, outside it, nowhere, or in a loop) but \
              never followed.",
    why: "A link is not an output: releasing it releases whatever it points to at the time of \
          copying, which the check never saw. A link out of the request folder is an attempt \
          to reach data the researcher could not put in the request directly.",
    fix: "Replace the link with a copy of the file it points to, if that file is an output.",
    policy_keys: &["rules.W001"],
    references: &["SATRE specification v2, 3.3 (outputs are checked as submitted)"],
};

pub static SPECIAL_FILE: Rule = Rule {
    code: "W002",
    name: "special-file",
    family: Family::Walk,
    severity: Severity::Block,
    summary: "a fifo, socket or device in the request",
    detects: "Named pipes, sockets, and block or character devices. They are never opened: \
              opening a fifo with no writer blocks forever.",
    why: "None of these holds an output; their content depends on whoever writes to them when \
          they are read, so nothing checked now says what would be released.",
    fix: "Remove the entry from the request.",
    policy_keys: &["rules.W002"],
    references: &[],
};

pub static UNREADABLE: Rule = Rule {
    code: "W003",
    name: "unreadable",
    family: Family::Walk,
    severity: Severity::Block,
    summary: "an entry that could not be read",
    detects: "A folder that cannot be listed or a file that cannot be opened or read to the \
              end, including one that vanished or was swapped for another kind of entry \
              between the walk and the read.",
    why: "What was not read was not checked, and an unchecked file is never passed.",
    fix: "Make the entry readable by the checking account and run the check again.",
    policy_keys: &["rules.W003"],
    references: &[],
};

pub static NAME_NOT_UTF8: Rule = Rule {
    code: "W004",
    name: "name-not-utf8",
    family: Family::Walk,
    severity: Severity::Review,
    summary: "a file name that is not valid UTF-8",
    detects: "Names whose bytes are not UTF-8. Reports show such bytes as \\xNN.",
    why: "Such names display differently on each system, so the reviewer may not see the name \
          that will be released; a name can itself carry a few bytes of data.",
    fix: "Rename the file with a plain, descriptive UTF-8 name.",
    policy_keys: &["rules.W004"],
    references: &[],
};

pub static HIDDEN_ENTRY: Rule = Rule {
    code: "W005",
    name: "hidden-entry",
    family: Family::Walk,
    severity: Severity::Review,
    summary: "a hidden file or folder, lock file or editor backup",
    detects: "Names starting with a dot, Office lock files (~$), Jupyter checkpoint folders, \
              macOS .DS_Store and __MACOSX, Windows Thumbs.db and desktop.ini, editor backups.",
    why: "File browsers hide these, so a reviewer working by eye never opens them, yet they are \
          released with the rest. Checkpoints hold earlier, unchecked versions of notebooks; \
          .DS_Store lists file names, including those of deleted files.",
    fix: "Delete the entry from the request unless it is an intended output.",
    policy_keys: &["rules.W005"],
    references: &[],
};

pub static CONTROL_CHARACTER_NAME: Rule = Rule {
    code: "W006",
    name: "control-character-name",
    family: Family::Walk,
    severity: Severity::Block,
    summary: "a name with control, bidirectional or invisible characters",
    detects: "Names holding newlines, escape sequences or other control characters, \
              bidirectional overrides (U+202E) and zero-width or tag characters.",
    why: "Escape sequences in a name can rewrite a reviewer's terminal; a right-to-left \
          override makes report.exe look like exe.txt; invisible characters carry bits.",
    fix: "Rename the file using printable characters only.",
    policy_keys: &["rules.W006"],
    references: &["Unicode Technical Report #36, Unicode Security Considerations"],
};

pub static DEPTH_LIMIT: Rule = Rule {
    code: "W007",
    name: "depth-limit",
    family: Family::Walk,
    severity: Severity::Block,
    summary: "an entry deeper than the policy allows",
    detects: "Entries nested more levels below the request root than walk.max_depth. Their \
              contents are not checked.",
    why: "Deep nesting hides files from a reviewer browsing by hand and is a known way to \
          exhaust tools; what lies below the limit was not checked.",
    fix: "Flatten the request's folders.",
    policy_keys: &["walk.max_depth", "rules.W007"],
    references: &[],
};

pub static ENTRY_LIMIT: Rule = Rule {
    code: "W008",
    name: "entry-limit",
    family: Family::Walk,
    severity: Severity::Block,
    summary: "a request with more entries than the policy allows",
    detects: "Requests with more than walk.max_entries files, folders and links. The walk \
              stops at the limit, so the rest is not checked.",
    why: "A request of tens of thousands of files cannot be reviewed and is itself a way to \
          carry data out, a little in each file.",
    fix: "Split the request, or release only the outputs the publication needs.",
    policy_keys: &["walk.max_entries", "rules.W008"],
    references: &[],
};

pub static EMPTY_FILE: Rule = Rule {
    code: "W009",
    name: "empty-file",
    family: Family::Walk,
    severity: Severity::Review,
    summary: "an empty file",
    detects: "Files of zero bytes.",
    why: "An empty file is not an output; it usually marks a step that failed, and its name \
          can carry information on its own.",
    fix: "Remove it, or replace it with the output it should have held.",
    policy_keys: &["rules.W009"],
    references: &[],
};

pub static CHANGED_WHILE_READ: Rule = Rule {
    code: "W010",
    name: "changed-while-read",
    family: Family::Walk,
    severity: Severity::Block,
    summary: "a file whose size changed while it was read",
    detects: "Files that were a different size at the end of the read than when opened.",
    why: "The bytes checked are not the bytes that will be released; a file being written \
          during a check is either unfinished or being swapped on purpose.",
    fix: "Wait until every job writing into the request has finished, then check again.",
    policy_keys: &["rules.W010"],
    references: &[],
};
