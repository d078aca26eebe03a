#!/usr/bin/env python3
"""Writes testdata/compressed/: bzip2, xz, .lzma, zstd, tar.{bz2,xz,zst}, 7z and ZIP members
stored with bzip2, LZMA and zstd, each clean, dirty, a bomb, truncated; encrypted and escaping
7z archives; and joblib models compressed with lz4, xz, bz2 and lzma. Deterministic: run it
again and git shows no change. Needs Python 3.11 with zstandard, py7zr, lz4, joblib and
scikit-learn:

    pip install zstandard py7zr lz4 joblib scikit-learn
    python3 testdata/generate_archives.py

Every compressed stream is written by the format's reference implementation in Python (bz2,
lzma and tarfile from the standard library, zstandard over libzstd, py7zr, joblib over lz4),
not by the Rust decoders under test.
"""

import bz2
import io
import lzma
import random
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import joblib
import numpy as np
import py7zr
import py7zr.compressor
import py7zr.helpers
import zstandard
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier

OUT = Path(__file__).resolve().parent / "compressed"
STAMP = (2026, 1, 1, 0, 0, 0)
# A two-row frequency table: the same one the archive fixtures of generate.py use.
CLEAN = b"age_band,n\n18-39,120\n40-59,143\n"
# The same table with a count of 3, under the default minimum cell count of 10.
DIRTY = b"age_band,n\n18-39,120\n40-59,3\n"
# 64 MiB of zeros: past read.inspect_bytes (64 MiB) by construction is not needed, the ratio
# limit of 100 stops them first.
BOMB = bytes(64 << 20)


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=19, write_checksum=True).compress(data)


def xz(data: bytes) -> bytes:
    return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64)


def lzma_alone(data: bytes) -> bytes:
    return lzma.compress(data, format=lzma.FORMAT_ALONE)


def bz(data: bytes) -> bytes:
    return bz2.compress(data, 9)


CODECS = {"bz2": bz, "xz": xz, "lzma": lzma_alone, "zst": zst}


def tar_of(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def single_streams() -> None:
    """One clean, one dirty, one bomb and one truncated file per single-stream codec, and a
    tar of a clean and a dirty table inside each (tar.bz2, tar.xz, tar.zst)."""
    tar = tar_of([("tables/clean.csv", CLEAN), ("tables/dirty.csv", DIRTY)])
    for suffix, pack in CODECS.items():
        write(OUT / f"clean.csv.{suffix}", pack(CLEAN))
        write(OUT / f"dirty.csv.{suffix}", pack(DIRTY))
        write(OUT / f"bomb.csv.{suffix}", pack(BOMB))
        whole = pack(CLEAN * 40)
        write(OUT / f"truncated.csv.{suffix}", whole[: len(whole) // 2])
        if suffix != "lzma":
            write(OUT / f"outputs.tar.{suffix}", pack(tar))


def local_header(name: bytes, method: int, crc: int, packed: int, size: int) -> bytes:
    return struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 63, 0, method, 0, 0x5C21, crc, packed, size, len(name), 0
    ) + name


def central_header(name: bytes, method: int, crc: int, packed: int, size: int, at: int) -> bytes:
    return struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50, 63, 63, 0, method, 0, 0x5C21, crc, packed, size, len(name), 0, 0, 0, 0, 0, at,
    ) + name


def zip_zstd(members: list[tuple[str, bytes]]) -> bytes:
    """A ZIP with members of method 93 (Zstandard, APPNOTE 4.4.5), written field by field:
    Python's zipfile writes zstd only from 3.14."""
    body, central = b"", b""
    for name, data in members:
        raw, packed, crc = name.encode(), zst(data), zlib.crc32(data)
        central += central_header(raw, 93, crc, len(packed), len(data), len(body))
        body += local_header(raw, 93, crc, len(packed), len(data)) + packed
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(body), 0
    )
    return body + central + end


def zip_methods() -> None:
    """ZIP members stored with bzip2, LZMA and zstd, a clean and a dirty table in each."""
    for method, label in [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "lzma")]:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", method) as archive:
            for name, data in [("clean.csv", CLEAN), ("dirty.csv", DIRTY)]:
                info = zipfile.ZipInfo(name, STAMP)
                info.compress_type = method
                archive.writestr(info, data)
        write(OUT / f"members-{label}.zip", out.getvalue())
    write(OUT / "members-zstd.zip", zip_zstd([("clean.csv", CLEAN), ("dirty.csv", DIRTY)]))
    write(OUT / "bomb-zstd.zip", zip_zstd([("zeros.csv", BOMB)]))


# py7zr stamps members with the time of writing and draws AES initialisation vectors at
# random; both are pinned so that regenerated archives are byte-identical.
py7zr.helpers.ArchiveTimestamp.from_now = classmethod(lambda cls: cls(134118720000000000))
py7zr.compressor.get_random_bytes = lambda n: bytes(range(n))


def seven_zip(path: Path, members: list[tuple[str, bytes]], **options) -> None:
    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w", **options) as archive:
        for name, data in members:
            # _writestr skips py7zr's refusal of `..` names, which slip.7z needs.
            archive._writestr(data, name)
    write(path, out.getvalue())


def seven_zips() -> None:
    """7z archives: solid LZMA2 with a clean and a dirty table, bzip2 coder, a bomb, AES on the
    content only and on the header too, a `../` member path, and a truncated one."""
    tables = [("tables/clean.csv", CLEAN), ("tables/dirty.csv", DIRTY)]
    seven_zip(OUT / "tables.7z", tables)
    seven_zip(OUT / "tables-bzip2.7z", tables, filters=[{"id": py7zr.FILTER_BZIP2}])
    seven_zip(OUT / "bomb.7z", [("zeros.csv", BOMB), ("after.csv", CLEAN)])
    seven_zip(OUT / "encrypted.7z", tables, password="secret", header_encryption=False)
    seven_zip(OUT / "encrypted-header.7z", tables, password="secret", header_encryption=True)
    seven_zip(OUT / "slip.7z", [("../outside.csv", CLEAN), ("ok.csv", CLEAN)])
    whole = (OUT / "tables.7z").read_bytes()
    write(OUT / "truncated.7z", whole[: len(whole) - 40])


def models() -> None:
    """The random forest and KNN of generate_models.py, dumped with joblib's lz4, xz, bz2 and
    lzma compressors: the forest must come out as its zlib twin does (M006 only), the KNN as
    storing its training rows (M003)."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(30, 4)).round(3)
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    safe = RandomForestClassifier(
        n_estimators=3, max_depth=3, min_samples_leaf=5, bootstrap=True, random_state=0
    ).fit(x, y)
    knn = KNeighborsClassifier(n_neighbors=3).fit(x, y)
    for codec in ["lz4", "xz", "bz2", "lzma"]:
        joblib.dump(safe, OUT / "models" / f"forest_safe_{codec}.joblib", compress=(codec, 3))
    joblib.dump(knn, OUT / "models" / "knn_lz4.joblib", compress=("lz4", 3))


def bench() -> None:
    """For benches/archives.rs: 400 tables of 40 rows (about 1 KiB each, counts drawn from
    random.Random(3)) as a tar.zst and as a solid 7z."""
    rng = random.Random(3)
    tables = []
    for index in range(400):
        rows = "".join(f"{band},{rng.randint(10, 999)}\n" for band in range(40))
        tables.append((f"tables/t{index:03}.csv", ("band,n\n" + rows).encode()))
    write(OUT.parent / "bench-archives" / "many.tar.zst", zst(tar_of(tables)))
    seven_zip(OUT.parent / "bench-archives" / "many.7z", tables)


if __name__ == "__main__":
    bench()
    single_streams()
    zip_methods()
    seven_zips()
    (OUT / "models").mkdir(parents=True, exist_ok=True)
    models()
