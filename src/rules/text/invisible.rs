//! Invisible Unicode: characters that render as nothing and so can carry a message a reader
//! of the text never sees.
//!
//! Counted: zero-width characters (U+200B-200D, U+2060-2064, U+FEFF after the start, U+180E),
//! tag characters (U+E0000-E007F), bidirectional controls (U+200E, 200F, 061C, 202A-202E,
//! 2066-2069) and variation selectors (U+FE00-FE0F, U+E0100-E01EF); Unicode TS #39 and
//! Boucher and Anderson's "Trojan Source" list them as the characters that hide or reorder
//! text. Left alone where they have a job (Unicode TR #51 for emoji): a zero-width joiner
//! between two pictographs, a variation selector after a pictograph, keycap base or symbol,
//! tag characters after the black flag U+1F3F4 (subdivision flags), and direction marks next
//! to right-to-left letters.
//!
//! The capacity is the count times log2 of the number of distinct invisible characters used
//! (one bit each for a two-character code, eight for the 256 variation selectors).

/// What the scan found.
#[derive(Clone, Debug, PartialEq)]
pub struct Invisible {
    /// Characters counted.
    pub count: usize,
    /// Distinct characters among them.
    pub distinct: usize,
    /// Byte offset of the first.
    pub first: usize,
    /// Byte offset just past the first.
    pub first_end: usize,
    /// Lines holding at least one.
    pub lines: usize,
    /// Classes present: "zero-width", "tag", "bidi control", "variation selector".
    pub classes: Vec<&'static str>,
    /// Bits they could carry.
    pub bits: u64,
}

fn class_of(c: char) -> Option<&'static str> {
    match c {
        '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{180e}' => {
            Some("zero-width")
        }
        '\u{e0000}'..='\u{e007f}' => Some("tag"),
        '\u{200e}'
        | '\u{200f}'
        | '\u{061c}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => Some("bidi control"),
        '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}' => Some("variation selector"),
        _ => None,
    }
}

fn is_pictograph(c: char) -> bool {
    matches!(c, '\u{1f000}'..='\u{1faff}' | '\u{2600}'..='\u{27bf}' | '\u{2300}'..='\u{23ff}'
        | '\u{2b00}'..='\u{2bff}' | '\u{00a9}' | '\u{00ae}' | '\u{2190}'..='\u{21ff}')
}

fn is_right_to_left(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08ff}' | '\u{fb1d}'..='\u{fdff}' | '\u{fe70}'..='\u{feff}')
}

/// Scans `text` for invisible characters outside their legitimate uses; `None` when there
/// are none.
pub fn scan_invisible(text: &str) -> Option<Invisible> {
    if text.is_ascii() {
        return None;
    }
    let mut count = 0;
    let mut seen: Vec<char> = Vec::new();
    let mut classes: Vec<&'static str> = Vec::new();
    let mut first = None;
    let mut lines = 0;
    let mut line_counted = false;
    let mut previous = '\n';
    let mut in_flag = false;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '\n' {
            line_counted = false;
        }
        let next = chars.peek().map_or('\n', |&(_, n)| n);
        let Some(class) = class_of(c) else {
            in_flag = c == '\u{1f3f4}';
            previous = c;
            continue;
        };
        let legitimate = match c {
            '\u{200d}' => is_pictograph(previous) && is_pictograph(next),
            '\u{fe00}'..='\u{fe0f}' => {
                is_pictograph(previous) || matches!(previous, '0'..='9' | '#' | '*')
            }
            '\u{e0020}'..='\u{e007f}' => in_flag,
            '\u{200e}' | '\u{200f}' | '\u{061c}' => {
                is_right_to_left(previous) || is_right_to_left(next)
            }
            '\u{feff}' => at == 0,
            _ => false,
        };
        if !legitimate {
            count += 1;
            first.get_or_insert((at, at + c.len_utf8()));
            if !seen.contains(&c) && seen.len() < 512 {
                seen.push(c);
            }
            if !classes.contains(&class) {
                classes.push(class);
            }
            if !line_counted {
                lines += 1;
                line_counted = true;
            }
            in_flag = false;
        }
        // A selector or joiner does not end the pictograph it decorates.
        if legitimate && !matches!(c, '\u{e0020}'..='\u{e007f}') {
            continue;
        }
        previous = c;
    }
    let (first, first_end) = first?;
    let distinct = seen.len();
    let per_char = (distinct.max(2) as f64).log2();
    Some(Invisible {
        count,
        distinct,
        first,
        first_end,
        lines,
        classes,
        bits: (count as f64 * per_char).floor() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hides `message` as bits: U+200B for 0, U+200C for 1.
    fn zero_width(message: &[u8]) -> String {
        message
            .iter()
            .flat_map(|byte| (0..8).rev().map(move |bit| (byte >> bit) & 1))
            .map(|bit| if bit == 0 { '\u{200b}' } else { '\u{200c}' })
            .collect()
    }

    #[test]
    fn zero_width_bits_are_counted() {
        let text = format!(
            "The results are in table 2.{}\nSee above.",
            zero_width(b"NHS")
        );
        let found = scan_invisible(&text).expect("found");
        assert_eq!((found.count, found.distinct, found.bits), (24, 2, 24));
        assert_eq!(found.first, "The results are in table 2.".len());
        assert_eq!(found.classes, vec!["zero-width"]);
    }

    #[test]
    fn tags_outside_flags_carry_text() {
        let hidden: String = "hi there"
            .chars()
            .filter_map(|c| char::from_u32(0xe0000 + c as u32))
            .collect();
        let found = scan_invisible(&format!("ok{hidden}")).expect("found");
        assert_eq!(found.count, 8);
        assert_eq!(found.classes, vec!["tag"]);
        // Six distinct characters: 8 * log2(6) = 20.68 bits.
        assert_eq!(found.bits, 20);
    }

    #[test]
    fn emoji_flags_and_rtl_marks_are_legitimate() {
        let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}";
        let heart = "\u{2764}\u{fe0f}";
        let keycap = "1\u{fe0f}\u{20e3}";
        let scotland = "\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}";
        let hebrew = "\u{05e9}\u{05dc}\u{05d5}\u{05dd}\u{200f} 2024";
        let bom_start = "\u{feff}text";
        for text in [
            family,
            heart,
            keycap,
            scotland,
            hebrew,
            bom_start,
            "plain ascii",
        ] {
            assert_eq!(scan_invisible(text), None, "{text:?}");
        }
    }

    #[test]
    fn one_stray_character_is_one_bit() {
        let found = scan_invisible("copied\u{200b} from a web page").expect("found");
        assert_eq!((found.count, found.bits), (1, 1));
    }
}
