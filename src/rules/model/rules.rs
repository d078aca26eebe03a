//! The model rules' codes and documentation (family M).

use crate::finding::Severity;
use crate::rules::{Family, Rule};

const SACRO: &str = "SACRO-ML 2.0.1 (AI-SDC/SACRO-ML), rules.json and FinalRecommendationModule";
const GREEN_PAPER: &str =
    "GRAIMATTER Green Paper (2022), arXiv 2211.01656: disclosure control of trained models";

pub static PICKLE_CODE: Rule = Rule {
    code: "M001",
    name: "pickle-code-execution",
    family: Family::Model,
    severity: Severity::Block,
    summary: "a pickle that imports or calls code-execution functions when loaded",
    detects: "Pickle, joblib and PyTorch streams (every protocol, stacked, memo-resolved, after \
              decompression) that reference a global on the modelscan, picklescan and fickling \
              denylists (os, posix, subprocess, builtins eval/exec/open/getattr, runpy, socket, \
              ...), or a global the walker cannot resolve statically. The evidence says whether \
              REDUCE, NEWOBJ, INST, OBJ or BUILD calls it.",
    why: "Loading such a file runs the attacker's code on the reviewer's machine, and the same \
          mechanism can carry any payload out.",
    fix: "Do not release pickles. Save weights in safetensors or ONNX, parameters as JSON.",
    policy_keys: &["models.inflate_bytes", "rules.M001"],
    references: &[
        "modelscan 0.8.8, picklescan 1.0.5, fickling 0.1.12 denylists",
        "Python pickle documentation, 'Restricting Globals'",
    ],
};

pub static UNVERIFIABLE_MODEL: Rule = Rule {
    code: "M002",
    name: "unverifiable-model",
    family: Family::Model,
    severity: Severity::Block,
    summary: "a model file that does not parse, or holds bytes its format does not account for",
    detects: "Pickle streams that do not reach STOP (unknown opcode, truncation, a walker limit), \
              data after the last pickle, compressed streams over models.inflate_bytes, ZIP \
              checkpoints that cannot be opened, and weight files whose header is malformed or \
              whose tensors do not account for every byte.",
    why: "What cannot be parsed cannot be checked; unaccounted bytes are a hiding place.",
    fix: "Re-export the model with the library that made it, or release it in a format that \
          can be checked (safetensors, ONNX).",
    policy_keys: &["models.inflate_bytes", "rules.M002"],
    references: &["../shared/notes/formats.md, rule pickle.unparseable"],
};

pub static INSTANCE_BASED: Rule = Rule {
    code: "M003",
    name: "instance-based-model",
    family: Family::Model,
    severity: Severity::Block,
    summary: "a model that stores training rows (nearest neighbours, SVM, Gaussian process)",
    detects: "scikit-learn nearest-neighbour models, support vector machines, Gaussian \
              processes, kernel density, kernel PCA, label propagation and any estimator with \
              _fit_X, support_vectors_, X_train_ or X_fit_ in its state. The evidence gives the \
              number of stored rows and features.",
    why: "These models keep training records verbatim inside the file: releasing the model \
          releases the rows. SACRO-ML rejects them outright.",
    fix: "Release a model that does not store its training data (a tree with large leaves, a \
          regression), or only its aggregate performance.",
    policy_keys: &["rules.M003"],
    references: &[SACRO, GREEN_PAPER],
};

pub static TREE_LEAF: Rule = Rule {
    code: "M004",
    name: "small-tree-leaves",
    family: Family::Model,
    severity: Severity::Block,
    summary: "a decision tree or forest whose leaves may describe fewer than 5 people",
    detects: "DecisionTree, ExtraTree, RandomForest and ExtraTrees models whose own \
              min_samples_leaf is under models.min_samples_leaf, and random forests fitted \
              without bootstrap when models.require_bootstrap is set. The ensemble's own value \
              is read, never its template estimator's.",
    why: "A leaf fitted on one or two people reveals their values; without bootstrap every \
          tree sees every record.",
    fix: "Refit with min_samples_leaf of at least 5 and bootstrap=True.",
    policy_keys: &[
        "models.min_samples_leaf",
        "models.require_bootstrap",
        "rules.M004",
    ],
    references: &[SACRO, GREEN_PAPER],
};

pub static PICKLED_DATA: Rule = Rule {
    code: "M005",
    name: "pickled-person-level-data",
    family: Family::Model,
    severity: Severity::Block,
    summary: "a pickle holding a data frame or array with person-level numbers of rows",
    detects: "pandas DataFrames and Series anywhere in a pickle, and 2-D arrays outside any \
              estimator, with at least microdata.person_level_rows rows.",
    why: "A pickled data frame is the data itself; SACRO's X_train.pkl is the training set.",
    fix: "Release aggregate tables instead, checked by the table rules.",
    policy_keys: &["microdata.person_level_rows", "rules.M005"],
    references: &[SACRO],
};

pub static PICKLED_MODEL: Rule = Rule {
    code: "M006",
    name: "pickled-model",
    family: Family::Model,
    severity: Severity::Review,
    summary: "a pickle with no disqualifying content, which a person must still judge",
    detects: "Every pickle, joblib file and object array that passes M001 to M005: the evidence \
              gives its classes, parameter count, largest arrays and imported globals.",
    why: "Any model may memorise training data. Its release needs a membership-inference \
          assessment, and a pickle can only be judged as far as its classes are known.",
    fix: "Attach a membership-inference report (e.g. from SACRO-ML) and prefer a format \
          without code (safetensors, ONNX, JSON parameters).",
    policy_keys: &["rules.M006"],
    references: &[SACRO, GREEN_PAPER],
};

pub static MODEL_WEIGHTS: Rule = Rule {
    code: "M007",
    name: "model-weights",
    family: Family::Model,
    severity: Severity::Review,
    summary: "trained weights (safetensors, ONNX, Keras, GGUF, PyTorch) to be released",
    detects: "Weight files read from their headers: tensors, types, shapes and parameter count.",
    why: "Trained models can leak their training data through membership and attribute \
          inference; larger models memorise more.",
    fix: "Release the model only with a membership-inference report (e.g. SACRO-ML's) beside \
          it, run on the training data inside the TRE.",
    policy_keys: &["rules.M007"],
    references: &[SACRO, GREEN_PAPER],
};

pub static MODEL_CODE: Rule = Rule {
    code: "M008",
    name: "model-carries-code",
    family: Family::Model,
    severity: Severity::Block,
    summary: "a model with embedded code: Keras Lambda or custom layers, ONNX custom operators",
    detects: "Keras .keras and HDF5 model configurations with Lambda layers (marshalled Python \
              bytecode) or layers from modules outside Keras, and ONNX graphs using operator \
              domains outside the ONNX standard sets.",
    why: "Embedded code runs when the model is loaded and can carry arbitrary data.",
    fix: "Replace Lambda and custom layers with built-in ones, or release the weights only.",
    policy_keys: &["rules.M008"],
    references: &[
        "modelscan 0.8.8 (Keras Lambda)",
        "ONNX IR specification, operator sets",
    ],
};

#[cfg(test)]
mod tests {
    use crate::rules::{lookup, RULES};

    #[test]
    fn model_and_microdata_rules_are_registered_and_documented() {
        for code in [
            "M001", "M002", "M003", "M004", "M005", "M006", "M007", "M008", "D001", "D002", "D003",
        ] {
            let rule = lookup(code).unwrap_or_else(|| panic!("{code} not registered"));
            assert!(!rule.detects.is_empty() && !rule.why.is_empty() && !rule.fix.is_empty());
            assert_eq!(lookup(rule.name).map(|r| r.code), Some(code));
        }
        let mut codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len(), "codes are unique");
    }
}
