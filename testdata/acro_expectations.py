#!/usr/bin/env python3
"""Independent expectations from ACRO (PyPI `acro`, tested with 1.0.2) for crosstab fixtures.

ACRO judges tables from microdata, so each fixture's counts are expanded back into one row
per unit and passed to acro.crosstab with its default policy (threshold 10, zeros
disclosive). Run: pip install acro; python3 testdata/acro_expectations.py
Prints fixture, ACRO status and the cells ACRO flags.
"""

import contextlib
import io

import pandas as pd

FIXTURES = {
    "clean_crosstab.csv": {("18-39", "F"): 112, ("18-39", "M"): 97, ("40-59", "F"): 143,
                           ("40-59", "M"): 131, ("60-79", "F"): 88, ("60-79", "M"): 64},
    "small_cells.csv": {("18-39", "F"): 112, ("18-39", "M"): 97, ("40-59", "F"): 143,
                        ("40-59", "M"): 3, ("80+", "F"): 21, ("80+", "M"): 0},
}


def microdata(counts):
    rows = []
    for (band, sex), n in counts.items():
        rows += [{"age_band": band, "sex": sex}] * n
    frame = pd.DataFrame(rows)
    # Keep empty categories so that a zero cell is a cell.
    frame["age_band"] = pd.Categorical(frame["age_band"], sorted({b for b, _ in counts}))
    frame["sex"] = pd.Categorical(frame["sex"], ["F", "M"])
    return frame


def main():
    from acro import ACRO

    for name, counts in FIXTURES.items():
        with contextlib.redirect_stdout(io.StringIO()):
            session = ACRO(suppress=False)
            frame = microdata(counts)
            session.crosstab(frame.age_band, frame.sex, dropna=False)
        output = list(session.results.results.values())[-1]
        print(f"{name}: {output.status}: {output.summary}")


if __name__ == "__main__":
    main()
