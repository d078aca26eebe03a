//! What a file's extension promises, to compare with what its content is.

use super::{Class, Format};

/// The formats an extension stands for, or `None` for extensions we do not know (which are
/// never called a mismatch).
pub fn expected_formats(extension: &str) -> Option<&'static [Format]> {
    use Format::*;
    let formats: &'static [Format] = match extension {
        "csv" => &[Csv, Tsv, Text],
        "tsv" | "tab" => &[Tsv, Csv, Text],
        "txt" | "log" | "md" | "rst" | "out" | "lst" => &[Text, Csv, Tsv, Code, Json, Xml],
        "json" | "geojson" => &[Json, Text],
        "xml" => &[Xml, Svg, Html, Text],
        "html" | "htm" => &[Html, Xml, Text],
        "svg" => &[Svg, Xml],
        "ipynb" => &[Notebook, Json],
        "parquet" | "pq" => &[Parquet],
        "arrow" | "arrows" | "feather" | "ipc" => &[Arrow, Feather],
        "xlsx" => &[Xlsx],
        "xlsm" => &[Xlsm, Xlsx],
        "xls" => &[Xls, OleCompound],
        "ods" => &[Ods],
        "png" => &[Png],
        "jpg" | "jpeg" | "jpe" => &[Jpeg],
        "gif" => &[Gif],
        "bmp" => &[Bmp],
        "tif" | "tiff" => &[Tiff],
        "webp" => &[Webp],
        "exe" | "dll" | "sys" => &[Pe],
        "so" | "o" | "elf" => &[Elf],
        "dylib" => &[MachO],
        "wasm" => &[Wasm],
        "class" => &[JavaClass],
        "a" | "lib" => &[StaticLibrary, Pe],
        "pkl" | "pickle" => &[Pickle, Joblib],
        "joblib" => &[Joblib, Pickle, Zip, Gzip, Bzip2, Xz, Lzma],
        "pt" | "pth" | "ckpt" => &[PyTorch, Pickle, Zip],
        "safetensors" => &[Safetensors],
        "onnx" => &[Onnx],
        "h5" | "hdf5" | "hdf" => &[Hdf5, Keras],
        "keras" => &[Keras],
        "gguf" => &[Gguf],
        "npy" => &[Npy],
        "npz" => &[Npz, Zip],
        "dta" => &[Stata],
        "sav" | "zsav" => &[Spss, Pickle, Joblib],
        "por" => &[SpssPortable],
        "sas7bdat" => &[Sas7bdat],
        "xpt" => &[SasXport],
        "rds" => &[Rds, Bzip2, Xz],
        "rdata" | "rda" => &[RData, Bzip2, Xz],
        "sqlite" | "sqlite3" | "db" => &[Sqlite],
        "zip" => &[Zip, Npz, PyTorch, Keras, Docx, Xlsx, Pptx],
        "tar" => &[Tar],
        "gz" | "tgz" => &[Gzip, Rds, RData],
        "bz2" | "tbz2" | "tbz" => &[Bzip2],
        "xz" | "txz" => &[Xz],
        "lzma" => &[Lzma],
        "zst" | "tzst" => &[Zstd],
        "7z" => &[SevenZip],
        "rar" => &[Rar],
        "pdf" => &[Pdf],
        "docx" => &[Docx],
        "docm" => &[Docm, Docx],
        "pptx" => &[Pptx],
        "odt" => &[Odt],
        "odp" => &[Odp],
        "doc" | "ppt" => &[OleCompound],
        "rtf" => &[Rtf],
        "gpg" | "pgp" | "asc" => &[Pgp],
        "age" => &[Age],
        "enc" => &[OpensslEncrypted, Unknown],
        ext if is_code(ext) => &[Code, Text, Csv, Tsv, Json, Xml],
        _ => return None,
    };
    Some(formats)
}

/// Extensions of source code and analysis scripts.
pub(crate) fn is_code(extension: &str) -> bool {
    matches!(
        extension,
        "py" | "r"
            | "rmd"
            | "qmd"
            | "do"
            | "ado"
            | "sas"
            | "sps"
            | "sql"
            | "sh"
            | "bash"
            | "ps1"
            | "bat"
            | "js"
            | "ts"
            | "jl"
            | "m"
            | "scala"
            | "java"
            | "c"
            | "h"
            | "cpp"
            | "hpp"
            | "rs"
            | "go"
            | "rb"
            | "pl"
            | "yaml"
            | "yml"
            | "toml"
            | "ini"
            | "cfg"
            | "tex"
            | "bib"
            | "css"
            | "smk"
            | "nf"
            | "wdl"
            | "stan"
    )
}

/// True when the extension promises something a reviewer opens without suspicion: a table,
/// a picture, text or a document.
pub fn is_harmless_extension(extension: &str) -> bool {
    expected_formats(extension).is_some_and(|formats| {
        formats.iter().all(|f| {
            matches!(
                f.class(),
                Class::Table | Class::Image | Class::Text | Class::Document | Class::Spreadsheet
            )
        })
    })
}
