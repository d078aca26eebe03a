//! Turning a walked pickle into findings: code execution, unparseable streams, instance-based
//! models, small tree leaves, person-level data, and a review of everything else.

use serde_json::{json, Value};

use super::analyse::{self, Contents, Estimator};
use super::containers::Packing;
use super::denylist;
use super::graph::{Graph, Node};
use super::pickle;
use super::rules::*;
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::policy::Policy;
use crate::rules::Findings;

/// Where the pickle came from, for locations and evidence.
pub struct Origin {
    /// ZIP member holding the pickle, if any.
    pub member: Option<String>,
    pub packing: Packing,
}

impl Origin {
    /// A location at `offset` in the pickle, as a byte range of the file when the pickle is the
    /// file itself.
    fn at(&self, offset: usize, length: u64) -> Location {
        let mut location = Location::default();
        if self.member.is_none() && self.packing == Packing::Plain {
            location = Location::bytes(offset as u64, length);
        }
        location.chunk = match (&self.member, self.packing) {
            (Some(member), _) => Some(format!("{member} at byte {offset}")),
            (None, Packing::Plain) => None,
            (None, packing) => Some(format!(
                "{} stream, byte {offset} inflated",
                packing.as_str()
            )),
        };
        location
    }
}

/// What the pickle is expected to be.
#[derive(Clone, Copy, PartialEq)]
pub enum Purpose {
    /// A pickled model or object: reviewed when nothing disqualifies it.
    Model,
    /// A PyTorch ZIP checkpoint's `data.pkl`: weights held beside it.
    Torch { storage_bytes: u64 },
    /// A legacy PyTorch file: stacked pickles, then raw storages.
    LegacyTorch,
    /// The object array of a NumPy file.
    ObjectArray,
}

/// Walks and judges one pickle stream.
pub fn pickle(data: &[u8], origin: &Origin, policy: &Policy, out: &mut Findings, purpose: Purpose) {
    let (walk, error) = pickle::walk(data);
    let dangerous = code_execution(&walk, origin, out);

    if let Some(error) = error {
        let at = error.offset();
        let length = (data.len() - at.min(data.len())) as u64;
        out.push(
            Finding::new(
                &UNVERIFIABLE_MODEL,
                format!("the pickle does not parse to STOP: {error}; it cannot be checked"),
            )
            .at(origin.at(at, length))
            .with_evidence(evidence! {
                "error" => error.to_string(),
                "offset" => at,
                "opcodes_read" => walk.opcodes,
                "compression" => origin.packing.as_str(),
            })
            .carrying(data.len() as u64),
        );
        return;
    }

    let trailing = data.len().saturating_sub(walk.end) as u64;
    if trailing > 0 && purpose != Purpose::LegacyTorch {
        out.push(
            Finding::new(
                &UNVERIFIABLE_MODEL,
                format!(
                    "{trailing} bytes follow the last pickle's STOP at byte {}; a loader \
                     ignores them, so they can hide anything",
                    walk.end
                ),
            )
            .at(origin.at(walk.end, trailing))
            .with_evidence(evidence! {"trailing_bytes" => trailing, "stop_offset" => walk.end})
            .carrying(trailing),
        );
    }

    let contents = analyse::analyse(&walk.graph, &walk.roots);
    let mut blocked = dangerous;
    for estimator in &contents.estimators {
        blocked |= instance_based(&walk.graph, estimator, out);
        blocked |= tree_leaves(&walk.graph, estimator, policy, out);
    }
    if !matches!(purpose, Purpose::Torch { .. } | Purpose::LegacyTorch) {
        blocked |= person_level(&contents, policy, out);
    }
    if blocked {
        return;
    }

    let summary = summary(&walk, &contents);
    match purpose {
        Purpose::Torch { storage_bytes } => {
            let mut summary = summary;
            summary.insert("storage_bytes".into(), storage_bytes.into());
            let parameters = contents.parameters();
            out.push(
                Finding::new(
                    &MODEL_WEIGHTS,
                    format!(
                        "PyTorch checkpoint with {parameters} parameters in {} tensors; release \
                         needs a membership-inference report (e.g. SACRO-ML) beside the model",
                        contents.arrays.len()
                    ),
                )
                .with_evidence(summary),
            );
        }
        Purpose::LegacyTorch => out.push(
            Finding::new(
                &MODEL_WEIGHTS,
                format!(
                    "legacy PyTorch checkpoint with {} tensors and {trailing} bytes of raw \
                     storage; release needs a membership-inference report (e.g. SACRO-ML)",
                    contents.arrays.len()
                ),
            )
            .with_evidence(summary),
        ),
        Purpose::Model | Purpose::ObjectArray => {
            let classes = contents.root_classes.join(", ");
            out.push(
                Finding::new(
                    &PICKLED_MODEL,
                    format!(
                        "pickle of {classes} with {} parameters in {} arrays; a person must \
                         judge it, with a membership-inference report (e.g. SACRO-ML) for a \
                         model",
                        contents.parameters(),
                        contents.arrays.len()
                    ),
                )
                .with_evidence(summary),
            );
        }
    }
}

/// M001: denylisted or unresolvable globals. Returns true when it fired.
fn code_execution(walk: &pickle::Walk, origin: &Origin, out: &mut Findings) -> bool {
    let dangerous: Vec<_> = walk
        .globals
        .iter()
        .filter(|g| denylist::is_dangerous(&g.module, &g.name))
        .collect();
    if dangerous.is_empty() && walk.unresolved_globals.is_empty() {
        return false;
    }
    let mut names: Vec<String> = dangerous
        .iter()
        .map(|g| format!("{}.{}", g.module, g.name))
        .collect();
    names.dedup();
    let called = dangerous.iter().any(|g| g.called);
    let first = dangerous
        .first()
        .map(|g| g.offset)
        .or(walk.unresolved_globals.first().copied())
        .unwrap_or(0);
    let message = if names.is_empty() {
        format!(
            "{} globals are built at load time from values the walker cannot resolve; loading \
             could run any code",
            walk.unresolved_globals.len()
        )
    } else {
        format!(
            "imports {}{}; loading this file runs code",
            names.join(", "),
            if called { " and calls it" } else { "" }
        )
    };
    out.push(
        Finding::new(&PICKLE_CODE, message)
            .at(origin.at(first, 1))
            .with_evidence(evidence! {
                "globals" => names,
                "called" => called,
                "unresolved_globals" => walk.unresolved_globals.len(),
                "offset" => first,
            }),
    );
    true
}

/// Classes that keep training rows in the fitted model.
fn stores_rows(class: &str, module: &str) -> bool {
    const NAMES: &[&str] = &[
        "KNeighbors",
        "RadiusNeighbors",
        "NearestNeighbors",
        "KernelDensity",
        "LocalOutlierFactor",
        "KNNImputer",
        "GaussianProcess",
        "KernelPCA",
        "LabelPropagation",
        "LabelSpreading",
    ];
    NAMES.iter().any(|n| class.contains(n))
        || (module.starts_with("sklearn.svm") && !class.starts_with("Linear"))
}

/// State keys that hold training rows.
const ROW_KEYS: &[&str] = &["_fit_X", "support_vectors_", "X_train_", "X_fit_", "X_"];

/// M003. Returns true when it fired.
fn instance_based(graph: &Graph, estimator: &Estimator, out: &mut Findings) -> bool {
    let key = ROW_KEYS
        .iter()
        .copied()
        .find(|key| graph.state_key(estimator.node, key).is_some());
    if !stores_rows(&estimator.class, &estimator.module) && key.is_none() {
        return false;
    }
    let shape = key
        .and_then(|k| graph.state_key(estimator.node, k))
        .and_then(|id| graph.array(id))
        .or_else(|| {
            // KernelDensity keeps its rows in a KDTree or BallTree, whose state starts with them.
            let tree = graph.state_key(estimator.node, "tree_")?;
            let Node::Object { state: Some(s), .. } = graph.get(tree) else {
                return None;
            };
            graph.items(*s).iter().find_map(|&item| graph.array(item))
        });
    let rows = shape
        .as_ref()
        .and_then(|s| s.shape.first().copied())
        .or_else(|| {
            let n = graph.state_key(estimator.node, "n_samples_fit_")?;
            graph.int(n).and_then(|v| u64::try_from(v).ok())
        });
    let features = shape.as_ref().and_then(|s| s.shape.get(1).copied());
    let stored = match rows {
        Some(rows) => format!("stores {rows} training rows"),
        None => "stores its training rows".into(),
    };
    out.push(
        Finding::new(
            &INSTANCE_BASED,
            format!(
                "{} {stored}{}; releasing it releases them",
                estimator.class,
                key.map(|k| format!(" in {k}")).unwrap_or_default()
            ),
        )
        .with_evidence(evidence! {
            "class" => format!("{}.{}", estimator.module, estimator.class),
            "stored_rows" => rows,
            "features" => features,
            "attribute" => key,
        }),
    );
    true
}

/// M004: SACRO-ML's tree rules, on the estimator's own parameters. Returns true when it fired.
fn tree_leaves(graph: &Graph, estimator: &Estimator, policy: &Policy, out: &mut Findings) -> bool {
    let class = estimator.class.as_str();
    let is_tree = ["DecisionTree", "ExtraTree", "RandomForest"]
        .iter()
        .any(|prefix| class.starts_with(prefix));
    if !is_tree {
        return false;
    }
    let settings = &policy.models;
    let leaf = graph
        .state_key(estimator.node, "min_samples_leaf")
        .map(|id| graph.get(id).clone());
    let leaf_value = match leaf {
        Some(Node::Int(v)) => Some(v as f64),
        Some(Node::Float(v)) => Some(v),
        _ => None,
    };
    let bootstrap =
        graph
            .state_key(estimator.node, "bootstrap")
            .and_then(|id| match graph.get(id) {
                Node::Bool(b) => Some(*b),
                _ => None,
            });
    let small_leaf = leaf_value.is_some_and(|v| v < settings.min_samples_leaf as f64);
    let no_bootstrap =
        class.starts_with("RandomForest") && settings.require_bootstrap && bootstrap == Some(false);
    if !small_leaf && !no_bootstrap {
        return false;
    }
    let mut reasons = Vec::new();
    if small_leaf {
        reasons.push(format!(
            "min_samples_leaf is {}, under {}",
            leaf_value.map_or_else(|| "unknown".into(), |v| v.to_string()),
            settings.min_samples_leaf
        ));
    }
    if no_bootstrap {
        reasons.push("it was fitted without bootstrap".to_string());
    }
    out.push(
        Finding::new(&TREE_LEAF, format!("{class}: {}", reasons.join(" and "))).with_evidence(
            evidence! {
                "class" => format!("{}.{}", estimator.module, class),
                "min_samples_leaf" => leaf_value,
                "threshold" => settings.min_samples_leaf,
                "bootstrap" => bootstrap,
            },
        ),
    );
    true
}

/// M005: data frames and free-standing 2-D arrays of person-level shape.
// Limitation: arrays held by an estimator are judged only through the attributes M003 knows
// (`_fit_X`, `support_vectors_`, ...); a copy of the training data stored under another
// attribute of a scikit-learn estimator is counted in M006's parameters but not blocked.
fn person_level(contents: &Contents, policy: &Policy, out: &mut Findings) -> bool {
    let threshold = policy.microdata.person_level_rows;
    let mut fired = false;
    for frame in &contents.frames {
        if frame.rows >= threshold {
            out.push(
                Finding::new(
                    &PICKLED_DATA,
                    format!(
                        "a pandas {} of {} rows and {} columns, at or above the {threshold} \
                         rows of person-level data",
                        frame.class, frame.rows, frame.columns
                    ),
                )
                .with_evidence(evidence! {
                    "class" => frame.class,
                    "rows" => frame.rows,
                    "columns" => frame.columns,
                    "threshold" => threshold,
                }),
            );
            fired = true;
        }
    }
    let loose = contents.arrays.iter().filter(|a| {
        a.owner.is_none() && !a.tensor && a.shape.shape.len() == 2 && a.shape.shape[0] >= threshold
    });
    for array in loose.take(5) {
        out.push(
            Finding::new(
                &PICKLED_DATA,
                format!(
                    "an array of {} rows and {} columns ({}), at or above the {threshold} rows \
                     of person-level data",
                    array.shape.shape[0], array.shape.shape[1], array.shape.dtype
                ),
            )
            .with_evidence(evidence! {
                "shape" => array.shape.shape,
                "dtype" => array.shape.dtype,
                "rows" => array.shape.shape[0],
                "threshold" => threshold,
            }),
        );
        fired = true;
    }
    fired
}

/// The evidence of a reviewed pickle: classes, estimators, parameters, largest arrays, globals.
fn summary(walk: &pickle::Walk, contents: &Contents) -> serde_json::Map<String, Value> {
    let mut arrays: Vec<_> = contents.arrays.iter().collect();
    arrays.sort_by_key(|a| std::cmp::Reverse(a.shape.elements().unwrap_or(u64::MAX)));
    let largest: Vec<Value> = arrays
        .iter()
        .take(3)
        .map(|a| json!({"shape": a.shape.shape, "dtype": a.shape.dtype, "owner": a.owner}))
        .collect();
    let mut globals: Vec<String> = walk
        .globals
        .iter()
        .map(|g| format!("{}.{}", g.module, g.name))
        .collect();
    globals.sort();
    globals.dedup();
    let estimators: Vec<String> = contents
        .estimators
        .iter()
        .map(|e| e.class.clone())
        .collect();
    evidence! {
        "classes" => contents.root_classes,
        "estimators" => estimators,
        "parameters" => contents.parameters(),
        "arrays" => contents.arrays.len(),
        "largest_arrays" => largest,
        "globals" => globals.iter().take(20).collect::<Vec<_>>(),
        "globals_total" => globals.len(),
        "largest_bytes" => contents.largest_bytes.map(|(_, len)| len),
        "inline_array_bytes" => walk.skipped_array_bytes,
        "streams" => walk.roots.len(),
    }
}
