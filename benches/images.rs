//! Throughput of the image rules in megapixels per second: the container walk alone and the
//! full pixel analysis (decode, bit-plane probe, classification, SPA, RS, WS, chi-square) on
//! a generated 1.2-megapixel photo-like PNG; and the DCT-domain tests of a generated
//! 1-megapixel photo-like JPEG, each on its own (coefficient read, JSteg chi-square on every
//! component, F5 calibration on the luminance) and together. `cargo bench --bench images`.

use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use egress_check::policy::Policy;
use egress_check::rules::image::{dct, jpeg_stego, pixels, png};
use egress_check::rules::Findings;
use image::codecs::jpeg::JpegEncoder;
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

/// Side of the JPEG: 1,000 x 1,000 pixels, one megapixel, with partial MCUs at the edges.
const JPEG_SIDE: u32 = 1000;

/// The same kind of photo-like picture as a 4:2:0 JPEG of quality 85.
fn photo_jpeg() -> Vec<u8> {
    let mut state = 7u32;
    let image = RgbImage::from_fn(JPEG_SIDE, JPEG_SIDE, |x, y| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (state >> 27) as u8;
        let base = (x * 150 / JPEG_SIDE + y * 60 / JPEG_SIDE + 20) as u8;
        image::Rgb([base + noise, base / 2 + noise, 200 - base + noise])
    });
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 85)
        .encode_image(&image)
        .expect("encode");
    bytes
}

fn bench_jpeg(c: &mut Criterion) {
    let policy = Policy::default_policy();
    let settings = &policy.images;
    let content = photo_jpeg();
    let coefficients = dct::read(&content, settings.max_pixels).expect("readable");
    let mut group = c.benchmark_group("jpeg");
    group.sample_size(10);
    group.throughput(Throughput::Elements(u64::from(JPEG_SIDE * JPEG_SIDE)));
    group.bench_function("coefficient read", |b| {
        b.iter(|| dct::read(&content, settings.max_pixels).map(|c| c.components.len()))
    });
    group.bench_function("jsteg chi-square", |b| {
        b.iter(|| {
            coefficients
                .components
                .iter()
                .filter_map(|c| jpeg_stego::jsteg(&jpeg_stego::usable_ac(c, true), 0.5))
                .count()
        })
    });
    group.bench_function("f5 calibration", |b| {
        b.iter(|| {
            let luminance = &coefficients.components[0];
            (
                jpeg_stego::textured_share(luminance),
                jpeg_stego::f5(luminance),
            )
        })
    });
    group.bench_function("all dct tests", |b| {
        b.iter(|| {
            let mut out = Findings::new(&policy);
            jpeg_stego::check(&content, settings, &mut out);
            out.into_vec().len()
        })
    });
    group.finish();
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

criterion_group!(benches, bench, bench_jpeg);
criterion_main!(benches);
