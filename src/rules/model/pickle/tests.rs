//! Tests of the opcode walker on hand-built streams.

use super::values::long_le;
use super::*;
use crate::rules::model::analyse::analyse;

fn global(module: &str, name: &str) -> Vec<u8> {
    format!("c{module}\n{name}\n").into_bytes()
}

fn short_unicode(text: &str) -> Vec<u8> {
    let mut out = vec![0x8c, text.len() as u8];
    out.extend_from_slice(text.as_bytes());
    out
}

#[test]
fn os_system_reduce_is_found_and_called() {
    // posix.system("echo hi") in protocol 0, as a hand-written exploit would be.
    let mut stream = global("posix", "system");
    stream.extend_from_slice(b"(S'echo hi'\ntR.");
    let (walk, error) = walk(&stream);
    assert_eq!(error, None);
    assert_eq!(walk.globals.len(), 1);
    assert_eq!(walk.globals[0].module, "posix");
    assert!(walk.globals[0].called);
    assert_eq!(walk.end, stream.len());
}

#[test]
fn stack_global_is_resolved_through_the_memo() {
    // Protocol 4: "builtins" memoised, fetched back with BINGET, then STACK_GLOBAL.
    let mut stream = vec![0x80, 4];
    stream.extend(short_unicode("builtins"));
    stream.push(0x94); // MEMOIZE as 0
    stream.push(b'0'); // POP
    stream.extend_from_slice(&[b'h', 0]); // BINGET 0
    stream.extend(short_unicode("eval"));
    stream.push(0x93); // STACK_GLOBAL
    stream.extend(short_unicode("1+1"));
    stream.extend_from_slice(&[0x85, b'R', b'.']);
    let (walk, error) = walk(&stream);
    assert_eq!(error, None);
    assert_eq!(
        (
            walk.globals[0].module.as_str(),
            walk.globals[0].name.as_str()
        ),
        ("builtins", "eval")
    );
    assert!(walk.globals[0].called);
    assert!(walk.unresolved_globals.is_empty());
}

#[test]
fn stack_global_from_a_computed_value_is_unresolved() {
    let mut stream = vec![0x80, 4, b'K', 1];
    stream.extend(short_unicode("system"));
    stream.extend_from_slice(&[0x93, b'.']);
    let (walk, error) = walk(&stream);
    assert_eq!(error, None);
    assert_eq!(walk.unresolved_globals, vec![stream.len() - 2]);
}

#[test]
fn stacked_pickles_are_all_walked() {
    let mut stream = vec![0x80, 2, b'N', b'.'];
    stream.extend_from_slice(&[0x80, 2]);
    stream.extend(global("os", "getcwd"));
    stream.extend_from_slice(b")R.");
    let (walk, error) = walk(&stream);
    assert_eq!(error, None);
    assert_eq!(walk.roots.len(), 2);
    assert_eq!(walk.globals[0].name, "getcwd");
}

#[test]
fn trailing_bytes_are_left_for_the_caller() {
    let stream = b"\x80\x02N.secret records";
    let (walk, error) = walk(stream);
    assert_eq!(error, None);
    assert_eq!(walk.end, 4);
}

#[test]
fn truncation_and_unknown_opcodes_are_errors() {
    assert_eq!(walk(b"\x80\x02N").1, Some(WalkError::Truncated { at: 3 }));
    assert!(matches!(
        walk(b"\x80\x02\xff.").1,
        Some(WalkError::UnknownOpcode {
            opcode: 0xff,
            at: 2
        })
    ));
    // A length that runs past the end of the data is never trusted.
    assert!(matches!(
        walk(b"\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7f").1,
        Some(WalkError::Truncated { .. })
    ));
    assert!(matches!(
        walk(b"h\x05.").1,
        Some(WalkError::BadArgument { .. })
    ));
    assert!(matches!(
        walk(b"R.").1,
        Some(WalkError::StackUnderflow { .. })
    ));
}

#[test]
fn deep_marks_hit_the_limit_not_the_stack() {
    let stream = vec![b'('; MAX_MARKS + 10];
    assert!(matches!(walk(&stream).1, Some(WalkError::Limit { .. })));
}

#[test]
fn build_state_gives_estimator_parameters() {
    // sklearn.tree.DecisionTreeClassifier() with BUILD {"min_samples_leaf": 1}.
    let mut stream = vec![0x80, 2];
    stream.extend(global("sklearn.tree._classes", "DecisionTreeClassifier"));
    stream.extend_from_slice(b")\x81}");
    stream.extend(short_unicode("min_samples_leaf"));
    stream.extend_from_slice(b"K\x01sb.");
    let (walk, error) = walk(&stream);
    assert_eq!(error, None);
    let contents = analyse(&walk.graph, &walk.roots);
    assert_eq!(contents.estimators.len(), 1);
    let leaf = walk
        .graph
        .state_key(contents.estimators[0].node, "min_samples_leaf")
        .and_then(|id| walk.graph.int(id));
    assert_eq!(leaf, Some(1));
}

#[test]
fn text_protocol_values_parse() {
    let (walk, error) = walk(b"(dp0\nS'k'\np1\nI01\nsS'n'\np2\nL12L\nsS'f'\nF0.5\ns.");
    assert_eq!(error, None);
    let root = walk.roots[0];
    assert_eq!(
        walk.graph
            .dict_get(root, "n")
            .and_then(|id| walk.graph.int(id)),
        Some(12)
    );
    assert_eq!(
        walk.graph
            .dict_get(root, "k")
            .map(|id| walk.graph.get(id).clone()),
        Some(Node::Bool(true))
    );
}

#[test]
fn long_integers_decode() {
    assert_eq!(long_le(&[0xff]), Some(-1));
    assert_eq!(long_le(&[0x00, 0x01]), Some(256));
    assert_eq!(long_le(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), Some(1));
    assert_eq!(long_le(&[1, 0, 0, 0, 0, 0, 0, 0, 1]), None);
}

#[test]
fn no_prefix_or_mutation_of_a_real_file_panics() {
    let data = include_bytes!("../../../../testdata/models/knn.joblib");
    for end in 0..data.len() {
        let (_, error) = walk(&data[..end]);
        assert!(error.is_some() || end == 0, "prefix of {end} bytes parsed");
    }
    let mut state = 0x2545_f491_u32;
    for _ in 0..2000 {
        let mut mutated = data.to_vec();
        for _ in 0..4 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let at = state as usize % mutated.len();
            mutated[at] = (state >> 8) as u8;
        }
        let (walk, _) = walk(&mutated);
        crate::rules::model::analyse::analyse(&walk.graph, &walk.roots);
    }
}
