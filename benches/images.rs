//! Throughput of the image rules in megapixels per second: the container walk alone and the
//! full pixel analysis (decode, bit-plane probe, classification, SPA, RS, WS, chi-square) on
//! a generated 1.2-megapixel photo-like PNG. `cargo bench --bench images`.

use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use egress_check::policy::Policy;
use egress_check::rules::image::{pixels, png};
use egress_check::rules::Findings;
use image::{ImageFormat, RgbImage};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 960;

/// A smooth gradient with pseudo-random noise: photo-like, so every estimator runs.
fn photo_png() -> Vec<u8> {
    let mut state = 1u32;
    let image = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (state >> 28) as u8;
        let base = (x * 150 / WIDTH + y * 60 / HEIGHT + 20) as u8;
        image::Rgb([base + noise, base / 2 + noise, 200 - base + noise])
    });
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .expect("encode");
    bytes
}

fn bench(c: &mut Criterion) {
    let policy = Policy::default_policy();
    let content = photo_png();
    let mut group = c.benchmark_group("images");
    group.sample_size(10);
    group.throughput(Throughput::Elements((WIDTH * HEIGHT) as u64));
    group.bench_function("png container walk", |b| {
        b.iter(|| {
            let mut out = Findings::new(&policy);
            png::check(&content, &policy.images, &mut out)
        })
    });
    group.bench_function("full pixel analysis", |b| {
        b.iter(|| {
            let mut out = Findings::new(&policy);
            pixels::check(
                &content,
                egress_check::identify::Format::Png,
                &policy.images,
                &mut out,
            );
            out.into_vec().len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
