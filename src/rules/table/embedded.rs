//! Tables inside documents and text: HTML `<table>` elements (web pages, notebook outputs)
//! and Markdown pipe tables (Markdown files, notebook Markdown cells and outputs).
//!
//! A crosstab printed by `pd.crosstab(...)` in a notebook, or typed into a results section of
//! a Markdown report, discloses exactly as the same crosstab saved as a CSV. So each such
//! table is read into a [`Grid`] named after its place (`cell2/output0 table 1`, `table 3`)
//! and judged by [`check_grid`]: the same rules, thresholds and evidence as any CSV, with the
//! findings on the file that holds the table.
//!
//! Tables that are not data (a one-row layout table, navigation) have no body of two rows of
//! two cells and are left alone rather than reported unreadable. A pandas default index (an
//! empty corner cell over 0, 1, 2, …) is dropped: it numbers rows, it counts nobody.
//!
//! Word and OpenDocument text tables are read by [`office`](super::office), and the console
//! tables of logs and plain text (Stata's `tabulate`, pipe tables) by
//! [`console`](super::console), and judged the same way.
//!
//! Limitation: tables in PDFs and slides are not rebuilt (their text goes to the text rules
//! only), and a cell holding a nested table keeps only the nested table's own check.

use memchr::memchr;
use serde_json::Value;

use super::grid::{self, Grid};
use super::{check_grid, console, layout, office};
use crate::identify::{Class, Format};
use crate::inspect::Inspected;
use crate::policy::Policy;
use crate::rules::{document, Findings};

/// Largest `colspan` or `rowspan` honoured: a malicious span must not make a grid of
/// billions of empty cells.
pub(super) const MAX_SPAN: usize = 256;

/// Extensions of Markdown files, whose pipe tables are read.
const MARKDOWN: &[&str] = &["md", "markdown", "rmd", "qmd"];

/// Runs the table rules on every table inside a web page, notebook or Markdown file.
pub(super) fn check(file: &Inspected, content: &[u8], policy: &Policy, out: &mut Findings) {
    let markdown = file
        .extension
        .as_deref()
        .is_some_and(|e| MARKDOWN.contains(&e));
    let console = file
        .extension
        .as_deref()
        .is_some_and(|e| console::EXTENSIONS.contains(&e));
    let grids = match file.identity.format {
        Format::Html => named(html_tables(&grid::decode(content).0), ""),
        Format::Notebook => notebook_tables(content),
        f if document::has_tables(f) => return office::check(file, policy, out),
        _ if file.class() == Class::Text && markdown => {
            named(pipe_tables(&grid::decode(content).0), "")
        }
        Format::Text if console => {
            let smcl = file.extension.as_deref() == Some("smcl");
            named(console::tables(&grid::decode(content).0, smcl), "")
        }
        _ => return,
    };
    for grid in grids {
        if is_data_table(&grid) {
            check_grid(&grid, policy, out);
        }
    }
}

/// A grid of at least two columns in which the layout finds a table body.
pub(super) fn is_data_table(grid: &Grid) -> bool {
    (0..grid.rows()).any(|r| grid.filled(r) >= 2) && layout::understand(grid).is_some()
}

/// One table as read: its rows, each with the one-based line it starts on.
pub(super) type Rows = Vec<(u64, Vec<String>)>;

/// Grids named `{prefix}table N` (one-based), for the findings' chunk.
pub(super) fn named(tables: Vec<Rows>, prefix: &str) -> Vec<Grid> {
    tables
        .into_iter()
        .enumerate()
        .map(|(index, rows)| {
            let mut grid = Grid::named(Some(format!("{prefix}table {}", index + 1)));
            for (line, cells) in drop_range_index(fold_index_name(rows)) {
                grid.push_row(line, cells.iter().map(String::as_str));
            }
            grid
        })
        .collect()
}

/// Folds pandas' index-name row into the header: `pd.crosstab(age, sex)` prints the columns'
/// name (`sex`) over the index name (`age_band`) on a row of its own, empty elsewhere, where
/// a CSV export has one header row `age_band, F, M`. Without the fold the layout would see
/// a header cut off from the body and call the columns `column N`.
fn fold_index_name(mut rows: Rows) -> Rows {
    let filled = |cells: &[String]| cells.iter().filter(|c| !c.is_empty()).count();
    let found = (1..rows.len().min(3)).find(|&i| {
        let (Some((_, above)), Some((_, row))) = (rows.get(i - 1), rows.get(i)) else {
            return false;
        };
        row.len() == above.len()
            && row.len() >= 2
            && row.first().is_some_and(|c| !c.is_empty())
            && filled(row) == 1
            && filled(above) >= 2
    });
    if let Some(i) = found {
        let (_, row) = rows.remove(i);
        if let (Some((_, above)), Some(name)) = (rows.get_mut(i - 1), row.into_iter().next()) {
            if let Some(corner) = above.first_mut() {
                *corner = name;
            }
        }
    }
    rows
}

/// Drops a pandas default index: a first column whose header cells are empty and whose body
/// cells read 0, 1, 2, … in order. Tables without one are returned unchanged.
fn drop_range_index(mut rows: Rows) -> Rows {
    let first = |cells: &Vec<String>| cells.first().map_or("", |c| c.as_str()).to_string();
    let header = rows
        .iter()
        .take_while(|(_, cells)| first(cells).is_empty())
        .count();
    let body = rows.get(header..).unwrap_or(&[]);
    let counting = body.len() >= 2
        && header >= 1
        && body
            .iter()
            .enumerate()
            .all(|(i, (_, cells))| first(cells) == i.to_string());
    if counting {
        for (_, cells) in &mut rows {
            if !cells.is_empty() {
                cells.remove(0);
            }
        }
    }
    rows
}

/// The tables of a notebook: HTML tables of each output's `text/html` (or pipe tables of its
/// `text/markdown`), and pipe tables of Markdown cells. Empty when the notebook is not JSON:
/// the document rules report that.
fn notebook_tables(content: &[u8]) -> Vec<Grid> {
    let Ok(notebook) = serde_json::from_slice::<Value>(content) else {
        return Vec::new();
    };
    let cells = notebook["cells"].as_array().map_or(&[][..], Vec::as_slice);
    let mut grids = Vec::new();
    for (c, cell) in cells.iter().enumerate() {
        if cell["cell_type"] == "markdown" {
            let source = multiline(&cell["source"]);
            grids.extend(named(pipe_tables(&source), &format!("cell{c}/markdown ")));
        }
        let outputs = cell["outputs"].as_array().map_or(&[][..], Vec::as_slice);
        for (o, output) in outputs.iter().enumerate() {
            let prefix = format!("cell{c}/output{o} ");
            let html = multiline(&output["data"]["text/html"]);
            let tables = if html.is_empty() {
                pipe_tables(&multiline(&output["data"]["text/markdown"]))
            } else {
                html_tables(&html)
            };
            grids.extend(named(tables, &prefix));
        }
    }
    grids
}

/// nbformat's multiline strings: a string, or a list of strings to be concatenated.
fn multiline(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

/// Markdown pipe tables (GitHub Flavored Markdown): a header row, a delimiter row of
/// `---`, `:--`, `--:` or `:-:` cells with as many cells, then the rows that follow until a
/// blank line or a line with no `|`.
pub fn pipe_tables(text: &str) -> Vec<Rows> {
    let lines: Vec<&str> = text.lines().collect();
    let mut tables = Vec::new();
    let mut at = 0;
    while at + 1 < lines.len() {
        let header = lines.get(at).copied().unwrap_or("");
        let delimiter = lines.get(at + 1).copied().unwrap_or("");
        let is_table = header.contains('|')
            && delimiter.contains('|')
            && is_delimiter_row(delimiter)
            && split_pipe_row(delimiter).len() == split_pipe_row(header).len();
        if !is_table {
            at += 1;
            continue;
        }
        let head = split_pipe_row(header);
        let mut rows = vec![(at as u64 + 1, head)];
        at += 2;
        while let Some(line) = lines.get(at) {
            if line.trim().is_empty() || !line.contains('|') {
                break;
            }
            rows.push((at as u64 + 1, split_pipe_row(line)));
            at += 1;
        }
        tables.push(rows);
    }
    tables
}

/// The cells of a pipe-table row: outer pipes dropped, `\|` kept as a literal pipe, and
/// emphasis or code marks around a whole cell (`**3**`, `` `3` ``) removed.
fn split_pipe_row(line: &str) -> Vec<String> {
    let mut line = line.trim();
    line = line.strip_prefix('|').unwrap_or(line);
    if line.ends_with('|') && !line.ends_with("\\|") {
        line = &line[..line.len() - 1];
    }
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells
        .into_iter()
        .map(|c| {
            let c = c.trim();
            let bare = c.trim_matches(['*', '`', '_']);
            if bare.is_empty() { c } else { bare }.trim().to_string()
        })
        .collect()
}

/// A delimiter row: every cell is dashes with optional colons at either end.
fn is_delimiter_row(line: &str) -> bool {
    split_pipe_row(line).iter().all(|cell| {
        let inner = cell.strip_prefix(':').unwrap_or(cell);
        let inner = inner.strip_suffix(':').unwrap_or(inner);
        !inner.is_empty() && inner.bytes().all(|b| b == b'-')
    })
}

/// One cell being read: its text, and how many columns and rows it spans.
struct Cell {
    text: String,
    columns: usize,
    rows: usize,
}

/// One row being read.
struct Row {
    line: u64,
    cells: Vec<Cell>,
}

/// A `<table>` being read; tables nest, so these are kept on a stack.
#[derive(Default)]
struct Open {
    rows: Vec<Row>,
    cell: Option<Cell>,
}

impl Open {
    fn end_cell(&mut self) {
        if let Some(cell) = self.cell.take() {
            if let Some(row) = self.rows.last_mut() {
                row.cells.push(cell);
            }
        }
    }

    fn start_row(&mut self, line: u64) {
        self.end_cell();
        self.rows.push(Row {
            line,
            cells: Vec::new(),
        });
    }

    /// Lays the cells out on a grid: a cell spanning columns or rows leaves empty cells in
    /// the places it covers, as a merged cell of a spreadsheet does.
    fn finish(mut self) -> Rows {
        self.end_cell();
        let mut pending: Vec<usize> = Vec::new(); // rows still covered, per column
        let mut laid = Vec::with_capacity(self.rows.len());
        for row in self.rows {
            let mut cells = Vec::new();
            let mut column = 0;
            for cell in row.cells {
                while take_covered(&mut pending, column) {
                    cells.push(String::new());
                    column += 1;
                }
                cells.push(collapse(&cell.text));
                for _ in 1..cell.columns {
                    cells.push(String::new());
                }
                let end = column + cell.columns;
                if pending.len() < end {
                    pending.resize(end, 0);
                }
                for left in pending.iter_mut().take(end).skip(column) {
                    *left = cell.rows - 1;
                }
                column = end;
            }
            // Columns to the right still covered from above use up one row too.
            while column < pending.len() {
                take_covered(&mut pending, column);
                column += 1;
            }
            laid.push((row.line, cells));
        }
        laid
    }
}

/// True, counting one row used, when `column` is covered by a cell spanning rows above.
fn take_covered(pending: &mut [usize], column: usize) -> bool {
    match pending.get_mut(column) {
        Some(left) if *left > 0 => {
            *left -= 1;
            true
        }
        _ => false,
    }
}

/// Every `<table>` of an HTML text, innermost first when they nest, each row with the line
/// of its `<tr>`. Tags are matched case-insensitively; comments, scripts and styles are
/// skipped; the common character references are decoded. Never fails: malformed markup
/// gives fewer or smaller tables.
pub fn html_tables(html: &str) -> Vec<Rows> {
    let bytes = html.as_bytes();
    let mut tables = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut line = 1u64;
    let mut at = 0;
    while let Some(offset) = memchr(b'<', bytes.get(at..).unwrap_or(&[])) {
        let lt = at + offset;
        let text = html.get(at..lt).unwrap_or("");
        line += newlines(text);
        if let Some(cell) = stack.last_mut().and_then(|t| t.cell.as_mut()) {
            decode_into(text, &mut cell.text);
        }
        let rest = html.get(lt..).unwrap_or("");
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(html.len(), |e| lt + e + 3);
            line += newlines(html.get(lt..end).unwrap_or(""));
            at = end;
            continue;
        }
        let Some(close) = memchr(b'>', bytes.get(lt..).unwrap_or(&[])) else {
            break;
        };
        let gt = lt + close;
        let tag = html.get(lt + 1..gt).unwrap_or("");
        line += newlines(tag);
        at = gt + 1;
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .take(16)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match name.as_str() {
            "script" | "style" => {
                let end = closing_tag(bytes, at, name.as_bytes());
                line += newlines(html.get(at..end).unwrap_or(""));
                at = end;
            }
            "table" => stack.push(Open::default()),
            "/table" => {
                if let Some(open) = stack.pop() {
                    tables.push(open.finish());
                }
            }
            "tr" => {
                if let Some(open) = stack.last_mut() {
                    open.start_row(line);
                }
            }
            "/tr" | "/thead" | "/tbody" | "/tfoot" => {
                if let Some(open) = stack.last_mut() {
                    open.end_cell();
                }
            }
            "td" | "th" => {
                if let Some(open) = stack.last_mut() {
                    open.end_cell();
                    if open.rows.is_empty() {
                        open.start_row(line);
                    }
                    open.cell = Some(Cell {
                        text: String::new(),
                        columns: span(tag, "colspan"),
                        rows: span(tag, "rowspan"),
                    });
                }
            }
            "/td" | "/th" => {
                if let Some(open) = stack.last_mut() {
                    open.end_cell();
                }
            }
            "br" | "p" | "/p" | "div" | "/div" | "li" => {
                if let Some(cell) = stack.last_mut().and_then(|t| t.cell.as_mut()) {
                    cell.text.push(' ');
                }
            }
            _ => {}
        }
    }
    // Tables left open at the end of the text are read as far as they go.
    if let Some(cell) = stack.last_mut().and_then(|t| t.cell.as_mut()) {
        decode_into(html.get(at..).unwrap_or(""), &mut cell.text);
    }
    while let Some(open) = stack.pop() {
        tables.push(open.finish());
    }
    tables
}

/// Where the closing tag `</name` (any case) starts at or after `from`, or the end of the
/// text. Linear: a page of many scripts must not be searched from each to the end in a
/// lowercased copy.
fn closing_tag(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut at = from;
    while let Some(offset) = memchr::memmem::find(bytes.get(at..).unwrap_or(&[]), b"</") {
        let start = at + offset;
        let after = start + 2;
        let matches = bytes
            .get(after..after + name.len())
            .is_some_and(|tag| tag.eq_ignore_ascii_case(name));
        if matches {
            return start;
        }
        at = after;
    }
    bytes.len()
}

fn newlines(text: &str) -> u64 {
    memchr::memchr_iter(b'\n', text.as_bytes()).count() as u64
}

/// The `colspan` or `rowspan` of a cell's tag, 1 when absent or unreadable, at most
/// [`MAX_SPAN`].
fn span(tag: &str, name: &str) -> usize {
    crate::rules::document::attributes(tag)
        .into_iter()
        .find(|(key, _)| key == name)
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .map_or(1, |n| n.clamp(1, MAX_SPAN))
}

/// Appends `text` with the common character references decoded.
fn decode_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        // A reference is short: look for its `;` in the next few bytes only, so that text
        // full of `&` and no `;` stays linear.
        let end = after.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|e| reference(&after[1..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
}

/// The character a reference such as `amp`, `nbsp` or `#8722` names.
fn reference(name: &str) -> Option<char> {
    let code = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "minus" => '-',
        _ => {
            let number = name.strip_prefix('#')?;
            let value = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            return char::from_u32(value);
        }
    };
    Some(code)
}

/// Whitespace runs collapsed to one space, trimmed.
pub(super) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &Rows) -> Vec<Vec<&str>> {
        rows.iter()
            .map(|(_, cells)| cells.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn a_pandas_crosstab_reads_as_its_cells() {
        let html = "<table border=\"1\" class=\"dataframe\">\n<thead>\n\
            <tr style=\"text-align: right;\"><th>sex</th><th>F</th><th>M</th></tr>\n\
            <tr><th>age_band</th><th></th><th></th></tr>\n</thead>\n<tbody>\n\
            <tr><th>18-39</th><td>112</td><td>97</td></tr>\n\
            <tr><th>60-79</th><td>88</td><td>3</td></tr>\n</tbody>\n</table>";
        let tables = html_tables(html);
        assert_eq!(tables.len(), 1);
        assert_eq!(
            texts(&tables[0]),
            [
                vec!["sex", "F", "M"],
                vec!["age_band", "", ""],
                vec!["18-39", "112", "97"],
                vec!["60-79", "88", "3"],
            ]
        );
        let lines: Vec<u64> = tables[0].iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [3, 4, 7, 8]);
    }

    #[test]
    fn spans_leave_empty_cells_where_they_cover() {
        let html = "<TABLE><TR><TH COLSPAN=2>Female</TH><TH>Male</TH></TR>\
            <tr><td rowspan='2'>a</td><td>1</td><td>2</td></tr>\
            <tr><td>3</td><td>4</td></tr><tr><td>5</td><td>6</td></tr></table>";
        assert_eq!(
            texts(&html_tables(html)[0]),
            [
                vec!["Female", "", "Male"],
                vec!["a", "1", "2"],
                vec!["", "3", "4"],
                vec!["5", "6"],
            ]
        );
    }

    #[test]
    fn references_comments_scripts_and_nesting() {
        let html = "<table><!-- <tr><td>9</td></tr> --><tr><td>A&amp;E&nbsp;</td>\
            <td>&#8722;1 &#x3c; 2 &bogus; &</td></tr><script>'<tr><td>7</b>'</SCRIPT>\
            <tr><td><table><tr><td>in</td><td>1</td></tr></table>out</td></tr></table>";
        let tables = html_tables(html);
        assert_eq!(tables.len(), 2);
        assert_eq!(texts(&tables[0]), [vec!["in", "1"]]);
        assert_eq!(
            texts(&tables[1]),
            [vec!["A&E", "\u{2212}1 < 2 &bogus; &"], vec!["out"]]
        );
    }

    #[test]
    fn malformed_markup_never_panics() {
        for html in [
            "<table",
            "<table><td>1<td>2<tr><td>3",
            "<table><tr><td colspan=99999999999>x</td></tr>",
            "<table><tr><td rowspan=1000>x</td></tr></table>",
            "</table></tr><td>é<",
            "<table><tr><td>\u{1F600}&#xFFFFFFFF;&#;&;</td></tr></table>",
        ] {
            let _ = html_tables(html);
        }
        // Many `&` with no `;` and many scripts: linear, so this returns at once.
        let hostile = format!(
            "<table><tr><td>{}",
            "&amp &<script>x</script>".repeat(100_000)
        );
        assert_eq!(html_tables(&hostile).len(), 1);
        let tables = html_tables("<table><td>1<td>2<tr><td>3");
        assert_eq!(texts(&tables[0]), [vec!["1", "2"], vec!["3"]]);
        let wide = html_tables("<table><tr><td colspan=99999>x</td><td>1</td></tr></table>");
        assert_eq!(wide[0][0].1.len(), MAX_SPAN + 1);
    }

    #[test]
    fn pipe_tables_need_a_delimiter_row_of_the_same_width() {
        let text = "Intro | not a table\n\n| group | n |\n|:---|---:|\n| **A** | 12 |\n\
            B \\| C | `3`\n\nafter\n| a | b |\n|---|\n| 1 | 2 |\n";
        let tables = pipe_tables(text);
        assert_eq!(tables.len(), 1);
        assert_eq!(
            texts(&tables[0]),
            [vec!["group", "n"], vec!["A", "12"], vec!["B | C", "3"]]
        );
        assert_eq!(tables[0][2].0, 6);
        assert!(pipe_tables("a | b\n--- | ---\n1 | 2").len() == 1);
        assert!(pipe_tables("cat x | grep y\nls | wc -l\n").is_empty());
    }

    #[test]
    fn an_index_name_row_is_folded_into_the_header() {
        let rows = |table: &[&[&str]]| -> Rows {
            table
                .iter()
                .enumerate()
                .map(|(i, r)| (i as u64 + 1, r.iter().map(|c| c.to_string()).collect()))
                .collect()
        };
        let crosstab = rows(&[
            &["sex", "F", "M"],
            &["age_band", "", ""],
            &["18-39", "1", "2"],
        ]);
        assert_eq!(
            texts(&fold_index_name(crosstab)),
            [["age_band", "F", "M"], ["18-39", "1", "2"]]
        );
        // A section label in the body is not an index name.
        let body = rows(&[&["a", "F"], &["1", "2"], &["3", "4"], &["Notes", ""]]);
        assert_eq!(fold_index_name(body).len(), 4);
    }

    #[test]
    fn a_range_index_is_dropped_and_a_real_first_column_kept() {
        let rows = |first: [&str; 3]| -> Rows {
            first
                .iter()
                .enumerate()
                .map(|(i, f)| (i as u64 + 1, vec![f.to_string(), "x".to_string()]))
                .collect()
        };
        assert_eq!(texts(&drop_range_index(rows(["", "0", "1"]))), [["x"]; 3]);
        let kept = drop_range_index(rows(["", "1", "2"]));
        assert_eq!(texts(&kept)[1], ["1", "x"]);
        let kept = drop_range_index(rows(["id", "0", "1"]));
        assert_eq!(texts(&kept)[0], ["id", "x"]);
    }
}
