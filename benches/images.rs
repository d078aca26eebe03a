//! Throughput of the image rules in megapixels per second, on one core: the full pixel
//! battery (decode, bit-plane probe, classification, flat regions, SPA, RS, WS, chi-square)
//! on a generated 1-megapixel photo-like PNG and a 600 x 400 plot-like PNG, each step alone
//! on the photo (`images/photo/...`), and the DCT-domain tests of a generated 1-megapixel
//! photo-like JPEG, each on its own (coefficient read, JSteg chi-square on every component,
//! F5 calibration on the luminance) and together.
//! `cargo bench --bench images -- --warm-up-time 1 --measurement-time 3`.

use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use egress_check::identify::Format;
use egress_check::policy::Policy;
use egress_check::rules::image::estimators::{self, Plane};
use egress_check::rules::image::{dct, jpeg_stego, pixels, png, probe};
use egress_check::rules::Findings;
use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, RgbImage};

const PHOTO: (u32, u32) = (1000, 1000);
const PLOT: (u32, u32) = (600, 400);

/// A smooth gradient with pseudo-random noise: photo-like, so every estimator runs.
fn photo() -> RgbImage {
    let (width, height) = PHOTO;
    let mut state = 1u32;
    RgbImage::from_fn(width, height, |x, y| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (state >> 28) as u8;
        let base = (x * 150 / width + y * 60 / height + 20) as u8;
        image::Rgb([base + noise, base / 2 + noise, 200 - base + noise])
    })
}

/// A white plot with a grey grid, axes and two coloured curves: flat almost everywhere.
fn plot() -> RgbImage {
    let (width, height) = PLOT;
    let mut image = RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
    for x in 60..width - 20 {
        for y in 20..height - 40 {
            if x % 60 == 0 || y % 50 == 0 {
                image.put_pixel(x, y, image::Rgb([220, 220, 220]));
            }
        }
        let curve = (height / 2) as f64 + 100.0 * (x as f64 / 40.0).sin();
        for dy in 0..3 {
            image.put_pixel(x, curve as u32 + dy, image::Rgb([31, 119, 180]));
            image.put_pixel(x, (curve * 0.7) as u32 + dy, image::Rgb([255, 127, 14]));
        }
    }
    image
}

fn encode(image: &RgbImage) -> Vec<u8> {
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

fn full_battery(c: &mut Criterion, name: &str, content: &[u8], pixels: u64) {
    let policy = Policy::default_policy();
    let mut group = c.benchmark_group(format!("images/{name}"));
    group.sample_size(10);
    group.throughput(Throughput::Elements(pixels));
    group.bench_function("full battery", |b| {
        b.iter(|| {
            let mut out = Findings::new(&policy);
            png::check(content, &policy.images, &mut out);
            pixels::check(content, Format::Png, &policy.images, &mut out);
            out.into_vec().len()
        })
    });
    group.finish();
}

fn per_test(c: &mut Criterion) {
    let policy = Policy::default_policy();
    let image = photo();
    let content = encode(&image);
    let (width, height) = (image.width() as usize, image.height() as usize);
    let samples = image.as_raw().clone();
    let planes: Vec<Vec<u8>> = (0..3)
        .map(|c| samples.iter().skip(c).step_by(3).copied().collect())
        .collect();
    let planes: Vec<Plane> = planes
        .iter()
        .map(|p| Plane {
            samples: p,
            width,
            height,
        })
        .collect();
    let alpha = policy.images.chi_square_alpha;

    let mut group = c.benchmark_group("images/photo");
    group.sample_size(10);
    group.throughput(Throughput::Elements((width * height) as u64));
    group.bench_function("container walk", |b| {
        b.iter(|| {
            let mut out = Findings::new(&policy);
            png::check(&content, &policy.images, &mut out)
        })
    });
    group.bench_function("decode", |b| {
        b.iter(|| {
            image::load_from_memory_with_format(&content, ImageFormat::Png)
                .expect("decode")
                .into_rgb8()
                .len()
        })
    });
    group.bench_function("probe", |b| b.iter(|| probe::probe(&samples, 3).len()));
    group.bench_function("classify and flat regions", |b| {
        b.iter(|| pixels::classify(&samples, 3, width, &policy.images).flat_crosses)
    });
    let sum = |f: fn(Plane) -> Option<f64>| planes.iter().filter_map(|&p| f(p)).sum::<f64>();
    group.bench_function("spa, 3 channels", |b| b.iter(|| sum(estimators::spa)));
    group.bench_function("rs, 3 channels", |b| b.iter(|| sum(estimators::rs)));
    group.bench_function("ws, 3 channels", |b| b.iter(|| sum(estimators::ws)));
    group.bench_function("chi-square, 3 channels", |b| {
        b.iter(|| {
            planes
                .iter()
                .filter_map(|&p| estimators::chi_square_sequential(p, alpha))
                .count()
        })
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    let (w, h) = PHOTO;
    full_battery(c, "photo 1 MP", &encode(&photo()), u64::from(w * h));
    let (w, h) = PLOT;
    full_battery(c, "plot 600x400", &encode(&plot()), u64::from(w * h));
    per_test(c);
}

criterion_group!(benches, bench, bench_jpeg);
criterion_main!(benches);
