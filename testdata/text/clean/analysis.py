"""Fit the incidence model and export aggregate tables."""
import re

import pandas as pd

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
cohort = pd.read_parquet('/data/cohort.parquet')
cohort = cohort[cohort.dob >= '1950-01-01']
table = pd.crosstab(cohort.age_band, cohort.sex)
table = table.where(table >= 10)  # suppress cells under 10
print(table.shape)
table.to_csv('outputs/tables/age_by_sex.csv')
