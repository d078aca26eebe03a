//! Pixel analysis of lossless images: decode under a pixel cap, classify plot or photo, then
//! run the bit-plane probe, the plot tests (flat regions, alpha noise, SPA) or the photo
//! estimators (SPA, RS, WS, chi-square) per channel.
//!
//! Plot or photo: plots have one to two orders of magnitude fewer distinct colours per pixel
//! than photos, and most of their 5-pixel crosses are exactly flat; a grey photo also has
//! few colours, so both are required (../shared/notes/steganalysis.md, section 4). Both are
//! measured with the least significant bit of every sample cleared, so that LSB replacement,
//! which is what the plot tests look for, cannot move a figure into the photo class.

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
    /// Distinct colours per pixel, counted on the top 7 bits of each colour sample.
    pub colours_per_pixel: f64,
    /// Share of 5-pixel crosses exactly flat in the top 7 bits of every colour channel.
    pub flat_share: f64,
    /// Crosses exactly flat in every colour channel, all 8 bits.
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
///
/// Both measures ignore the least significant bit. A payload in the LSBs adds colours (each
/// antialiased edge colour gains up to 7 neighbours) and breaks exact flatness, and measured
/// on all 8 bits it pushed a third of the figures in testdata/plots100 at 0.05 bpc into the
/// photo class, where the flat-region test does not run. Sensor noise in a photo spans more
/// than one level, so clearing the LSB leaves photos' crosses mostly unflat.
pub fn classify(samples: &[u8], stride: usize, width: usize, settings: &ImageSettings) -> Kind {
    let pixels = samples.len() / stride.max(1);
    // One bit per 21-bit colour (256 KiB), alpha ignored.
    let mut seen = vec![0u64; 1 << 15];
    let mut colours = 0u64;
    for pixel in samples.chunks_exact(stride) {
        let rgb = if stride >= 3 {
            (pixel[0] as usize >> 1) << 14 | (pixel[1] as usize >> 1) << 7 | pixel[2] as usize >> 1
        } else {
            pixel[0] as usize >> 1
        };
        let (word, bit) = (rgb >> 6, 1u64 << (rgb & 63));
        if seen[word] & bit == 0 {
            seen[word] |= bit;
            colours += 1;
        }
    }
    let crosses = crosses(samples, stride, width);
    let colours_per_pixel = colours as f64 / pixels.max(1) as f64;
    let flat_share = crosses.flat_high as f64 / crosses.total.max(1) as f64;
    Kind {
        plot: colours_per_pixel <= settings.plot_colours_per_pixel
            && flat_share >= settings.plot_flat_share,
        colours_per_pixel,
        flat_share,
        flat_crosses: crosses.flat,
        near_crosses: crosses.near,
    }
}

/// Counts of 5-pixel crosses (a pixel and its four neighbours), each judged by its worst
/// colour channel.
struct Crosses {
    /// Exactly flat.
    flat: u64,
    /// Spanning at most 2 levels.
    near: u64,
    /// Exactly flat once the least significant bit is cleared.
    flat_high: u64,
    total: u64,
}

/// Counts 5-pixel crosses by flatness.
///
/// Works a row at a time: first the span (max - min) of every sample's cross, and of its
/// top 7 bits, in a loop over plain byte slices that vectorises, then the worst colour
/// channel of each pixel.
fn crosses(samples: &[u8], stride: usize, width: usize) -> Crosses {
    let mut counts = Crosses {
        flat: 0,
        near: 0,
        flat_high: 0,
        total: 0,
    };
    let row_len = stride * width;
    if width < 3 || stride == 0 {
        return counts;
    }
    let colour_channels = if stride >= 3 { 3 } else { 1 };
    let interior = row_len - 2 * stride;
    let mut spans = vec![0u8; interior];
    let mut high_spans = vec![0u8; interior];
    let rows: Vec<&[u8]> = samples.chunks_exact(row_len).collect();
    for window in rows.windows(3) {
        let (above, here, below) = (window[0], window[1], window[2]);
        let centre = &here[stride..stride + interior];
        let left = &here[..interior];
        let right = &here[2 * stride..2 * stride + interior];
        let up = &above[stride..stride + interior];
        let down = &below[stride..stride + interior];
        for (i, (span, high)) in spans.iter_mut().zip(high_spans.iter_mut()).enumerate() {
            let (c, l, r, u, d) = (centre[i], left[i], right[i], up[i], down[i]);
            let lo = c.min(l).min(r).min(u).min(d);
            let hi = c.max(l).max(r).max(u).max(d);
            *span = hi - lo;
            *high = (hi >> 1) - (lo >> 1);
        }
        for (pixel, high) in spans
            .chunks_exact(stride)
            .zip(high_spans.chunks_exact(stride))
        {
            let worst = pixel[..colour_channels].iter().copied().max().unwrap_or(0);
            let worst_high = high[..colour_channels].iter().copied().max().unwrap_or(0);
            counts.flat += u64::from(worst == 0);
            counts.near += u64::from(worst <= 2);
            counts.flat_high += u64::from(worst_high == 0);
        }
        counts.total += (width - 2) as u64;
    }
    counts
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

    if kind.plot {
        // Grey photos have few colours too, but their crosses are rarely flat in the top 7
        // bits (skimage's brick and cell at most 0.35), so grey plots get this test as well.
        // Limitation: scatter plots with translucent markers have as many colours as photos
        // and skip this test (8 of testdata/plots100). Running it on every image with mostly
        // near-flat crosses flags clean sky photos (0.27).
        flat_regions(&kind, stride, pixels, settings, &kind_evidence, out);
    }
    // Alpha is flat in figures and photos alike (255 everywhere, or a matte whose soft edge
    // is a thin band), so the alpha test runs whatever the kind.
    if stride == 2 || stride == 4 {
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

/// Runs the structural estimators on one channel: SPA always (and over the busy tiles in
/// plots), RS and WS on photos, and the chi-square attack on sequential prefixes. Reports the
/// largest estimate when it reaches the block rate, else the estimate furthest above its
/// review threshold; the chi-square attack fires alone only when it is clear (a tied prefix
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
    // In a plot, a textured panel can hold a payload the flat background dilutes.
    let busy = if plot {
        estimators::spa_busy(plane)
    } else {
        None
    };
    let alpha = settings.chi_square_alpha;
    let chi = estimators::chi_square_sequential(plane, alpha);
    let candidates = [
        ("spa", spa, settings.spa_rate),
        ("spa-busy", busy.map(|b| b.0), settings.spa_busy_rate),
        ("rs", rs, settings.rs_rate),
        ("ws", ws, settings.ws_rate),
    ];
    let above: Vec<(&str, f64, f64)> = candidates
        .iter()
        .filter_map(|&(m, e, t)| e.filter(|e| e.is_finite() && *e >= t).map(|e| (m, e, t)))
        .collect();
    let worst = reported_estimate(&above, settings.block_rate);
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
        "spa_busy" => busy.map(|b| round(b.0)), "busy_tiles" => busy.map(|b| b.1),
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

/// Of the estimates at or above their review thresholds, as (method, estimate, threshold),
/// the one to report: the largest if it reaches the block rate, since any estimate there
/// blocks even when another stands further above its own review threshold (SPA at 0.5
/// against 0.145 beside WS at 0.94 against 0.55); else the furthest above its threshold.
fn reported_estimate<'a>(
    above: &[(&'a str, f64, f64)],
    block_rate: f64,
) -> Option<(&'a str, f64, f64)> {
    let heaviest = above
        .iter()
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|&(_, estimate, _)| estimate >= block_rate);
    heaviest.or_else(|| {
        above
            .iter()
            .copied()
            .max_by(|a, b| (a.1 / a.2).total_cmp(&(b.1 / b.2)))
    })
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

/// The alpha channel: the share of pixels one level off the most common alpha value, beyond
/// those two levels off.
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
    let at = |distance: usize| {
        mode.checked_sub(distance).map_or(0, |v| histogram[v])
            + histogram.get(mode + distance).copied().unwrap_or(0)
    };
    // A payload in the alpha LSBs moves pixels of the common value one level and no further;
    // an alpha that varies smoothly (a gradient, noise, soft edges) fills the levels one and
    // two away alike. The excess of the first over the second is what a payload explains.
    let (off_by_one, off_by_two) = (at(1), at(2));
    let excess = off_by_one.saturating_sub(off_by_two);
    let share = excess as f64 / pixels as f64;
    if share < settings.alpha_noise_share {
        return;
    }
    out.push(
        Finding::new(
            &ALPHA_NOISE,
            format!(
                "{off_by_one} pixels have an alpha one level off the common value {mode} and \
                 {off_by_two} two levels off: an excess of {:.1}% of the pixels (threshold \
                 {:.1}%)",
                share * 100.0,
                settings.alpha_noise_share * 100.0
            ),
        )
        .with_evidence(evidence! {
            "alpha_mode" => mode, "off_by_one" => off_by_one, "off_by_two" => off_by_two,
            "share" => round(share), "threshold" => settings.alpha_noise_share,
        })
        .carrying(pixels / 8),
    );
}

fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn settings() -> ImageSettings {
        Policy::default_policy().images
    }

    /// xorshift64: a fixed stream of pseudo-random words for the synthetic images.
    fn stream(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// A 120 x 80 RGB figure: white background, a blue bar and two grey grid lines.
    fn figure() -> Vec<u8> {
        let (width, height) = (120, 80);
        let mut samples = vec![255u8; width * height * 3];
        for y in 0..height {
            for x in 0..width {
                let at = (y * width + x) * 3;
                if (30..60).contains(&x) && y >= 20 {
                    samples[at..at + 3].copy_from_slice(&[31, 119, 180]);
                } else if y == 40 || x == 90 {
                    samples[at..at + 3].copy_from_slice(&[176, 176, 176]);
                }
            }
        }
        samples
    }

    #[test]
    fn an_estimate_at_the_block_rate_is_reported_over_a_larger_ratio() {
        let spa = ("spa", 0.503, 0.145);
        let ws = ("ws", 0.935, 0.55);
        assert_eq!(reported_estimate(&[spa, ws], 0.6), Some(ws));
        // Under the block rate, the estimate furthest above its threshold: 0.3 / 0.145 = 2.07
        // against 0.56 / 0.55 = 1.02.
        let (spa, ws) = (("spa", 0.3, 0.145), ("ws", 0.56, 0.55));
        assert_eq!(reported_estimate(&[spa, ws], 0.6), Some(spa));
        assert_eq!(reported_estimate(&[], 0.6), None);
    }

    /// Grey-and-alpha samples, 100 x 100, with the alpha of each pixel from `alpha`.
    fn alpha_findings(alpha: impl Fn(usize) -> u8) -> Vec<Finding> {
        let samples: Vec<u8> = (0..10_000).flat_map(|i| [128, alpha(i)]).collect();
        let policy = Policy::default_policy();
        let mut out = Findings::new(&policy);
        alpha_noise(&samples, 2, 10_000, &policy.images, &mut out);
        out.into_vec()
    }

    #[test]
    fn alpha_moved_one_level_from_its_common_value_is_noise() {
        // 100 of 10,000 pixels at 254 beside 255, none at 253: an excess of 1%.
        let found = alpha_findings(|i| if i % 100 == 0 { 254 } else { 255 });
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].evidence["off_by_one"], 100);
        assert_eq!(found[0].evidence["off_by_two"], 0);
        assert_eq!(found[0].evidence["share"], 0.01);
    }

    #[test]
    fn smooth_or_random_alpha_is_not_noise() {
        // A gradient over all 256 levels, and xorshift noise: each level near the mode is
        // about as full as the next, so nothing is in excess.
        assert!(alpha_findings(|i| (i % 256) as u8).is_empty());
        let mut next = stream(0xa1fa);
        let noise: Vec<u8> = (0..10_000).map(|_| next() as u8).collect();
        assert!(alpha_findings(|i| noise[i]).is_empty());
    }

    #[test]
    fn a_uniform_image_is_all_flat_crosses() {
        // 10 x 10 pixels have 8 x 8 interior crosses, all exactly flat; one colour.
        let kind = classify(&[200u8; 300], 3, 10, &settings());
        assert_eq!((kind.flat_crosses, kind.near_crosses), (64, 64));
        assert_eq!(kind.flat_share, 1.0);
        assert_eq!(kind.colours_per_pixel, 0.01);
        assert!(kind.plot);
    }

    #[test]
    fn an_lsb_payload_does_not_move_a_figure_out_of_the_plot_class() {
        let clean = figure();
        let mut stego = clean.clone();
        let mut next = stream(0x5eed);
        for sample in stego.iter_mut() {
            let word = next();
            if word % 100 < 20 {
                *sample = (*sample & !1) | (word >> 32) as u8 & 1;
            }
        }
        let (before, after) = (
            classify(&clean, 3, 120, &settings()),
            classify(&stego, 3, 120, &settings()),
        );
        assert!(before.plot && after.plot, "{before:?} {after:?}");
        assert_eq!(before.flat_share, after.flat_share);
        assert_eq!(before.colours_per_pixel, after.colours_per_pixel);
        // The 8-bit measure the flat-region test reads does see the payload.
        assert!(after.flat_crosses < before.flat_crosses);
    }

    #[test]
    fn noise_wider_than_one_level_is_a_photo() {
        let mut next = stream(0xface);
        let noisy: Vec<u8> = (0..120 * 80 * 3)
            .map(|_| 120 + (next() % 9) as u8)
            .collect();
        let kind = classify(&noisy, 3, 120, &settings());
        assert!(!kind.plot, "{kind:?}");
        assert!(kind.flat_share < 0.01, "{kind:?}");
    }
}
