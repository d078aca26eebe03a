//! The bit reader and Huffman decoding of JPEG entropy-coded data (ITU-T T.81, annex C and
//! F.2.2): byte stuffing, markers ending a segment, canonical code tables.

use super::DctError;

/// Bits looked up at once; longer codes fall back to the canonical comparison of F.2.2.3.
const LOOKUP_BITS: u32 = 9;

/// One Huffman table from a DHT segment, ready for decoding.
#[derive(Clone, Debug)]
pub struct Table {
    /// For each `LOOKUP_BITS`-bit prefix: code length << 8 | value, or 0 when the code is
    /// longer.
    lookup: Vec<u16>,
    /// Largest code of each length, or -1 when no code has that length.
    max_code: [i32; 17],
    /// Index into `values` of the first code of each length, minus that code.
    offset: [i32; 17],
    values: Vec<u8>,
}

impl Table {
    /// Builds a table from the 16 code-length counts and the values of a DHT segment.
    pub fn new(counts: &[u8; 16], values: &[u8]) -> Result<Table, DctError> {
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        if total > 256 || total != values.len() {
            return Err(DctError::corrupt(
                0,
                "Huffman table with inconsistent counts",
            ));
        }
        let mut table = Table {
            lookup: vec![0; 1 << LOOKUP_BITS],
            max_code: [-1; 17],
            offset: [0; 17],
            values: values.to_vec(),
        };
        let mut code: i32 = 0;
        let mut index: i32 = 0;
        for length in 1..=16u32 {
            let count = i32::from(counts[length as usize - 1]);
            if code + count > (1 << length) {
                return Err(DctError::corrupt(0, "Huffman table with too many codes"));
            }
            table.offset[length as usize] = index - code;
            if count > 0 {
                table.max_code[length as usize] = code + count - 1;
            }
            if length <= LOOKUP_BITS {
                table.fill_lookup(code, count, index, length);
            }
            index += count;
            code = (code + count) << 1;
        }
        Ok(table)
    }

    fn fill_lookup(&mut self, first: i32, count: i32, index: i32, length: u32) {
        let spread = LOOKUP_BITS - length;
        for i in 0..count {
            let value = self.values.get((index + i) as usize).copied().unwrap_or(0);
            let entry = (length as u16) << 8 | u16::from(value);
            let start = ((first + i) as usize) << spread;
            for slot in self.lookup.iter_mut().skip(start).take(1 << spread) {
                *slot = entry;
            }
        }
    }
}

/// Reads bits MSB first from entropy-coded data, removing stuffed zero bytes. At a marker,
/// or at the end of the data, it supplies zero bits, as libjpeg does, and remembers that it
/// met the marker.
pub struct BitReader<'a> {
    data: &'a [u8],
    /// Next byte to load.
    pub position: usize,
    buffer: u64,
    count: u32,
    at_marker: bool,
    /// Zero bytes supplied past the end of the data since the last restart.
    padding: u32,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8], position: usize) -> BitReader<'a> {
        BitReader {
            data,
            position,
            buffer: 0,
            count: 0,
            at_marker: false,
            padding: 0,
        }
    }

    /// Fails when the decoder consumed bits past the end of the entropy-coded data, which
    /// only a truncated or corrupt scan makes it do: encoders code every symbol in full.
    pub fn check_overrun(&self) -> Result<(), DctError> {
        if self.padding * 8 > self.count {
            return Err(DctError::corrupt(
                self.position,
                "entropy-coded data ends early",
            ));
        }
        Ok(())
    }

    fn fill(&mut self) {
        while self.count <= 56 {
            let mut byte = 0u8;
            if !self.at_marker {
                match self.data.get(self.position) {
                    Some(0xff) => match self.data.get(self.position + 1) {
                        Some(0x00) => {
                            byte = 0xff;
                            self.position += 2;
                        }
                        _ => self.at_marker = true,
                    },
                    Some(&b) => {
                        byte = b;
                        self.position += 1;
                    }
                    None => self.at_marker = true,
                }
            }
            if self.at_marker {
                self.padding = self.padding.saturating_add(1);
            }
            self.buffer |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    fn peek(&mut self, bits: u32) -> u32 {
        if self.count < bits {
            self.fill();
        }
        (self.buffer >> (64 - bits)) as u32
    }

    fn consume(&mut self, bits: u32) {
        self.buffer <<= bits;
        self.count = self.count.saturating_sub(bits);
    }

    /// Reads `bits` (0 to 16) bits as an unsigned number.
    pub fn bits(&mut self, bits: u32) -> u32 {
        if bits == 0 {
            return 0;
        }
        let value = self.peek(bits);
        self.consume(bits);
        value
    }

    /// Reads one bit.
    pub fn bit(&mut self) -> bool {
        self.bits(1) == 1
    }

    /// Reads a magnitude category's extra bits and extends the sign (F.2.2.1, EXTEND).
    pub fn receive_extend(&mut self, size: u8) -> Result<i32, DctError> {
        if size == 0 {
            return Ok(0);
        }
        if size > 16 {
            return Err(DctError::corrupt(
                self.position,
                "magnitude category over 16",
            ));
        }
        let value = self.bits(u32::from(size)) as i32;
        if value < 1 << (size - 1) {
            Ok(value - (1 << size) + 1)
        } else {
            Ok(value)
        }
    }

    /// Decodes one Huffman-coded symbol.
    pub fn decode(&mut self, table: &Table) -> Result<u8, DctError> {
        let prefix = self.peek(LOOKUP_BITS) as usize;
        let entry = table.lookup.get(prefix).copied().unwrap_or(0);
        if entry != 0 {
            self.consume(u32::from(entry >> 8));
            return Ok(entry as u8);
        }
        for length in LOOKUP_BITS + 1..=16 {
            let code = self.peek(length) as i32;
            if code <= table.max_code[length as usize] {
                self.consume(length);
                let index = table.offset[length as usize] + code;
                return table
                    .values
                    .get(index as usize)
                    .copied()
                    .ok_or_else(|| DctError::corrupt(self.position, "bad Huffman code"));
            }
        }
        Err(DctError::corrupt(self.position, "bad Huffman code"))
    }

    /// Drops the bits left in the current byte and steps over the restart marker expected
    /// next (RST0 to RST7, in turn), as at the end of each restart interval (F.1.2.3).
    pub fn restart(&mut self, expected: u8) -> Result<(), DctError> {
        self.buffer = 0;
        self.count = 0;
        self.at_marker = false;
        self.padding = 0;
        let mut at = self.position;
        while self.data.get(at) == Some(&0xff) && self.data.get(at + 1) == Some(&0xff) {
            at += 1;
        }
        if self.data.get(at) != Some(&0xff) || self.data.get(at + 1) != Some(&(0xd0 + expected)) {
            return Err(DctError::corrupt(
                at,
                "restart marker missing or out of order",
            ));
        }
        self.position = at + 2;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stuffed_bytes_are_removed_and_markers_give_zeros() {
        let data = [0b1010_0000, 0xff, 0x00, 0xff, 0xd9];
        let mut reader = BitReader::new(&data, 0);
        assert_eq!(reader.bits(4), 0b1010);
        assert_eq!(reader.bits(4), 0);
        assert_eq!(reader.bits(8), 0xff);
        assert_eq!(reader.bits(16), 0);
        assert_eq!(reader.position, 3);
    }

    #[test]
    fn extend_gives_the_signed_value() {
        // Category 3: 000 is -7, 011 is -4, 100 is 4, 111 is 7 (table F.1).
        let data = [0b0000_1110, 0b1111_1000];
        let mut reader = BitReader::new(&data, 0);
        assert_eq!(reader.receive_extend(3).ok(), Some(-7));
        assert_eq!(reader.receive_extend(2).ok(), Some(-2));
        assert_eq!(reader.receive_extend(3).ok(), Some(6));
        assert_eq!(reader.receive_extend(3).ok(), Some(7));
    }

    #[test]
    fn canonical_codes_decode_short_and_long() {
        // Two codes of length 2 (00, 01) and one of length 12 (100000000000).
        let mut counts = [0u8; 16];
        counts[1] = 2;
        counts[11] = 1;
        let table = Table::new(&counts, &[5, 6, 7]).expect("valid");
        let data = [0b0100_1000, 0b0000_0000, 0b1100_0000];
        let mut reader = BitReader::new(&data, 0);
        assert_eq!(reader.decode(&table).ok(), Some(6));
        assert_eq!(reader.decode(&table).ok(), Some(5));
        assert_eq!(reader.decode(&table).ok(), Some(7));
        assert!(reader.decode(&table).is_err());
    }

    #[test]
    fn oversubscribed_tables_are_rejected() {
        let mut counts = [0u8; 16];
        counts[0] = 3;
        assert!(Table::new(&counts, &[1, 2, 3]).is_err());
    }
}
