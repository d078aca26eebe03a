//! Throughput of the text scanners (issue 6 asks for at least 200 MB/s on one core) on a
//! generated 100 MB analysis log: timestamps, messages with counts and paths, digests, a
//! printed table every few hundred lines, and a few identifiers, as a real log leaks them.
//! The log is generated here, in memory, and never written to testdata.
//!
//! Run with `cargo bench --bench text`. Each scanner is measured alone, then the whole text
//! family as a file check runs it (`check_text`: identifiers, listings, payloads, invisible
//! characters, findings), then the whole file check as the request check runs it on one core
//! (`check_bytes`: hash, identify, every family, report entry). A second group checks a zip
//! of 1,000 small CSVs (each member inflated, identified and judged by the table and text
//! rules), in members per second.

use std::borrow::Cow;

use std::io::Write as _;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use egress_check::rules::text::{self, invisible, payload, rows, Decoded};
use egress_check::rules::Findings;
use egress_check::{check_bytes, Policy};

/// 100 MB, as issue 6 asks.
const TARGET_BYTES: usize = 100_000_000;

/// Budgets raised so that the 100 MB log is read and checked rather than blocked for its size.
const POLICY: &str = "name = \"bench\"\n[budgets]\nfile_bytes = \"256 MiB\"\n\
                      request_bytes = \"1 GiB\"\n[read]\ninspect_bytes = \"256 MiB\"\n";

/// A deterministic log of about `TARGET_BYTES`.
fn generated_log() -> String {
    let mut log = String::with_capacity(TARGET_BYTES + 4096);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut line = 0u64;
    while log.len() < TARGET_BYTES {
        line += 1;
        let r = next();
        let (h, m, s) = (line / 3600 % 24, line / 60 % 60, line % 60);
        let stamp = format!("2026-11-30 {h:02}:{m:02}:{s:02}");
        match r % 20 {
            0 => log.push_str(&format!(
                "{stamp} INFO wrote outputs/tables/t{}.csv sha256 {:016x}{:016x}{:016x}{:016x}\n",
                r % 97,
                next(),
                next(),
                next(),
                next()
            )),
            1 => log.push_str(&format!(
                "{stamp} DEBUG fitted model {} with loglik -{}.{:04} after {} iterations\n",
                r % 13,
                r % 100_000,
                r % 10_000,
                r % 50
            )),
            2 if r % 1000 < 5 => {
                log.push_str(&format!("{stamp} DEBUG head of cohort:\n"));
                for row in 0..5 {
                    log.push_str(&format!(
                        "{row}  P{:06}  19{:02}-0{}-1{}  F  {}\n",
                        next() % 1_000_000,
                        next() % 100,
                        1 + next() % 9,
                        next() % 9,
                        next() % 5
                    ));
                }
            }
            3 if r % 1000 < 20 => log.push_str(&format!(
                "{stamp} WARN patient 943 476 5919 dob=1980-01-02 contact 07700 900123\n"
            )),
            _ => log.push_str(&format!(
                "{stamp} INFO processed batch {} of {}: {} rows, {} excluded, {:.3} s\n",
                r % 500,
                500,
                r % 10_000,
                r % 37,
                (r % 100_000) as f64 / 1000.0
            )),
        }
    }
    log
}

/// A zip of `count` small crosstabs (a few hundred bytes each), deflated.
fn zip_of_csvs(count: usize) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buffer);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..count {
        writer
            .start_file(format!("tables/t{i:04}.csv"), options)
            .expect("zip entry");
        let mut table = String::from("age_band,Female,Male,Total\n");
        for (band, base) in [("18-39", 110), ("40-59", 140), ("60-79", 90), ("80+", 20)] {
            let (f, m) = (base + i % 7, base + i % 11);
            table.push_str(&format!("{band},{f},{m},{}\n", f + m));
        }
        writer.write_all(table.as_bytes()).expect("zip write");
    }
    writer.finish().expect("zip finish");
    buffer.into_inner()
}

fn scanners(c: &mut Criterion) {
    let log = generated_log();
    let policy = Policy::from_toml(POLICY, "bench").expect("policy");
    let mut group = c.benchmark_group("text_100mb_log");
    group.throughput(Throughput::Bytes(log.len() as u64));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));

    group.bench_function("identifiers", |b| {
        b.iter(|| text::scan_identifiers(&log, 32).len())
    });
    let identifiers = text::scan_identifiers(&log, 32);
    group.bench_function("row_listings", |b| {
        b.iter(|| rows::scan_row_listings(&log, &identifiers, 5, 3).len())
    });
    group.bench_function("payloads", |b| {
        b.iter(|| payload::scan_payloads(&log, 65, 3.0).len())
    });
    group.bench_function("invisible", |b| {
        b.iter(|| invisible::scan_invisible(&log).map(|f| f.count))
    });
    group.bench_function("check_text", |b| {
        b.iter(|| {
            let decoded = Decoded {
                text: Cow::Borrowed(log.as_str()),
                base: 0,
                exact_offsets: true,
            };
            let mut out = Findings::new(&policy);
            text::check_text(&decoded, &policy, &mut out);
            out.into_vec().len()
        })
    });
    group.bench_function("check_bytes", |b| {
        b.iter(|| check_bytes("run.log", log.clone().into_bytes(), &policy).len())
    });
    group.finish();

    let zip = zip_of_csvs(1000);
    let mut group = c.benchmark_group("zip_of_1000_csvs");
    group.throughput(Throughput::Elements(1000));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("check_bytes", |b| {
        b.iter(|| {
            let entries = check_bytes("tables.zip", zip.clone(), &policy);
            assert_eq!(entries.len(), 1001);
            entries.len()
        })
    });
    group.finish();
}

criterion_group!(benches, scanners);
criterion_main!(benches);
