//! Understanding a table: which rows are title, header, body and notes; which columns are
//! labels and which statistics, and of what kind; which rows and columns are margins.
//!
//! Headers are read in the words researchers use (`n`, `N`, `count`, `%`, `mean (SD)`,
//! `median [IQR]`, `95% CI`, `se`, `df`), values fill in where headers are silent
//! (non-negative integers are counts), and long-format tables (group columns then a count)
//! are read like crosstabs with one statistic column.

use std::ops::Range;

use serde_json::{json, Map, Value as Json};

use super::grid::Grid;
pub use super::headers::{
    header_words, is_identifier_header, is_margin_word, stat_from_header, Stat, LABEL_WORDS,
};
use super::value::{self, Marker, Value};
use crate::finding::{Finding, Location};

/// A column of the table body.
#[derive(Debug)]
pub struct Column {
    /// Header cells joined with ` / ` (`Female / n`), or `column N` without a header.
    pub label: String,
    /// Header cells above the last one (`Female`): columns of one group describe one cell.
    pub group: String,
    /// `None` for a label column.
    pub stat: Option<Stat>,
    /// True when the kind was named by the header rather than inferred from the values.
    pub named: bool,
    /// A Total / All / Overall column.
    pub margin: bool,
    /// A percentage column of a set whose values add up to 100 across each row: shares of the
    /// row's whole, so a count column beside them is their denominator.
    pub row_share: bool,
    /// A column of only 0 and 1 down many rows in a table with no other statistic: a flag
    /// per person (an outcome, a diagnosis), read as a value rather than counts.
    pub flag: bool,
    values: Vec<Value>,
}

/// A grid understood as a table.
pub struct Table<'g> {
    pub grid: &'g Grid,
    pub header: Range<usize>,
    pub body: Range<usize>,
    pub columns: Vec<Column>,
    /// Per body row: is it a Total / All / Overall row?
    pub margin_rows: Vec<bool>,
}

impl<'g> Table<'g> {
    /// The value of body row `row` (an index into the grid) in column `column`. `NA` in a
    /// count column is a suppression marker.
    pub fn value(&self, row: usize, column: usize) -> Value {
        let Some(col) = self.columns.get(column) else {
            return Value::Empty;
        };
        let Some(offset) = row.checked_sub(self.body.start) else {
            return Value::Empty;
        };
        match col.values.get(offset).copied().unwrap_or(Value::Empty) {
            Value::Missing if col.stat.is_some_and(Stat::is_count) => {
                Value::Marker(Marker { at_most: None })
            }
            other => other,
        }
    }

    /// The number in a cell, if it holds one.
    pub fn number(&self, row: usize, column: usize) -> Option<f64> {
        match self.value(row, column) {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// Is body row `row` a margin?
    pub fn is_margin_row(&self, row: usize) -> bool {
        row.checked_sub(self.body.start)
            .and_then(|i| self.margin_rows.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// The row's label: its label cells joined with ` / `, or its line when it has none.
    pub fn row_label(&self, row: usize) -> String {
        let parts: Vec<&str> = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.stat.is_none())
            .map(|(i, _)| self.grid.cell(row, i))
            .filter(|t| !t.is_empty())
            .collect();
        if parts.is_empty() {
            format!("line {}", self.grid.line(row))
        } else {
            parts.join(" / ")
        }
    }

    /// Where a cell is: its row label, column label, line and sheet.
    pub fn cell_location(&self, row: usize, column: usize) -> Location {
        Location {
            row: Some(self.row_label(row)),
            column: self.columns.get(column).map(|c| c.label.clone()),
            line: Some(self.grid.line(row)),
            chunk: self.grid.sheet.clone(),
            ..Location::default()
        }
    }

    /// A cell's position as ACRO numbers it in `sdc.cells`: the 0-based body row and the
    /// 0-based position among the statistic columns (label columns are ACRO's index).
    pub fn cell_index(&self, row: usize, column: usize) -> (usize, usize) {
        let body_row = row.saturating_sub(self.body.start);
        let stat_column = self
            .columns
            .iter()
            .take(column)
            .filter(|c| c.stat.is_some())
            .count();
        (body_row, stat_column)
    }

    /// Where a whole column is: its label and the line of its first body row.
    pub fn column_location(&self, column: usize) -> Location {
        Location {
            column: self.columns.get(column).map(|c| c.label.clone()),
            line: Some(self.grid.line(self.body.start)),
            chunk: self.grid.sheet.clone(),
            ..Location::default()
        }
    }

    /// The column holding the number of units behind a statistic in `column`: a count or N
    /// column of the same header group, else the table's only N column, else its only count
    /// column that is not a margin, else, among several counts, the only one whose header
    /// names it a count (`events` beside an inferred `person_years`) or the only one headed
    /// just `n` or `count` (`n` beside `n_missing`).
    pub fn n_column(&self, column: usize) -> Option<usize> {
        let group = &self.columns.get(column)?.group;
        let counts = |kind: Stat| -> Vec<usize> {
            self.columns
                .iter()
                .enumerate()
                .filter(|(i, c)| *i != column && c.stat == Some(kind))
                .map(|(i, _)| i)
                .collect()
        };
        let same_group = |ids: &[usize]| {
            ids.iter()
                .copied()
                .find(|&i| !group.is_empty() && self.columns[i].group == *group)
        };
        let ns = counts(Stat::N);
        let plain: Vec<usize> = counts(Stat::Count)
            .into_iter()
            .filter(|&i| !self.columns[i].margin)
            .collect();
        let only = |ids: &[usize]| (ids.len() == 1).then(|| ids[0]);
        let only_where = |keep: &dyn Fn(&Column) -> bool| {
            let kept: Vec<usize> = plain
                .iter()
                .copied()
                .filter(|&i| keep(&self.columns[i]))
                .collect();
            only(&kept)
        };
        let headed_n = |c: &Column| {
            let words = header_words(c.label.rsplit(" / ").next().unwrap_or(""));
            words == ["n"] || words == ["count"]
        };
        same_group(&ns)
            .or_else(|| same_group(&plain))
            .or_else(|| only(&ns))
            .or_else(|| only(&plain))
            .or_else(|| only_where(&|c| c.named))
            .or_else(|| only_where(&headed_n))
    }

    /// The inferred layout, for the evidence of the table-layout finding.
    pub fn describe(&self) -> Map<String, Json> {
        let roles: Vec<Json> = self
            .columns
            .iter()
            .take(60)
            .map(|column| {
                let role = match column.stat {
                    None => "label".to_string(),
                    Some(stat) if column.margin => format!("{} (margin)", stat.as_str()),
                    Some(stat) => stat.as_str().to_string(),
                };
                json!({"column": column.label, "role": role})
            })
            .collect();
        let margin_rows: Vec<String> = self
            .body
            .clone()
            .filter(|&r| self.is_margin_row(r))
            .take(20)
            .map(|r| self.row_label(r))
            .collect();
        let mut map = Map::new();
        map.insert("columns".into(), json!(roles));
        map.insert("columns_total".into(), json!(self.columns.len()));
        map.insert(
            "header_lines".into(),
            json!(self
                .header
                .clone()
                .map(|r| self.grid.line(r))
                .collect::<Vec<_>>()),
        );
        map.insert(
            "body_lines".into(),
            json!([
                self.grid.line(self.body.start),
                self.grid.line(self.body.end - 1)
            ]),
        );
        map.insert("body_rows".into(), json!(self.body.len()));
        map.insert("margin_rows".into(), json!(margin_rows));
        map.insert(
            "format".into(),
            json!(
                if self.columns.iter().filter(|c| c.stat.is_some()).count() == 1 {
                    "long"
                } else {
                    "wide"
                }
            ),
        );
        map
    }
}

/// Places a finding on one cell of a table: its labels, line and sheet as the location, and
/// its [`Table::cell_index`] as `row_index` and `column_index` in the evidence, so the ACRO
/// export can list the cell in `sdc.cells`.
pub trait AtCell {
    fn at_cell(self, table: &Table, row: usize, column: usize) -> Finding;
}

impl AtCell for Finding {
    fn at_cell(mut self, table: &Table, row: usize, column: usize) -> Finding {
        let (row_index, column_index) = table.cell_index(row, column);
        self.evidence.insert("row_index".into(), row_index.into());
        self.evidence
            .insert("column_index".into(), column_index.into());
        self.at(table.cell_location(row, column))
    }
}

/// Finds the table in a grid, or `None` when no block of at least two rows is there.
pub fn understand(grid: &Grid) -> Option<Table<'_>> {
    let block = body_block(grid)?;
    let header_rows = header_rows(grid, block.clone());
    let header = block.start..block.start + header_rows;
    let body = header.end..block.end;
    let width = body.clone().map(|r| grid.width(r)).max().unwrap_or(0);
    let labels = header_labels(grid, header.clone(), width);

    let mut columns: Vec<Column> = labels
        .into_iter()
        .enumerate()
        .map(|(index, (label, group, last))| {
            classify(grid, body.clone(), index, label, group, last)
        })
        .collect();
    row_percentages(&mut columns);
    long_format_labels(&mut columns);
    indicator_columns(&mut columns);

    let label_columns: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.stat.is_none())
        .map(|(i, _)| i)
        .collect();
    let margin_rows = body
        .clone()
        .map(|r| {
            label_columns
                .iter()
                .any(|&c| is_margin_word(grid.cell(r, c)))
        })
        .collect();
    Some(Table {
        grid,
        header,
        body,
        columns,
        margin_rows,
    })
}

/// The longest run of rows with at least two filled cells, less trailing note rows; a grid of
/// one column is taken whole.
///
/// Limitation: a blank line inside a table, or several tables stacked in one sheet, leaves
/// only the longest block judged; the payload rule still reads every cell.
fn body_block(grid: &Grid) -> Option<Range<usize>> {
    let mut best: Option<Range<usize>> = None;
    let mut start = None;
    for row in 0..=grid.rows() {
        let filled = row < grid.rows() && grid.filled(row) >= 2;
        match (filled, start) {
            (true, None) => start = Some(row),
            (false, Some(s)) => {
                if best.as_ref().is_none_or(|b| row - s > b.len()) {
                    best = Some(s..row);
                }
                start = None;
            }
            _ => {}
        }
    }
    let mut block = match best {
        Some(block) if block.len() >= 2 => block,
        _ => {
            let rows: Vec<usize> = (0..grid.rows()).filter(|&r| grid.filled(r) > 0).collect();
            let (&first, &last) = (rows.first()?, rows.last()?);
            let single = (0..grid.rows()).all(|r| grid.width(r) <= 1);
            return (single && rows.len() >= 2).then_some(first..last + 1);
        }
    };
    // Notes below a table sometimes hold a delimiter ("Source: ONS, 2021"): a last row with
    // no number and fewer cells than half the table's width is a note.
    let width = block.clone().map(|r| grid.filled(r)).max().unwrap_or(0);
    while block.len() > 2 {
        let last = block.end - 1;
        let numeric = (1..grid.width(last)).any(|c| is_numeric(grid.cell(last, c)));
        if !numeric && grid.filled(last) * 2 < width {
            block.end -= 1;
        } else {
            break;
        }
    }
    Some(block)
}

fn is_numeric(text: &str) -> bool {
    matches!(
        value::parse(text, Default::default()),
        Value::Number(_) | Value::Marker(_)
    )
}

/// Leading rows of the block whose cells, after the first, hold no numbers: up to three,
/// leaving at least one body row. A first row of years (`2019, 2020`) is a header too.
fn header_rows(grid: &Grid, block: Range<usize>) -> usize {
    let mut rows = 0;
    for row in block.clone().take(3) {
        if row + 1 >= block.end {
            break;
        }
        let cells: Vec<&str> = (1..grid.width(row))
            .map(|c| grid.cell(row, c))
            .filter(|t| !t.is_empty())
            .collect();
        let numbers: Vec<f64> = cells
            .iter()
            .filter_map(|t| match value::parse(t, grid.style) {
                Value::Number(n) => Some(n),
                _ => None,
            })
            .collect();
        let years = !numbers.is_empty()
            && numbers.len() == cells.len()
            && numbers
                .iter()
                .all(|&y| y.fract() == 0.0 && (1900.0..=2100.0).contains(&y))
            && numbers.windows(2).all(|w| w[0] < w[1])
            && !grid.cell(row, 0).is_empty()
            && rows == 0;
        // pandas' describe() heads its quartiles `25%`, `50%`, `75%`: numbers, but headers
        // when the rest of the row is words.
        let words = cells
            .iter()
            .filter(|t| matches!(value::parse(t, grid.style), Value::Text))
            .count();
        let text_only = words > 0
            && cells.iter().all(|t| {
                matches!(value::parse(t, grid.style), Value::Text) || is_quantile_header(t)
            });
        // A second header row sits under spanning labels, which leave empty cells above.
        let spanned = rows == 0 || (0..grid.width(row)).any(|c| grid.cell(row - 1, c).is_empty());
        if ((text_only && !cells.is_empty()) || years) && spanned {
            rows += 1;
        } else {
            break;
        }
    }
    rows
}

/// A percentile's name as pandas and others print it: `25%`, `2.5%`, `97.5%`.
pub fn is_quantile_header(text: &str) -> bool {
    text.trim()
        .strip_suffix('%')
        .and_then(|number| number.parse::<f64>().ok())
        .is_some_and(|q| (0.0..=100.0).contains(&q))
}

/// Column labels from the header rows: upper rows are filled rightwards across merged
/// (empty) cells, so `Female,,Male,` over `n,%,n,%` labels `Female / %`.
fn header_labels(grid: &Grid, header: Range<usize>, width: usize) -> Vec<(String, String, String)> {
    let mut levels: Vec<Vec<String>> = Vec::new();
    let last = header.end.saturating_sub(1);
    for row in header.clone() {
        let mut carried = String::new();
        let level = (0..width)
            .map(|c| {
                let text = grid.cell(row, c);
                if !text.is_empty() {
                    carried = text.to_string();
                    text.to_string()
                } else if row != last && c > 0 {
                    carried.clone()
                } else {
                    String::new()
                }
            })
            .collect();
        levels.push(level);
    }
    (0..width)
        .map(|c| {
            let parts: Vec<&str> = levels
                .iter()
                .map(|l| l[c].as_str())
                .filter(|t| !t.is_empty())
                .collect();
            let label = if parts.is_empty() {
                format!("column {}", c + 1)
            } else {
                parts.join(" / ")
            };
            let group = parts[..parts.len().saturating_sub(1)].join(" / ");
            let last = parts.last().map_or(String::new(), |t| t.to_string());
            (label, group, last)
        })
        .collect()
}

fn classify(
    grid: &Grid,
    body: Range<usize>,
    index: usize,
    label: String,
    group: String,
    last: String,
) -> Column {
    let values: Vec<Value> = body
        .clone()
        .map(|r| value::parse(grid.cell(r, index), grid.style))
        .collect();
    let (mut numbers, mut markers, mut text, mut integers, mut percent_signs) = (0, 0, 0, 0, 0);
    for (v, r) in values.iter().zip(body.clone()) {
        match v {
            Value::Number(n) => {
                numbers += 1;
                if n.fract() == 0.0 && *n >= 0.0 {
                    integers += 1;
                }
                if grid.cell(r, index).ends_with('%') {
                    percent_signs += 1;
                }
            }
            Value::Marker(_) | Value::Missing => markers += 1,
            Value::Text => text += 1,
            Value::Empty => {}
        }
    }
    let margin = label.split(" / ").any(is_margin_word);
    let header_stat = stat_from_header(&last);
    let identifier = is_identifier_header(&label);
    let numeric = numbers > 0 && (numbers + markers) * 5 >= (numbers + markers + text) * 4;
    let label_word = header_words(&last)
        .iter()
        .any(|w| LABEL_WORDS.contains(&w.as_str()));

    let stat = if !numeric || identifier || (index == 0 && header_stat.is_none()) {
        None
    } else if let Some(stat) = header_stat {
        Some(stat)
    } else if label_word && !margin {
        None
    } else if percent_signs * 2 > numbers {
        Some(Stat::Percent)
    } else if integers == numbers {
        Some(Stat::Count)
    } else {
        Some(Stat::Value)
    };
    Column {
        label,
        group,
        stat,
        named: header_stat.is_some(),
        margin,
        row_share: false,
        flag: false,
        values,
    }
}

/// Fewest rows of 0 and 1 that make an unnamed column a flag per row rather than counts; the
/// default policy's `tables.individual_rows` is the same.
const INDICATOR_ROWS: usize = 20;

/// Unnamed columns of only 0 and 1 down many rows, in a table with no other count or
/// statistic, are flags per row (an outcome, a diagnosis), which individual-level data has
/// and aggregates do not. Beside other counts they stay counts: zeros and ones of a group are
/// small cells.
fn indicator_columns(columns: &mut [Column]) {
    let flag = |c: &Column| c.stat == Some(Stat::Count) && !c.named && indicator(&c.values);
    let other_statistics = columns
        .iter()
        .any(|c| c.stat.is_some_and(|s| s != Stat::Value) && !flag(c));
    if other_statistics {
        return;
    }
    for column in columns.iter_mut().filter(|c| flag(c)) {
        column.stat = Some(Stat::Value);
        column.flag = true;
    }
}

fn indicator(values: &[Value]) -> bool {
    let numbers = values
        .iter()
        .filter(|v| matches!(v, Value::Number(_)))
        .count();
    numbers >= INDICATOR_ROWS
        && values
            .iter()
            .all(|v| !matches!(v, Value::Number(n) if *n != 0.0 && *n != 1.0))
}

/// Unnamed numeric columns whose values, row by row, add up to 100 are percentages of the
/// row's whole (`agegrp, Current, Former, Never, n` printed as 19.5, 33.1, 47.4, 492).
///
/// Each value may be rounded, so a row's sum may miss 100 by half a unit of the last printed
/// digit per column; nine rows in ten must add up for the set to count.
fn row_percentages(columns: &mut [Column]) {
    let candidates: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.stat, Some(Stat::Value | Stat::Count)) && !c.named && !c.margin)
        .filter(|(_, c)| {
            c.values
                .iter()
                .all(|v| !matches!(v, Value::Number(n) if !(0.0..=100.0).contains(n)))
        })
        .map(|(i, _)| i)
        .collect();
    if candidates.len() < 2 {
        return;
    }
    let rows = columns[candidates[0]].values.len();
    let tolerance = 0.5 * candidates.len() as f64;
    let (mut complete, mut hundred) = (0, 0);
    for row in 0..rows {
        let mut sum = 0.0;
        let mut all = true;
        for &c in &candidates {
            match columns[c].values.get(row) {
                Some(Value::Number(n)) => sum += n,
                _ => all = false,
            }
        }
        if all {
            complete += 1;
            hundred += usize::from((sum - 100.0).abs() <= tolerance);
        }
    }
    if complete == 0 || hundred * 10 < complete * 9 {
        return;
    }
    for c in candidates {
        columns[c].stat = Some(Stat::Percent);
        columns[c].row_share = true;
    }
}

/// In a long-format table (`year, age, count`), numeric columns left of the first column a
/// header names as a statistic are groups, not statistics, when their values look like keys:
/// a few values repeated down the rows, or a regular sequence (ages 0, 5, 10, ...). Counts
/// of a crosstab with an `n` column at the end do neither, and when they add up to a named
/// total in each row they are plainly its parts and stay counts.
fn long_format_labels(columns: &mut [Column]) {
    let Some(first_named) = columns.iter().position(|c| c.named && c.stat.is_some()) else {
        return;
    };
    let candidates: Vec<usize> = (0..first_named)
        .filter(|&i| {
            let c = &columns[i];
            c.stat.is_some() && !c.named && !c.margin && !c.row_share
        })
        .collect();
    if candidates.is_empty() || parts_of(columns, &candidates, first_named) {
        return;
    }
    for i in candidates {
        if looks_like_key(&columns[i].values) {
            columns[i].stat = None;
        }
    }
}

/// True when, in nine rows in ten with every cell printed, the `parts` columns add up to the
/// `whole` column (within 1, or 0.5% for rounded counts).
fn parts_of(columns: &[Column], parts: &[usize], whole: usize) -> bool {
    if !columns[whole].stat.is_some_and(Stat::is_count) {
        return false;
    }
    let rows = columns[whole].values.len();
    let (mut complete, mut matching) = (0, 0);
    for row in 0..rows {
        let Some(Value::Number(total)) = columns[whole].values.get(row).copied() else {
            continue;
        };
        let sum: Option<f64> = parts
            .iter()
            .map(|&c| match columns[c].values.get(row) {
                Some(Value::Number(n)) => Some(*n),
                _ => None,
            })
            .sum();
        if let Some(sum) = sum {
            complete += 1;
            matching += usize::from((sum - total).abs() <= 1.0_f64.max(total.abs() * 0.005));
        }
    }
    complete > 0 && matching * 10 >= complete * 9
}

/// Group codes repeat (each value on at least two rows on average) or run in a regular
/// sequence (years, age bands' lower bounds).
fn looks_like_key(values: &[Value]) -> bool {
    let numbers: Vec<f64> = values
        .iter()
        .filter_map(|v| match v {
            Value::Number(n) => Some(*n),
            _ => None,
        })
        .collect();
    if numbers.len() < 2 {
        return false;
    }
    let mut sorted = numbers.clone();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let repeated = numbers.len() >= 4 && sorted.len() * 2 <= numbers.len();
    let step = numbers[1] - numbers[0];
    let sequence = numbers.len() >= 3
        && step > 0.0
        && numbers
            .windows(2)
            .all(|w| (w[1] - w[0] - step).abs() < 1e-9);
    repeated || sequence
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(text: &str) -> Grid {
        super::super::grid::parse_delimited(text, b',').expect("parses")
    }

    #[test]
    fn keys_repeat_or_run_in_steps_and_counts_do_not() {
        let values = |ns: &[f64]| ns.iter().map(|&n| Value::Number(n)).collect::<Vec<_>>();
        assert!(looks_like_key(&values(&[0.0, 1.0, 0.0, 1.0])));
        assert!(looks_like_key(&values(&[2019.0, 2020.0, 2021.0])));
        assert!(looks_like_key(&values(&[0.0, 5.0, 10.0, 15.0])));
        assert!(!looks_like_key(&values(&[4.0, 136.0, 139.0])));
        // Two values of four repeating once each is not enough: 3 distinct of 4.
        assert!(!looks_like_key(&values(&[12.0, 12.0, 15.0, 31.0])));
    }

    #[test]
    fn zeros_and_ones_are_flags_alone_and_counts_beside_counts() {
        let alone: String = (0..25).map(|i| format!("0.{i:02},{}\n", i % 2)).collect();
        let g = grid(&format!("predicted,observed\n{alone}"));
        assert_eq!(
            understand(&g).expect("a table").columns[1].stat,
            Some(Stat::Value)
        );
        let beside: String = (0..25)
            .map(|i| format!("P{i},{},{}\n", i % 2, 1000 + i * 37))
            .collect();
        let g = grid(&format!("practice,cases,list_size\n{beside}"));
        assert_eq!(
            understand(&g).expect("a table").columns[1].stat,
            Some(Stat::Count)
        );
    }

    #[test]
    fn row_shares_and_their_whole() {
        // 0.4 + 32.1 + 67.5 = 100.0 and 20.4 + 28.3 + 51.3 = 100.0.
        let g = grid(
            "agegrp,Current,Former,Never,n\n\
             18-39,0.4,32.1,67.5,750\n\
             40-49,20.4,28.3,51.3,908\n",
        );
        let t = understand(&g).expect("a table");
        assert!((1..4).all(|c| t.columns[c].stat == Some(Stat::Percent)));
        assert!(t.columns[1].row_share);
        assert_eq!(t.n_column(1), Some(4));
    }

    #[test]
    fn describe_headers_and_the_count_behind_them() {
        let g = grid(",count,mean,std,25%,50%,75%\nage,4.0,67.0,11.17,59.5,66.5,74.0\n");
        let t = understand(&g).expect("a table");
        assert_eq!(t.header, 0..1);
        assert_eq!(t.columns[1].stat, Some(Stat::Count));
        assert_eq!(t.columns[4].stat, Some(Stat::Median));
        assert_eq!(t.n_column(2), Some(1));
        assert!(
            is_quantile_header("97.5%") && !is_quantile_header("%") && !is_quantile_header("150%")
        );
    }

    #[test]
    fn the_count_behind_a_statistic_among_several() {
        let g = grid("agegrp,n,n_missing,mean_bmi\n18-39,812,41,27.1\n40-59,1200,63,27.6\n");
        let t = understand(&g).expect("a table");
        assert_eq!(t.n_column(3), Some(1));
        let g = grid("imd,events,person_years,rate_per_1000\n1,210,5120,41.0\n2,198,5230,37.9\n");
        let t = understand(&g).expect("a table");
        assert_eq!(t.n_column(3), Some(1));
    }

    #[test]
    fn cell_index_counts_body_rows_and_statistic_columns_as_acro_does() {
        // ACRO's crosstab of region x sex has region as the index: the cell (south, Male)
        // sits at body row 1, statistic column 1, whatever title and label columns precede.
        let g = grid(
            "Table 2\n\
             country,region,Female,Male\n\
             UK,north,20,30\n\
             UK,south,40,4\n",
        );
        let t = understand(&g).expect("a table");
        assert_eq!(t.cell_index(3, 3), (1, 1));
        assert_eq!(t.cell_index(2, 2), (0, 0));
    }

    #[test]
    fn crosstab_with_title_margins_and_notes() {
        let g = grid(
            "Table 1: admissions by age and sex\n\
             age_band,Female,Male,Total\n\
             18-39,112,97,209\n\
             40-59,3,131,134\n\
             Total,115,228,343\n\
             \"Source: synthetic, 2024\"\n",
        );
        let t = understand(&g).expect("a table");
        assert_eq!(t.header, 1..2);
        assert_eq!(t.body, 2..5);
        assert_eq!(t.columns[0].stat, None);
        assert_eq!(t.columns[1].stat, Some(Stat::Count));
        assert!(t.columns[3].margin);
        assert!(t.is_margin_row(4));
        assert_eq!(t.row_label(3), "40-59");
        assert_eq!(t.number(3, 1), Some(3.0));
        assert_eq!(g.line(3), 4);
    }

    #[test]
    fn two_header_rows_and_long_format() {
        let g = grid(",Female,,Male,\nage,n,%,n,%\n18-39,12,40.0,18,60.0\n40-59,20,50.0,20,50.0\n");
        let t = understand(&g).expect("a table");
        assert_eq!(t.header, 0..2);
        assert_eq!(t.columns[2].label, "Female / %");
        assert_eq!(t.columns[2].stat, Some(Stat::Percent));
        assert_eq!(t.n_column(2), Some(1));

        let g = grid("year,age,count\n2019,40,12\n2020,40,15\n");
        let t = understand(&g).expect("a table");
        assert_eq!(t.columns[0].stat, None);
        assert_eq!(t.columns[1].stat, None);
        assert_eq!(t.columns[2].stat, Some(Stat::Count));
        assert_eq!(t.row_label(1), "2019 / 40");
    }
}
