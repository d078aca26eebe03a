//! Digits as a channel: excess significant digits (T009) and covert digits (T010).
//!
//! Every digit printed beyond the precision a statistic merits can carry log2(10) = 3.32
//! bits. Genuine full-precision floats print up to 17 significant digits whose tail is as
//! random as any payload, so randomness alone proves nothing below that; digits past the
//! 17th cannot come from a float64 at all, and if they look uniformly random they are a
//! covert channel.

use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::layout::Table;
use super::value::{self, Value};
use super::{round, Emit, COVERT_DIGITS, EXCESS_DIGITS};
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::policy::TableSettings;

/// Significant digits that round-trip any float64 (IEEE 754-2008, 5.12.2).
pub const FLOAT64_DIGITS: usize = 17;

/// Bits one decimal digit can carry.
const BITS_PER_DIGIT: f64 = std::f64::consts::LOG2_10;

/// Capacity in bytes of `digits` decimal digits.
pub fn capacity_bytes(digits: u64) -> u64 {
    (digits as f64 * BITS_PER_DIGIT / 8.0).ceil() as u64
}

/// Pearson's chi-square statistic of digit counts against uniform, and its p-value with 9
/// degrees of freedom.
pub fn uniformity(counts: &[u64; 10]) -> (f64, f64) {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return (0.0, 0.0);
    }
    let expected = total as f64 / 10.0;
    let statistic: f64 = counts
        .iter()
        .map(|&o| (o as f64 - expected).powi(2) / expected)
        .sum();
    let p = ChiSquared::new(9.0).map_or(0.0, |d| 1.0 - d.cdf(statistic));
    (statistic, p)
}

/// Runs both digit rules on every numeric cell of the table body.
pub fn check(table: &Table, settings: &TableSettings, emit: &mut Emit) {
    let allowed = settings.significant_digits as usize;
    let mut beyond_float = [0u64; 10];
    let mut excess_total = 0u64;
    let mut per_column: Vec<(usize, u64, u64, usize)> = Vec::new(); // column, cells, digits, max
    for c in 0..table.columns.len() {
        let (mut cells, mut digits, mut widest) = (0u64, 0u64, 0usize);
        for row in table.body.clone() {
            let text = table.grid.cell(row, c);
            let numeric = match table.columns[c].stat {
                Some(_) => matches!(table.value(row, c), Value::Number(_)),
                None => matches!(value::parse(text, table.grid.style), Value::Number(_)),
            };
            if !numeric || text.len() <= allowed.min(FLOAT64_DIGITS) {
                continue; // too short to hold that many digits
            }
            let significant = value::significant_digits(text);
            if significant.len() > FLOAT64_DIGITS {
                for &d in &significant[FLOAT64_DIGITS..] {
                    beyond_float[d as usize] += 1;
                }
            }
            if significant.len() > allowed {
                cells += 1;
                digits += (significant.len() - allowed) as u64;
                widest = widest.max(significant.len());
            }
        }
        if cells > 0 {
            excess_total += digits;
            per_column.push((c, cells, digits, widest));
        }
    }

    let sample: u64 = beyond_float.iter().sum();
    if sample >= settings.digits_min_sample as u64 {
        let (statistic, p) = uniformity(&beyond_float);
        if p >= settings.digits_alpha {
            let capacity = capacity_bytes(excess_total.max(sample));
            emit.push(
                Finding::new(
                    &COVERT_DIGITS,
                    format!(
                        "{sample} digits past the 17th significant digit, which no float64 \
                         can produce, look uniformly random (chi-square {statistic:.1}, p = \
                         {p:.3}, 9 degrees of freedom): a covert channel of about {capacity} \
                         bytes"
                    ),
                )
                .at(Location {
                    line: Some(table.grid.line(table.body.start)),
                    chunk: table.grid.sheet.clone(),
                    ..Location::default()
                })
                .with_evidence(evidence! {
                    "digits_beyond_float64" => sample,
                    "digit_counts" => beyond_float.to_vec(),
                    "chi_square" => round(statistic, 3),
                    "p_value" => round(p, 6),
                    "alpha" => settings.digits_alpha,
                    "excess_digits" => excess_total,
                })
                .carrying(capacity),
            );
            return; // the channel's capacity covers the excess digits
        }
    }
    for (c, cells, digits, widest) in per_column {
        let capacity = capacity_bytes(digits);
        let label = &table.columns[c].label;
        let mut message = format!(
            "column {label:?}: {cells} cells print more than {allowed} significant digits (up \
             to {widest}); the {digits} excess digits could carry {capacity} bytes"
        );
        if widest > FLOAT64_DIGITS {
            message.push_str("; digits past the 17th cannot come from a float64");
        }
        emit.push(
            Finding::new(&EXCESS_DIGITS, message)
                .at(table.column_location(c))
                .with_evidence(evidence! {
                    "cells" => cells,
                    "excess_digits" => digits,
                    "significant_digits_allowed" => allowed,
                    "widest" => widest,
                })
                .carrying(capacity),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_of_digits() {
        // 100 digits x 3.3219 bits = 332.19 bits = 41.5 bytes, rounded up.
        assert_eq!(capacity_bytes(100), 42);
        assert_eq!(capacity_bytes(0), 0);
    }

    #[test]
    fn chi_square_by_hand() {
        // Perfectly uniform: statistic 0, p = 1.
        let (s, p) = uniformity(&[10; 10]);
        assert_eq!(s, 0.0);
        assert!((p - 1.0).abs() < 1e-12);
        // All 100 digits are 0: (100-10)^2/10 + 9 x (0-10)^2/10 = 810 + 90 = 900.
        let mut counts = [0u64; 10];
        counts[0] = 100;
        let (s, p) = uniformity(&counts);
        assert!((s - 900.0).abs() < 1e-9);
        assert!(p < 1e-12);
        // 9 degrees of freedom: the 0.05 critical value is 16.919.
        let (s, p) = uniformity(&[15, 5, 10, 10, 10, 10, 10, 10, 10, 10]);
        assert!((s - 5.0).abs() < 1e-9); // (25 + 25) / 10
        assert!(p > 0.8 && p < 0.85, "{p}"); // P(chi2_9 > 5) = 0.834
    }
}
