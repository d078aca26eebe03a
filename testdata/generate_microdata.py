#!/usr/bin/env python3
"""Writes the microdata fixtures under testdata/microdata/ and their expected shapes, taken
from the writing library (not from egress-check), to testdata/microdata/expected.json.
Needs Python 3.11 with numpy, pandas, pyarrow, pyreadr, rdata and pyreadstat:

    pip install numpy pandas pyarrow pyreadr rdata pyreadstat h5py
    apt-get install readstat    # the sas part: ReadStat's command-line tool
    python3 testdata/generate_microdata.py [PART ...]

PART is one or more of sqlite, arrow, r, por, sas, hdf5 (all when none is given); a partial run keeps
the other parts' entries in expected.json.

Each format gets a person-level file (the 150-row cohort), an aggregate-shaped one (a few
rows of means) and a corrupt one. Everything is deterministic.
"""

import json
import sqlite3
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyreadr
import pyreadstat
import rdata

OUT = Path(__file__).resolve().parent / "microdata"
EXPECTED: dict = {}


def cohort(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, rows).astype("int32"),
            "sex": rng.choice(["F", "M"], rows),
            "bmi": rng.normal(27, 4, rows).round(1),
        }
    )


def means() -> pd.DataFrame:
    return pd.DataFrame({"band": ["18-39", "40-64", "65+"], "n": [52, 61, 37],
                         "mean_bmi": [26.1, 27.4, 27.9]})


def expect(name: str, tables: dict) -> None:
    """tables: member name (or "") -> (rows, columns, names)."""
    EXPECTED[name] = {k: {"rows": r, "columns": c, "names": n} for k, (r, c, n) in tables.items()}


def corrupt(source: Path, target: str, at: int, length: int) -> None:
    """A copy of `source` with `length` bytes from `at` overwritten by 0xA5."""
    data = bytearray(source.read_bytes())
    data[at:at + length] = b"\xa5" * length
    (OUT / target).write_bytes(bytes(data))


def sqlite_files() -> None:
    path = OUT / "cohort.sqlite"
    path.unlink(missing_ok=True)
    big = cohort(5000)
    with sqlite3.connect(path) as db:
        # Small pages make a three-level b-tree; a long comment makes the schema overflow.
        db.execute("PRAGMA page_size = 512")
        note = "-- " + "x" * 900 + "\n"
        db.execute(f'CREATE TABLE people ({note}"age" INTEGER, [sex] TEXT, bmi REAL, '
                   "PRIMARY KEY (age, sex, bmi)) WITHOUT ROWID")
        db.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, person INTEGER, "
                   "visit_date TEXT)")
        db.executemany("INSERT OR IGNORE INTO people VALUES (?, ?, ?)",
                       big.itertuples(index=False))
        db.executemany("INSERT INTO visits (person, visit_date) VALUES (?, ?)",
                       [(i % 97, f"2024-01-{i % 28 + 1:02d}") for i in range(3000)])
        db.execute("CREATE INDEX visits_by_person ON visits (person)")
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("people", "visits")}
    db.close()
    expect("cohort.sqlite", {"people": (counts["people"], 3, ["age", "sex", "bmi"]),
                             "visits": (counts["visits"], 3, ["id", "person", "visit_date"])})
    path = OUT / "means.sqlite"
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        means().to_sql("means", db, index=False)
    db.close()
    expect("means.sqlite", {"means": (3, 3, ["band", "n", "mean_bmi"])})
    # Page 2 (the first table's root) made an interior page whose right child is itself.
    data = bytearray((OUT / "means.sqlite").read_bytes())
    size = struct.unpack(">H", data[16:18])[0]
    data[size] = 0x05
    data[size + 3:size + 5] = b"\x00\x00"
    data[size + 8:size + 12] = struct.pack(">I", 2)
    (OUT / "cyclic.sqlite").write_bytes(bytes(data))


def arrow_files() -> None:
    people = pa.Table.from_pandas(cohort(150), preserve_index=False)
    feather.write_feather(people, OUT / "cohort_v2.feather", version=2, chunksize=64)
    feather.write_feather(pa.Table.from_pandas(means(), preserve_index=False),
                          OUT / "means_v2.feather", version=2)
    feather.write_feather(cohort(150), OUT / "cohort_v1.feather", version=1)
    with ipc.new_stream(OUT / "cohort.arrows", people.schema) as writer:
        for batch in people.to_batches(max_chunksize=50):
            writer.write_batch(batch)
    names = ["age", "sex", "bmi"]
    for name in ("cohort_v2.feather", "cohort_v1.feather", "cohort.arrows"):
        expect(name, {"": (people.num_rows, people.num_columns, names)})
    expect("means_v2.feather", {"": (3, 3, ["band", "n", "mean_bmi"])})
    # The footer's length word says more bytes than the file holds.
    data = bytearray((OUT / "means_v2.feather").read_bytes())
    data[-10:-6] = struct.pack("<I", 0x7FFFFFF0)
    (OUT / "bad_footer.arrow").write_bytes(bytes(data))


def xdr_int(*values: int) -> bytes:
    return b"".join(struct.pack(">i", v) for v in values)


class RWriter:
    """R's XDR serialisation (version 3), written by hand the way R's serialize.c does: the
    first use of a symbol writes it, later uses refer back to it (REFSXP)."""

    def __init__(self) -> None:
        self.out = bytearray(b"X\n" + xdr_int(3, 0x040201, 0x030500, 5) + b"UTF-8")
        self.symbols: list[str] = []

    def chars(self, text: str) -> None:
        data = text.encode()
        self.out += xdr_int(0x00040009, len(data)) + data

    def symbol(self, name: str) -> None:
        if name in self.symbols:
            self.out += xdr_int(((self.symbols.index(name) + 1) << 8) | 0xFF)
            return
        self.symbols.append(name)
        self.out += xdr_int(1)
        self.chars(name)

    def strings(self, values: list[str], attrs: bool = False) -> None:
        self.out += xdr_int(16 | (0x200 if attrs else 0), len(values))
        for value in values:
            self.chars(value)

    def attributes(self, pairs: list) -> None:
        """pairs: (name, writer) where writer() serialises the value."""
        for name, write in pairs:
            self.out += xdr_int(0x0402)
            self.symbol(name)
            write()
        self.out += xdr_int(254)

    def data_frame(self, frame: pd.DataFrame, compact: bool) -> None:
        self.out += xdr_int(19 | 0x100 | 0x200, frame.shape[1])
        for column in frame.columns:
            values = frame[column]
            if values.dtype.kind == "i" and column == "id":
                # An ALTREP compact integer sequence 1:n, as R writes `1:n`.
                self.out += xdr_int(238, 2)
                self.symbol("compact_intseq")
                self.out += xdr_int(2)
                self.symbol("base")
                self.out += xdr_int(2, 13 | 0, 1, 13, 254)
                self.out += xdr_int(14, 3) + struct.pack(">ddd", len(values), 1.0, 1.0)
                self.out += xdr_int(254)
            elif values.dtype.kind == "i":
                self.out += xdr_int(13, len(values), *[int(v) for v in values])
            elif values.dtype.kind == "f":
                self.out += xdr_int(14, len(values)) + struct.pack(f">{len(values)}d", *values)
            else:
                self.strings([str(v) for v in values])
        rows = len(frame)
        if compact:
            row_names = lambda: self.out.extend(xdr_int(13, 2, -(2**31), -rows))
        else:
            row_names = lambda: self.strings([str(i + 1) for i in range(rows)])
        self.attributes([
            ("names", lambda: self.strings(list(frame.columns))),
            ("class", lambda: self.strings(["data.frame"])),
            ("row.names", row_names),
        ])

    def named_list(self, items: dict, compact: bool) -> None:
        self.out += xdr_int(19 | 0x200, len(items))
        for frame in items.values():
            self.data_frame(frame, compact)
        self.attributes([("names", lambda: self.strings(list(items)))])


def r_files() -> None:
    people = cohort(150)
    pyreadr.write_rds(OUT / "cohort.rds", people, compress="gzip")
    pyreadr.write_rds(OUT / "means.rds", means())
    pyreadr.write_rdata(OUT / "cohort.RData", people, df_name="people")
    names = ["age", "sex", "bmi"]
    expect("cohort.rds", {"": (150, 3, names)})
    expect("means.rds", {"": (3, 3, ["band", "n", "mean_bmi"])})
    expect("cohort.RData", {"people": (150, 3, names)})
    # list(visits = <data frame of 400 rows, id = 1:400 as ALTREP>, summary = means) with
    # compact row names c(NA, -n), serialised by hand.
    visits = pd.DataFrame({"id": np.arange(1, 401, dtype="int64"),
                           "person": np.arange(400, dtype="int64") % 97,
                           "weight": np.linspace(50, 90, 400).round(1)})
    writer = RWriter()
    writer.named_list({"visits": visits, "summary": means()}, compact=True)
    (OUT / "visits_list.rds").write_bytes(bytes(writer.out))
    # The expectation comes from the independent `rdata` package reading the file back.
    parsed = rdata.conversion.convert(rdata.parser.parse_file(OUT / "visits_list.rds"))
    expect("visits_list.rds", {name: (frame.shape[0], frame.shape[1],
                                      [str(c) for c in frame.columns])
                               for name, frame in parsed.items()})
    data = (OUT / "means.rds").read_bytes()
    (OUT / "cut.rds").write_bytes(data[: len(data) * 3 // 5])


def por_files() -> None:
    """SPSS portable files written by ReadStat; the expectation is ReadStat reading them back."""
    people = cohort(150)
    people.loc[[4, 9], "bmi"] = np.nan  # system-missing values, written as `*.`
    pyreadstat.write_por(people, OUT / "cohort.por", column_labels=["Age", "Sex", "BMI"])
    pyreadstat.write_por(means(), OUT / "means.por")
    for name in ("cohort.por", "means.por"):
        _, meta = pyreadstat.read_por(OUT / name)
        expect(name, {"": (meta.number_rows, len(meta.column_names), meta.column_names)})
    # Cut in the middle of the data: the Z end marker is gone.
    data = (OUT / "cohort.por").read_bytes()
    (OUT / "cut.por").write_bytes(data[: len(data) * 2 // 3])


def sas_files() -> None:
    """SAS data sets written by ReadStat's command-line tool (Debian package `readstat`, 1.1.8
    used) from SPSS files pyreadstat writes; pyreadstat cannot write sas7bdat itself. The
    expectation is pyreadstat's reading, checked against pandas' independent reader."""
    import subprocess
    import tempfile

    import pandas

    with tempfile.TemporaryDirectory() as tmp:
        for name, frame in (("cohort", cohort(150)), ("means", means())):
            sav = Path(tmp) / f"{name}.sav"
            pyreadstat.write_sav(frame, sav)
            target = OUT / f"{name}.sas7bdat"
            target.unlink(missing_ok=True)
            subprocess.run(["readstat", str(sav), str(target)], check=True,
                           stdout=subprocess.DEVNULL)
            _, meta = pyreadstat.read_sas7bdat(target, metadataonly=True)
            assert pandas.read_sas(target, encoding="utf-8").shape == (
                meta.number_rows, len(meta.column_names))
            expect(target.name, {"": (meta.number_rows, len(meta.column_names),
                                      meta.column_names)})
    data = (OUT / "cohort.sas7bdat").read_bytes()
    (OUT / "cut.sas7bdat").write_bytes(data[: len(data) // 2])


def hdf5_files() -> None:
    """HDF5 files from h5py: the default layout (superblock 0, symbol-table groups) and the
    latest (superblock 3, link messages). Expectations from h5py walking the file back."""
    import h5py

    people = cohort(150)
    table = np.zeros(150, dtype=[("age", "<i4"), ("sex", "S1"), ("bmi", "<f8")])
    for column in ("age", "bmi"):
        table[column] = people[column]
    table["sex"] = people["sex"].str.encode("ascii")
    for name, libver in (("cohort.h5", "earliest"), ("cohort_latest.h5", "latest")):
        path = OUT / name
        path.unlink(missing_ok=True)
        with h5py.File(path, "w", libver=libver, track_order=False) as f:
            f["cohort"] = people[["age", "bmi"]].to_numpy(dtype="float64")
            f["people"] = table
            f.create_group("summary").create_dataset("means", data=np.ones((3, 2)))
            f["summary"]["n"] = np.int64(150)
        shapes = {}
        with h5py.File(path, "r") as f:
            def visit(key: str, item) -> None:
                if isinstance(item, h5py.Dataset):
                    rows = item.shape[0] if item.shape else 1
                    columns = (len(item.dtype.names) if item.dtype.names
                               else int(np.prod(item.shape[1:], dtype=np.int64)))
                    shapes["/" + key] = (rows, columns, list(item.dtype.names or []))
            f.visititems(visit)
        expect(name, shapes)
    data = (OUT / "cohort_latest.h5").read_bytes()
    (OUT / "cut.h5").write_bytes(data[:1200])


PARTS = {"sqlite": sqlite_files, "arrow": arrow_files, "r": r_files, "por": por_files,
         "sas": sas_files, "hdf5": hdf5_files}

if __name__ == "__main__":
    import sys

    OUT.mkdir(parents=True, exist_ok=True)
    chosen = sys.argv[1:] or list(PARTS)
    if sys.argv[1:]:
        EXPECTED.update(json.loads((OUT / "expected.json").read_text()))
    for part in chosen:
        PARTS[part]()
    (OUT / "expected.json").write_text(json.dumps(EXPECTED, indent=1, sort_keys=True) + "\n")
