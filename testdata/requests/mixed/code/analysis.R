# Incidence of admission by age and sex.
# Author: Jo Bloggs <jo.bloggs@ed.ac.uk>
library(dplyr)
cohort <- arrow::read_parquet('/data/cohort.parquet')
counts <- cohort |> count(age_band, sex)
write.csv(counts, 'outputs/age_by_sex.csv', row.names = FALSE)
