//! Rules on counts and the statistics computed from them: small cells (T001), statistics
//! from too few units (T002), magnitude tables with no counts (T003), class disclosure
//! (T005) and rounding (T008).

use super::layout::{AtCell, Stat, Table};
use super::value::{self, Value};
use super::{show, Emit, CLASS_DISCLOSURE, ROUNDING, SMALL_CELL, STATISTIC_FROM_TOO_FEW};
use super::{suppression, UNVERIFIABLE_CELL_SIZE};
use crate::evidence;
use crate::finding::Finding;
use crate::policy::TableSettings;

/// Runs the count rules on a table.
pub fn check(table: &Table, settings: &TableSettings, emit: &mut Emit) {
    small_cells(table, settings, emit);
    statistics(table, settings, emit);
    class_disclosure(table, emit);
    if settings.rounding_base > 0 {
        rounding(table, settings.rounding_base, emit);
    }
}

/// True when a count is a small cell under the policy.
pub fn is_small(count: f64, settings: &TableSettings) -> bool {
    count >= 0.0
        && count < settings.threshold as f64
        && (count > 0.0 || settings.zeros_are_disclosive)
}

fn small_cells(table: &Table, settings: &TableSettings, emit: &mut Emit) {
    let threshold = settings.threshold;
    for (c, column) in table.columns.iter().enumerate() {
        match column.stat {
            Some(stat) if stat.is_count() => {
                for row in table.body.clone() {
                    let Some(count) = table.number(row, c) else {
                        continue;
                    };
                    if count.fract() != 0.0 || !is_small(count, settings) {
                        continue;
                    }
                    let location = table.cell_location(row, c);
                    let message = if count == 0.0 {
                        format!(
                            "cell ({}, {}) counts 0: a zero says no one in the group has \
                             the attribute (zeros are disclosive under this policy)",
                            location.row.as_deref().unwrap_or(""),
                            column.label
                        )
                    } else {
                        format!(
                            "cell ({}, {}) counts {}, under the threshold of {threshold}",
                            location.row.as_deref().unwrap_or(""),
                            column.label,
                            show(count)
                        )
                    };
                    emit.push(
                        Finding::new(&SMALL_CELL, message)
                            .at_cell(table, row, c)
                            .with_evidence(evidence! {
                                "value" => count as u64,
                                "threshold" => threshold,
                                "statistic" => stat.as_str(),
                            }),
                    );
                }
            }
            Some(Stat::Percent) => recovered_counts(table, c, settings, emit),
            _ => {}
        }
    }
}

/// Where the N of a percentage column is printed.
enum Denominator {
    /// A column, one N per row.
    Column(usize),
    /// One N for the whole column, and where it was read.
    Printed(f64, String),
}

/// Counts behind percentages: count = % x N / 100 where N is a denominator column (`N`,
/// `denominator`), a Total column of the same row, or one N printed above the table or in
/// the column's header, accepted when the result is a whole number to the precision the
/// percentage is printed with.
fn recovered_counts(table: &Table, column: usize, settings: &TableSettings, emit: &mut Emit) {
    let denominator = match denominator_column(table, column) {
        Some(n_column) => Denominator::Column(n_column),
        None => match printed_denominator(table, column) {
            Some((n, source)) => Denominator::Printed(n, source),
            None => return,
        },
    };
    let style = table.grid.style;
    let proportion = is_proportion(table, column);
    for row in table.body.clone() {
        let n = match &denominator {
            Denominator::Column(n_column) => table.number(row, *n_column),
            Denominator::Printed(n, _) => Some(*n),
        };
        let (Some(share), Some(n)) = (table.number(row, column), n) else {
            continue;
        };
        if n <= 0.0 || n.fract() != 0.0 || !(0.0..=100.0).contains(&share) {
            continue;
        }
        let scale = if proportion { 1.0 } else { 100.0 };
        let exact = share * n / scale;
        let decimals = value::decimals(table.grid.cell(row, column), style);
        // Half a unit in the last printed place, carried through the product.
        let tolerance = 0.5 * 10f64.powi(-(decimals as i32)) * n / scale + 1e-9;
        let count = exact.round();
        if (exact - count).abs() > tolerance.min(0.5) || !is_small(count, settings) {
            continue;
        }
        // Limitation: with a wide tolerance several counts fit; the nearest is reported.
        let location = table.cell_location(row, column);
        emit.push(
            Finding::new(
                &SMALL_CELL,
                format!(
                    "cell ({}, {}) is {}{} of {} = a count of {}, under the threshold of {}",
                    location.row.as_deref().unwrap_or(""),
                    table.columns[column].label,
                    table.grid.cell(row, column).trim_end_matches('%'),
                    if proportion { "" } else { "%" },
                    show(n),
                    show(count),
                    settings.threshold
                ),
            )
            .at_cell(table, row, column)
            .with_evidence(evidence! {
                "value" => count as u64,
                "threshold" => settings.threshold,
                "recovered_from" => evidence! {
                    "percent_column" => table.columns[column].label.clone(),
                    "percent" => share,
                    "denominator_column" => match &denominator {
                        Denominator::Column(n_column) => table.columns[*n_column].label.clone(),
                        Denominator::Printed(_, source) => source.clone(),
                    },
                    "denominator" => n,
                },
            }),
        );
    }
}

/// The denominator of a percentage column: an N column, else a Total count column. A plain
/// count (`n`) column is a numerator, already checked as a count, except beside percentages
/// that add up to 100 across the row: those are shares of the row, and its count is the whole.
fn denominator_column(table: &Table, column: usize) -> Option<usize> {
    let n = table.n_column(column)?;
    let candidate = &table.columns[n];
    let whole = candidate.stat == Some(Stat::Count) && table.columns[column].row_share;
    (candidate.stat == Some(Stat::N) || candidate.margin || whole).then_some(n)
}

/// One N printed for a whole percentage column: in the column's own header
/// (`Diabetes (N=932)`), or alone in the title lines above the table (`# N = 5,000`) when the
/// column's percentages add up to about 100, as shares of one population do.
fn printed_denominator(table: &Table, column: usize) -> Option<(f64, String)> {
    let label = &table.columns[column].label;
    if let Some(n) = printed_n(label) {
        return Some((n, format!("header {label}")));
    }

    let grid = table.grid;
    let mut found = (0..table.header.start).flat_map(|row| {
        (0..grid.width(row)).filter_map(move |c| {
            printed_n(grid.cell(row, c)).map(|n| (n, format!("line {}", grid.line(row))))
        })
    });
    let (first, second) = (found.next()?, found.next());
    if second.is_some() {
        return None;
    }

    let shares: Vec<f64> = table
        .body
        .clone()
        .filter(|&r| !table.is_margin_row(r))
        .filter_map(|r| table.number(r, column))
        .collect();
    let unit = if is_proportion(table, column) {
        1.0
    } else {
        100.0
    };
    let slack = 0.005 * unit * shares.len() as f64 + 1e-9;
    ((shares.iter().sum::<f64>() - unit).abs() <= slack.max(0.01 * unit)).then_some(first)
}

/// `N = 5,000`, `n=932`, `(N = 12 345)` in a text: the number after an N standing alone as a
/// word and an equals sign.
fn printed_n(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    for (at, &byte) in bytes.iter().enumerate() {
        let alone = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        if !(byte == b'N' || byte == b'n') || !alone {
            continue;
        }
        let rest = text[at + 1..].trim_start();
        let Some(after) = rest.strip_prefix('=') else {
            continue;
        };
        if let Some(n) = leading_whole_number(after.trim_start()) {
            return (n > 0.0).then_some(n);
        }
    }
    None
}

/// The whole number a text starts with, thousands separated by `,` or a space only where
/// exactly three digits follow (`5,000`, `12 345`; `932, 45` is 932).
fn leading_whole_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let run = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut end = run(0);
    if end == 0 {
        return None;
    }
    let mut digits = text[..end].to_string();
    while matches!(bytes.get(end), Some(b',' | b' ')) && run(end + 1) == 3 {
        digits.push_str(&text[end + 1..end + 4]);
        end += 4;
    }
    digits.parse().ok()
}

fn is_proportion(table: &Table, column: usize) -> bool {
    let words = super::layout::header_words(&table.columns[column].label);
    let named = words.iter().any(|w| w == "prop" || w == "proportion");
    let all_unit = table
        .body
        .clone()
        .filter_map(|r| table.number(r, column))
        .all(|v| (0.0..=1.0).contains(&v));
    named || (all_unit && !words.iter().any(|w| w == "%" || w.starts_with("perc")))
}

fn statistics(table: &Table, settings: &TableSettings, emit: &mut Emit) {
    for (c, column) in table.columns.iter().enumerate() {
        let Some(stat) = column.stat.filter(|s| s.needs_contributors()) else {
            continue;
        };
        let Some(n_column) = table.n_column(c) else {
            if stat != Stat::Percent {
                no_counts(table, c, stat, emit);
            }
            continue;
        };
        for row in table.body.clone() {
            if !matches!(table.value(row, c), Value::Number(_)) {
                continue;
            }
            let location = table.cell_location(row, c);
            let place = format!(
                "{} of ({}, {})",
                stat.as_str(),
                location.row.as_deref().unwrap_or(""),
                column.label
            );
            let n_label = table.columns[n_column].label.clone();
            let message = match table.value(row, n_column) {
                Value::Number(n) if n < settings.threshold as f64 => format!(
                    "{place} is computed from {} units ({n_label}), under the threshold of {}",
                    show(n),
                    settings.threshold
                ),
                Value::Marker(_) => format!(
                    "{place} is printed while its n ({n_label}) is suppressed: a statistic of a \
                     suppressed cell is as disclosive as the cell"
                ),
                _ => continue,
            };
            let n = table.number(row, n_column);
            emit.push(
                Finding::new(&STATISTIC_FROM_TOO_FEW, message)
                    .at_cell(table, row, c)
                    .with_evidence(evidence! {
                        "statistic" => stat.as_str(),
                        "value" => table.grid.cell(row, c),
                        "n" => n,
                        "n_column" => n_label,
                        "threshold" => settings.threshold,
                    }),
            );
        }
    }
}

fn no_counts(table: &Table, column: usize, stat: Stat, emit: &mut Emit) {
    let label = &table.columns[column].label;
    emit.push(
        Finding::new(
            &UNVERIFIABLE_CELL_SIZE,
            format!(
                "column {label:?} holds {} values with no count of units printed beside them: \
                 the threshold cannot be checked from the file",
                stat.as_str()
            ),
        )
        .at(table.column_location(column))
        .with_evidence(evidence! {"statistic" => stat.as_str(), "cells" => table.body.len()}),
    );
}

/// Rows and columns of count cells, margins left out, where one category holds every unit;
/// and percentages of exactly 100.
fn class_disclosure(table: &Table, emit: &mut Emit) {
    let counts: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.stat == Some(Stat::Count) && !c.margin)
        .map(|(i, _)| i)
        .collect();
    let rows: Vec<usize> = table
        .body
        .clone()
        .filter(|&r| !table.is_margin_row(r))
        .collect();
    if counts.len() >= 2 {
        for &row in &rows {
            let cells: Vec<(usize, f64)> = counts
                .iter()
                .filter_map(|&c| table.number(row, c).map(|v| (c, v)))
                .collect();
            if let Some(c) = only_one(&cells, counts.len()) {
                let label = table.row_label(row);
                emit.push(
                    Finding::new(
                        &CLASS_DISCLOSURE,
                        format!(
                            "every unit in row {label:?} falls in column {:?}; the other {} \
                             columns are 0",
                            table.columns[c].label,
                            counts.len() - 1
                        ),
                    )
                    .at_cell(table, row, c)
                    .with_evidence(evidence! {"line" => "row", "value" => table.number(row, c)}),
                );
            }
        }
    }
    if rows.len() >= 2 {
        for &c in &counts {
            let cells: Vec<(usize, f64)> = rows
                .iter()
                .filter_map(|&r| table.number(r, c).map(|v| (r, v)))
                .collect();
            if let Some(row) = only_one(&cells, rows.len()) {
                emit.push(
                    Finding::new(
                        &CLASS_DISCLOSURE,
                        format!(
                            "every unit in column {:?} falls in row {:?}; the other {} rows \
                             are 0",
                            table.columns[c].label,
                            table.row_label(row),
                            rows.len() - 1
                        ),
                    )
                    .at_cell(table, row, c)
                    .with_evidence(evidence! {"line" => "column", "value" => table.number(row, c)}),
                );
            }
        }
    }
    for (c, column) in table.columns.iter().enumerate() {
        if column.stat != Some(Stat::Percent) || column.margin {
            continue;
        }
        for &row in &rows {
            if table.number(row, c) == Some(100.0) {
                let location = table.cell_location(row, c);
                emit.push(
                    Finding::new(
                        &CLASS_DISCLOSURE,
                        format!(
                            "cell ({}, {}) is 100%: every unit of the group shares it",
                            location.row.as_deref().unwrap_or(""),
                            column.label
                        ),
                    )
                    .at_cell(table, row, c)
                    .with_evidence(evidence! {"line" => "cell", "value" => 100.0}),
                );
            }
        }
    }
}

/// The key of the one positive cell when all `expected` cells are known, one is positive and
/// the rest are zero.
fn only_one(cells: &[(usize, f64)], expected: usize) -> Option<usize> {
    if cells.len() != expected {
        return None;
    }
    let positive: Vec<usize> = cells
        .iter()
        .filter(|(_, v)| *v > 0.0)
        .map(|(k, _)| *k)
        .collect();
    let zeros = cells.iter().filter(|(_, v)| *v == 0.0).count();
    (positive.len() == 1 && zeros + 1 == expected).then(|| positive[0])
}

fn rounding(table: &Table, base: u64, emit: &mut Emit) {
    let b = base as f64;
    for (c, column) in table.columns.iter().enumerate() {
        if !column.stat.is_some_and(Stat::is_count) {
            continue;
        }
        for row in table.body.clone() {
            let Some(count) = table.number(row, c) else {
                continue;
            };
            if count.fract() == 0.0 && count % b != 0.0 {
                let location = table.cell_location(row, c);
                emit.push(
                    Finding::new(
                        &ROUNDING,
                        format!(
                            "cell ({}, {}) counts {}, not a multiple of {base}",
                            location.row.as_deref().unwrap_or(""),
                            column.label,
                            show(count)
                        ),
                    )
                    .at_cell(table, row, c)
                    .with_evidence(evidence! {"value" => count, "base" => base}),
                );
            }
        }
    }
    for line in suppression::lines(table) {
        let parts: Option<Vec<f64>> = line
            .parts
            .iter()
            .map(|&(r, c)| table.number(r, c))
            .collect();
        let (Some(parts), Some(total)) = (parts, table.number(line.total.0, line.total.1)) else {
            continue;
        };
        let sum: f64 = parts.iter().sum();
        let tolerance = b / 2.0 * (parts.len() as f64 + 1.0);
        if (total - sum).abs() > tolerance {
            emit.push(
                Finding::new(
                    &ROUNDING,
                    format!(
                        "total {} differs from the sum of its {} parts ({}) by more than \
                         rounding to {base} explains ({})",
                        show(total),
                        parts.len(),
                        show(sum),
                        show(tolerance)
                    ),
                )
                .at_cell(table, line.total.0, line.total.1)
                .with_evidence(evidence! {
                    "total" => total, "sum_of_parts" => sum, "tolerance" => tolerance,
                    "base" => base,
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_n_printed_in_words() {
        assert_eq!(printed_n("# N = 5000"), Some(5000.0));
        assert_eq!(printed_n("Diabetes (n=932)"), Some(932.0));
        assert_eq!(printed_n("Cohort, N = 12,345 patients"), Some(12345.0));
        assert_eq!(printed_n("n = 932, 45%"), Some(932.0));
        assert_eq!(printed_n("BMI = 30"), None);
        assert_eq!(printed_n("min = 3"), None);
        assert_eq!(printed_n("N = 0"), None);
    }
}
