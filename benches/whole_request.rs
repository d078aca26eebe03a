//! Whole-request throughput and peak memory, and how they grow from 200 to 2,000 files.
//!
//! Generates (once, under `target/bench-data/whole/`) a request like a large real one: 2,000
//! files and about 2 GB of crosstabs, plots, photo-like images, logs, ZIPs of tables and
//! pickled models. Subsets of 200, 500, 1,000 and 2,000 files are hard links into it. Each
//! size is checked once by the release binary in a child process, so the wall time and the
//! child's peak resident memory (from `wait4`) are those a checker would see.
//!
//! A single timed run per size, not Criterion's statistics: one run of the largest size takes
//! minutes, and the point is how the figures grow. Run with
//! `cargo bench --bench whole_request` (it builds the release binary first).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const SIZES: &[usize] = &[200, 500, 1000, 2000];

const POLICY: &str = r#"
name = "whole-request-bench"
[walk]
max_entries = 100000
[budgets]
request_bytes = "8 GiB"
request_files = 100000
file_bytes = "64 MiB"
capacity_bytes = "1 GiB"
"#;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn crosstab(rng: &mut Rng, rows: usize) -> Vec<u8> {
    let mut text = String::from("group,Female,Male,Total\n");
    for row in 0..rows {
        let (f, m) = (20 + rng.below(500), 20 + rng.below(500));
        text.push_str(&format!("g{row},{f},{m},{}\n", f + m));
    }
    text.into_bytes()
}

fn plot(rng: &mut Rng) -> Vec<u8> {
    let (width, height) = (640u32, 480u32);
    let slope = 1 + rng.below(4) as u32;
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let line = height - 40 - (x * slope / 4).min(height - 60);
        if y.abs_diff(line) <= 1 {
            image::Rgb([31, 119, 180])
        } else if x == 40 || y == height - 40 {
            image::Rgb([0, 0, 0])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    encode_png(&image)
}

fn photo(rng: &mut Rng) -> Vec<u8> {
    let (width, height) = (1280u32, 800u32);
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let base = ((x / 5 + y / 7) % 200) as u64;
        let noise = rng.below(24);
        let v = (base + noise) as u8;
        image::Rgb([v, v.wrapping_add(17), v.wrapping_add(40)])
    });
    encode_png(&image)
}

fn encode_png(image: &image::RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut bytes,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Sub,
    );
    image::ImageEncoder::write_image(
        encoder,
        image.as_raw(),
        image.width(),
        image.height(),
        image::ExtendedColorType::Rgb8,
    )
    .expect("encode png");
    bytes
}

fn log(rng: &mut Rng) -> Vec<u8> {
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!(
            "2026-11-30 10:{:02}:{:02} INFO step {i} fitted in {} ms\n",
            i / 60 % 60,
            i % 60,
            rng.below(900)
        ));
    }
    text.into_bytes()
}

fn zip_of_tables(rng: &mut Rng) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buffer);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..20 {
        writer
            .start_file(format!("tables/t{i}.csv"), options)
            .expect("member");
        writer.write_all(&crosstab(rng, 12)).expect("write");
    }
    writer.finish().expect("zip");
    buffer.into_inner()
}

/// A protocol-4 pickle of one large bytes object (a model's weights as a blob).
fn pickled_model(rng: &mut Rng, bytes: usize) -> Vec<u8> {
    let mut data = vec![0x80, 0x04, 0x8e];
    data.extend((bytes as u64).to_le_bytes());
    data.extend((0..bytes).map(|_| (rng.next() >> 56) as u8));
    data.extend([0x94, b'.']);
    data
}

/// The 2,000 files, in an order that keeps every prefix a similar mix.
fn generate(dir: &Path) -> Vec<PathBuf> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut paths = Vec::new();
    fs::create_dir_all(dir).expect("bench folder");
    for i in 0..2000 {
        let (name, bytes) = match i % 20 {
            0..=7 => (
                format!("tables/t{i:04}.csv"),
                crosstab(&mut rng, 8 + i % 40),
            ),
            8..=13 => (format!("figures/plot{i:04}.png"), plot(&mut rng)),
            14..=16 => (format!("figures/photo{i:04}.png"), photo(&mut rng)),
            17 => (format!("logs/run{i:04}.log"), log(&mut rng)),
            18 => (
                format!("archives/tables{i:04}.zip"),
                zip_of_tables(&mut rng),
            ),
            _ => (
                format!("models/model{i:04}.pkl"),
                pickled_model(&mut rng, 12 << 20),
            ),
        };
        let path = dir.join(&name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, bytes).expect("write");
        paths.push(PathBuf::from(name));
    }
    paths
}

fn subset(root: &Path, all: &Path, names: &[PathBuf], count: usize) -> PathBuf {
    let dir = root.join(format!("request-{count}"));
    if dir.exists() {
        return dir;
    }
    for name in &names[..count] {
        let target = dir.join(name);
        fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        fs::hard_link(all.join(name), &target).expect("link");
    }
    dir
}

fn total_bytes(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Runs the binary once and returns wall seconds and the child's peak RSS in KiB.
// The child is reaped by `wait4`, which also reports its resource usage; clippy cannot see that.
#[allow(clippy::zombie_processes)]
fn run(binary: &Path, dir: &Path, policy: &Path) -> (f64, i64) {
    let started = Instant::now();
    let child = Command::new(binary)
        .arg("check")
        .arg(dir)
        .arg("--policy")
        .arg(policy)
        .args(["--format", "json", "--output", "/dev/null"])
        .spawn()
        .expect("start egress-check");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    (started.elapsed().as_secs_f64(), usage.ru_maxrss)
}

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet"])
        .current_dir(manifest)
        .status()
        .expect("cargo build");
    assert!(status.success(), "release build failed");
    let binary = manifest.join("target/release/egress-check");

    let root = manifest.join("target/bench-data/whole");
    let all = root.join("all");
    let names_file = root.join("names.txt");
    let names: Vec<PathBuf> = match fs::read_to_string(&names_file) {
        Ok(text) if all.exists() => text.lines().map(PathBuf::from).collect(),
        _ => {
            let started = Instant::now();
            let names = generate(&all);
            let listing: Vec<String> = names.iter().map(|n| n.display().to_string()).collect();
            fs::write(&names_file, listing.join("\n")).expect("names");
            eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
            names
        }
    };
    let policy = root.join("policy.toml");
    fs::write(&policy, POLICY).expect("policy");

    println!("| files | bytes | wall (s) | MB/s | files/s | peak RSS (MiB) |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    for &count in SIZES {
        let dir = subset(&root, &all, &names, count);
        let bytes = total_bytes(&dir);
        let (seconds, peak_kib) = run(&binary, &dir, &policy);
        println!(
            "| {count} | {:.2} GB | {seconds:.1} | {:.0} | {:.0} | {:.0} |",
            bytes as f64 / 1e9,
            bytes as f64 / 1e6 / seconds,
            count as f64 / seconds,
            peak_kib as f64 / 1024.0
        );
    }
}
