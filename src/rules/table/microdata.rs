//! Individual-level data (T007): a "table" that is really one row per person.
//!
//! An aggregate table has one row per group: its label combinations are unique and its cells
//! count or summarise several units. Record-level data breaks that shape: identifiers,
//! dates of birth, label combinations that repeat, counts that are all 1, dates to the day
//! with nothing counted. Every reason found is listed in the evidence.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use super::layout::{is_identifier_header, Stat, Table};
use super::value::is_day_date;
use super::{Emit, INDIVIDUAL_LEVEL_DATA};
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::policy::TableSettings;

/// Reports a table that looks like one row per person, with its reasons.
pub fn check(table: &Table, settings: &TableSettings, emit: &mut Emit) {
    let rows: Vec<usize> = table
        .body
        .clone()
        .filter(|&r| !table.is_margin_row(r))
        .collect();
    let many = rows.len() >= settings.individual_rows;
    let mut reasons: Vec<String> = Vec::new();

    for column in &table.columns {
        if is_identifier_header(&column.label) {
            reasons.push(format!(
                "column {:?} is named as an identifier",
                column.label
            ));
        }
    }
    if many {
        let counts: Vec<usize> = table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.stat.is_some_and(Stat::is_count) && !c.margin)
            .map(|(i, _)| i)
            .collect();
        let aggregate = table
            .columns
            .iter()
            .any(|c| c.stat.is_some_and(|s| s != Stat::Value));
        if !aggregate {
            for column in table.columns.iter().filter(|c| c.flag) {
                reasons.push(format!(
                    "column {:?} holds only 0 and 1 down {} rows: an indicator per person, \
                     not a count",
                    column.label,
                    rows.len()
                ));
            }
        }
        let all_ones = !counts.is_empty()
            && counts.iter().all(|&c| {
                let values: Vec<f64> = rows.iter().filter_map(|&r| table.number(r, c)).collect();
                values.len() >= settings.individual_rows && values.iter().all(|&v| v == 1.0)
            });
        if all_ones {
            reasons.push(format!(
                "every one of {} groups has a count of 1",
                rows.len()
            ));
        }
        if counts.is_empty() {
            for (c, column) in table.columns.iter().enumerate() {
                if column.stat.is_none() && day_dates(table, &rows, c) {
                    reasons.push(format!(
                        "column {:?} holds dates to the day and nothing is counted",
                        column.label
                    ));
                }
            }
        }
        if !aggregate {
            reasons.push(format!(
                "{} rows and no count, percentage or summary statistic",
                rows.len()
            ));
        }
        let (repeated, labels) = repeated_labels(table, &rows);
        if labels > 0 && repeated * 4 >= rows.len() {
            reasons.push(format!(
                "{repeated} of {} rows repeat another row's labels: an aggregate table has one \
                 row per group",
                rows.len()
            ));
        }
    }
    if reasons.is_empty() {
        return;
    }
    emit.push(
        Finding::new(
            &INDIVIDUAL_LEVEL_DATA,
            format!(
                "{} rows look like one row per person: {}",
                rows.len(),
                reasons.join("; ")
            ),
        )
        .at(Location {
            line: Some(table.grid.line(table.body.start)),
            chunk: table.grid.sheet.clone(),
            ..Location::default()
        })
        .with_evidence(evidence! {"rows" => rows.len(), "reasons" => reasons}),
    );
}

/// At least four in five filled cells of the column are dates to the day.
fn day_dates(table: &Table, rows: &[usize], column: usize) -> bool {
    let filled: Vec<&str> = rows
        .iter()
        .map(|&r| table.grid.cell(r, column))
        .filter(|t| !t.is_empty())
        .collect();
    let dates = filled.iter().filter(|t| is_day_date(t)).count();
    !filled.is_empty() && dates * 5 >= filled.len() * 4
}

/// Rows whose label combination (empty cells filled from the row above, as merged cells
/// read) already appeared, and the number of label columns.
fn repeated_labels(table: &Table, rows: &[usize]) -> (usize, usize) {
    let labels: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.stat.is_none())
        .map(|(i, _)| i)
        .collect();
    if labels.is_empty() {
        return (0, 0);
    }
    let mut carried: Vec<&str> = vec![""; labels.len()];
    // Hashes sorted and compared with their neighbours: a hash set of a million rows costs a
    // cache miss per row, a sort does not.
    let mut hashes = Vec::with_capacity(rows.len());
    for &row in rows {
        let mut hasher = DefaultHasher::new();
        for (slot, &c) in carried.iter_mut().zip(&labels) {
            let text = table.grid.cell(row, c);
            if !text.is_empty() {
                *slot = text;
            }
            slot.hash(&mut hasher);
        }
        hashes.push(hasher.finish());
    }
    hashes.sort_unstable();
    let repeated = hashes.windows(2).filter(|pair| pair[0] == pair[1]).count();
    (repeated, labels.len())
}
