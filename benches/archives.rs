//! Archive throughput: a tar.zst and a solid 7z of 400 small tables (testdata/bench-archives,
//! made by `testdata/generate_archives.py`), each checked in full (unpack under the caps and
//! every member through the table rules) beside a plain decode of the same archive in the
//! same run, so the cost of checking the members can be read against the cost of unpacking.
//! Run with `cargo bench --bench archives`.

use std::io::Read;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use egress_check::{check_bytes, Policy};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/bench-archives")
        .join(name);
    std::fs::read(&path).expect("run testdata/generate_archives.py to make the bench archives")
}

fn tar_zst(c: &mut Criterion) {
    let bytes = fixture("many.tar.zst");
    let mut tar = Vec::new();
    ruzstd::decoding::StreamingDecoder::new(bytes.as_slice())
        .expect("zstd frame")
        .read_to_end(&mut tar)
        .expect("zstd stream");
    let policy = Policy::default_policy();

    let mut group = c.benchmark_group("archives/tar.zst");
    group.throughput(Throughput::Bytes(tar.len() as u64));
    group.bench_function("check", |b| {
        b.iter(|| check_bytes("many.tar.zst", bytes.clone(), &policy))
    });
    group.bench_function("decode only", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(tar.len());
            ruzstd::decoding::StreamingDecoder::new(bytes.as_slice())
                .map(|mut d| d.read_to_end(&mut out).map(|_| out.len()))
        })
    });
    group.finish();
}

fn seven_zip(c: &mut Criterion) {
    let bytes = fixture("many.7z");
    let policy = Policy::default_policy();

    let mut group = c.benchmark_group("archives/7z");
    group.bench_function("check", |b| {
        b.iter(|| check_bytes("many.7z", bytes.clone(), &policy))
    });
    group.bench_function("decode only", |b| {
        b.iter(|| {
            let mut total = 0usize;
            let reader = sevenz_rust2::ArchiveReader::new(
                std::io::Cursor::new(bytes.as_slice()),
                sevenz_rust2::Password::empty(),
            );
            if let Ok(mut reader) = reader {
                let _ = reader.for_each_entries(|_, member| {
                    let mut buffer = Vec::new();
                    total += member.read_to_end(&mut buffer)?;
                    Ok(true)
                });
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, tar_zst, seven_zip);
criterion_main!(benches);
