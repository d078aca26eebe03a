//! Jupyter notebooks: the text rules on each cell's text outputs.
//!
//! A notebook (nbformat 4, JSON) keeps what its cells printed: `stream` outputs hold `text`,
//! `execute_result` and `display_data` outputs hold a MIME bundle whose `text/plain` is what
//! `df.head()` or `print(x)` showed. Each of these is checked as a text of its own and
//! reported in the chunk `cellN/outputM` (zero-based, as nbformat's lists are indexed), the
//! name the document and table rules give the same output, with lines counted within it.
//!
//! Limitation: HTML renderings (`text/html` tables) and images in outputs are left to the
//! table and image families, and cell sources are not scanned (code that prints identifiers
//! leaves them in its outputs, which are). A notebook that is not valid JSON is left to the
//! document rules, which report it.

use std::borrow::Cow;

use serde_json::Value;

use super::{check_part, Decoded, Listed};
use crate::policy::Policy;
use crate::rules::Findings;

/// Runs the text rules on every text output of the notebook in `content`.
pub fn check_outputs(content: &[u8], policy: &Policy, out: &mut Findings) {
    let mut listed = Listed::new(policy.text.max_findings);
    for (chunk, text) in text_outputs(content) {
        let decoded = Decoded {
            text: Cow::Owned(text),
            base: 0,
            exact_offsets: false,
        };
        check_part(&decoded, Some(&chunk), policy, &mut listed, out);
    }
    listed.finish(out);
}

/// The text outputs of a notebook, each with its chunk name; empty when it is not JSON.
pub fn text_outputs(content: &[u8]) -> Vec<(String, String)> {
    let Ok(notebook) = serde_json::from_slice::<Value>(content) else {
        return Vec::new();
    };
    let cells = notebook["cells"].as_array().map_or(&[][..], Vec::as_slice);
    let mut found = Vec::new();
    for (c, cell) in cells.iter().enumerate() {
        let outputs = cell["outputs"].as_array().map_or(&[][..], Vec::as_slice);
        for (o, output) in outputs.iter().enumerate() {
            let text = multiline(&output["text"]) + &multiline(&output["data"]["text/plain"]);
            if !text.is_empty() {
                found.push((format!("cell{c}/output{o}"), text));
            }
        }
    }
    found
}

/// nbformat's multiline strings: a string, or a list of strings to be concatenated.
fn multiline(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_and_plain_text_outputs_are_collected() {
        let notebook = br#"{"nbformat": 4, "cells": [
            {"cell_type": "markdown", "source": ["notes"]},
            {"cell_type": "code", "source": ["df.head()"], "outputs": [
                {"output_type": "stream", "name": "stdout", "text": ["loaded\n", "ok\n"]},
                {"output_type": "execute_result",
                 "data": {"text/plain": "   id\n0  1", "text/html": "<table/>"}}
            ]}
        ]}"#;
        assert_eq!(
            text_outputs(notebook),
            vec![
                ("cell1/output0".to_string(), "loaded\nok\n".to_string()),
                ("cell1/output1".to_string(), "   id\n0  1".to_string()),
            ]
        );
    }

    #[test]
    fn not_json_gives_nothing() {
        assert!(text_outputs(b"{\"nbformat\": 4, \"cells\": [").is_empty());
        assert!(text_outputs(b"[1, 2]").is_empty());
    }
}
