//! Microdata files: statistics-package, columnar and array files whose rows may be people.
//!
//! Row and column counts and variable names are read from headers, footers and dictionaries
//! ([`headers`], [`parquet`], [`arrow`], [`rdata`], [`sqlite`], [`por`], [`sas7bdat`],
//! [`hdf5`]) without a data library. A file with at least `microdata.person_level_rows`
//! rows is blocked as person-level; a smaller one is reviewed; a file or layout this version
//! does not parse is blocked, never passed.

pub mod arrow;
mod flatbuf;
pub mod hdf5;
pub mod headers;
pub mod parquet;
pub mod por;
pub mod rdata;
pub mod sas7bdat;
pub mod sqlite;

use std::io::{Cursor, Read};

use headers::Shape;

use super::model::containers::Packing;
use super::model::judge::{self, Origin, Purpose};
use super::{Family, FileCheck, Findings, Rule};
use crate::evidence;
use crate::finding::{Finding, Location, Severity};
use crate::identify::Format;
use crate::inspect::Inspected;
use crate::policy::Policy;

pub static PERSON_LEVEL: Rule = Rule {
    code: "D001",
    name: "person-level-microdata",
    family: Family::Microdata,
    severity: Severity::Block,
    summary: "a data file with person-level numbers of rows",
    detects: "Stata, SPSS (sav, zsav, por), SAS (sas7bdat, transport), Parquet, Arrow and \
              Feather, R rds and RData, SQLite, HDF5 and NumPy files (npy, npz members) that \
              record at least microdata.person_level_rows rows in a table or data set. The \
              evidence gives the rows, columns and variable names.",
    why: "A data file of that many rows is record-level data: releasing it releases the \
          records, whatever aggregation was intended.",
    fix: "Release aggregate tables (counts, means) made from the data, which the table rules \
          can check.",
    policy_keys: &["microdata.person_level_rows", "rules.D001"],
    references: &[
        "Five Safes framework: safe outputs are non-disclosive aggregates",
        "ONS Statistical Disclosure Control guidance for outputs (SDAP handbook)",
    ],
};

pub static DATA_FILE: Rule = Rule {
    code: "D002",
    name: "data-file",
    family: Family::Microdata,
    severity: Severity::Review,
    summary: "a small data file that a person must confirm holds aggregates",
    detects: "Data files whose header records fewer than microdata.person_level_rows rows.",
    why: "A few rows may still be individual records (a case series), and statistics-package \
          files carry labels and notes nobody reads.",
    fix: "Export the aggregate table as CSV, so the table rules can check its cells.",
    policy_keys: &["microdata.person_level_rows", "rules.D002"],
    references: &[],
};

pub static UNREADABLE_DATA: Rule = Rule {
    code: "D003",
    name: "unreadable-microdata",
    family: Family::Microdata,
    severity: Severity::Block,
    summary: "a data file whose rows cannot be counted",
    detects: "Data files whose header, dictionary or metadata does not parse or does not \
              add up (cut off, cyclic, pointing past the end), and layouts this version does \
              not read: HDF5 groups with dense link storage, bzip2- and xz-compressed R files.",
    why: "A data file whose size in rows is unknown may be person-level; it fails closed.",
    fix: "Export the aggregate table as CSV, or convert the file to Parquet or Stata so its \
          header can be read.",
    policy_keys: &["rules.D003"],
    references: &[],
};

/// Judges data files by the shape their header declares.
pub struct MicrodataCheck;

impl FileCheck for MicrodataCheck {
    fn check(&self, file: &Inspected, policy: &Policy, out: &mut Findings) {
        let format = file.identity.format;
        let Some(content) = file.content() else {
            return;
        };
        let read = match format {
            Format::Npy => npy(content, None, policy, out).map(|s| vec![(None, s)]),
            Format::Npz => npz(content, policy, out),
            Format::Stata => headers::stata(content).map(|s| vec![(None, s)]),
            Format::Spss => headers::spss(content).map(|s| vec![(None, s)]),
            Format::SasXport => headers::sas_xport(content).map(|s| vec![(None, s)]),
            Format::Parquet => parquet::parquet(content).map(|s| vec![(None, s)]),
            Format::Sqlite => sqlite::sqlite(content),
            Format::Arrow | Format::Feather => arrow::arrow(content).map(|s| vec![(None, s)]),
            Format::Rds | Format::RData => r_data(content, policy),
            Format::SpssPortable => por::spss_portable(content).map(|s| vec![(None, s)]),
            Format::Sas7bdat => sas7bdat::sas7bdat(content).map(|s| vec![(None, s)]),
            Format::Hdf5 => hdf5::hdf5(content),
            _ => return,
        };
        match read {
            Ok(shapes) => {
                for (member, shape) in shapes {
                    judge_shape(format, member, &shape, policy, out);
                }
            }
            Err(why) => out.push(
                Finding::new(
                    &UNREADABLE_DATA,
                    format!("{format} data file whose rows cannot be counted: {why}"),
                )
                .with_evidence(evidence! {"format" => format.as_str(), "error" => why})
                .carrying(file.bytes),
            ),
        }
    }
}

fn judge_shape(
    format: Format,
    member: Option<String>,
    shape: &Shape,
    policy: &Policy,
    out: &mut Findings,
) {
    let threshold = policy.microdata.person_level_rows;
    let location = Location {
        chunk: member.clone(),
        ..Location::default()
    };
    let evidence = evidence! {
        "format" => format.as_str(),
        "rows" => shape.rows,
        "columns" => shape.columns,
        "variables" => shape.names,
        "detail" => shape.detail,
        "threshold" => threshold,
    };
    let names = if shape.names.is_empty() {
        String::new()
    } else {
        let listed: Vec<&str> = shape.names.iter().take(8).map(String::as_str).collect();
        let more = if shape.columns as usize > listed.len() {
            ", ..."
        } else {
            ""
        };
        format!(" ({}{more})", listed.join(", "))
    };
    let Some(rows) = shape.rows else {
        out.push(
            Finding::new(
                &UNREADABLE_DATA,
                format!(
                    "{format} file of {} columns{names} records no row count",
                    shape.columns
                ),
            )
            .at(location)
            .with_evidence(evidence),
        );
        return;
    };
    let (rule, verdict) = if rows >= threshold {
        (
            &PERSON_LEVEL,
            format!("at or above the {threshold} rows of person-level data"),
        )
    } else {
        (
            &DATA_FILE,
            format!("under {threshold} rows; check it holds aggregates"),
        )
    };
    out.push(
        Finding::new(
            rule,
            format!(
                "{format} file of {rows} rows and {} columns{names}, {verdict}",
                shape.columns
            ),
        )
        .at(location)
        .with_evidence(evidence),
    );
}

/// An R `.rds` or `.RData` file, inflated first when gzip-compressed (R's default), up to
/// `models.inflate_bytes`.
fn r_data(content: &[u8], policy: &Policy) -> Result<Vec<(Option<String>, Shape)>, String> {
    if content.starts_with(b"\x1f\x8b") {
        let cap = policy.models.inflate_bytes.0;
        let mut inflated = Vec::new();
        flate2::read::MultiGzDecoder::new(content)
            .take(cap.saturating_add(1))
            .read_to_end(&mut inflated)
            .map_err(|e| format!("gzip stream: {e}"))?;
        if inflated.len() as u64 > cap {
            return Err("inflates beyond models.inflate_bytes".into());
        }
        return rdata::rdata(&inflated);
    }
    // Limitation: bzip2- and xz-compressed R files (`compress = "bzip2"` / `"xz"`) are not
    // inflated; they stay unreadable (D003).
    if content.starts_with(b"BZh") || content.starts_with(b"\xfd7zXZ\x00") {
        return Err("bzip2- and xz-compressed R files are not inflated".into());
    }
    rdata::rdata(content)
}

/// A `.npy` array; an object array's pickle is walked by the model rules.
fn npy(
    data: &[u8],
    member: Option<&str>,
    policy: &Policy,
    out: &mut Findings,
) -> Result<Shape, String> {
    let (shape, start, is_object) = headers::npy(data)?;
    if is_object {
        let origin = Origin {
            member: member.map(str::to_string),
            packing: Packing::Plain,
        };
        judge::pickle(
            &data[start.min(data.len())..],
            &origin,
            policy,
            out,
            Purpose::ObjectArray,
        );
    }
    Ok(shape)
}

/// Bytes of an npz member read to find its header, unless it holds objects.
const NPY_HEADER_BYTES: u64 = 64 * 1024;

/// An `.npz` archive: each member's header, inflated up to a cap.
fn npz(
    data: &[u8],
    policy: &Policy,
    out: &mut Findings,
) -> Result<Vec<(Option<String>, Shape)>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(data)).map_err(|e| e.to_string())?;
    let mut shapes = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| e.to_string())?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let mut head = Vec::new();
        (&mut entry)
            .take(NPY_HEADER_BYTES)
            .read_to_end(&mut head)
            .map_err(|e| format!("{name}: {e}"))?;
        let (_, _, is_object) = headers::npy(&head).map_err(|e| format!("{name}: {e}"))?;
        if is_object {
            // The whole member is needed to walk its pickle, within the inflate cap.
            let cap = policy.models.inflate_bytes.0;
            (&mut entry)
                .take(cap.saturating_sub(head.len() as u64).saturating_add(1))
                .read_to_end(&mut head)
                .map_err(|e| format!("{name}: {e}"))?;
            if head.len() as u64 > cap {
                return Err(format!("{name} inflates beyond models.inflate_bytes"));
            }
        }
        let shape = npy(&head, Some(&name), policy, out).map_err(|e| format!("{name}: {e}"))?;
        shapes.push((Some(name), shape));
    }
    Ok(shapes)
}
