//! Whether an e-mail address is a code author's own, from the words written before it.
//!
//! Researchers sign their code: `# Author: a.b@uni.ac.uk`, Javadoc and Doxygen `@author`,
//! R packages' `Maintainer:` and `Authors@R: person(..., email = ...)`, Python's `__email__`,
//! `author_email` in setup.py or setup.cfg, and `authors = [{ name = ..., email = ... }]` in
//! pyproject.toml. Such an address names the researcher, who is known to the TRE, not a
//! patient, so it is reported by the author-email rule (E011) instead of blocking. An address
//! anywhere else, a log line or a printed record included, stays an e-mail address (E006).
//!
//! The test is deliberately narrow: an author keyword must stand earlier on the same line
//! within [`KEYWORD_REACH`] bytes of the address, or the address must be the value of an
//! `email` key inside a block that an `authors`/`maintainers` key opened on one of the
//! [`BLOCK_LINES`] lines above.

/// Farthest an author keyword may stand before the address on its line, in bytes: long
/// enough for `Authors@R: person("Given", "Family", email = `, short enough that a keyword at
/// the start of a long printed record does not cover addresses far along it.
const KEYWORD_REACH: usize = 120;

/// Most lines above an `email = ` entry searched for the `authors = [` that opened its block.
const BLOCK_LINES: usize = 4;

/// Words that mark an author line, matched case-insensitively: `author` covers `@author`,
/// `__author__`, `author_email`, `Authors@R` and `authors =`.
const AUTHOR_WORDS: &[&str] = &["author", "maintainer", "__email__", "person("];

/// Keys that open a block of authors: TOML arrays, YAML lists, R `Authors@R: c(`.
const BLOCK_KEYS: &[&str] = &["authors", "maintainers"];

/// True when the address starting at byte `start` of `text` is written as a code author's.
pub fn is_author_address(text: &str, start: usize) -> bool {
    let bytes = text.as_bytes();
    let Some(before) = bytes.get(..start) else {
        return false;
    };
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let reach_start = line_start.max(start.saturating_sub(KEYWORD_REACH));
    let lead = &before[reach_start..];
    if AUTHOR_WORDS.iter().any(|word| contains_word(lead, word)) {
        return true;
    }
    is_email_key(&before[line_start..]) && in_author_block(&before[..line_start])
}

/// True for the text before an address that ends in an `email` key (`email = "`, `email:`).
fn is_email_key(lead: &[u8]) -> bool {
    let trimmed = trim_end(lead, b" \t\"'<");
    let Some(key) = trimmed
        .strip_suffix(b"=")
        .or_else(|| trimmed.strip_suffix(b":"))
    else {
        return false;
    };
    trim_end(key, b" \t\"'")
        .to_ascii_lowercase()
        .ends_with(b"email")
}

/// True when one of the [`BLOCK_LINES`] lines before `above` opens a block of authors and no
/// line between closes it.
fn in_author_block(above: &[u8]) -> bool {
    let mut lines = above.rsplit(|&b| b == b'\n').skip(1).take(BLOCK_LINES);
    lines.any(|line| {
        let lower = line.to_ascii_lowercase();
        BLOCK_KEYS.iter().any(|key| {
            lower.trim_ascii_start().starts_with(key.as_bytes())
                && (lower.contains(&b'[') || lower.contains(&b'(') || lower.ends_with(b":"))
        })
    })
}

fn contains_word(haystack: &[u8], word: &str) -> bool {
    haystack
        .windows(word.len())
        .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
}

fn trim_end<'a>(bytes: &'a [u8], strip: &[u8]) -> &'a [u8] {
    let end = bytes
        .iter()
        .rposition(|b| !strip.contains(b))
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the address (the last `@`) in `text` is an author's.
    fn author(text: &str) -> bool {
        let at = text.rfind('@').expect("an address");
        let start = text[..at]
            .rfind(|c: char| c.is_whitespace() || "\"'<(=".contains(c))
            .map_or(0, |i| i + 1);
        is_author_address(text, start)
    }

    #[test]
    fn author_lines_in_code_and_metadata() {
        for line in [
            "# Author: a.b@uni.ac.uk",
            "# Maintainer: Jo Bloggs <jo.bloggs@ed.ac.uk>",
            "__email__ = \"jo@ed.ac.uk\"",
            "    author_email='jo@ed.ac.uk',",
            "author_email = jo@ed.ac.uk",
            " * @author Jo Bloggs jo@ed.ac.uk",
            "Authors@R: person(\"Jo\", \"Bloggs\", email = \"jo@ed.ac.uk\", role = \"cre\")",
            "authors = [{ name = \"Jo\", email = \"jo@ed.ac.uk\" }]",
            "Maintainer: Jo Bloggs <jo@ed.ac.uk>",
        ] {
            assert!(author(line), "{line}");
        }
        let pyproject = "[project]\nauthors = [\n  { name = \"Jo\", email = \"jo@ed.ac.uk\" },\n]";
        let at = pyproject.find("jo@").expect("address");
        assert!(is_author_address(pyproject, at));
        let description =
            "Authors@R: c(\n    person(\"Jo\", \"B\",\n      email = \"jo@ed.ac.uk\")";
        let at = description.find("jo@").expect("address");
        assert!(is_author_address(description, at));
    }

    #[test]
    fn addresses_in_data_or_logs_are_not_authors() {
        for line in [
            "2026-11-30 INFO sent reminder to jo.bloggs@nhs.net",
            "17,Jo Bloggs,jo@gmail.com,1980-01-02",
            "contact: jo@ed.ac.uk",
            "email = \"jo@ed.ac.uk\"",
        ] {
            assert!(!author(line), "{line}");
        }
        // An author keyword far along a long record does not reach the address.
        let long = format!("author_id,{},jo@gmail.com", "x,".repeat(80));
        assert!(!author(&long));
        // A block opened by some other key is not an author block.
        let toml = "[tool.x]\nrecipients = [\n  { email = \"jo@ed.ac.uk\" },\n]";
        let at = toml.find("jo@").expect("address");
        assert!(!is_author_address(toml, at));
    }
}
