//! Identification: what a file is, from its content, never from its name alone.
//!
//! The first bytes are matched against the signatures of the formats research outputs come
//! in; containers (ZIP, gzip) are looked into far enough to tell a Word document from a
//! PyTorch checkpoint; text is told apart from binary and sniffed for tables. The extension
//! is only used to choose between textual formats and to spot a disguise.

mod extension;
mod sniff;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use extension::{expected_formats, is_harmless_extension};

/// Broad kinds of file. Budgets are set per class, and each family of rules claims classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Table,
    Spreadsheet,
    Image,
    Executable,
    Model,
    Microdata,
    Archive,
    Document,
    Text,
    Encrypted,
    Empty,
    Unknown,
}

const CLASSES: &[Class] = &[
    Class::Table,
    Class::Spreadsheet,
    Class::Image,
    Class::Executable,
    Class::Model,
    Class::Microdata,
    Class::Archive,
    Class::Document,
    Class::Text,
    Class::Encrypted,
    Class::Empty,
    Class::Unknown,
];

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Table => "table",
            Class::Spreadsheet => "spreadsheet",
            Class::Image => "image",
            Class::Executable => "executable",
            Class::Model => "model",
            Class::Microdata => "microdata",
            Class::Archive => "archive",
            Class::Document => "document",
            Class::Text => "text",
            Class::Encrypted => "encrypted",
            Class::Empty => "empty",
            Class::Unknown => "unknown",
        }
    }

    /// Classes whose content could hide anything from a reviewer who trusts the file name:
    /// these under a harmless extension are a disguise, not a slip.
    pub fn is_concealing(self) -> bool {
        matches!(
            self,
            Class::Executable | Class::Archive | Class::Encrypted | Class::Unknown | Class::Model
        )
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Class {
    /// On failure, the list of valid names.
    type Err = String;

    fn from_str(text: &str) -> Result<Class, String> {
        CLASSES
            .iter()
            .copied()
            .find(|class| class.as_str() == text)
            .ok_or_else(|| {
                CLASSES
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
    }
}

/// Formats told apart by content. Each belongs to one [`Class`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Tsv,
    Parquet,
    Arrow,
    Feather,
    Xlsx,
    Xlsm,
    Xls,
    Ods,
    Png,
    Jpeg,
    Gif,
    Bmp,
    Tiff,
    Webp,
    Elf,
    Pe,
    MachO,
    Wasm,
    JavaClass,
    StaticLibrary,
    Pickle,
    Joblib,
    PyTorch,
    Safetensors,
    Onnx,
    Keras,
    Hdf5,
    Gguf,
    Npy,
    Npz,
    Stata,
    Spss,
    SpssPortable,
    Sas7bdat,
    SasXport,
    Rds,
    RData,
    Sqlite,
    Zip,
    Tar,
    Gzip,
    Bzip2,
    Xz,
    /// The legacy `.lzma` format: no magic number, recognised by extension and header.
    Lzma,
    Zstd,
    SevenZip,
    Rar,
    Pdf,
    Docx,
    Docm,
    Pptx,
    Odt,
    Odp,
    OleCompound,
    Rtf,
    Notebook,
    Svg,
    Html,
    Xml,
    Json,
    Code,
    Text,
    OpensslEncrypted,
    Pgp,
    Age,
    Empty,
    Unknown,
}

impl Format {
    pub fn class(self) -> Class {
        use Format::*;
        match self {
            Csv | Tsv => Class::Table,
            Xlsx | Xlsm | Xls | Ods => Class::Spreadsheet,
            Png | Jpeg | Gif | Bmp | Tiff | Webp => Class::Image,
            Elf | Pe | MachO | Wasm | JavaClass | StaticLibrary => Class::Executable,
            Pickle | Joblib | PyTorch | Safetensors | Onnx | Keras | Gguf => Class::Model,
            Parquet | Arrow | Feather | Hdf5 | Npy | Npz | Stata | Spss | SpssPortable
            | Sas7bdat | SasXport | Rds | RData | Sqlite => Class::Microdata,
            Zip | Tar | Gzip | Bzip2 | Xz | Lzma | Zstd | SevenZip | Rar => Class::Archive,
            Pdf | Docx | Docm | Pptx | Odt | Odp | OleCompound | Rtf | Notebook | Svg | Html => {
                Class::Document
            }
            Xml | Json | Code | Text => Class::Text,
            OpensslEncrypted | Pgp | Age => Class::Encrypted,
            Empty => Class::Empty,
            Unknown => Class::Unknown,
        }
    }

    /// Short lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        use Format::*;
        match self {
            Csv => "csv",
            Tsv => "tsv",
            Parquet => "parquet",
            Arrow => "arrow",
            Feather => "feather",
            Xlsx => "xlsx",
            Xlsm => "xlsm",
            Xls => "xls",
            Ods => "ods",
            Png => "png",
            Jpeg => "jpeg",
            Gif => "gif",
            Bmp => "bmp",
            Tiff => "tiff",
            Webp => "webp",
            Elf => "elf",
            Pe => "pe",
            MachO => "mach-o",
            Wasm => "wasm",
            JavaClass => "java-class",
            StaticLibrary => "static-library",
            Pickle => "pickle",
            Joblib => "joblib",
            PyTorch => "pytorch",
            Safetensors => "safetensors",
            Onnx => "onnx",
            Keras => "keras",
            Hdf5 => "hdf5",
            Gguf => "gguf",
            Npy => "npy",
            Npz => "npz",
            Stata => "stata",
            Spss => "spss",
            SpssPortable => "spss-portable",
            Sas7bdat => "sas7bdat",
            SasXport => "sas-xport",
            Rds => "rds",
            RData => "rdata",
            Sqlite => "sqlite",
            Zip => "zip",
            Tar => "tar",
            Gzip => "gzip",
            Bzip2 => "bzip2",
            Xz => "xz",
            Lzma => "lzma",
            Zstd => "zstd",
            SevenZip => "7z",
            Rar => "rar",
            Pdf => "pdf",
            Docx => "docx",
            Docm => "docm",
            Pptx => "pptx",
            Odt => "odt",
            Odp => "odp",
            OleCompound => "ole-compound",
            Rtf => "rtf",
            Notebook => "notebook",
            Svg => "svg",
            Html => "html",
            Xml => "xml",
            Json => "json",
            Code => "code",
            Text => "text",
            OpensslEncrypted => "openssl-enc",
            Pgp => "pgp",
            Age => "age",
            Empty => "empty",
            Unknown => "unknown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a file was found to be.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub format: Format,
    /// What the content said beyond the format: an executable's type and architecture, a
    /// text file's encoding, a table's delimiter.
    pub detail: Option<String>,
}

impl Identity {
    fn of(format: Format) -> Identity {
        Identity {
            format,
            detail: None,
        }
    }

    fn with(format: Format, detail: impl Into<String>) -> Identity {
        Identity {
            format,
            detail: Some(detail.into()),
        }
    }

    pub fn class(&self) -> Class {
        self.format.class()
    }
}

/// Identifies a file from its first bytes (`head`), its whole content when it was kept in
/// memory, and its lowercased extension.
///
/// `head` holds the file's first bytes (at least 64 KiB where the file is that long);
/// `content`, when present, is the whole file.
pub fn identify(head: &[u8], content: Option<&[u8]>, extension: Option<&str>) -> Identity {
    if head.is_empty() {
        return Identity::of(Format::Empty);
    }
    if let Some(identity) = sniff::binary_signature(head, content, extension) {
        return identity;
    }
    if let Some(identity) = sniff::text(head, extension) {
        return identity;
    }
    Identity::of(Format::Unknown)
}

#[cfg(test)]
mod tests;
