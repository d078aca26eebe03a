//! The bounded object graph a pickle walk builds: what unpickling *would* construct, as plain
//! data. Node 0 is a shared placeholder for anything elided, so that once a cap is reached the
//! walk goes on without allocating.

/// Index of a node in the graph.
pub type Id = u32;

/// The placeholder node: a value not kept (out-of-band buffer, cap reached, unresolved).
pub const ELIDED: Id = 0;

/// Most nodes plus container slots kept; beyond it new values become [`ELIDED`].
const MAX_ITEMS: usize = 4 << 20;
/// Longest string kept in full; longer ones keep a prefix and their length.
const MAX_TEXT: usize = 256;

/// One value the stream builds.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Elided,
    None,
    Bool(bool),
    Int(i64),
    /// An integer wider than 64 bits.
    BigInt,
    Float(f64),
    /// Text, cut to [`MAX_TEXT`] characters.
    Str(Box<str>),
    /// Raw bytes: where they are in the stream and how many.
    Bytes {
        offset: u64,
        len: u64,
    },
    Global {
        module: Box<str>,
        name: Box<str>,
        /// Index into the walk's list of globals.
        index: usize,
    },
    Tuple(Vec<Id>),
    List(Vec<Id>),
    Dict(Vec<(Id, Id)>),
    /// The result of calling `class` with `args`, with the state BUILD gave it.
    Object {
        class: Id,
        args: Id,
        state: Option<Id>,
        /// Items added by APPEND(S) or SETITEM(S) (an `OrderedDict`, a list subclass), keys
        /// and values alternating for a mapping.
        items: Vec<Id>,
    },
    /// An object the loader supplies from outside the stream (a PyTorch storage).
    Persistent(Id),
}

impl Node {
    /// A string node, cut to a bounded length.
    pub fn text(text: &str) -> Node {
        if text.len() <= MAX_TEXT {
            return Node::Str(text.into());
        }
        let mut end = MAX_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Node::Str(text[..end].into())
    }
}

/// The arena of nodes.
#[derive(Debug)]
pub struct Graph {
    nodes: Vec<Node>,
    items: usize,
    /// True once a cap made the walk drop values.
    pub truncated: bool,
}

impl Default for Graph {
    fn default() -> Graph {
        Graph {
            nodes: vec![Node::Elided],
            items: 1,
            truncated: false,
        }
    }
}

/// An array's shape and element type, as far as the stream says.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayShape {
    pub shape: Vec<u64>,
    /// NumPy type string (`f8`, `i8`, `O8`), or the tensor type for PyTorch.
    pub dtype: String,
    pub itemsize: u64,
    pub is_object: bool,
}

impl ArrayShape {
    /// Number of elements, or `None` on overflow.
    pub fn elements(&self) -> Option<u64> {
        self.shape
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d))
    }
}

impl Graph {
    /// Adds a node, or returns [`ELIDED`] once the cap is reached.
    pub fn add(&mut self, node: Node) -> Id {
        if self.items >= MAX_ITEMS || self.nodes.len() >= u32::MAX as usize {
            self.truncated = true;
            return ELIDED;
        }
        self.items += 1;
        self.nodes.push(node);
        (self.nodes.len() - 1) as Id
    }

    /// The node `id`; the placeholder for an unknown id.
    pub fn get(&self, id: Id) -> &Node {
        self.nodes.get(id as usize).unwrap_or(&Node::Elided)
    }

    /// Number of nodes kept.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when only the placeholder is held.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    fn room(&mut self, n: usize) -> bool {
        if self.items.saturating_add(n) > MAX_ITEMS {
            self.truncated = true;
            return false;
        }
        self.items += n;
        true
    }

    /// APPEND/APPENDS/ADDITEMS: adds items to a list or set.
    pub fn extend(&mut self, list: Id, items: &[Id]) {
        if !self.room(items.len()) {
            return;
        }
        match self.nodes.get_mut(list as usize) {
            Some(Node::List(existing))
            | Some(Node::Object {
                items: existing, ..
            }) => {
                existing.extend_from_slice(items);
            }
            _ => {}
        }
    }

    /// SETITEM/SETITEMS: `items` holds key, value, key, value...
    pub fn set_items(&mut self, dict: Id, items: &[Id]) {
        if !self.room(items.len()) {
            return;
        }
        match self.nodes.get_mut(dict as usize) {
            Some(Node::Dict(pairs)) => pairs.extend(items.chunks_exact(2).map(|p| (p[0], p[1]))),
            Some(Node::Object {
                items: existing, ..
            }) => existing.extend_from_slice(items),
            _ => {}
        }
    }

    /// BUILD: gives an object its state.
    pub fn set_state(&mut self, object: Id, new_state: Id) {
        if let Some(Node::Object { state, .. }) = self.nodes.get_mut(object as usize) {
            *state = Some(new_state);
        }
    }

    /// Attaches the contents of a joblib object array to its wrapper, as its arguments.
    pub fn extend_object(&mut self, object: Id, contents: Id) {
        if let Some(Node::Object { args, .. }) = self.nodes.get_mut(object as usize) {
            *args = contents;
        }
    }

    /// The text of a string node.
    pub fn str(&self, id: Id) -> Option<&str> {
        match self.get(id) {
            Node::Str(text) => Some(text),
            _ => None,
        }
    }

    /// `(module, name)` of a global node.
    pub fn global(&self, id: Id) -> Option<(&str, &str)> {
        match self.get(id) {
            Node::Global { module, name, .. } => Some((module, name)),
            _ => None,
        }
    }

    /// `(module, name)` of the class or function an object was made by.
    pub fn class_of(&self, id: Id) -> Option<(&str, &str)> {
        match self.get(id) {
            Node::Object { class, .. } => self.global(*class),
            _ => None,
        }
    }

    /// True when `id` is an object made by `module.name`.
    pub fn is_instance_of(&self, id: Id, module: &str, name: &str) -> bool {
        self.class_of(id) == Some((module, name))
    }

    /// The value under string key `key` of a dict node.
    pub fn dict_get(&self, dict: Id, key: &str) -> Option<Id> {
        match self.get(dict) {
            Node::Dict(pairs) => pairs
                .iter()
                .rev()
                .find(|(k, _)| self.str(*k) == Some(key))
                .map(|(_, v)| *v),
            _ => None,
        }
    }

    /// The value under `key` in an object's state dict. A state given as the pair
    /// `(dict, slots)` is looked into too.
    pub fn state_key(&self, object: Id, key: &str) -> Option<Id> {
        let Node::Object {
            state: Some(state), ..
        } = self.get(object)
        else {
            return None;
        };
        match self.get(*state) {
            Node::Tuple(parts) => parts.iter().find_map(|&p| self.dict_get(p, key)),
            _ => self.dict_get(*state, key),
        }
    }

    /// The items of a tuple or list.
    pub fn items(&self, id: Id) -> &[Id] {
        match self.get(id) {
            Node::Tuple(items) | Node::List(items) => items,
            _ => &[],
        }
    }

    /// An integer node's value.
    pub fn int(&self, id: Id) -> Option<i64> {
        match self.get(id) {
            Node::Int(v) => Some(*v),
            Node::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }

    /// A tuple or list of non-negative integers, as a shape.
    fn shape(&self, id: Id) -> Option<Vec<u64>> {
        self.items(id)
            .iter()
            .map(|&d| self.int(d).and_then(|v| u64::try_from(v).ok()))
            .collect()
    }

    /// The shape and type of an array node: a NumPy `_reconstruct` with its BUILD state, a
    /// joblib `NumpyArrayWrapper`, or a PyTorch `_rebuild_tensor_v2` call.
    pub fn array(&self, id: Id) -> Option<ArrayShape> {
        let (module, name) = self.class_of(id)?;
        let Node::Object { args, state, .. } = self.get(id) else {
            return None;
        };
        match (module, name) {
            ("numpy.core.multiarray" | "numpy._core.multiarray", "_reconstruct") => {
                let state = self.items((*state)?);
                let shape = self.shape(*state.get(1)?)?;
                let (dtype, itemsize, is_object) = self.dtype(*state.get(2)?)?;
                Some(ArrayShape {
                    shape,
                    dtype,
                    itemsize,
                    is_object,
                })
            }
            // Protocol 5 arrays: _frombuffer(buffer, dtype, shape, order).
            ("numpy.core.numeric" | "numpy._core.numeric", "_frombuffer") => {
                let args = self.items(*args);
                let shape = self.shape(*args.get(2)?)?;
                let (dtype, itemsize, is_object) = self.dtype(*args.get(1)?)?;
                Some(ArrayShape {
                    shape,
                    dtype,
                    itemsize,
                    is_object,
                })
            }
            ("joblib.numpy_pickle", "NumpyArrayWrapper") => {
                let shape = self.shape(self.state_key(id, "shape")?)?;
                let (dtype, itemsize, is_object) = self.dtype(self.state_key(id, "dtype")?)?;
                Some(ArrayShape {
                    shape,
                    dtype,
                    itemsize,
                    is_object,
                })
            }
            ("torch._utils", "_rebuild_tensor_v2" | "_rebuild_tensor") => {
                let args = self.items(*args);
                let shape = self.shape(*args.get(2)?)?;
                Some(ArrayShape {
                    shape,
                    dtype: "tensor".into(),
                    itemsize: 0,
                    is_object: false,
                })
            }
            _ => None,
        }
    }

    /// A `numpy.dtype` object: its type string, item size and whether it holds objects.
    fn dtype(&self, id: Id) -> Option<(String, u64, bool)> {
        let (module, name) = self.class_of(id)?;
        if !module.starts_with("numpy") || name != "dtype" {
            return None;
        }
        let Node::Object { args, state, .. } = self.get(id) else {
            return None;
        };
        let descr = self.str(*self.items(*args).first()?)?.to_string();
        let is_object = descr.starts_with('O');
        // BUILD state: (version, byte order, subarray, names, fields, elsize, alignment, flags).
        let elsize = state
            .and_then(|s| self.items(s).get(5).copied())
            .and_then(|e| self.int(e))
            .filter(|&e| e > 0);
        let digits: String = descr.chars().filter(char::is_ascii_digit).collect();
        let itemsize = match elsize {
            Some(e) => e as u64,
            None => digits
                .parse::<u64>()
                .unwrap_or(if is_object { 8 } else { 1 }),
        };
        Some((descr, itemsize, is_object))
    }
}
