//! Indexed PDF images (ISO 32000-1, 8.6.6.3): `/ColorSpace [/Indexed base hival lookup]`,
//! where each sample is an index into a palette of `hival + 1` colours of the base space.
//! matplotlib's PDF backend writes every raster of 256 colours or fewer this way (imshow,
//! colour bars, heatmaps). The colour space is read from the dictionary as written (the
//! palette is binary), and the indices are expanded through the palette into the 8-bit grey
//! or RGB samples a reader shows, so that the image rules judge the picture, not its indices.
//!
//! Only DeviceGray and DeviceRGB bases are read; anything that does not add up (another
//! base, a short palette, an index past `hival`) is a reason, quoted in the finding that the
//! image was not inspected.

/// The `/ColorSpace` of an image dictionary, as far as the image rules need it.
#[derive(Debug, PartialEq)]
pub(super) enum ColourSpace {
    /// No `/ColorSpace`, or a reference to one elsewhere in the file (ICCBased, usually).
    Unknown,
    Gray,
    Rgb,
    /// `[/Indexed …]`, or why it cannot be read.
    Indexed(Result<Indexed, String>),
    /// Any other space written in place: CMYK, Lab, separations, an inline ICCBased array.
    Other,
}

/// An indexed colour space.
#[derive(Debug, PartialEq)]
pub(super) struct Indexed {
    /// Components of the base space: 1 for DeviceGray, 3 for DeviceRGB.
    pub components: usize,
    /// The largest valid index.
    pub hival: u8,
    pub lookup: Lookup,
}

/// Where the palette is: in the dictionary, or in a stream object of its own.
#[derive(Debug, PartialEq)]
pub(super) enum Lookup {
    Bytes(Vec<u8>),
    Stream(u64),
}

/// The layout of an image's rows of indices.
#[derive(Clone, Copy, Debug)]
pub(super) struct Rows {
    pub width: usize,
    pub height: usize,
    /// Bits per index: 1, 2, 4 or 8.
    pub depth: usize,
    /// Each row starts with a PNG filter byte (`/Predictor` 10 to 15).
    pub filtered: bool,
}

impl Rows {
    /// Bytes of one row of indices, without the filter byte.
    fn stride(&self) -> usize {
        (self.width * self.depth).div_ceil(8)
    }

    /// Bytes of the expanded rows of `components` 8-bit samples, a filter byte before each:
    /// what [`expand`] allocates, to be weighed against the budget first.
    pub fn expanded_bytes(&self, components: usize) -> u64 {
        (self.height as u64).saturating_mul(1 + self.width as u64 * components as u64)
    }
}

/// Reads the `/ColorSpace` entry of a dictionary as written.
pub(super) fn colour_space(dict: &[u8]) -> ColourSpace {
    let Some(at) = find_name(dict, b"/ColorSpace") else {
        return ColourSpace::Unknown;
    };
    let mut lexer = Lexer {
        bytes: dict,
        at: at + b"/ColorSpace".len(),
    };
    lexer.skip_space();
    match lexer.peek() {
        Some(b'/') => match lexer.name().as_slice() {
            b"DeviceGray" => ColourSpace::Gray,
            b"DeviceRGB" => ColourSpace::Rgb,
            _ => ColourSpace::Other,
        },
        Some(b'[') => {
            lexer.at += 1;
            lexer.skip_space();
            if lexer.peek() == Some(b'/') && lexer.name() == b"Indexed" {
                ColourSpace::Indexed(indexed(&mut lexer))
            } else {
                ColourSpace::Other
            }
        }
        _ => ColourSpace::Unknown,
    }
}

/// The rest of `[/Indexed base hival lookup]`, after `/Indexed`.
fn indexed(lexer: &mut Lexer) -> Result<Indexed, String> {
    lexer.skip_space();
    let components = match lexer.peek() {
        Some(b'/') => match lexer.name().as_slice() {
            b"DeviceGray" => 1,
            b"DeviceRGB" => 3,
            other => {
                return Err(format!(
                    "base colour space /{} is not read",
                    String::from_utf8_lossy(other)
                ))
            }
        },
        Some(b'[') => return Err("base colour space given as an array is not read".into()),
        Some(b'0'..=b'9') => {
            return Err("base colour space given by reference (ICCBased) is not read".into())
        }
        _ => return Err("the indexed colour space has no base".into()),
    };
    lexer.skip_space();
    let hival = lexer
        .integer()
        .ok_or("the indexed colour space has no hival")?;
    let hival = u8::try_from(hival).map_err(|_| format!("hival {hival} is past 255"))?;
    lexer.skip_space();
    let lookup = match lexer.peek() {
        Some(b'(') => Lookup::Bytes(lexer.literal_string().ok_or("the palette string is cut")?),
        Some(b'<') => Lookup::Bytes(lexer.hex_string().ok_or("the palette hex string is bad")?),
        Some(b'0'..=b'9') => Lookup::Stream(
            lexer
                .reference()
                .ok_or("the palette reference is not `N G R`")?,
        ),
        _ => return Err("the indexed colour space has no palette".into()),
    };
    Ok(Indexed {
        components,
        hival,
        lookup,
    })
}

/// Expands rows of indices through `palette` into rows of 8-bit samples, each row after a
/// PNG filter byte of 0 (none), ready for a PNG of colour type 0 or 2. `rows` holds at least
/// `height` rows; the caller has checked [`Rows::expanded_bytes`] against the budget.
pub(super) fn expand(
    layout: Rows,
    space: &Indexed,
    palette: &[u8],
    rows: &[u8],
) -> Result<Vec<u8>, String> {
    if !matches!(layout.depth, 1 | 2 | 4 | 8) {
        return Err(format!("{} bits an index", layout.depth));
    }
    let components = space.components;
    let needed = (usize::from(space.hival) + 1) * components;
    if palette.len() < needed {
        return Err(format!(
            "the palette holds {} bytes, fewer than the {needed} that hival {} needs",
            palette.len(),
            space.hival
        ));
    }
    let stride = layout.stride();
    let plain = if layout.filtered {
        unfilter(rows, stride, layout.height)?
    } else {
        rows.get(..stride * layout.height)
            .ok_or("the rows are short")?
            .to_vec()
    };
    let mask = (1u16 << layout.depth) - 1;
    let mut out =
        Vec::with_capacity(usize::try_from(layout.expanded_bytes(components)).unwrap_or(0));
    for (y, line) in plain.chunks(stride.max(1)).take(layout.height).enumerate() {
        out.push(0);
        for x in 0..layout.width {
            let bit = x * layout.depth;
            let byte = u16::from(*line.get(bit / 8).ok_or("the rows are short")?);
            let index = (byte >> (8 - layout.depth - bit % 8)) & mask;
            if index > u16::from(space.hival) {
                return Err(format!(
                    "index {index} at row {y}, column {x} is past the palette's last entry, {}",
                    space.hival
                ));
            }
            let at = usize::from(index) * components;
            out.extend_from_slice(&palette[at..at + components]);
        }
    }
    Ok(out)
}

/// Undoes the PNG filters (RFC 2083, 6) of `height` rows of `stride` bytes, each after its
/// filter byte; one byte a pixel, as for indices of 8 bits or fewer.
fn unfilter(rows: &[u8], stride: usize, height: usize) -> Result<Vec<u8>, String> {
    let mut plain = vec![0u8; stride * height];
    for y in 0..height {
        let start = y * (stride + 1);
        let line = rows
            .get(start..start + stride + 1)
            .ok_or("the rows are short")?;
        let (kind, line) = (line[0], &line[1..]);
        let (done, rest) = plain.split_at_mut(y * stride);
        let prior = done
            .get(done.len().saturating_sub(stride)..)
            .filter(|_| y > 0);
        let current = &mut rest[..stride];
        for x in 0..stride {
            let a = if x > 0 { current[x - 1] } else { 0 };
            let b = prior.map_or(0, |p| p[x]);
            let c = if x > 0 {
                prior.map_or(0, |p| p[x - 1])
            } else {
                0
            };
            let predicted = match kind {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => paeth(a, b, c),
                _ => return Err(format!("row {y} has PNG filter type {kind}")),
            };
            current[x] = line[x].wrapping_add(predicted);
        }
    }
    Ok(plain)
}

/// The Paeth predictor: whichever of left, above and upper left is nearest `a + b - c`.
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// The offset of the PDF name `key` in `dict`, not a longer name that starts with it.
fn find_name(dict: &[u8], key: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(dict, key)
        .find(|&at| !dict.get(at + key.len()).is_some_and(|&b| is_regular(b)))
}

/// A byte that may stand in a PDF name or number (ISO 32000-1, 7.2.2).
fn is_regular(b: u8) -> bool {
    !is_space(b) && !b"()<>[]{}/%".contains(&b)
}

fn is_space(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

/// A cursor over PDF objects written in a dictionary.
struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Past whitespace and `%` comments.
    fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            if is_space(b) {
                self.at += 1;
            } else if b == b'%' {
                while self.peek().is_some_and(|b| b != b'\n' && b != b'\r') {
                    self.at += 1;
                }
            } else {
                break;
            }
        }
    }

    /// A name after its `/`, with `#hh` escapes decoded.
    fn name(&mut self) -> Vec<u8> {
        self.at += 1;
        let mut name = Vec::new();
        while let Some(b) = self.peek().filter(|&b| is_regular(b)) {
            let hex = self
                .bytes
                .get(self.at + 1..self.at + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(value) if b == b'#' => {
                    name.push(value);
                    self.at += 3;
                }
                _ => {
                    name.push(b);
                    self.at += 1;
                }
            }
        }
        name
    }

    fn integer(&mut self) -> Option<u64> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        std::str::from_utf8(self.bytes.get(start..self.at)?)
            .ok()?
            .parse()
            .ok()
    }

    /// `N G R`: the object number.
    fn reference(&mut self) -> Option<u64> {
        let number = self.integer()?;
        self.skip_space();
        self.integer()?;
        self.skip_space();
        (self.peek() == Some(b'R')).then_some(number)
    }

    /// A literal string from its `(` (ISO 32000-1, 7.3.4.2): balanced parentheses, the
    /// backslash escapes, and an end of line not escaped read as one line feed.
    fn literal_string(&mut self) -> Option<Vec<u8>> {
        self.at += 1;
        let mut depth = 1usize;
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.at += 1;
            match b {
                b'\\' => {
                    let escaped = self.peek()?;
                    self.at += 1;
                    match escaped {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'0'..=b'7' => {
                            let mut value = u32::from(escaped - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        value = value * 8 + u32::from(d - b'0');
                                        self.at += 1;
                                    }
                                    _ => break,
                                }
                            }
                            // High-order overflow is ignored (7.3.4.2).
                            out.push((value & 0xff) as u8);
                        }
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.at += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(out);
                    }
                    out.push(b);
                }
                b'\r' => {
                    if self.peek() == Some(b'\n') {
                        self.at += 1;
                    }
                    out.push(b'\n');
                }
                _ => out.push(b),
            }
        }
    }

    /// A hexadecimal string from its `<`: whitespace ignored, an odd last digit read as
    /// followed by 0; `None` on any other character or no `>`.
    fn hex_string(&mut self) -> Option<Vec<u8>> {
        self.at += 1;
        let mut digits = Vec::new();
        loop {
            let b = self.peek()?;
            self.at += 1;
            match b {
                b'>' => break,
                _ if is_space(b) => {}
                _ => digits.push(char::from(b).to_digit(16)? as u8),
            }
        }
        if digits.len() % 2 == 1 {
            digits.push(0);
        }
        Some(digits.chunks(2).map(|d| (d[0] << 4) | d[1]).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexed_space(dict: &[u8]) -> Indexed {
        match colour_space(dict) {
            ColourSpace::Indexed(Ok(space)) => space,
            other => panic!("{other:?}"),
        }
    }

    fn refusal(dict: &[u8]) -> String {
        match colour_space(dict) {
            ColourSpace::Indexed(Err(reason)) => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plain_spaces_are_told_apart() {
        assert_eq!(colour_space(b"/ColorSpace /DeviceGray"), ColourSpace::Gray);
        assert_eq!(
            colour_space(b"/ColorSpace/DeviceRGB/Width 2"),
            ColourSpace::Rgb
        );
        assert_eq!(colour_space(b"/ColorSpace 7 0 R"), ColourSpace::Unknown);
        assert_eq!(colour_space(b"/Width 2"), ColourSpace::Unknown);
        assert_eq!(colour_space(b"/ColorSpace /DeviceCMYK"), ColourSpace::Other);
        assert_eq!(
            colour_space(b"/ColorSpace [/ICCBased 5 0 R]"),
            ColourSpace::Other
        );
        assert_eq!(
            colour_space(b"/ColorSpaces /DeviceRGB"),
            ColourSpace::Unknown
        );
    }

    #[test]
    fn palettes_are_read_in_every_form() {
        // A literal string with escapes, as matplotlib writes one: \( \) \\ \n, a raw CR LF
        // (one line feed), and octal \101 ('A'). Entry 0 is (40, 41, 92), entry 1 (10, 10, 65).
        let literal =
            indexed_space(b"/ColorSpace [ /Indexed /DeviceRGB 1\n(\\(\\)\\\\\\n\r\n\\101) ]");
        assert_eq!(literal.components, 3);
        assert_eq!(literal.hival, 1);
        assert_eq!(literal.lookup, Lookup::Bytes(vec![40, 41, 92, 10, 10, 65]));
        // A line continuation, a nested pair of parentheses and an overflowing octal.
        let nested = indexed_space(b"/ColorSpace[/Indexed/DeviceGray 3(a\\\n(b)\\777)]");
        assert_eq!(nested.lookup, Lookup::Bytes(b"a(b)\xff".to_vec()));
        let hex = indexed_space(b"/ColorSpace [/Indexed /DeviceGray 2 <00 7f f>]");
        assert_eq!((hex.components, hex.hival), (1, 2));
        assert_eq!(hex.lookup, Lookup::Bytes(vec![0x00, 0x7f, 0xf0]));
        let stream = indexed_space(b"/ColorSpace [/Indexed /DeviceRGB 255 12 0 R]");
        assert_eq!(stream.lookup, Lookup::Stream(12));
        let escaped = indexed_space(b"/ColorSpace [/Indexed /Device#52GB 0 <000000>]");
        assert_eq!(escaped.components, 3);
    }

    #[test]
    fn unreadable_indexed_spaces_give_reasons() {
        assert_eq!(
            refusal(b"/ColorSpace [/Indexed [/ICCBased 5 0 R] 1 <000000ffffff>]"),
            "base colour space given as an array is not read"
        );
        assert_eq!(
            refusal(b"/ColorSpace [/Indexed 5 0 R 1 <000000ffffff>]"),
            "base colour space given by reference (ICCBased) is not read"
        );
        assert_eq!(
            refusal(b"/ColorSpace [/Indexed /DeviceCMYK 0 <00000000>]"),
            "base colour space /DeviceCMYK is not read"
        );
        assert_eq!(
            refusal(b"/ColorSpace [/Indexed /DeviceRGB 256 <00>]"),
            "hival 256 is past 255"
        );
        assert_eq!(
            refusal(b"/ColorSpace [/Indexed /DeviceRGB 1 (abc"),
            "the palette string is cut"
        );
        assert_eq!(
            refusal(b"/ColorSpace [/Indexed /DeviceRGB 1 <0g>]"),
            "the palette hex string is bad"
        );
        assert_eq!(
            refusal(b"/ColorSpace [/Indexed /DeviceRGB 1 12 0]"),
            "the palette reference is not `N G R`"
        );
        for cut in [
            &b"/ColorSpace [/Indexed"[..],
            b"/ColorSpace [/Indexed /DeviceRGB",
        ] {
            assert!(matches!(colour_space(cut), ColourSpace::Indexed(Err(_))));
        }
    }

    #[test]
    fn one_bit_indices_expand_to_rgb() {
        // 2x2, 1 bit an index, palette red then blue. Row 0 is indices 0, 1: 0b0100_0000;
        // row 1 is 1, 0: 0b1000_0000.
        let space = indexed_space(b"/ColorSpace [/Indexed /DeviceRGB 1 <ff0000 0000ff>]");
        let Lookup::Bytes(palette) = &space.lookup else {
            panic!("bytes");
        };
        let layout = Rows {
            width: 2,
            height: 2,
            depth: 1,
            filtered: false,
        };
        assert_eq!(layout.expanded_bytes(3), 14);
        let rgb = expand(layout, &space, palette, &[0x40, 0x80]).expect("expands");
        #[rustfmt::skip]
        let expected = [
            0, 255, 0, 0, 0, 0, 255,
            0, 0, 0, 255, 255, 0, 0,
        ];
        assert_eq!(rgb, expected);
    }

    #[test]
    fn predicted_four_bit_indices_expand_to_grey() {
        // 3 pixels a row, 4 bits an index: 2 bytes a row, the last nibble padding. Palette
        // 0, 85, 170, 255. Each row's plain bytes, and the bytes written under its filter:
        //   row 0, None:    indices 0 1 2 -> 01 20, written 01 20
        //   row 1, Up:      indices 3 3 1 -> 33 10, written 33-01=32, 10-20=f0
        //   row 2, Sub:     indices 2 0 3 -> 20 30, written 20, 30-20=10
        //   row 3, Average: indices 1 2 1 -> 12 10, written 12-(0+20)/2=02, 10-(12+30)/2=ef
        //   row 4, Paeth:   indices 0 3 2 -> 03 20; x=0: a=0 b=12 c=0, p=12, b nearest, so
        //                   03-12=f1; x=1: a=03 b=10 c=12, p=01, a nearest, so 20-03=1d
        // Pillow decodes the same rows, written as a 4-bit palette PNG, to the same greys.
        let rows = [
            0, 0x01, 0x20, 2, 0x32, 0xf0, 1, 0x20, 0x10, 3, 0x02, 0xef, 4, 0xf1, 0x1d,
        ];
        let space = indexed_space(b"/ColorSpace [/Indexed /DeviceGray 3 <0055aaff>]");
        let Lookup::Bytes(palette) = &space.lookup else {
            panic!("bytes");
        };
        let layout = Rows {
            width: 3,
            height: 5,
            depth: 4,
            filtered: true,
        };
        let grey = expand(layout, &space, palette, &rows).expect("expands");
        #[rustfmt::skip]
        let expected = [
            0, 0, 85, 170,
            0, 255, 255, 85,
            0, 170, 0, 255,
            0, 85, 170, 85,
            0, 0, 255, 170,
        ];
        assert_eq!(grey, expected);
    }

    #[test]
    fn bad_indices_and_palettes_are_refused() {
        let layout = Rows {
            width: 2,
            height: 1,
            depth: 1,
            filtered: false,
        };
        let one_colour = indexed_space(b"/ColorSpace [/Indexed /DeviceRGB 0 <ffffff>]");
        assert_eq!(
            expand(layout, &one_colour, &[255; 3], &[0x40]),
            Err("index 1 at row 0, column 1 is past the palette's last entry, 0".into())
        );
        let two_colours = indexed_space(b"/ColorSpace [/Indexed /DeviceRGB 1 <ffffff>]");
        assert_eq!(
            expand(layout, &two_colours, &[255; 3], &[0x40]),
            Err("the palette holds 3 bytes, fewer than the 6 that hival 1 needs".into())
        );
        assert_eq!(
            expand(layout, &one_colour, &[255; 3], &[]),
            Err("the rows are short".into())
        );
        let filtered = Rows {
            filtered: true,
            ..layout
        };
        assert_eq!(
            expand(filtered, &one_colour, &[255; 3], &[5, 0]),
            Err("row 0 has PNG filter type 5".into())
        );
        assert_eq!(
            expand(filtered, &one_colour, &[255; 3], &[0]),
            Err("the rows are short".into())
        );
    }

    #[test]
    fn hostile_colour_spaces_and_rows_never_panic() {
        // A fixed linear congruential generator: the same bytes every run.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 56) as u8
        };
        let alphabet = b"[]()<>/\\ 0123456789abcdefR\r\n";
        let bases: [&[u8]; 3] = [b"/DeviceRGB ", b"/DeviceGray ", b""];
        for round in 0..4000 {
            let mut dict = [b"/ColorSpace [/Indexed ", bases[round % 3]].concat();
            for _ in 0..usize::from(next() % 24) {
                let pick = next();
                dict.push(if pick < 200 {
                    alphabet[usize::from(pick) % alphabet.len()]
                } else {
                    pick
                });
            }
            let _ = colour_space(&dict);
        }
        // Valid spaces over random rows and palettes: some expand, none panics.
        let mut expanded = 0;
        for round in 0..4000 {
            let space = Indexed {
                components: [1, 3][round % 2],
                hival: next() % 16,
                lookup: Lookup::Stream(0),
            };
            let palette: Vec<u8> = (0..usize::from(next() % 64)).map(|_| next()).collect();
            let rows: Vec<u8> = (0..usize::from(next() % 16)).map(|_| next() % 5).collect();
            let layout = Rows {
                width: 1 + usize::from(next() % 5),
                height: 1 + usize::from(next() % 3),
                depth: [1, 2, 4, 8, 3, 16, 1, 2][round % 8],
                filtered: next() % 2 == 0,
            };
            expanded += usize::from(expand(layout, &space, &palette, &rows).is_ok());
        }
        assert!(expanded > 10, "only {expanded} images expanded");
    }
}
