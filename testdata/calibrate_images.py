#!/usr/bin/env python3
"""Calibrates the pixel steganalysis of egress-check on a corpus of clean and stego images.

    python3 testdata/calibrate_images.py generate          # corpus into target/image-calibration
    cargo build --release
    python3 testdata/calibrate_images.py measure           # raw scores, calibration policy
    python3 testdata/calibrate_images.py thresholds        # choose thresholds, FAR < 1%
    python3 testdata/calibrate_images.py evaluate          # default policy, held-out table
    python3 testdata/calibrate_images.py fixtures          # testdata/plots100 (committed)

Python 3.11, numpy, matplotlib, Pillow, scikit-image, stegano, stego-lsb (all from PyPI). The
corpus is not committed (about 100 MB; its size is set by CLEAN_PLOTS, STEGO_PLOTS and
STEGO_PHOTOS below, reduced from 320 / 40 / 40 so that it runs on a shared 2-core machine);
it is deterministic for a given set of library versions.

Corpus:
- clean plots drawn by matplotlib: line, scatter, bar, histogram, heatmap (imshow), box and
  filled-area plots, in many style sheets (default, classic, ggplot, seaborn-v0_8-*, bmh,
  fivethirtyeight, grayscale, dark_background, ...), at 72-300 dpi and several sizes, with
  antialiasing on, some saved with transparent=True (RGBA); most PNG, some JPEG;
- clean photos: the natural photographs that scikit-image ships in skimage.data (licences as
  its docstrings state: NASA images and several others public domain, the rest CC0 or CC-BY
  from their authors), whole and as crops and rescales; most PNG, some JPEG;
- stego copies of held-out covers: LSB replacement sequential (interleaved colour samples
  from the first pixel) and scattered (a random subset), LSB matching (+-1, clipped at 0 and
  255), alpha-only LSB replacement, each at 0.02, 0.05, 0.1, 0.2, 0.5 and 1.0 bits per colour
  sample (bpc); stegano's lsb.hide (text, sequential) and stego-lsb's steglsb (1 LSB, a random
  file, sequential) at 0.05, 0.2 and 0.5 bpc. Payload bits are random (as encrypted data).

Covers are split by a hash of their name into a calibration half and a held-out half.
`thresholds` chooses each test's threshold on the calibration half of the clean covers so
that the union of the tests flags under 1% of them; `evaluate` runs the binary with the
default policy and tabulates detection (any image rule at review or block) per method x rate
x cover kind on the held-out half, and false alarms on both halves.
"""
import hashlib
import io
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "image-calibration"
BINARY = ROOT / "target" / "release" / "egress-check"
RATES = [0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
METHODS = ["lsbr-seq", "lsbr-scattered", "lsbm", "alpha"]
# Sized for a shared 2-core machine: 240 clean plots, 144 clean photos, stego copies of 20
# held-out covers of each kind, the two tools at three rates. Raise these for a finer estimate;
# with about 190 calibration covers, 1% is 1 or 2 of them.
CLEAN_PLOTS = 240
STEGO_PLOTS = 20
STEGO_PHOTOS = 20
TOOL_RATES = [0.05, 0.2, 0.5]


def held_out(name):
    """True for the held-out half: the parity of the first byte of the name's SHA-256."""
    return hashlib.sha256(name.encode()).digest()[0] % 2 == 1


# ---------------------------------------------------------------- clean plots


def draw(ax, kind, rng):
    x = np.linspace(0, 10, 200)
    if kind == "line":
        for k in range(rng.integers(1, 5)):
            ax.plot(x, np.sin(x * rng.uniform(0.3, 2)) + k + rng.normal(0, 0.05, x.size),
                    lw=rng.uniform(0.8, 3), ls=rng.choice(["-", "--", ":"]))
        ax.legend([f"series {k}" for k in range(4)], loc="upper right")
    elif kind == "scatter":
        n = int(rng.integers(50, 800))
        ax.scatter(rng.normal(size=n), rng.normal(size=n), s=rng.uniform(4, 40),
                   alpha=rng.choice([1.0, 0.5, 0.3]), c=rng.uniform(size=n),
                   cmap=str(rng.choice(["viridis", "plasma", "coolwarm"])))
    elif kind == "bar":
        k = int(rng.integers(3, 12))
        ax.bar(range(k), rng.uniform(1, 10, k), yerr=rng.uniform(0, 1, k),
               color=None if rng.uniform() < 0.5 else "tab:blue", edgecolor="black")
        ax.set_xticks(range(k), [f"group {i}" for i in range(k)], rotation=45)
    elif kind == "hist":
        for _ in range(rng.integers(1, 3)):
            ax.hist(rng.normal(rng.uniform(-1, 1), 1, 2000), bins=int(rng.integers(10, 60)),
                    alpha=rng.choice([1.0, 0.6]), histtype=rng.choice(["bar", "stepfilled"]))
    elif kind == "heatmap":
        size = int(rng.integers(5, 40))
        im = ax.imshow(rng.normal(size=(size, size)).cumsum(axis=0),
                       cmap=str(rng.choice(["viridis", "magma", "RdBu", "Greys"])),
                       interpolation=str(rng.choice(["nearest", "bilinear"])))
        ax.figure.colorbar(im, ax=ax)
    elif kind == "box":
        ax.boxplot([rng.normal(i, 1 + i / 3, 200) for i in range(int(rng.integers(2, 7)))])
    else:
        y = rng.uniform(0.5, 1.5, (3, x.size)).cumsum(axis=1) / 50
        ax.stackplot(x, y, alpha=0.8)
    ax.set_title(f"{kind} of outcome by exposure", fontsize=10)
    ax.set_xlabel("exposure (units)")
    ax.set_ylabel("outcome")
    if rng.uniform() < 0.5:
        ax.grid(True)


def plots(count, out=None, small=False, seed=7):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = ["default", "classic", "ggplot", "bmh", "fivethirtyeight", "grayscale",
              "dark_background", "seaborn-v0_8", "seaborn-v0_8-whitegrid",
              "seaborn-v0_8-darkgrid", "seaborn-v0_8-paper", "seaborn-v0_8-ticks",
              "Solarize_Light2", "tableau-colorblind10"]
    kinds = ["line", "scatter", "bar", "hist", "heatmap", "box", "area"]
    sizes = [(4, 3), (6, 4), (3.2, 2.4), (5, 5), (8, 3), (6.4, 4.8)]
    dpis = [72, 96, 100, 150, 200, 300]
    rng = np.random.default_rng(seed)
    out = out or OUT / "clean" / "plot"
    out.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        style, kind = styles[i % len(styles)], kinds[i % len(kinds)]
        size, dpi = sizes[int(rng.integers(len(sizes)))], dpis[int(rng.integers(len(dpis)))]
        if small:
            # The committed set: small figures, PNG only, so that 100 stay near 2 MB.
            size, dpi = (size[0] * 0.6, size[1] * 0.6), min(dpi, 100)
        # At most about 1.5 megapixels: a journal figure, and a bounded corpus.
        while size[0] * size[1] * dpi * dpi > 1.5e6:
            dpi = int(dpi * 0.75)
        transparent = rng.uniform() < 0.15
        jpeg = rng.uniform() < 0.15 and not transparent and not small
        with plt.style.context(style):
            fig, ax = plt.subplots(figsize=size, dpi=dpi)
            draw(ax, kind, rng)
            fig.tight_layout()
            name = f"p{i:03d}-{kind}-{style}-{dpi}dpi" + (".jpg" if jpeg else ".png")
            fig.savefig(out / name, dpi=dpi, transparent=transparent,
                        pil_kwargs={"quality": int(rng.integers(75, 96))} if jpeg else None)
            plt.close(fig)


# ---------------------------------------------------------------- clean photos

PHOTOS = ["astronaut", "camera", "coffee", "chelsea", "rocket", "immunohistochemistry",
          "hubble_deep_field", "retina", "moon", "coins", "grass", "gravel", "brick", "cell",
          "text", "page"]


def photos():
    from PIL import Image
    from skimage import data

    rng = np.random.default_rng(11)
    out = OUT / "clean" / "photo"
    out.mkdir(parents=True, exist_ok=True)
    for name in PHOTOS:
        base = Image.fromarray(np.asarray(getattr(data, name)()))
        variants = [("whole", base)]
        for k in range(5):
            w, h = base.size
            cw, ch = int(w * rng.uniform(0.4, 0.8)), int(h * rng.uniform(0.4, 0.8))
            x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
            variants.append((f"crop{k}", base.crop((x0, y0, x0 + cw, y0 + ch))))
        for k, scale in enumerate([0.5, 0.75, 1.5]):
            w, h = base.size
            size = (max(16, int(w * scale)), max(16, int(h * scale)))
            variants.append((f"scale{k}", base.resize(size, Image.Resampling.LANCZOS)))
        for label, image in variants:
            jpeg = rng.uniform() < 0.15
            path = out / (f"{name}-{label}" + (".jpg" if jpeg else ".png"))
            if jpeg:
                image.convert("RGB" if image.mode != "L" else "L").save(
                    path, quality=int(rng.integers(75, 96)))
            else:
                image.save(path)


# ---------------------------------------------------------------- stego


def embed(pixels, method, rate, rng):
    """Returns a copy of the uint8 array (H, W) or (H, W, C) carrying `rate` bpc by `method`."""
    a = pixels.copy()
    if method == "alpha":
        if a.ndim == 2:
            a = np.stack([a, a, a], axis=2)
        if a.shape[2] == 3:
            a = np.concatenate([a, np.full(a.shape[:2] + (1,), 255, np.uint8)], axis=2)
        target = a[:, :, 3].reshape(-1)
    else:
        colour = a if a.ndim == 2 else a[:, :, :3]
        target = colour.reshape(-1)
    n = target.size
    k = min(n, int(round(rate * n)))
    index = np.arange(k) if method == "lsbr-seq" else rng.permutation(n)[:k]
    bits = rng.integers(0, 2, k, dtype=np.uint8)
    values = target[index].astype(np.int16)
    if method == "lsbm":
        differ = (values & 1) != bits
        step = rng.choice(np.array([-1, 1], np.int16), k)
        step[values == 0] = 1
        step[values == 255] = -1
        values = np.where(differ, values + step, values)
    else:
        values = (values & ~1) | bits
    target[index] = values.astype(np.uint8)
    if method == "alpha":
        a[:, :, 3] = target.reshape(a.shape[:2])
    elif a.ndim == 2:
        a = target.reshape(a.shape)
    else:
        a[:, :, :3] = target.reshape(a.shape[:2] + (3,))
    return a


def stego():
    import base64
    import os
    import tempfile

    from PIL import Image
    from stegano import lsb

    rng = np.random.default_rng(13)
    for kind, limit in [("plot", STEGO_PLOTS), ("photo", STEGO_PHOTOS)]:
        covers = sorted(p for p in (OUT / "clean" / kind).glob("*.png") if held_out(p.name))
        for cover in covers[:limit]:
            image = Image.open(cover)
            image.load()
            if image.mode not in ("L", "RGB", "RGBA"):
                image = image.convert("RGBA" if "A" in image.mode else "RGB")
            pixels = np.asarray(image)
            for method in METHODS:
                for rate in RATES:
                    folder = OUT / "stego" / method / str(rate) / kind
                    folder.mkdir(parents=True, exist_ok=True)
                    # Fast zlib: the pixels are the same, the corpus is made sooner.
                    Image.fromarray(embed(pixels, method, rate, rng)).save(
                        folder / cover.name, compress_level=1)
            rgb = image.convert("RGB")
            samples = rgb.size[0] * rgb.size[1] * 3
            for rate in TOOL_RATES:
                payload = base64.b64encode(os.urandom(max(8, int(rate * samples / 8 * 3 / 4))))
                message = payload.decode()[: max(8, int(rate * samples / 8) - 8)]
                folder = OUT / "stego" / "stegano" / str(rate) / kind
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    # lsb.hide closes the image it is given: give it a copy.
                    lsb.hide(rgb.copy(), message).save(folder / cover.name, compress_level=1)
                except Exception as error:  # capacity: the tool refuses
                    print(f"stegano {cover.name} {rate}: {error}", file=sys.stderr)
                folder = OUT / "stego" / "stego-lsb" / str(rate) / kind
                folder.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryDirectory() as tmp:
                    secret = Path(tmp) / "secret.bin"
                    # steglsb stores a small header and the file itself, one LSB per sample.
                    secret.write_bytes(os.urandom(max(1, int(rate * samples / 8) - 64)))
                    source = Path(tmp) / "cover.png"
                    rgb.save(source)
                    result = subprocess.run(
                        ["stegolsb", "steglsb", "-h", "-i", str(source), "-s", str(secret),
                         "-o", str(folder / cover.name), "-n", "1"],
                        capture_output=True, text=True)
                    if result.returncode != 0 or not (folder / cover.name).exists():
                        print(f"stego-lsb {cover.name} {rate}: {result.stderr[-200:]}",
                              file=sys.stderr)


# ---------------------------------------------------------------- measuring

CALIBRATION_POLICY = """# Every pixel test reports every positive score (thresholds near 0:
# the policy requires rates strictly between 0 and 1).
[images]
spa_rate = 1e-9
spa_busy_rate = 1e-9
rs_rate = 1e-9
ws_rate = 1e-9
flat_rate = 1e-9
alpha_noise_share = 1e-9
block_rate = 0.999999
"""


def run(folder, policy):
    """The JSON report of the release binary on `folder`."""
    args = [str(BINARY), "check", str(folder), "--format", "json", "--jobs", "2", "-q"]
    if policy:
        args += ["--policy", str(policy)]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode not in (0, 1, 2):
        raise SystemExit(f"{folder}: exit {result.returncode}: {result.stderr[-500:]}")
    return json.loads(result.stdout)


def scores(report):
    """Per file: the largest score of each pixel test, and the other image findings."""
    rows = {}
    for entry in report["files"]:
        row = {"spa": None, "spa_busy": None, "rs": None, "ws": None, "flat": None,
               "alpha": None,
               "chi": False, "kind": None, "other": []}
        for f in entry.get("findings", []):
            e = f.get("evidence", {})
            if f["rule"] in ("G011", "G012"):
                row["kind"] = e.get("image_kind")
                for m in ("spa", "spa_busy", "rs", "ws"):
                    if e.get(m) is not None:
                        row[m] = max(row[m] if row[m] is not None else -9, e[m])
                row["chi"] |= e.get("method") == "chi-square"
            elif f["rule"] == "G010":
                row["flat"] = e.get("estimate")
            elif f["rule"] == "G009":
                row["alpha"] = e.get("share")
            elif f["rule"].startswith("G") and f["severity"] in ("review", "block"):
                row["other"].append(f["rule"])
        rows[entry["path"]] = row
    return rows


def measure():
    policy = OUT / "calibration-policy.toml"
    policy.write_text(CALIBRATION_POLICY)
    report = run(OUT / "clean", policy)
    (OUT / "clean-scores.json").write_text(json.dumps(scores(report), indent=1))
    print(f"measured {len(report['files'])} clean covers into {OUT / 'clean-scores.json'}")


def thresholds():
    rows = json.loads((OUT / "clean-scores.json").read_text())
    calibration = {p: r for p, r in rows.items() if not held_out(Path(p).name)}
    tests = ["spa", "spa_busy", "rs", "ws", "flat", "alpha"]
    # Share the 1% false-alarm budget between the five tests: each threshold lies above all
    # but 0.2% of the calibration covers' scores (above all of them for fewer than 500).
    chosen = {}
    for test in tests:
        values = sorted(r[test] for r in calibration.values() if r[test] is not None)
        if not values:
            continue
        allowed = int(len(values) * 0.002)
        top = values[len(values) - 1 - allowed]
        chosen[test] = float(np.ceil(max(top, 0.0) * 1000 + 1) / 1000)
        print(f"{test}: {len(values)} calibration covers, largest scores "
              f"{[round(v, 4) for v in values[-5:]]}; threshold {chosen[test]}")
    flagged = [p for p, r in calibration.items()
               if any(r[t] is not None and t in chosen and r[t] >= chosen[t] for t in tests)
               or r["other"] or r["chi"]]
    print(f"calibration half: {len(flagged)} of {len(calibration)} flagged: {flagged[:10]}")
    print(json.dumps(chosen))


def evaluate():
    clean = scores(run(OUT / "clean", None))
    table = defaultdict(lambda: [0, 0])
    false_alarms = defaultdict(lambda: [0, 0])
    flagged = []
    for path, row in clean.items():
        kind = path.split("/")[0] + (" jpeg" if path.endswith(".jpg") else "")
        half = "held-out" if held_out(Path(path).name) else "calibration"
        hit = bool(row["other"] or any(row[t] is not None for t in ("spa", "spa_busy", "rs",
                                                                     "ws", "flat", "alpha"))
                   or row["chi"])
        false_alarms[(kind, half)][0] += hit
        false_alarms[(kind, half)][1] += 1
        if hit:
            flagged.append(path)
    for method_dir in sorted((OUT / "stego").iterdir()):
        report = run(method_dir, None)
        for path, row in scores(report).items():
            rate, kind, name = path.split("/")
            hit = bool(row["other"] or row["chi"] or any(
                row[t] is not None for t in ("spa", "spa_busy", "rs", "ws", "flat", "alpha")))
            cell = table[(method_dir.name, kind, float(rate))]
            cell[0] += hit
            cell[1] += 1
    lines = ["| cover | half | flagged / covers |", "| --- | --- | ---: |"]
    for (kind, half), (hit, n) in sorted(false_alarms.items()):
        lines.append(f"| clean {kind} | {half} | {hit} / {n} ({100 * hit / n:.1f}%) |")
    lines += ["", "| method | cover | " + " | ".join(f"{r} bpc" for r in RATES) + " |",
              "| --- | --- |" + " ---: |" * len(RATES)]
    for method in METHODS + ["stegano", "stego-lsb"]:
        for kind in ["plot", "photo"]:
            cells = []
            for rate in RATES:
                hit, n = table.get((method, kind, rate), (0, 0))
                cells.append(f"{100 * hit / n:.0f}% ({n})" if n else "-")
            lines.append(f"| {method} | {kind} | " + " | ".join(cells) + " |")
    text = "\n".join(lines)
    (OUT / "table.md").write_text(text + "\n\nflagged clean covers:\n" + "\n".join(flagged))
    print(text)
    print("flagged clean covers:", flagged)


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "all"
    if command in ("generate", "all"):
        plots(CLEAN_PLOTS)
        photos()
        stego()
    if command in ("measure", "all"):
        measure()
    if command in ("thresholds", "all"):
        thresholds()
    if command in ("evaluate", "all"):
        evaluate()
    if command == "fixtures":
        plots(100, ROOT / "testdata" / "plots100", small=True, seed=100)


if __name__ == "__main__":
    main()
