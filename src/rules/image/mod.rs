//! Images: payloads hidden in containers, metadata and pixels.
//!
//! Containers are checked first on every image: they are exact, cheap, and pixel statistics
//! never see what is appended after the end of an image or stored in a text chunk. Each
//! container format has its own walker ([`png`], [`jpeg`], [`other`]) written here rather than
//! borrowed from a decoder, because decoders skip exactly what matters (data after IEND, bytes
//! after the last scanline, private chunks). Lossless images are then decoded and their pixels
//! examined ([`pixels`]): a bit-plane probe for plain payloads ([`probe`]) in the manner of
//! zsteg, a plot-or-photo classification, a flat-region and alpha test for plots, and the
//! structural estimators of LSB replacement ([`estimators`]): Sample Pairs Analysis (Dumitrescu,
//! Wu and Wang 2003), RS analysis (Fridrich, Goljan and Du 2001), Weighted Stego (Fridrich and
//! Goljan 2004, with Ker and Böhme 2008) and the chi-square attack (Westfeld and Pfitzmann
//! 1999). XMP packets are read field by field ([`xmp`]).

mod bytes;
pub mod dct;
pub mod estimators;
pub mod exif;
pub mod jpeg;
pub mod jpeg_stego;
pub mod other;
pub mod pixels;
pub mod png;
pub mod probe;
mod rules;
pub mod xmp;

pub use rules::*;

use super::{FileCheck, Findings};
use crate::identify::{Class, Format};
use crate::inspect::Inspected;
use crate::policy::Policy;
use crate::stats::entropy_of;

/// Runs the container walk of the image's format, then the pixel analysis of lossless images.
pub struct ImageCheck;

impl FileCheck for ImageCheck {
    fn check(&self, file: &Inspected, policy: &Policy, out: &mut Findings) {
        if file.class() != Class::Image {
            return;
        }
        // Too large to hold: coverage (K002) already reports it.
        let Some(content) = file.content() else {
            return;
        };
        let settings = &policy.images;
        let format = file.identity.format;
        let decodable = match format {
            Format::Png => png::check(content, settings, out),
            Format::Jpeg => jpeg::check(content, settings, out),
            Format::Gif => other::gif(content, settings, out),
            Format::Bmp => other::bmp(content, settings, out),
            Format::Webp => other::webp(content, settings, out),
            Format::Tiff => other::tiff(content, settings, out),
            _ => false,
        };
        // Pixel-domain estimators are wrong on decoded JPEGs (clean JPEG photos score above
        // the thresholds), so JPEGs get the DCT-domain estimates instead.
        // Limitation: lossy WebP gets neither.
        if decodable && format == Format::Jpeg {
            jpeg_stego::check(content, settings, out);
        }
        let lossless = matches!(
            format,
            Format::Png | Format::Gif | Format::Bmp | Format::Tiff
        ) || (format == Format::Webp && other::webp_is_lossless(content));
        if decodable && lossless {
            pixels::check(content, format, settings, out);
        }
    }
}

/// A finding of `rule` located at a named part of the container and a byte range.
fn found(
    rule: &'static crate::rules::Rule,
    message: String,
    chunk: impl Into<String>,
    offset: usize,
    length: usize,
) -> crate::finding::Finding {
    crate::finding::Finding::new(rule, message).at(place(chunk, offset, length))
}

/// A named part of the container and its byte range.
fn place(chunk: impl Into<String>, offset: usize, length: usize) -> crate::finding::Location {
    crate::finding::Location {
        chunk: Some(chunk.into()),
        byte_offset: Some(offset as u64),
        byte_length: Some(length as u64),
        ..crate::finding::Location::default()
    }
}

/// Reports bytes after the end of the image, beyond the policy's tolerance.
fn trailing(
    content: &[u8],
    end: usize,
    what: &str,
    settings: &crate::policy::ImageSettings,
    out: &mut Findings,
) {
    let extra = content.len().saturating_sub(end);
    if extra as u64 <= settings.trailing_bytes.0 {
        return;
    }
    let tail = content.get(end..).unwrap_or_default();
    let random = bytes::looks_random(tail);
    out.push(
        found(
            &DATA_AFTER_END,
            format!(
                "{extra} bytes after {what} at byte {end}{} (tolerance {})",
                if random { ", random-looking" } else { "" },
                settings.trailing_bytes.0
            ),
            "after end",
            end,
            extra,
        )
        .with_evidence(crate::evidence! {
            "trailing_bytes" => extra,
            "tolerance" => settings.trailing_bytes.0,
            "entropy_bits_per_byte" => (entropy_of(tail) * 1000.0).round() / 1000.0,
            "starts_with" => crate::inspect::hex(&tail[..tail.len().min(8)]),
        })
        .carrying(extra as u64),
    );
}

/// Reports a metadata block over its size limit or random-looking; returns true if reported.
#[allow(clippy::too_many_arguments)]
fn metadata_block(
    kind: &str,
    data_size: u64,
    capped: bool,
    sample: &[u8],
    limit: u64,
    offset: usize,
    stored: usize,
    out: &mut Findings,
) -> bool {
    let too_big = data_size > limit;
    let random = bytes::looks_random(sample);
    if !too_big && !random {
        return false;
    }
    let size = if capped {
        format!("at least {data_size}")
    } else {
        data_size.to_string()
    };
    let why = if too_big {
        format!("{size} bytes, over the limit of {limit}")
    } else {
        format!(
            "{size} bytes that look random ({:.2} bits per byte)",
            entropy_of(sample)
        )
    };
    out.push(
        found(
            &METADATA_PAYLOAD,
            format!("{kind} metadata of {why}"),
            kind,
            offset,
            stored,
        )
        .with_evidence(crate::evidence! {
            "kind" => kind,
            "bytes" => data_size,
            "at_least" => capped,
            "threshold" => limit,
            "entropy_bits_per_byte" => (entropy_of(sample) * 1000.0).round() / 1000.0,
        })
        .carrying(data_size),
    );
    true
}

/// Reports free text longer than the policy's limit.
fn long_text(
    kind: &str,
    text: &[u8],
    settings: &crate::policy::ImageSettings,
) -> Option<crate::finding::Finding> {
    let chars = bytes::text_chars(text);
    (chars > settings.text_chars).then(|| {
        let preview: String = String::from_utf8_lossy(&text[..text.len().min(40)]).into();
        crate::finding::Finding::new(
            &METADATA_TEXT,
            format!(
                "{kind} holds {chars} characters of free text (limit {}), starting {preview:?}",
                settings.text_chars
            ),
        )
        .with_evidence(crate::evidence! {
            "kind" => kind,
            "characters" => chars,
            "threshold" => settings.text_chars,
        })
        .carrying(text.len() as u64)
    })
}
