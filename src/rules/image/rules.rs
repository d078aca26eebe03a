//! The image rules' codes, names and documentation (family G, graphics).

use crate::finding::Severity;
use crate::rules::{Family, Rule};

const SPA: &str = "S. Dumitrescu, X. Wu, Z. Wang (2003), Detection of LSB steganography via \
                   sample pair analysis, IEEE Trans. Signal Processing 51(7)";
const RS: &str = "J. Fridrich, M. Goljan, R. Du (2001), Reliable detection of LSB steganography \
                  in color and grayscale images, ACM Workshop on Multimedia and Security";
const WS: &str = "A. D. Ker, R. Böhme (2008), Revisiting weighted stego-image steganalysis, \
                  Proc. SPIE 6819";
const CHI: &str = "A. Westfeld, A. Pfitzmann (1999), Attacks on steganographic systems, \
                   Information Hiding, LNCS 1768";
const JSTEG: &str = "N. Provos, P. Honeyman (2002), Detecting steganographic content on the \
                     Internet, NDSS (stegdetect: the chi-square attack on DCT coefficients)";
const F5: &str = "J. Fridrich, M. Goljan, D. Hogea (2002), Steganalysis of JPEG images: breaking \
                  the F5 algorithm, Information Hiding, LNCS 2578";
const ZSTEG: &str = "zsteg (zed-0xff/zsteg): bit-plane extraction and signature matching";
const PNG_SPEC: &str = "PNG Specification, third edition (W3C 2025), chunk layout and CRC";
const JPEG_SPEC: &str = "ITU-T T.81 (1992), JPEG, annex B: marker segments";

pub static DATA_AFTER_END: Rule = Rule {
    code: "G001",
    name: "data-after-image-end",
    family: Family::Image,
    severity: Severity::Block,
    summary: "bytes after the end of the image (PNG IEND, JPEG EOI, GIF trailer, declared size)",
    detects: "Bytes after the structure that ends the image: after the PNG IEND chunk, after \
              the JPEG end-of-image marker of the main image (found by walking the markers and \
              the entropy-coded data, not by searching for FFD9), after the GIF trailer, or \
              past the size a BMP or WebP header declares. Up to images.trailing_bytes are \
              tolerated.",
    why: "Viewers ignore these bytes, so a ZIP, a CSV or ciphertext appended to a plot looks \
          like an ordinary plot. Every trailing byte counts as capacity.",
    fix: "Save the figure again from the plotting library, or strip the trailing bytes.",
    policy_keys: &["images.trailing_bytes", "rules.G001"],
    references: &[
        PNG_SPEC,
        JPEG_SPEC,
        "Aletheia eof-extract (daniellerch/aletheia)",
    ],
};

pub static METADATA_PAYLOAD: Rule = Rule {
    code: "G002",
    name: "metadata-payload",
    family: Family::Image,
    severity: Severity::Block,
    summary: "a metadata block large enough, or random enough, to carry a payload",
    detects: "PNG text chunks (tEXt, zTXt, iTXt, eXIf, measured inflated), JPEG APPn and COM \
              segments and other metadata larger than images.metadata_bytes (ICC profiles \
              against images.icc_bytes), or whose bytes look random (over 7.5 bits per byte \
              on at least 1 KiB).",
    why: "A zTXt chunk compresses a CSV several-fold and viewers never show it; an APP15 \
          segment can hold anything. The inflated size counts as capacity.",
    fix: "Save the figure without metadata (for matplotlib, metadata={} in savefig).",
    policy_keys: &["images.metadata_bytes", "images.icc_bytes", "rules.G002"],
    references: &[PNG_SPEC, JPEG_SPEC, "CIPA DC-008 (Exif 2.32)"],
};

pub static UNKNOWN_CHUNK: Rule = Rule {
    code: "G003",
    name: "unknown-chunk",
    family: Family::Image,
    severity: Severity::Review,
    summary: "a private or unknown PNG chunk, or an unknown JPEG marker segment",
    detects: "PNG chunks whose type is not registered (private chunks have a lower-case \
              second letter), and JPEG APPn segments whose identifier no common writer uses.",
    why: "Decoders skip unknown ancillary chunks, so they carry data no viewer shows.",
    fix: "Save the figure again with a standard writer.",
    policy_keys: &["rules.G003"],
    references: &[PNG_SPEC, "zsteg (zed-0xff): data hidden in unknown chunks"],
};

pub static METADATA_TEXT: Rule = Rule {
    code: "G004",
    name: "metadata-text",
    family: Family::Image,
    severity: Severity::Review,
    summary: "location or long free text in image metadata",
    detects: "EXIF GPS tags, and free-text metadata (descriptions, comments, user comments, \
              PNG text values) longer than images.text_chars characters. Software names, \
              resolution, colour profiles and short titles pass.",
    why: "A GPS position can identify a place or person; free text can hold anything and is \
          not shown with the image.",
    fix: "Remove the metadata, or confirm that the text is what it appears to be.",
    policy_keys: &["images.text_chars", "rules.G004"],
    references: &["CIPA DC-008 (Exif 2.32), GPS IFD"],
};

pub static IMAGE_DATA_EXCESS: Rule = Rule {
    code: "G005",
    name: "image-data-excess",
    family: Family::Image,
    severity: Severity::Block,
    summary: "compressed image data that inflates to more than its scanlines",
    detects: "A PNG whose IDAT stream inflates to more than height x (1 + row bytes) (plus \
              the Adam7 passes when interlaced), or that continues after the zlib stream ends.",
    why: "Decoders stop at the last scanline and ignore the rest (zsteg's \
          extradata:imagedata), so the excess is invisible.",
    fix: "Save the figure again from the plotting library.",
    policy_keys: &["rules.G005"],
    references: &[PNG_SPEC, ZSTEG],
};

pub static MALFORMED_IMAGE: Rule = Rule {
    code: "G006",
    name: "malformed-image",
    family: Family::Image,
    severity: Severity::Block,
    summary: "an image whose container is broken or cannot be decoded",
    detects: "Truncated or inconsistent containers: bad chunk or segment lengths, CRC errors, \
              missing end markers, declared sizes past the file, strips past the end, and \
              images the decoder rejects.",
    why: "What cannot be parsed cannot be checked; a broken structure is also a common place \
          to hide bytes. Fail closed.",
    fix: "Save the figure again from the plotting library.",
    policy_keys: &["rules.G006"],
    references: &[PNG_SPEC, JPEG_SPEC],
};

pub static PIXEL_LIMIT: Rule = Rule {
    code: "G007",
    name: "pixel-limit",
    family: Family::Image,
    severity: Severity::Block,
    summary: "an image with more pixels than the policy lets the checker decode",
    detects: "Images whose header declares more than images.max_pixels pixels (a \
              decompression bomb, or a figure far larger than any journal needs).",
    why: "Its pixels cannot be checked within the memory the checker allows.",
    fix: "Export the figure at a lower resolution.",
    policy_keys: &["images.max_pixels", "rules.G007"],
    references: &["Pillow Image.MAX_IMAGE_PIXELS decompression-bomb guard"],
};

pub static LSB_SIGNATURE: Rule = Rule {
    code: "G008",
    name: "bit-plane-payload",
    family: Family::Image,
    severity: Severity::Block,
    summary: "a file signature, zlib stream or text in the low bit planes",
    detects: "Reads the least significant bit, and the two low bits, of the pixels in the \
              usual orders (each channel row by row, interleaved RGB and RGBA) and looks at \
              the start of each stream, and after a 4-byte length prefix, for file magic \
              numbers, a zlib header that inflates, or printable text.",
    why: "Sequential LSB tools write the payload from the first pixel on; plain structure \
          there cannot occur by chance.",
    fix: "Do not release the image; ask how it was made.",
    policy_keys: &["rules.G008"],
    references: &[ZSTEG],
};

pub static ALPHA_NOISE: Rule = Rule {
    code: "G009",
    name: "alpha-noise",
    family: Family::Image,
    severity: Severity::Block,
    summary: "an image whose alpha channel has low-bit noise",
    detects: "Pixels whose alpha differs by exactly one level from the most common alpha value, \
              beyond those two levels off, above images.alpha_noise_share of the pixels.",
    why: "Plotting libraries and cameras write a constant alpha (or smooth edges, which fill \
          the levels one and two away alike); one-level noise there is a payload only the \
          alpha channel carries.",
    fix: "Save the figure without an alpha channel.",
    policy_keys: &["images.alpha_noise_share", "rules.G009"],
    references: &["../shared/notes/steganalysis.md, container tricks: alpha channel"],
};

pub static FLAT_REGION_NOISE: Rule = Rule {
    code: "G010",
    name: "flat-region-noise",
    family: Family::Image,
    severity: Severity::Block,
    summary: "a plot whose flat regions carry one-level noise",
    detects: "Among 5-pixel crosses in a plot spanning at most 2 levels, the share that are not \
              exactly constant. Rendered plots are exactly flat in backgrounds and fills; LSB \
              replacement or matching at rate r makes a cross non-constant with probability \
              about 1 - (1 - r/2)^n (n = 5 pixels x colour channels), which gives the \
              rate estimate compared with \
              images.flat_rate.",
    why: "Catches LSB replacement and LSB matching in plots at low rates, in one pass.",
    fix: "Export the figure again from the plotting library.",
    policy_keys: &["images.flat_rate", "rules.G010"],
    references: &["../shared/notes/steganalysis.md, practical judgement 3"],
};

pub static LSB_SUSPECTED: Rule = Rule {
    code: "G011",
    name: "lsb-embedding-suspected",
    family: Family::Image,
    severity: Severity::Review,
    summary: "a structural estimate of LSB or DCT embedding above the review threshold",
    detects: "Per colour channel of a lossless image, the embedding rate estimated by Sample \
              Pairs Analysis (in plots also over the busy tiles alone), RS analysis, Weighted \
              Stego (Ker-Böhme predictor and weights), or the chi-square attack on sequential \
              prefixes, at or above its threshold but \
              below images.block_rate. In a JPEG, on the quantised DCT coefficients: per \
              component, the chi-square attack on AC value pairs (JSteg-like sequential LSB \
              replacement; the share of usable coefficients that looks embedded, against \
              images.jsteg_rate, below images.jsteg_block_rate), and on photo-like JPEGs \
              the F5 calibration estimate of the \
              share of non-zero AC coefficients changed (its lowest of three modes against \
              images.f5_rate). The \
              evidence names the method.",
    why: "LSB replacement leaves pairs of values 2k, 2k+1 statistically tied; F5 moves \
          coefficients towards zero, which a recompressed, cropped copy of the image does \
          not show. Capacity is rate x pixels / 8 per channel, or the estimated payload of \
          the DCT methods. Pixel-domain estimators are not run on JPEGs: they flag clean \
          ones. Not detected in JPEGs: content-adaptive schemes (nsF5, J-UNIWARD, UERD), \
          OutGuess's histogram-preserving embedding, JSteg payloads shorter than 1,024 \
          usable coefficients or scattered rather than sequential, and F5 changing fewer \
          than about a third of the non-zero coefficients.",
    fix: "Ask how the image was made; export it again from the plotting library.",
    policy_keys: &[
        "images.spa_rate",
        "images.spa_busy_rate",
        "images.rs_rate",
        "images.ws_rate",
        "images.chi_square_alpha",
        "images.jsteg_p",
        "images.jsteg_rate",
        "images.f5_rate",
        "images.jpeg_photo_share",
        "rules.G011",
    ],
    references: &[SPA, RS, WS, CHI, JSTEG, F5],
};

pub static LSB_EMBEDDING: Rule = Rule {
    code: "G012",
    name: "lsb-embedding",
    family: Family::Image,
    severity: Severity::Block,
    summary: "a structural estimate of LSB or DCT embedding well above the thresholds",
    detects: "The same estimators as lsb-embedding-suspected, when the estimate reaches \
              images.block_rate (images.jsteg_block_rate for JSteg, images.f5_block_rate for \
              F5).",
    why: "An estimate that high is not explained by the cover.",
    fix: "Do not release the image.",
    policy_keys: &[
        "images.block_rate",
        "images.jsteg_block_rate",
        "images.f5_block_rate",
        "rules.G012",
    ],
    references: &[SPA, RS, WS, CHI, JSTEG, F5],
};

pub static JPEG_NOT_ANALYSED: Rule = Rule {
    code: "G013",
    name: "jpeg-not-analysed",
    family: Family::Image,
    severity: Severity::Review,
    summary: "a JPEG whose DCT coefficients the checker cannot read (arithmetic, 12-bit, lossless)",
    detects: "JPEGs coded with arithmetic coding, 12-bit precision, the lossless or \
              hierarchical processes, or a height set by a DNL marker: their container is \
              walked, but no DCT-domain estimate is made.",
    why: "Such files are rare from plotting and camera software; what was not measured must \
          be looked at, as for kinds with no content rules (K001).",
    fix: "Save the image again as a baseline or progressive Huffman-coded JPEG, or as PNG.",
    policy_keys: &["rules.G013"],
    references: &[JPEG_SPEC],
};
