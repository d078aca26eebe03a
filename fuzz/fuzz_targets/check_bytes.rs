//! Every parser in egress-check behind one entry point: the first byte picks the extension the
//! input is named with, the rest is the file. Run with `cargo +nightly fuzz run check_bytes`.
#![no_main]

use std::sync::OnceLock;

use egress_check::{check_bytes, Policy};
use libfuzzer_sys::fuzz_target;

const EXTENSIONS: &[&str] = &[
    "csv", "txt", "png", "jpg", "gif", "bmp", "tif", "webp", "pkl", "joblib", "pt", "npy",
    "safetensors", "onnx", "h5", "dta", "sav", "parquet", "zip", "gz", "tar", "xlsx", "pdf",
    "ipynb", "json", "py", "bin",
];

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(Policy::default_policy)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let extension = EXTENSIONS[selector as usize % EXTENSIONS.len()];
    let _ = check_bytes(&format!("input.{extension}"), bytes.to_vec(), policy());
});
