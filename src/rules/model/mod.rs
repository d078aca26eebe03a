//! Model files: what a pickle, joblib file, PyTorch checkpoint or weights file would build,
//! read without ever loading it.
//!
//! Pickles are walked opcode by opcode ([`pickle`]) into a bounded graph ([`graph`]), which
//! [`analyse`] reads for estimators, arrays and data frames; [`judge`] turns that into
//! findings. Weight formats (safetensors, ONNX, Keras, GGUF) are read from their headers in
//! [`weights`] and [`onnx`].

pub mod analyse;
pub mod containers;
pub mod denylist;
pub mod graph;
pub mod judge;
pub mod onnx;
pub mod pickle;
pub mod rules;
pub mod weights;

use super::{FileCheck, Findings};
use crate::finding::{Finding, Location};
use crate::identify::Format;
use crate::inspect::Inspected;
use crate::policy::Policy;
pub use rules::*;

/// Checks pickles, joblib files, PyTorch checkpoints and weight files.
pub struct ModelCheck;

impl FileCheck for ModelCheck {
    fn check(&self, file: &Inspected, policy: &Policy, out: &mut Findings) {
        let Some(content) = file.content() else {
            return;
        };
        match file.identity.format {
            Format::Pickle | Format::Joblib => pickled(content, policy, out),
            Format::PyTorch => torch(content, policy, out),
            Format::Safetensors => weights::safetensors(content, out),
            Format::Onnx => onnx::check(content, out),
            Format::Keras => weights::keras(content, policy, out),
            Format::Gguf => weights::gguf(content, out),
            _ => {}
        }
    }
}

/// A pickle or joblib file, inflated first when compressed.
fn pickled(content: &[u8], policy: &Policy, out: &mut Findings) {
    let packing = containers::Packing::of(content);
    match containers::inflate(content, policy.models.inflate_bytes.0) {
        Ok(Some(inflated)) => {
            let origin = judge::Origin {
                member: None,
                packing,
            };
            judge::pickle(&inflated, &origin, policy, out, judge::Purpose::Model);
        }
        Ok(None) => {
            let origin = judge::Origin {
                member: None,
                packing,
            };
            judge::pickle(content, &origin, policy, out, judge::Purpose::Model);
        }
        Err(error) => out.push(
            Finding::new(
                &UNVERIFIABLE_MODEL,
                format!(
                    "the {} stream {error}; its contents cannot be checked",
                    packing.as_str()
                ),
            )
            .at(Location::bytes(0, content.len() as u64))
            .with_evidence(crate::evidence! {
                "compression" => packing.as_str(),
                "error" => error.to_string(),
                "inflate_cap_bytes" => policy.models.inflate_bytes.0,
            })
            .carrying(content.len() as u64),
        ),
    }
}

/// A PyTorch checkpoint: a ZIP with `data.pkl`, or a legacy stack of pickles.
fn torch(content: &[u8], policy: &Policy, out: &mut Findings) {
    if !content.starts_with(b"PK") {
        let origin = judge::Origin {
            member: None,
            packing: containers::Packing::Plain,
        };
        judge::pickle(content, &origin, policy, out, judge::Purpose::LegacyTorch);
        return;
    }
    match containers::torch_checkpoint(content, policy.models.inflate_bytes.0) {
        Ok(checkpoint) => {
            let origin = judge::Origin {
                member: Some(checkpoint.member.clone()),
                packing: containers::Packing::Plain,
            };
            let purpose = judge::Purpose::Torch {
                storage_bytes: checkpoint.storage_bytes,
            };
            judge::pickle(&checkpoint.pickle, &origin, policy, out, purpose);
        }
        Err(error) => out.push(
            Finding::new(
                &UNVERIFIABLE_MODEL,
                format!("the PyTorch checkpoint {error}; its contents cannot be checked"),
            )
            .with_evidence(crate::evidence! {"error" => error.to_string()})
            .carrying(content.len() as u64),
        ),
    }
}
