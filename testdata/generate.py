#!/usr/bin/env python3
"""Writes the committed fixtures under testdata/. Deterministic: run it again and git shows
no change. Needs Python 3.11 with Pillow (pip install pillow).

    python3 testdata/generate.py
"""

import gzip
import io
import random
import struct
import zlib
import tarfile
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE / "requests" / "example"
ARCHIVES = HERE / "archives"
ADVERSARIAL = HERE / "adversarial"
# Fixed timestamps so that regenerated archives are byte-identical.
STAMP = (2026, 1, 1, 0, 0, 0)


def write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def example_request() -> None:
    """A small request like a researcher's: two tables, a plot, code, a log, and a
    random-looking cache file that should never have been included."""
    write(
        EXAMPLE / "tables" / "age_by_sex.csv",
        "age_band,Female,Male,Total\n"
        "18-39,112,97,209\n"
        "40-59,143,131,274\n"
        "60-79,88,3,91\n"
        "80+,21,14,35\n"
        "Total,364,245,609\n",
    )
    write(
        EXAMPLE / "tables" / "regression.csv",
        "term,estimate,se,ci_lower,ci_upper,p_value\n"
        "(Intercept),2.314,0.412,1.506,3.122,<0.001\n"
        "age_per_10y,0.187,0.051,0.087,0.287,<0.001\n"
        "female,-0.093,0.118,-0.324,0.138,0.431\n",
    )
    write(
        EXAMPLE / "code" / "analysis.py",
        '"""Fit the incidence model and export aggregate tables."""\n'
        "import pandas as pd\n\n"
        "cohort = pd.read_parquet('/data/cohort.parquet')\n"
        "table = pd.crosstab(cohort.age_band, cohort.sex, margins=True, margins_name='Total')\n"
        "table.to_csv('outputs/tables/age_by_sex.csv')\n",
    )
    write(
        EXAMPLE / "logs" / "run.log",
        "2026-11-30 10:02:11 INFO loaded cohort: 609 patients\n"
        "2026-11-30 10:02:12 INFO wrote outputs/tables/age_by_sex.csv\n"
        "2026-11-30 10:02:14 INFO wrote outputs/figures/incidence.png\n",
    )
    incidence_plot(EXAMPLE / "figures" / "incidence.png")
    rng = random.Random(42)
    write(EXAMPLE / "extra" / "cache.dat", bytes(rng.getrandbits(8) for _ in range(6144)))


def incidence_plot(path: Path) -> None:
    """A line plot with axes, as matplotlib would draw it: flat background, few colours."""
    image = Image.new("RGB", (320, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(40, 170), (300, 170)], fill="black", width=1)
    draw.line([(40, 20), (40, 170)], fill="black", width=1)
    points = [(40 + i * 26, 160 - int(12 * i ** 0.9)) for i in range(11)]
    draw.line(points, fill=(31, 119, 180), width=2)
    for x in range(40, 301, 52):
        draw.line([(x, 170), (x, 174)], fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=False)


def zip_bytes(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, STAMP), data, compress_type=method)
    return buffer.getvalue()


def archives() -> None:
    """One archive per archive rule, each a few KiB."""
    rng = random.Random(7)
    table = b"age_band,n\n18-39,120\n40-59,143\n"
    inner = zip_bytes([("deep/table.csv", table)])
    write(
        ARCHIVES / "nested.zip",
        zip_bytes([("tables/t1.csv", table), ("inner.zip", inner),
                   ("cache.bin", bytes(rng.getrandbits(8) for _ in range(4096)))]),
    )
    write(ARCHIVES / "slip.zip", zip_bytes([("../../outside.csv", table), ("ok.csv", table)]))
    # 8 MiB of zeros deflate to about 8 KiB: a ratio near 1000, over the limit of 100.
    write(ARCHIVES / "bomb.zip", zip_bytes([("zeros.csv", bytes(8 << 20))]))
    # Python cannot encrypt a ZIP; setting general-purpose bit 0 in the local and central
    # headers is what ZipCrypto writers do, and what readers test.
    plain = bytearray(zip_bytes([("secret.csv", table)], zipfile.ZIP_STORED))
    plain[6] |= 1
    central = plain.find(b"PK\x01\x02")
    plain[central + 8] |= 1
    write(ARCHIVES / "encrypted.zip", bytes(plain))
    whole = zip_bytes([("t1.csv", table)])
    write(ARCHIVES / "truncated.zip", whole[: len(whole) - 25])
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.GNU_FORMAT) as archive:
        info = tarfile.TarInfo("results/t1.csv")
        info.size, info.mtime = len(table), 0
        archive.addfile(info, io.BytesIO(table))
        link = tarfile.TarInfo("results/passwd")
        link.type, link.linkname, link.mtime = tarfile.SYMTYPE, "/etc/passwd", 0
        archive.addfile(link)
    write(ARCHIVES / "results.tar", tar.getvalue())
    # A RAR 5 signature, then bytes: identified, never opened (no pure-Rust RAR decoder).
    write(ARCHIVES / "outputs.rar", b"Rar!\x1a\x07\x01\x00" + bytes(rng.getrandbits(8) for _ in range(200)))


def adversarial() -> None:
    """Inputs built to break a checker: truncated files of each kind, polyglots, bombs, deep
    nesting. Every one must get a non-pass verdict with a clear finding, and none may crash or
    hang the check."""
    rng = random.Random(11)
    png = io.BytesIO()
    Image.new("RGB", (64, 48), (250, 250, 250)).save(png, "PNG")
    png = png.getvalue()
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(jpeg, "JPEG", quality=90)
    jpeg = jpeg.getvalue()
    table = b"age_band,n\n18-39,120\n40-59,143\n"

    write(ADVERSARIAL / "truncated.png", png[: len(png) // 2])
    write(ADVERSARIAL / "truncated.jpg", jpeg[: len(jpeg) // 2])
    write(ADVERSARIAL / "truncated.gz", gzip_bytes(table * 50)[:40])
    write(ADVERSARIAL / "truncated.pkl", b"\x80\x04\x95\x40\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins")
    write(ADVERSARIAL / "header-only.parquet", b"PAR1" + bytes(rng.getrandbits(8) for _ in range(60)))
    write(ADVERSARIAL / "bad-elf.csv", b"\x7fELF\x02\x01\x01" + bytes(9))
    # A PNG with a ZIP of a table appended after IEND: opens as a picture and as an archive.
    write(ADVERSARIAL / "polyglot.png", png + zip_bytes([("records.csv", table)]))
    # 64 MiB of zeros in 64 KiB of gzip: stops at the ratio, never inflated whole.
    write(ADVERSARIAL / "bomb.csv.gz", gzip_bytes(bytes(64 << 20)))
    # A PNG whose header claims 100,000 x 100,000 pixels.
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    bomb_png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
    bomb_png += struct.pack(">I", zlib.crc32(chunk)) + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    write(ADVERSARIAL / "dimensions-bomb.png", bomb_png)
    nested = table
    name = "t.csv"
    for level in range(6):
        nested = zip_bytes([(name, nested)])
        name = f"level{level}.zip"
    write(ADVERSARIAL / "nested-6.zip", nested)
    write(ADVERSARIAL / "random.csv", bytes(rng.getrandbits(8) for _ in range(3000)))


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


if __name__ == "__main__":
    example_request()
    archives()
    adversarial()
