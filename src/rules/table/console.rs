//! Tables printed to the console and kept in logs: Stata's `tabulate` output, R's two-way
//! `table()`, and Markdown pipe tables written into plain text.
//!
//! Stata and R logs are primary outputs of a TRE, and a `tabulate region complication` in a
//! log discloses its small cells exactly as the same crosstab saved as a CSV. So the console
//! tables of plain-text files (`.log`, `.txt`, `.out`, `.lst`, R's `.Rout`, and `.smcl`
//! once its markup is turned back into text) are rebuilt into rows, each with its line in
//! the file, and judged by the table rules like any other table.
//!
//! A log is mostly not tables: timings, row counts, iterations and coefficients must not be
//! read as cells. So only blocks of Stata's exact shape are read: a rule line of `-` and
//! `+` whose `+` stand under the `|` of the header line above it and of every row below
//! it, and a header of a known kind. One-way tables are headed `Freq.  Percent  Cum.`;
//! two-way tables have a line naming the column variable above the line of its values,
//! and cells that are all whole numbers (frequency lines) or all decimals (the percentage
//! lines the `row`, `col` and `cell` options add under each frequency line, which are
//! skipped). Estimation tables never qualify: their header holds `P>|t|` (a `|` where the
//! rule has no `+`), and their summary block has text beside its rules.
//!
//!
//! R's printed two-way `table()` and `xtabs()` output has no rules, so it is read only in
//! the shape R prints it with its dimension names: a line of the column variable's name
//! (or of spaces only) indented past the row labels, a header line of single-word column
//! values (after the row variable's name), then rows indented two spaces, a label, and
//! whole numbers ending exactly where the header's values end.
//!
//! Limitation: R's one-way `table()` (printed across, like `summary()` and `quantile()`),
//! column values of several words, Stata's `table` (version 17 and later), `tabstat` and
//! `summarize` output, and a `tabulate` run with `nofreq` (percentages only, nothing
//! counted) are not read.

use super::embedded::{pipe_tables, Rows};

/// Extensions of logs and plain-text outputs whose console tables are read, whether the file
/// is identified as plain text or, having `|` on most lines, as a `|`-delimited table.
pub(super) const EXTENSIONS: &[&str] = &["txt", "log", "out", "lst", "smcl", "rout"];

/// Every console table of a log or text file, in the order they appear: Stata tables and
/// pipe tables. `smcl` says the text is Stata's SMCL markup, which is turned into the text
/// Stata would have printed first.
pub fn tables(text: &str, smcl: bool) -> Vec<Rows> {
    let plain;
    let text = if smcl {
        plain = smcl_to_text(text);
        plain.as_str()
    } else {
        text
    };
    let mut found = stata_tables(text);
    found.extend(r_tables(text));
    // Boxes drawn with pipes (Stata's `Key` box above a crosstab) read as pipe tables of one
    // column: they hold no cells and must not take a table's number.
    let columns = |rows: &Rows| rows.iter().any(|(_, cells)| cells.len() >= 2);
    found.extend(pipe_tables(text).into_iter().filter(columns));
    found.sort_by_key(|rows| rows.first().map_or(0, |(line, _)| *line));
    found
}

/// Stata's one-way and two-way `tabulate` tables, each as a header row and one row per
/// frequency line, with its one-based line.
pub fn stata_tables(text: &str) -> Vec<Rows> {
    let lines: Vec<&str> = text.lines().collect();
    let mut tables = Vec::new();
    let mut at = 1;
    while at < lines.len() {
        let Some(plus) = rule(lines[at]) else {
            at += 1;
            continue;
        };
        let (rows, end) = read_tabulate(&lines, at, &plus);
        tables.extend(rows);
        // A block that is not a table is not scanned again from each of its rules.
        at = end.max(at + 1);
    }
    tables
}

/// Positions (in characters) of the `+` of a rule line: dashes and `+` only, at least one
/// `+`, dashes at both ends. `None` for any other line.
fn rule(line: &str) -> Option<Vec<usize>> {
    let trimmed = line.trim_end();
    let body = trimmed.trim_start();
    let ruled = body.len() >= 5
        && body.starts_with('-')
        && body.ends_with('-')
        && body.bytes().all(|b| b == b'-' || b == b'+')
        && body.contains('+');
    ruled.then(|| positions(trimmed, '+'))
}

fn positions(line: &str, mark: char) -> Vec<usize> {
    line.chars()
        .enumerate()
        .filter(|(_, c)| *c == mark)
        .map(|(i, _)| i)
        .collect()
}

/// A line cut at the separator positions: the text of each segment, and each segment's
/// words with the character position just past their end.
struct Split {
    label: String,
    words: Vec<Vec<(String, usize)>>,
}

fn split(line: &str, bars: &[usize]) -> Split {
    let mut segments: Vec<Vec<(String, usize)>> = vec![Vec::new(); bars.len() + 1];
    let mut label = String::new();
    let mut segment = 0;
    let mut word = String::new();
    let flush = |word: &mut String, segments: &mut [Vec<(String, usize)>], s: usize, end| {
        if !word.is_empty() {
            if let Some(list) = segments.get_mut(s) {
                list.push((std::mem::take(word), end));
            }
        }
    };
    for (i, c) in line.chars().enumerate() {
        if bars.get(segment) == Some(&i) {
            flush(&mut word, &mut segments, segment, i);
            segment += 1;
        } else if segment == 0 {
            label.push(c);
        } else if c.is_whitespace() {
            flush(&mut word, &mut segments, segment, i);
        } else {
            word.push(c);
        }
    }
    let end = line.chars().count();
    flush(&mut word, &mut segments, segment, end);
    segments.remove(0);
    Split {
        label: label.trim().to_string(),
        words: segments,
    }
}

/// A whole number as Stata prints frequencies: digits, grouped in threes by commas or not.
fn is_count(word: &str) -> bool {
    let mut groups = word.split(',');
    let first = groups.next().unwrap_or("");
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !word.contains(',') {
        return digits(word);
    }
    digits(first) && first.len() <= 3 && groups.all(|g| g.len() == 3 && digits(g))
}

/// A percentage as Stata prints it: digits, a point, digits.
fn is_decimal(word: &str) -> bool {
    word.split_once('.').is_some_and(|(int, frac)| {
        int.bytes().all(|b| b.is_ascii_digit())
            && !frac.is_empty()
            && frac.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The words of a header line under each body column: a column's label is right-aligned
/// to the column's end, so each word goes to the first column ending at or after it.
/// `None` when a word is past the last column or a column has no word.
fn labels_by_column(words: &[(String, usize)], ends: &[usize]) -> Option<Vec<String>> {
    let mut labels = vec![String::new(); ends.len()];
    for (word, end) in words {
        let column = ends.iter().position(|e| e >= end)?;
        let label = &mut labels[column];
        if !label.is_empty() {
            label.push(' ');
        }
        label.push_str(word);
    }
    labels.iter().all(|l| !l.is_empty()).then_some(labels)
}

/// Column headers of Stata's statistics, never a value of a tabulated variable.
const STATISTIC_HEADERS: &[&str] = &[
    "Freq.",
    "Percent",
    "Cum.",
    "Mean",
    "Std. dev.",
    "Std. Dev.",
    "Obs",
    "Min",
    "Max",
];

/// Reads the block whose first rule is line `first` (zero-based): its rows when it is a
/// `tabulate` table, and the line after the block.
fn read_tabulate(lines: &[&str], first: usize, plus: &[usize]) -> (Option<Rows>, usize) {
    let header_line = first.checked_sub(1).and_then(|i| lines.get(i));
    if header_line.is_none_or(|line| positions(line, '|') != plus) {
        return (None, first + 1);
    }
    // The block: rows with their `|` under the `+`, and rules like the first.
    let mut end = first + 1;
    let mut body = Vec::new();
    while let Some(line) = lines.get(end) {
        if positions(line, '|') == plus {
            body.push((end, split(line, plus)));
        } else if rule(line).as_deref() != Some(plus) {
            break;
        }
        end += 1;
    }
    let rows = read_rows(lines, first, plus, &body)
        .map(|rows| rows.into_iter().map(|(i, c)| (i as u64 + 1, c)).collect());
    (rows, end)
}

/// The rows of a `tabulate` table from its header lines above rule `first` and its `body`,
/// each with its zero-based line; `None` when the block is not one.
fn read_rows(
    lines: &[&str],
    first: usize,
    plus: &[usize],
    body: &[(usize, Split)],
) -> Option<Vec<(usize, Vec<String>)>> {
    let header_at = first.checked_sub(1)?;
    let header = split(lines.get(header_at)?, plus);
    let words = header.words.concat();
    let words: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
    if plus.len() == 1 && words == ["Freq.", "Percent", "Cum."] {
        one_way(header_at, header, body)
    } else {
        let above = first.checked_sub(2).and_then(|i| lines.get(i))?;
        two_way(header_at, header, above, plus, body)
    }
}

/// A one-way table: `label | freq percent [cum]` rows under `name | Freq. Percent Cum.`.
fn one_way(
    header_at: usize,
    header: Split,
    body: &[(usize, Split)],
) -> Option<Vec<(usize, Vec<String>)>> {
    let mut rows = vec![(
        header_at,
        vec![
            header.label,
            "Freq.".into(),
            "Percent".into(),
            "Cum.".into(),
        ],
    )];
    for (line, row) in body {
        let words = row.words.concat();
        let words: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
        match words.as_slice() {
            [] if row.label.is_empty() => continue,
            [freq, rest @ ..]
                if !row.label.is_empty()
                    && is_count(freq)
                    && (1..=2).contains(&rest.len())
                    && rest.iter().all(|w| is_decimal(w)) =>
            {
                let mut cells = vec![row.label.clone()];
                cells.extend(words.iter().map(|w| w.to_string()));
                rows.push((*line, cells));
            }
            _ => return None,
        }
    }
    (rows.len() >= 2).then_some(rows)
}

/// A two-way table: a line naming the column variable, a line of its values (and `Total`)
/// beside the row variable's name, then frequency lines, each perhaps followed by
/// percentage lines and a blank separator line.
fn two_way(
    header_at: usize,
    header: Split,
    above: &str,
    plus: &[usize],
    body: &[(usize, Split)],
) -> Option<Vec<(usize, Vec<String>)>> {
    let first = *plus.first()?;
    if positions(above, '|') != [first] || plus.len() > 2 || header.label.is_empty() {
        return None;
    }
    let before: String = above.chars().take(first).collect();
    let variable: String = above.chars().skip(first + 1).collect();
    let variable = variable.trim();
    // `tabulate x, summarize(y)` heads its statistics the same way: not frequencies.
    if !before.trim().is_empty() || variable.is_empty() || variable.starts_with("Summary of") {
        return None;
    }
    // Every frequency line has its numbers at the same positions; percentage lines too.
    let mut ends: Option<Vec<usize>> = None;
    let mut counted = Vec::new();
    for (line, row) in body {
        let words = row.words.concat();
        if words.is_empty() {
            continue; // the blank line between rows of several lines
        }
        let row_ends: Vec<usize> = words.iter().map(|(_, e)| *e).collect();
        if ends.get_or_insert_with(|| row_ends.clone()) != &row_ends {
            return None;
        }
        if words.iter().all(|(w, _)| is_count(w)) && !row.label.is_empty() {
            let mut cells = vec![row.label.clone()];
            cells.extend(words.into_iter().map(|(w, _)| w));
            counted.push((*line, cells));
        } else if !words.iter().all(|(w, _)| is_decimal(w)) {
            return None;
        }
    }
    let ends = ends?;
    let labels = labels_by_column(&header.words.concat(), &ends)?;
    if labels
        .iter()
        .any(|l| STATISTIC_HEADERS.contains(&l.as_str()))
    {
        return None;
    }
    // With a Total column, it is the last segment's only column.
    if plus.len() == 2 && header.words.last().map(Vec::len) != Some(1)
        || plus.len() == 2 && labels.last().map(String::as_str) != Some("Total")
    {
        return None;
    }
    // Two header rows: the values named with their variable (`complication = 1`: a bare
    // `1` would read as a number, not a header), then `Freq.` under each, so that a
    // variable or value named like a label (`sex`, `Age 18-39`) does not make its column
    // labels, and cells that happen to add up to 100 are not read as percentages.
    let mut values = vec![String::new()];
    values.extend(labels.iter().map(|l| {
        if l == "Total" {
            l.clone()
        } else {
            format!("{variable} = {l}")
        }
    }));
    let mut head = vec![header.label];
    head.extend(labels.iter().map(|_| "Freq.".to_string()));
    let mut rows = vec![(header_at.saturating_sub(1), values), (header_at, head)];
    rows.extend(counted);
    (rows.len() >= 3).then_some(rows)
}

/// The words of a line with the character positions where each starts and ends.
fn words(line: &str) -> Vec<(String, usize, usize)> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut start = 0;
    for (i, c) in line.chars().chain([' ']).enumerate() {
        if c.is_whitespace() {
            if !word.is_empty() {
                words.push((std::mem::take(&mut word), start, i));
            }
        } else {
            if word.is_empty() {
                start = i;
            }
            word.push(c);
        }
    }
    words
}

/// R's printed two-way `table()` and `xtabs()` tables, each as two header rows and one
/// row per row label, with its one-based line.
pub fn r_tables(text: &str) -> Vec<Rows> {
    let lines: Vec<&str> = text.lines().collect();
    let mut tables = Vec::new();
    let mut at = 1;
    while at + 2 < lines.len() {
        match read_r_table(&lines, at) {
            Some((rows, end)) => {
                tables.push(rows);
                at = end;
            }
            None => at += 1,
        }
    }
    tables
}

/// Reads the R table whose header line is line `header_at` (zero-based): its rows and the
/// line after it, or `None` when the lines there are not one.
fn read_r_table(lines: &[&str], header_at: usize) -> Option<(Rows, usize)> {
    let row = lines.get(header_at + 1)?;
    if !row.starts_with("  ") || row[2..].starts_with(char::is_whitespace) {
        return None; // most lines of a log: settled before any allocation
    }
    let above = *lines.get(header_at.checked_sub(1)?)?;
    let header = words(lines.get(header_at)?);
    let (row_variable, values) = match header.split_first() {
        Some((first, rest)) if first.1 == 0 => (first.0.as_str(), rest),
        _ => ("", header.as_slice()),
    };
    let first_value = values.first()?.1;
    let name_end = if row_variable.is_empty() {
        2
    } else {
        row_variable.len()
    };
    // The column variable's name, or spaces only where R names no dimensions.
    let indent = above.chars().take_while(|c| *c == ' ').count();
    let column_variable = words(above);
    let named_above = match column_variable.as_slice() {
        [] => !above.is_empty() && row_variable.is_empty(),
        [(_, start, _)] => indent >= 1 && *start >= name_end && *start <= first_value,
        _ => false,
    };
    if values.len() < 2 || !named_above {
        return None;
    }
    let ends: Vec<usize> = values.iter().map(|(_, _, end)| *end).collect();
    let mut rows = Vec::new();
    let mut end = header_at + 1;
    while let Some(line) = lines.get(end) {
        let Some(cells) = r_row(line, &ends, first_value) else {
            break;
        };
        rows.push((end as u64 + 1, cells));
        end += 1;
    }
    if rows.len() < 2 {
        return None;
    }
    let column_variable = column_variable.first().map_or("", |(w, _, _)| w.as_str());
    let mut top = vec![String::new()];
    top.extend(values.iter().map(|(value, _, _)| {
        let numeric = value
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
        match (column_variable, numeric) {
            ("", false) => value.clone(),
            ("", true) => format!("= {value}"),
            (name, _) => format!("{name} = {value}"),
        }
    }));
    let mut head = vec![row_variable.to_string()];
    head.extend(values.iter().map(|_| "n".to_string()));
    let mut table = vec![(header_at as u64, top), (header_at as u64 + 1, head)];
    table.extend(rows);
    Some((table, end))
}

/// One row of an R table: two spaces, a label ending before the first column, and whole
/// numbers ending where the header's values end.
fn r_row(line: &str, ends: &[usize], first_value: usize) -> Option<Vec<String>> {
    let indented = line.starts_with("  ") && !line[2..].starts_with(char::is_whitespace);
    let found = words(line);
    let cells = found.len().checked_sub(ends.len())?;
    let (label, numbers) = found.split_at(cells);
    let aligned = numbers
        .iter()
        .zip(ends)
        .all(|((word, _, end), e)| end == e && word.bytes().all(|b| b.is_ascii_digit()));
    let label_end = label.last().map_or(0, |(_, _, end)| *end);
    if !indented || label.is_empty() || !aligned || label_end >= first_value {
        return None;
    }
    let text = label.iter().map(|(w, _, _)| w.as_str()).collect::<Vec<_>>();
    let mut cells = vec![text.join(" ")];
    cells.extend(numbers.iter().map(|(w, _, _)| w.clone()));
    Some(cells)
}

/// Turns SMCL, the markup of Stata's `.smcl` logs, into the text Stata prints, line for
/// line: `{c |}` and `{c +}` become `|` and `+`, `{hline N}` N dashes, `{space N}` N
/// spaces, `{col N}` spaces up to column N, `{ralign N:text}` and its kin the text aligned
/// in N columns, and other directives (`{txt}`, `{res}`, `{com}`, …) nothing.
///
/// Limitation: nested directives and SMCL's `{c ...}` box characters other than `|`, `+`
/// and `-` are not drawn; the lines they are on are not read as tables.
pub fn smcl_to_text(smcl: &str) -> String {
    let mut out = String::with_capacity(smcl.len());
    for (n, line) in smcl.lines().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let start = out.len();
        let mut rest = line;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                rest = "";
                break;
            };
            directive(&after[..close], start, &mut out);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
    }
    out
}

/// Longest run a directive may draw: `{hline 999999999}` must not allocate gigabytes.
const MAX_DRAWN: usize = 1024;

fn directive(inner: &str, line_start: usize, out: &mut String) {
    let (name, argument) = match inner.split_once(':') {
        Some((head, text)) => (head, Some(text)),
        None => (inner, None),
    };
    let mut words = name.split_whitespace();
    let word = words.next().unwrap_or("");
    let number = words
        .next()
        .and_then(|n| n.parse::<usize>().ok())
        .map(|n| n.min(MAX_DRAWN));
    let repeat = |c: char, n: usize, out: &mut String| out.extend(std::iter::repeat_n(c, n));
    match (word, argument) {
        ("c", None) => out.push(match name.split_whitespace().nth(1) {
            Some("|") => '|',
            Some("+") => '+',
            Some("-") => '-',
            _ => '?',
        }),
        ("hline", None) => repeat('-', number.unwrap_or(1), out),
        ("space", None) => repeat(' ', number.unwrap_or(1), out),
        ("col", None) => {
            let column = out[line_start..].chars().count();
            let target = number.unwrap_or(1).saturating_sub(1);
            repeat(' ', target.saturating_sub(column), out);
        }
        ("ralign" | "lalign" | "center", Some(text)) => {
            let width = number.unwrap_or(0);
            let gap = width.saturating_sub(text.chars().count());
            let left = match word {
                "ralign" => gap,
                "center" => gap / 2,
                _ => 0,
            };
            repeat(' ', left, out);
            out.push_str(text);
            repeat(' ', gap - left, out);
        }
        (_, Some(text)) => out.push_str(text),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &Rows) -> Vec<(u64, Vec<&str>)> {
        rows.iter()
            .map(|(line, cells)| (*line, cells.iter().map(String::as_str).collect()))
            .collect()
    }

    const TWO_WAY: &str = "\
. tabulate region complication

           |     complication
    region |         0          1 |     Total
-----------+----------------------+----------
    London |       728          4 |       732
  Midlands |       670         12 |       682
-----------+----------------------+----------
     Total |     1,398         16 |     1,414
";

    #[test]
    fn a_two_way_tabulate_reads_as_its_frequencies() {
        let tables = stata_tables(TWO_WAY);
        assert_eq!(tables.len(), 1);
        assert_eq!(
            texts(&tables[0]),
            [
                (3, vec!["", "complication = 0", "complication = 1", "Total"]),
                (4, vec!["region", "Freq.", "Freq.", "Freq."]),
                (6, vec!["London", "728", "4", "732"]),
                (7, vec!["Midlands", "670", "12", "682"]),
                (9, vec!["Total", "1,398", "16", "1,414"]),
            ]
        );
    }

    #[test]
    fn percentage_lines_are_skipped_and_labels_with_spaces_kept() {
        let text = "\
. tabulate ageband smoking, row col

           |   smoking status
  age band |     Never  Not known |     Total
-----------+----------------------+----------
     18-39 |       120          3 |       123
           |     97.56       2.44 |    100.00
           |     55.56      27.27 |     54.19
           |                      |
     40-59 |        96          8 |       104
           |     92.31       7.69 |    100.00
           |     44.44      72.73 |     45.81
-----------+----------------------+----------
     Total |       216         11 |       227
           |     95.15       4.85 |    100.00
           |    100.00     100.00 |    100.00
";
        let tables = stata_tables(text);
        assert_eq!(
            texts(&tables[0]),
            [
                (
                    3,
                    vec![
                        "",
                        "smoking status = Never",
                        "smoking status = Not known",
                        "Total"
                    ]
                ),
                (4, vec!["age band", "Freq.", "Freq.", "Freq."]),
                (6, vec!["18-39", "120", "3", "123"]),
                (10, vec!["40-59", "96", "8", "104"]),
                (14, vec!["Total", "216", "11", "227"]),
            ]
        );
    }

    #[test]
    fn a_one_way_tabulate_keeps_its_three_columns() {
        let text = "\
. tabulate region

     region |      Freq.     Percent        Cum.
------------+-----------------------------------
     London |        732       51.77       51.77
   Midlands |        682       48.23      100.00
------------+-----------------------------------
      Total |      1,414      100.00
";
        let tables = stata_tables(text);
        assert_eq!(
            texts(&tables[0]),
            [
                (3, vec!["region", "Freq.", "Percent", "Cum."]),
                (5, vec!["London", "732", "51.77", "51.77"]),
                (6, vec!["Midlands", "682", "48.23", "100.00"]),
                (8, vec!["Total", "1,414", "100.00"]),
            ]
        );
    }

    #[test]
    fn estimation_and_summary_output_is_not_a_tabulate() {
        let text = "\
. regress y x

      Source |       SS           df       MS      Number of obs   =     1,414
-------------+----------------------------------   F(1, 1412)      =      3.21
       Model |  12.3456789         1  12.3456789   Prob > F        =    0.0734
    Residual |  5432.10987     1,412  3.84710331   R-squared       =    0.0023
-------------+----------------------------------   Adj R-squared   =    0.0016
       Total |  5444.45555     1,413  3.85311787   Root MSE        =    1.9614

------------------------------------------------------------------------------
           y | Coefficient  Std. err.      t    P>|t|     [95% conf. interval]
-------------+----------------------------------------------------------------
           x |   .0912345   .0509123     1.79   0.073    -.0086345    .1911035
       _cons |   2.345678   .0723456    32.42   0.000     2.203765    2.487591
------------------------------------------------------------------------------

. summarize age

    Variable |        Obs        Mean    Std. dev.       Min        Max
-------------+---------------------------------------------------------
         age |      1,414    52.31888    14.01234         18         90

. tabstat los, stats(n min max)

    Variable |         N       Min       Max
-------------+------------------------------
         los |         4         1        38
--------------------------------------------
";
        assert!(stata_tables(text).is_empty());
    }

    #[test]
    fn misaligned_or_malformed_blocks_are_not_read() {
        // A `|` off the rule's `+`, a word past the last column, a non-number.
        for text in [
            "       |  a\n  x    |  1  2 | 3\n-------+------+---\n  r    |  1  2 | 3\n",
            "     |  a\n   x |  1  2 wide\n-----+------\n   r |  1  2\n   s |  3  4\n",
            "     |  a\n   x |  1  2\n-----+------\n   r |  1  b\n",
            "----+----\n",
            "|\n-+-\n",
            "\u{e9}|\u{e9}\n-----+-----\n\u{e9}|1\n",
        ] {
            assert!(stata_tables(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn an_r_table_with_dimension_names_reads_as_its_counts() {
        let text = "> with(cohort, table(region, complication))\n\
            \x20         complication\n\
            region       0   1\n\
            \x20 London   728   4\n\
            \x20 Midlands 670  12\n\
            > xtabs(~ a + b, d)\n\
            \x20  \n\
            \x20   x y\n\
            \x20 a 1 2\n\
            \x20 b 3 4\n";
        let tables = r_tables(text);
        assert_eq!(tables.len(), 2);
        assert_eq!(
            texts(&tables[0]),
            [
                (2, vec!["", "complication = 0", "complication = 1"]),
                (3, vec!["region", "n", "n"]),
                (4, vec!["London", "728", "4"]),
                (5, vec!["Midlands", "670", "12"]),
            ]
        );
        assert_eq!(
            texts(&tables[1]),
            [
                (7, vec!["", "x", "y"]),
                (8, vec!["", "n", "n"]),
                (9, vec!["a", "1", "2"]),
                (10, vec!["b", "3", "4"]),
            ]
        );
    }

    #[test]
    fn aligned_numbers_that_are_not_an_r_table_are_left_alone() {
        for text in [
            // One-way table, quantiles and summaries: printed across, no row labels.
            "> table(region)\nregion\n  London Midlands \n     732      682 \n",
            "> quantile(los)\n  0%  25%  50%  75% 100% \n   1    2    4    6   38 \n",
            // A data frame: row names at the margin; no line above naming the columns.
            "> head(d)\n  region   n\n1 London 732\n2 Midlands 682\n",
            "Folds:\n       train test\n  fold1   800  200\n  fold2   800  200\n",
            // Decimals, a misaligned number, a label running into the numbers.
            "   \n    a    b\n  x 1.5  2.0\n  y 3.0  4.0\n",
            "   \n    a  b\n  x 1   2\n  y 3   4\n",
            "      v\nr     a  b\n  longlabel 1  2\n  y    3  4\n",
        ] {
            assert!(r_tables(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_long_block_of_rules_is_scanned_once() {
        // Every other line a rule under a header-like line: quadratic if each rule rescanned
        // the block, so this must return at once.
        let text = "   a |  1\n-----+---\n".repeat(100_000);
        assert!(stata_tables(&text).is_empty());
    }

    #[test]
    fn counts_and_decimals_as_stata_prints_them() {
        assert!(is_count("1,398") && is_count("4") && is_count("12,345,678"));
        assert!(!is_count("1,39") && !is_count("1234,567") && !is_count("") && !is_count("-1"));
        assert!(is_decimal("99.45") && is_decimal(".5") && !is_decimal("4") && !is_decimal("1."));
    }

    #[test]
    fn smcl_turns_into_the_printed_text() {
        let smcl = "{smcl}\n{com}. tabulate region\n\n{txt}{ralign 6:region}{c |}{col 10}x\n\
            {hline 6}{c +}{hline 4}\n{res}{space 2}a{txt}{c |}{res}{hline 99999999999}";
        let text = smcl_to_text(smcl);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "");
        assert_eq!(lines[1], ". tabulate region");
        assert_eq!(lines[3], "region|  x");
        assert_eq!(lines[4], "------+----");
        assert_eq!(lines[5].len(), 4 + MAX_DRAWN);
        assert_eq!(smcl_to_text("{unclosed"), "{unclosed");
    }

    #[test]
    fn pipe_and_stata_tables_are_numbered_in_order() {
        let key = "+-----+\n| Key |\n|-----|\n| freq |\n+-----+\n";
        let text = format!("| a | n |\n|---|---|\n| x | 1 |\n{key}\n{TWO_WAY}");
        let found = tables(&text, false);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0][0].0, 1);
        assert_eq!(found[1][0].0, 12);
    }
}
