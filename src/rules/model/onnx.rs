//! ONNX models: a minimal protobuf reader for the graph's initializers (the weights), their
//! parameter count, and the operator domains nodes use.

use std::collections::BTreeSet;

use super::rules::*;
use crate::evidence;
use crate::finding::Finding;
use crate::rules::Findings;

/// Deepest nesting of subgraphs (If, Loop, Scan bodies) followed.
const MAX_DEPTH: usize = 16;

/// Operator domains of the ONNX standard and of ONNX Runtime's built-in contrib operators.
fn is_standard_domain(domain: &str) -> bool {
    domain.is_empty() || domain.starts_with("ai.onnx") || domain.starts_with("com.microsoft")
}

/// One protobuf field: number and value.
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// Reads the fields of one protobuf message.
struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
}

fn varint(data: &[u8], pos: &mut usize) -> Result<u64, &'static str> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *data.get(*pos).ok_or("truncated varint")?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint longer than 10 bytes")
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u64, Value<'a>), &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.data.len() {
            return None;
        }
        Some(self.field())
    }
}

impl<'a> Fields<'a> {
    fn new(data: &'a [u8]) -> Fields<'a> {
        Fields { data, pos: 0 }
    }

    fn field(&mut self) -> Result<(u64, Value<'a>), &'static str> {
        let key = varint(self.data, &mut self.pos)?;
        let number = key >> 3;
        let value = match key & 7 {
            0 => Value::Varint(varint(self.data, &mut self.pos)?),
            1 | 5 => {
                let n = if key & 7 == 1 { 8 } else { 4 };
                self.skip(n)?;
                Value::Fixed
            }
            2 => {
                let n = varint(self.data, &mut self.pos)?;
                let n = usize::try_from(n).map_err(|_| "length overflows")?;
                let start = self.pos;
                self.skip(n)?;
                Value::Bytes(&self.data[start..self.pos])
            }
            _ => return Err("unsupported wire type"),
        };
        Ok((number, value))
    }

    fn skip(&mut self, n: usize) -> Result<(), &'static str> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        self.pos = end.ok_or("field runs past the end")?;
        Ok(())
    }
}

#[derive(Default)]
struct Model {
    initializers: u64,
    parameters: u64,
    external: u64,
    nodes: u64,
    domains: BTreeSet<String>,
    ops: BTreeSet<String>,
}

/// Reviews an ONNX model with its parameter count, or blocks custom operator domains.
pub fn check(content: &[u8], out: &mut Findings) {
    let mut model = Model::default();
    if let Err(what) = read_model(content, &mut model) {
        out.push(
            Finding::new(
                &UNVERIFIABLE_MODEL,
                format!("the ONNX protobuf does not parse: {what}"),
            )
            .with_evidence(evidence! {"error" => what})
            .carrying(content.len() as u64),
        );
        return;
    }
    let custom: Vec<&String> = model
        .domains
        .iter()
        .filter(|d| !is_standard_domain(d))
        .collect();
    if !custom.is_empty() {
        out.push(
            Finding::new(
                &MODEL_CODE,
                format!(
                    "ONNX graph uses operators from custom domains ({}); they need code \
                     supplied with the model",
                    custom
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with_evidence(evidence! {"custom_domains" => custom, "nodes" => model.nodes}),
        );
        return;
    }
    out.push(
        Finding::new(
            &MODEL_WEIGHTS,
            format!(
                "ONNX model with {} nodes, {} initializers and {} parameters; release needs a \
                 membership-inference report (e.g. SACRO-ML) beside the model",
                model.nodes, model.initializers, model.parameters
            ),
        )
        .with_evidence(evidence! {
            "format" => "onnx",
            "nodes" => model.nodes,
            "initializers" => model.initializers,
            "parameters" => model.parameters,
            "external_initializers" => model.external,
            "operators" => model.ops.iter().take(30).collect::<Vec<_>>(),
        }),
    );
}

fn read_model(data: &[u8], model: &mut Model) -> Result<(), &'static str> {
    let mut saw_graph = false;
    for field in Fields::new(data) {
        match field? {
            (7, Value::Bytes(graph)) => {
                saw_graph = true;
                read_graph(graph, model, 0)?;
            }
            (8, Value::Bytes(opset)) => {
                for field in Fields::new(opset) {
                    if let (1, Value::Bytes(domain)) = field? {
                        model
                            .domains
                            .insert(String::from_utf8_lossy(domain).into_owned());
                    }
                }
            }
            _ => {}
        }
    }
    if !saw_graph {
        return Err("no graph");
    }
    Ok(())
}

fn read_graph(data: &[u8], model: &mut Model, depth: usize) -> Result<(), &'static str> {
    if depth > MAX_DEPTH {
        return Err("subgraphs nested too deep");
    }
    for field in Fields::new(data) {
        match field? {
            (1, Value::Bytes(node)) => read_node(node, model, depth)?,
            (5, Value::Bytes(tensor)) => read_tensor(tensor, model)?,
            _ => {}
        }
    }
    Ok(())
}

fn read_node(data: &[u8], model: &mut Model, depth: usize) -> Result<(), &'static str> {
    model.nodes += 1;
    for field in Fields::new(data) {
        match field? {
            (4, Value::Bytes(op)) => {
                model.ops.insert(String::from_utf8_lossy(op).into_owned());
            }
            (7, Value::Bytes(domain)) => {
                model
                    .domains
                    .insert(String::from_utf8_lossy(domain).into_owned());
            }
            // Attributes: subgraphs (g = 6, graphs = 11) are read like the main graph.
            (5, Value::Bytes(attribute)) => {
                for field in Fields::new(attribute) {
                    if let (6 | 11, Value::Bytes(graph)) = field? {
                        read_graph(graph, model, depth + 1)?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn read_tensor(data: &[u8], model: &mut Model) -> Result<(), &'static str> {
    let mut elements = 1u64;
    for field in Fields::new(data) {
        match field? {
            (1, Value::Varint(dim)) => elements = elements.saturating_mul(dim),
            (1, Value::Bytes(packed)) => {
                let mut pos = 0;
                while pos < packed.len() {
                    elements = elements.saturating_mul(varint(packed, &mut pos)?);
                }
            }
            (14, Value::Varint(1)) => model.external += 1,
            _ => {}
        }
    }
    model.initializers += 1;
    model.parameters = model.parameters.saturating_add(elements);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(number: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3 | 2) as u8, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn initializers_are_counted() {
        // TensorProto with dims 3 and 4 (unpacked), then packed dims [2, 5].
        let t1 = [0x08, 3, 0x08, 4];
        let t2 = field(1, &[2, 5]);
        let mut graph = field(5, &t1);
        graph.extend(field(5, &t2));
        graph.extend(field(1, &field(4, b"Gemm")));
        let mut model = vec![0x08, 7];
        model.extend(field(7, &graph));
        let mut read = Model::default();
        read_model(&model, &mut read).unwrap();
        assert_eq!(read.initializers, 2);
        assert_eq!(read.parameters, 22);
        assert_eq!(read.nodes, 1);
    }

    #[test]
    fn truncated_protobuf_is_an_error() {
        assert!(read_model(&[0x3a, 0x40, 0x01], &mut Model::default()).is_err());
        assert!(read_model(&[0x08, 7], &mut Model::default()).is_err());
    }
}
