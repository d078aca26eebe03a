//! Differencing between the tables of one request (T015): two tables that are safe alone but
//! whose difference is a small cell.
//!
//! Two ways a pair of tables gives away a group that neither prints:
//!
//! - **nested populations**: the same cells (same row and column labels) counted over two
//!   populations, one inside the other ("all admissions" and "admissions excluding care
//!   homes"). Every cell of one is at least the matching cell of the other, so the
//!   difference is a table of the excluded group, and any difference between 1 and the
//!   threshold is a small cell of it. Totals that differ by 3 across two breakdowns of one
//!   cohort are the commonest case (ACRO issues 106 and 117: "11 vs 10").
//! - **overlapping bands**: the same cells over bands that share an end ("0-17" in one table,
//!   "0-18" in another), so the difference is the count of the slim band between them
//!   (age 18). Bands are read from row or column labels: `a-b`, `a to b`, `a+`, `a and over`,
//!   `<a`, `under a`, `>=a`, `<=a`.
//!
//! The rule follows the ABS DataLab output rules ("differences of less than 10 between tables
//! must not be computable") and the linked-tables discussion of Hundepool et al. (2012, §5.6).
//! Each file's table rules leave a compact list of its count cells ([`CountTable`]); after
//! every file is checked the lists are compared pairwise, and each exposed cell becomes a
//! finding on the second table of the pair (in path order), naming both cells.
//!
//! Limitation: nesting is inferred from one table being at least the other in every matched
//! cell; two disjoint populations under the same labels can meet that by chance (the larger
//! region against the smaller), so the rule reviews rather than blocks.
//!
//! Limitation: only exact label matches and shared-end bands are compared; differencing that
//! needs a combination of three or more tables, or categories merged differently (regions
//! against the areas they are made of), needs the category hierarchy and is not attempted.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tracing::info;

use super::layout::Table;
use super::{show, TABLE_DIFFERENCING};
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::policy::{Policy, TableSettings};
use crate::report::FileEntry;
use crate::rules::Findings;

/// Count cells kept from one table; a larger table is not compared. Crosstabs released from
/// a TRE have tens to hundreds of cells; a table of many thousands is a listing, which T007
/// already judges. egress-check's own choice.
const MAX_CELLS: usize = 5_000;

/// Tables compared in one request; pairs grow with the square, so a request of more tables
/// compares the first ones in path order and logs that it stopped.
const MAX_TABLES: usize = 2_000;

/// Exposed cells listed per pair of tables before the rest are counted in one finding.
const LISTED_PER_PAIR: usize = 10;

/// The count cells of one table, as the differencing comparison needs them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CountTable {
    /// The sheet, for spreadsheets.
    pub sheet: Option<String>,
    pub cells: Vec<CountCell>,
}

/// One count cell: its labels as printed, its value and where it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountCell {
    /// The row label cells, in column order.
    pub row: Vec<String>,
    pub column: String,
    pub value: f64,
    pub line: u64,
    pub row_index: usize,
    pub column_index: usize,
}

impl CountCell {
    fn row_label(&self) -> String {
        self.row.join(" / ")
    }

    fn location(&self, sheet: &Option<String>) -> Location {
        Location {
            row: Some(self.row_label()),
            column: Some(self.column.clone()),
            line: Some(self.line),
            chunk: sheet.clone(),
            ..Location::default()
        }
    }
}

impl CountTable {
    /// The count cells of `table`, margins included; `None` when it has no count column or
    /// too many cells to compare.
    pub fn from_table(table: &Table) -> Option<CountTable> {
        let labels: Vec<usize> = (0..table.columns.len())
            .filter(|&c| table.columns[c].stat.is_none())
            .collect();
        let mut cells = Vec::new();
        for (c, column) in table.columns.iter().enumerate() {
            if !column.stat.is_some_and(|s| s.is_count()) {
                continue;
            }
            for row in table.body.clone() {
                let Some(value) = table.number(row, c) else {
                    continue;
                };
                if cells.len() == MAX_CELLS {
                    return None;
                }
                let (row_index, column_index) = table.cell_index(row, c);
                cells.push(CountCell {
                    row: labels
                        .iter()
                        .map(|&l| table.grid.cell(row, l).to_string())
                        .collect(),
                    column: column.label.clone(),
                    value,
                    line: table.grid.line(row),
                    row_index,
                    column_index,
                });
            }
        }
        (!cells.is_empty()).then(|| CountTable {
            sheet: table.grid.sheet.clone(),
            cells,
        })
    }
}

/// One table of the request, indexed for comparison.
///
/// Labels are interned to numbers shared by the whole request, and each index is a vector
/// sorted by them, so comparing two tables is a merge of two short integer lists: a request
/// of a thousand crosstabs of one shape makes half a million pairs.
struct Indexed<'f> {
    file: usize,
    path: &'f str,
    table: &'f CountTable,
    /// Cells by their interned labels, sorted.
    by_key: Vec<(u32, usize)>,
    /// Cells with one band label, by the interned other labels and band position, sorted.
    by_band: Vec<BandEntry>,
    /// The interned set of (other labels, band) pairs: two tables with the same set and no
    /// nested bands within either cannot expose a slim band.
    band_set: u32,
    /// Does the table itself hold two bands of one variable that share an end?
    nested_bands: bool,
    /// The base every count is a multiple of, when the table looks rounded.
    rounded_to: Option<f64>,
}

/// A cell with a band label: its other labels interned, the band, and the cell's index.
type BandEntry = (u32, Band, usize);

/// Numbers for the label strings and band sets of the request's tables.
#[derive(Default)]
struct Interner {
    labels: HashMap<String, u32>,
    band_sets: HashMap<Vec<(u32, Band)>, u32>,
}

impl Interner {
    fn label(&mut self, key: String) -> u32 {
        let next = self.labels.len() as u32;
        *self.labels.entry(key).or_insert(next)
    }

    fn band_set(&mut self, set: Vec<(u32, Band)>) -> u32 {
        let next = self.band_sets.len() as u32;
        *self.band_sets.entry(set).or_insert(next)
    }
}

/// A cell of one table whose difference with a cell of another is small.
struct Exposure<'f> {
    file: usize,
    cell: &'f CountCell,
    sheet: &'f Option<String>,
    other_path: &'f str,
    other: &'f CountCell,
    other_sheet: &'f Option<String>,
    difference: f64,
    band: Option<String>,
}

/// Compares every pair of tables kept by the table rules and adds a finding to the file of
/// the second table of each pair for every difference under the threshold.
pub fn check_request(files: &mut [FileEntry], policy: &Policy) {
    let settings = &policy.tables;
    let mut interner = Interner::default();
    let mut indexed = Vec::new();
    for (file, entry) in files.iter().enumerate() {
        for table in &entry.tables {
            indexed.push(index(file, &entry.path, table, &mut interner));
        }
    }
    if indexed.len() > MAX_TABLES {
        info!(
            tables = indexed.len(),
            compared = MAX_TABLES,
            "differencing compares the first tables only"
        );
        indexed.truncate(MAX_TABLES);
    }

    let mut exposures = Vec::new();
    for (i, first) in indexed.iter().enumerate() {
        for second in &indexed[i + 1..] {
            let mut pair = nested(first, second, settings);
            pair.extend(bands(first, second, settings));
            exposures.extend(pair);
        }
    }

    let mut per_file: HashMap<usize, Vec<Finding>> = HashMap::new();
    let mut listed: HashMap<(usize, &str), usize> = HashMap::new();
    for exposure in &exposures {
        let count = listed
            .entry((exposure.file, exposure.other_path))
            .or_insert(0);
        *count += 1;
        if *count <= LISTED_PER_PAIR {
            let finding = finding(exposure, settings);
            per_file.entry(exposure.file).or_default().push(finding);
        }
    }
    for ((file, other_path), count) in listed {
        if count > LISTED_PER_PAIR {
            let finding = unlisted(other_path, count - LISTED_PER_PAIR);
            per_file.entry(file).or_default().push(finding);
        }
    }

    for (file, found) in per_file {
        let mut findings = Findings::new(policy);
        for finding in found {
            findings.push(finding);
        }
        if let Some(entry) = files.get_mut(file) {
            entry.findings.extend(findings.into_vec());
        }
    }
}

fn index<'f>(
    file: usize,
    path: &'f str,
    table: &'f CountTable,
    interner: &mut Interner,
) -> Indexed<'f> {
    let mut by_key = Vec::with_capacity(table.cells.len());
    let mut by_band = Vec::new();
    for (i, cell) in table.cells.iter().enumerate() {
        let parts: Vec<String> = cell
            .row
            .iter()
            .chain(std::iter::once(&cell.column))
            .map(|p| normalise(p))
            .collect();
        by_key.push((interner.label(parts.join("\u{1f}")), i));
        for (position, part) in parts.iter().enumerate() {
            if let Some(band) = Band::parse(part) {
                let mut rest = parts.clone();
                rest[position] = format!("\u{1e}{position}");
                by_band.push((interner.label(rest.join("\u{1f}")), band, i));
            }
        }
    }
    by_key.sort_unstable();
    by_band.sort_unstable();

    let mut set: Vec<(u32, Band)> = by_band
        .iter()
        .map(|&(rest, band, _)| (rest, band))
        .collect();
    set.dedup();
    let nested_bands = set.iter().enumerate().any(|(k, (rest, a))| {
        set[k + 1..]
            .iter()
            .take_while(|(other, _)| other == rest)
            .any(|(_, b)| a.slim_difference(b).is_some())
    });
    Indexed {
        file,
        path,
        table,
        by_key,
        by_band,
        band_set: interner.band_set(set),
        nested_bands,
        rounded_to: rounding_base(table),
    }
}

/// The base (10 or 5) that every count of a rounded table is a multiple of: three or more
/// counts, not all zero. Rounding is the protection against differencing (Hundepool et al.
/// 2012, §5.4): a difference involving a rounded table is only known to within the base
/// times the cells summed, so it exposes no exact count.
fn rounding_base(table: &CountTable) -> Option<f64> {
    let nonzero = table.cells.iter().filter(|c| c.value != 0.0).count();
    if table.cells.len() < 3 || nonzero == 0 {
        return None;
    }
    [10.0, 5.0]
        .into_iter()
        .find(|base| table.cells.iter().all(|c| c.value % base == 0.0))
}

/// Can the pair's differences be known exactly? Not when either table is rounded.
fn exact(first: &Indexed, second: &Indexed) -> bool {
    first.rounded_to.is_none() && second.rounded_to.is_none()
}

fn normalise(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Cells with the same labels in both tables, when one table's counts are all at least the
/// other's: the differences are a table of the population one has and the other has not.
fn nested<'f>(
    first: &Indexed<'f>,
    second: &Indexed<'f>,
    settings: &TableSettings,
) -> Vec<Exposure<'f>> {
    let mut matched = Vec::new();
    let (mut first_larger, mut second_larger) = (false, false);
    for (i, j) in merge(&first.by_key, &second.by_key) {
        let (a, b) = (&first.table.cells[i], &second.table.cells[j]);
        first_larger |= a.value > b.value;
        second_larger |= b.value > a.value;
        if first_larger && second_larger {
            return Vec::new(); // neither population holds the other
        }
        matched.push((a, b));
    }
    if matched.len() < 2 || !(first_larger || second_larger) || !exact(first, second) {
        return Vec::new();
    }

    matched.sort_by_key(|(_, b)| (b.line, b.column_index));
    matched
        .into_iter()
        .filter_map(|(a, b)| {
            let difference = (a.value - b.value).abs();
            is_exposed(difference, settings).then_some(Exposure {
                file: second.file,
                cell: b,
                sheet: &second.table.sheet,
                other_path: first.path,
                other: a,
                other_sheet: &first.table.sheet,
                difference,
                band: None,
            })
        })
        .collect()
}

/// Cells whose labels differ only in one band, the bands sharing an end: the difference is
/// the count of the slim band between the two other ends.
fn bands<'f>(
    first: &Indexed<'f>,
    second: &Indexed<'f>,
    settings: &TableSettings,
) -> Vec<Exposure<'f>> {
    let mut exposures = Vec::new();
    let same_bands = first.band_set == second.band_set;
    if !exact(first, second) || (same_bands && !first.nested_bands && !second.nested_bands) {
        return exposures;
    }
    for (first_group, second_group) in band_groups(&first.by_band, &second.by_band) {
        for &(_, band_b, j) in second_group {
            for &(_, band_a, i) in first_group {
                let Some(slim) = band_a.slim_difference(&band_b) else {
                    continue;
                };
                let (a, b) = (&first.table.cells[i], &second.table.cells[j]);
                let wider = if band_a.contains(&band_b) { a } else { b };
                let narrower = if band_a.contains(&band_b) { b } else { a };
                let difference = wider.value - narrower.value;
                if difference < 0.0 || !is_exposed(difference, settings) {
                    continue;
                }
                exposures.push(Exposure {
                    file: second.file,
                    cell: b,
                    sheet: &second.table.sheet,
                    other_path: first.path,
                    other: a,
                    other_sheet: &first.table.sheet,
                    difference,
                    band: Some(slim.to_string()),
                });
            }
        }
    }
    exposures.sort_by_key(|e| (e.cell.line, e.cell.column_index, e.other.line));
    exposures
}

/// The cell indices of the keys two sorted indexes share, in key order.
fn merge(first: &[(u32, usize)], second: &[(u32, usize)]) -> Vec<(usize, usize)> {
    let (mut x, mut y) = (0, 0);
    let mut shared = Vec::new();
    while let (Some(&(a, i)), Some(&(b, j))) = (first.get(x), second.get(y)) {
        match a.cmp(&b) {
            Ordering::Less => x += 1,
            Ordering::Greater => y += 1,
            Ordering::Equal => {
                shared.push((i, j));
                x += 1;
                y += 1;
            }
        }
    }
    shared
}

/// The runs of two sorted band indexes that share their other labels, paired.
fn band_groups<'a>(
    first: &'a [BandEntry],
    second: &'a [BandEntry],
) -> Vec<(&'a [BandEntry], &'a [BandEntry])> {
    let run = |list: &'a [BandEntry], at: usize| {
        let key = list[at].0;
        let len = list[at..].iter().take_while(|e| e.0 == key).count();
        &list[at..at + len]
    };
    let (mut x, mut y) = (0, 0);
    let mut groups = Vec::new();
    while x < first.len() && y < second.len() {
        let (a, b) = (run(first, x), run(second, y));
        match a[0].0.cmp(&b[0].0) {
            Ordering::Less => x += a.len(),
            Ordering::Greater => y += b.len(),
            Ordering::Equal => {
                groups.push((a, b));
                x += a.len();
                y += b.len();
            }
        }
    }
    groups
}

/// A difference that is itself a small cell: whole, positive and under the threshold.
/// A zero difference says only that the two cells count the same people.
fn is_exposed(difference: f64, settings: &TableSettings) -> bool {
    difference > 0.0 && difference.fract() == 0.0 && difference < settings.threshold as f64
}

fn finding(exposure: &Exposure, settings: &TableSettings) -> Finding {
    let cell = exposure.cell;
    let other = exposure.other;
    let what = match &exposure.band {
        Some(band) => format!("the count of the band {band}"),
        None => "a count of the people one table includes and the other leaves out".to_string(),
    };
    let message = format!(
        "cell ({}, {}) = {} here and cell ({}, {}) = {} in {} differ by {}, {what}, under the \
         threshold of {}",
        cell.row_label(),
        cell.column,
        show(cell.value),
        other.row_label(),
        other.column,
        show(other.value),
        exposure.other_path,
        show(exposure.difference),
        settings.threshold
    );
    let mut other_place = evidence! {
        "path" => exposure.other_path,
        "row" => other.row_label(),
        "column" => other.column.clone(),
        "line" => other.line,
        "value" => other.value,
    };
    if let Some(sheet) = exposure.other_sheet {
        other_place.insert("sheet".into(), sheet.clone().into());
    }
    Finding::new(&TABLE_DIFFERENCING, message)
        .at(cell.location(exposure.sheet))
        .with_evidence(evidence! {
            "value" => cell.value,
            "other" => other_place,
            "difference" => exposure.difference,
            "band" => exposure.band.clone(),
            "threshold" => settings.threshold,
            "row_index" => cell.row_index,
            "column_index" => cell.column_index,
        })
}

fn unlisted(other_path: &str, count: usize) -> Finding {
    Finding::new(
        &TABLE_DIFFERENCING,
        format!(
            "{count} more cells differ from {other_path} by less than the threshold; they were \
             not listed one by one"
        ),
    )
    .with_evidence(evidence! {"other_path" => other_path, "not_listed" => count})
}

/// A band of whole numbers (ages, years, sizes) read from a label; open ends are `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Band {
    low: Option<i64>,
    high: Option<i64>,
}

impl Band {
    /// Reads `18-39`, `18 to 39`, `65+`, `65 and over`, `<18`, `under 18`, `>=65`, `<=17`,
    /// with an optional unit word (`years`, `yrs`); anything else is not a band.
    fn parse(label: &str) -> Option<Band> {
        let text = label
            .trim_start_matches("aged ")
            .trim_end_matches(" years")
            .trim_end_matches(" yrs")
            .trim();
        let number = |s: &str| -> Option<i64> {
            let s = s.trim();
            (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        for suffix in [
            "+",
            " and over",
            " or over",
            " and above",
            " or more",
            " plus",
        ] {
            if let Some(low) = text.strip_suffix(suffix).and_then(number) {
                return Some(Band {
                    low: Some(low),
                    high: None,
                });
            }
        }
        for (prefix, shift) in [(">=", 0), ("≥", 0), (">", 1), ("over ", 1)] {
            if let Some(low) = text.strip_prefix(prefix).and_then(number) {
                return Some(Band {
                    low: Some(low + shift),
                    high: None,
                });
            }
        }
        for (prefix, shift) in [("<=", 0), ("≤", 0), ("<", 1), ("under ", 1), ("below ", 1)] {
            if let Some(high) = text.strip_prefix(prefix).and_then(number) {
                return Some(Band {
                    low: None,
                    high: Some(high - shift),
                });
            }
        }
        for separator in [" to ", "-", "–", "—"] {
            if let Some((low, high)) = text.split_once(separator) {
                let (low, high) = (number(low)?, number(high)?);
                return (low <= high).then_some(Band {
                    low: Some(low),
                    high: Some(high),
                });
            }
        }
        None
    }

    /// Does this band hold every value of `other`?
    fn contains(&self, other: &Band) -> bool {
        let low_ok = match (self.low, other.low) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a <= b,
        };
        let high_ok = match (self.high, other.high) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a >= b,
        };
        low_ok && high_ok
    }

    /// When one band holds the other and they share one end, the band of values between
    /// their other ends, which the difference of their counts counts.
    fn slim_difference(&self, other: &Band) -> Option<Band> {
        let (wide, narrow) = if self.contains(other) {
            (self, other)
        } else if other.contains(self) {
            (other, self)
        } else {
            return None;
        };
        if wide == narrow {
            return None;
        }
        if wide.low == narrow.low {
            let low = narrow.high?.checked_add(1)?;
            return Some(Band {
                low: Some(low),
                high: wide.high,
            });
        }
        if wide.high == narrow.high {
            let high = narrow.low?.checked_sub(1)?;
            return Some(Band {
                low: wide.low,
                high: Some(high),
            });
        }
        None
    }
}

impl std::fmt::Display for Band {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.low, self.high) {
            (Some(low), Some(high)) if low == high => write!(f, "{low}"),
            (Some(low), Some(high)) => write!(f, "{low}-{high}"),
            (Some(low), None) => write!(f, "{low} and over"),
            (None, Some(high)) => write!(f, "up to {high}"),
            (None, None) => write!(f, "any"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{grid, layout};

    fn band(label: &str) -> Option<Band> {
        Band::parse(&normalise(label))
    }

    fn closed(low: i64, high: i64) -> Band {
        Band {
            low: Some(low),
            high: Some(high),
        }
    }

    #[test]
    fn bands_are_read_as_researchers_write_them() {
        assert_eq!(band("18-39"), Some(closed(18, 39)));
        assert_eq!(band("18 – 39"), Some(closed(18, 39)));
        assert_eq!(band("Aged 18 to 39 years"), Some(closed(18, 39)));
        assert_eq!(
            band("65+"),
            Some(Band {
                low: Some(65),
                high: None
            })
        );
        assert_eq!(
            band("80 and over"),
            Some(Band {
                low: Some(80),
                high: None
            })
        );
        assert_eq!(
            band("<18"),
            Some(Band {
                low: None,
                high: Some(17)
            })
        );
        assert_eq!(
            band("Under 18"),
            Some(Band {
                low: None,
                high: Some(17)
            })
        );
        assert_eq!(
            band("<=17"),
            Some(Band {
                low: None,
                high: Some(17)
            })
        );
        assert_eq!(
            band(">65"),
            Some(Band {
                low: Some(66),
                high: None
            })
        );
        assert_eq!(band("2020-01-05"), None);
        assert_eq!(band("39-18"), None);
        assert_eq!(band("Female"), None);
        assert_eq!(band("-5"), None);
    }

    #[test]
    fn the_slim_band_is_what_the_wider_one_adds() {
        assert_eq!(
            closed(0, 18).slim_difference(&closed(0, 17)),
            Some(closed(18, 18))
        );
        assert_eq!(
            closed(16, 24).slim_difference(&closed(18, 24)),
            Some(closed(16, 17))
        );
        let over_65 = Band {
            low: Some(65),
            high: None,
        };
        let over_70 = Band {
            low: Some(70),
            high: None,
        };
        assert_eq!(over_65.slim_difference(&over_70), Some(closed(65, 69)));
        assert_eq!(closed(0, 17).slim_difference(&closed(18, 39)), None);
        assert_eq!(closed(10, 20).slim_difference(&closed(12, 18)), None);
        assert_eq!(closed(0, 17).slim_difference(&closed(0, 17)), None);
    }

    fn counts(text: &str) -> CountTable {
        let g = grid::parse_delimited(text, b',').expect("parses");
        let t = layout::understand(&g).expect("a table");
        CountTable::from_table(&t).expect("counts")
    }

    fn entry(path: &str, text: &str) -> FileEntry {
        let mut file = FileEntry::new(path, "table");
        file.tables = vec![counts(text)];
        file
    }

    fn run(files: &mut [FileEntry]) -> Vec<(String, String)> {
        let policy = Policy::default_policy();
        check_request(files, &policy);
        files
            .iter()
            .flat_map(|f| {
                f.findings
                    .iter()
                    .map(move |x| (f.path.clone(), x.message.clone()))
            })
            .collect()
    }

    #[test]
    fn a_population_and_its_subset_expose_their_small_differences() {
        // Worked by hand: all - excluding care homes = (40-59, Male) 3 and Total 5.
        let mut files = [
            entry(
                "all.csv",
                "age,Female,Male\n18-39,120,97\n40-59,88,131\nTotal,208,228\n",
            ),
            entry(
                "no_care_homes.csv",
                "age,Female,Male\n18-39,120,95\n40-59,88,128\nTotal,208,223\n",
            ),
        ];
        let found = run(&mut files);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().all(|(path, _)| path == "no_care_homes.csv"));
        assert!(found[0].1.contains("cell (18-39, Male) = 95"), "{found:?}");
        assert!(found[0].1.contains("differ by 2"), "{found:?}");
        assert!(found[1].1.contains("differ by 3"), "{found:?}");
        assert!(found[2].1.contains("differ by 5"), "{found:?}");
        let evidence = &files[1].findings[0].evidence;
        assert_eq!(evidence["row_index"], 0);
        assert_eq!(evidence["column_index"], 1);
        assert_eq!(evidence["other"]["value"], 97.0);
    }

    #[test]
    fn tables_of_unrelated_populations_are_not_compared() {
        // 2019 against 2020: some cells rose, some fell, so neither holds the other.
        let mut files = [
            entry("y2019.csv", "age,Female,Male\n18-39,120,97\n40-59,88,131\n"),
            entry("y2020.csv", "age,Female,Male\n18-39,118,99\n40-59,90,129\n"),
        ];
        assert!(run(&mut files).is_empty());
    }

    #[test]
    fn identical_tables_and_large_differences_pass() {
        let mut files = [
            entry("a.csv", "age,Female,Male\n18-39,120,97\n40-59,88,131\n"),
            entry("b.csv", "age,Female,Male\n18-39,120,97\n40-59,88,131\n"),
            entry("c.csv", "age,Female,Male\n18-39,100,77\n40-59,60,100\n"),
        ];
        assert!(run(&mut files).is_empty());
    }

    #[test]
    fn a_rounded_table_gives_no_exact_difference() {
        // Every cell of the second is a multiple of 5, so its true values are unknown.
        let mut files = [
            entry("raw.csv", "age,Female,Male\n18-39,112,97\n40-59,12,131\n"),
            entry(
                "rounded.csv",
                "age,Female,Male\n18-39,115,100\n40-59,15,135\n",
            ),
        ];
        assert!(run(&mut files).is_empty());
        // One cell off the base and the table is not rounded: 3, 3, 4 and 4 are exact.
        let mut files = [
            entry("raw.csv", "age,Female,Male\n18-39,112,97\n40-59,12,131\n"),
            entry(
                "other.csv",
                "age,Female,Male\n18-39,115,100\n40-59,16,135\n",
            ),
        ];
        assert_eq!(run(&mut files).len(), 4);
    }

    #[test]
    fn overlapping_age_bands_expose_the_slim_band() {
        // Worked by hand: (0-18) - (0-17) is age 18: 4 women and 12 men; only 4 is small.
        let mut files = [
            entry("a.csv", "age,Female,Male\n0-17,50,61\n18-64,300,280\n"),
            entry("b.csv", "age,Female,Male\n0-18,54,73\n19-64,296,268\n"),
        ];
        let found = run(&mut files);
        assert_eq!(found.len(), 2, "{found:?}");
        // (18-64) - (19-64) is age 18 again, from the other end: 4 women, 12 men.
        assert!(
            found
                .iter()
                .all(|(_, m)| m.contains("differ by 4, the count of the band 18,")),
            "{found:?}"
        );
    }
}
