//! The end of a PDF: what follows the final `%%EOF`, and what sits between two `%%EOF`
//! markers without being an update section. Readers ignore both, so both can carry a file.

use memchr::memmem;

use super::{PDF_TRAILING_BYTES, PDF_TRAILING_PAYLOAD};
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::rules::Findings;
use crate::stats::entropy_of;

/// Whitespace after the final `%%EOF` that is only a line end.
const LINE_END_BYTES: usize = 2;
/// Most bytes after `%%EOF` that may be low-entropy text and still only need a look.
const SHORT_TRAILER: usize = 64;
/// Bits per byte above which trailing bytes look compressed or encrypted.
const RANDOM_BITS: f64 = 6.0;

/// Judges the bytes after the final `%%EOF`.
pub(super) fn trailing(content: &[u8], end: usize, out: &mut Findings) {
    let tail = content.get(end..).unwrap_or(&[]);
    let whitespace = tail.iter().all(|b| b.is_ascii_whitespace() || *b == 0);
    if tail.len() <= LINE_END_BYTES && whitespace {
        return;
    }
    let bits = entropy_of(tail);
    let location = Location::bytes(end as u64, tail.len() as u64);
    let evidence = evidence! {
        "offset" => end, "bytes" => tail.len(), "whitespace_only" => whitespace,
        "entropy_bits" => (bits * 100.0).round() / 100.0,
    };
    let random = tail.len() >= 32 && bits >= RANDOM_BITS;
    if !whitespace && (tail.len() > SHORT_TRAILER || random) {
        out.push(
            Finding::new(
                &PDF_TRAILING_PAYLOAD,
                format!(
                    "{} bytes after the final %%EOF ({bits:.1} bits per byte)",
                    tail.len()
                ),
            )
            .at(location)
            .with_evidence(evidence)
            .carrying(tail.len() as u64),
        );
    } else {
        let what = if whitespace { "whitespace" } else { "text" };
        out.push(
            Finding::new(
                &PDF_TRAILING_BYTES,
                format!("{} bytes of {what} after the final %%EOF", tail.len()),
            )
            .at(location)
            .with_evidence(evidence)
            .carrying(tail.len() as u64),
        );
    }
}

/// Bytes between two `%%EOF` markers must be an update section (objects, then `startxref`);
/// a payload with a `%%EOF` written after it is otherwise only an "update".
pub(super) fn between_revisions(content: &[u8], eofs: &[usize], out: &mut Findings) {
    for pair in eofs.windows(2) {
        let (start, end) = (pair[0] + 5, pair[1]);
        let segment = content.get(start..end).unwrap_or(&[]);
        if memmem::find(segment, b"startxref").is_some() {
            continue;
        }
        let solid = segment.iter().filter(|b| !b.is_ascii_whitespace()).count();
        if solid > SHORT_TRAILER {
            out.push(
                Finding::new(
                    &PDF_TRAILING_PAYLOAD,
                    format!(
                        "{} bytes after a %%EOF marker that are not an update section (no \
                         startxref before the next %%EOF)",
                        segment.len()
                    ),
                )
                .at(Location::bytes(start as u64, segment.len() as u64))
                .with_evidence(evidence! {"offset" => start, "bytes" => segment.len()})
                .carrying(segment.len() as u64),
            );
        }
    }
}
