//! Decoding one scan (T.81 annex F for sequential, annex G.1.2 for progressive scans) into
//! the coefficient grids of the frame.

use super::huffman::{BitReader, Table};
use super::{Component, DctError, Decoder, ZIGZAG};

/// What a scan header asks for.
struct Header {
    /// Index into the frame's components, with the DC and AC table ids, per scan component.
    members: Vec<(usize, usize, usize)>,
    start: usize,
    end: usize,
    high: u8,
    low: u8,
}

/// The state carried across the blocks of a scan.
struct State<'a> {
    reader: BitReader<'a>,
    predictions: [i32; 4],
    end_of_band_run: u32,
}

impl Decoder {
    /// Decodes the scan whose SOS segment holds `header` (at `at`, ending at `end`); returns
    /// the offset of the marker after the entropy-coded data.
    pub(super) fn scan(
        &mut self,
        content: &[u8],
        header: &[u8],
        at: usize,
        end: usize,
    ) -> Result<usize, DctError> {
        let header = self.scan_header(header, at)?;
        let restart_interval = self.restart_interval;
        let Some(frame) = self.frame.as_mut() else {
            return Err(DctError::corrupt(at, "scan before the frame header"));
        };
        for &(index, _, _) in &header.members {
            let component = &mut frame.components[index];
            if !component.latched {
                let id = usize::from(component.table_id);
                component.quantisation = self.quantisation[id]
                    .ok_or_else(|| DctError::corrupt(at, "undefined quantisation table"))?;
                component.latched = true;
            }
        }
        let tables = Tables {
            dc: &self.dc_tables,
            ac: &self.ac_tables,
        };
        let mut state = State {
            reader: BitReader::new(content, end),
            predictions: [0; 4],
            end_of_band_run: 0,
        };
        let units = units(
            frame.max_sampling,
            frame.width,
            frame.height,
            &header,
            frame,
        );
        let progressive = frame.progressive;
        let mut restarts = 0u8;
        for unit in 0..units.count {
            if restart_interval > 0 && unit > 0 && unit % restart_interval == 0 {
                state.reader.check_overrun()?;
                state.reader.restart(restarts)?;
                restarts = (restarts + 1) % 8;
                state.predictions = [0; 4];
                state.end_of_band_run = 0;
            }
            decode_unit(
                unit,
                &units,
                &header,
                &tables,
                frame,
                &mut state,
                progressive,
            )?;
        }
        state.reader.check_overrun()?;
        Ok(next_segment(content, state.reader.position))
    }

    fn scan_header(&self, data: &[u8], at: usize) -> Result<Header, DctError> {
        let short = || DctError::corrupt(at, "short scan header");
        let frame = self
            .frame
            .as_ref()
            .ok_or_else(|| DctError::corrupt(at, "scan before the frame header"))?;
        let count = usize::from(*data.first().ok_or_else(short)?);
        if count == 0 || count > 4 || count > frame.components.len() {
            return Err(DctError::corrupt(at, "bad scan component count"));
        }
        let mut members = Vec::with_capacity(count);
        for i in 0..count {
            let spec = data.get(1 + 2 * i..3 + 2 * i).ok_or_else(short)?;
            let index = frame
                .components
                .iter()
                .position(|c| c.id == spec[0])
                .ok_or_else(|| DctError::corrupt(at, "scan names an unknown component"))?;
            let (dc, ac) = (usize::from(spec[1] >> 4), usize::from(spec[1] & 15));
            if dc > 3 || ac > 3 || members.iter().any(|m: &(usize, usize, usize)| m.0 == index) {
                return Err(DctError::corrupt(at, "bad scan component"));
            }
            members.push((index, dc, ac));
        }
        let tail = data.get(1 + 2 * count..4 + 2 * count).ok_or_else(short)?;
        let header = Header {
            members,
            start: usize::from(tail[0]),
            end: usize::from(tail[1]),
            high: tail[2] >> 4,
            low: tail[2] & 15,
        };
        self.check_header(&header, frame.progressive, at)?;
        Ok(header)
    }

    fn check_header(&self, header: &Header, progressive: bool, at: usize) -> Result<(), DctError> {
        let bad = Err(DctError::corrupt(
            at,
            "bad spectral selection or approximation",
        ));
        if !progressive {
            if header.start != 0 || header.end != 63 || header.high != 0 || header.low != 0 {
                return bad;
            }
        } else if header.end > 63
            || header.start > header.end
            || (header.start == 0 && header.end != 0)
            || (header.start > 0 && header.members.len() != 1)
            || header.low > 13
            || (header.high != 0 && header.high != header.low + 1)
        {
            return bad;
        }
        let first_dc = header.start == 0 && header.high == 0;
        for &(_, dc, ac) in &header.members {
            let missing = (first_dc && self.dc_tables[dc].is_none())
                || (header.start > 0 && self.ac_tables[ac].is_none() && header.high == 0)
                || (!progressive && self.ac_tables[ac].is_none());
            if missing {
                return Err(DctError::corrupt(
                    at,
                    "scan uses an undefined Huffman table",
                ));
            }
        }
        Ok(())
    }
}

struct Tables<'a> {
    dc: &'a [Option<Table>; 4],
    ac: &'a [Option<Table>; 4],
}

fn table(tables: &[Option<Table>; 4], id: usize) -> Result<&Table, DctError> {
    tables
        .get(id)
        .and_then(Option::as_ref)
        .ok_or_else(|| DctError::corrupt(0, "undefined Huffman table"))
}

/// How a scan walks the blocks: interleaved MCUs, or one component's blocks one by one.
struct Units {
    count: usize,
    /// Units across a row.
    wide: usize,
    interleaved: bool,
}

fn units(
    max_sampling: (usize, usize),
    width: usize,
    height: usize,
    header: &Header,
    frame: &super::Frame,
) -> Units {
    if header.members.len() > 1 {
        let wide = width.div_ceil(8 * max_sampling.0);
        let high = height.div_ceil(8 * max_sampling.1);
        return Units {
            count: wide * high,
            wide,
            interleaved: true,
        };
    }
    let component = &frame.components[header.members[0].0];
    Units {
        count: component.blocks_wide * component.blocks_high,
        wide: component.blocks_wide,
        interleaved: false,
    }
}

#[allow(clippy::too_many_arguments)]
fn decode_unit(
    unit: usize,
    units: &Units,
    header: &Header,
    tables: &Tables,
    frame: &mut super::Frame,
    state: &mut State,
    progressive: bool,
) -> Result<(), DctError> {
    let (column, row) = (unit % units.wide, unit / units.wide);
    for (slot, &(index, dc, ac)) in header.members.iter().enumerate() {
        let component = &mut frame.components[index];
        let (h, v) = if units.interleaved {
            (
                usize::from(component.sampling.0),
                usize::from(component.sampling.1),
            )
        } else {
            (1, 1)
        };
        for y in 0..v {
            for x in 0..h {
                let block = block_mut(component, column * h + x, row * v + y)?;
                if !progressive {
                    sequential(block, slot, dc, ac, tables, state)?;
                } else {
                    progressive_block(block, slot, dc, ac, header, tables, state)?;
                }
            }
        }
    }
    Ok(())
}

fn block_mut(component: &mut Component, column: usize, row: usize) -> Result<&mut [i16], DctError> {
    let start = (row * component.stride + column) * 64;
    component
        .coefficients
        .get_mut(start..start + 64)
        .ok_or_else(|| DctError::corrupt(0, "block outside the grid"))
}

/// A baseline or extended sequential block (F.2.2).
fn sequential(
    block: &mut [i16],
    slot: usize,
    dc: usize,
    ac: usize,
    tables: &Tables,
    state: &mut State,
) -> Result<(), DctError> {
    let reader = &mut state.reader;
    let size = reader.decode(table(tables.dc, dc)?)?;
    let difference = reader.receive_extend(size)?;
    state.predictions[slot] = state.predictions[slot].wrapping_add(difference);
    block[0] = state.predictions[slot] as i16;
    let ac_table = table(tables.ac, ac)?;
    let mut k = 1;
    while k < 64 {
        let symbol = reader.decode(ac_table)?;
        let (run, size) = (usize::from(symbol >> 4), symbol & 15);
        if size == 0 {
            if run != 15 {
                break;
            }
            k += 16;
            continue;
        }
        k += run;
        let natural = *ZIGZAG
            .get(k)
            .ok_or_else(|| DctError::corrupt(reader.position, "run past the block"))?;
        block[natural] = reader.receive_extend(size)? as i16;
        k += 1;
    }
    Ok(())
}

/// One block of a progressive scan (G.1.2): DC or AC, first or refinement pass.
fn progressive_block(
    block: &mut [i16],
    slot: usize,
    dc: usize,
    ac: usize,
    header: &Header,
    tables: &Tables,
    state: &mut State,
) -> Result<(), DctError> {
    let low = u32::from(header.low);
    match (header.start == 0, header.high == 0) {
        (true, true) => {
            let size = state.reader.decode(table(tables.dc, dc)?)?;
            let difference = state.reader.receive_extend(size)?;
            state.predictions[slot] = state.predictions[slot].wrapping_add(difference);
            block[0] = state.predictions[slot].wrapping_shl(low) as i16;
        }
        (true, false) => {
            if state.reader.bit() {
                block[0] |= 1 << low;
            }
        }
        (false, true) => ac_first(block, table(tables.ac, ac)?, header, state)?,
        (false, false) => ac_refine(block, tables, ac, header, state)?,
    }
    Ok(())
}

/// The first pass over a band of AC coefficients (G.1.2.2).
fn ac_first(
    block: &mut [i16],
    ac_table: &Table,
    header: &Header,
    state: &mut State,
) -> Result<(), DctError> {
    if state.end_of_band_run > 0 {
        state.end_of_band_run -= 1;
        return Ok(());
    }
    let reader = &mut state.reader;
    let mut k = header.start;
    while k <= header.end {
        let symbol = reader.decode(ac_table)?;
        let (run, size) = (u32::from(symbol >> 4), symbol & 15);
        if size == 0 {
            if run < 15 {
                state.end_of_band_run = (1u32 << run) - 1 + reader.bits(run);
                break;
            }
            k += 16;
            continue;
        }
        k += run as usize;
        if k > header.end {
            return Err(DctError::corrupt(reader.position, "run past the band"));
        }
        let value = reader
            .receive_extend(size)?
            .wrapping_shl(u32::from(header.low));
        block[ZIGZAG[k]] = value as i16;
        k += 1;
    }
    Ok(())
}

/// A refinement pass over a band of AC coefficients (G.1.2.3): one correction bit for each
/// coefficient already non-zero, and new coefficients of magnitude 1 << Al.
fn ac_refine(
    block: &mut [i16],
    tables: &Tables,
    ac: usize,
    header: &Header,
    state: &mut State,
) -> Result<(), DctError> {
    let plus = 1i16.wrapping_shl(u32::from(header.low));
    let minus = (-1i16).wrapping_shl(u32::from(header.low));
    let mut k = header.start;
    if state.end_of_band_run == 0 {
        let ac_table = table(tables.ac, ac)?;
        while k <= header.end {
            let reader = &mut state.reader;
            let symbol = reader.decode(ac_table)?;
            let (mut run, size) = (i32::from(symbol >> 4), symbol & 15);
            let mut value = 0i16;
            if size != 0 {
                if size != 1 {
                    return Err(DctError::corrupt(reader.position, "refinement size over 1"));
                }
                value = if reader.bit() { plus } else { minus };
            } else if run != 15 {
                state.end_of_band_run = (1u32 << run) + reader.bits(run as u32);
                break;
            }
            while k <= header.end {
                let coefficient = &mut block[ZIGZAG[k]];
                if *coefficient != 0 {
                    correct(coefficient, reader.bit(), plus, minus);
                } else {
                    run -= 1;
                    if run < 0 {
                        break;
                    }
                }
                k += 1;
            }
            if value != 0 {
                let natural = *ZIGZAG
                    .get(k)
                    .filter(|_| k <= header.end)
                    .ok_or_else(|| DctError::corrupt(reader.position, "run past the band"))?;
                block[natural] = value;
            }
            k += 1;
        }
    }
    if state.end_of_band_run > 0 {
        while k <= header.end {
            let coefficient = &mut block[ZIGZAG[k]];
            if *coefficient != 0 {
                correct(coefficient, state.reader.bit(), plus, minus);
            }
            k += 1;
        }
        state.end_of_band_run -= 1;
    }
    Ok(())
}

/// Applies a correction bit to a coefficient already non-zero: adds one more bit of
/// magnitude, away from zero.
fn correct(coefficient: &mut i16, bit: bool, plus: i16, minus: i16) {
    if bit && *coefficient & plus == 0 {
        let step = if *coefficient >= 0 { plus } else { minus };
        *coefficient = coefficient.wrapping_add(step);
    }
}

/// The offset of the first marker, other than a restart marker, at or after `at`.
fn next_segment(content: &[u8], mut at: usize) -> usize {
    while at + 1 < content.len() {
        if content[at] == 0xff {
            let next = content[at + 1];
            if next != 0x00 && !(0xd0..=0xd7).contains(&next) {
                return at;
            }
            at += 2;
        } else {
            at += 1;
        }
    }
    content.len()
}
