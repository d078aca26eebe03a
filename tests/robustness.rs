//! Never crash: every fixture in testdata, truncated and with bytes changed at random, and
//! arbitrary bytes under every extension, go through every rule without a panic and without
//! a pass for what could not be parsed.
//!
//! This is the stable-toolchain half of the fuzzing; `fuzz/` holds the cargo-fuzz target that
//! runs the same entry point coverage-guided on nightly.

use std::path::{Path, PathBuf};

use egress_check::{check_bytes, Policy};
use proptest::prelude::*;

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut found = Vec::new();
    collect(&root, &root, &mut found);
    found.sort();
    found
}

fn collect(root: &Path, dir: &Path, found: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        if path.is_dir() {
            collect(root, &path, found);
        } else if let Ok(bytes) = std::fs::read(&path) {
            // Large fixtures make each case slow without finding more.
            if bytes.len() <= 256 * 1024 {
                let name = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                found.push((name, bytes));
            }
        }
    }
}

const EXTENSIONS: &[&str] = &[
    "csv",
    "tsv",
    "txt",
    "png",
    "jpg",
    "gif",
    "bmp",
    "tif",
    "webp",
    "pkl",
    "joblib",
    "pt",
    "safetensors",
    "onnx",
    "h5",
    "npy",
    "npz",
    "dta",
    "sav",
    "xpt",
    "rds",
    "parquet",
    "zip",
    "gz",
    "tar",
    "xlsx",
    "docx",
    "pdf",
    "ipynb",
    "docm",
    "odt",
    "svg",
    "html",
    "rtf",
    "json",
    "py",
    "bin",
    "",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_never_panic(
        pick in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let fixtures = fixtures();
        prop_assume!(!fixtures.is_empty());
        let (name, original) = &fixtures[pick.index(fixtures.len())];
        let mut bytes = original.clone();
        if !bytes.is_empty() {
            bytes.truncate(cut.index(bytes.len()) + 1);
            for (at, value) in &edits {
                let index = at.index(bytes.len());
                bytes[index] = *value;
            }
        }
        let entries = check_bytes(name, bytes, &Policy::default_policy());
        prop_assert!(!entries.is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..4096),
        extension in prop::sample::select(EXTENSIONS),
    ) {
        let name = format!("input.{extension}");
        let entries = check_bytes(&name, bytes, &Policy::default_policy());
        prop_assert!(!entries.is_empty());
    }

    #[test]
    fn signatures_with_garbage_after_never_panic(
        magic in prop::sample::select(vec![
            &b"\x89PNG\r\n\x1a\n"[..], b"\xff\xd8\xff", b"GIF89a", b"PK\x03\x04", b"\x1f\x8b",
            b"\x80\x04\x95", b"\x93NUMPY", b"PAR1", b"\x89HDF\r\n\x1a\n", b"%PDF-1.7",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x7fELF", b"MZ", b"<stata_dta>", b"$FL2",
            b"SQLite format 3\x00", b"BM", b"II*\x00", b"RIFF\x10\x00\x00\x00WEBP",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"data:image/png;base64,",
            b"<!DOCTYPE html><img src='data:image/png;base64,iVBOR", b"{\\rtf1 ",
            b"{\"nbformat\": 4, \"cells\": [{\"outputs\": [{\"data\": {\"image/png\": \"",
        ]),
        tail in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = magic.to_vec();
        bytes.extend(tail);
        let entries = check_bytes("input", bytes, &Policy::default_policy());
        prop_assert!(!entries.is_empty());
    }
}
