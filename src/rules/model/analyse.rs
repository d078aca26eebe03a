//! Reading a walked pickle graph for what decides disclosure risk: the estimators it holds and
//! their own parameters, the arrays and data frames, and their shapes.
//!
//! Ensembles pickle a template `estimator` (default `min_samples_leaf=1`) and their fitted
//! sub-estimators beside their own parameters. Those are not judged as models in their own
//! right: only the ensemble's own state decides (`../shared/notes/formats.md`, pitfall 3).

use std::collections::HashSet;

use super::graph::{ArrayShape, Graph, Id, Node};

/// A scikit-learn (or compatible) estimator found in the stream, judged on its own state.
#[derive(Debug, Clone)]
pub struct Estimator {
    pub module: String,
    pub class: String,
    pub node: Id,
}

/// An array found in the stream.
#[derive(Debug, Clone)]
pub struct Array {
    pub shape: ArrayShape,
    /// Class of the nearest estimator or frame holding it, if any.
    pub owner: Option<String>,
    /// True for PyTorch tensors (weights held outside the pickle).
    pub tensor: bool,
}

/// A pandas DataFrame or Series.
#[derive(Debug, Clone)]
pub struct Frame {
    pub class: String,
    pub rows: u64,
    pub columns: u64,
}

/// What the graph holds.
#[derive(Debug, Default)]
pub struct Contents {
    pub estimators: Vec<Estimator>,
    pub arrays: Vec<Array>,
    pub frames: Vec<Frame>,
    /// Class names of the root objects (or the root's type).
    pub root_classes: Vec<String>,
    /// Largest raw bytes value, as (offset, length).
    pub largest_bytes: Option<(u64, u64)>,
}

impl Contents {
    /// Total elements of every array: the parameter count of a model made of arrays.
    pub fn parameters(&self) -> u64 {
        self.arrays
            .iter()
            .filter_map(|a| a.shape.elements())
            .fold(0u64, u64::saturating_add)
    }
}

/// Keys of an ensemble's state that hold templates or clones of its own parameters.
const TEMPLATE_KEYS: &[&str] = &["estimator", "base_estimator", "_estimator"];

/// Ensembles whose fitted `estimators_` inherit the ensemble's parameters.
fn is_tree_ensemble(class: &str) -> bool {
    class.contains("Forest")
        || class.starts_with("ExtraTrees")
        || class.starts_with("Bagging")
        || class.starts_with("GradientBoosting")
        || class.starts_with("IsolationForest")
        || class.starts_with("AdaBoost")
}

#[derive(Clone)]
struct Context {
    template: bool,
    owner: Option<String>,
    frame: Option<usize>,
}

/// Reads the graph from each root.
pub fn analyse(graph: &Graph, roots: &[Id]) -> Contents {
    let mut out = Contents::default();
    let mut seen = HashSet::new();
    let mut work: Vec<(Id, Context)> = Vec::new();
    for &root in roots.iter().rev() {
        work.push((
            root,
            Context {
                template: false,
                owner: None,
                frame: None,
            },
        ));
    }
    for &root in roots {
        out.root_classes.push(describe(graph, root));
    }

    while let Some((id, context)) = work.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(shape) = graph.array(id) {
            let tensor = shape.dtype == "tensor";
            if let Some(frame) = context.frame.and_then(|i| out.frames.get_mut(i)) {
                frame.rows = frame.rows.max(shape.shape.last().copied().unwrap_or(0));
                if shape.shape.len() == 2 {
                    frame.columns = frame.columns.saturating_add(shape.shape[0]);
                }
            }
            out.arrays.push(Array {
                shape,
                owner: context.owner.clone(),
                tensor,
            });
            continue;
        }
        match graph.get(id) {
            Node::Bytes { offset, len } if out.largest_bytes.is_none_or(|(_, l)| *len > l) => {
                out.largest_bytes = Some((*offset, *len));
            }
            Node::Tuple(items) | Node::List(items) => {
                for &item in items.iter().rev() {
                    work.push((item, context.clone()));
                }
            }
            Node::Dict(pairs) => {
                for &(key, value) in pairs.iter().rev() {
                    work.push((value, context.clone()));
                    work.push((key, context.clone()));
                }
            }
            Node::Persistent(inner) => work.push((*inner, context.clone())),
            Node::Object {
                class,
                args,
                state,
                items,
            } => {
                let (module, name) = graph
                    .global(*class)
                    .map(|(m, n)| (m.to_string(), n.to_string()))
                    .unwrap_or_default();
                let mut inner = context.clone();
                if module.starts_with("pandas") && matches!(name.as_str(), "DataFrame" | "Series") {
                    out.frames.push(Frame {
                        class: name.clone(),
                        rows: 0,
                        columns: 0,
                    });
                    inner.frame = Some(out.frames.len() - 1);
                    inner.owner = Some(name.clone());
                }
                let estimator = is_estimator(&module) && state.is_some();
                if estimator {
                    if !context.template {
                        out.estimators.push(Estimator {
                            module: module.clone(),
                            class: name.clone(),
                            node: id,
                        });
                    }
                    inner.owner = Some(name.clone());
                }
                for &item in items.iter().rev() {
                    work.push((item, inner.clone()));
                }
                work.push((*args, inner.clone()));
                if let Some(state) = state {
                    if estimator {
                        push_estimator_state(graph, *state, &name, &inner, &mut work);
                    } else {
                        work.push((*state, inner));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Queues an estimator's state, marking templates and inherited clones as not judged.
fn push_estimator_state(
    graph: &Graph,
    state: Id,
    class: &str,
    inner: &Context,
    work: &mut Vec<(Id, Context)>,
) {
    let Node::Dict(pairs) = graph.get(state) else {
        work.push((state, inner.clone()));
        return;
    };
    for &(key, value) in pairs.iter().rev() {
        let key = graph.str(key).unwrap_or("");
        let template = TEMPLATE_KEYS.contains(&key)
            || (key == "estimators_" && is_tree_ensemble(class))
            || inner.template;
        let mut context = inner.clone();
        context.template = template;
        work.push((value, context));
    }
}

/// Modules whose objects are estimators with a parameter dict.
fn is_estimator(module: &str) -> bool {
    [
        "sklearn.",
        "xgboost.",
        "lightgbm.",
        "catboost.",
        "imblearn.",
    ]
    .iter()
    .any(|prefix| module.starts_with(prefix))
}

/// A short description of a root value: its class, or its Python type.
fn describe(graph: &Graph, id: Id) -> String {
    match graph.get(id) {
        Node::Object { class, .. } => match graph.global(*class) {
            Some((module, name)) => format!("{module}.{name}"),
            None => "object".into(),
        },
        Node::Dict(_) => "dict".into(),
        Node::List(_) => "list".into(),
        Node::Tuple(_) => "tuple".into(),
        Node::Str(_) => "str".into(),
        Node::Bytes { .. } => "bytes".into(),
        Node::Int(_) | Node::BigInt => "int".into(),
        Node::Float(_) => "float".into(),
        Node::Bool(_) => "bool".into(),
        Node::None => "None".into(),
        Node::Global { module, name, .. } => format!("{module}.{name} (a reference)"),
        Node::Persistent(_) => "persistent object".into(),
        Node::Elided => "not kept".into(),
    }
}
