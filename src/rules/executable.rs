//! Executables: native programs and libraries, whatever their name.

use super::{Family, FileCheck, Findings, Rule};
use crate::evidence;
use crate::finding::{Finding, Severity};
use crate::identify::Class;
use crate::inspect::Inspected;
use crate::policy::Policy;

pub static NATIVE_EXECUTABLE: Rule = Rule {
    code: "X001",
    name: "native-executable",
    family: Family::Executable,
    severity: Severity::Block,
    summary: "a program, library or bytecode file",
    detects: "ELF, PE and Mach-O executables and shared libraries (identified and described by \
              goblin), static libraries, WebAssembly modules and Java class files, under any \
              name. The evidence gives the format, file type and architecture.",
    why: "Programs are not research outputs. A binary can carry any data in its sections, and \
          code built inside a TRE may embed the data it was built with.",
    fix: "Release the source code instead; it can be read and checked.",
    policy_keys: &["rules.X001"],
    references: &[
        "Tool Interface Standard ELF specification v1.2",
        "Microsoft PE/COFF specification",
    ],
};

/// Blocks every executable format, naming its type and architecture.
pub struct ExecutableCheck;

impl FileCheck for ExecutableCheck {
    fn check(&self, file: &Inspected, _policy: &Policy, out: &mut Findings) {
        if file.class() != Class::Executable {
            return;
        }
        let format = file.identity.format.as_str();
        let detail = file
            .identity
            .detail
            .as_deref()
            .unwrap_or("no further detail");
        out.push(
            Finding::new(
                &NATIVE_EXECUTABLE,
                format!("{format} binary ({detail}); programs are not released"),
            )
            .with_evidence(
                evidence! {"format" => format, "detail" => detail, "bytes" => file.bytes},
            )
            .carrying(file.bytes),
        );
    }
}
