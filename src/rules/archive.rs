//! Archive rules: nothing escapes the checks by being wrapped.
//!
//! The unpacking itself is a pipeline stage (`crate::unpack`); each member that can be
//! inflated is checked as a file in its own right and reported as `archive!/member`. These
//! rules cover the archive as a whole and what cannot be inflated.

use super::{Family, Rule};
use crate::finding::Severity;

pub static ARCHIVE_CONTENTS: Rule = Rule {
    code: "A001",
    name: "archive-contents",
    family: Family::Archive,
    severity: Severity::Review,
    summary: "an archive; its members are checked one by one",
    detects: "ZIP (stored, deflate, deflate64, bzip2, LZMA, xz and zstd members), 7z (LZMA, \
              LZMA2, bzip2 and the usual filters, solid or not), tar, and the single stream of a \
              gzip, bzip2, xz, .lzma or zstd file (a .tar.xz holds a .tar, unpacked in turn). \
              Each member is inflated in memory and checked as a file of its own, reported as \
              archive!/member; the archive's verdict is at least its worst member's.",
    why: "Output checkers usually want outputs unpacked, so that each can be seen and \
          released on its own; an archive also hides its members from anyone browsing the \
          request.",
    fix: "Submit the members as separate files instead of an archive.",
    policy_keys: &["rules.A001"],
    references: &["../shared/notes/formats.md, rule archive.recurse"],
};

pub static ARCHIVE_BOMB: Rule = Rule {
    code: "A002",
    name: "archive-bomb",
    family: Family::Archive,
    severity: Severity::Block,
    summary: "a member that inflates past the size or ratio limits",
    detects: "Members that inflate to more than the member limit (read.inspect_bytes) or the \
              archive's total limit (archives.max_inflated_bytes), measured on the bytes \
              actually produced, or whose inflated-to-compressed ratio over 1 MiB exceeds \
              archives.max_ratio. Inflating stops at the limit.",
    why: "Decompression bombs exhaust the checker's memory or disk; huge ratios are also how \
          large tables of records are squeezed into a small-looking file.",
    fix: "Release the data uncompressed and in the parts that are really needed.",
    policy_keys: &[
        "archives.max_inflated_bytes",
        "archives.max_ratio",
        "read.inspect_bytes",
        "rules.A002",
    ],
    references: &["D. Fifield (2019), A better zip bomb, USENIX WOOT"],
};

pub static ENCRYPTED_MEMBER: Rule = Rule {
    code: "A003",
    name: "encrypted-member",
    family: Family::Archive,
    severity: Severity::Block,
    summary: "an encrypted archive member",
    detects: "ZIP members with the encryption flag set (ZipCrypto or AES); 7z members in a \
              block that passes through the AES-256 coder, and 7z archives whose header (the \
              member list itself) is encrypted.",
    why: "An encrypted member cannot be checked; releasing it releases whatever it holds.",
    fix: "Remove the encryption. Outputs leave in the clear so that they can be checked.",
    policy_keys: &["rules.A003"],
    references: &[
        "PKWARE APPNOTE.TXT 6.3, general purpose bit 0",
        "7-Zip 7zFormat.txt, coder 06F10701 (7zAES)",
    ],
};

pub static MEMBER_PATH_ESCAPE: Rule = Rule {
    code: "A004",
    name: "member-path-escape",
    family: Family::Archive,
    severity: Severity::Block,
    summary: "a member path that is absolute or climbs out with ..",
    detects: "Member names that are absolute paths or contain .. components (zip slip).",
    why: "Extracting such a member writes outside the folder it is unpacked into, possibly \
          over the checker's own files; no honest output needs it.",
    fix: "Rebuild the archive with relative paths, or submit the files unpacked.",
    policy_keys: &["rules.A004"],
    references: &["Snyk (2018), Zip Slip vulnerability"],
};

pub static CORRUPT_ARCHIVE: Rule = Rule {
    code: "A005",
    name: "corrupt-archive",
    family: Family::Archive,
    severity: Severity::Block,
    summary: "an archive or member that cannot be read",
    detects: "Archives whose directory, headers or compressed streams cannot be parsed or \
              fail their checksums.",
    why: "What could not be read was not checked, and an unchecked file is never passed.",
    fix: "Rebuild the archive, or submit its files unpacked.",
    policy_keys: &["rules.A005"],
    references: &[],
};

pub static ARCHIVE_DEPTH: Rule = Rule {
    code: "A006",
    name: "archive-depth",
    family: Family::Archive,
    severity: Severity::Block,
    summary: "archives nested deeper than the policy allows",
    detects: "An archive inside archives deeper than archives.max_depth; it is not opened.",
    why: "Deep nesting is a way to exhaust checkers and tire reviewers; its contents were not \
          checked.",
    fix: "Submit the files unpacked.",
    policy_keys: &["archives.max_depth", "rules.A006"],
    references: &["../shared/notes/formats.md, rule archive.bomb (depth > 2)"],
};

pub static ARCHIVE_NOT_OPENED: Rule = Rule {
    code: "A007",
    name: "archive-not-opened",
    family: Family::Archive,
    severity: Severity::Block,
    summary: "an archive format this version cannot look inside",
    detects: "RAR files. They are identified but not inflated, so their members are not \
              checked: no maintained, licence-compatible RAR decoder in pure Rust exists, and \
              the reference unRAR source may not be used to re-create the compressor. The \
              finding's evidence gives the reason.",
    why: "An archive whose members were not checked cannot be passed.",
    fix: "Re-pack the files as a ZIP, tar.gz, tar.xz or 7z archive, or submit them unpacked.",
    policy_keys: &["rules.A007"],
    references: &[],
};

pub static MEMBER_LIMIT: Rule = Rule {
    code: "A008",
    name: "member-limit",
    family: Family::Archive,
    severity: Severity::Block,
    summary: "an archive with more members than the policy allows",
    detects: "Archives listing more than archives.max_members members; the rest are not \
              checked.",
    why: "Thousands of members cannot be reviewed and can carry data a little at a time.",
    fix: "Release only the outputs the publication needs.",
    policy_keys: &["archives.max_members", "rules.A008"],
    references: &[],
};
