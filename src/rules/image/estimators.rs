//! Structural estimators of LSB replacement, per colour channel.
//!
//! Each takes one channel as a row-major plane and returns an estimated embedding rate p (the
//! share of samples whose LSB carries payload). They all model LSB *replacement*, so they are
//! blind to LSB matching except where clipping makes it behave like replacement.
//!
//! - Sample Pairs Analysis: S. Dumitrescu, X. Wu, Z. Wang, "Detection of LSB steganography
//!   via sample pair analysis", IEEE Trans. Signal Processing 51(7), 2003.
//! - RS analysis: J. Fridrich, M. Goljan, R. Du, "Reliable detection of LSB steganography in
//!   color and grayscale images", ACM Multimedia and Security Workshop, 2001.
//! - Weighted Stego: J. Fridrich, M. Goljan, "On estimation of secret message length in LSB
//!   steganography in spatial domain", SPIE 5306, 2004, with the predictor, weights and bias
//!   correction of A. D. Ker, R. Böhme, "Revisiting weighted stego-image steganalysis",
//!   SPIE 6819, 2008.
//! - Chi-square attack: A. Westfeld, A. Pfitzmann, "Attacks on steganographic systems",
//!   Information Hiding 1999, LNCS 1768.
//!
//! `testdata/estimators_reference.py` reimplements each in NumPy; the tests below compare
//! with its outputs on fixed planes.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// One channel of an image: `width * height` samples, row by row.
#[derive(Clone, Copy, Debug)]
pub struct Plane<'a> {
    pub samples: &'a [u8],
    pub width: usize,
    pub height: usize,
}

impl Plane<'_> {
    fn at(&self, x: usize, y: usize) -> i32 {
        self.samples[y * self.width + x] as i32
    }

    fn valid(&self) -> bool {
        self.width.checked_mul(self.height) == Some(self.samples.len())
    }
}

/// The smaller real root of a x^2 + b x + c = 0 (the linear root when a is zero).
fn smaller_root(a: f64, b: f64, c: f64) -> Option<f64> {
    if a.abs() < 1e-12 {
        return (b.abs() > 1e-12).then(|| -c / b);
    }
    let d = b * b - 4.0 * a * c;
    if d < 0.0 {
        return None;
    }
    let (r1, r2) = ((-b - d.sqrt()) / (2.0 * a), (-b + d.sqrt()) / (2.0 * a));
    Some(r1.min(r2))
}

/// Sample Pairs Analysis over horizontally and vertically adjacent pairs (u, v).
///
/// X: v even and u < v, or v odd and u > v; Y: v even and u > v, or v odd and u < v;
/// gamma: pairs with u >> 1 == v >> 1; P: all pairs. The estimate is the smaller root of
/// (gamma / 2) p^2 + (2X - P) p + (Y - X) = 0 (DWW 2003, equation 7 with the |W| + |Z| = gamma
/// of their trace sets).
pub fn spa(plane: Plane) -> Option<f64> {
    if !plane.valid() || plane.width < 2 || plane.height < 2 {
        return None;
    }
    let (mut x, mut y, mut gamma, mut pairs) = (0u64, 0u64, 0u64, 0u64);
    let mut pair = |u: i32, v: i32| {
        pairs += 1;
        if u >> 1 == v >> 1 {
            gamma += 1;
        }
        let even = v & 1 == 0;
        if (even && u < v) || (!even && u > v) {
            x += 1;
        } else if (even && u > v) || (!even && u < v) {
            y += 1;
        }
    };
    for row in 0..plane.height {
        for col in 0..plane.width {
            let v = plane.at(col, row);
            if col + 1 < plane.width {
                pair(v, plane.at(col + 1, row));
            }
            if row + 1 < plane.height {
                pair(v, plane.at(col, row + 1));
            }
        }
    }
    let (x, y, gamma, pairs) = (x as f64, y as f64, gamma as f64, pairs as f64);
    smaller_root(gamma / 2.0, 2.0 * x - pairs, y - x)
}

/// The counts of RS analysis for one flipping mask: (R, S) as shares of the groups.
fn regular_singular(plane: Plane, negative: bool, flip_all: bool) -> (f64, f64) {
    // Mask 0110 over non-overlapping groups of 4 horizontally adjacent pixels.
    const MASK: [bool; 4] = [false, true, true, false];
    let flip = |v: i32| if negative { ((v + 1) ^ 1) - 1 } else { v ^ 1 };
    let (mut regular, mut singular, mut groups) = (0u64, 0u64, 0u64);
    for row in 0..plane.height {
        for start in (0..plane.width.saturating_sub(3)).step_by(4) {
            let mut g = [0i32; 4];
            for (i, value) in g.iter_mut().enumerate() {
                let v = plane.at(start + i, row);
                *value = if flip_all { v ^ 1 } else { v };
            }
            let smoothness = |g: &[i32; 4]| g.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<i32>();
            let before = smoothness(&g);
            let mut flipped = g;
            for (value, &m) in flipped.iter_mut().zip(&MASK) {
                if m {
                    *value = flip(*value);
                }
            }
            let after = smoothness(&flipped);
            groups += 1;
            if after > before {
                regular += 1;
            } else if after < before {
                singular += 1;
            }
        }
    }
    let n = groups.max(1) as f64;
    (regular as f64 / n, singular as f64 / n)
}

/// RS analysis with groups of 4 and mask 0110. With d0 = R_M - S_M and d-0 = R_-M - S_-M on
/// the image, d1 and d-1 on the image with every LSB flipped, z is the root of smaller
/// magnitude of 2(d1 + d0) z^2 + (d-0 - d-1 - d1 - 3 d0) z + d0 - d-0 = 0, and p = z / (z - 1/2)
/// (Fridrich, Goljan and Du 2001, section 3).
pub fn rs(plane: Plane) -> Option<f64> {
    if !plane.valid() || plane.width < 4 || plane.height < 1 {
        return None;
    }
    let d = |negative: bool, flip_all: bool| {
        let (r, s) = regular_singular(plane, negative, flip_all);
        r - s
    };
    let (d0, dn0, d1, dn1) = (
        d(false, false),
        d(true, false),
        d(false, true),
        d(true, true),
    );
    let (a, b, c) = (2.0 * (d1 + d0), dn0 - dn1 - d1 - 3.0 * d0, d0 - dn0);
    let z = if a.abs() < 1e-12 {
        (b.abs() > 1e-12).then(|| -c / b)?
    } else {
        let disc = b * b - 4.0 * a * c;
        if disc < 0.0 {
            return None;
        }
        let (r1, r2) = (
            (-b - disc.sqrt()) / (2.0 * a),
            (-b + disc.sqrt()) / (2.0 * a),
        );
        if r1.abs() < r2.abs() {
            r1
        } else {
            r2
        }
    };
    let denominator = z - 0.5;
    (denominator.abs() > 1e-12).then(|| z / denominator)
}

/// Weighted Stego: p = 2 sum_i w_i (s_i - s̄_i)(s_i - F(s)_i), over interior pixels, with
/// Ker and Böhme's predictor F = [[-1, 2, -1], [2, 0, 2], [-1, 2, -1]] / 4, weights
/// proportional to 1 / (5 + sigma_i^2) where sigma_i^2 is the variance of the 8 neighbours,
/// and their first-order bias correction p (1 + sum_i w_i (s_i - s̄_i) F(s - s̄)_i), which
/// removes the part of the prediction error due to embedding changes in the neighbours.
///
/// Limitation: Ker and Böhme's special treatment of saturated pixels (0 and 255) is not
/// implemented; on plots with saturated backgrounds WS tends to overestimate.
pub fn ws(plane: Plane) -> Option<f64> {
    if !plane.valid() || plane.width < 3 || plane.height < 3 {
        return None;
    }
    const KERNEL: [[f64; 3]; 3] = [[-1.0, 2.0, -1.0], [2.0, 0.0, 2.0], [-1.0, 2.0, -1.0]];
    // s - s̄ is +1 for an odd sample and -1 for an even one.
    let sign = |v: i32| if v & 1 == 1 { 1.0 } else { -1.0 };
    let (mut total_weight, mut estimate, mut bias) = (0.0f64, 0.0f64, 0.0f64);
    for row in 1..plane.height - 1 {
        for col in 1..plane.width - 1 {
            let (mut predicted, mut predicted_sign, mut sum, mut sum_sq) = (0.0, 0.0, 0.0, 0.0);
            for (dy, kernel_row) in KERNEL.iter().enumerate() {
                for (dx, &k) in kernel_row.iter().enumerate() {
                    if dy == 1 && dx == 1 {
                        continue;
                    }
                    let v = plane.at(col + dx - 1, row + dy - 1);
                    predicted += k * v as f64;
                    predicted_sign += k * sign(v);
                    sum += v as f64;
                    sum_sq += (v * v) as f64;
                }
            }
            let (predicted, predicted_sign) = (predicted / 4.0, predicted_sign / 4.0);
            let mean = sum / 8.0;
            let variance = (sum_sq / 8.0 - mean * mean).max(0.0);
            let weight = 1.0 / (5.0 + variance);
            let s = plane.at(col, row);
            total_weight += weight;
            estimate += weight * sign(s) * (s as f64 - predicted);
            bias += weight * sign(s) * predicted_sign;
        }
    }
    if total_weight <= 0.0 {
        return None;
    }
    let raw = 2.0 * estimate / total_weight;
    Some(raw * (1.0 + bias / total_weight))
}

/// The chi-square attack on the pairs of values (2k, 2k+1) of the first `n` samples: the
/// probability of embedding, 1 - F(chi^2; k - 1), over pairs with an expected count above 4.
pub fn chi_square_p(samples: &[u8]) -> Option<f64> {
    let mut histogram = [0u64; 256];
    for &s in samples {
        histogram[s as usize] += 1;
    }
    let (mut statistic, mut categories) = (0.0f64, 0u32);
    for k in 0..128 {
        let (even, odd) = (histogram[2 * k] as f64, histogram[2 * k + 1] as f64);
        let expected = (even + odd) / 2.0;
        if expected > 4.0 {
            statistic += (even - expected).powi(2) / expected;
            categories += 1;
        }
    }
    if categories < 2 {
        return None;
    }
    let distribution = ChiSquared::new((categories - 1) as f64).ok()?;
    Some(1.0 - distribution.cdf(statistic))
}

/// The share of the plane, in steps of 1/20 from the start, over which every prefix gives a
/// chi-square probability of embedding of at least 1 - alpha: the length of a sequential
/// payload (Westfeld and Pfitzmann 1999, section 4.2).
pub fn chi_square_sequential(plane: Plane, alpha: f64) -> Option<f64> {
    if !plane.valid() || plane.samples.is_empty() {
        return None;
    }
    const STEPS: usize = 20;
    let mut covered = 0.0;
    for step in 1..=STEPS {
        let n = plane.samples.len() * step / STEPS;
        match chi_square_p(&plane.samples[..n]) {
            Some(p) if p >= 1.0 - alpha => covered = step as f64 / STEPS as f64,
            Some(_) => break,
            None if step == 1 => return None,
            None => break,
        }
    }
    Some(covered)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed 16x16 plane of testdata/estimators_reference.py: a smooth ramp with noise
    /// from a linear congruential generator, then LSBs replaced in every third sample.
    fn reference_plane(embed: bool) -> Vec<u8> {
        let mut state: u32 = 12345;
        let mut next = || {
            state = state.wrapping_mul(1103515245).wrapping_add(12345) & 0x7fff_ffff;
            state >> 16
        };
        let mut samples = Vec::with_capacity(256);
        for y in 0..16u32 {
            for x in 0..16u32 {
                let noise = next() % 7;
                samples.push((60 + 4 * x + 3 * y + noise) as u8);
            }
        }
        if embed {
            for (i, s) in samples.iter_mut().enumerate() {
                let bit = (next() & 1) as u8;
                if i % 3 == 0 {
                    *s = (*s & !1) | bit;
                }
            }
        }
        samples
    }

    fn plane(samples: &[u8]) -> Plane<'_> {
        Plane {
            samples,
            width: 16,
            height: 16,
        }
    }

    #[test]
    fn spa_solves_a_hand_worked_plane() {
        // 2x2 plane [[10, 11], [10, 10]]. Pairs: (10, 11) v odd, u < v: Y; (10, 10) twice:
        // neither; (11, 10) v even, u > v: Y. All four have u >> 1 == v >> 1. X = 0, Y = 2,
        // gamma = 4, P = 4: 2p^2 - 4p + 2 = 0, so p = 1.
        let samples = [10, 11, 10, 10];
        let estimate = spa(Plane {
            samples: &samples,
            width: 2,
            height: 2,
        });
        assert!((estimate.expect("estimate") - 1.0).abs() < 1e-9);
    }

    #[test]
    fn estimators_match_the_python_reference() {
        // Outputs of `python3 testdata/estimators_reference.py`.
        let expected = include_str!("../../../testdata/estimators_reference.txt");
        for line in expected.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let samples = reference_plane(fields[0] == "embedded");
            let value: f64 = fields[2].parse().expect("number");
            let ours = match fields[1] {
                "spa" => spa(plane(&samples)),
                "rs" => rs(plane(&samples)),
                "ws" => ws(plane(&samples)),
                "chi_square_p" => chi_square_p(&samples),
                other => panic!("unknown estimator {other}"),
            }
            .expect("estimate");
            assert!((ours - value).abs() < 1e-9, "{line}: ours {ours}");
        }
    }

    #[test]
    fn degenerate_planes_give_no_estimate_rather_than_panic() {
        let flat = [7u8; 9];
        let tiny = Plane {
            samples: &flat,
            width: 3,
            height: 3,
        };
        assert!(rs(Plane {
            width: 1,
            height: 9,
            ..tiny
        })
        .is_none());
        assert!(chi_square_p(&[]).is_none());
        assert!(spa(Plane { width: 4, ..tiny }).is_none());
        let _ = (spa(tiny), ws(tiny), rs(tiny));
    }
}
