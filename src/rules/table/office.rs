//! Tables inside Word (`.docx`, `.docm`) and OpenDocument text (`.odt`) documents.
//!
//! A Word report is the usual final output of a TRE project, and its results table discloses
//! exactly as the same table saved as a CSV. So, as [`embedded`](super::embedded) does for
//! HTML, each table of the body, headers, footers and notes is rebuilt as a grid named after
//! its place (`table 2` in the body, `word/header1.xml table 1` elsewhere) and judged by
//! [`check_grid`], with the findings on the document. A finding's line is the one-based row
//! of the table, as a spreadsheet's is the row of its sheet: a line of `document.xml` means
//! nothing to a reader.
//!
//! WordprocessingML: `w:tbl` > `w:tr` > `w:tc`. A cell's text is its `w:t` runs, paragraphs
//! and tabs read as spaces. A cell spanning grid columns (`w:gridSpan`) leaves empty cells in
//! the columns it covers, as a merged cell of a spreadsheet does; a vertically merged cell
//! (`w:vMerge`) is a `w:tc` of its own in each row it covers, empty below the first, so it
//! lays out as a `rowspan` does; `w:gridBefore` leaves empty cells before a row's first.
//!
//! OpenDocument: `table:table` > `table:table-row` > `table:table-cell`. The places a spanned
//! cell covers are `table:covered-table-cell` elements, laid out as cells of their own, so
//! `table:number-columns-spanned` and `table:number-rows-spanned` need nothing more;
//! `table:number-columns-repeated` and `table:number-rows-repeated` repeat a cell or row.
//!
//! A table nested in a cell is a table of its own, numbered after the table that holds it;
//! its text is left out of the outer cell.
//!
//! Limitation: text deleted in tracked changes (`w:delText`) and field codes
//! (`w:instrText`) are not read into cells: a table is judged as it is shown. Deleted text
//! goes to the text rules and is quoted by P004. Tables in slides (`.pptx`, `.odp`) are not
//! rebuilt.

use super::embedded::{collapse, is_data_table, named, Rows, MAX_SPAN};
use super::{check_grid, UNREADABLE_TABLE};
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::inspect::Inspected;
use crate::policy::Policy;
use crate::rules::document::{push_raw, push_text, scan, table_parts, Piece, Tag};
use crate::rules::Findings;

/// Most cells laid out from one part: spans and repeats multiply what a few bytes of XML
/// ask for, and a hostile part must not make a grid of billions of cells.
const MAX_CELLS: usize = 1 << 20;

/// Runs the table rules on every table of a Word or OpenDocument text document.
pub(super) fn check(file: &Inspected, policy: &Policy, out: &mut Findings) {
    for part in table_parts(file, policy, out) {
        let prefix = match part.name.as_str() {
            "word/document.xml" | "content.xml" => String::new(),
            name => format!("{name} "),
        };
        let dialect = if part.name.starts_with("word/") {
            Dialect::Word
        } else {
            Dialect::OpenDocument
        };
        let read = tables(&part.xml, dialect);
        for problem in &read.problems {
            let place = format!("{prefix}table {}", problem.table);
            out.push(
                Finding::new(
                    &UNREADABLE_TABLE,
                    format!(
                        "{place} of {:?} cannot be read whole: {}; it was checked as far as \
                         it could be read",
                        part.name, problem.error
                    ),
                )
                .at(Location {
                    chunk: Some(place),
                    ..Location::default()
                })
                .with_evidence(evidence! {
                    "part" => part.name.as_str(), "table" => problem.table,
                    "error" => problem.error,
                }),
            );
        }
        for grid in named(read.tables, &prefix) {
            if is_data_table(&grid) {
                check_grid(&grid, policy, out);
            }
        }
    }
}

/// Which markup a part is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dialect {
    /// WordprocessingML (`w:tbl`).
    Word,
    /// OpenDocument (`table:table`).
    OpenDocument,
}

/// The tables of one part, numbered in the order they start, and what stopped any of them
/// from being read whole.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub tables: Vec<Rows>,
    pub problems: Vec<Problem>,
}

/// A table that could not be read whole.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Problem {
    /// One-based number of the table in its part.
    pub table: usize,
    pub error: &'static str,
}

/// A cell being read.
#[derive(Default)]
struct Cell {
    text: String,
    /// Grid columns it covers (`w:gridSpan`), its text in the first.
    span: usize,
    /// Times it is repeated (`table:number-columns-repeated`).
    copies: usize,
}

/// A table being read; tables nest, so these are kept on a stack.
struct Open {
    number: usize,
    rows: Rows,
    /// Times the open row is repeated (`table:number-rows-repeated`).
    row_copies: usize,
    row_open: bool,
    cell: Option<Cell>,
}

/// The walk through one part.
struct Reader {
    dialect: Dialect,
    stack: Vec<Open>,
    done: Vec<(usize, Rows)>,
    started: usize,
    /// Cells laid out so far, against [`MAX_CELLS`].
    laid: usize,
    /// Inside a `w:t` run text (Word only).
    in_run: bool,
    /// Depth inside elements whose text is not the cell's (ODF notes and annotations).
    skipped: usize,
    problems: Vec<Problem>,
}

/// Reads every table of a Word or OpenDocument part. Never fails: malformed markup gives
/// fewer or smaller tables, and a table left open at the end of the part, or one laying out
/// more than [`MAX_CELLS`] cells, is read as far as it goes and named in the problems.
pub(super) fn tables(xml: &[u8], dialect: Dialect) -> Tables {
    let mut reader = Reader {
        dialect,
        stack: Vec::new(),
        done: Vec::new(),
        started: 0,
        laid: 0,
        in_run: false,
        skipped: 0,
        problems: Vec::new(),
    };
    scan(xml, |piece| reader.piece(piece));
    while let Some(open) = reader.stack.pop() {
        reader.problems.push(Problem {
            table: open.number,
            error: "the part ends inside the table",
        });
        reader.close(open);
    }
    reader.done.sort_by_key(|(number, _)| *number);
    reader.problems.sort_by_key(|p| p.table);
    Tables {
        tables: reader.done.into_iter().map(|(_, rows)| rows).collect(),
        problems: reader.problems,
    }
}

impl Reader {
    fn piece(&mut self, piece: Piece) {
        match piece {
            Piece::Text(node) if self.takes_text() => {
                if let Some(cell) = self.cell() {
                    push_text(node, &mut cell.text);
                }
            }
            Piece::Cdata(body) if self.takes_text() => {
                if let Some(cell) = self.cell() {
                    push_raw(body, &mut cell.text);
                }
            }
            Piece::Tag(tag) => match self.dialect {
                Dialect::Word => self.word(&tag),
                Dialect::OpenDocument => self.open_document(&tag),
            },
            _ => {}
        }
    }

    fn takes_text(&self) -> bool {
        match self.dialect {
            Dialect::Word => self.in_run,
            Dialect::OpenDocument => self.skipped == 0,
        }
    }

    fn cell(&mut self) -> Option<&mut Cell> {
        self.stack.last_mut().and_then(|open| open.cell.as_mut())
    }

    fn space(&mut self) {
        if let Some(cell) = self.cell() {
            cell.text.push(' ');
        }
    }

    fn word(&mut self, tag: &Tag) {
        let start = !tag.closing && !tag.empty;
        match tag.local {
            b"tbl" if start => self.start_table(),
            b"tbl" if tag.closing => self.end_table(),
            b"tr" if start => self.start_row(1),
            b"tr" if tag.closing => self.end_row(),
            b"tc" if start => self.start_cell(1),
            b"tc" if tag.closing => self.end_cell(),
            b"tc" => {
                self.start_cell(1);
                self.end_cell();
            }
            b"gridSpan" if !tag.closing => {
                let span = count(tag, "val");
                if let Some(cell) = self.cell() {
                    cell.span = span;
                }
            }
            b"gridBefore" if !tag.closing => {
                let before = count(tag, "val");
                self.lay(
                    |row| row.extend(std::iter::repeat_n(String::new(), before)),
                    before,
                );
            }
            b"t" => self.in_run = start,
            b"tab" | b"br" | b"cr" if !tag.closing => self.space(),
            b"p" if tag.closing || tag.empty => self.space(),
            _ => {}
        }
    }

    fn open_document(&mut self, tag: &Tag) {
        let start = !tag.closing && !tag.empty;
        match tag.local {
            b"annotation" | b"note" if start => self.skipped += 1,
            b"annotation" | b"note" if tag.closing => {
                self.skipped = self.skipped.saturating_sub(1);
            }
            _ if self.skipped > 0 => {}
            b"table" if start => self.start_table(),
            b"table" if tag.closing => self.end_table(),
            b"table-row" if !tag.closing => {
                self.start_row(count(tag, "number-rows-repeated"));
                if tag.empty {
                    self.end_row();
                }
            }
            b"table-row" => self.end_row(),
            b"table-cell" | b"covered-table-cell" if !tag.closing => {
                self.start_cell(count(tag, "number-columns-repeated"));
                if tag.empty {
                    self.end_cell();
                }
            }
            b"table-cell" | b"covered-table-cell" => self.end_cell(),
            b"s" | b"tab" | b"line-break" if !tag.closing => self.space(),
            b"p" | b"h" if tag.closing || tag.empty => self.space(),
            _ => {}
        }
    }

    fn start_table(&mut self) {
        self.started += 1;
        self.stack.push(Open {
            number: self.started,
            rows: Vec::new(),
            row_copies: 1,
            row_open: false,
            cell: None,
        });
    }

    fn end_table(&mut self) {
        if let Some(open) = self.stack.pop() {
            self.close(open);
        }
    }

    fn close(&mut self, mut open: Open) {
        self.end_cell_of(&mut open);
        self.end_row_of(&mut open);
        self.done.push((open.number, open.rows));
    }

    fn start_row(&mut self, copies: usize) {
        let Some(mut open) = self.stack.pop() else {
            return;
        };
        self.end_cell_of(&mut open);
        self.end_row_of(&mut open);
        let line = open.rows.len() as u64 + 1;
        open.rows.push((line, Vec::new()));
        open.row_open = true;
        open.row_copies = copies;
        self.stack.push(open);
    }

    fn end_row(&mut self) {
        if let Some(mut open) = self.stack.pop() {
            self.end_cell_of(&mut open);
            self.end_row_of(&mut open);
            self.stack.push(open);
        }
    }

    /// Ends the open row, repeating it as asked while the cell budget lasts.
    fn end_row_of(&mut self, open: &mut Open) {
        if !open.row_open {
            return;
        }
        open.row_open = false;
        let copies = std::mem::replace(&mut open.row_copies, 1);
        if copies <= 1 {
            return;
        }
        let Some((_, cells)) = open.rows.last().cloned() else {
            return;
        };
        for _ in 1..copies {
            if !self.afford(cells.len()) {
                break;
            }
            let line = open.rows.len() as u64 + 1;
            open.rows.push((line, cells.clone()));
        }
    }

    fn start_cell(&mut self, copies: usize) {
        let Some(open) = self.stack.last_mut() else {
            return;
        };
        if !open.row_open {
            // A cell outside a row: read it into a row of its own, as HTML does.
            self.start_row(1);
        }
        let Some(mut open) = self.stack.pop() else {
            return;
        };
        self.end_cell_of(&mut open);
        open.cell = Some(Cell {
            text: String::new(),
            span: 1,
            copies,
        });
        self.stack.push(open);
    }

    fn end_cell(&mut self) {
        if let Some(mut open) = self.stack.pop() {
            self.end_cell_of(&mut open);
            self.stack.push(open);
        }
    }

    /// Lays the open cell out on its row: its text, then empty cells over the rest of its
    /// span, the whole repeated as asked.
    fn end_cell_of(&mut self, open: &mut Open) {
        let Some(cell) = open.cell.take() else {
            return;
        };
        let Some((_, row)) = open.rows.last_mut() else {
            return;
        };
        let text = collapse(&cell.text);
        for _ in 0..cell.copies {
            if !self.afford(cell.span) {
                break;
            }
            row.push(text.clone());
            row.extend(std::iter::repeat_n(String::new(), cell.span - 1));
        }
    }

    /// Appends `cells` cells to the open row of the innermost table, when affordable.
    fn lay(&mut self, add: impl FnOnce(&mut Vec<String>), cells: usize) {
        if !self.afford(cells) {
            return;
        }
        if let Some((_, row)) = self
            .stack
            .last_mut()
            .filter(|open| open.row_open)
            .and_then(|open| open.rows.last_mut())
        {
            add(row);
        }
    }

    /// Counts `cells` against [`MAX_CELLS`]; false, once per table with the problem noted,
    /// when they do not fit.
    fn afford(&mut self, cells: usize) -> bool {
        if self.laid.saturating_add(cells) <= MAX_CELLS {
            self.laid += cells;
            return true;
        }
        let table = self.stack.last().map_or(self.started, |open| open.number);
        if !self.problems.iter().any(|p| p.table == table) {
            self.problems.push(Problem {
                table,
                error: "the part lays out more than 1,048,576 cells",
            });
        }
        false
    }
}

/// A span or repeat count in attribute `name`: 1 when absent or unreadable, at most
/// [`MAX_SPAN`].
fn count(tag: &Tag, name: &str) -> usize {
    tag.attribute(name)
        .and_then(|value| value.trim().parse::<usize>().ok())
        .map_or(1, |n| n.clamp(1, MAX_SPAN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &Rows) -> Vec<Vec<&str>> {
        rows.iter()
            .map(|(_, cells)| cells.iter().map(String::as_str).collect())
            .collect()
    }

    /// A Word cell of one run of `text`, with `pr` inside its `w:tcPr`.
    fn tc(pr: &str, text: &str) -> String {
        format!("<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
    }

    #[test]
    fn a_merged_header_leaves_empty_cells_under_its_span() {
        let span = "<w:gridSpan w:val=\"2\"/>";
        let xml = format!(
            "<w:tbl><w:tblGrid/><w:tr>{}{}{}</w:tr><w:tr>{}{}{}{}{}</w:tr>\
             <w:tr>{}{}{}{}{}</w:tr></w:tbl>",
            tc("", "Age band"),
            tc(span, "Female"),
            tc(span, "Male"),
            tc("", ""),
            tc("", "n"),
            tc("", "%"),
            tc("", "n"),
            tc("", "%"),
            tc("", "60-79"),
            tc("", "88"),
            tc("", "96.7"),
            tc("", "3"),
            tc("", "3.3"),
        );
        let read = tables(xml.as_bytes(), Dialect::Word);
        assert!(read.problems.is_empty());
        assert_eq!(
            texts(&read.tables[0]),
            [
                vec!["Age band", "Female", "", "Male", ""],
                vec!["", "n", "%", "n", "%"],
                vec!["60-79", "88", "96.7", "3", "3.3"],
            ]
        );
        let lines: Vec<u64> = read.tables[0].iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [1, 2, 3]);
    }

    #[test]
    fn a_vertical_merge_is_empty_below_its_first_row() {
        let xml = format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr><w:tr><w:trPr><w:gridBefore w:val=\"1\"/>\
             </w:trPr>{}</w:tr></w:tbl>",
            tc("<w:vMerge w:val=\"restart\"/>", "North"),
            tc("", "12"),
            "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>",
            tc("", "15"),
            tc("", "40"),
        );
        assert_eq!(
            texts(&tables(xml.as_bytes(), Dialect::Word).tables[0]),
            [vec!["North", "12"], vec!["", "15"], vec!["", "40"]]
        );
    }

    #[test]
    fn a_nested_table_is_its_own_and_left_out_of_the_outer_cell() {
        let xml = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>before</w:t></w:r></w:p>\
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>in</w:t></w:r></w:p></w:tc>\
            <w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr></w:tbl>\
            <w:p><w:r><w:t>after</w:t></w:r></w:p></w:tc><w:tc/></w:tr></w:tbl>\
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>third</w:t></w:r></w:p></w:tc></w:tr></w:tbl>";
        let read = tables(xml.as_bytes(), Dialect::Word);
        assert_eq!(read.tables.len(), 3);
        assert_eq!(texts(&read.tables[0]), [vec!["before after", ""]]);
        assert_eq!(texts(&read.tables[1]), [vec!["in", "1"]]);
        assert_eq!(texts(&read.tables[2]), [vec!["third"]]);
    }

    #[test]
    fn a_cell_is_its_runs_without_deleted_text_or_field_codes() {
        let xml = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r><w:r><w:rPr><w:b/></w:rPr>\
            <w:t>2</w:t></w:r><w:del><w:r><w:delText>3</w:delText></w:r></w:del></w:p></w:tc>\
            <w:tc><w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>\
            =SUM(ABOVE)</w:instrText></w:r><w:r><w:t>609</w:t></w:r></w:p></w:tc>\
            <w:tc><w:p><w:r><w:t>A&amp;E</w:t><w:tab/><w:t>x</w:t></w:r></w:p>\
            <w:p><w:r><w:t>y</w:t></w:r></w:p></w:tc></w:tr></w:tbl>";
        assert_eq!(
            texts(&tables(xml.as_bytes(), Dialect::Word).tables[0]),
            [vec!["12", "609", "A&E x y"]]
        );
    }

    #[test]
    fn opendocument_covered_and_repeated_cells() {
        let xml = "<office:text><table:table table:name=\"T1\"><table:table-column/>\
            <table:table-header-rows><table:table-row>\
            <table:table-cell><text:p>Age</text:p></table:table-cell>\
            <table:table-cell table:number-columns-spanned=\"2\"><text:p>Female</text:p>\
            </table:table-cell><table:covered-table-cell/></table:table-row>\
            </table:table-header-rows><table:table-row>\
            <table:table-cell table:number-rows-spanned=\"2\"><text:p>18-39</text:p>\
            </table:table-cell><table:table-cell><text:p>1<text:note><text:note-citation>9\
            </text:note-citation></text:note>2</text:p></table:table-cell>\
            <table:table-cell table:number-columns-repeated=\"1\"><text:p>a<text:s/>b</text:p>\
            </table:table-cell></table:table-row>\
            <table:table-row table:number-rows-repeated=\"2\"><table:covered-table-cell/>\
            <table:table-cell table:number-columns-repeated=\"2\"><text:p>0</text:p>\
            </table:table-cell></table:table-row></table:table></office:text>";
        let read = tables(xml.as_bytes(), Dialect::OpenDocument);
        assert_eq!(
            texts(&read.tables[0]),
            [
                vec!["Age", "Female", ""],
                vec!["18-39", "12", "a b"],
                vec!["", "0", "0"],
                vec!["", "0", "0"],
            ]
        );
        let lines: Vec<u64> = read.tables[0].iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [1, 2, 3, 4]);
    }

    #[test]
    fn broken_or_hostile_parts_are_read_as_far_as_they_go() {
        for xml in [
            &b"<w:tbl"[..],
            b"</w:tbl></w:tr><w:tc>1</w:tc>",
            b"<w:tbl><w:tc><w:t>1",
            b"<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"99999999999999999999\"/>",
            b"\xff<w:t>\xc3</w:t>&#xFFFFFFFF;<![CDATA[",
        ] {
            let _ = tables(xml, Dialect::Word);
            let _ = tables(xml, Dialect::OpenDocument);
        }
        let read = tables(b"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>1</w:t>", Dialect::Word);
        assert_eq!(texts(&read.tables[0]), [vec!["1"]]);
        assert_eq!(
            read.problems,
            [Problem {
                table: 1,
                error: "the part ends inside the table"
            }]
        );
        // A cell outside a row gets a row; a span is capped.
        let read = tables(
            b"<w:tbl><w:tc><w:tcPr><w:gridSpan w:val=\"100000\"/></w:tcPr></w:tc><w:tc/>\
              </w:tbl>",
            Dialect::Word,
        );
        assert_eq!(read.tables[0][0].1.len(), MAX_SPAN + 1);
        // 20 rows of 256 cells, each repeated 256 times: stopped at the cell budget.
        let row = "<table:table-row table:number-rows-repeated=\"256\"><table:table-cell \
                   table:number-columns-repeated=\"256\"><text:p>1</text:p></table:table-cell>\
                   </table:table-row>";
        let xml = format!("<table:table>{}</table:table>", row.repeat(20));
        let read = tables(xml.as_bytes(), Dialect::OpenDocument);
        let cells: usize = read.tables[0].iter().map(|(_, c)| c.len()).sum();
        assert!(cells <= MAX_CELLS, "{cells}");
        assert_eq!(read.problems.len(), 1);
        assert_eq!(read.problems[0].table, 1);
    }
}
