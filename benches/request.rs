//! Whole-request throughput of the spine (walk, read once, hash, identify, byte statistics,
//! rules, budgets, JSON report), each case measured beside `openssl dgst -sha256` over the same
//! files in the same run.
//!
//! Cases (issue 2): 1 GiB in 16 files of random bytes, and 20,000 files of 1 KiB. The data is
//! generated once under `target/bench-data/` and reused. Run with `cargo bench --bench request`.
//! Peak memory is measured outside Criterion: see `benches/peak-memory.sh`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use egress_check::report::{JsonRenderer, Renderer};
use egress_check::{check_request, Options, Policy};

/// Budgets wide enough that the benchmark measures the checks, not budget findings.
const BENCH_POLICY: &str = r#"
name = "bench"
[walk]
max_entries = 100000
[budgets]
file_bytes = "128 MiB"
request_bytes = "4 GiB"
request_files = 100000
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

/// Creates `count` files of `size` random bytes in `dir`, unless they are already there.
fn ensure_files(dir: &Path, count: usize, size: usize) -> Vec<PathBuf> {
    let paths: Vec<PathBuf> = (0..count)
        .map(|i| dir.join(format!("f{i:05}.bin")))
        .collect();
    let ready = paths
        .iter()
        .all(|p| fs::metadata(p).is_ok_and(|m| m.len() == size as u64));
    if !ready {
        fs::create_dir_all(dir).expect("bench data folder");
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut buffer = vec![0u8; size.min(8 << 20)];
        for path in &paths {
            let mut file = fs::File::create(path).expect("bench file");
            let mut left = size;
            while left > 0 {
                let n = left.min(buffer.len());
                fill_random(&mut buffer[..n], &mut state);
                file.write_all(&buffer[..n]).expect("write bench file");
                left -= n;
            }
        }
    }
    paths
}

fn openssl(paths: &[PathBuf]) {
    // One process per batch, as a checker would script it; xargs-style batches keep the
    // argument list within the system's limit.
    for batch in paths.chunks(2000) {
        let status = Command::new("openssl")
            .args(["dgst", "-sha256"])
            .args(batch)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("openssl");
        assert!(status.success());
    }
}

fn egress(dir: &Path, policy: &Policy) {
    let report = check_request(dir, policy, &Options::default()).expect("check");
    JsonRenderer
        .render(&report, &mut std::io::sink())
        .expect("render");
}

fn bench_case(c: &mut Criterion, name: &str, count: usize, size: usize, samples: usize) {
    let dir = data_dir(name);
    let paths = ensure_files(&dir, count, size);
    let policy = Policy::from_toml(BENCH_POLICY, "bench policy").expect("bench policy");

    let mut group = c.benchmark_group(name);
    group.sample_size(samples);
    group.throughput(Throughput::Bytes((count * size) as u64));
    group.bench_function("egress-check", |b| b.iter(|| egress(&dir, &policy)));
    group.bench_function("openssl dgst -sha256", |b| b.iter(|| openssl(&paths)));
    group.finish();
}

fn large_files(c: &mut Criterion) {
    bench_case(c, "1GiB-in-16-files", 16, 64 << 20, 10);
}

fn small_files(c: &mut Criterion) {
    bench_case(c, "20000-files-of-1KiB", 20_000, 1024, 10);
}

criterion_group!(benches, large_files, small_files);
criterion_main!(benches);
