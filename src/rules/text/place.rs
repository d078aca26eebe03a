//! Where text findings go: lines and columns from byte offsets, and the per-file limit on
//! how many findings of one rule are listed.

use super::Decoded;
use crate::finding::{Finding, Location};
use crate::rules::{Findings, Rule};

/// Keeps reports readable: at most `limit` findings of one rule per file are listed; the
/// last listed says how many more there were and carries their capacity, so that the
/// request's capacity total still counts every payload.
pub(crate) struct Listed {
    limit: usize,
    rules: Vec<Tally>,
}

struct Tally {
    code: &'static str,
    seen: usize,
    held: Option<Finding>,
    unlisted_capacity: u64,
}

impl Listed {
    pub(crate) fn new(limit: usize) -> Listed {
        Listed {
            limit,
            rules: Vec::new(),
        }
    }

    /// Counts one more finding of `rule` carrying `capacity` bytes; true when it is to be
    /// listed, so that findings beyond the limit are counted without being built.
    pub(super) fn admit(&mut self, rule: &'static Rule, capacity: u64) -> bool {
        let limit = self.limit;
        let tally = self.tally(rule.code);
        tally.seen += 1;
        if tally.seen > limit {
            tally.unlisted_capacity += capacity;
        }
        tally.seen <= limit
    }

    /// Lists an admitted finding; the last one allowed is held back to carry the count.
    pub(super) fn push(&mut self, finding: Finding, out: &mut Findings) {
        let limit = self.limit;
        let tally = self.tally(finding.rule.code);
        if tally.seen < limit {
            out.push(finding);
        } else {
            tally.held = Some(finding);
        }
    }

    fn tally(&mut self, code: &'static str) -> &mut Tally {
        let index = match self.rules.iter().position(|t| t.code == code) {
            Some(index) => index,
            None => {
                self.rules.push(Tally {
                    code,
                    seen: 0,
                    held: None,
                    unlisted_capacity: 0,
                });
                self.rules.len() - 1
            }
        };
        &mut self.rules[index]
    }

    pub(crate) fn finish(self, out: &mut Findings) {
        for tally in self.rules {
            let Some(mut finding) = tally.held else {
                continue;
            };
            let more = tally.seen - self.limit;
            if more > 0 {
                finding.message.push_str(&format!(
                    "; {more} more like this in the file are not listed (text.max_findings)"
                ));
                finding.evidence.insert("not_listed".into(), more.into());
                finding.capacity_bytes += tally.unlisted_capacity;
            }
            out.push(finding);
        }
    }
}

/// Line starts of a text, to turn byte offsets into one-based lines and columns. Built on
/// first use: most files have no finding to place.
pub(super) struct LineIndex<'t> {
    text: &'t str,
    starts: std::cell::OnceCell<Vec<usize>>,
    /// The part of the file the text is, when it is not the whole file.
    pub(super) chunk: Option<String>,
}

impl<'t> LineIndex<'t> {
    pub(super) fn new(text: &'t str) -> LineIndex<'t> {
        LineIndex {
            text,
            starts: std::cell::OnceCell::new(),
            chunk: None,
        }
    }

    /// One-based line and column (in characters) of byte offset `at` in `text`, the text
    /// the index was made for.
    pub(super) fn position(&self, text: &str, at: usize) -> (u64, u64) {
        let starts = self.starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(
                self.text
                    .bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1),
            );
            starts
        });
        let line = starts.partition_point(|&s| s <= at).max(1);
        let start = starts[line - 1];
        let column = text
            .get(start..at)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        (line as u64, column as u64)
    }

    pub(super) fn location(
        &self,
        decoded: &Decoded,
        line: u64,
        start: usize,
        end: usize,
    ) -> Location {
        let mut location = Location {
            line: Some(line),
            chunk: self.chunk.clone(),
            ..Location::default()
        };
        if decoded.exact_offsets {
            location.byte_offset = Some((decoded.base + start) as u64);
            location.byte_length = Some(end.saturating_sub(start) as u64);
        }
        location
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters() {
        let text = "é\nab\ncdé x";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), (1, 1));
        assert_eq!(index.position(text, 3), (2, 1));
        let x = text.find('x').expect("x");
        assert_eq!(index.position(text, x), (3, 5));
    }
}
