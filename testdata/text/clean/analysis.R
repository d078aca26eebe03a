# Incidence by age band and sex: aggregates only.
library(dplyr)

cohort <- arrow::read_parquet("/data/cohort.parquet")
adults <- cohort %>%
  filter(dob > as.Date("1950-01-01"), dob <= as.Date("2005-12-31"))
adults$age_band <- cut(adults$age, breaks = c(18, 40, 60, 80, Inf), right = FALSE)
counts <- adults %>% count(age_band, sex)
counts$n[counts$n < 10] <- NA # suppress small cells
is_nhs_number <- function(x) grepl("^[0-9]{10}$", gsub(" ", "", x))
write.csv(counts, "outputs/tables/age_by_sex.csv", row.names = FALSE)
