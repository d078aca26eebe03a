"""Fit the incidence model and export aggregate tables."""
__author__ = "Jo Bloggs"
__email__ = "jo.bloggs@ed.ac.uk"

import pandas as pd

cohort = pd.read_parquet('/data/cohort.parquet')
table = pd.crosstab(cohort.age_band, cohort.sex, margins=True, margins_name='Total')
table.to_csv('outputs/age_by_sex.csv')
