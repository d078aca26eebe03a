//! Identification of each format from hand-built headers.

use std::io::Write;

use super::*;

fn format_of(bytes: &[u8], extension: Option<&str>) -> Format {
    identify(bytes, Some(bytes), extension).format
}

fn zip_of(names: &[&str]) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buffer);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for name in names {
        writer.start_file(*name, options).expect("start member");
        writer.write_all(b"member").expect("write member");
    }
    writer.finish().expect("finish zip");
    buffer.into_inner()
}

fn gzip_of(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

#[test]
fn images_by_magic() {
    assert_eq!(
        format_of(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None),
        Format::Png
    );
    assert_eq!(format_of(b"\xff\xd8\xff\xe0\0\x10JFIF", None), Format::Jpeg);
    assert_eq!(format_of(b"GIF89a\x01\0\x01\0", None), Format::Gif);
    assert_eq!(format_of(b"II*\0\x08\0\0\0", None), Format::Tiff);
    assert_eq!(format_of(b"RIFF\x24\0\0\0WEBPVP8 ", None), Format::Webp);
    let mut bmp = b"BM".to_vec();
    bmp.extend(70u32.to_le_bytes());
    bmp.extend([0, 0, 0, 0]);
    bmp.extend(54u32.to_le_bytes());
    bmp.extend(40u32.to_le_bytes());
    bmp.extend([0u8; 16]);
    assert_eq!(format_of(&bmp, Some("bmp")), Format::Bmp);
}

#[test]
fn text_starting_bm_is_not_a_bitmap() {
    assert_eq!(format_of(b"BMI by age group\n", None), Format::Text);
}

#[test]
fn elf_header_is_described() {
    // A 64-bit little-endian ELF header for an x86-64 shared object (e_type 3, e_machine 62).
    let mut elf = vec![0u8; 64];
    elf[..4].copy_from_slice(b"\x7fELF");
    elf[4] = 2; // ELFCLASS64
    elf[5] = 1; // little endian
    elf[6] = 1; // EV_CURRENT
    elf[16..18].copy_from_slice(&3u16.to_le_bytes());
    elf[18..20].copy_from_slice(&62u16.to_le_bytes());
    elf[20..24].copy_from_slice(&1u32.to_le_bytes());
    elf[52..54].copy_from_slice(&64u16.to_le_bytes());
    let identity = identify(&elf, Some(&elf), Some("png"));
    assert_eq!(identity.format, Format::Elf);
    assert_eq!(identity.detail.as_deref(), Some("DYN, X86_64"));
}

#[test]
fn zip_flavours_by_member_names() {
    let docx = zip_of(&["[Content_Types].xml", "word/document.xml"]);
    assert_eq!(format_of(&docx, Some("docx")), Format::Docx);
    let xlsm = zip_of(&[
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/vbaProject.bin",
    ]);
    assert_eq!(format_of(&xlsm, None), Format::Xlsm);
    let torch = zip_of(&["archive/data.pkl", "archive/data/0", "archive/version"]);
    assert_eq!(format_of(&torch, Some("pt")), Format::PyTorch);
    let npz = zip_of(&["X_train.npy", "y_train.npy"]);
    assert_eq!(format_of(&npz, Some("npz")), Format::Npz);
    let plain = zip_of(&["tables/t1.csv"]);
    assert_eq!(format_of(&plain, Some("zip")), Format::Zip);
}

#[test]
fn zip_flavour_from_local_headers_without_content() {
    let torch = zip_of(&["archive/data.pkl", "archive/data/0"]);
    assert_eq!(identify(&torch, None, None).format, Format::PyTorch);
}

#[test]
fn gzip_holding_r_data_is_rds() {
    let rds = gzip_of(b"X\n\0\0\0\x03\0\x04\x04\0");
    assert_eq!(format_of(&rds, Some("rds")), Format::Rds);
    let rdata = gzip_of(b"RDX3\nX\n\0\0\0\x03");
    assert_eq!(format_of(&rdata, Some("rdata")), Format::RData);
    let other = gzip_of(b"age,n\n1,2\n");
    assert_eq!(format_of(&other, Some("gz")), Format::Gzip);
}

#[test]
fn statistics_package_files() {
    assert_eq!(
        format_of(b"<stata_dta><header><release>118", None),
        Format::Stata
    );
    assert_eq!(
        format_of(b"$FL2@(#) IBM SPSS STATISTICS", None),
        Format::Spss
    );
    assert_eq!(
        format_of(b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!", None),
        Format::SasXport
    );
    assert_eq!(format_of(b"PAR1\x15\x04", None), Format::Parquet);
    assert_eq!(format_of(b"ARROW1\0\0", None), Format::Arrow);
    let stream = b"\xff\xff\xff\xff\x10\0\0\0\x0c\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    assert_eq!(format_of(stream, Some("arrows")), Format::Arrow);
    assert_eq!(format_of(b"\x93NUMPY\x01\0v\0{'descr'", None), Format::Npy);
    assert_eq!(format_of(b"SQLite format 3\0\x10\0", None), Format::Sqlite);
    assert_eq!(format_of(b"\x89HDF\r\n\x1a\n\0\0\0\0", None), Format::Hdf5);
}

#[test]
fn pickles_of_each_protocol_family() {
    assert_eq!(
        format_of(b"\x80\x04\x95\x10\0\0\0\0\0\0\0}\x94.", None),
        Format::Pickle
    );
    assert_eq!(format_of(b"\x80\x02}q\0.", None), Format::Pickle);
    assert_eq!(format_of(b"(dp0\nS'a'\np1\nI1\ns.", None), Format::Pickle);
    assert_eq!(format_of(b"cos\nsystem\n(S'ls'\ntR.", None), Format::Pickle);
    let joblib = b"\x80\x04\x95\x30\0\0\0\0\0\0\0\x8c\x13joblib.numpy_pickle\x94.";
    assert_eq!(format_of(joblib, Some("joblib")), Format::Joblib);
}

#[test]
fn prose_that_looks_like_protocol_zero_is_text() {
    assert_eq!(
        format_of(b"compare the means\nacross groups.", None),
        Format::Text
    );
    assert_eq!(format_of(b"(Kaplan-Meier estimates).", None), Format::Text);
}

#[test]
fn safetensors_header() {
    let header = br#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
    let mut file = (header.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(header);
    file.extend_from_slice(&[0u8; 8]);
    assert_eq!(format_of(&file, Some("safetensors")), Format::Safetensors);
}

#[test]
fn ciphertext_headers() {
    assert_eq!(
        format_of(b"Salted__\x01\x02\x03\x04\x05\x06\x07\x08", None),
        Format::OpensslEncrypted
    );
    assert_eq!(
        format_of(b"age-encryption.org/v1\n-> X25519 abc\n", None),
        Format::Age
    );
    assert_eq!(
        format_of(b"-----BEGIN PGP MESSAGE-----\n\nhQEMA", None),
        Format::Pgp
    );
    // gpg --symmetric: new-format tag 3 (0xc3), length 0x0d, version 4.
    assert_eq!(
        format_of(b"\xc3\x0d\x04\x09\x03\x08\x01\x02\x03\x04", None),
        Format::Pgp
    );
    // Old-format tag 1 (0x85), two-byte length, version 3.
    assert_eq!(
        format_of(b"\x85\x01\x0c\x03\x01\x02\x03\x04\x05\x06\x07\x08", None),
        Format::Pgp
    );
}

#[test]
fn delimited_tables_are_sniffed() {
    let csv = b"age,sex,n\n40-49,F,3\n50-59,M,12\n60-69,F,20\n";
    assert_eq!(format_of(csv, None), Format::Csv);
    let tsv = b"age\tn\n40-49\t3\n50-59\t12\n";
    assert_eq!(format_of(tsv, Some("txt")), Format::Tsv);
    let semicolon = "Table 1: outcomes\nage;rate\n40-49;1,5\n50-59;2,25\n60-69;3,0\n";
    let identity = identify(semicolon.as_bytes(), None, Some("csv"));
    assert_eq!(identity.format, Format::Csv);
    assert!(identity.detail.unwrap_or_default().contains("';'"));
    let quoted = b"\"label, with comma\",n\n\"a, b\",1\n\"c, d\",2\n";
    assert_eq!(format_of(quoted, None), Format::Csv);
}

#[test]
fn prose_is_text_and_code_is_code() {
    let prose = b"The model was fitted in R. Results, with caveats, follow.\nSee table 2.\n";
    assert_eq!(format_of(prose, Some("txt")), Format::Text);
    assert_eq!(
        format_of(b"import pandas as pd\nx = 1, 2\ny = 3, 4\n", Some("py")),
        Format::Code
    );
    assert_eq!(format_of(b"#!/bin/sh\necho hi\n", None), Format::Code);
}

#[test]
fn latin1_text_is_text() {
    let latin1 = b"r\xe9gion,effectif\n\xcele-de-France,12\nAuvergne,15\n";
    let identity = identify(latin1, None, Some("csv"));
    assert_eq!(identity.format, Format::Csv);
    assert!(identity
        .detail
        .unwrap_or_default()
        .starts_with("windows-1252"));
}

#[test]
fn markup_and_notebooks() {
    assert_eq!(
        format_of(b"<?xml version=\"1.0\"?>\n<svg xmlns=", None),
        Format::Svg
    );
    assert_eq!(format_of(b"<!DOCTYPE html><html>", None), Format::Html);
    let notebook = br#"{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#;
    assert_eq!(format_of(notebook, Some("ipynb")), Format::Notebook);
    assert_eq!(format_of(br#"{"a": 1}"#, Some("json")), Format::Json);
}

#[test]
fn empty_and_unknown() {
    assert_eq!(format_of(b"", Some("csv")), Format::Empty);
    assert_eq!(
        format_of(&[0x00, 0x9f, 0x13, 0x77, 0x00, 0xfe], None),
        Format::Unknown
    );
}

#[test]
fn harmless_extensions() {
    assert!(is_harmless_extension("csv"));
    assert!(is_harmless_extension("png"));
    assert!(!is_harmless_extension("zip"));
    assert!(!is_harmless_extension("pkl"));
    assert!(!is_harmless_extension("weird"));
}

#[test]
fn joblib_files_from_every_compressor_are_joblib() {
    // Written by joblib's own compressors (testdata/generate_archives.py).
    let models: [&[u8]; 4] = [
        include_bytes!("../../testdata/compressed/models/forest_safe_lz4.joblib"),
        include_bytes!("../../testdata/compressed/models/forest_safe_xz.joblib"),
        include_bytes!("../../testdata/compressed/models/forest_safe_bz2.joblib"),
        include_bytes!("../../testdata/compressed/models/forest_safe_lzma.joblib"),
    ];
    for model in models {
        assert_eq!(format_of(model, Some("joblib")), Format::Joblib);
    }
}

#[test]
fn compressed_tables_stay_archives() {
    let lzma = include_bytes!("../../testdata/compressed/clean.csv.lzma");
    assert_eq!(format_of(lzma, Some("lzma")), Format::Lzma);
    assert_ne!(
        format_of(lzma, None),
        Format::Lzma,
        "no magic number without the extension"
    );
    let xz = include_bytes!("../../testdata/compressed/clean.csv.xz");
    assert_eq!(format_of(xz, Some("xz")), Format::Xz);
    let bz2 = include_bytes!("../../testdata/compressed/clean.csv.bz2");
    assert_eq!(format_of(bz2, Some("bz2")), Format::Bzip2);
}
