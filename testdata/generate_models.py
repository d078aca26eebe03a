#!/usr/bin/env python3
"""Writes the model and microdata fixtures under testdata/models/. Each is tiny (a kNN on 30
rows, forests of three shallow trees). The malicious pickle is written opcode by opcode and is
never loaded. Needs Python 3.11 with scikit-learn, numpy, joblib, pandas and pyreadstat:

    pip install scikit-learn numpy joblib pandas pyreadstat
    python3 testdata/generate_models.py

Everything is deterministic except the SPSS and SAS files, whose writer stamps the time, and
the pickled data frames, whose memo layout can differ between runs.
"""

import datetime
import io
import json
import pickle
import sqlite3
import struct
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pyreadstat
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

OUT = Path(__file__).resolve().parent / "models"
STAMP = datetime.datetime(2026, 1, 1)


def training(rows: int = 30, features: int = 4):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(rows, features)).round(3)
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    return x, y


def cohort(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, rows),
            "sex": rng.integers(0, 2, rows),
            "bmi": rng.normal(27, 4, rows).round(1),
        }
    )


def models() -> None:
    x, y = training()
    joblib.dump(KNeighborsClassifier(n_neighbors=3).fit(x, y), OUT / "knn.joblib")
    with open(OUT / "svc.pkl", "wb") as f:
        pickle.dump(SVC().fit(x, y), f, protocol=5)
    leaf1 = RandomForestClassifier(n_estimators=3, max_depth=3, min_samples_leaf=1, random_state=0)
    joblib.dump(leaf1.fit(x, y), OUT / "forest_leaf1.joblib")
    safe = RandomForestClassifier(
        n_estimators=3, max_depth=3, min_samples_leaf=5, bootstrap=True, random_state=0
    )
    joblib.dump(safe.fit(x, y), OUT / "forest_safe_zlib.joblib", compress=3)
    joblib.dump(safe, OUT / "forest_safe_gzip.joblib", compress=("gzip", 3))
    no_bootstrap = RandomForestClassifier(
        n_estimators=3, max_depth=3, min_samples_leaf=5, bootstrap=False, random_state=0
    )
    with open(OUT / "forest_no_bootstrap.pkl", "wb") as f:
        pickle.dump(no_bootstrap.fit(x, y), f, protocol=4)
    with open(OUT / "logistic.pkl", "wb") as f:
        pickle.dump(LogisticRegression().fit(x, y), f, protocol=2)


def pickles() -> None:
    # posix.system("id"): written opcode by opcode, never loaded.
    (OUT / "os_system.pkl").write_bytes(b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00id\x85R.")
    frame = cohort(150)
    (OUT / "cohort_frame.pkl").write_bytes(pickle.dumps(frame, protocol=5))
    (OUT / "summary_frame.pkl").write_bytes(pickle.dumps(cohort(8).describe(), protocol=4))
    whole = pickle.dumps({"auc": 0.81, "n": 30}, protocol=4)
    (OUT / "truncated.pkl").write_bytes(whole[:-6])
    (OUT / "trailing.pkl").write_bytes(whole + b"hidden: 1,2,3,4,5,6,7,8")


def weights() -> None:
    tensors = {"dense.weight": (4, 3), "dense.bias": (3,)}
    header, offset = {}, 0
    for name, shape in tensors.items():
        size = int(np.prod(shape)) * 4
        span = [offset, offset + size]
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": span}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    data = struct.pack("<Q", len(text)) + text + bytes(offset)
    (OUT / "weights.safetensors").write_bytes(data)

    keras_config = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "layers": [
                {"module": "keras.layers", "class_name": "Dense", "config": {"units": 3}},
                {"module": "keras.layers", "class_name": "Lambda",
                 "config": {"function": {"class_name": "__lambda__", "config": {"code": "4wEA"}}}},
            ]
        },
    }
    keras_zip(OUT / "lambda.keras", keras_config)
    keras_config["config"]["layers"].pop()
    keras_zip(OUT / "dense.keras", keras_config)

    gguf = b"GGUF" + struct.pack("<IQQ", 3, 1, 1)
    gguf += gguf_string("general.name") + struct.pack("<I", 8) + gguf_string("tiny")
    gguf += gguf_string("w") + struct.pack("<I", 2) + struct.pack("<QQ", 4, 8)
    gguf += struct.pack("<IQ", 0, 0) + bytes(128)
    (OUT / "tiny.gguf").write_bytes(gguf)

    initializer = pb(1, varint(4)) + pb(1, varint(3)) + pb_bytes(8, b"W")
    node = pb_bytes(4, b"MatMul") + pb_bytes(7, b"")
    graph = pb_bytes(1, node) + pb_bytes(5, initializer) + pb_bytes(2, b"g")
    model = pb(1, varint(8)) + pb_bytes(2, b"gen") + pb_bytes(7, graph)
    (OUT / "matmul.onnx").write_bytes(model)
    custom = pb_bytes(4, b"Leak") + pb_bytes(7, b"org.example.custom")
    graph = pb_bytes(1, custom) + pb_bytes(5, initializer)
    custom_model = pb(1, varint(8)) + pb_bytes(2, b"gen") + pb_bytes(7, graph)
    (OUT / "custom_op.onnx").write_bytes(custom_model)
    torch_checkpoint()


def torch_checkpoint() -> None:
    """A PyTorch ZIP checkpoint of one 4 x 3 tensor, its data.pkl written opcode by opcode (as
    torch.save writes it) so that torch is not needed."""
    def text(value: str) -> bytes:
        return b"X" + struct.pack("<I", len(value)) + value.encode()

    pickle_bytes = (
        b"\x80\x02ccollections\nOrderedDict\n)R(" + text("dense.weight")
        + b"ctorch._utils\n_rebuild_tensor_v2\n("
        + b"(" + text("storage") + b"ctorch\nFloatStorage\n" + text("0") + text("cpu")
        + b"K\x0ctQ"
        + b"K\x00K\x04K\x03\x86K\x03K\x01\x86\x89ccollections\nOrderedDict\n)RtRu."
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in [
            ("archive/data.pkl", pickle_bytes),
            ("archive/data/0", bytes(48)),
            ("archive/version", b"3\n"),
        ]:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    (OUT / "linear.pt").write_bytes(buffer.getvalue())


def keras_zip(path: Path, config: dict) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [
            ("metadata.json", b'{"keras_version": "3.0.0"}'),
            ("config.json", json.dumps(config).encode()),
            ("model.weights.h5", b"\x89HDF\r\n\x1a\n" + bytes(56)),
        ]:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)
    path.write_bytes(buffer.getvalue())


def gguf_string(text: str) -> bytes:
    return struct.pack("<Q", len(text)) + text.encode()


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def pb(field: int, encoded_varint: bytes) -> bytes:
    return varint(field << 3) + encoded_varint


def pb_bytes(field: int, data: bytes) -> bytes:
    return varint(field << 3 | 2) + varint(len(data)) + data


def microdata() -> None:
    people = cohort(150)
    people.to_stata(OUT / "cohort.dta", write_index=False, time_stamp=STAMP, version=118)
    cohort(5).to_stata(OUT / "five_rows.dta", write_index=False, time_stamp=STAMP, version=118)
    pyreadstat.write_sav(people, str(OUT / "cohort.sav"))
    pyreadstat.write_xport(people, str(OUT / "cohort.xpt"))
    np.save(OUT / "cohort.npy", people.to_numpy(dtype="f8"))
    np.save(OUT / "means.npy", people.mean().to_numpy().reshape(1, 3))
    np.save(OUT / "labels.npy", np.array(["a", None, 3], dtype=object), allow_pickle=True)
    buffer = io.BytesIO()
    np.savez(buffer, X_train=people.to_numpy(dtype="f8")[:120], y=np.zeros(2))
    (OUT / "split.npz").write_bytes(buffer.getvalue())
    db = OUT / "cohort.sqlite"
    db.unlink(missing_ok=True)
    with sqlite3.connect(db) as connection:
        people.to_sql("people", connection, index=False)
    connection.close()


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    models()
    pickles()
    weights()
    microdata()
