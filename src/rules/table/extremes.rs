//! Extreme values (T004): min, max and range columns or rows, each one person's value, with
//! the one dominance test a file allows: a printed max against the sum of the same cell.

use super::layout::{AtCell, Stat, Table};
use super::{round, show, Emit, EXTREME_VALUES};
use crate::evidence;
use crate::finding::Finding;
use crate::policy::TableSettings;

const EXTREME_LABELS: &[&str] = &["min", "max", "minimum", "maximum", "range", "min-max"];

/// Reports min, max and range columns, and rows labelled so in long tables.
pub fn check(table: &Table, settings: &TableSettings, emit: &mut Emit) {
    let sum_column = table.columns.iter().position(|c| c.stat == Some(Stat::Sum));
    for (c, column) in table.columns.iter().enumerate() {
        let Some(stat @ (Stat::Min | Stat::Max | Stat::Range)) = column.stat else {
            continue;
        };
        let cells = table
            .body
            .clone()
            .filter(|&r| table.number(r, c).is_some())
            .count();
        if cells == 0 {
            continue;
        }
        let mut evidence = evidence! {"statistic" => stat.as_str(), "cells" => cells};
        let mut message = format!(
            "column {:?} prints the {} of {cells} cells: each is one person's value",
            column.label,
            stat.as_str()
        );
        if let (Stat::Max, Some(sum)) = (stat, sum_column) {
            if let Some((row, share)) = dominant(table, c, sum, settings.dominance_share) {
                message.push_str(&format!(
                    "; in row {:?} the max is {}% of the sum, so the (n=2, k={}%) dominance \
                     rule fails",
                    table.row_label(row),
                    show(round(share * 100.0, 1)),
                    show(settings.dominance_share * 100.0)
                ));
                evidence.insert("dominance_row".into(), table.row_label(row).into());
                evidence.insert("max_share_of_sum".into(), round(share, 4).into());
                evidence.insert("dominance_share".into(), settings.dominance_share.into());
            }
        }
        emit.push(
            Finding::new(&EXTREME_VALUES, message)
                .at(table.column_location(c))
                .with_evidence(evidence),
        );
    }
    extreme_rows(table, emit);
}

/// The first row where the max holds at least `share` of the sum, and its share.
fn dominant(table: &Table, max: usize, sum: usize, share: f64) -> Option<(usize, f64)> {
    table.body.clone().find_map(|row| {
        let (m, s) = (table.number(row, max)?, table.number(row, sum)?);
        (m >= 0.0 && s > 0.0 && m / s >= share).then_some((row, m / s))
    })
}

/// Long tables name their statistic in a label column (`statistic = max`).
fn extreme_rows(table: &Table, emit: &mut Emit) {
    let labels: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.stat.is_none())
        .map(|(i, _)| i)
        .collect();
    for row in table.body.clone() {
        let named = labels.iter().copied().find(|&c| {
            let text = table.grid.cell(row, c);
            EXTREME_LABELS.iter().any(|l| text.eq_ignore_ascii_case(l))
        });
        let Some(label_column) = named else {
            continue;
        };
        let Some(value_column) = (0..table.columns.len())
            .find(|&c| table.columns[c].stat.is_some() && table.number(row, c).is_some())
        else {
            continue;
        };
        let location = table.cell_location(row, value_column);
        emit.push(
            Finding::new(
                &EXTREME_VALUES,
                format!(
                    "row {:?} prints a {}: one person's value",
                    location.row.as_deref().unwrap_or(""),
                    table.grid.cell(row, label_column).to_lowercase()
                ),
            )
            .at_cell(table, row, value_column)
            .with_evidence(evidence! {
                "statistic" => table.grid.cell(row, label_column).to_lowercase(),
                "value" => table.grid.cell(row, value_column),
            }),
        );
    }
}
