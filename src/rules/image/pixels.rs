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
    /// Crosses exactly flat in every colour channel.
    pub flat_crosses: u64,
    /// Crosses spanning at most 2 levels in every colour channel.
    pub near_crosses: u64,
}

/// Decodes `content` and runs the pixel rules.
pub fn check(content: &[u8], format: Format, settings: &ImageSettings, out: &mut Findings) {
    let Some(image) = decode(content, format, settings, out) else {
        return;
    };
    let (width, height) = (image.width() as usize, image.height() as usize);
    // 16-bit samples are analysed on their low byte, where an LSB payload sits; the pixels'
    // look is in the high byte, but a plot rendered or scaled to 16 bits keeps flat regions
    // flat in the low byte too, and a photo's low byte is sensor noise that the estimators
    // read as no payload. Limitation: palette images are analysed on their expanded colours,
    // so LSBs hidden in palette indices (EzStego) are not measured.
    let wide = image.color().bytes_per_pixel() > image.color().channel_count();
    let (samples, stride) = match (image.color().channel_count(), wide) {
        (1, false) => (image.into_luma8().into_raw(), 1),
        (2, false) => (image.into_luma_alpha8().into_raw(), 2),
        (3, false) => (image.into_rgb8().into_raw(), 3),
        (_, false) => (image.into_rgba8().into_raw(), 4),
        (1, true) => (low_bytes(image.into_luma16().into_raw()), 1),
        (2, true) => (low_bytes(image.into_luma_alpha16().into_raw()), 2),
        (3, true) => (low_bytes(image.into_rgb16().into_raw()), 3),
        (_, true) => (low_bytes(image.into_rgba16().into_raw()), 4),
    };
    // Colour type 3 in the PNG header, and every GIF, store palette indices.
    let palette = format == Format::Gif || (format == Format::Png && content.get(25) == Some(&3));
    analyse(&samples, stride, width, height, palette, settings, out);
}

/// The low byte of each 16-bit sample.
fn low_bytes(samples: Vec<u16>) -> Vec<u8> {
    samples.into_iter().map(|s| (s & 0xff) as u8).collect()
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
    let (flat, near, crosses) = crosses(samples, stride, width);
    let colours_per_pixel = colours as f64 / pixels.max(1) as f64;
    let flat_share = near as f64 / crosses.max(1) as f64;
    Kind {
        plot: colours_per_pixel <= settings.plot_colours_per_pixel
            && flat_share >= settings.plot_flat_share,
        colours_per_pixel,
        flat_share,
        flat_crosses: flat,
        near_crosses: near,
    }
}

/// Counts 5-pixel crosses: (exactly flat in every colour channel, near-flat in every colour
/// channel, that is spanning at most 2 levels, all crosses).
///
/// Works a row at a time: first the span (max - min) of every sample's cross, a loop over
/// plain byte slices that vectorises, then the worst colour channel of each pixel.
fn crosses(samples: &[u8], stride: usize, width: usize) -> (u64, u64, u64) {
    let row_len = stride * width;
    if width < 3 || stride == 0 {
        return (0, 0, 0);
    }
    let colour_channels = if stride >= 3 { 3 } else { 1 };
    let interior = row_len - 2 * stride;
    let mut spans = vec![0u8; interior];
    let (mut flat, mut near, mut total) = (0u64, 0u64, 0u64);
    let rows: Vec<&[u8]> = samples.chunks_exact(row_len).collect();
    for window in rows.windows(3) {
        let (above, here, below) = (window[0], window[1], window[2]);
        let centre = &here[stride..stride + interior];
        let left = &here[..interior];
        let right = &here[2 * stride..2 * stride + interior];
        let up = &above[stride..stride + interior];
        let down = &below[stride..stride + interior];
        for (i, span) in spans.iter_mut().enumerate() {
            let (c, l, r, u, d) = (centre[i], left[i], right[i], up[i], down[i]);
            let lo = c.min(l).min(r).min(u).min(d);
            let hi = c.max(l).max(r).max(u).max(d);
            *span = hi - lo;
        }
        for pixel in spans.chunks_exact(stride) {
            let worst = pixel[..colour_channels].iter().copied().max().unwrap_or(0);
            flat += u64::from(worst == 0);
            near += u64::from(worst <= 2);
        }
        total += (width - 2) as u64;
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
    let kind_name = if kind.plot { "plot" } else { "photo" };
    let kind_evidence = evidence! {
        "image_kind" => kind_name,
        "colours_per_pixel" => round(kind.colours_per_pixel),
        "flat_share" => round(kind.flat_share),
    };

    if kind.plot && colour_channels == 3 {
        // Limitation: grey images all have few colours per pixel, so smooth grey photos
        // (skimage's brick and cell) pass as plots, and their sensor noise reads as a 0.7-0.85
        // rate in the flat-region test: it runs on colour plots only; grey plots get SPA.
        // Limitation: a payload adds colours, so a figure carrying one may be classed as a
        // photo and skip this test (a third of testdata/plots100 at 0.05 bpc). Running it on
        // every image with mostly near-flat crosses flags clean sky photos (0.27).
        flat_regions(&kind, stride, pixels, settings, &kind_evidence, out);
    }
    if kind.plot && (stride == 2 || stride == 4) {
        alpha_noise(samples, stride, pixels, settings, out);
    }
    // Limitation: the structural estimators model LSB replacement in samples; in palette
    // images the payload sits in the indices and dithering fools them, so they are skipped.
    let estimated = if palette { 0 } else { colour_channels };
    for (c, samples) in planes.iter().enumerate().take(estimated) {
        let plane = Plane {
            samples,
            width,
            height,
        };
        if let Some(finding) = structural(plane, kind.plot, name(c), settings, &kind_evidence) {
            out.push(finding);
        }
    }
}

/// Runs the structural estimators on one channel: SPA always, RS and WS on photos, and the
/// chi-square attack on sequential prefixes. Reports the estimate furthest above its
/// threshold; the chi-square attack fires alone only when it is clear (a tied prefix
/// followed by an untied rest, [`estimators::Sequential::clear`]) and on a plot.
fn structural(
    plane: Plane,
    plot: bool,
    channel: &str,
    settings: &ImageSettings,
    kind_evidence: &serde_json::Map<String, serde_json::Value>,
) -> Option<Finding> {
    let spa = estimators::spa(plane);
    let (rs, ws) = if plot {
        (None, None)
    } else {
        (estimators::rs(plane), estimators::ws(plane))
    };
    let alpha = settings.chi_square_alpha;
    let chi = estimators::chi_square_sequential(plane, alpha);
    let candidates = [
        ("spa", spa, settings.spa_rate),
        ("rs", rs, settings.rs_rate),
        ("ws", ws, settings.ws_rate),
    ];
    let worst = candidates
        .iter()
        .filter_map(|&(m, e, t)| e.filter(|e| e.is_finite() && *e >= t).map(|e| (m, e, t)))
        .max_by(|a, b| (a.1 / a.2).total_cmp(&(b.1 / b.2)));
    // Limitation: alone, the chi-square attack fires on plots only. On photos a crop whose
    // top is smooth sky gives a tied prefix and an untied rest with no payload (skimage's
    // astronaut and immunohistochemistry crops: 12% of clean photos), so sequential payloads
    // in photos rest on SPA, RS and WS.
    let sequential = chi
        .filter(|c| plot && c.clear(alpha))
        .map(|c| ("chi-square", c.covered, alpha));
    let (method, estimate, threshold) = worst.or(sequential)?;

    let rate = estimate.min(1.0);
    let rule = if rate >= settings.block_rate {
        &LSB_EMBEDDING
    } else {
        &LSB_SUSPECTED
    };
    let mut evidence = kind_evidence.clone();
    evidence.extend(evidence! {
        "channel" => channel, "method" => method, "estimate" => round(estimate),
        "threshold" => threshold, "block_rate" => settings.block_rate,
        "spa" => spa.map(round), "rs" => rs.map(round), "ws" => ws.map(round),
        "chi_square_prefix" => chi.map(|c| c.covered),
        "chi_square_rest_p" => chi.and_then(|c| c.rest_p).map(round),
        "chi_square_alpha" => alpha,
    });
    let measured = if method == "chi-square" {
        format!(
            "the chi-square attack finds the first {:.0}% of the samples tied pair by pair \
             (p >= {}) and the rest not (p <= {alpha})",
            estimate * 100.0,
            1.0 - alpha
        )
    } else {
        format!("{method} estimates an LSB embedding rate of {estimate:.3} (threshold {threshold})")
    };
    let pixels = plane.samples.len() as f64;
    Some(
        Finding::new(
            rule,
            format!(
                "channel {channel} of this {}: {measured}",
                if plot { "plot" } else { "photo" }
            ),
        )
        .with_evidence(evidence)
        .carrying((rate * pixels / 8.0) as u64),
    )
}

/// The flat-region test: among crosses spanning at most 2 levels, the share not exactly flat,
/// s, gives the rate r = 2 (1 - (1 - s)^(1/n)) of LSB changes that would explain it, where
/// n = 5 pixels x colour channels samples must all stay unchanged (each with probability
/// 1 - r/2) for a cross to stay flat.
fn flat_regions(
    kind: &Kind,
    stride: usize,
    pixels: u64,
    settings: &ImageSettings,
    kind_evidence: &serde_json::Map<String, serde_json::Value>,
    out: &mut Findings,
) {
    let (flat, near) = (kind.flat_crosses, kind.near_crosses);
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
