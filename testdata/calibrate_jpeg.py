"""Calibration of the DCT-domain thresholds (images.jsteg_*, images.f5_*) on many JPEGs.

python3 testdata/calibrate_jpeg.py [BINARY] > testdata/jpeg/calibration.txt
    (pip install pillow jpeglib scikit-image matplotlib scipy; BINARY defaults to
    target/release/egress-check, built with `cargo build --release`)

Nothing it makes is committed: the covers and stego images are written to a temporary folder
and checked there by the egress-check binary, twice: once under a permissive policy
(thresholds near zero) that reports every positive estimate, so their distribution on clean
covers can be printed, and once under the default policy, whose verdicts give the false-alarm
and detection rates.

Clean covers: seeded random crops, rescalings, qualities (50-95), chroma subsamplings and
progressive or baseline coding of the photos bundled with scikit-image and matplotlib, and
matplotlib figures of several kinds. Stego: the JSteg-like and F5-like simulators of
generate_jpeg_stego.py at several rates, on photo covers drawn from the same pool. Crops of
one photo are not independent samples; the report says how many source photos there are.
"""

import itertools
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image
from skimage import data

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_jpeg_stego import f5_embed, jsteg_embed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PHOTOS = ["astronaut", "brick", "camera", "cat", "clock", "coffee", "coins", "grass",
          "gravel", "hubble_deep_field", "immunohistochemistry", "moon", "retina", "rocket",
          "cell"]
JSTEG_RATES = [0.02, 0.05, 0.1, 0.25, 0.5, 1.0]
F5_RATES = [0.05, 0.1, 0.2, 0.5, 1.0]


def sources():
    """The bundled photos, as PIL images."""
    images = {}
    for name in PHOTOS:
        images[name] = Image.fromarray(getattr(data, name)())
    left, right, _ = data.stereo_motorcycle()
    images["motorcycle_left"] = Image.fromarray(left)
    images["motorcycle_right"] = Image.fromarray(right)
    import matplotlib.cbook
    hopper = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    images["grace_hopper"] = Image.open(hopper).convert("RGB")
    return images


def random_cover(image, rng):
    """A random crop (at least 96 pixels a side), rescaled by 0.5-1.5, of `image`."""
    width, height = image.size
    side_w = int(rng.integers(min(96, width), width + 1))
    side_h = int(rng.integers(min(96, height), height + 1))
    x = int(rng.integers(0, width - side_w + 1))
    y = int(rng.integers(0, height - side_h + 1))
    crop = image.crop((x, y, x + side_w, y + side_h))
    scale = float(rng.uniform(0.5, 1.5))
    size = (max(64, int(side_w * scale)), max(64, int(side_h * scale)))
    return crop.resize(size, Image.LANCZOS)


def random_options(image, rng):
    options = {"quality": int(rng.integers(50, 96))}
    if image.mode == "RGB":
        options["subsampling"] = int(rng.choice([0, 1, 2]))
    if rng.random() < 0.3:
        options["progressive"] = True
    return options


def figure(kind, rng):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    dpi = int(rng.choice([60, 80, 100, 120]))
    fig, axes = plt.subplots(figsize=(float(rng.uniform(4, 8)), float(rng.uniform(3, 6))),
                             dpi=dpi)
    x = np.linspace(0, 10, 200)
    if kind == "lines":
        for k in range(int(rng.integers(1, 5))):
            axes.plot(x, np.sin(x * rng.uniform(0.5, 2)) + k, label=f"series {k}")
        axes.legend()
    elif kind == "bars":
        bars = int(rng.integers(3, 12))
        axes.bar([str(i) for i in range(bars)], rng.integers(1, 30, size=bars))
    elif kind == "scatter":
        axes.scatter(rng.normal(size=300), rng.normal(size=300), s=8, alpha=0.6)
    elif kind == "hist":
        axes.hist(rng.normal(size=2000), bins=int(rng.integers(10, 60)))
    else:
        axes.imshow(rng.normal(size=(20, 30)).cumsum(axis=1), cmap="viridis")
    axes.set_title(f"Figure: {kind}")
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    plt.close(fig)
    return Image.fromarray(rgba[:, :, :3].copy())


def check(binary, folder, policy=None):
    command = [binary, "check", folder, "--format", "json"]
    if policy:
        command += ["--policy", policy]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode not in (0, 1, 2):
        sys.exit(f"egress-check failed: {result.stderr.decode()}")
    return {f["path"]: f for f in json.loads(result.stdout)["files"]}


def estimates(file):
    """The largest JSteg share and the F5 beta among a file's DCT findings."""
    jsteg, f5 = 0.0, None
    for finding in file["findings"]:
        method = finding.get("evidence", {}).get("method")
        if method == "jsteg-chi-square":
            jsteg = max(jsteg, finding["evidence"]["estimate"])
        elif method == "f5-calibration":
            f5 = finding["evidence"]["lowest_mode_estimate"]
    return jsteg, f5


def flagged(file, method):
    return any(f["rule"] in ("G011", "G012")
               and f.get("evidence", {}).get("method") == method for f in file["findings"])


def quantiles(values):
    if not values:
        return "none"
    q = np.quantile(values, [0.5, 0.9, 0.99, 1.0])
    return "median {:.3f}, 90% {:.3f}, 99% {:.3f}, max {:.3f}".format(*q)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release",
                                                                "egress-check")
    rng = np.random.default_rng(2026)
    images = sources()
    with tempfile.TemporaryDirectory() as work:
        request = os.path.join(work, "request")
        os.makedirs(request)
        kinds, truth = {}, {}
        photo_names = []
        for name, image in images.items():
            for copy in range(20):
                cover = random_cover(image, rng)
                if rng.random() < 0.15:
                    cover = cover.convert("L")
                path = f"photo_{name}_{copy:02}.jpg"
                cover.save(os.path.join(request, path), "JPEG", **random_options(cover, rng))
                kinds[path], truth[path] = "photo", ("none", 0.0)
                photo_names.append(path)
        for kind in ["lines", "bars", "scatter", "hist", "heatmap"]:
            for copy in range(20):
                image = figure(kind, rng)
                path = f"plot_{kind}_{copy:02}.jpg"
                image.save(os.path.join(request, path), "JPEG", **random_options(image, rng))
                kinds[path], truth[path] = "plot", ("none", 0.0)
        # Stego on covers of at least 256 x 256 pixels, in a shuffled cycle.
        large = [p for p in photo_names
                 if min(Image.open(os.path.join(request, p)).size) >= 256]
        picks = itertools.cycle(rng.permutation(large))
        for method, rates, embed in [("jsteg", JSTEG_RATES, jsteg_embed),
                                     ("f5", F5_RATES, f5_embed)]:
            for rate in rates:
                for copy in range(12):
                    cover = os.path.join(request, str(next(picks)))
                    path = f"stego_{method}_{int(rate * 100):03}_{copy:02}.jpg"
                    # The simulators walk a baseline interleaved scan of whole MCUs: crop
                    # to a multiple of 16 pixels and save again as baseline.
                    baseline = os.path.join(work, "baseline.jpg")
                    image = Image.open(cover)
                    image = image.crop((0, 0, image.width // 16 * 16, image.height // 16 * 16))
                    image.save(baseline, "JPEG", quality=int(rng.integers(70, 96)))
                    embed(baseline, os.path.join(request, path), rate, copy + 100)
                    kinds[path], truth[path] = "stego", (method, rate)
        permissive = os.path.join(work, "permissive.toml")
        with open(permissive, "w") as out:
            out.write('name = "permissive"\ndescription = "calibration"\n[images]\n'
                      "jsteg_rate = 0.0001\nf5_rate = 0.0001\n")
        raw = check(binary, request, permissive)
        default = check(binary, request)
        if os.environ.get("CALIBRATION_DUMP"):
            with open(os.environ["CALIBRATION_DUMP"], "w") as out:
                json.dump({"raw": raw, "default": default, "kinds": kinds, "truth": truth},
                          out)

    clean = [p for p in kinds if kinds[p] != "stego"]
    photos = [p for p in clean if kinds[p] == "photo"]
    plots = [p for p in clean if kinds[p] == "plot"]
    print("# Calibration of the DCT-domain thresholds: python3 testdata/calibrate_jpeg.py")
    print(f"# {len(clean)} clean JPEGs: {len(photos)} photos (crops of {len(images)} source "
          f"photos) and {len(plots)} matplotlib figures")
    print()
    print("Raw estimates on clean JPEGs (permissive policy; a positive F5 beta only on "
          "photo-like JPEGs):")
    for label, group in [("photos", photos), ("plots", plots)]:
        shares = [estimates(raw[p])[0] for p in group]
        betas = [estimates(raw[p])[1] for p in group]
        betas = [b for b in betas if b is not None]
        print(f"  {label}: JSteg share > 0 in {sum(s > 0 for s in shares)} of {len(group)}; "
              f"F5 lowest-mode beta ({len(betas)} positive): {quantiles(betas)}")
    print()
    print("Default policy on clean JPEGs:")
    for label, group in [("photos", photos), ("plots", plots), ("all", clean)]:
        for method in ["jsteg-chi-square", "f5-calibration"]:
            alarms = [p for p in group if flagged(default[p], method)]
            print(f"  {label}: {method} false alarms {len(alarms)} of {len(group)} "
                  f"({100 * len(alarms) / len(group):.2f}%) {' '.join(alarms)}")
        verdicts = [default[p]["verdict"] for p in group]
        print(f"  {label}: verdict pass {verdicts.count('pass')} of {len(group)}")
    print()
    print("Detection under the default policy (12 stego JPEGs per rate, on covers compressed")
    print("twice; 'detected' counts the test aimed at the method; the estimate is the JSteg")
    print("share or the F5 lowest-mode beta under the permissive policy):")
    for method, rates, name in [("jsteg", JSTEG_RATES, "jsteg-chi-square"),
                                ("f5", F5_RATES, "f5-calibration")]:
        for rate in rates:
            group = [p for p in kinds if truth[p] == (method, rate)]
            hits = [p for p in group if flagged(default[p], name)]
            blocks = [p for p in group if default[p]["verdict"] == "block"]
            values = [estimates(raw[p])[0 if method == "jsteg" else 1] or 0.0 for p in group]
            print(f"  {method} rate {rate:.2f}: detected {len(hits)} of {len(group)}, "
                  f"verdict block (either test) {len(blocks)}; estimate {quantiles(values)}")


if __name__ == "__main__":
    main()
