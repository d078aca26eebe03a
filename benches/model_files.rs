//! Whole-request speed on model files (issue 5), each measured beside `openssl dgst -sha256`
//! over the same file in the same run, as `benches/request.rs` does for random bytes.
//!
//! Cases: a 200 MB safetensors file (four F32 tensors of pseudo-random bytes, written here in
//! Rust) and a ~50 MB joblib random forest (written once by Python with scikit-learn and
//! joblib; the group is skipped with a message if they are not installed). The files live
//! under `target/bench-data/` and are reused, never committed. Run with
//! `cargo bench --bench model_files`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use egress_check::report::{JsonRenderer, Renderer};
use egress_check::{check_request, Options, Policy};

/// The default model budgets, with the request budget raised so that the file is inspected
/// rather than only blocked for size.
const BENCH_POLICY: &str = r#"
name = "bench"
[budgets]
file_bytes = "16 MiB"
file_bytes_by_kind = { model = "256 MiB" }
request_bytes = "1 GiB"
request_files = 500
"#;

/// Tensors in the safetensors file, each of `TENSOR_ROWS * TENSOR_COLS` F32 values (50 MB).
const TENSORS: usize = 4;
const TENSOR_ROWS: usize = 12_500;
const TENSOR_COLS: usize = 1_000;

/// The forest generator: about 50 MB pickled, fitted with the default policy's
/// `min_samples_leaf = 5` and bootstrap so the model rules pass and the whole file is read.
const FOREST_SCRIPT: &str = r#"
import sys
import joblib
import numpy as np
from sklearn.ensemble import RandomForestClassifier
rng = np.random.default_rng(0)
X = rng.normal(size=(40000, 20))
y = (X[:, 0] + rng.normal(size=40000) > 0).astype(int)
model = RandomForestClassifier(n_estimators=115, min_samples_leaf=5, bootstrap=True,
                               random_state=0).fit(X, y)
joblib.dump(model, sys.argv[1])
"#;

fn data_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(name)
}

/// xorshift64*: fast, deterministic bytes indistinguishable from uniform for these tests.
fn fill_random(buffer: &mut [u8], state: &mut u64) {
    for chunk in buffer.chunks_mut(8) {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        let value = state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
        chunk.copy_from_slice(&value[..chunk.len()]);
    }
}

/// Writes a valid safetensors file: an 8-byte little-endian header length, the JSON header
/// naming each tensor's dtype, shape and byte range, then the tensor bytes.
fn ensure_safetensors(dir: &Path) -> PathBuf {
    let path = dir.join("weights.safetensors");
    let tensor_bytes = TENSOR_ROWS * TENSOR_COLS * 4;
    let mut header = String::from("{\"__metadata__\":{\"format\":\"pt\"}");
    for i in 0..TENSORS {
        let start = i * tensor_bytes;
        header.push_str(&format!(
            ",\"layer{i}.weight\":{{\"dtype\":\"F32\",\"shape\":[{TENSOR_ROWS},{TENSOR_COLS}],\
             \"data_offsets\":[{start},{}]}}",
            start + tensor_bytes
        ));
    }
    header.push('}');
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let total = 8 + header.len() + TENSORS * tensor_bytes;
    if fs::metadata(&path).is_ok_and(|m| m.len() == total as u64) {
        return path;
    }
    fs::create_dir_all(dir).expect("bench data folder");
    let mut file = fs::File::create(&path).expect("bench file");
    file.write_all(&(header.len() as u64).to_le_bytes())
        .expect("write header length");
    file.write_all(header.as_bytes()).expect("write header");
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut buffer = vec![0u8; 8 << 20];
    let mut left = TENSORS * tensor_bytes;
    while left > 0 {
        let n = left.min(buffer.len());
        fill_random(&mut buffer[..n], &mut state);
        file.write_all(&buffer[..n]).expect("write tensors");
        left -= n;
    }
    path
}

/// Fits and dumps the forest once; `None` (with the reason) if Python cannot make it.
fn ensure_forest(dir: &Path) -> Result<PathBuf, String> {
    let path = dir.join("forest.joblib");
    if fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
        return Ok(path);
    }
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let output = Command::new("python3")
        .args(["-c", FOREST_SCRIPT])
        .arg(&path)
        .output()
        .map_err(|e| format!("python3 not runnable: {e}"))?;
    if !output.status.success() {
        let _ = fs::remove_file(&path);
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    Ok(path)
}

fn openssl(path: &Path) {
    let status = Command::new("openssl")
        .args(["dgst", "-sha256"])
        .arg(path)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
}

fn egress(dir: &Path, policy: &Policy) {
    let report = check_request(dir, policy, &Options::default()).expect("check");
    JsonRenderer
        .render(&report, &mut std::io::sink())
        .expect("render");
}

fn bench_file(c: &mut Criterion, name: &str, dir: &Path, path: &Path) {
    let policy = Policy::from_toml(BENCH_POLICY, "bench policy").expect("bench policy");
    let size = fs::metadata(path).expect("bench file").len();
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.throughput(Throughput::Bytes(size));
    group.bench_function("egress-check", |b| b.iter(|| egress(dir, &policy)));
    group.bench_function("openssl dgst -sha256", |b| b.iter(|| openssl(path)));
    group.finish();
}

fn safetensors(c: &mut Criterion) {
    let dir = data_dir("model-safetensors-200MB");
    let path = ensure_safetensors(&dir);
    bench_file(c, "safetensors-200MB", &dir, &path);
}

fn forest(c: &mut Criterion) {
    let dir = data_dir("model-joblib-forest");
    match ensure_forest(&dir) {
        Ok(path) => bench_file(c, "joblib-forest", &dir, &path),
        Err(reason) => eprintln!(
            "skipping joblib-forest: cannot fit it with python3, scikit-learn and joblib \
             ({reason}); `pip install scikit-learn joblib` to enable it"
        ),
    }
}

criterion_group!(benches, safetensors, forest);
criterion_main!(benches);
