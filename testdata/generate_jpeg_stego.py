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


ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34,
          27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44,
          51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63]


def planes_of(jpeg):
    return [jpeg.Y] + ([jpeg.Cb, jpeg.Cr] if jpeg.has_chrominance else [])


def sampling(jpeg):
    """Per component (h, v), from libjpeg's sampling factors."""
    return [(int(f[1]), int(f[0])) for f in jpeg.samp_factor[: len(planes_of(jpeg))]]


def scan_positions(jpeg):
    """(component, block row, block column) in the order a baseline interleaved scan codes
    the blocks (image sizes here are whole MCUs, so there is no padding)."""
    planes = planes_of(jpeg)
    factors = sampling(jpeg) if len(planes) > 1 else [(1, 1)]
    h0, v0 = factors[0]
    mcu_rows = planes[0].shape[0] // v0
    mcu_columns = planes[0].shape[1] // h0
    for mcu_row in range(mcu_rows):
        for mcu_column in range(mcu_columns):
            for index, (h, v) in enumerate(factors):
                for y in range(v):
                    for x in range(h):
                        yield index, mcu_row * v + y, mcu_column * h + x


def jsteg_embed(cover, path, rate, seed):
    """JSteg-like: LSB replacement of AC coefficients not in {0, 1}, in scan order, zigzag
    order within each block, until rate x usable coefficients carry a random bit."""
    jpeg = jpeglib.read_dct(cover)
    planes = planes_of(jpeg)
    positions = [(c, r, col, ZIGZAG[k]) for c, r, col in scan_positions(jpeg)
                 for k in range(1, 64)]
    usable = [p for p in positions
              if planes[p[0]][p[1], p[2]].reshape(64)[p[3]] not in (0, 1)]
    bits = np.random.default_rng(seed).integers(0, 2, size=int(rate * len(usable)))
    for (c, r, col, natural), bit in zip(usable, bits):
        block = planes[c][r, col].reshape(64)
        block[natural] = (int(block[natural]) & ~1) | int(bit)
        planes[c][r, col] = block.reshape(8, 8)
    jpeg.write_dct(path)
    return len(bits)


def f5_embed(cover, path, rate, seed):
    """F5-like without matrix encoding: visit the non-zero AC coefficients of every component
    in a seeded random order; where |c| mod 2 differs from the message bit, decrement |c|;
    a coefficient shrunk to 0 carries nothing and the bit goes to the next one. Returns the
    bits embedded and the true beta (changes / non-zero AC coefficients of the cover)."""
    jpeg = jpeglib.read_dct(cover)
    planes = planes_of(jpeg)
    flat = [p.reshape(-1, 64) for p in planes]
    positions = [(c, b, k) for c, f in enumerate(flat) for b in range(f.shape[0])
                 for k in range(1, 64) if f[b, k] != 0]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(positions))
    message = rng.integers(0, 2, size=int(rate * len(positions)))
    changes, sent = 0, 0
    for i in order:
        if sent == len(message):
            break
        c, b, k = positions[i]
        value = int(flat[c][b, k])
        if abs(value) % 2 == message[sent]:
            sent += 1
            continue
        value -= 1 if value > 0 else -1
        flat[c][b, k] = value
        changes += 1
        if value != 0:
            sent += 1
    for c, plane in enumerate(planes):
        plane[...] = flat[c].reshape(plane.shape)
    jpeg.write_dct(path)
    return sent, changes / len(positions)


def chi_square_share(values, threshold=0.5, steps=50, minimum=1024):
    """Reference for the Rust chi-square attack: probability of embedding on growing
    prefixes, pairs (2i, 2i+1) with expected count over 4, scipy's chi-square. The share is
    the longest prefix with p >= threshold, provided the first prefix tested has it too."""
    from scipy.stats import chi2
    values = np.asarray(values, dtype=np.int64)
    if len(values) < minimum:
        return None
    share, first, p_whole = 0.0, True, 0.0
    for step in range(1, steps + 1):
        end = len(values) * step // steps
        if end < minimum:
            continue
        prefix = values[:end]
        low = prefix - np.mod(prefix, 2)
        pairs, counts = np.unique(low, return_counts=True)
        statistic, categories = 0.0, 0
        for even_value, total in zip(pairs, counts):
            even = int((prefix == even_value).sum())
            expected = total / 2
            if expected > 4:
                statistic += (even - expected) ** 2 / expected
                categories += 1
        p = float(chi2.sf(statistic, categories - 1)) if categories >= 2 else 0.0
        if first and p < threshold:
            break
        first = False
        if p >= threshold:
            share = step / steps
        p_whole = p
    return {"usable": len(values), "share": share, "p_whole": p_whole}


def usable_values(jpeg, index):
    planes = planes_of(jpeg)
    values = []
    for c, r, col in scan_positions(jpeg):
        if c != index:
            continue
        block = planes[c][r, col].reshape(64)
        values.extend(int(block[n]) for n in ZIGZAG[1:] if block[n] not in (0, 1))
    return values


def f5_beta(jpeg):
    """Reference for the Rust F5 estimate: decompress the luminance with an orthonormal
    IDCT, round and clamp, crop 4 rows and columns, DCT again, quantise with the same table,
    blur with the paper's 3x3 kernel, and solve the least-squares beta for modes (0,1), (1,0), (1,1)."""
    from scipy.fft import dctn, idctn
    from scipy.ndimage import convolve
    y = jpeg.Y.astype(np.float64)
    table = jpeg.qt[jpeg.quant_tbl_no[0]].astype(np.float64)
    rows, columns = y.shape[:2]
    spatial = idctn(y * table, axes=(2, 3), norm="ortho") + 128
    spatial = np.clip(np.round(spatial), 0, 255)
    image = spatial.transpose(0, 2, 1, 3).reshape(rows * 8, columns * 8)
    # The paper's low-pass filter against blocking artefacts, edges replicated.
    e = 0.05
    kernel = np.array([[0, e, 0], [e, 1 - 4 * e, e], [0, e, 0]])
    cropped = convolve(image[4:, 4:], kernel, mode="nearest")
    high, wide = cropped.shape[0] // 8, cropped.shape[1] // 8
    blocks = cropped[: high * 8, : wide * 8].reshape(high, 8, wide, 8).transpose(0, 2, 1, 3)
    calibrated = np.round(dctn(blocks - 128, axes=(2, 3), norm="ortho") / table)
    betas = []
    for u, v in [(0, 1), (1, 0), (1, 1)]:
        h = [float((np.abs(y[:, :, u, v]) == d).sum()) for d in range(3)]
        c = [float((np.abs(calibrated[:, :, u, v]) == d).sum()) * rows * columns / (high * wide)
             for d in range(3)]
        denominator = c[1] ** 2 + (c[2] - c[1]) ** 2
        betas.append((c[1] * (h[0] - c[0]) + (h[1] - c[1]) * (c[2] - c[1])) / denominator)
    return {"beta": float(np.mean(betas)), "per_mode": [float(b) for b in betas]}


def plot_image(kind):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(figsize=(6.4, 4.8), dpi=60)
    x = np.linspace(0, 10, 200)
    if kind == "lines":
        axes.plot(x, np.sin(x), label="sin")
        axes.plot(x, np.cos(x) * 0.5, label="cos")
        axes.legend()
    else:
        axes.bar(["a", "b", "c", "d", "e"], [3, 7, 2, 5, 4], color="tab:green")
    axes.set_title(f"Figure ({kind})")
    figure.canvas.draw()
    rgba = np.asarray(figure.canvas.buffer_rgba())
    plt.close(figure)
    return Image.fromarray(rgba[:, :, :3].copy())


def stego_fixtures():
    """Clean photos and plots, and JSteg-like and F5-like embeddings at several rates."""
    os.makedirs(STEGO, exist_ok=True)
    astronaut = Image.fromarray(data.astronaut()).resize((320, 320), Image.LANCZOS)
    coffee = Image.fromarray(data.coffee()).crop((100, 40, 452, 360))
    cat = Image.fromarray(data.chelsea()).crop((10, 10, 426, 282)).convert("L")
    covers = {
        "clean_astronaut.jpg": (astronaut, {"quality": 85, "subsampling": 2}),
        "clean_coffee.jpg": (coffee, {"quality": 80, "subsampling": 2}),
        "clean_cat_grey.jpg": (cat, {"quality": 90}),
        "clean_cat_progressive.jpg": (cat, {"quality": 75, "progressive": True}),
        "clean_plot_lines.jpg": (plot_image("lines"), {"quality": 90, "subsampling": 2}),
        "clean_plot_bars.jpg": (plot_image("bars"), {"quality": 75, "subsampling": 2}),
    }
    truth = {}
    for name, (image, options) in covers.items():
        save(image, os.path.join(STEGO, name), **options)
        truth[name] = {"embedding": "none"}
    for rate, seed in [(0.05, 1), (0.5, 2), (1.0, 3)]:
        name = f"jsteg_{int(rate * 100)}.jpg"
        bits = jsteg_embed(os.path.join(STEGO, "clean_coffee.jpg"),
                           os.path.join(STEGO, name), rate, seed)
        truth[name] = {"embedding": "jsteg", "rate": rate, "bits": bits}
    for rate, seed in [(0.2, 4), (0.5, 5), (1.0, 6)]:
        name = f"f5_{int(rate * 100)}.jpg"
        bits, beta = f5_embed(os.path.join(STEGO, "clean_coffee.jpg"),
                              os.path.join(STEGO, name), rate, seed)
        truth[name] = {"embedding": "f5", "rate": rate, "bits": bits, "beta": beta}
    reference = {}
    for name in sorted(truth):
        jpeg = jpeglib.read_dct(os.path.join(STEGO, name))
        components = len(planes_of(jpeg))
        reference[name] = {
            "truth": truth[name],
            "jsteg": [chi_square_share(usable_values(jpeg, c)) for c in range(components)],
            "f5": f5_beta(jpeg),
        }
    with open(os.path.join(STEGO, "reference.json"), "w") as out:
        json.dump(reference, out, indent=1, sort_keys=True)


if __name__ == "__main__":
    decoder_fixtures()
    stego_fixtures()
