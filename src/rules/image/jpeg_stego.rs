//! DCT-domain steganalysis of JPEGs, on the quantised coefficients of [`super::dct`].
//!
//! - JSteg-like LSB replacement: the chi-square attack of A. Westfeld and A. Pfitzmann,
//!   "Attacks on steganographic systems", Information Hiding 1999 (LNCS 1768), applied to
//!   pairs of AC coefficient values (2i, 2i+1), leaving out 0 and 1 which JSteg never uses,
//!   as N. Provos and P. Honeyman do in stegdetect ("Detecting steganographic content on the
//!   Internet", NDSS 2002). Prefixes of the coefficients in scan order are tested; the
//!   longest run of prefixes from the start whose probability of embedding is at least
//!   1 - alpha is the estimated length of a sequential payload.
//! - F5: the calibration estimate of J. Fridrich, M. Goljan and D. Hogea, "Steganalysis of
//!   JPEG images: breaking the F5 algorithm", Information Hiding 2002 (LNCS 2578). The
//!   luminance is decompressed, cropped by 4 rows and 4 columns, and compressed again with
//!   the same quantisation table, which estimates the cover's histograms; the share beta of
//!   non-zero AC coefficients that F5 decremented follows by least squares from the
//!   histograms of the three lowest AC modes, (0,1), (1,0) and (1,1) in natural order
//!   ((1,2), (2,1), (2,2) in the paper's numbering).
//!
//! `testdata/generate_jpeg_stego.py` computes the same statistics in NumPy on the same
//! coefficients; the tests compare with its stored outputs.

use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::dct::{self, Coefficients, Component, DctError, ZIGZAG};
use super::{JPEG_NOT_ANALYSED, LSB_EMBEDDING, LSB_SUSPECTED, MALFORMED_IMAGE, PIXEL_LIMIT};
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::policy::ImageSettings;
use crate::rules::Findings;

/// Reads the coefficients of a JPEG whose markers are sound and runs the DCT-domain
/// estimates: the chi-square attack on every component, the F5 estimate on photo-like ones.
pub fn check(content: &[u8], settings: &ImageSettings, out: &mut Findings) {
    let coefficients = match dct::read(content, settings.max_pixels) {
        Ok(coefficients) => coefficients,
        Err(error) => {
            out.push(unreadable(error, settings));
            return;
        }
    };
    // Limitation: blocks are taken in the order of one interleaved scan, as a sequential
    // embedder working through a baseline encoder meets them; an embedder that walks the
    // components one after another is measured in a shuffled order and may be missed.
    let interleaved = coefficients.components.len() > 1;
    for (index, component) in coefficients.components.iter().enumerate() {
        let values = usable_ac(component, interleaved);
        if let Some(estimate) = jsteg(&values, settings.jsteg_p) {
            jsteg_finding(index, component, &estimate, settings, out);
        }
    }
    let Some(luminance) = coefficients.components.first() else {
        return;
    };
    // Limitation: F5 at full capacity shrinks enough coefficients to zero that some photos
    // fall under jpeg_photo_share and get no F5 estimate (3 of 12 in the calibration); the
    // chrominance is not estimated at all.
    let textured = textured_share(luminance);
    if textured < settings.jpeg_photo_share {
        tracing::debug!(textured, "plot-like JPEG: no F5 calibration");
        return;
    }
    if let Some(estimate) = f5(luminance) {
        f5_finding(&coefficients, luminance, &estimate, textured, settings, out);
    }
}

/// The finding for coefficients that could not be read.
fn unreadable(error: DctError, settings: &ImageSettings) -> Finding {
    match error {
        DctError::Unsupported(what) => Finding::new(
            &JPEG_NOT_ANALYSED,
            format!(
                "{what}: the DCT coefficients were not read and no JSteg or F5 estimate was made"
            ),
        )
        .with_evidence(evidence! {"coding" => what, "estimate" => "not made"}),
        DctError::TooLarge { pixels, limit } => Finding::new(
            &PIXEL_LIMIT,
            format!(
                "{pixels} pixels, over the limit of {limit}; the DCT coefficients were not checked"
            ),
        )
        .with_evidence(evidence! {"pixels" => pixels, "threshold" => settings.max_pixels})
        .carrying(pixels / 8),
        DctError::Corrupt { offset, what } => Finding::new(
            &MALFORMED_IMAGE,
            format!("the DCT coefficients cannot be read: {what} at byte {offset}"),
        )
        .at(Location {
            chunk: Some("entropy-coded data".into()),
            byte_offset: Some(offset as u64),
            ..Location::default()
        })
        .with_evidence(evidence! {"format" => "jpeg", "offset" => offset, "error" => what}),
    }
}

/// Share of the luminance blocks with at least one non-zero AC coefficient: near 1 in
/// photos, a quarter or less in plots, whose backgrounds are flat blocks.
pub fn textured_share(luminance: &Component) -> f64 {
    let (mut textured, mut blocks) = (0usize, 0usize);
    for block in luminance.image_blocks() {
        blocks += 1;
        if block.iter().skip(1).any(|&v| v != 0) {
            textured += 1;
        }
    }
    textured as f64 / blocks.max(1) as f64
}

fn component_place(index: usize, component: &Component) -> Location {
    Location {
        chunk: Some(format!("component {} (id {})", index + 1, component.id)),
        ..Location::default()
    }
}

fn rounded(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

fn jsteg_finding(
    index: usize,
    component: &Component,
    estimate: &Jsteg,
    settings: &ImageSettings,
    out: &mut Findings,
) {
    if estimate.share < settings.jsteg_rate {
        return;
    }
    let block = estimate.share >= settings.jsteg_block_rate;
    let (rule, threshold) = if block {
        (&LSB_EMBEDDING, settings.jsteg_block_rate)
    } else {
        (&LSB_SUSPECTED, settings.jsteg_rate)
    };
    let bits = (estimate.share * estimate.usable as f64).round() as u64;
    out.push(
        Finding::new(
            rule,
            format!(
                "JSteg-like embedding in component {}: AC value pairs are tied over the first \
                 {:.0}% of its {} usable coefficients (chi-square attack; threshold {:.0}%), \
                 about {} bytes",
                index + 1,
                estimate.share * 100.0,
                estimate.usable,
                threshold * 100.0,
                bits / 8
            ),
        )
        .at(component_place(index, component))
        .with_evidence(evidence! {
            "method" => "jsteg-chi-square",
            "component" => index + 1,
            "usable_coefficients" => estimate.usable,
            "estimate" => rounded(estimate.share),
            "p_whole" => rounded(estimate.p_whole),
            "prefix_p_threshold" => settings.jsteg_p,
            "threshold" => threshold,
            "capacity_bits" => bits,
        })
        .carrying(bits / 8),
    );
}

/// Bits an F5 embedding without matrix encoding carried for a change rate `beta`: half the
/// coefficients visited already held their bit, and changes of a 1 to 0 (shrinkage) carry
/// nothing, so about 2 beta (non-zero AC - AC equal to +-1) over all components. Returns the
/// bits and the non-zero AC coefficients F5 could use.
fn f5_bits(coefficients: &Coefficients, beta: f64) -> (u64, u64) {
    let (mut non_zero, mut ones) = (0u64, 0u64);
    for component in &coefficients.components {
        for block in component.image_blocks() {
            for &value in block.iter().skip(1) {
                non_zero += u64::from(value != 0);
                ones += u64::from(value.unsigned_abs() == 1);
            }
        }
    }
    let bits = (2.0 * beta.max(0.0) * non_zero.saturating_sub(ones) as f64).round() as u64;
    (bits, non_zero)
}

fn f5_finding(
    coefficients: &Coefficients,
    luminance: &Component,
    estimate: &F5,
    textured: f64,
    settings: &ImageSettings,
    out: &mut Findings,
) {
    if estimate.lowest < settings.f5_rate {
        return;
    }
    let block = estimate.lowest >= settings.f5_block_rate;
    let (rule, threshold) = if block {
        (&LSB_EMBEDDING, settings.f5_block_rate)
    } else {
        (&LSB_SUSPECTED, settings.f5_rate)
    };
    let (bits, usable) = f5_bits(coefficients, estimate.beta);
    out.push(
        Finding::new(
            rule,
            format!(
                "F5-like embedding: the calibration estimate says {:.0}% of the {} non-zero AC \
                 coefficients were decremented, each of the three lowest modes at least {:.0}% \
                 (threshold {:.0}%), about {} bytes",
                estimate.beta * 100.0,
                usable,
                estimate.lowest * 100.0,
                threshold * 100.0,
                bits / 8
            ),
        )
        .at(component_place(0, luminance))
        .with_evidence(evidence! {
            "method" => "f5-calibration",
            "component" => 1,
            "usable_coefficients" => usable,
            "coefficients_examined" => estimate.blocks * 3,
            "blocks" => estimate.blocks,
            "calibrated_blocks" => estimate.calibrated_blocks,
            "estimate" => rounded(estimate.beta),
            "lowest_mode_estimate" => rounded(estimate.lowest),
            "per_mode" => estimate.per_mode.iter().map(|&b| rounded(b)).collect::<Vec<_>>(),
            "textured_share" => rounded(textured),
            "threshold" => threshold,
            "capacity_bits" => bits,
        })
        .carrying(bits / 8),
    );
}

/// Prefix steps of the chi-square attack: the coefficients are tested in 50 growing
/// prefixes, 2% apart, so a payload's length is resolved to 2% of the usable coefficients.
const PREFIX_STEPS: usize = 50;

/// Fewest coefficients in a prefix before its chi-square is believed: StegExpose steps its
/// cumulative chi-square by 1,024 samples (../shared/notes/steganalysis.md, section 2).
const MIN_PREFIX: usize = 1024;

/// The chi-square attack's estimate for one component.
#[derive(Clone, Debug, PartialEq)]
pub struct Jsteg {
    /// AC coefficients other than 0 and 1: those JSteg can use.
    pub usable: usize,
    /// Share of `usable`, from the start, that looks embedded.
    pub share: f64,
    /// Probability of embedding over the whole of `usable`.
    pub p_whole: f64,
}

/// The F5 calibration estimate for the luminance.
#[derive(Clone, Debug, PartialEq)]
pub struct F5 {
    /// Estimated share of non-zero AC coefficients changed, averaged over the three modes
    /// (the paper's estimate).
    pub beta: f64,
    /// The lowest of the three modes' estimates, on which the verdict rests: F5 changes
    /// every mode alike, while a cover the calibration fits badly (double compression,
    /// smooth gradients, small crops) usually lifts one or two modes only. On the 460 clean
    /// JPEGs of `testdata/calibrate_jpeg.py` the mean gave 25 estimates over 0.25, the
    /// lowest mode 9 (testdata/jpeg/calibration.txt).
    pub lowest: f64,
    /// Each mode's estimate, in the order (0,1), (1,0), (1,1).
    pub per_mode: Vec<f64>,
    /// Blocks of the image and of the cropped, recompressed image.
    pub blocks: usize,
    pub calibrated_blocks: usize,
}

/// The AC coefficients JSteg can use (not 0, not 1) of `component`, in the order a
/// sequential embedder meets them: blocks in scan order, zigzag order within a block.
/// `interleaved` says the component shares MCUs with others, so that its blocks are met
/// `h x v` at a time.
pub fn usable_ac(component: &Component, interleaved: bool) -> Vec<i16> {
    let mut values = Vec::new();
    for (column, row) in scan_order(component, interleaved) {
        let Some(block) = component.block(column, row) else {
            continue;
        };
        for &natural in &ZIGZAG[1..] {
            let value = block[natural];
            if value != 0 && value != 1 {
                values.push(value);
            }
        }
    }
    values
}

/// Block positions within the image in the order a scan codes them.
fn scan_order(component: &Component, interleaved: bool) -> Vec<(usize, usize)> {
    let (h, v) = if interleaved {
        (
            usize::from(component.sampling.0),
            usize::from(component.sampling.1),
        )
    } else {
        (1, 1)
    };
    let mut order = Vec::with_capacity(component.blocks_wide * component.blocks_high);
    for mcu_row in 0..component.rows / v {
        for mcu_column in 0..component.stride / h {
            for y in 0..v {
                for x in 0..h {
                    let (column, row) = (mcu_column * h + x, mcu_row * v + y);
                    if column < component.blocks_wide && row < component.blocks_high {
                        order.push((column, row));
                    }
                }
            }
        }
    }
    order
}

/// Westfeld and Pfitzmann's probability of embedding for a histogram of values: pairs
/// (2i, 2i+1), categories with an expected count over 4, p = 1 - F(chi2; categories - 1).
/// `None` when fewer than two categories qualify.
pub fn pair_p(histogram: &std::collections::BTreeMap<i16, u64>) -> Option<f64> {
    let (mut statistic, mut categories) = (0.0f64, 0u32);
    for (&value, &even) in histogram.range(..) {
        if value % 2 != 0 {
            continue;
        }
        let odd = histogram
            .get(&value.saturating_add(1))
            .copied()
            .unwrap_or(0);
        pair_term(even as f64, odd as f64, &mut statistic, &mut categories);
    }
    // Odd values whose even partner never occurs still form a category.
    for (&value, &odd) in histogram.range(..) {
        if value % 2 != 0 && !histogram.contains_key(&value.saturating_sub(1)) {
            pair_term(0.0, odd as f64, &mut statistic, &mut categories);
        }
    }
    if categories < 2 {
        return None;
    }
    let distribution = ChiSquared::new(f64::from(categories - 1)).ok()?;
    Some(1.0 - distribution.cdf(statistic))
}

fn pair_term(even: f64, odd: f64, statistic: &mut f64, categories: &mut u32) {
    let expected = (even + odd) / 2.0;
    if expected > 4.0 {
        *statistic += (even - expected).powi(2) / expected;
        *categories += 1;
    }
}

/// The chi-square attack on a sequence of usable coefficients in embedding order: the
/// longest prefix whose probability of embedding is at least `threshold`, provided the
/// first prefix tested reaches it too (a sequential payload starts at the start).
///
/// Under embedding each pair's term has an expected value near 1/2, so the statistic sits
/// near half its degrees of freedom and p is spread over roughly 0.4 to 1; the pairs of a
/// clean JPEG differ by far more than chance and give p near 0 (Westfeld and Pfitzmann,
/// figure 6). The threshold is therefore a probability, not a significance level.
pub fn jsteg(values: &[i16], threshold: f64) -> Option<Jsteg> {
    if values.len() < MIN_PREFIX {
        return None;
    }
    let mut histogram = std::collections::BTreeMap::new();
    let (mut counted, mut share, mut first, mut p_whole) = (0, 0.0, true, 0.0);
    for step in 1..=PREFIX_STEPS {
        let end = values.len() * step / PREFIX_STEPS;
        for &value in values.get(counted..end).unwrap_or_default() {
            *histogram.entry(value).or_insert(0u64) += 1;
        }
        counted = end;
        if end < MIN_PREFIX {
            continue;
        }
        let p = pair_p(&histogram).unwrap_or(0.0);
        if first && p < threshold {
            break;
        }
        first = false;
        if p >= threshold {
            share = step as f64 / PREFIX_STEPS as f64;
        }
        p_whole = p;
    }
    Some(Jsteg {
        usable: values.len(),
        share,
        p_whole,
    })
}

/// The orthonormal 8-point DCT-II basis: `BASIS[x][u] = c(u)/2 cos((2x+1)u pi/16)`.
fn basis() -> [[f64; 8]; 8] {
    let mut basis = [[0.0; 8]; 8];
    for (x, row) in basis.iter_mut().enumerate() {
        for (u, cell) in row.iter_mut().enumerate() {
            let scale = if u == 0 { 0.5f64.sqrt() } else { 1.0 };
            let angle = ((2 * x + 1) * u) as f64 * std::f64::consts::PI / 16.0;
            *cell = scale / 2.0 * angle.cos();
        }
    }
    basis
}

/// Decompresses a component to 8-bit samples (T.81 A.3.3 inverse DCT, level shift, rounding,
/// clamping); returns the samples and the plane's width and height in whole blocks.
pub fn decompress(component: &Component) -> (Vec<u8>, usize, usize) {
    let basis = basis();
    let (width, height) = (component.blocks_wide * 8, component.blocks_high * 8);
    let mut samples = vec![0u8; width * height];
    let quantisation = component.quantisation.map(f64::from);
    for row in 0..component.blocks_high {
        for column in 0..component.blocks_wide {
            let Some(block) = component.block(column, row) else {
                continue;
            };
            let mut dequantised = [0.0f64; 64];
            for (i, value) in dequantised.iter_mut().enumerate() {
                *value = f64::from(block[i]) * quantisation[i];
            }
            let spatial = transform(&dequantised, &basis, true);
            for (i, value) in spatial.iter().enumerate() {
                let (y, x) = (row * 8 + i / 8, column * 8 + i % 8);
                samples[y * width + x] = (value + 128.0).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    (samples, width, height)
}

/// The separable 2-D DCT of an 8x8 block: forward (samples to coefficients) or inverse.
fn transform(input: &[f64; 64], basis: &[[f64; 8]; 8], inverse: bool) -> [f64; 64] {
    let at = |i: usize, j: usize| {
        if inverse {
            basis[i][j]
        } else {
            basis[j][i]
        }
    };
    let mut half = [0.0f64; 64];
    for r in 0..8 {
        for c in 0..8 {
            half[r * 8 + c] = (0..8).map(|k| at(r, k) * input[k * 8 + c]).sum();
        }
    }
    let mut output = [0.0f64; 64];
    for r in 0..8 {
        for c in 0..8 {
            output[r * 8 + c] = (0..8).map(|k| half[r * 8 + k] * at(c, k)).sum();
        }
    }
    output
}

/// Histograms of |coefficient| in {0, 1, 2} for the modes (0,1), (1,0), (1,1).
type ModeHistograms = [[f64; 3]; 3];

const MODES: [usize; 3] = [1, 8, 9];

fn count(histograms: &mut ModeHistograms, block: &[i16]) {
    for (mode, &natural) in MODES.iter().enumerate() {
        let magnitude = block.get(natural).map_or(3, |v| v.unsigned_abs());
        if let Some(cell) = histograms[mode].get_mut(usize::from(magnitude)) {
            *cell += 1.0;
        }
    }
}

/// The paper's low-pass filter against blocking artefacts: weight 1 - 4e on the sample and
/// e on each of its four neighbours, e = 0.05.
const BLUR: f64 = 0.05;

/// The decompressed samples cropped by 4 rows and 4 columns, then blurred, edges
/// replicated; returns the cropped plane and its width.
fn crop_and_blur(samples: &[u8], width: usize, height: usize) -> (Vec<f64>, usize, usize) {
    let (wide, high) = (width.saturating_sub(4), height.saturating_sub(4));
    let at = |x: usize, y: usize| {
        let (x, y) = (
            x.min(wide.saturating_sub(1)) + 4,
            y.min(high.saturating_sub(1)) + 4,
        );
        f64::from(samples.get(y * width + x).copied().unwrap_or(0))
    };
    let mut cropped = Vec::with_capacity(wide * high);
    for y in 0..high {
        for x in 0..wide {
            let neighbours = at(x.saturating_sub(1), y)
                + at(x + 1, y)
                + at(x, y.saturating_sub(1))
                + at(x, y + 1);
            cropped.push((1.0 - 4.0 * BLUR) * at(x, y) + BLUR * neighbours);
        }
    }
    (cropped, wide, high)
}

/// The calibrated histograms: the decompressed samples cropped by 4 rows and 4 columns,
/// blurred, and compressed again, block by block, with the same quantisation table.
fn calibrated(
    samples: &[u8],
    width: usize,
    height: usize,
    table: &[u16; 64],
) -> (ModeHistograms, usize) {
    let basis = basis();
    let mut histograms = [[0.0; 3]; 3];
    let (cropped, cropped_width, cropped_height) = crop_and_blur(samples, width, height);
    let (wide, high) = (cropped_width / 8, cropped_height / 8);
    for row in 0..high {
        for column in 0..wide {
            let mut block = [0.0f64; 64];
            for (i, value) in block.iter_mut().enumerate() {
                let (y, x) = (row * 8 + i / 8, column * 8 + i % 8);
                *value = cropped.get(y * cropped_width + x).copied().unwrap_or(0.0) - 128.0;
            }
            let coefficients = transform(&block, &basis, false);
            let mut quantised = [0i16; 64];
            for &natural in &MODES {
                let step = f64::from(table[natural].max(1));
                quantised[natural] = (coefficients[natural] / step).round() as i16;
            }
            count(&mut histograms, &quantised);
        }
    }
    (histograms, wide * high)
}

/// Fridrich, Goljan and Hogea's least-squares beta for one mode, from the stego histogram
/// `h` and the calibrated one `c` (values 0, 1, 2), the latter scaled to the same number of
/// blocks: beta = [c1 (h0 - c0) + (h1 - c1)(c2 - c1)] / [c1^2 + (c2 - c1)^2].
pub fn mode_beta(h: [f64; 3], c: [f64; 3]) -> Option<f64> {
    let denominator = c[1] * c[1] + (c[2] - c[1]) * (c[2] - c[1]);
    (denominator > 0.0)
        .then(|| (c[1] * (h[0] - c[0]) + (h[1] - c[1]) * (c[2] - c[1])) / denominator)
}

/// The F5 calibration estimate on the luminance component.
pub fn f5(luminance: &Component) -> Option<F5> {
    let mut stego = [[0.0; 3]; 3];
    let mut blocks = 0usize;
    for block in luminance.image_blocks() {
        count(&mut stego, block);
        blocks += 1;
    }
    let (samples, width, height) = decompress(luminance);
    let (mut cover, calibrated_blocks) =
        calibrated(&samples, width, height, &luminance.quantisation);
    if calibrated_blocks == 0 {
        return None;
    }
    let scale = blocks as f64 / calibrated_blocks as f64;
    for histogram in cover.iter_mut() {
        for cell in histogram.iter_mut() {
            *cell *= scale;
        }
    }
    let per_mode: Vec<f64> = (0..3)
        .filter_map(|m| mode_beta(stego[m], cover[m]))
        .collect();
    if per_mode.is_empty() {
        return None;
    }
    let beta = per_mode.iter().sum::<f64>() / per_mode.len() as f64;
    let lowest = per_mode.iter().copied().fold(f64::INFINITY, f64::min);
    Some(F5 {
        beta,
        lowest,
        per_mode,
        blocks,
        calibrated_blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_is_zero_when_histograms_agree_and_recovers_a_simulated_change() {
        let cover = [1000.0, 400.0, 150.0];
        assert_eq!(mode_beta(cover, cover), Some(0.0));
        // F5's model with beta = 0.2: H0 = h0 + b h1, H1 = (1 - b) h1 + b h2.
        let stego = [1000.0 + 0.2 * 400.0, 0.8 * 400.0 + 0.2 * 150.0, 150.0];
        let beta = mode_beta(stego, cover).expect("defined");
        assert!((beta - 0.2).abs() < 0.02, "{beta}");
    }

    #[test]
    fn dct_round_trips() {
        let basis = basis();
        let mut block = [0.0f64; 64];
        for (i, value) in block.iter_mut().enumerate() {
            *value = ((i * 37) % 101) as f64 - 50.0;
        }
        let back = transform(&transform(&block, &basis, false), &basis, true);
        for (a, b) in block.iter().zip(back.iter()) {
            assert!((a - b).abs() < 1e-9);
        }
        // A flat block of 10 has DC 80 (orthonormal scaling, T.81 A.3.3) and no AC.
        let flat = transform(&[10.0; 64], &basis, false);
        assert!((flat[0] - 80.0).abs() < 1e-9 && flat[1].abs() < 1e-9);
    }
}

#[cfg(test)]
mod reference {
    //! Against testdata/jpeg/stego/reference.json, which the NumPy and SciPy code of
    //! testdata/generate_jpeg_stego.py computed on the same files.

    use super::*;
    use crate::rules::image::dct;
    use serde_json::Value;

    const STEGO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/jpeg/stego");

    #[test]
    fn estimates_match_the_python_reference() {
        let text = std::fs::read_to_string(format!("{STEGO}/reference.json")).expect("json");
        let reference: Value = serde_json::from_str(&text).expect("json");
        for (name, want) in reference.as_object().expect("object") {
            let content = std::fs::read(format!("{STEGO}/{name}")).expect("fixture");
            let coefficients = dct::read(&content, 1 << 24).expect("readable");
            let interleaved = coefficients.components.len() > 1;
            for (index, component) in coefficients.components.iter().enumerate() {
                let got = jsteg(&usable_ac(component, interleaved), 0.5);
                let expected = &want["jsteg"][index];
                match got {
                    None => assert!(expected.is_null(), "{name} {index}"),
                    Some(got) => {
                        assert_eq!(expected["usable"], got.usable, "{name} {index}");
                        assert_eq!(expected["share"], got.share, "{name} {index}");
                        let p = expected["p_whole"].as_f64().expect("p");
                        assert!((p - got.p_whole).abs() < 1e-6, "{name} {index}");
                    }
                }
            }
            let f5 = f5(&coefficients.components[0]).expect("estimate");
            let beta = want["f5"]["beta"].as_f64().expect("beta");
            // Floating-point DCTs differ in the last bits, which can move a rounding.
            assert!(
                (beta - f5.beta).abs() < 0.01,
                "{name}: {beta} vs {}",
                f5.beta
            );
        }
    }
}
