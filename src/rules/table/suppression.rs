//! Recoverable suppression (T006): suppressed cells that the margins give back.
//!
//! Every row with a Total column and every column with a Total row is a linear constraint:
//! the parts sum to the total. Each cell starts with an interval (a printed count is exact,
//! `<10` is 0..=9, `*` is 0..=anything) and the intervals are narrowed by propagation through
//! the constraints until nothing changes: for a part, total minus what the other parts can
//! hold at most and at least. One unknown in a line with a known total is solved exactly; a
//! chain of lines is solved step by step.
//!
//! Limitation: interval propagation is weaker than linear programming: bounds that only a
//! combination of several constraints implies are not found, so the intervals reported are
//! safe (never narrower than the truth) but may be wider than an attacker could get.

use super::layout::{AtCell, Stat, Table};
use super::value::Value;
use super::{Emit, RECOVERABLE_SUPPRESSION};
use crate::evidence;
use crate::finding::Finding;
use crate::policy::TableSettings;

/// A line of a table: cells that sum to a total. Cells are (grid row, column).
pub struct Line {
    pub parts: Vec<(usize, usize)>,
    pub total: (usize, usize),
}

/// Stands for "no upper bound" while keeping sums of many cells within `i64`.
const UNBOUNDED: i64 = 1_000_000_000_000;

/// Most rounds of propagation; each round narrows at least one interval or stops.
const MAX_ROUNDS: usize = 200;

/// The additive lines of a table's count cells: each row across the count columns to the
/// Total column, and each count column down the rows to the Total row. Only a table with one
/// Total row is read down its columns, since several mark subtotals of unknown extent.
pub fn lines(table: &Table) -> Vec<Line> {
    let counts: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.stat == Some(Stat::Count) || c.stat == Some(Stat::N))
        .map(|(i, _)| i)
        .collect();
    let parts: Vec<usize> = counts
        .iter()
        .copied()
        .filter(|&c| !table.columns[c].margin)
        .collect();
    let margin = counts.iter().copied().find(|&c| table.columns[c].margin);
    let mut lines = Vec::new();
    if let Some(margin) = margin {
        if parts.len() >= 2 {
            for row in table.body.clone() {
                lines.push(Line {
                    parts: parts.iter().map(|&c| (row, c)).collect(),
                    total: (row, margin),
                });
            }
        }
    }
    let margin_rows: Vec<usize> = table
        .body
        .clone()
        .filter(|&r| table.is_margin_row(r))
        .collect();
    let rows: Vec<usize> = table
        .body
        .clone()
        .filter(|&r| !table.is_margin_row(r))
        .collect();
    if let ([total_row], true) = (margin_rows.as_slice(), rows.len() >= 2) {
        for &c in &counts {
            lines.push(Line {
                parts: rows.iter().map(|&r| (r, c)).collect(),
                total: (*total_row, c),
            });
        }
    }
    lines
}

/// Reports suppressed cells solved exactly or narrowed below the protection interval.
pub fn check(table: &Table, settings: &TableSettings, emit: &mut Emit) {
    let lines = lines(table);
    if lines.is_empty() {
        return;
    }
    let mut cells: Vec<(usize, usize)> = lines
        .iter()
        .flat_map(|l| l.parts.iter().copied().chain([l.total]))
        .collect();
    cells.sort_unstable();
    cells.dedup();
    let index = |cell: (usize, usize)| cells.binary_search(&cell).ok();

    let mut bounds: Vec<(i64, i64)> = Vec::with_capacity(cells.len());
    let mut suppressed = Vec::new();
    for (i, &(row, column)) in cells.iter().enumerate() {
        let bound = match table.value(row, column) {
            Value::Number(n) if n.fract() == 0.0 && n >= 0.0 && n < UNBOUNDED as f64 => {
                (n as i64, n as i64)
            }
            // Counts with decimals are weighted or rounded: the sums cannot be trusted.
            Value::Number(_) => return,
            Value::Marker(marker) => {
                suppressed.push(i);
                (0, marker.at_most.map_or(UNBOUNDED, |m| m as i64))
            }
            Value::Empty | Value::Missing | Value::Text => (0, UNBOUNDED),
        };
        bounds.push(bound);
    }
    if suppressed.is_empty() {
        return;
    }
    let constraints: Vec<(Vec<usize>, usize)> = lines
        .iter()
        .filter_map(|l| {
            let parts: Option<Vec<usize>> = l.parts.iter().map(|&c| index(c)).collect();
            Some((parts?, index(l.total)?))
        })
        .collect();
    // A table whose printed lines do not add up (rounded, perturbed, or not a sum) cannot be
    // solved from its margins.
    for (parts, total) in &constraints {
        let known = parts.iter().all(|&p| bounds[p].0 == bounds[p].1);
        let sum: i64 = parts.iter().map(|&p| bounds[p].0).sum();
        if known && bounds[*total].0 == bounds[*total].1 && sum != bounds[*total].0 {
            return;
        }
    }
    let printed = bounds.clone();
    if !propagate(&mut bounds, &constraints) {
        // The markers' own bounds contradict the margins (`<10` where the margins leave 150).
        // The margins alone may still give the cell back, and a marker that misstates its
        // cell is itself worth a checker's look.
        bounds.clone_from(&printed);
        for &i in &suppressed {
            bounds[i] = (0, UNBOUNDED);
        }
        if !propagate(&mut bounds, &constraints) {
            return;
        }
    }
    for i in suppressed {
        let (lo, hi) = bounds[i];
        let marker_limit = printed[i].1;
        let contradicted = lo > marker_limit;
        let (row, column) = cells[i];
        let width = (hi - lo + 1) as u64;
        if width >= settings.protection_interval && lo != hi {
            continue;
        }
        let location = table.cell_location(row, column);
        let marker = table.grid.cell(row, column);
        let place = format!(
            "suppressed cell ({}, {}) [{marker}]",
            location.row.as_deref().unwrap_or(""),
            table.columns[column].label
        );
        let message = if contradicted {
            format!(
                "{place} is {} from the margins, although its marker says at most \
                 {marker_limit}: the margins give the cell back and contradict the marker",
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("between {lo} and {hi}")
                }
            )
        } else if lo == hi {
            format!("{place} is {lo}: the margins give it back exactly")
        } else {
            format!(
                "{place} lies between {lo} and {hi}: the margins narrow it to {width} values, \
                 fewer than the protection interval of {}",
                settings.protection_interval
            )
        };
        emit.push(
            Finding::new(&RECOVERABLE_SUPPRESSION, message)
                .at_cell(table, row, column)
                .with_evidence(evidence! {
                    "marker" => marker,
                    "recovered" => (lo == hi).then_some(lo),
                    "lower" => lo,
                    "upper" => hi,
                    "protection_interval" => settings.protection_interval,
                    "marker_contradicted" => contradicted,
                }),
        );
    }
}

/// Narrows `bounds` through the constraints (parts sum to total) until a fixed point.
/// Returns false when the constraints contradict each other.
pub fn propagate(bounds: &mut [(i64, i64)], constraints: &[(Vec<usize>, usize)]) -> bool {
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for (parts, total) in constraints {
            let sum_lo: i64 = parts.iter().map(|&p| bounds[p].0).sum();
            let sum_hi: i64 = parts.iter().map(|&p| bounds[p].1).sum();
            let (t_lo, t_hi) = bounds[*total];
            let new_total = (t_lo.max(sum_lo), t_hi.min(sum_hi));
            if new_total != bounds[*total] {
                bounds[*total] = new_total;
                changed = true;
            }
            let (t_lo, t_hi) = bounds[*total];
            for &p in parts {
                let (lo, hi) = bounds[p];
                let others_hi = sum_hi - hi;
                let others_lo = sum_lo - lo;
                let narrowed = (lo.max(t_lo - others_hi), hi.min(t_hi - others_lo));
                if narrowed != (lo, hi) {
                    bounds[p] = narrowed;
                    changed = true;
                }
            }
            if bounds.iter().any(|(lo, hi)| lo > hi) {
                return false;
            }
        }
        if !changed {
            return true;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: i64 = UNBOUNDED;

    #[test]
    fn one_unknown_in_a_line_is_the_total_minus_the_rest() {
        // 12 + x + 30 = 47, so x = 5.
        let mut bounds = vec![(12, 12), (0, 9), (30, 30), (47, 47)];
        assert!(propagate(&mut bounds, &[(vec![0, 1, 2], 3)]));
        assert_eq!(bounds[1], (5, 5));
    }

    #[test]
    fn two_unknowns_are_solved_through_a_column() {
        // Row: a + b = 10; column: a + 20 = 23. So a = 3, then b = 7.
        let mut bounds = vec![(0, U), (0, U), (10, 10), (20, 20), (23, 23)];
        let constraints = vec![(vec![0, 1], 2), (vec![0, 3], 4)];
        assert!(propagate(&mut bounds, &constraints));
        assert_eq!(bounds[0], (3, 3));
        assert_eq!(bounds[1], (7, 7));
    }

    #[test]
    fn two_unknowns_alone_are_only_bounded() {
        // a + b + 40 = 43 with a, b in 0..=9: each lies in 0..=3.
        let mut bounds = vec![(0, 9), (0, 9), (40, 40), (43, 43)];
        assert!(propagate(&mut bounds, &[(vec![0, 1, 2], 3)]));
        assert_eq!(bounds[0], (0, 3));
        assert_eq!(bounds[1], (0, 3));
    }

    #[test]
    fn contradictions_are_detected() {
        let mut bounds = vec![(5, 5), (6, 6), (20, 20)];
        assert!(!propagate(&mut bounds, &[(vec![0, 1], 2)]));
    }
}
