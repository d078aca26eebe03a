#!/usr/bin/env python3
"""Writes the committed fixtures under testdata/. Deterministic: run it again and git shows
no change. Needs Python 3.11 with Pillow (pip install pillow).

    python3 testdata/generate.py
"""

import random
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE / "requests" / "example"


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


if __name__ == "__main__":
    example_request()
