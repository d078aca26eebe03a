//! Weight files read from their headers: safetensors, GGUF and Keras (`.keras` ZIP or HDF5).
//! Each is reviewed with its parameter count; Keras Lambda and custom layers are blocked.

use serde_json::Value;

use super::containers;
use super::rules::*;
use crate::evidence;
use crate::finding::{Finding, Location};
use crate::policy::Policy;
use crate::rules::Findings;

/// Most bytes of a safetensors JSON header read.
const MAX_HEADER: u64 = 100 << 20;

const MIA: &str = "release needs a membership-inference report (e.g. SACRO-ML) beside the model";

fn unverifiable(what: String, bytes: u64, out: &mut Findings) {
    out.push(
        Finding::new(&UNVERIFIABLE_MODEL, what.clone())
            .with_evidence(evidence! {"error" => what})
            .carrying(bytes),
    );
}

/// Bytes per element of a safetensors dtype.
fn safetensors_size(dtype: &str) -> Option<u64> {
    Some(match dtype {
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "F8_E8M0" => 1,
        "U16" | "I16" | "F16" | "BF16" => 2,
        "U32" | "I32" | "F32" => 4,
        "U64" | "I64" | "F64" | "C64" => 8,
        _ => return None,
    })
}

/// safetensors: an 8-byte header length, a JSON header of tensors, then their bytes.
pub fn safetensors(content: &[u8], out: &mut Findings) {
    let total = content.len() as u64;
    let length = content
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .unwrap_or(u64::MAX);
    let Some(header) = (length <= MAX_HEADER)
        .then(|| content.get(8..(8 + length) as usize))
        .flatten()
    else {
        return unverifiable(
            format!("safetensors header of {length} bytes is cut off"),
            total,
            out,
        );
    };
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(header) else {
        return unverifiable("safetensors header is not a JSON object".into(), total, out);
    };
    let data_start = 8 + length;
    let (mut tensors, mut parameters, mut covered, mut data_end) = (0u64, 0u64, 0u64, 0u64);
    let mut dtypes = std::collections::BTreeMap::<String, u64>::new();
    let mut largest: Vec<(u64, String, Vec<u64>)> = Vec::new();
    for (name, tensor) in &map {
        if name == "__metadata__" {
            continue;
        }
        let dtype = tensor["dtype"].as_str().unwrap_or("");
        let shape: Option<Vec<u64>> = tensor["shape"]
            .as_array()
            .and_then(|s| s.iter().map(Value::as_u64).collect());
        let offsets: Option<Vec<u64>> = tensor["data_offsets"]
            .as_array()
            .and_then(|s| s.iter().map(Value::as_u64).collect());
        let offsets = offsets.filter(|o| o.len() == 2);
        let (Some(shape), Some(size), Some(offsets)) = (shape, safetensors_size(dtype), offsets)
        else {
            return unverifiable(
                format!("safetensors tensor {name:?} is malformed"),
                total,
                out,
            );
        };
        let (begin, end) = (offsets[0], offsets[1]);
        let elements = shape.iter().try_fold(1u64, |a, &d| a.checked_mul(d));
        let expected = elements.and_then(|e| e.checked_mul(size));
        if expected != end.checked_sub(begin) || data_start.saturating_add(end) > total {
            return unverifiable(
                format!("safetensors tensor {name:?} does not match its byte range"),
                total,
                out,
            );
        }
        let elements = elements.unwrap_or(0);
        tensors += 1;
        parameters = parameters.saturating_add(elements);
        covered = covered.saturating_add(end - begin);
        data_end = data_end.max(end);
        *dtypes.entry(dtype.to_string()).or_default() += elements;
        largest.push((elements, name.clone(), shape));
    }
    // Bytes in the data section that no tensor claims can carry anything.
    let unclaimed = total.saturating_sub(data_start).saturating_sub(covered);
    if unclaimed > 0 {
        out.push(
            Finding::new(
                &UNVERIFIABLE_MODEL,
                format!("{unclaimed} bytes of the safetensors data belong to no tensor"),
            )
            .at(Location::bytes(
                data_start + data_end,
                total - data_start - data_end,
            ))
            .with_evidence(evidence! {"unclaimed_bytes" => unclaimed, "tensors" => tensors})
            .carrying(unclaimed),
        );
    }
    largest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let largest: Vec<Value> = largest
        .iter()
        .take(3)
        .map(|(_, name, shape)| serde_json::json!({"name": name, "shape": shape}))
        .collect();
    out.push(
        Finding::new(
            &MODEL_WEIGHTS,
            format!("safetensors with {tensors} tensors and {parameters} parameters; {MIA}"),
        )
        .with_evidence(evidence! {
            "format" => "safetensors",
            "tensors" => tensors,
            "parameters" => parameters,
            "dtypes" => dtypes,
            "largest_tensors" => largest,
        }),
    );
}

/// Keras: the model configuration of a `.keras` ZIP (`config.json`) or an HDF5 file's
/// `model_config` attribute.
pub fn keras(content: &[u8], policy: &Policy, out: &mut Findings) {
    let total = content.len() as u64;
    let config: Option<Value> = if content.starts_with(b"PK") {
        match containers::zip_member(content, "config.json", policy.models.inflate_bytes.0) {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).ok(),
            Ok(None) => None,
            Err(error) => {
                return unverifiable(format!("the .keras archive {error}"), total, out);
            }
        }
    } else {
        hdf5_config(content)
    };
    let Some(config) = config else {
        return unverifiable("no readable Keras model configuration".into(), total, out);
    };
    let mut layers = Vec::new();
    collect_layers(&config, &mut layers, 0);
    let suspicious: Vec<&(String, String)> = layers
        .iter()
        .filter(|(class, module)| class == "Lambda" || is_custom_module(module))
        .collect();
    if !suspicious.is_empty() {
        let names: Vec<String> = suspicious
            .iter()
            .map(|(class, module)| format!("{class} ({module})"))
            .collect();
        out.push(
            Finding::new(
                &MODEL_CODE,
                format!(
                    "Keras model with {} Lambda or custom layers ({}); they carry code",
                    suspicious.len(),
                    names.join(", ")
                ),
            )
            .with_evidence(evidence! {"layers" => names, "total_layers" => layers.len()}),
        );
        return;
    }
    // Limitation: the parameter count of a Keras model needs the weight datasets' shapes in
    // HDF5, which is not parsed; the layer count and classes are reported instead.
    let classes: std::collections::BTreeSet<&str> =
        layers.iter().map(|(class, _)| class.as_str()).collect();
    out.push(
        Finding::new(
            &MODEL_WEIGHTS,
            format!("Keras model with {} layers; {MIA}", layers.len()),
        )
        .with_evidence(evidence! {
            "format" => "keras",
            "layers" => layers.len(),
            "layer_classes" => classes,
            "parameters" => "not counted",
        }),
    );
}

/// Modules that are neither Keras nor TensorFlow: custom layers.
fn is_custom_module(module: &str) -> bool {
    !module.is_empty()
        && !["keras", "tf_keras", "tensorflow"]
            .iter()
            .any(|k| module == *k || module.starts_with(&format!("{k}.")))
}

/// Every `{"class_name": ..., "config": ...}` object, with its module, depth-first.
fn collect_layers(value: &Value, layers: &mut Vec<(String, String)>, depth: usize) {
    if depth > 64 {
        return;
    }
    match value {
        Value::Object(map) => {
            if let (Some(class), true) = (
                map.get("class_name").and_then(Value::as_str),
                map.contains_key("config"),
            ) {
                let module = map.get("module").and_then(Value::as_str).unwrap_or("");
                layers.push((class.to_string(), module.to_string()));
            }
            for child in map.values() {
                collect_layers(child, layers, depth + 1);
            }
        }
        Value::Array(items) => {
            for child in items {
                collect_layers(child, layers, depth + 1);
            }
        }
        _ => {}
    }
}

/// The JSON of an HDF5 Keras file's `model_config` attribute, found by its first key.
// Limitation: the attribute is found by searching for its JSON text rather than by walking
// the HDF5 object headers; a configuration stored compressed or split is not found.
fn hdf5_config(content: &[u8]) -> Option<Value> {
    let start = find(content, b"{\"class_name\"")?;
    serde_json::Deserializer::from_slice(&content[start..])
        .into_iter::<Value>()
        .next()?
        .ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// GGUF: magic, version, tensor count, metadata, then tensor descriptions.
pub fn gguf(content: &[u8], out: &mut Findings) {
    match gguf_tensors(content) {
        Ok((version, tensors, parameters)) => out.push(
            Finding::new(
                &MODEL_WEIGHTS,
                format!(
                    "GGUF v{version} model with {tensors} tensors and {parameters} parameters; \
                     {MIA}"
                ),
            )
            .with_evidence(evidence! {
                "format" => "gguf",
                "version" => version,
                "tensors" => tensors,
                "parameters" => parameters,
            }),
        ),
        Err(what) => unverifiable(format!("GGUF header: {what}"), content.len() as u64, out),
    }
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: u64) -> Result<&[u8], &'static str> {
        let n = usize::try_from(n).map_err(|_| "length overflows")?;
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let end = end.ok_or("truncated")?;
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn u32(&mut self) -> Result<u32, &'static str> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, &'static str> {
        let mut w = [0u8; 8];
        w.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(w))
    }

    fn skip_string(&mut self) -> Result<(), &'static str> {
        let n = self.u64()?;
        self.take(n).map(|_| ())
    }

    /// Skips one metadata value of GGUF type `kind`.
    fn skip_value(&mut self, kind: u32, depth: usize) -> Result<(), &'static str> {
        match kind {
            0 | 1 | 7 => self.take(1).map(|_| ()),
            2 | 3 => self.take(2).map(|_| ()),
            4..=6 => self.take(4).map(|_| ()),
            10..=12 => self.take(8).map(|_| ()),
            8 => self.skip_string(),
            9 if depth < 4 => {
                let inner = self.u32()?;
                let count = self.u64()?;
                for _ in 0..count {
                    self.skip_value(inner, depth + 1)?;
                }
                Ok(())
            }
            _ => Err("unknown metadata type"),
        }
    }
}

fn gguf_tensors(content: &[u8]) -> Result<(u32, u64, u64), &'static str> {
    let mut c = Cursor {
        data: content,
        pos: 4,
    };
    let version = c.u32()?;
    if !(2..=3).contains(&version) {
        return Err("unsupported version");
    }
    let tensors = c.u64()?;
    let metadata = c.u64()?;
    for _ in 0..metadata {
        c.skip_string()?;
        let kind = c.u32()?;
        c.skip_value(kind, 0)?;
    }
    let mut parameters = 0u64;
    for _ in 0..tensors {
        c.skip_string()?;
        let dims = c.u32()?;
        if dims > 8 {
            return Err("a tensor with more than 8 dimensions");
        }
        let mut elements = 1u64;
        for _ in 0..dims {
            elements = elements
                .checked_mul(c.u64()?)
                .ok_or("tensor size overflows")?;
        }
        c.u32()?;
        c.u64()?;
        parameters = parameters.saturating_add(elements);
    }
    Ok((version, tensors, parameters))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hdf5_model_config_is_found_and_lambda_seen() {
        let mut file = b"\x89HDF\r\n\x1a\n\0\0model_config\0".to_vec();
        file.extend_from_slice(
            concat!(
                r#"{"class_name": "Functional", "config": {"layers": "#,
                r#"[{"class_name": "Lambda", "config": {}}]}}"#
            )
            .as_bytes(),
        );
        file.extend_from_slice(b"\0\0trailing binary");
        let config = hdf5_config(&file).expect("config found");
        let mut layers = Vec::new();
        collect_layers(&config, &mut layers, 0);
        let classes: Vec<&str> = layers.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(classes, ["Functional", "Lambda"]);
    }

    #[test]
    fn custom_modules_are_told_from_keras() {
        assert!(!is_custom_module("keras.layers"));
        assert!(!is_custom_module(""));
        assert!(is_custom_module("my_project.layers"));
        assert!(is_custom_module("kerasish"));
    }

    #[test]
    fn gguf_headers_that_lie_are_errors() {
        let mut file = b"GGUF".to_vec();
        file.extend_from_slice(&3u32.to_le_bytes());
        file.extend_from_slice(&u64::MAX.to_le_bytes());
        file.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(gguf_tensors(&file).is_err());
        assert!(gguf_tensors(b"GGUF\x09\0\0\0").is_err());
    }
}
