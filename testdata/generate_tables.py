#!/usr/bin/env python3
"""Fixtures for the table rules (family T): a positive and a negative case per rule.

Run from the repository root: python3 testdata/generate_tables.py
Needs Python 3.11 and, for the workbooks, openpyxl (pip install openpyxl). The output is
deterministic: random values come from random.Random with fixed seeds. Every table is
synthetic; the counts are invented, shaped like the outputs researchers submit.
"""

import os
import random

ROOT = os.path.dirname(os.path.abspath(__file__))
TABLES = os.path.join(ROOT, "tables")
ROUNDING = os.path.join(ROOT, "tables-rounding")
DIFFERENCING = os.path.join(ROOT, "tables-differencing")


def write(folder, name, text, encoding="utf-8"):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w", encoding=encoding, newline="") as f:
        f.write(text)


def lines(*rows):
    return "\n".join(rows) + "\n"


def tables():
    # Negative for most rules: every count at least 10, margins add up, nothing hidden.
    write(TABLES, "clean_crosstab.csv", lines(
        "age_band,Female,Male,Total",
        "18-39,112,97,209",
        "40-59,143,131,274",
        "60-79,88,64,152",
        "Total,343,292,635",
    ))
    # T001: a 3 and a 0 (zeros are disclosive by default).
    write(TABLES, "small_cells.csv", lines(
        "age_band,Female,Male,Total",
        "18-39,112,97,209",
        "40-59,143,3,146",
        "80+,21,0,21",
        "Total,276,100,376",
    ))
    # T001 from percentages: 10.0% of N = 40 is 4 patients.
    write(TABLES, "percent_of_n.csv", lines(
        "practice,N,pct_smokers",
        "A,40,10.0",
        "B,200,45.5",
        "C,120,20.0",
    ))
    # T001 from percentages of an N printed once above the table: 0.06% of 5000 is 3.
    write(TABLES, "percent_of_title_n.csv", lines(
        "# N = 5000",
        "ethnicity,percent",
        "White,84.22",
        "Asian,7.6",
        "Black,5.0",
        "Mixed,3.12",
        "Other,0.06",
    ))
    # T002: a mean and SD from 8 patients; T002 negative: the other group has 150.
    write(TABLES, "means_by_group.csv", lines(
        "group,n,mean_bmi,sd_bmi",
        "A,8,27.1,3.2",
        "B,150,26.4,4.1",
    ))
    # T003: means with no count anywhere.
    write(TABLES, "means_no_n.csv", lines(
        "region,mean_length_of_stay",
        "North,4.2",
        "South,3.9",
    ))
    # T004: a max column; in row B the max is 95% of the sum (dominance fails).
    write(TABLES, "extremes.csv", lines(
        "group,n,mean_cost,max_cost,sum_cost",
        "A,50,120.5,400,6025",
        "B,20,1000,19000,20000",
    ))
    # T005: everyone in the Pregnant row is Female.
    write(TABLES, "class_disclosure.csv", lines(
        "status,Female,Male",
        "Pregnant,25,0",
        "Not pregnant,300,310",
    ))
    # T006: one suppressed cell in a row with a total: 146 - 143 = 3.
    write(TABLES, "suppressed_recoverable.csv", lines(
        "age_band,Female,Male,Total",
        "18-39,112,97,209",
        "40-59,143,<10,146",
        "Total,255,100,355",
    ))
    # T006: a marker the margins contradict. `<10` says at most 9, but 732 - 246 - 336 = 150
    # and the column gives the same: the cell is given back, and the marker misstates it.
    write(TABLES, "suppressed_contradicted.csv", lines(
        "region,Current,Former,Never,Total",
        "London,<10,246,336,732",
        "Midlands,136,197,349,682",
        "Total,286,443,685,1414",
    ))
    # T006 negative: secondary suppression, two unknowns per row and column, wide bounds.
    write(TABLES, "suppressed_protected.csv", lines(
        "age_band,Female,Male,Other,Total",
        "18-39,112,*,*,209",
        "40-59,143,*,*,180",
        "60-79,88,64,30,182",
        "Total,343,150,78,571",
    ))
    # T007: record-level data with identifiers and dates of birth.
    rng = random.Random(7)
    rows = ["patient_id,dob,sex,bmi"]
    for i in range(30):
        dob = f"19{rng.randint(30, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        sex = rng.choice("FM")
        rows.append(f"{1000 + i},{dob},{sex},{rng.uniform(18, 40):.1f}")
    write(TABLES, "microdata.csv", lines(*rows))
    # T007: a calibration plot's points, one row per person: a predicted risk and the 0/1
    # outcome, which is an indicator, not a count.
    rng = random.Random(8)
    rows = ["predicted_prob,observed"]
    for _ in range(40):
        p = rng.random()
        rows.append(f"{p:.4f},{int(rng.random() < p)}")
    write(TABLES, "calibration_points.csv", lines(*rows))
    # T009: a few numbers with 21 significant digits (more than a float64 holds), too few
    # excess digits for the uniformity test.
    write(TABLES, "excess_digits.csv", lines(
        "group,n,mean_age",
        "A,120,45.1234567890123456789",
        "B,130,47.9876543210987654321",
    ))
    # T009 negative: full-precision float64 output as pandas writes it (repr, 17 digits).
    rng = random.Random(9)
    rows = ["group,n,mean_age"]
    for g in range(10):
        rows.append(f"G{g},{rng.randint(20, 90)},{repr(rng.uniform(20, 80))}")
    write(TABLES, "float64_means.csv", lines(*rows))
    # T010: 40 means whose digits past the 17th are random: a covert channel.
    rng = random.Random(10)
    rows = ["group,n,mean"]
    for g in range(40):
        tail = "".join(rng.choice("0123456789") for _ in range(14))
        body = f"{rng.randint(10, 99)}.{rng.randint(0, 10**15 - 1):015d}{tail}"
        rows.append(f"G{g:02d},{rng.randint(20, 90)},{body}")
    write(TABLES, "covert_digits.csv", lines(*rows))
    # T011: a base64 run in a label and zero-width characters in another.
    write(TABLES, "payload.csv", lines(
        "group,n",
        "U2FsdGVkX1+vupppZksvRf5pq5g5XjFRlipRkwB0K1Y96Qsv2Lm+31cmzaAILwyt,120",
        "Female\u200b\u200c\u200b\u200d,130",
    ))
    # T013: a header and nothing under it.
    write(TABLES, "no_rows.csv", lines("age_band,Female,Male"))
    # Reading: semicolons, decimal commas, thousands with dots; 7 is a small cell.
    write(TABLES, "semicolon_decimal_comma.csv", lines(
        "Gruppe;n;Anteil",
        "A;1.234;12,5",
        "B;7;0,6",
        "C;2.101;86,9",
    ))
    # Reading: Windows-1252, a title line, two header rows, a note below; Male 40-59 is 4.
    write(TABLES, "windows1252_two_headers.csv", lines(
        "Table 2: Région by sex",
        ",Female,,Male,",
        "Région,n,%,n,%",
        "Île-de-France,120,60.0,80,40.0",
        "Provence,45,91.8,4,8.2",
        "Source: synthetic data; percentages are of the row.",
    ), encoding="cp1252")
    # Reading: a long-format table (groups then a count), all counts large.
    rows = ["year,age_band,sex,count"]
    for year in (2019, 2020):
        for band in ("18-39", "40-59"):
            for sex in ("F", "M"):
                rows.append(f"{year},{band},{sex},{50 + year % 7 + len(band)}")
    write(TABLES, "long_format.csv", lines(*rows))
    # Layout pitfalls of ordinary pandas output, found in a sweep of realistic outputs.
    # T001: counts left of a trailing N column that they add up to are parts, not groups.
    write(TABLES, "counts_then_total_n.csv", lines(
        "region,Current,Former,Never,N",
        "London,4,246,336,586",
        "Midlands,136,197,349,682",
        "North East,139,224,360,723",
    ))
    # T001: unnamed percentages adding up to 100 across each row, beside the row's n:
    # 0.4% of 750 is 3 people.
    write(TABLES, "row_percent_of_n.csv", lines(
        "agegrp,Current,Former,Never,n",
        "18-39,0.4,32.1,67.5,750",
        "40-49,20.4,28.3,51.3,908",
        "50-59,21.1,31.7,47.2,1342",
    ))
    # T001 and T002: pandas describe().T of 4 people, quartile columns headed 25%, 50%, 75%.
    write(TABLES, "describe_quartiles.csv", lines(
        ",count,mean,std,25%,50%,75%",
        "age,4.0,67.0,11.17,59.5,66.5,74.0",
    ))
    # Negative for T003: a rate beside two count columns, its numerator named `events`.
    write(TABLES, "rate_events_person_years.csv", lines(
        "imd,events,person_years,rate_per_1000",
        "1,210,5120,41.0",
        "2,198,5230,37.9",
        "3,230,5010,45.9",
    ))
    # T001: long format whose second group is numeric (parity, 0 or 1 previous births,
    # repeated in each region): a group, so the small count is named by region and parity.
    write(TABLES, "long_numeric_group.csv", lines(
        "region,parity,count",
        "North,0,120",
        "North,1,96",
        "South,0,131",
        "South,1,6",
    ))
    workbooks()


def workbooks():
    from openpyxl import Workbook

    # T012: a very hidden sheet holding record-level data; the visible sheet is clean.
    book = Workbook()
    sheet = book.active
    sheet.title = "Summary"
    for row in (["age_band", "Female", "Male"], ["18-39", 112, 97], ["40-59", 143, 131]):
        sheet.append(row)
    hidden = book.create_sheet("raw")
    hidden.sheet_state = "veryHidden"
    for row in (["patient_id", "sex"], [1001, "F"], [1002, "M"]):
        hidden.append(row)
    book.save(os.path.join(TABLES, "hidden_sheet.xlsx"))
    # T012 negative: the same summary with no hidden sheet.
    book = Workbook()
    sheet = book.active
    sheet.title = "Summary"
    for row in (["age_band", "Female", "Male"], ["18-39", 112, 97], ["40-59", 143, 131]):
        sheet.append(row)
    book.save(os.path.join(TABLES, "visible_sheet.xlsx"))


def rounding():
    # T008, checked under testdata/policies/round5.toml: 12 is not a multiple of 5.
    write(ROUNDING, "unrounded.csv", lines(
        "age_band,Female,Male,Total",
        "18-39,110,95,205",
        "40-59,12,130,140",
        "Total,120,225,345",
    ))
    # T008 negative: every count a multiple of 5, totals within rounding of their parts.
    write(ROUNDING, "rounded.csv", lines(
        "age_band,Female,Male,Total",
        "18-39,110,95,205",
        "40-59,15,130,145",
        "Total,125,225,350",
    ))


def differencing():
    # T015 nested populations: every cell of the second is at most the first's. Worked by
    # hand, all minus "excluding care homes": (65-79, Female) 4, (65-79, Total) 4,
    # (80+, Male) 2 and (Total, Male) 2 are under 10; (80+, Female) 12, (80+, Total) 14,
    # (Total, Female) 16 and (Total, Total) 18 are not.
    write(DIFFERENCING, "admissions_all.csv", lines(
        "age_band,Female,Male,Total",
        "18-64,412,398,810",
        "65-79,233,219,452",
        "80+,141,97,238",
        "Total,786,714,1500",
    ))
    write(DIFFERENCING, "admissions_excl_care_homes.csv", lines(
        "age_band,Female,Male,Total",
        "18-64,412,398,810",
        "65-79,229,219,448",
        "80+,129,95,224",
        "Total,770,712,1482",
    ))
    # T015 overlapping bands: 0-17 here and 0-18 in the next file share their lower end, so
    # their difference counts 18-year-olds: 3 with asthma (under 10), 14 without (passes).
    write(DIFFERENCING, "asthma_under_18.csv", lines(
        "age,asthma,without_asthma",
        "0-17,57,1210",
        "18-64,402,8890",
    ))
    write(DIFFERENCING, "asthma_under_19.csv", lines(
        "age,asthma,without_asthma",
        "0-18,60,1224",
        "19-64,399,8876",
    ))
    # Negative: the same bands a year later; some cells rose and some fell, so neither table
    # holds the other and nothing is compared.
    write(DIFFERENCING, "asthma_under_18_next_year.csv", lines(
        "age,asthma,without_asthma",
        "0-17,61,1198",
        "18-64,395,8931",
    ))


if __name__ == "__main__":
    tables()
    rounding()
    differencing()
