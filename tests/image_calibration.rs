//! The calibrated image rules end to end (issue 4): a folder of 100 clean matplotlib figures
//! passes while the same figures carrying a 0.05 bits-per-channel payload do not (as a
//! folder: most, not all, of the figures are flagged); XMP from
//! editors passes unless a field is long; 16-bit images are analysed on their low byte.

use std::io::Cursor;
use std::path::Path;

use assert_cmd::Command;
use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};
use serde_json::Value;

fn check(dir: &Path) -> Value {
    let output = Command::cargo_bin("egress-check")
        .expect("binary")
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "--jobs", "2"])
        .output()
        .expect("runs");
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

/// (path, rule codes) of every file with a finding.
fn flagged(report: &Value) -> Vec<(String, Vec<String>)> {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|file| {
            let codes: Vec<String> = file["findings"]
                .as_array()?
                .iter()
                .filter_map(|f| f["rule"].as_str().map(String::from))
                .collect();
            (!codes.is_empty()).then(|| (file["path"].as_str().unwrap_or("").to_string(), codes))
        })
        .collect()
}

/// A seeded xorshift generator, so the stego copies are the same on every run.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// LSB replacement of `rate` of the colour samples (alpha untouched), chosen at random over
/// pixels and channels, each given a random bit.
fn embed(image: DynamicImage, rate: f64, random: &mut Random) -> DynamicImage {
    let alpha = image.color().has_alpha();
    let mut rgba = image.into_rgba8();
    for pixel in rgba.pixels_mut() {
        for sample in pixel.0.iter_mut().take(3) {
            if random.chance(rate) {
                *sample = (*sample & !1) | (random.next() & 1) as u8;
            }
        }
    }
    if alpha {
        DynamicImage::ImageRgba8(rgba)
    } else {
        DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).into_rgb8())
    }
}

#[test]
fn hundred_clean_figures_pass_and_the_same_with_a_005_payload_do_not() {
    let clean = Path::new("testdata/plots100");
    let report = check(clean);
    assert_eq!(report["summary"]["files"], 100);
    assert_eq!(flagged(&report), vec![], "clean figures flagged");
    assert_eq!(report["verdict"], "pass");

    let stego = tempfile::tempdir().expect("tempdir");
    let mut random = Random(0x5eed_0005);
    let mut paths: Vec<_> = std::fs::read_dir(clean)
        .expect("plots100")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    for path in &paths {
        let image = image::open(path).expect("decode");
        let name = path.file_name().expect("name");
        embed(image, 0.05, &mut random)
            .save_with_format(stego.path().join(name), ImageFormat::Png)
            .expect("encode");
    }
    let report = check(stego.path());
    let caught = flagged(&report);
    // The folder does not pass. Not every figure is caught: the classification ignores the
    // LSBs, so the payload cannot move a figure out of the plot class, but scatter plots with
    // translucent markers have as many colours as photos and are classed as photos, where the
    // flat-region test does not run and 0.05 is under the calibrated SPA, RS and WS
    // thresholds (92 of 100 caught when this was written; README, Images).
    assert_ne!(report["verdict"], "pass");
    assert!(
        caught.len() >= 85,
        "{} of 100 caught: {caught:?}",
        caught.len()
    );
}

/// A PNG chunk: length, type, data and the CRC of type and data.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

/// A small white PNG with an uncompressed iTXt XMP chunk after IHDR.
fn png_with_xmp(packet: &str) -> Vec<u8> {
    let image = ImageBuffer::from_pixel(64, 48, Rgb([255u8, 255, 255]));
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .expect("encode");
    let mut itxt = b"XML:com.adobe.xmp\0\0\0\0\0".to_vec();
    itxt.extend_from_slice(packet.as_bytes());
    // Signature (8) and IHDR (25) come first.
    let mut out = png[..33].to_vec();
    out.extend(chunk(b"iTXt", &itxt));
    out.extend_from_slice(&png[33..]);
    out
}

/// An editor-style XMP packet: an edit history of short entries and whitespace padding.
fn editor_xmp(description: &str) -> String {
    let history: String = (0..30)
        .map(|i| {
            format!(
                "<rdf:li stEvt:action=\"saved\" stEvt:instanceID=\"xmp.iid:{i:032x}\" \
                 stEvt:when=\"2026-11-0{}T10:00:00Z\" stEvt:softwareAgent=\"Adobe \
                 Photoshop 26.0 (Windows)\" stEvt:changed=\"/\"/>\n",
                i % 9 + 1
            )
        })
        .collect();
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"Adobe XMP Core 9.1-c002\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         <rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
         xmp:CreatorTool=\"Adobe Photoshop 26.0 (Windows)\" xmp:CreateDate=\"2026-11-01\">\n\
         <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{description}</rdf:li>\
         </rdf:Alt></dc:description>\n\
         <xmpMM:History><rdf:Seq>\n{history}</rdf:Seq></xmpMM:History>\n\
         </rdf:Description></rdf:RDF></x:xmpmeta>\n{}\n<?xpacket end=\"w\"?>",
        " ".repeat(2048)
    )
}

#[test]
fn editor_xmp_passes_unless_a_field_is_long() {
    let dir = tempfile::tempdir().expect("tempdir");
    let short = editor_xmp("Figure 2: incidence by age group");
    assert!(short.len() > 5000, "the packet itself is long");
    std::fs::write(dir.path().join("editor.png"), png_with_xmp(&short)).expect("write");
    let long = editor_xmp(&"patient 1001 born 1950-01-02 lives at AB1 2CD; ".repeat(10));
    std::fs::write(dir.path().join("long.png"), png_with_xmp(&long)).expect("write");

    let report = check(dir.path());
    let found = flagged(&report);
    assert_eq!(found, vec![("long.png".into(), vec!["G004".into()])]);
    let files = report["files"].as_array().expect("files");
    let finding = &files
        .iter()
        .find(|f| f["path"] == "long.png")
        .expect("long")["findings"][0];
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("rdf:li")),
        "{finding}"
    );
    assert_eq!(finding["evidence"]["threshold"], 200);
}

/// A 16-bit plot: white with grey grid lines and a blue band, each 8-bit level scaled by 257.
fn plot16() -> ImageBuffer<Rgb<u16>, Vec<u16>> {
    ImageBuffer::from_fn(300, 200, |x, y| {
        let level = |v: u16| v * 257;
        if x % 30 == 0 || y % 25 == 0 {
            Rgb([level(200); 3])
        } else if (80..120).contains(&y) {
            Rgb([level(31), level(119), level(180)])
        } else {
            Rgb([level(255); 3])
        }
    })
}

#[test]
fn sixteen_bit_images_are_analysed_on_their_low_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = plot16();
    clean.save(dir.path().join("clean16.png")).expect("encode");
    let mut stego = clean.clone();
    let mut random = Random(16);
    for sample in stego.iter_mut() {
        if random.chance(0.1) {
            *sample = (*sample & !1) | (random.next() & 1) as u16;
        }
    }
    stego.save(dir.path().join("stego16.png")).expect("encode");

    let found = flagged(&check(dir.path()));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "stego16.png");
    assert!(found[0].1.contains(&"G010".to_string()), "{found:?}");
}
