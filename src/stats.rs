//! Byte statistics gathered while a file is read: the byte histogram, Shannon entropy and a
//! chi-square test of uniform byte values, over the whole file and block by block.
//!
//! Ciphertext and good random data have byte values indistinguishable from uniform. Two
//! measures are used because each fails alone: entropy is biased low on short samples and
//! cannot tell 7.97 (deflate) from 7.99 (AES) reliably, while the chi-square statistic has a
//! known distribution under the uniform hypothesis and so gives a significance test.
//!
//! References: C. E. Shannon, "A Mathematical Theory of Communication" (1948); G. A. Miller,
//! "Note on the bias of information estimates" (1955) for the bias correction; K. Pearson's
//! chi-square goodness-of-fit test with 255 degrees of freedom for 256 byte values, as used by
//! NIST SP 800-22 and the `ent` tool.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Degrees of freedom of the uniformity test over 256 byte values.
const DEGREES_OF_FREEDOM: f64 = 255.0;

/// Fewest bytes a uniformity test is run on: five expected per byte value.
pub const MIN_TEST_BYTES: u64 = 1280;

/// Most random-looking regions remembered per file; the rest are counted, not located.
const MAX_REGIONS: usize = 1024;

/// A run of consecutive blocks whose bytes pass the uniformity test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub offset: u64,
    pub length: u64,
}

/// Statistics of every byte of a file, updated chunk by chunk as the file is read.
#[derive(Clone, Debug)]
pub struct ByteStats {
    histogram: [u64; 256],
    total: u64,
    block_bytes: usize,
    /// Chi-square value at or under which a block is called uniform.
    block_critical: f64,
    /// Counts of the block being read, in four interleaved tables; released by `finish`.
    block: Vec<[u32; 256]>,
    block_filled: usize,
    blocks: u64,
    random_blocks: u64,
    regions: Vec<Region>,
    regions_dropped: u64,
    /// Shannon entropy of the whole file, set by `finish`.
    entropy: f64,
}

impl ByteStats {
    /// Statistics with blocks of `block_bytes` judged uniform when their chi-square statistic
    /// is at most `block_critical` (see [`chi_square_critical`]; computed once per policy,
    /// since the inverse distribution function is far dearer than reading a small file).
    pub fn new(block_bytes: usize, block_critical: f64) -> ByteStats {
        ByteStats {
            histogram: [0; 256],
            total: 0,
            block_bytes: block_bytes.max(256),
            block_critical,
            block: vec![[0; 256]; 4],
            block_filled: 0,
            blocks: 0,
            random_blocks: 0,
            regions: Vec::new(),
            regions_dropped: 0,
            entropy: 0.0,
        }
    }

    /// Adds the next bytes of the file.
    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let room = self.block_bytes - self.block_filled;
            let (now, rest) = data.split_at(room.min(data.len()));
            count_into(&mut self.block, now);
            self.block_filled += now.len();
            if self.block_filled == self.block_bytes {
                self.close_block();
            }
            data = rest;
        }
    }

    /// Folds the last, partial block in and computes the whole-file measures. Call once,
    /// after the last `update`.
    pub fn finish(&mut self) {
        if self.block_filled > 0 {
            self.close_block();
        }
        self.block = Vec::new();
        self.entropy = entropy(&self.histogram, self.total);
    }

    fn close_block(&mut self) {
        // One pass folds the four tables into the file's histogram and sums the squared
        // counts, from which Pearson's statistic follows without a division per value:
        // sum (c - e)^2 / e = (256 / n) * sum c^2 - n, with e = n / 256.
        let mut squares = 0u64;
        if let [first, second, third, fourth] = self.block.as_mut_slice() {
            for value in 0..256 {
                let count = u64::from(first[value])
                    + u64::from(second[value])
                    + u64::from(third[value])
                    + u64::from(fourth[value]);
                self.histogram[value] += count;
                squares += count * count;
            }
            for table in [first, second, third, fourth] {
                table.fill(0);
            }
        }
        let length = self.block_filled as u64;
        let offset = self.total;
        self.total += length;
        self.block_filled = 0;

        // A short final block is too small for the test to mean anything: the chi-square
        // approximation wants about five expected per byte value.
        if length < MIN_TEST_BYTES {
            return;
        }
        self.blocks += 1;
        let statistic = 256.0 * squares as f64 / length as f64 - length as f64;
        if statistic <= self.block_critical {
            self.random_blocks += 1;
            self.extend_regions(offset, length);
        }
    }

    fn extend_regions(&mut self, offset: u64, length: u64) {
        if let Some(last) = self.regions.last_mut() {
            if last.offset + last.length == offset {
                last.length += length;
                return;
            }
        }
        if self.regions.len() < MAX_REGIONS {
            self.regions.push(Region { offset, length });
        } else {
            self.regions_dropped += 1;
        }
    }

    /// Bytes counted so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Shannon entropy of the byte distribution, in bits per byte (0 to 8).
    pub fn entropy(&self) -> f64 {
        self.entropy
    }

    /// Entropy with the Miller-Madow correction for small-sample bias, (m - 1) / (2 n ln 2)
    /// bits where m is the number of byte values seen. Without it a random 2 KiB file measures
    /// only about 7.91 bits per byte.
    pub fn corrected_entropy(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let seen = self.histogram.iter().filter(|&&c| c > 0).count() as f64;
        let correction = (seen - 1.0) / (2.0 * self.total as f64 * std::f64::consts::LN_2);
        (self.entropy() + correction).min(8.0)
    }

    /// Pearson's chi-square statistic for uniform byte values, and its p-value.
    pub fn chi_square(&self) -> (f64, f64) {
        let statistic = chi_square_statistic(&self.histogram, self.total);
        (statistic, chi_square_p_value(statistic))
    }

    /// Blocks tested, and how many of them passed the uniformity test.
    pub fn blocks(&self) -> (u64, u64) {
        (self.blocks, self.random_blocks)
    }

    /// Random-looking regions, largest first, and how many more were not recorded.
    pub fn regions(&self) -> (Vec<Region>, u64) {
        let mut regions = self.regions.clone();
        regions.sort_by(|a, b| b.length.cmp(&a.length).then(a.offset.cmp(&b.offset)));
        (regions, self.regions_dropped)
    }
}

/// Counts bytes into four tables in turn, so that runs of one byte value do not stall on a
/// single counter; the tables are summed when the block closes.
fn count_into(tables: &mut [[u32; 256]], data: &[u8]) {
    let [first, second, third, fourth] = tables else {
        return;
    };
    let mut quads = data.chunks_exact(4);
    for quad in &mut quads {
        first[quad[0] as usize] += 1;
        second[quad[1] as usize] += 1;
        third[quad[2] as usize] += 1;
        fourth[quad[3] as usize] += 1;
    }
    for &byte in quads.remainder() {
        first[byte as usize] += 1;
    }
}

/// Shannon entropy in bits per byte of a histogram of `total` bytes.
pub fn entropy(histogram: &[u64; 256], total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let n = total as f64;
    histogram
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let p = count as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Shannon entropy in bits per byte of bytes already in memory (a segment, a tail).
pub fn entropy_of(data: &[u8]) -> f64 {
    let mut histogram = [0u64; 256];
    for &byte in data {
        histogram[byte as usize] += 1;
    }
    entropy(&histogram, data.len() as u64)
}

/// Pearson's statistic against 256 equally likely byte values: sum of (O - E)^2 / E.
pub fn chi_square_statistic(histogram: &[u64; 256], total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let expected = total as f64 / 256.0;
    histogram
        .iter()
        .map(|&observed| {
            let difference = observed as f64 - expected;
            difference * difference / expected
        })
        .sum()
}

/// Probability of a statistic at least this large if the bytes were uniform.
pub fn chi_square_p_value(statistic: f64) -> f64 {
    match ChiSquared::new(DEGREES_OF_FREEDOM) {
        Ok(distribution) => distribution.sf(statistic),
        Err(_) => 0.0,
    }
}

/// The statistic above which uniformity is rejected at significance `alpha`.
pub fn chi_square_critical(alpha: f64) -> f64 {
    match ChiSquared::new(DEGREES_OF_FREEDOM) {
        Ok(distribution) => distribution.inverse_cdf(1.0 - alpha),
        Err(_) => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats_of(data: &[u8], block: usize) -> ByteStats {
        let mut stats = ByteStats::new(block, chi_square_critical(0.001));
        for chunk in data.chunks(1000) {
            stats.update(chunk);
        }
        stats.finish();
        stats
    }

    /// A deterministic stream with uniform bytes: xorshift64*, high byte of each output.
    fn pseudo_random(n: usize) -> Vec<u8> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        (0..n)
            .map(|_| {
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn entropy_by_hand() {
        // Two values, equally often: exactly 1 bit. Four values: 2 bits. One value: 0.
        assert_eq!(stats_of(b"abababab", 4096).entropy(), 1.0);
        assert_eq!(stats_of(b"abcdabcdabcd", 4096).entropy(), 2.0);
        assert_eq!(stats_of(b"aaaa", 4096).entropy(), 0.0);
        // Every byte value once: 8 bits.
        let all: Vec<u8> = (0..=255).collect();
        assert!((stats_of(&all, 4096).entropy() - 8.0).abs() < 1e-12);
    }

    #[test]
    fn chi_square_by_hand() {
        // 512 bytes, all 'a': observed 512 in one cell, expected 2 in each.
        // (512 - 2)^2 / 2 + 255 * (0 - 2)^2 / 2 = 130050 + 510 = 130560.
        let stats = stats_of(&[b'a'; 512], 4096);
        assert!((stats.chi_square().0 - 130_560.0).abs() < 1e-9);
        // Every value exactly twice: a perfect fit, statistic 0 and p-value 1.
        let even: Vec<u8> = (0..512).map(|i| (i % 256) as u8).collect();
        let (statistic, p) = stats_of(&even, 4096).chi_square();
        assert_eq!(statistic, 0.0);
        assert!((p - 1.0).abs() < 1e-12);
    }

    #[test]
    fn critical_value_matches_tables() {
        // Chi-square with 255 df: the 0.999 quantile is 330.5197 (scipy.stats.chi2.ppf),
        // the 0.95 quantile 293.2478.
        assert!((chi_square_critical(0.001) - 330.5197).abs() < 1e-3);
        assert!((chi_square_critical(0.05) - 293.2478).abs() < 1e-3);
        // The median of chi-square(255) is 254.3336 (scipy.stats.chi2.ppf(0.5, 255)).
        assert!((chi_square_p_value(254.3336) - 0.5).abs() < 1e-3);
    }

    #[test]
    fn miller_madow_lifts_short_random_samples() {
        let stats = stats_of(&pseudo_random(2048), 4096);
        assert!(stats.entropy() < 7.93, "raw {}", stats.entropy());
        assert!(
            stats.corrected_entropy() > 7.95,
            "corrected {}",
            stats.corrected_entropy()
        );
    }

    #[test]
    fn random_regions_are_located_in_text() {
        let mut data = b"plain words and numbers 1 2 3\n".repeat(400);
        let text_len = data.len() as u64;
        data.extend(pseudo_random(64 * 1024));
        data.extend(b"more text\n".repeat(1000));
        let stats = stats_of(&data, 4096);
        let (regions, dropped) = stats.regions();
        assert_eq!(dropped, 0);
        assert_eq!(regions.len(), 1, "{regions:?}");
        let region = regions[0];
        // Blocks straddling the edges mix text and noise and fail the test, so the region
        // starts at the first whole block inside the noise and ends before the last.
        assert!(region.offset >= text_len && region.offset < text_len + 4096);
        assert!(region.length >= 60 * 1024 - 4096, "{region:?}");
    }

    #[test]
    fn block_statistic_from_squares_matches_pearsons_form() {
        // The shortcut (256 / n) * sum c^2 - n against the direct sum of (O - E)^2 / E.
        let data = pseudo_random(4096);
        let mut histogram = [0u64; 256];
        for &byte in &data {
            histogram[byte as usize] += 1;
        }
        let direct = chi_square_statistic(&histogram, 4096);
        let squares: u64 = histogram.iter().map(|c| c * c).sum();
        let shortcut = 256.0 * squares as f64 / 4096.0 - 4096.0;
        assert!((direct - shortcut).abs() < 1e-6, "{direct} vs {shortcut}");
        // And a block is judged random exactly when the direct statistic says so.
        let stats = stats_of(&data, 4096);
        assert_eq!(
            stats.blocks().1,
            u64::from(direct <= chi_square_critical(0.001))
        );
    }

    #[test]
    fn block_split_does_not_change_totals() {
        let data = pseudo_random(10_000);
        let a = stats_of(&data, 4096);
        let b = stats_of(&data, 1280);
        assert_eq!(a.total(), 10_000);
        assert_eq!(a.entropy(), b.entropy());
    }
}
