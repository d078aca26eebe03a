//! Errors that stop a check from running at all. Problems with a file in the request are never
//! errors: they are findings, so one bad file cannot abort the check of the others.

use std::path::PathBuf;

/// Why a check could not be run. Each message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("request folder {0} does not exist: give the path of the request folder")]
    RootMissing(PathBuf),

    #[error("{0} is a file, not a folder: give the folder that holds the request's outputs")]
    RootNotDirectory(PathBuf),

    #[error("cannot read request folder {path}: {source}; check its permissions")]
    RootUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot read policy file {path}: {source}")]
    PolicyUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "no policy preset or file named {0:?}: give a preset name ({presets}) or a path to a \
         TOML file",
        presets = crate::policy::PRESETS.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
    )]
    PolicyNotFound(String),

    #[error("invalid policy {origin}:\n{}", bullet_list(problems))]
    PolicyInvalid {
        origin: String,
        problems: Vec<String>,
    },

    #[error(
        "cannot use cache folder {path}: {source}; give a writable folder outside the request"
    )]
    CacheUnusable {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot start {0} worker threads: {1}")]
    Threads(usize, String),
}

fn bullet_list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("  - {item}"))
        .collect::<Vec<_>>()
        .join("\n")
}
