//! Pixel analysis of lossless images: decode under a pixel cap, classify plot or photo, then
//! run the bit-plane probe, the plot tests (flat regions, alpha noise, SPA) or the photo
//! estimators (SPA, RS, WS, chi-square) per channel.
//!
//! Plot or photo: plots have one to two orders of magnitude fewer distinct colours per pixel
//! than photos, and most of their 5-pixel crosses are exactly flat; a grey photo also has
//! few colours, so both are required (../shared/notes/steganalysis.md, section 4).

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use super::estimators::{self, Plane};
use super::probe;
use super::{ALPHA_NOISE, FLAT_REGION_NOISE, LSB_EMBEDDING, LSB_SIGNATURE, LSB_SUSPECTED};
use super::{MALFORMED_IMAGE, PIXEL_LIMIT};
use crate::evidence;
use crate::finding::Finding;
use crate::identify::Format;
use crate::policy::ImageSettings;
use crate::rules::Findings;

/// What the pixel statistics say about an image's kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kind {
    pub plot: bool,
    pub colours_per_pixel: f64,
    /// Share of 5-pixel crosses spanning at most 2 levels in every colour channel.
    pub flat_share: f64,
}

/// Decodes `content` and runs the pixel rules.
pub fn check(content: &[u8], format: Format, settings: &ImageSettings, out: &mut Findings) {
    let Some(image) = decode(content, format, settings, out) else {
        return;
    };
    // Limitation: 16-bit images are analysed on their high 8 bits, and palette images on
    // their expanded colours, so LSBs hidden in 16-bit samples or in palette indices
    // (EzStego) are not measured.
    let (samples, stride) = match image.color().channel_count() {
        1 => (image.to_luma8().into_raw(), 1),
        2 => (image.to_luma_alpha8().into_raw(), 2),
        3 => (image.to_rgb8().into_raw(), 3),
        _ => (image.to_rgba8().into_raw(), 4),
    };
    let (width, height) = (image.width() as usize, image.height() as usize);
    // Colour type 3 in the PNG header, and every GIF, store palette indices.
    let palette = format == Format::Gif || (format == Format::Png && content.get(25) == Some(&3));
    analyse(&samples, stride, width, height, palette, settings, out);
}

fn decode(
    content: &[u8],
    format: Format,
    settings: &ImageSettings,
    out: &mut Findings,
) -> Option<DynamicImage> {
    let format = match format {
        Format::Png => ImageFormat::Png,
        Format::Gif => ImageFormat::Gif,
        Format::Bmp => ImageFormat::Bmp,
        Format::Tiff => ImageFormat::Tiff,
        Format::Webp => ImageFormat::WebP,
        _ => return None,
    };
    let undecodable = |out: &mut Findings, error: String| {
        out.push(
            Finding::new(
                &MALFORMED_IMAGE,
                format!("the pixels cannot be decoded: {error}"),
            )
            .with_evidence(evidence! {"error" => error}),
        );
    };
    let reader = ImageReader::with_format(Cursor::new(content), format);
    let (width, height) = match reader.into_dimensions() {
        Ok(dimensions) => dimensions,
        Err(error) => {
            undecodable(out, error.to_string());
            return None;
        }
    };
    let pixels = width as u64 * height as u64;
    if pixels > settings.max_pixels {
        out.push(
            Finding::new(
                &PIXEL_LIMIT,
                format!(
                    "{width} x {height} = {pixels} pixels, over the limit of {}; the pixels \
                     were not checked",
                    settings.max_pixels
                ),
            )
            .with_evidence(evidence! {
                "width" => width, "height" => height, "pixels" => pixels,
                "threshold" => settings.max_pixels,
            })
            .carrying(pixels / 8),
        );
        return None;
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    // Eight bytes a pixel: RGBA at 16 bits, the widest the checked formats decode to.
    limits.max_alloc = Some(settings.max_pixels.saturating_mul(8));
    let mut reader = ImageReader::with_format(Cursor::new(content), format);
    reader.limits(limits);
    match reader.decode() {
        Ok(image) => Some(image),
        Err(error) => {
            undecodable(out, error.to_string());
            None
        }
    }
}

/// Classifies interleaved 8-bit pixels as plot or photo.
pub fn classify(samples: &[u8], stride: usize, width: usize, settings: &ImageSettings) -> Kind {
    let pixels = samples.len() / stride.max(1);
    // One bit per 24-bit colour (2 MiB), alpha ignored.
    let mut seen = vec![0u64; 1 << 18];
    let mut colours = 0u64;
    for pixel in samples.chunks_exact(stride) {
        let rgb = if stride >= 3 {
            (pixel[0] as usize) << 16 | (pixel[1] as usize) << 8 | pixel[2] as usize
        } else {
            pixel[0] as usize
        };
        let (word, bit) = (rgb >> 6, 1u64 << (rgb & 63));
        if seen[word] & bit == 0 {
            seen[word] |= bit;
            colours += 1;
        }
    }
    // Near-flat rather than exactly flat, so that LSB noise does not turn a plot into a photo.
    let (_, near, crosses) = crosses(samples, stride, width);
    let colours_per_pixel = colours as f64 / pixels.max(1) as f64;
    let flat_share = near as f64 / crosses.max(1) as f64;
    Kind {
        plot: colours_per_pixel <= settings.plot_colours_per_pixel
            && flat_share >= settings.plot_flat_share,
        colours_per_pixel,
        flat_share,
    }
}

/// Counts 5-pixel crosses: (exactly flat in every colour channel, near-flat in every colour
/// channel, that is spanning at most 2 levels, all crosses).
fn crosses(samples: &[u8], stride: usize, width: usize) -> (u64, u64, u64) {
    let height = samples.len() / (stride * width.max(1)).max(1);
    let colour_channels = if stride >= 3 { 3 } else { 1 };
    let (mut flat, mut near, mut total) = (0u64, 0u64, 0u64);
    let at = |x: usize, y: usize, c: usize| samples[(y * width + x) * stride + c];
    for y in 1..height.saturating_sub(1) {
        for x in 1..width.saturating_sub(1) {
            total += 1;
            let (mut all_flat, mut all_near) = (true, true);
            for c in 0..colour_channels {
                let v = [
                    at(x, y, c),
                    at(x - 1, y, c),
                    at(x + 1, y, c),
                    at(x, y - 1, c),
                ];
                let v5 = at(x, y + 1, c);
                let lo = v.iter().copied().fold(v5, u8::min);
                let hi = v.iter().copied().fold(v5, u8::max);
                all_flat &= lo == hi;
                all_near &= hi - lo <= 2;
            }
            flat += all_flat as u64;
            near += all_near as u64;
        }
    }
    (flat, near, total)
}

/// Runs every pixel rule on interleaved 8-bit samples.
pub fn analyse(
    samples: &[u8],
    stride: usize,
    width: usize,
    height: usize,
    palette: bool,
    settings: &ImageSettings,
    out: &mut Findings,
) {
    let pixels = (width * height) as u64;
    if pixels == 0 || samples.len() != width * height * stride {
        return;
    }
    for hit in probe::probe(samples, stride) {
        out.push(
            Finding::new(
                &LSB_SIGNATURE,
                format!(
                    "the {} stream holds {} at byte {}: {:?}",
                    hit.stream, hit.what, hit.offset, hit.preview
                ),
            )
            .with_evidence(evidence! {
                "stream" => hit.stream, "found" => hit.what, "offset" => hit.offset,
                "length_prefix" => hit.length_prefix,
            })
            .carrying(pixels * stride as u64 / 8),
        );
    }
    let kind = classify(samples, stride, width, settings);
    let colour_channels = if stride >= 3 { 3 } else { 1 };
    let names = ["R", "G", "B"];
    let name = |c: usize| if colour_channels == 1 { "Y" } else { names[c] };
    let planes: Vec<Vec<u8>> = (0..colour_channels)
        .map(|c| samples.iter().skip(c).step_by(stride).copied().collect())
        .collect();
    let plane = |c: usize| Plane {
        samples: &planes[c],
        width,
        height,
    };
    let kind_name = if kind.plot { "plot" } else { "photo" };
    let kind_evidence = evidence! {
        "image_kind" => kind_name,
        "colours_per_pixel" => round(kind.colours_per_pixel),
        "flat_share" => round(kind.flat_share),
    };

    if kind.plot {
        flat_regions(
            samples,
            stride,
            width,
            pixels,
            settings,
            &kind_evidence,
            out,
        );
        if stride == 2 || stride == 4 {
            alpha_noise(samples, stride, pixels, settings, out);
        }
    }
    // Limitation: the structural estimators model LSB replacement in samples; in palette
    // images the payload sits in the indices and dithering fools them, so they are skipped.
    let estimated = if palette { 0 } else { colour_channels };
    for c in 0..estimated {
        let spa = estimators::spa(plane(c));
        let (rs, ws, chi) = if kind.plot {
            (None, None, None)
        } else {
            (
                estimators::rs(plane(c)),
                estimators::ws(plane(c)),
                estimators::chi_square_sequential(plane(c), settings.chi_square_alpha),
            )
        };
        // (method, estimate, threshold). Limitation: the chi-square attack is reported as
        // evidence but never fires alone: on smooth photo histograms the pairs (2k, 2k+1) are
        // naturally even and it gives p near 1 on clean covers (Westfeld and Pfitzmann 1999
        // section 4.3; ../shared/notes/steganalysis.md, 4.4).
        let candidates = [
            ("spa", spa, settings.spa_rate),
            ("rs", rs, settings.rs_rate),
            ("ws", ws, settings.ws_rate),
        ];
        let worst = candidates
            .iter()
            .filter_map(|&(m, e, t)| e.filter(|e| e.is_finite() && *e >= t).map(|e| (m, e, t)))
            .max_by(|a, b| (a.1 / a.2).total_cmp(&(b.1 / b.2)));
        let Some((method, estimate, threshold)) = worst else {
            continue;
        };
        let rate = estimate.min(1.0);
        let rule = if rate >= settings.block_rate {
            &LSB_EMBEDDING
        } else {
            &LSB_SUSPECTED
        };
        let mut evidence = kind_evidence.clone();
        evidence.extend(evidence! {
            "channel" => name(c), "method" => method, "estimate" => round(estimate),
            "threshold" => threshold, "block_rate" => settings.block_rate,
            "spa" => spa.map(round), "rs" => rs.map(round), "ws" => ws.map(round),
            "chi_square_prefix" => chi,
        });
        out.push(
            Finding::new(
                rule,
                format!(
                    "channel {} of this {kind_name}: {method} estimates an LSB embedding rate \
                     of {estimate:.3} (threshold {threshold})",
                    name(c)
                ),
            )
            .with_evidence(evidence)
            .carrying((rate * pixels as f64 / 8.0) as u64),
        );
    }
}

/// The flat-region test: among crosses spanning at most 2 levels, the share not exactly flat,
/// s, gives the rate r = 2 (1 - (1 - s)^(1/n)) of LSB changes that would explain it, where
/// n = 5 pixels x colour channels samples must all stay unchanged (each with probability
/// 1 - r/2) for a cross to stay flat.
fn flat_regions(
    samples: &[u8],
    stride: usize,
    width: usize,
    pixels: u64,
    settings: &ImageSettings,
    kind_evidence: &serde_json::Map<String, serde_json::Value>,
    out: &mut Findings,
) {
    let (flat, near, _) = crosses(samples, stride, width);
    if near == 0 {
        return;
    }
    let share = (near - flat) as f64 / near as f64;
    let colour_channels = if stride >= 3 { 3 } else { 1 };
    let samples_per_cross = 5.0 * colour_channels as f64;
    let rate = (2.0 * (1.0 - (1.0 - share).powf(1.0 / samples_per_cross))).min(1.0);
    if rate < settings.flat_rate {
        return;
    }
    let mut evidence = kind_evidence.clone();
    evidence.extend(evidence! {
        "near_flat_crosses" => near, "not_flat" => near - flat,
        "share_not_flat" => round(share), "estimate" => round(rate),
        "threshold" => settings.flat_rate,
    });
    out.push(
        Finding::new(
            &FLAT_REGION_NOISE,
            format!(
                "{} of {near} near-flat regions of this plot are not exactly flat, as if \
                 {rate:.3} of the low bits were changed (threshold {})",
                near - flat,
                settings.flat_rate
            ),
        )
        .with_evidence(evidence)
        .carrying((rate * (pixels * colour_channels) as f64 / 8.0) as u64),
    );
}

/// A plot's alpha: the share of pixels one level off the most common alpha value.
fn alpha_noise(
    samples: &[u8],
    stride: usize,
    pixels: u64,
    settings: &ImageSettings,
    out: &mut Findings,
) {
    let mut histogram = [0u64; 256];
    for pixel in samples.chunks_exact(stride) {
        histogram[pixel[stride - 1] as usize] += 1;
    }
    let mode = (0..256).max_by_key(|&v| histogram[v]).unwrap_or(255);
    let off_by_one = mode.checked_sub(1).map_or(0, |v| histogram[v])
        + histogram.get(mode + 1).copied().unwrap_or(0);
    let share = off_by_one as f64 / pixels as f64;
    if share < settings.alpha_noise_share {
        return;
    }
    out.push(
        Finding::new(
            &ALPHA_NOISE,
            format!(
                "{off_by_one} pixels ({:.1}%) have an alpha one level off the common value \
                 {mode} (threshold {:.1}%)",
                share * 100.0,
                settings.alpha_noise_share * 100.0
            ),
        )
        .with_evidence(evidence! {
            "alpha_mode" => mode, "off_by_one" => off_by_one, "share" => round(share),
            "threshold" => settings.alpha_noise_share,
        })
        .carrying(pixels / 8),
    );
}

fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}
