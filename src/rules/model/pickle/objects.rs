//! Opcodes that import globals, call them and build objects, and the joblib array payloads
//! that follow a `NumpyArrayWrapper`'s BUILD.

use super::{pop_mark, Frame, GlobalUse, WalkError, Walker, MAX_NESTED};
use crate::rules::model::graph::{Id, Node};

impl Walker<'_> {
    /// Handles a global, call or build opcode; `false` when `opcode` is not one.
    pub(super) fn object(
        &mut self,
        opcode: u8,
        at: usize,
        f: &mut Frame,
    ) -> Result<bool, WalkError> {
        let under = WalkError::StackUnderflow { at };
        match opcode {
            // Globals.
            b'c' => {
                let module = String::from_utf8_lossy(self.line()?).into_owned();
                let name = String::from_utf8_lossy(self.line()?).into_owned();
                let id = self.global(module, name, at);
                f.stack.push(id);
            }
            0x93 => {
                let name = f.stack.pop().ok_or(under.clone())?;
                let module = f.stack.pop().ok_or(under)?;
                let resolved = match (self.out.graph.get(module), self.out.graph.get(name)) {
                    (Node::Str(m), Node::Str(n)) => Some((m.to_string(), n.to_string())),
                    _ => None,
                };
                let id = match resolved {
                    Some((module, name)) => self.global(module, name, at),
                    None => {
                        self.out.unresolved_globals.push(at);
                        self.out.graph.add(Node::Elided)
                    }
                };
                f.stack.push(id);
            }
            0x82..=0x84 => {
                // Extension registry codes name a global registered by the loading process.
                let n = 1usize << (opcode - 0x82);
                self.take(n)?;
                self.out.unresolved_globals.push(at);
                f.stack.push(self.out.graph.add(Node::Elided));
            }
            // Calls.
            b'R' | 0x81 => {
                let args = f.stack.pop().ok_or(under.clone())?;
                let callable = f.stack.pop().ok_or(under)?;
                self.mark_called(callable);
                let object = Node::Object {
                    class: callable,
                    args,
                    state: None,
                    items: Vec::new(),
                };
                f.stack.push(self.out.graph.add(object));
            }
            0x92 => {
                let _kwargs = f.stack.pop().ok_or(under.clone())?;
                let args = f.stack.pop().ok_or(under.clone())?;
                let class = f.stack.pop().ok_or(under)?;
                self.mark_called(class);
                let object = Node::Object {
                    class,
                    args,
                    state: None,
                    items: Vec::new(),
                };
                f.stack.push(self.out.graph.add(object));
            }
            b'i' => {
                let module = String::from_utf8_lossy(self.line()?).into_owned();
                let name = String::from_utf8_lossy(self.line()?).into_owned();
                let items = pop_mark(f, at)?;
                let class = self.global(module, name, at);
                self.mark_called(class);
                let args = self.out.graph.add(Node::Tuple(items));
                let object = Node::Object {
                    class,
                    args,
                    state: None,
                    items: Vec::new(),
                };
                f.stack.push(self.out.graph.add(object));
            }
            b'o' => {
                let items = pop_mark(f, at)?;
                let (&class, rest) = items.split_first().ok_or(under)?;
                self.mark_called(class);
                let args = self.out.graph.add(Node::Tuple(rest.to_vec()));
                let object = Node::Object {
                    class,
                    args,
                    state: None,
                    items: Vec::new(),
                };
                f.stack.push(self.out.graph.add(object));
            }
            b'b' => {
                let state = f.stack.pop().ok_or(under.clone())?;
                let target = *f.stack.last().ok_or(under)?;
                if let Node::Object { class, .. } = self.out.graph.get(target) {
                    let class = *class;
                    self.mark_called(class);
                }
                self.out.graph.set_state(target, state);
                self.after_build(target)?;
            }
            // Persistent ids name objects held outside the stream (PyTorch storages).
            b'P' => {
                let line = self.line()?;
                let node = Node::text(&String::from_utf8_lossy(line));
                let inner = self.out.graph.add(node);
                f.stack.push(self.out.graph.add(Node::Persistent(inner)));
            }
            b'Q' => {
                let inner = f.stack.pop().ok_or(under)?;
                f.stack.push(self.out.graph.add(Node::Persistent(inner)));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn global(&mut self, module: String, name: String, at: usize) -> Id {
        let index = self.out.globals.len();
        let id = self.out.graph.add(Node::Global {
            module: module.clone().into(),
            name: name.clone().into(),
            index,
        });
        self.out.globals.push(GlobalUse {
            module,
            name,
            offset: at,
            called: false,
        });
        id
    }

    /// Marks the global behind `callable` (directly, or the class of an object) as called.
    fn mark_called(&mut self, callable: Id) {
        let target = match self.out.graph.get(callable) {
            Node::Object { class, .. } => *class,
            _ => callable,
        };
        if let Node::Global { index, .. } = self.out.graph.get(target) {
            if let Some(global) = self.out.globals.get_mut(*index) {
                global.called = true;
            }
        }
    }

    /// joblib writes an array's bytes straight after the BUILD of its `NumpyArrayWrapper`:
    /// skip them, or walk the nested stream of an object array.
    fn after_build(&mut self, target: Id) -> Result<(), WalkError> {
        let graph = &self.out.graph;
        if !graph.is_instance_of(target, "joblib.numpy_pickle", "NumpyArrayWrapper") {
            return Ok(());
        }
        let at = self.pos;
        let Some(array) = graph.array(target) else {
            return Err(WalkError::BadArgument {
                at,
                what: "a joblib array wrapper without a readable shape and dtype",
            });
        };
        if array.is_object {
            if self.nested >= MAX_NESTED {
                return Err(WalkError::Limit {
                    at,
                    what: "object arrays nested more than 8 deep",
                });
            }
            self.nested += 1;
            let contents = self.stream();
            self.nested -= 1;
            let contents = contents?;
            self.out.graph.extend_object(target, contents);
            return Ok(());
        }
        if self
            .out
            .graph
            .state_key(target, "numpy_array_alignment_bytes")
            .is_some()
        {
            let padding = self.u8()? as usize;
            self.take(padding)?;
        }
        let bytes = array
            .elements()
            .and_then(|n| n.checked_mul(array.itemsize))
            .and_then(|n| usize::try_from(n).ok())
            .ok_or(WalkError::BadArgument {
                at,
                what: "a joblib array whose size overflows",
            })?;
        self.take(bytes)?;
        self.out.skipped_array_bytes += bytes as u64;
        Ok(())
    }
}
