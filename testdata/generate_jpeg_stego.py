"""JPEG fixtures for the DCT-coefficient reader and the DCT-domain steganalysis.

python3 testdata/generate_jpeg_stego.py   (pip install pillow jpeglib scikit-image matplotlib)

Covers come from scikit-image's bundled photos (chelsea and coffee: CC0; astronaut: NASA,
public domain) and from matplotlib figures. Pillow (libjpeg-turbo) encodes them; jpeglib
(libjpeg) reads the quantised coefficients back, which gives the expectations the Rust
reader is compared with (testdata/jpeg/dct/expected.json), and writes the coefficients the
embedding simulators change. Everything is seeded, so the output is deterministic for given
library versions.
"""

import io
import json
import os

import jpeglib
import numpy as np
from PIL import Image
from skimage import data

HERE = os.path.dirname(os.path.abspath(__file__))
DCT = os.path.join(HERE, "jpeg", "dct")
STEGO = os.path.join(HERE, "jpeg", "stego")


def save(image, path, **options):
    image.save(path, "JPEG", **options)


def digest(path):
    """Per component: block grid, sum of |coef|, histogram over [-8, 8], a few coefficients
    (natural order within the block) and the quantisation table (natural order)."""
    jpeg = jpeglib.read_dct(path)
    planes = [jpeg.Y] + ([jpeg.Cb, jpeg.Cr] if jpeg.has_chrominance else [])
    components = []
    for index, plane in enumerate(planes):
        rows, columns = plane.shape[:2]
        flat = plane.reshape(rows, columns, 64).astype(np.int64)
        picks = []
        for row, column, natural in [(0, 0, 0), (0, 0, 1), (0, 0, 8), (rows // 2, columns // 2, 0),
                                     (rows // 2, columns // 2, 9), (rows - 1, columns - 1, 0),
                                     (rows - 1, columns - 1, 63), (rows // 3, 1, 2)]:
            picks.append([row, column, natural, int(flat[row, column, natural])])
        table = jpeg.qt[jpeg.quant_tbl_no[index]].reshape(64)
        components.append({
            "blocks": [int(rows), int(columns)],
            "abs_sum": int(np.abs(flat).sum()),
            "histogram": [int((flat == v).sum()) for v in range(-8, 9)],
            "coefficients": picks,
            "quantisation": [int(q) for q in table],
        })
    return {"components": components}


def decoder_fixtures():
    """Baseline 4:2:0, 4:4:4, 4:2:2 with restarts, greyscale, progressive (libjpeg's default
    script: spectral selection and successive approximation), progressive with restarts."""
    os.makedirs(DCT, exist_ok=True)
    # Odd sizes, so the last MCU row and column are padded.
    coffee = Image.fromarray(data.coffee()).crop((101, 53, 304, 210))
    cat = Image.fromarray(data.chelsea()).crop((40, 30, 219, 171))
    cases = {
        "baseline_420.jpg": (coffee, {"quality": 85, "subsampling": 2}),
        "baseline_444.jpg": (coffee, {"quality": 92, "subsampling": 0}),
        "restart_422.jpg": (cat, {"quality": 80, "subsampling": 1, "restart_marker_blocks": 5}),
        "grey.jpg": (cat.convert("L"), {"quality": 75}),
        "progressive_420.jpg": (coffee, {"quality": 85, "subsampling": 2, "progressive": True}),
        "progressive_grey_restart.jpg": (
            cat.convert("L"),
            {"quality": 70, "progressive": True, "restart_marker_rows": 2},
        ),
        "progressive_444_restart.jpg": (
            cat,
            {"quality": 90, "subsampling": 0, "progressive": True, "restart_marker_blocks": 7},
        ),
    }
    expected = {}
    for name, (image, options) in cases.items():
        path = os.path.join(DCT, name)
        save(image, path, **options)
        expected[name] = digest(path)
    with open(os.path.join(DCT, "expected.json"), "w") as out:
        json.dump(expected, out, indent=1, sort_keys=True)


if __name__ == "__main__":
    decoder_fixtures()
