//! Throughput of the text scanners (issue 6 asks for at least 200 MB/s on one core) on a
//! generated 10 MB analysis log: timestamps, messages with counts and paths, digests, a
//! printed table every few hundred lines, and a few identifiers, as a real log leaks them.
//!
//! Run with `cargo bench --bench text`. Each scanner is measured alone, then the whole text
//! family as a file check runs it (`check_text`: identifiers, listings, payloads, invisible
//! characters, findings).

use std::borrow::Cow;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use egress_check::rules::text::{self, invisible, payload, rows, Decoded};
use egress_check::rules::Findings;
use egress_check::Policy;

const TARGET_BYTES: usize = 10 << 20;

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

fn scanners(c: &mut Criterion) {
    let log = generated_log();
    let policy = Policy::default_policy();
    let mut group = c.benchmark_group("text");
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.sample_size(10);

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
    group.finish();
}

criterion_group!(benches, scanners);
criterion_main!(benches);
