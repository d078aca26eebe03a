//! Pickle walker throughput on generated streams: one dominated by opcodes (a list of small
//! records, as a forest's node tables pickled without NumPy), one dominated by raw array bytes
//! (as a model with large weight arrays). Run with `cargo bench --bench models`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use egress_check::rules::model::pickle;

/// Protocol 4: a list of `records` tuples (int, float, memoised string, bytes of 8).
fn opcode_heavy(records: usize) -> Vec<u8> {
    let mut out = vec![0x80, 4, b']', 0x94, b'('];
    out.extend_from_slice(&[0x8c, 4]);
    out.extend_from_slice(b"node");
    out.extend_from_slice(&[0x94, b'0']);
    for i in 0..records {
        out.push(b'J');
        out.extend_from_slice(&(i as i32).to_le_bytes());
        out.push(b'G');
        out.extend_from_slice(&(i as f64 * 0.5).to_be_bytes());
        out.extend_from_slice(&[b'h', 1, b'C', 8]);
        out.extend_from_slice(&(i as u64).to_le_bytes());
        out.push(0x87); // TUPLE3... of the last three
        out.push(0x86); // then paired with the int
    }
    out.extend_from_slice(b"e.");
    out
}

/// Protocol 5: a list of `arrays` BYTEARRAY8 blobs of `size` bytes each.
fn bytes_heavy(arrays: usize, size: usize) -> Vec<u8> {
    let mut out = vec![0x80, 5, b']', b'('];
    for i in 0..arrays {
        out.push(0x96);
        out.extend_from_slice(&(size as u64).to_le_bytes());
        out.extend(std::iter::repeat_n((i % 251) as u8, size));
    }
    out.extend_from_slice(b"e.");
    out
}

fn walker(c: &mut Criterion) {
    let mut group = c.benchmark_group("pickle-walk");
    group.sample_size(10);
    for (name, data) in [
        ("opcodes", opcode_heavy(500_000)),
        ("array-bytes", bytes_heavy(50, 1 << 20)),
    ] {
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let (walk, error) = pickle::walk(std::hint::black_box(&data));
                assert!(error.is_none());
                walk.opcodes
            })
        });
    }
    group.finish();
}

criterion_group!(benches, walker);
criterion_main!(benches);
