//! Jupyter notebooks: every output of every cell, judged by its kind.
//!
//! Images are decoded from base64 and checked as members (`nb.ipynb!/cell3/output0.png`) by
//! the image rules; rendered data frames are looked at for row listings (`df.head()`); error
//! outputs are flagged; long text outputs count toward the capacity budget.

use serde_json::Value;

use super::text::{base64, excerpt, strip_tags, tags};
use super::{
    part, Budget, Member, ERROR_OUTPUT, LARGE_OUTPUT, ROW_LISTING_OUTPUT, UNREADABLE_DOCUMENT,
};
use crate::evidence;
use crate::finding::Finding;
use crate::rules::Findings;

/// Fewest rows of a printed data frame that make a row listing.
const LISTING_ROWS: usize = 5;
/// Text outputs longer than this are counted toward the capacity budget.
const LARGE_OUTPUT_CHARS: usize = 10_000;

/// One output of one cell.
struct Output<'a> {
    cell: usize,
    index: usize,
    value: &'a Value,
}

impl Output<'_> {
    fn place(&self) -> String {
        format!("cell{}/output{}", self.cell, self.index)
    }
}

/// Every output in the notebook, or why the notebook cannot be read.
fn outputs(notebook: &Value) -> Result<Vec<Output<'_>>, &'static str> {
    let cells = notebook
        .get("cells")
        .and_then(Value::as_array)
        .ok_or("it has no list of cells")?;
    let mut found = Vec::new();
    for (cell, value) in cells.iter().enumerate() {
        let Some(list) = value.get("outputs").and_then(Value::as_array) else {
            continue;
        };
        for (index, value) in list.iter().enumerate() {
            found.push(Output { cell, index, value });
        }
    }
    Ok(found)
}

/// Multiline strings are stored as a string or a list of strings.
fn joined(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => Some(parts.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

fn parse(content: &[u8], out: &mut Findings) -> Option<Value> {
    match serde_json::from_slice::<Value>(content) {
        Ok(value) => Some(value),
        Err(error) => {
            out.push(
                Finding::new(
                    &UNREADABLE_DOCUMENT,
                    format!("the notebook is not valid JSON: {error}"),
                )
                .with_evidence(evidence! {"error" => error.to_string()}),
            );
            None
        }
    }
}

/// Checks one notebook's outputs.
pub(super) fn check(content: &[u8], out: &mut Findings) {
    let Some(notebook) = parse(content, out) else {
        return;
    };
    let outputs = match outputs(&notebook) {
        Ok(outputs) => outputs,
        Err(why) => {
            out.push(Finding::new(
                &UNREADABLE_DOCUMENT,
                format!("the notebook cannot be read: {why}"),
            ));
            return;
        }
    };
    for output in &outputs {
        let place = output.place();
        let kind = output.value.get("output_type").and_then(Value::as_str);
        if kind == Some("error") {
            let name = output
                .value
                .get("ename")
                .and_then(Value::as_str)
                .unwrap_or("");
            let value = output
                .value
                .get("evalue")
                .and_then(Value::as_str)
                .unwrap_or("");
            error(&place, &format!("{name}: {value}"), out);
        }
        let stream = joined(output.value.get("text"));
        if let Some(text) = &stream {
            let stderr = output.value.get("name").and_then(Value::as_str) == Some("stderr");
            if stderr && text.contains("Traceback (most recent call last)") {
                let last = text
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("");
                error(&place, last, out);
            }
        }
        let data = output.value.get("data");
        let html = joined(data.and_then(|d| d.get("text/html")));
        let plain = joined(data.and_then(|d| d.get("text/plain")));
        let listing = html
            .as_deref()
            .and_then(html_listing)
            .or_else(|| plain.as_deref().and_then(text_listing))
            .or_else(|| stream.as_deref().and_then(text_listing));
        if let Some(rows) = listing {
            out.push(
                Finding::new(
                    &ROW_LISTING_OUTPUT,
                    format!(
                        "{place} prints {rows} rows of a data frame with a running index: \
                         a row listing of individual records"
                    ),
                )
                .at(part(&place))
                .with_evidence(evidence! {"output" => place.as_str(), "rows" => rows}),
            );
        }
        let chars = [&stream, &html, &plain]
            .iter()
            .filter_map(|t| t.as_ref().map(String::len))
            .max()
            .unwrap_or(0);
        if chars > LARGE_OUTPUT_CHARS {
            out.push(
                Finding::new(
                    &LARGE_OUTPUT,
                    format!("{place} is {chars} characters of text, counted as capacity"),
                )
                .at(part(&place))
                .with_evidence(evidence! {"output" => place.as_str(), "chars" => chars})
                .carrying(chars as u64),
            );
        }
    }
}

fn error(place: &str, summary: &str, out: &mut Findings) {
    let quote = excerpt(summary.trim());
    out.push(
        Finding::new(
            &ERROR_OUTPUT,
            format!("{place} is an error traceback: {quote:?}"),
        )
        .at(part(place))
        .with_evidence(evidence! {"output" => place, "excerpt" => quote}),
    );
}

/// Decodes the image outputs, each to be checked as a member.
pub(super) fn members(content: &[u8], budget: &Budget, out: &mut Findings) -> Vec<Member> {
    let Ok(notebook) = serde_json::from_slice::<Value>(content) else {
        return Vec::new(); // check() has reported it
    };
    let Ok(outputs) = outputs(&notebook) else {
        return Vec::new();
    };
    let mut members = Vec::new();
    for output in &outputs {
        let Some(data) = output.value.get("data").and_then(Value::as_object) else {
            continue;
        };
        for (media_type, value) in data {
            let (extension, encoded) = match media_type.as_str() {
                "image/png" => ("png", true),
                "image/jpeg" => ("jpg", true),
                "image/gif" => ("gif", true),
                "image/svg+xml" => ("svg", false),
                _ => continue,
            };
            let name = format!("{}.{extension}", output.place());
            let Some(text) = joined(Some(value)) else {
                continue;
            };
            let decoded = if encoded {
                base64(&text)
            } else {
                Some(text.into_bytes())
            };
            let Some(bytes) = decoded else {
                out.push(
                    Finding::new(
                        &UNREADABLE_DOCUMENT,
                        format!("the {media_type} output {name} is not valid base64"),
                    )
                    .at(part(&name))
                    .with_evidence(evidence! {"member" => name.as_str()}),
                );
                continue;
            };
            let room = budget.room();
            if budget.take(&name, bytes.len() as u64, room, out) {
                members.push(Member { name, bytes });
            }
        }
    }
    // Rendered tables are not members: the table family reads them in place
    // (`rules::table::embedded`), so their findings sit on the notebook.
    members
}

/// Rows of a pandas HTML table whose index is unnamed and integer: `df.head()` renders so;
/// a grouped table names its index and is not a listing.
fn html_listing(html: &str) -> Option<usize> {
    let lower = html.to_ascii_lowercase();
    let table_at = lower.find("<table")?;
    let thead_start = lower[table_at..].find("<thead")? + table_at;
    let thead_end = lower[thead_start..].find("</thead>")? + thead_start;
    let head = &html[thead_start..thead_end];
    // A named index adds a second header row.
    if tags(head, "tr").len() != 1 {
        return None;
    }
    let first_header = head_cells(head).into_iter().next()?;
    if !first_header.is_empty() {
        return None;
    }
    let body_start = lower[thead_end..].find("<tbody")? + thead_end;
    let body_end = lower[body_start..]
        .find("</tbody>")
        .map_or(html.len(), |e| e + body_start);
    let body = &html[body_start..body_end];
    let mut index = Vec::new();
    for row in body.split("<tr").skip(1) {
        let cells = head_cells(row);
        let label = cells.first()?;
        index.push(label.parse::<i64>().ok()?);
    }
    distinct_enough(&index)
}

/// The text of each `<th>` cell in a fragment.
fn head_cells(fragment: &str) -> Vec<String> {
    fragment
        .split("<th")
        .skip(1)
        .filter(|cell| cell.starts_with(['>', ' ']))
        .map(|cell| {
            let inner = cell.split_once('>').map_or("", |(_, rest)| rest);
            strip_tags(inner.split("</th>").next().unwrap_or(""))
        })
        .collect()
}

/// Rows of a pandas text repr: a header line that starts with blanks (an unnamed index),
/// then lines that start with an integer label.
fn text_listing(text: &str) -> Option<usize> {
    let mut best = 0;
    let mut run: Vec<i64> = Vec::new();
    let mut header = false;
    for line in text.lines() {
        let first = line.split_whitespace().next();
        let label = first.and_then(|f| f.parse::<i64>().ok());
        let fields = line.split_whitespace().count();
        match label {
            Some(value) if header && fields >= 2 && !line.starts_with(' ') => run.push(value),
            _ => {
                if let Some(rows) = distinct_enough(&run) {
                    best = best.max(rows);
                }
                run.clear();
                header = line.starts_with(' ') && fields >= 1;
            }
        }
    }
    if let Some(rows) = distinct_enough(&run) {
        best = best.max(rows);
    }
    (best > 0).then_some(best)
}

/// The number of labels when there are enough and they are all different.
fn distinct_enough(labels: &[i64]) -> Option<usize> {
    if labels.len() < LISTING_ROWS {
        return None;
    }
    let mut sorted = labels.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    (sorted.len() == labels.len()).then_some(labels.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_head_is_a_listing() {
        let text = "   age sex   bmi\n0   34   F  22.1\n1   45   M  27.3\n2   51   F  31.0\n\
                    3   29   M  24.4\n4   62   F  28.9\n";
        assert_eq!(text_listing(text), Some(5));
    }

    #[test]
    fn a_grouped_count_is_not() {
        let text = "     count\nage       \n18      12\n19      15\n20      11\n21      14\n\
                    22      13\n";
        assert_eq!(text_listing(text), None);
        assert_eq!(text_listing("0 1\n1 2\n"), None);
    }
}
