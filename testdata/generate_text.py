#!/usr/bin/env python3
"""Writes the text-rule fixtures under testdata/text/. Deterministic: run it again and git
shows no change. Standard library only (Python 3.11).

    python3 testdata/generate_text.py

clean/ holds outputs that must pass (a log, scripts, a git log, notes, and lookalikes of
every identifier); leak/ holds one positive case or more for every text rule. Identifier
values are made up: check digits are computed here from the published algorithms.

testdata/logs/ holds console tables in logs for the table rules: Stata `tabulate` output
(text and SMCL), R's table() in a .Rout file and a pipe table in a run log, with a clean Stata log of a crosstab beside
regression and summary output.
"""

import base64
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEXT = HERE / "text"
LOGS = HERE / "logs"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def mod11(nine: str) -> int | None:
    """NHS Data Dictionary: weights 10..2, check = 11 - sum mod 11; 11 -> 0; 10 invalid."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1)))
    check = 11 - total % 11
    return {11: 0, 10: None}.get(check, check)


def nhs(nine: str) -> str:
    check = mod11(nine)
    assert check is not None, nine
    number = nine + str(check)
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def sha(rng: random.Random, size: int) -> str:
    return rng.randbytes(size).hex()


def notebook(cells: list[tuple[str, list[dict]]]) -> str:
    """An nbformat 4.5 notebook of code cells, each with its source and outputs."""
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "cells": [
                {
                    "cell_type": "code",
                    "id": f"cell{i}",
                    "metadata": {},
                    "execution_count": i + 1,
                    "source": source,
                    "outputs": outputs,
                }
                for i, (source, outputs) in enumerate(cells)
            ],
        },
        indent=1,
        ensure_ascii=False,
    ) + "\n"


def clean() -> None:
    rng = random.Random(1)
    write(
        TEXT / "clean" / "run.log",
        "2026-11-30 10:02:11 INFO start run 123e4567-e89b-12d3-a456-426614174000\n"
        f"2026-11-30 10:02:11 INFO code at git commit {sha(rng, 20)}\n"
        "2026-11-30 10:02:12 INFO loaded cohort: 609 patients from /data/cohort.parquet\n"
        f"2026-11-30 10:02:12 INFO input sha256 {sha(rng, 32)}\n"
        "2026-11-30 10:02:13 INFO model converged after 12 iterations, loglik -1234.5678\n"
        "2026-11-30 10:02:13 INFO suppressed 3 cells under 10\n"
        "2026-11-30 10:02:14 INFO wrote outputs/tables/age_by_sex.csv "
        f"(sha512 {sha(rng, 64)})\n"
        "2026-11-30 10:02:14 INFO docs: https://docs.opensafely.org/releasing-files/"
        "#the-airlock-and-output-checking-process?ref=0123456789abcdef\n"
        "2026-11-30 10:02:15 INFO elapsed 1732960935.25 - 1732960931.00 = 4.25 s\n"
        "2026-11-30 10:02:15 INFO finished\n",
    )
    write(
        TEXT / "clean" / "analysis.R",
        "# Incidence by age band and sex: aggregates only.\n"
        "library(dplyr)\n\n"
        'cohort <- arrow::read_parquet("/data/cohort.parquet")\n'
        "adults <- cohort %>%\n"
        '  filter(dob > as.Date("1950-01-01"), dob <= as.Date("2005-12-31"))\n'
        "adults$age_band <- cut(adults$age, breaks = c(18, 40, 60, 80, Inf), right = FALSE)\n"
        "counts <- adults %>% count(age_band, sex)\n"
        "counts$n[counts$n < 10] <- NA # suppress small cells\n"
        'is_nhs_number <- function(x) grepl("^[0-9]{10}$", gsub(" ", "", x))\n'
        'write.csv(counts, "outputs/tables/age_by_sex.csv", row.names = FALSE)\n',
    )
    write(
        TEXT / "clean" / "analysis.py",
        '"""Fit the incidence model and export aggregate tables."""\n'
        "import re\n\n"
        "import pandas as pd\n\n"
        'POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")\n'
        "cohort = pd.read_parquet('/data/cohort.parquet')\n"
        "cohort = cohort[cohort.dob >= '1950-01-01']\n"
        "table = pd.crosstab(cohort.age_band, cohort.sex)\n"
        "table = table.where(table >= 10)  # suppress cells under 10\n"
        "print(table.shape)\n"
        "table.to_csv('outputs/tables/age_by_sex.csv')\n",
    )
    commits = []
    messages = [
        "Suppress small cells in the age table",
        "Round counts to the nearest 5",
        "Add the incidence plot",
        "Fix the age band boundaries",
        "Merge branch 'tables'",
        "Initial analysis",
    ]
    for day, message in enumerate(messages):
        commits.append(
            f"commit {sha(rng, 20)}\n"
            "Author: Jane Researcher <1234567+jresearcher@users.noreply.github.com>\n"
            f"Date:   Mon Nov {23 + day} 10:02:11 2026 +0000\n\n"
            f"    {message}\n"
        )
    hashes = "".join(f"{sha(rng, 20)}\n" for _ in range(40))
    write(
        TEXT / "clean" / "git.log",
        "\n".join(commits) + "\n$ git rev-list --all\n" + hashes,
    )
    weeks = "".join(
        f"| 2020-{3 + w // 4:02}-{1 + 7 * (w % 4):02} | {100 + 7 * w} | {90 + 5 * w} |\n"
        for w in range(12)
    )
    write(
        TEXT / "clean" / "notes.md",
        "# Notes for the output checker \U0001f468\u200d\U0001f469\u200d\U0001f467\n\n"
        "These notes go with request 42. The tables hold counts of patients by week,\n"
        "age band and sex; every cell is at least 10 and totals are rounded to 5.\n"
        "The plots show the same counts. No record-level data is included.\n"
        "The code that made them is in code/, and the run log in logs/.\n"
        "Questions go to the study team through the TRE helpdesk.\n"
        "The model is described in the protocol, version 3, section 4.\n\n"
        "Weekly admissions (aggregates, all cells at least 10):\n\n"
        "| week | admissions | discharges |\n|---|---|---|\n"
        + weeks
        + "\nSites in Scotland \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074"
        "\U000e007f, results \u2764\ufe0f, copied\u200b from the wiki.\n"
        "Lock file integrity: sha512-"
        + base64.b64encode(rng.randbytes(64)).decode()
        + "\n",
    )
    write(
        TEXT / "clean" / "analysis.ipynb",
        notebook(
            [
                ("import pandas as pd", []),
                (
                    "table = pd.crosstab(cohort.age_band, cohort.sex)\ntable",
                    [
                        {
                            "output_type": "execute_result",
                            "execution_count": 2,
                            "metadata": {},
                            "data": {
                                "text/plain": [
                                    "sex         F    M\n",
                                    "age_band          \n",
                                    "18-39     112   97\n",
                                    "40-59     143  131\n",
                                ]
                            },
                        }
                    ],
                ),
                (
                    "print(len(cohort))",
                    [{"output_type": "stream", "name": "stdout", "text": ["609\n"]}],
                ),
            ]
        ),
    )
    # Lookalikes of every identifier, none of which is one.
    write(
        TEXT / "clean" / "lookalikes.txt",
        "NHS-shaped, failing modulus 11: 943 476 5918\n"
        "Inside longer numbers and decimals: 94347659190 0.9434765919 ab9434765919\n"
        "CHI-shaped with no such date (31 February): 3102800009\n"
        "NI-shaped with prefixes HMRC never allocates: QQ123456C GB123456A\n"
        "Postcode districts only: EH1, SW1A; no such area: QA1 1AA\n"
        "Dates that are not dates of birth: born in 1980; dob > 1950-01-01\n"
        "Example addresses: someone@example.com, git@github.com:org/repo.git\n"
        "Numbers that are not telephones: 0 12 345 678 90, 09700 900123\n",
    )


def leak() -> None:
    rng = random.Random(2)
    first = nhs("943476591")  # 943 476 5919, the NHS Data Dictionary's sample
    second = nhs("401023213")  # 401 023 2137
    rows = [
        ("P000001", "1980-01-02", "F", 3),
        ("P000002", "1975-06-30", "M", 1),
        ("P000003", "1990-12-01", "F", 5),
        ("P000004", "1968-03-15", "M", 2),
        ("P000005", "1983-09-09", "F", 4),
    ]
    listing = "".join(
        f"{i}      {pid}  {dob}   {sex}    {imd}\n" for i, (pid, dob, sex, imd) in enumerate(rows)
    )
    write(
        TEXT / "leak" / "patients.log",
        "2026-11-30 10:02:11 INFO loaded cohort: 609 patients\n"
        f"2026-11-30 10:02:11 DEBUG first patient nhs_number={first} dob=1980-01-02\n"
        f"2026-11-30 10:02:12 DEBUG checking patient {second} (DOB: 30/06/1975)\n"
        "2026-11-30 10:02:12 DEBUG head of cohort:\n"
        "    patient_id         dob sex  imd\n" + listing + "2026-11-30 10:02:13 INFO done\n",
    )
    write(
        TEXT / "leak" / "contacts.txt",
        "Follow-up notes (synthetic values)\n"
        "CHI 0101801238 seen in clinic\n"
        "NI number AB 12 34 56 C on the referral\n"
        "Address: 1 High Street, Edinburgh EH1 1YZ\n"
        "Contact jane.doe@ed.ac.uk or 07700 900123\n",
    )
    blob = base64.encodebytes(rng.randbytes(1500)).decode()
    write(
        TEXT / "leak" / "blob.txt",
        "Notes on the model run.\n\nCached state, for reference:\n\n" + blob + "\nEnd of notes.\n",
    )
    head = "".join(
        f"{i}  {nhs(nine)}  {dob}   {sex}\n"
        for i, (nine, dob, sex) in enumerate(
            [
                ("943476591", "1980-01-02", "F"),
                ("401023213", "1975-06-30", "M"),
                ("450557710", "1990-12-01", "F"),
                ("612345678", "1968-03-15", "M"),
                ("700000001", "1983-09-09", "F"),
            ]
        )
    )
    write(
        TEXT / "leak" / "cohort.ipynb",
        notebook(
            [
                ("import pandas as pd", []),
                (
                    "cohort.head()",
                    [
                        {
                            "output_type": "execute_result",
                            "execution_count": 2,
                            "metadata": {},
                            "data": {"text/plain": "      nhs_number         dob sex\n" + head},
                        }
                    ],
                ),
            ]
        ),
    )
    # Every line has two commas, so identification reads the log as a CSV: the identifier
    # rules must still find the NHS number in it (the table rules judge cells as numbers).
    write(
        TEXT / "leak" / "batches.log",
        "".join(f"2026-11-30 10:03:{i:02d} INFO batch {i}: {100 + i} rows, {i % 3} excluded, "
                f"{0.2 + i / 100:.2f} s\n" for i in range(8))
        + f"2026-11-30 10:03:09 WARN batch 9: skipped patient {first}, 1 row, 0.01 s\n",
    )
    # A debugging loop that logs each patient: no date, no identifier, but a different
    # patient's key and three varying values in every line (E008).
    write(
        TEXT / "leak" / "patient_loop.log",
        "starting the per-patient check\n"
        + "".join(f"processing patient {100001 + i} age={rng.randint(30, 80)} "
                  f"sex={rng.choice(['Male', 'Female'])} bmi={rng.uniform(18, 40):.1f}\n"
                  for i in range(12))
        + "finished: 12 patients\n",
    )
    secret = b"943 476 5919 F 1980-01-02"
    bits = "".join(f"{byte:08b}" for byte in secret)
    hidden = "".join("\u200b" if bit == "0" else "\u200c" for bit in bits)
    write(
        TEXT / "leak" / "hidden.md",
        "# Results\n\nThe model was fitted to the full cohort.\n"
        f"Table 2 gives the estimates.{hidden}\nSee the appendix.\n",
    )


STATA_OPEN = (
    "-" * 79 + "\n"
    "      name:  <unnamed>\n"
    "       log:  /project/logs/{name}\n"
    "  log type:  text\n"
    " opened on:   4 Dec 2026, 10:12:03\n\n"
    ". use cohort, clear\n(Synthetic cohort)\n\n"
)
STATA_CLOSE = (
    ". log close\n"
    "      name:  <unnamed>\n"
    "       log:  /project/logs/{name}\n"
    "  log type:  text\n"
    " closed on:   4 Dec 2026, 10:12:05\n" + "-" * 79 + "\n"
)


def thousands(n: int) -> str:
    return f"{n:,}"


def two_way(rowvar: str, colvar: str, values: list[str], rows: list[tuple[str, list[int]]],
            percent: bool = False) -> str:
    """Stata's `tabulate rowvar colvar` (with `, row` when percent): each column 11 wide,
    numbers right-aligned in 10 then a space, the Total column 10 wide."""
    k = len(values)
    rule = "-" * 11 + "+" + "-" * (11 * k) + "+" + "-" * 10 + "\n"
    out = ""
    if percent:
        out += ("+----------------+\n| Key            |\n|----------------|\n"
                "|   frequency    |\n| row percentage |\n+----------------+\n\n")
    out += " " * 11 + "|" + f"{colvar:^{11 * k}}".rstrip() + "\n"
    out += f"{rowvar:>10} |" + "".join(f"{v:>10} " for v in values) + "|" + f"{'Total':>10}\n"
    out += rule
    totals = [sum(r[1][i] for r in rows) for i in range(k)]
    for n, (label, cells) in enumerate(rows + [("Total", totals)]):
        if label == "Total":
            out += rule
        elif n > 0 and percent:
            out += " " * 11 + "|" + " " * (11 * k) + "|\n"
        whole = sum(cells)
        out += (f"{label:>10} |" + "".join(f"{thousands(c):>10} " for c in cells)
                + "|" + f"{thousands(whole):>10} \n")
        if percent:
            out += (" " * 11 + "|" + "".join(f"{100 * c / whole:>10.2f} " for c in cells)
                    + "|" + f"{100.0:>10.2f} \n")
    return out + "\n"


def one_way(var: str, rows: list[tuple[str, int]]) -> str:
    """Stata's `tabulate var`: Freq., Percent and Cum. columns, a Total row without Cum."""
    total = sum(n for _, n in rows)
    rule = "-" * 12 + "+" + "-" * 35 + "\n"
    out = f"{var:>11} |      Freq.     Percent        Cum.\n" + rule
    cum = 0.0
    for label, n in rows:
        cum += 100 * n / total
        out += f"{label:>11} |{thousands(n):>11}{100 * n / total:>12.2f}{cum:>12.2f}\n"
    return out + rule + f"{'Total':>11} |{thousands(total):>11}{100.0:>12.2f}\n\n"


REGRESS = """\
. regress los age

      Source |       SS           df       MS      Number of obs   =     1,414
-------------+----------------------------------   F(1, 1412)      =      3.21
       Model |  12.3456789         1  12.3456789   Prob > F        =    0.0734
    Residual |  5432.10987     1,412  3.84710331   R-squared       =    0.0023
-------------+----------------------------------   Adj R-squared   =    0.0016
       Total |  5444.45555     1,413  3.85311787   Root MSE        =    1.9614

------------------------------------------------------------------------------
         los | Coefficient  Std. err.      t    P>|t|     [95% conf. interval]
-------------+----------------------------------------------------------------
         age |   .0912345   .0509123     1.79   0.073    -.0086345    .1911035
       _cons |   2.345678   .0723456    32.42   0.000     2.203765    2.487591
------------------------------------------------------------------------------

. summarize age los

    Variable |        Obs        Mean    Std. dev.       Min        Max
-------------+---------------------------------------------------------
         age |      1,414    52.31888    14.01234         18         90
         los |      1,414    4.112447    3.871234          1         38

"""


def smcl(text: str) -> str:
    """The SMCL Stata writes for a plain log: `{c |}` for `|`, `{hline N}{c +}` rules, and
    `{txt}`/`{res}` around labels and numbers, as real `.smcl` logs have them."""
    out = ["{smcl}"]
    for line in text.splitlines():
        if line and set(line) <= {"-", "+"} and "+" in line:
            out.append("{txt}" + "{c +}".join(f"{{hline {len(p)}}}" for p in line.split("+")))
        elif "|" in line and not line.startswith(("|", "+")):
            parts = line.split("|")
            out.append("{txt}" + parts[0] + "".join("{c |}{res}" + p for p in parts[1:]))
        elif line.startswith(". "):
            out.append("{com}" + line)
        else:
            out.append("{txt}" + line)
    return "\n".join(out) + "\n"


def logs() -> None:
    """Console tables in logs (testdata/logs/): Stata `tabulate` output and a pipe table."""
    regions = ["London", "Midlands", "North", "South"]
    leak_two_way = two_way("region", "complication", ["0", "1"],
                           [("London", [728, 4]), ("Midlands", [670, 12])])
    name = "stata_tab.log"
    write(LOGS / "leak" / name,
          STATA_OPEN.format(name=name) + ". tabulate region complication\n\n"
          + leak_two_way + STATA_CLOSE.format(name=name))
    write(LOGS / "leak" / "stata_tab.smcl",
          smcl(STATA_OPEN.format(name="stata_tab.smcl").replace("type:  text", "type:  smcl")
               + ". tabulate region complication\n\n" + leak_two_way))
    ethnicity = one_way("ethnicity", [("Asian", 212), ("Black", 97), ("Mixed", 3),
                                      ("White", 1102)])
    name = "stata_oneway.log"
    write(LOGS / "leak" / name,
          STATA_OPEN.format(name=name) + ". tabulate ethnicity\n\n" + ethnicity
          + STATA_CLOSE.format(name=name))
    # The table alone, copied into a text file: `|` on most lines, so identified as a
    # `|`-delimited table.
    write(LOGS / "leak" / "tabulate.txt", ethnicity)
    name = "stata_clean.log"
    write(LOGS / "clean" / name,
          STATA_OPEN.format(name=name) + ". tabulate region sex, row\n\n"
          + two_way("region", "sex", ["Female", "Male"],
                    [(r, [300 + 17 * i, 280 + 23 * i]) for i, r in enumerate(regions)],
                    percent=True)
          + ". tabulate region\n\n"
          + one_way("region", [(r, 580 + 40 * i) for i, r in enumerate(regions)])
          + REGRESS + STATA_CLOSE.format(name=name))
    # R CMD BATCH output: a two-way table() printed with its dimension names (London has 3
    # with a complication), beside summary() and a data frame's head, which are not tables.
    write(LOGS / "leak" / "r_table.Rout",
          "R version 4.4.1 (2024-06-14) -- \"Race for Your Life\"\n\n"
          "> cohort <- read.csv(\"cohort.csv\")\n"
          "> summary(cohort$los)\n"
          "   Min. 1st Qu.  Median    Mean 3rd Qu.    Max. \n"
          "   1.00    2.00    4.00    4.11    6.00   38.00 \n"
          "> head(cohort[, c(\"region\", \"los\")], 3)\n"
          "    region los\n"
          "1   London   2\n"
          "2 Midlands   5\n"
          "3    North   1\n"
          "> with(cohort, table(region, complication))\n"
          "          complication\n"
          "region       0   1\n"
          "  London   729   3\n"
          "  Midlands 670  12\n"
          "  North    655  21\n"
          "> proc.time()\n"
          "   user  system elapsed \n"
          "  0.412   0.051   0.470 \n")
    write(LOGS / "leak" / "pipe_table.log",
          "2026-12-04 10:15:00 INFO loading cohort\n"
          "2026-12-04 10:15:01 INFO 1968 rows after exclusions\n"
          "2026-12-04 10:15:01 INFO fitting model: 12 iterations, 0.41 s\n"
          "2026-12-04 10:15:02 INFO table 2 (deaths and admissions by age band):\n"
          "| age_band   |   deaths |   admissions |\n"
          "|:-----------|---------:|-------------:|\n"
          "| 18-39      |        3 |          412 |\n"
          "| 40-59      |       27 |          655 |\n"
          "| 60+        |       88 |          901 |\n"
          "2026-12-04 10:15:03 INFO wrote outputs/table2.csv\n"
          "2026-12-04 10:15:03 INFO done in 3.2 s\n")


if __name__ == "__main__":
    clean()
    leak()
    logs()
