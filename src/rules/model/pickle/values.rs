//! Opcodes that push a plain value: numbers, text, bytes, out-of-band buffers.

use super::{Frame, WalkError, Walker};
use crate::rules::model::graph::Node;

impl Walker<'_> {
    /// Handles a value opcode; `false` when `opcode` is not one.
    pub(super) fn value(
        &mut self,
        opcode: u8,
        at: usize,
        f: &mut Frame,
    ) -> Result<bool, WalkError> {
        let under = WalkError::StackUnderflow { at };
        let g = &mut self.out.graph;
        match opcode {
            // Scalars.
            b'N' => f.stack.push(g.add(Node::None)),
            0x88 => f.stack.push(g.add(Node::Bool(true))),
            0x89 => f.stack.push(g.add(Node::Bool(false))),
            b'K' => {
                let v = self.u8()? as i64;
                f.stack.push(self.out.graph.add(Node::Int(v)));
            }
            b'M' => {
                let v = u16::from_le_bytes(self.le::<2>()?) as i64;
                f.stack.push(self.out.graph.add(Node::Int(v)));
            }
            b'J' => {
                let v = i32::from_le_bytes(self.le::<4>()?) as i64;
                f.stack.push(self.out.graph.add(Node::Int(v)));
            }
            0x8a | 0x8b => {
                let n = if opcode == 0x8a {
                    self.length::<1>()?
                } else {
                    self.length::<4>()?
                };
                let bytes = self.take(n)?;
                let node = long_le(bytes).map_or(Node::BigInt, Node::Int);
                f.stack.push(self.out.graph.add(node));
            }
            b'I' | b'L' => {
                let line = self.line()?;
                let node = text_int(line).ok_or(WalkError::BadArgument {
                    at,
                    what: "an INT or LONG that is not a number",
                })?;
                f.stack.push(self.out.graph.add(node));
            }
            b'F' => {
                let line = self.line()?;
                let value = std::str::from_utf8(line)
                    .ok()
                    .and_then(|t| t.trim().parse::<f64>().ok())
                    .ok_or(WalkError::BadArgument {
                        at,
                        what: "a FLOAT that is not a number",
                    })?;
                f.stack.push(self.out.graph.add(Node::Float(value)));
            }
            b'G' => {
                let v = f64::from_be_bytes(self.le::<8>()?);
                f.stack.push(self.out.graph.add(Node::Float(v)));
            }
            // Strings and bytes.
            b'S' | b'V' => {
                let line = self.line()?;
                let text = if opcode == b'S' { unquote(line) } else { line };
                let node = Node::text(&String::from_utf8_lossy(text));
                f.stack.push(self.out.graph.add(node));
            }
            b'X' | 0x8c | 0x8d => {
                let n = match opcode {
                    b'X' => self.length::<4>()?,
                    0x8c => self.length::<1>()?,
                    _ => self.length::<8>()?,
                };
                let bytes = self.take(n)?;
                let node = Node::text(&String::from_utf8_lossy(bytes));
                f.stack.push(self.out.graph.add(node));
            }
            b'T' | b'U' | b'B' | b'C' | 0x8e | 0x96 => {
                let n = match opcode {
                    b'U' | b'C' => self.length::<1>()?,
                    b'T' | b'B' => self.length::<4>()?,
                    _ => self.length::<8>()?,
                };
                let offset = self.pos;
                self.take(n)?;
                let node = Node::Bytes {
                    offset: offset as u64,
                    len: n as u64,
                };
                f.stack.push(self.out.graph.add(node));
            }
            // Out-of-band buffers (protocol 5): the data is not in the file.
            0x97 => f.stack.push(self.out.graph.add(Node::Elided)),
            0x98 => {
                f.stack.last().ok_or(under)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Protocol 0 INT and LONG: decimal text, `01`/`00` for booleans, an optional `L` suffix.
pub(super) fn text_int(line: &[u8]) -> Option<Node> {
    let text = std::str::from_utf8(line).ok()?.trim().trim_end_matches('L');
    match text {
        "01" => return Some(Node::Bool(true)),
        "00" => return Some(Node::Bool(false)),
        _ => {}
    }
    if let Ok(v) = text.parse::<i64>() {
        return Some(Node::Int(v));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(Node::BigInt)
}

/// A little-endian two's-complement integer, when it fits in 64 bits.
pub(super) fn long_le(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() {
        return Some(0);
    }
    if bytes.len() > 8 {
        let sign = if bytes[bytes.len() - 1] & 0x80 != 0 {
            0xff
        } else {
            0
        };
        if bytes[8..].iter().any(|&b| b != sign) {
            return None;
        }
    }
    let negative = bytes[bytes.len().min(8) - 1] & 0x80 != 0;
    let mut wide = if negative { [0xffu8; 8] } else { [0u8; 8] };
    let n = bytes.len().min(8);
    wide[..n].copy_from_slice(&bytes[..n]);
    Some(i64::from_le_bytes(wide))
}

/// Protocol 0 STRING arguments are quoted Python literals.
pub(super) fn unquote(line: &[u8]) -> &[u8] {
    match line {
        [b'\'', inner @ .., b'\''] | [b'"', inner @ .., b'"'] => inner,
        _ => line,
    }
}
