//! egress-check: decides whether research outputs may leave a Trusted Research Environment.
//!
//! The library checks a request folder and returns a [`report::Report`]: a verdict per file
//! and per request, each backed by findings that say where, what was measured and which
//! threshold it broke. The pipeline is walk → read once (hash, identify, measure) → rules →
//! budgets → verdicts → report; each stage is a module.

pub mod cache;
pub mod check;
pub mod decompress;
pub mod error;
pub mod finding;
pub mod identify;
pub mod inspect;
pub mod ledger;
pub mod manifest;
pub mod policy;
pub mod report;
pub mod rules;
pub mod stats;
pub mod unpack;
pub mod walk;

pub use check::{check_bytes, check_request, Options};
pub use error::Error;
pub use finding::{Finding, Severity, Verdict};
pub use policy::Policy;
pub use report::Report;
