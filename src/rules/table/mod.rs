//! Tables (family T): disclosure control for the CSV, TSV and spreadsheet outputs that leave
//! a TRE, judged from the file alone.
//!
//! Each file is read into grids of cells (one per sheet), each grid is understood as a table
//! (title, header, body, notes; label and statistic columns; margins), and the rules run on
//! that understanding. Files that cannot be read as a table are blocked, never passed.
//!
//! Tables inside web pages, notebooks and Markdown (HTML `<table>`, pipe tables) are read by
//! [`embedded`], those of Word and OpenDocument text documents by [`office`], the console
//! tables of logs (Stata's `tabulate`, pipe tables in plain text) by [`console`], and judged
//! by the same rules, in place.
//!
//! One module per concern: reading ([`grid`], [`sheets`], [`value`]), understanding
//! ([`layout`]), and the rules ([`counts`], [`extremes`], [`suppression`], [`microdata`],
//! [`digits`], [`payload`]); [`docs`] holds every rule's documentation.
//!
//! Each file is judged alone, except that its count cells are kept ([`differencing`]) so that
//! the tables of one request can be compared once every file is checked.
//!
//! Limitation: Parquet, Arrow and Feather files are not read as tables (they are microdata
//! formats to this version and the microdata rules judge them).

pub mod console;
pub mod counts;
pub mod differencing;
pub mod digits;
pub mod docs;
pub mod embedded;
pub mod extremes;
pub mod grid;
pub mod headers;
pub mod layout;
pub mod microdata;
pub mod office;
pub mod payload;
pub mod sheets;
pub mod suppression;
pub mod value;

use std::collections::BTreeMap;

use super::{FileCheck, Findings, Rule};
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::identify::{Class, Format};
use crate::inspect::Inspected;
use crate::policy::Policy;
use grid::Grid;

pub use docs::*;

/// Findings of one rule listed per sheet before the rest are summed into one finding, so
/// that a million-row table with many small cells gives a readable report.
const LISTED_PER_RULE: usize = 25;

/// Reads tables and spreadsheets and runs the table rules on every sheet.
pub struct TableCheck;

impl FileCheck for TableCheck {
    fn check(&self, file: &Inspected, policy: &Policy, out: &mut Findings) {
        let Some(content) = file.content() else {
            return; // coverage reports content that was not kept
        };
        match file.class() {
            Class::Table => check_text(file, content, policy, out),
            Class::Spreadsheet => check_workbook(content, policy, out),
            Class::Document | Class::Text => embedded::check(file, content, policy, out),
            _ => {}
        }
    }
}

fn check_text(file: &Inspected, content: &[u8], policy: &Policy, out: &mut Findings) {
    let (text, _encoding) = grid::decode(content);
    let fallback = if file.identity.format == Format::Tsv {
        b'\t'
    } else {
        b','
    };
    let delimiter = grid::delimiter_from_detail(file.identity.detail.as_deref())
        .unwrap_or_else(|| grid::sniff_delimiter(&text, fallback));
    if delimiter == b'|' && console::EXTENSIONS.contains(&file.extension.as_deref().unwrap_or("")) {
        // A log holding little but a `tabulate` or a pipe table has `|` on most lines and
        // is identified as a `|`-delimited table; its rule lines and `Total` column would
        // be misread as cells of one.
        let smcl = file.extension.as_deref() == Some("smcl");
        let tables = console::tables(&text, smcl);
        if !tables.is_empty() {
            for grid in embedded::named(tables, "") {
                if embedded::is_data_table(&grid) {
                    check_grid(&grid, policy, out);
                }
            }
            return;
        }
    }
    match grid::parse_delimited(&text, delimiter) {
        Ok(grid) => check_grid(&grid, policy, out),
        Err(error) => out.push(
            Finding::new(
                &UNREADABLE_TABLE,
                format!("cannot be parsed as a delimited table: {error}"),
            )
            .with_evidence(evidence! {"error" => error}),
        ),
    }
}

fn check_workbook(content: &[u8], policy: &Policy, out: &mut Findings) {
    let sheets = match sheets::read_workbook(content) {
        Ok(sheets) => sheets,
        Err(error) => {
            out.push(
                Finding::new(
                    &UNREADABLE_TABLE,
                    format!("the workbook cannot be opened: {error}"),
                )
                .with_evidence(evidence! {"error" => error}),
            );
            return;
        }
    };
    for sheet in sheets {
        let location = Location {
            chunk: Some(sheet.name.clone()),
            ..Location::default()
        };
        if let Some(state) = sheet.hidden {
            out.push(
                Finding::new(
                    &HIDDEN_SHEET,
                    format!(
                        "sheet {:?} is {state}: a reviewer opening the workbook does not see it",
                        sheet.name
                    ),
                )
                .at(location.clone())
                .with_evidence(evidence! {"sheet" => sheet.name.clone(), "state" => state}),
            );
        }
        match sheet.grid {
            Ok(grid) if grid.rows() == 0 => {}
            Ok(grid) => check_grid(&grid, policy, out),
            Err(error) => out.push(
                Finding::new(
                    &UNREADABLE_TABLE,
                    format!("sheet {:?} cannot be read: {error}", sheet.name),
                )
                .at(location)
                .with_evidence(evidence! {"sheet" => sheet.name, "error" => error}),
            ),
        }
    }
}

/// Runs every table rule on one grid.
pub fn check_grid(grid: &Grid, policy: &Policy, out: &mut Findings) {
    let mut emit = Emit::new(grid.sheet.clone(), out);
    payload::check(grid, policy, &mut emit);
    let Some(table) = layout::understand(grid) else {
        let place = grid
            .sheet
            .as_ref()
            .map_or(String::new(), |s| format!("sheet {s:?}: "));
        emit.push(
            Finding::new(
                &UNREADABLE_TABLE,
                format!("{place}no table found: no block of two or more rows of cells"),
            )
            .at(Location {
                chunk: grid.sheet.clone(),
                ..Location::default()
            })
            .with_evidence(evidence! {"rows" => grid.rows()}),
        );
        emit.finish();
        return;
    };
    emit.push(
        Finding::new(
            &TABLE_LAYOUT,
            format!(
                "read as a table of {} body rows and {} columns",
                table.body.len(),
                table.columns.len()
            ),
        )
        .at(Location {
            chunk: grid.sheet.clone(),
            ..Location::default()
        })
        .with_evidence(table.describe()),
    );
    if let Some(cells) = differencing::CountTable::from_table(&table) {
        emit.out.keep_table(cells);
    }
    let settings = &policy.tables;
    counts::check(&table, settings, &mut emit);
    extremes::check(&table, settings, &mut emit);
    suppression::check(&table, settings, &mut emit);
    microdata::check(&table, settings, &mut emit);
    digits::check(&table, settings, &mut emit);
    emit.finish();
}

/// Pushes findings, listing at most [`LISTED_PER_RULE`] of each rule and summing the rest
/// (their capacity included) into one finding per rule.
pub struct Emit<'a, 'p> {
    out: &'a mut Findings<'p>,
    sheet: Option<String>,
    listed: BTreeMap<&'static str, usize>,
    unlisted: BTreeMap<&'static str, (&'static Rule, usize, u64)>,
}

impl<'a, 'p> Emit<'a, 'p> {
    pub fn new(sheet: Option<String>, out: &'a mut Findings<'p>) -> Emit<'a, 'p> {
        Emit {
            out,
            sheet,
            listed: BTreeMap::new(),
            unlisted: BTreeMap::new(),
        }
    }

    pub fn push(&mut self, finding: Finding) {
        let listed = self.listed.entry(finding.rule.code).or_insert(0);
        if *listed < LISTED_PER_RULE {
            *listed += 1;
            self.out.push(finding);
        } else {
            let entry = self
                .unlisted
                .entry(finding.rule.code)
                .or_insert((finding.rule, 0, 0));
            entry.1 += 1;
            entry.2 += finding.capacity_bytes;
        }
    }

    /// Pushes the summary of the findings not listed.
    pub fn finish(self) {
        for (_, (rule, count, capacity)) in self.unlisted {
            self.out.push(
                Finding::new(
                    rule,
                    format!(
                        "{count} more findings like the {LISTED_PER_RULE} listed above were \
                         not listed one by one"
                    ),
                )
                .at(Location {
                    chunk: self.sheet.clone(),
                    ..Location::default()
                })
                .with_evidence(evidence! {"not_listed" => count})
                .carrying(capacity),
            );
        }
    }
}

/// Rounds for evidence, so reports do not print float noise.
pub(crate) fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

/// A number as printed in messages: whole numbers without a decimal point.
pub(crate) fn show(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{}", round(value, 6))
    }
}
