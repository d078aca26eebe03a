//! Throughput of the table rules: a 1,000,000-row long-format CSV (three group columns and a
//! count) and a request of 1,000 small crosstabs, both generated here and never committed.
//!
//! Each is measured twice: the full check (read, hash, identify, every rule, report) and a
//! bare read of the same bytes with the csv crate, the baseline the check is compared with.
//!
//! Run: cargo bench --bench tables

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use egress_check::{check_request, Options, Policy};

/// Budgets raised so that the 1M-row file is inspected rather than blocked for its size.
const POLICY: &str = "name = \"bench\"\n[budgets]\nfile_bytes = \"256 MiB\"\n\
                      request_bytes = \"1 GiB\"\nrequest_files = 5000\n\
                      [read]\ninspect_bytes = \"256 MiB\"\n";

fn long_format(rows: usize) -> String {
    let mut text = String::with_capacity(rows * 24);
    text.push_str("region,age_band,sex,count\n");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for i in 0..rows {
        // xorshift: deterministic counts from 0 to 999
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let _ = writeln!(
            text,
            "R{:03},{}-{},{},{}",
            i % 997,
            (i % 8) * 10,
            (i % 8) * 10 + 9,
            if i % 2 == 0 { "F" } else { "M" },
            state % 1000
        );
    }
    text
}

/// One crosstab of counts from 20 to 519 drawn by xorshift. Drawn independently, the tables
/// are not nested in one another, as the tables of a real request mostly are not; a formula
/// that shifted every cell by a constant from one table to the next would make every pair a
/// nested population for T015 and measure the report writer instead.
fn crosstab(seed: usize) -> String {
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ (seed as u64).wrapping_mul(0x2545_f491);
    let mut draw = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        20 + (state % 500) as usize
    };
    let mut text = String::from("age_band,Female,Male,Total\n");
    let (mut female, mut male) = (0, 0);
    for band in 0..6 {
        let (f, m) = (draw(), draw());
        female += f;
        male += m;
        let _ = writeln!(text, "{}-{},{f},{m},{}", band * 10, band * 10 + 9, f + m);
    }
    let _ = writeln!(text, "Total,{female},{male},{}", female + male);
    text
}

fn csv_read(path: &Path) -> usize {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .expect("opens");
    let mut record = csv::StringRecord::new();
    let mut fields = 0;
    while reader.read_record(&mut record).expect("reads") {
        fields += record.len();
    }
    fields
}

fn bench(c: &mut Criterion) {
    let policy = Policy::from_toml(POLICY, "bench").expect("policy");
    let options = Options {
        jobs: Some(1),
        ..Options::default()
    };

    let big = tempfile::tempdir().expect("tempdir");
    let text = long_format(1_000_000);
    let path = big.path().join("long.csv");
    std::fs::write(&path, &text).expect("write");
    let mut group = c.benchmark_group("long_format_1m_rows");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("check", |b| {
        b.iter(|| check_request(big.path(), &policy, &options).expect("check"))
    });
    group.bench_function("csv_read_only", |b| b.iter(|| csv_read(&path)));
    group.finish();

    let small = tempfile::tempdir().expect("tempdir");
    for i in 0..1000 {
        let table = crosstab(i);
        std::fs::write(small.path().join(format!("t{i:04}.csv")), table).expect("write");
    }
    let mut group = c.benchmark_group("crosstabs_1000");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(1000));
    group.bench_function("check", |b| {
        b.iter(|| check_request(small.path(), &policy, &options).expect("check"))
    });
    group.bench_function("csv_read_only", |b| {
        b.iter(|| {
            (0..1000)
                .map(|i| csv_read(&small.path().join(format!("t{i:04}.csv"))))
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
