//! A static pickle opcode walker for protocols 0 to 5. It never unpickles: it reads opcodes
//! and builds a bounded graph of what the stream *would* construct (globals, calls, dicts,
//! arrays), so that the model rules can read class names and parameters without running code.
//!
//! Memory is bounded whatever the input: the graph, the stack, the mark stack and the memo each
//! have a cap, and every length read from the stream is checked against the bytes left.

use std::collections::HashMap;

mod objects;
mod values;

use super::graph::{Graph, Id, Node};

/// Most entries on the value stack before the walk gives up.
const MAX_STACK: usize = 1 << 20;
/// Most open marks (nesting of tuples, lists and dicts being built).
const MAX_MARKS: usize = 1 << 16;
/// Most memo entries per stream.
const MAX_MEMO: usize = 1 << 20;
/// Deepest nesting of streams inside streams (object arrays inside joblib files).
const MAX_NESTED: usize = 8;
/// Longest text line (protocol 0 arguments) read before the line is called malformed.
const MAX_LINE: usize = 1 << 16;

/// Why a stream could not be walked to its STOP opcode.
#[derive(Debug, Clone, PartialEq)]
pub enum WalkError {
    /// The stream ended before STOP.
    Truncated { at: usize },
    /// A byte that is no pickle opcode.
    UnknownOpcode { opcode: u8, at: usize },
    /// An opcode needed values the stack does not hold.
    StackUnderflow { at: usize },
    /// An argument that cannot be read (bad text number, memo key never set).
    BadArgument { at: usize, what: &'static str },
    /// A safety limit of the walker was reached.
    Limit { at: usize, what: &'static str },
}

impl WalkError {
    /// Byte offset at which the walk stopped.
    pub fn offset(&self) -> usize {
        match self {
            WalkError::Truncated { at }
            | WalkError::UnknownOpcode { at, .. }
            | WalkError::StackUnderflow { at }
            | WalkError::BadArgument { at, .. }
            | WalkError::Limit { at, .. } => *at,
        }
    }
}

impl std::fmt::Display for WalkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WalkError::Truncated { at } => write!(f, "the stream ends at byte {at} before STOP"),
            WalkError::UnknownOpcode { opcode, at } => {
                write!(
                    f,
                    "byte 0x{opcode:02x} at offset {at} is not a pickle opcode"
                )
            }
            WalkError::StackUnderflow { at } => {
                write!(
                    f,
                    "the opcode at offset {at} needs values the stack does not hold"
                )
            }
            WalkError::BadArgument { at, what } => write!(f, "{what} at offset {at}"),
            WalkError::Limit { at, what } => {
                write!(f, "{what} at offset {at}, beyond the walker's limit")
            }
        }
    }
}

/// A global reference (`module.name`) the stream imports, and whether it is called.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalUse {
    pub module: String,
    pub name: String,
    /// Offset of the GLOBAL, INST or STACK_GLOBAL opcode.
    pub offset: usize,
    /// True when REDUCE, NEWOBJ, INST, OBJ or BUILD applies it (or an object of it).
    pub called: bool,
}

/// Everything one walk of a file found.
#[derive(Debug, Default)]
pub struct Walk {
    pub graph: Graph,
    /// The object each stacked stream returns, in order.
    pub roots: Vec<Id>,
    pub globals: Vec<GlobalUse>,
    /// STACK_GLOBAL opcodes whose module or name was not a plain string.
    pub unresolved_globals: Vec<usize>,
    /// Bytes of inline array data skipped (joblib).
    pub skipped_array_bytes: u64,
    /// Offset just past the last STOP.
    pub end: usize,
    /// Opcodes read.
    pub opcodes: u64,
}

/// Walks every stacked stream in `data`. Returns the walk so far and the error when a stream
/// does not reach STOP. Bytes after the last STOP that do not start a pickle are left for the
/// caller to judge (`walk.end < data.len()`).
pub fn walk(data: &[u8]) -> (Walk, Option<WalkError>) {
    let mut walker = Walker {
        data,
        pos: 0,
        out: Walk::default(),
        nested: 0,
    };
    loop {
        match walker.stream() {
            Ok(root) => {
                walker.out.roots.push(root);
                walker.out.end = walker.pos;
            }
            Err(error) => return (walker.out, Some(error)),
        }
        // Another stream follows only when the next byte could start one.
        let rest = &data[walker.pos..];
        let starts_pickle = matches!(rest, [0x80, 0..=5, ..]) || rest.starts_with(b"(dp0\n");
        if !starts_pickle {
            return (walker.out, None);
        }
    }
}

struct Walker<'a> {
    data: &'a [u8],
    pos: usize,
    out: Walk,
    nested: usize,
}

/// State of one stream: its stack, marks and memo.
#[derive(Default)]
struct Frame {
    stack: Vec<Id>,
    marks: Vec<usize>,
    memo: HashMap<u64, Id>,
}

impl Walker<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], WalkError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.data.len())
            .ok_or(WalkError::Truncated {
                at: self.data.len(),
            })?;
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn u8(&mut self) -> Result<u8, WalkError> {
        Ok(self.take(1)?[0])
    }

    fn le<const N: usize>(&mut self) -> Result<[u8; N], WalkError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// A length argument of `N` bytes, checked against the bytes left in the file.
    fn length<const N: usize>(&mut self) -> Result<usize, WalkError> {
        let mut wide = [0u8; 8];
        wide[..N].copy_from_slice(&self.le::<N>()?);
        let length = u64::from_le_bytes(wide);
        let left = (self.data.len() - self.pos) as u64;
        if length > left {
            return Err(WalkError::Truncated {
                at: self.data.len(),
            });
        }
        Ok(length as usize)
    }

    fn line(&mut self) -> Result<&[u8], WalkError> {
        let rest = &self.data[self.pos..];
        let window = &rest[..rest.len().min(MAX_LINE)];
        let Some(n) = window.iter().position(|&b| b == b'\n') else {
            return Err(if rest.len() > MAX_LINE {
                WalkError::Limit {
                    at: self.pos,
                    what: "a text argument longer than 64 KiB",
                }
            } else {
                WalkError::Truncated {
                    at: self.data.len(),
                }
            });
        };
        let line = &self.data[self.pos..self.pos + n];
        self.pos += n + 1;
        Ok(line)
    }

    /// Walks one stream to its STOP and returns the object it builds.
    fn stream(&mut self) -> Result<Id, WalkError> {
        let mut frame = Frame::default();
        loop {
            let at = self.pos;
            let opcode = self.u8()?;
            self.out.opcodes += 1;
            if opcode == b'.' {
                return frame.stack.pop().ok_or(WalkError::StackUnderflow { at });
            }
            self.opcode(opcode, at, &mut frame)?;
            if frame.stack.len() > MAX_STACK {
                return Err(WalkError::Limit {
                    at,
                    what: "more than 2^20 values on the stack",
                });
            }
        }
    }

    fn opcode(&mut self, opcode: u8, at: usize, f: &mut Frame) -> Result<(), WalkError> {
        let under = WalkError::StackUnderflow { at };
        let g = &mut self.out.graph;
        match opcode {
            // Framing and protocol: no value.
            0x80 => {
                self.u8()?;
            }
            0x95 => {
                self.le::<8>()?;
            }
            // Marks.
            b'(' => {
                if f.marks.len() >= MAX_MARKS {
                    return Err(WalkError::Limit {
                        at,
                        what: "more than 2^16 nested marks",
                    });
                }
                f.marks.push(f.stack.len());
            }
            b'1' => {
                let mark = f.marks.pop().ok_or(under)?;
                f.stack.truncate(mark);
            }
            b'0' => {
                f.stack.pop().ok_or(under)?;
            }
            b'2' => {
                let top = *f.stack.last().ok_or(under)?;
                f.stack.push(top);
            }
            // Containers.
            b')' => f.stack.push(g.add(Node::Tuple(Vec::new()))),
            b']' => f.stack.push(g.add(Node::List(Vec::new()))),
            b'}' => f.stack.push(g.add(Node::Dict(Vec::new()))),
            0x8f => f.stack.push(g.add(Node::List(Vec::new()))),
            b't' | b'l' | 0x91 => {
                let items = pop_mark(f, at)?;
                let node = if opcode == b't' {
                    Node::Tuple(items)
                } else {
                    Node::List(items)
                };
                f.stack.push(self.out.graph.add(node));
            }
            0x85..=0x87 => {
                let n = (opcode - 0x84) as usize;
                if f.stack.len() < n {
                    return Err(under);
                }
                let items = f.stack.split_off(f.stack.len() - n);
                f.stack.push(g.add(Node::Tuple(items)));
            }
            b'd' => {
                let items = pop_mark(f, at)?;
                let pairs = items.chunks_exact(2).map(|p| (p[0], p[1])).collect();
                f.stack.push(self.out.graph.add(Node::Dict(pairs)));
            }
            b'a' => {
                let item = f.stack.pop().ok_or(under.clone())?;
                let list = *f.stack.last().ok_or(under)?;
                g.extend(list, &[item]);
            }
            b'e' | 0x90 => {
                let items = pop_mark(f, at)?;
                let list = *f.stack.last().ok_or(under)?;
                self.out.graph.extend(list, &items);
            }
            b's' => {
                let value = f.stack.pop().ok_or(under.clone())?;
                let key = f.stack.pop().ok_or(under.clone())?;
                let dict = *f.stack.last().ok_or(under)?;
                g.set_items(dict, &[key, value]);
            }
            b'u' => {
                let items = pop_mark(f, at)?;
                let dict = *f.stack.last().ok_or(under)?;
                self.out.graph.set_items(dict, &items);
            }
            // Memo.
            b'p' => {
                let line = self.line()?;
                let key = text_key(line, at)?;
                let top = *f.stack.last().ok_or(under)?;
                memo_put(f, key, top, at)?;
            }
            b'q' => {
                let key = self.u8()? as u64;
                let top = *f.stack.last().ok_or(under)?;
                memo_put(f, key, top, at)?;
            }
            b'r' => {
                let key = u32::from_le_bytes(self.le::<4>()?) as u64;
                let top = *f.stack.last().ok_or(under)?;
                memo_put(f, key, top, at)?;
            }
            0x94 => {
                let key = f.memo.len() as u64;
                let top = *f.stack.last().ok_or(under)?;
                memo_put(f, key, top, at)?;
            }
            b'g' | b'h' | b'j' => {
                let key = match opcode {
                    b'g' => {
                        let line = self.line()?;
                        text_key(line, at)?
                    }
                    b'h' => self.u8()? as u64,
                    _ => u32::from_le_bytes(self.le::<4>()?) as u64,
                };
                let id = *f.memo.get(&key).ok_or(WalkError::BadArgument {
                    at,
                    what: "a memo reference to a key never stored",
                })?;
                f.stack.push(id);
            }
            _ => {
                if !self.value(opcode, at, f)? && !self.object(opcode, at, f)? {
                    return Err(WalkError::UnknownOpcode { opcode, at });
                }
            }
        }
        Ok(())
    }
}

fn pop_mark(f: &mut Frame, at: usize) -> Result<Vec<Id>, WalkError> {
    let mark = f.marks.pop().ok_or(WalkError::StackUnderflow { at })?;
    if mark > f.stack.len() {
        return Err(WalkError::StackUnderflow { at });
    }
    Ok(f.stack.split_off(mark))
}

fn memo_put(f: &mut Frame, key: u64, id: Id, at: usize) -> Result<(), WalkError> {
    if f.memo.len() >= MAX_MEMO && !f.memo.contains_key(&key) {
        return Err(WalkError::Limit {
            at,
            what: "more than 2^20 memo entries",
        });
    }
    f.memo.insert(key, id);
    Ok(())
}

fn text_key(line: &[u8], at: usize) -> Result<u64, WalkError> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok())
        .ok_or(WalkError::BadArgument {
            at,
            what: "a memo key that is not a number",
        })
}

#[cfg(test)]
mod tests;
