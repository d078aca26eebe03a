#!/usr/bin/env python3
"""A sweep of realistic research outputs: clean ones that should pass and dirty ones that
should not, made with the libraries researchers use (pandas, matplotlib, seaborn, statsmodels,
python-docx, nbformat, scikit-learn) at their default settings. Not fixtures: nothing here is
committed but this script. It measures false alarms and misses of the whole tool on outputs
shaped like the real ones (closing note of 2026-12-04).

    pip install pandas matplotlib seaborn statsmodels openpyxl python-docx pillow nbformat \
        scikit-learn
    python3 testdata/sweep_realistic.py [OUT]          # default OUT: target/realistic
    egress-check check OUT/clean --format json          # every file should pass
    egress-check check OUT/dirty --format json          # compare with OUT/dirty_expected.json

The data are synthetic, drawn from fixed seeds.
"""

import os, io, json, shutil, sys, zipfile, base64, pickle, random, datetime
import numpy as np, pandas as pd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import seaborn as sns
import statsmodels.api as sm
import statsmodels.formula.api as smf
import nbformat
from nbformat.v4 import new_notebook, new_code_cell, new_markdown_cell, new_output
import docx
from docx.shared import Inches
from PIL import Image

ROOT = (
    sys.argv[1]
    if len(sys.argv) > 1
    else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "target", "realistic"
    )
)
CD = os.path.join(ROOT, "clean")
DD = os.path.join(ROOT, "dirty")
for d in (CD, DD):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
rng = np.random.default_rng(42)
random.seed(42)

# ---------- synthetic cohort (lives only in memory, never exported clean) ----------
N = 5000
cohort = pd.DataFrame(
    {
        "age": rng.normal(58, 14, N).clip(18, 99).round(0),
        "sex": rng.choice(["Female", "Male"], N),
        "region": rng.choice(
            [
                "North East",
                "North West",
                "Yorkshire",
                "Midlands",
                "London",
                "South East",
                "South West",
            ],
            N,
        ),
        "imd_quintile": rng.integers(1, 6, N),
        "smoker": rng.choice(["Never", "Former", "Current"], N, p=[0.5, 0.3, 0.2]),
        "bmi": rng.normal(27.5, 5, N).round(1),
        "sbp": rng.normal(132, 18, N).round(0),
    }
)
lp = -4 + 0.04 * cohort.age + 0.05 * (cohort.bmi - 27) + 0.5 * (cohort.smoker == "Current")
cohort["diabetes"] = (rng.random(N) < 1 / (1 + np.exp(-lp))).astype(int)
cohort["time"] = rng.exponential(5, N).clip(0, 10).round(2)
cohort["event"] = (rng.random(N) < 0.3).astype(int)
cohort["agegrp"] = pd.cut(
    cohort.age,
    [17, 39, 49, 59, 69, 79, 120],
    labels=["18-39", "40-49", "50-59", "60-69", "70-79", "80+"],
)


def P(*a):
    return os.path.join(CD, *a)


def Q(*a):
    return os.path.join(DD, *a)


# ---------- CLEAN: figures ----------
def fig_line():
    fig, ax = plt.subplots()
    yrs = np.arange(2010, 2023)
    for r in ["North", "Midlands", "South"]:
        ax.plot(yrs, 5 + rng.normal(0, 0.3, len(yrs)).cumsum(), marker="o", label=r)
    ax.set_xlabel("Year")
    ax.set_ylabel("Diabetes prevalence (%)")
    ax.set_title("Prevalence by region")
    ax.legend()
    ax.text(2011, 6, "Source: synthetic cohort, n=5000")
    return fig


def fig_bar():
    fig, ax = plt.subplots()
    ct = cohort.groupby("agegrp", observed=True).diabetes.mean() * 100
    ax.bar(ct.index.astype(str), ct.values, color="steelblue")
    ax.set_ylabel("%")
    ax.set_title("Diabetes by age group")
    for i, v in enumerate(ct.values):
        ax.text(i, v + 0.5, f"{v:.1f}", ha="center")
    return fig


def fig_scatter():
    fig, ax = plt.subplots()
    # binned means (no person-level points)
    g = cohort.groupby(pd.cut(cohort.bmi, 20), observed=True).agg(
        b=("bmi", "mean"), s=("sbp", "mean")
    )
    ax.scatter(g.b, g.s, label="binned mean")
    ax.plot(g.b, np.poly1d(np.polyfit(g.b, g.s, 1))(g.b), "r--", label="fit")
    ax.set_xlabel("BMI")
    ax.set_ylabel("SBP")
    ax.legend()
    return fig


def fig_hist():
    fig, ax = plt.subplots()
    ax.hist(cohort.age, bins=20, edgecolor="k")
    ax.set_xlabel("Age")
    ax.set_ylabel("Count")
    return fig


def fig_heat():
    fig, ax = plt.subplots(figsize=(7, 5))
    ct = pd.crosstab(cohort.region, cohort.agegrp)
    sns.heatmap(ct, annot=True, fmt="d", cmap="viridis", ax=ax)
    ax.set_title("Patients by region and age")
    return fig


def fig_km():
    fig, ax = plt.subplots()
    for grp, lab in [(0, "No diabetes"), (1, "Diabetes")]:
        t = np.sort(cohort.time[cohort.diabetes == grp].values)
        s = 1 - np.arange(1, len(t) + 1) / len(t) * 0.4
        ax.step(np.r_[0, t[::50]], np.r_[1, s[::50]], where="post", label=lab)
    ax.set_xlabel("Years")
    ax.set_ylabel("Survival probability")
    ax.set_ylim(0, 1.05)
    ax.legend(title="Group")
    ax.text(0.5, 0.1, "Log-rank p = 0.003")
    return fig


def fig_sns_box():
    fig, ax = plt.subplots()
    sns.barplot(data=cohort, x="agegrp", y="sbp", hue="sex", ax=ax, errorbar=("ci", 95))
    return fig


def fig_sns_kde():
    fig, ax = plt.subplots()
    sns.kdeplot(data=cohort, x="bmi", hue="smoker", fill=True, ax=ax)
    return fig


def fig_forest():
    fig, ax = plt.subplots()
    lab = ["Age (10y)", "BMI (5 units)", "Current smoker", "Former smoker", "Male"]
    orr = np.array([1.49, 1.28, 1.62, 1.08, 1.02])
    ax.errorbar(orr, range(5), xerr=[orr * 0.1, orr * 0.12], fmt="s")
    ax.set_yticks(range(5))
    ax.set_yticklabels(lab)
    ax.axvline(1, ls="--", c="grey")
    ax.set_xscale("log")
    ax.set_xlabel("Odds ratio (95% CI)")
    return fig


figs = dict(
    line=fig_line,
    bar=fig_bar,
    scatter=fig_scatter,
    hist=fig_hist,
    heatmap=fig_heat,
    km=fig_km,
    sns_bar=fig_sns_box,
    sns_kde=fig_sns_kde,
    forest=fig_forest,
)
for name, f in figs.items():
    fig = f()
    fig.savefig(P(f"fig_{name}_dpi100.png"), dpi=100)
    fig.savefig(P(f"fig_{name}_dpi300_tight.png"), dpi=300, bbox_inches="tight")
    if name in ("line", "km", "heatmap"):
        fig.savefig(P(f"fig_{name}.svg"))
        fig.savefig(P(f"fig_{name}.pdf"))
    plt.close(fig)
# seaborn figure-level
g = sns.catplot(data=cohort, x="smoker", y="bmi", kind="box", showfliers=False)
g.savefig(P("fig_sns_catplot.png"))
plt.close("all")

# ---------- CLEAN: tables ----------
ct = pd.crosstab(cohort.region, cohort.agegrp)
ct.to_csv(P("crosstab_region_age.csv"))
pd.crosstab(cohort.region, cohort.smoker, margins=True, margins_name="Total").to_csv(
    P("crosstab_region_smoker_total.csv")
)
pct = pd.crosstab(cohort.agegrp, cohort.smoker, normalize="index").mul(100).round(1)
pct["n"] = cohort.agegrp.value_counts().reindex(pct.index).values
pct.to_csv(P("pct_smoker_by_age.csv"))
long = cohort.groupby(["region", "sex", "smoker"]).size().reset_index(name="count")
long.to_csv(P("counts_long.csv"), index=False)
desc = (
    cohort[["age", "bmi", "sbp", "time"]]
    .describe()
    .T[["count", "mean", "std", "25%", "50%", "75%"]]
    .round(2)
)
desc = desc.rename(columns={"count": "n"})
desc["n"] = desc["n"].astype(int)
desc.to_csv(P("summary_continuous.csv"))
bygrp = (
    cohort.groupby("agegrp", observed=True)
    .agg(
        n=("bmi", "size"),
        mean_bmi=("bmi", "mean"),
        sd_bmi=("bmi", "std"),
        mean_sbp=("sbp", "mean"),
        sd_sbp=("sbp", "std"),
    )
    .round(2)
)
bygrp.to_csv(P("summary_by_agegroup.csv"))
m = smf.logit("diabetes ~ age + bmi + C(smoker) + C(sex)", data=cohort).fit(disp=0)
m.summary2().tables[1].to_csv(P("logit_coefficients.csv"))
open(P("logit_summary.txt"), "w").write(m.summary().as_text())
ols = smf.ols("sbp ~ age + bmi + C(sex)", data=cohort).fit()
open(P("ols_summary.txt"), "w").write(ols.summary().as_text())
ci = np.exp(m.conf_int())
orr = pd.DataFrame(
    {"OR": np.exp(m.params), "CI_lower": ci[0], "CI_upper": ci[1], "p_value": m.pvalues}
).round(3)
orr.index.name = "term"
orr.to_csv(P("odds_ratios.csv"))
with pd.ExcelWriter(P("aggregates.xlsx")) as xw:
    ct.to_excel(xw, sheet_name="region_by_age")
    bygrp.to_excel(xw, sheet_name="bmi_by_age")
# rates table
rate = cohort.groupby("imd_quintile").agg(
    n=("event", "size"), events=("event", "sum"), person_years=("time", "sum")
)
rate["rate_per_1000py"] = (rate.events / rate.person_years * 1000).round(1)
rate["person_years"] = rate.person_years.round(0)
rate.to_csv(P("incidence_rates_by_imd.csv"))

# ---------- CLEAN: docx ----------
doc = docx.Document()
doc.add_heading("Interim analysis report", 1)
doc.add_paragraph(
    "We identified 5000 adults in the cohort. Diabetes prevalence rose with age and BMI. "
    "Current smoking was associated with higher odds of diabetes after adjustment for age, sex and BMI."
)
t = doc.add_table(rows=1, cols=4)
t.style = "Table Grid"
for i, h in enumerate(["Age group", "n", "Mean BMI", "SD BMI"]):
    t.rows[0].cells[i].text = h
for idx, r in bygrp.iterrows():
    cells = t.add_row().cells
    cells[0].text = str(idx)
    cells[1].text = str(r.n)
    cells[2].text = f"{r.mean_bmi:.1f}"
    cells[3].text = f"{r.sd_bmi:.1f}"
doc.add_picture(P("fig_bar_dpi100.png"), width=Inches(5))
doc.save(P("report.docx"))

# ---------- CLEAN: notebook ----------
nb = new_notebook()
nb.cells.append(new_markdown_cell("# Diabetes analysis\nAggregate outputs only."))
c1 = new_code_cell("ct = pd.crosstab(df.region, df.agegrp)\nct")
c1.outputs = [
    new_output(
        "execute_result",
        data={"text/plain": ct.to_string(), "text/html": ct.to_html()},
        execution_count=1,
    )
]
c1.execution_count = 1
c2 = new_code_cell("desc")
c2.outputs = [
    new_output(
        "execute_result",
        data={"text/plain": desc.to_string(), "text/html": desc.to_html()},
        execution_count=2,
    )
]
c2.execution_count = 2
buf = io.BytesIO()
fig = fig_hist()
fig.savefig(buf, format="png")
plt.close(fig)
c3 = new_code_cell("plt.hist(df.age, bins=20)")
c3.outputs = [
    new_output(
        "display_data",
        data={
            "image/png": base64.b64encode(buf.getvalue()).decode(),
            "text/plain": "<Figure size 640x480 with 1 Axes>",
        },
    )
]
c3.execution_count = 3
nb.cells += [c1, c2, c3]
nbformat.write(nb, P("analysis.ipynb"))

# ---------- CLEAN: code, logs, notes ----------
open(P("analysis.py"), "w").write("""import pandas as pd
import statsmodels.formula.api as smf

df = pd.read_parquet("/data/project123/cohort.parquet")
df = df[(df.age >= 18) & df.bmi.notna()]
print("cohort size:", len(df))
ct = pd.crosstab(df.region, df.agegrp)
ct = ct.where(ct >= 10)  # suppress small cells
ct.to_csv("outputs/crosstab_region_age.csv")
m = smf.logit("diabetes ~ age + bmi + C(smoker) + C(sex)", data=df).fit()
m.summary2().tables[1].to_csv("outputs/logit_coefficients.csv")
""")
open(P("analysis.R"), "w").write("""library(dplyr)
library(survival)
df <- readRDS("/data/project123/cohort.rds")
df <- df %>% filter(age >= 18, !is.na(bmi))
fit <- survfit(Surv(time, event) ~ diabetes, data = df)
summary(fit, times = c(1, 5, 10))
cox <- coxph(Surv(time, event) ~ diabetes + age + sex, data = df)
write.csv(broom::tidy(cox, exponentiate = TRUE, conf.int = TRUE), "outputs/cox.csv", row.names = FALSE)
tab <- df %>% count(region, sex) %>% mutate(n = ifelse(n < 10, NA, round(n / 5) * 5))
""")
open(P("analysis.do"), "w").write("""* Stata analysis of diabetes cohort
use "/data/project123/cohort.dta", clear
keep if age >= 18 & !missing(bmi)
tabulate region agegrp, row
logistic diabetes c.age c.bmi i.smoker i.sex
estat gof
stset time, failure(event)
sts graph, by(diabetes)
graph export "outputs/km.png", replace
""")
open(P("extract.sql"), "w").write("""-- cohort extraction
SELECT p.patient_id, p.year_of_birth, p.sex, d.diagnosis_date
FROM patients p
JOIN diagnoses d ON d.patient_id = p.patient_id
WHERE d.code LIKE 'E11%'
  AND p.year_of_birth <= 2005;

SELECT region, COUNT(*) AS n
FROM patients
GROUP BY region
HAVING COUNT(*) >= 10;
""")
t0 = datetime.datetime(2026, 11, 3, 9, 14, 2)
lines = []


def log(dt, msg):
    lines.append(f"{(t0 + datetime.timedelta(seconds=dt)).isoformat(sep=' ')} INFO {msg}")


log(0, "Starting analysis pipeline v1.3.2")
log(2, "Loaded cohort table: 5000 rows, 12 columns")
log(3, "Excluded 212 rows with missing BMI")
log(3, "Excluded 41 rows aged under 18")
log(4, "Analysis cohort: 4747 patients")
log(9, "Fitting logistic regression (diabetes ~ age + bmi + smoker + sex)")
log(10, "Optimization terminated successfully. Current function value: 0.612344  Iterations: 6")
log(10, "Model converged after 6 iterations")
log(15, "Fitting Cox model: 1498 events among 4747 patients")
log(17, "Cox model converged (4 iterations), concordance 0.61")
log(18, "WARNING: 3 covariates had variance inflation factor > 2.0")
log(19, "Wrote outputs/crosstab_region_age.csv (42 cells, min cell 61)")
log(20, "Finished in 20.4 s")
open(P("run.log"), "w").write("\n".join(lines) + "\n")
open(P("README.md"), "w").write("""# Project 123: diabetes and smoking

Outputs requested for release, all aggregate.

- `crosstab_region_age.csv`: counts of patients by region and age group; all cells >= 10.
- `logit_coefficients.csv`: logistic regression coefficients.
- Figures: `fig_*.png`, produced by `analysis.py`.

Cohort: adults aged 18+ with a recorded BMI, 2010-2022. Small cells suppressed (<10), counts rounded to 5 where indicated.
""")
open(P("requirements.txt"), "w").write(
    "pandas==2.2.2\nnumpy==1.26.4\nstatsmodels==0.14.2\nmatplotlib==3.9.0\nseaborn==0.13.2\n"
)


# ---------- CLEAN extras: other common shapes ----------
# "Table 1" with n (%) and mean (SD) cells
def npct(mask):
    return f"{mask.sum():,} ({100 * mask.mean():.1f}%)"


t1 = []
for lab, col, lev in [
    ("Female", "sex", "Female"),
    ("Current smoker", "smoker", "Current"),
    ("Former smoker", "smoker", "Former"),
]:
    t1.append([lab] + [npct(cohort[cohort.diabetes == g][col] == lev) for g in (0, 1)])
for lab, col in [("Age, mean (SD)", "age"), ("BMI, mean (SD)", "bmi")]:
    t1.append(
        [lab]
        + [
            f"{cohort[cohort.diabetes == g][col].mean():.1f} ({cohort[cohort.diabetes == g][col].std():.1f})"
            for g in (0, 1)
        ]
    )
n0, n1 = (cohort.diabetes == 0).sum(), (cohort.diabetes == 1).sum()
pd.DataFrame(
    t1, columns=["Characteristic", f"No diabetes (N={n0:,})", f"Diabetes (N={n1:,})"]
).to_csv(P("table1.csv"), index=False)
# R broom::tidy style output written by write.csv (quoted, row names)
tidy = pd.DataFrame(
    {
        "term": ["diabetes", "age", "sexMale"],
        "estimate": [1.31, 1.04, 1.12],
        "std.error": [0.061, 0.002, 0.055],
        "statistic": [4.43, 19.6, 2.06],
        "p.value": [9.4e-06, 1.2e-85, 0.039],
        "conf.low": [1.16, 1.036, 1.005],
        "conf.high": [1.48, 1.044, 1.25],
    }
)
tidy.index = tidy.index + 1
tidy.to_csv(P("cox_tidy_R.csv"), quoting=1)
# survival life table (summary(survfit) at fixed times), all n.risk and n.event >= 10
lt = pd.DataFrame(
    {
        "strata": ["diabetes=0"] * 3 + ["diabetes=1"] * 3,
        "time": [1, 5, 10] * 2,
        "n.risk": [3120, 1650, 410, 1420, 690, 150],
        "n.event": [330, 820, 310, 160, 370, 120],
        "survival": [0.906, 0.672, 0.512, 0.898, 0.651, 0.483],
        "std.err": [0.005, 0.008, 0.011, 0.008, 0.013, 0.017],
        "lower 95% CI": [0.896, 0.656, 0.490, 0.882, 0.626, 0.450],
        "upper 95% CI": [0.916, 0.688, 0.534, 0.914, 0.676, 0.516],
    }
)
lt.to_csv(P("life_table.csv"), index=False)
# counts rounded to nearest 5 with a Total margin
r5 = (pd.crosstab(cohort.imd_quintile, cohort.smoker) / 5).round() * 5
r5 = r5.astype(int)
r5["Total"] = r5.sum(axis=1)
r5.to_csv(P("counts_rounded5.csv"))
# Stata log
open(P("stata_output.log"), "w").write("""  ___  ____  ____  ____  ____ (R)
 /__    /   ____/   /   ____/
___/   /   /___/   /   /___/   18.0   Copyright 1985-2023 StataCorp LLC

. logistic diabetes c.age c.bmi i.smoker i.sex

Logistic regression                                     Number of obs =  4,747
                                                        LR chi2(5)    = 612.41
                                                        Prob > chi2   = 0.0000
Log likelihood = -2906.7741                             Pseudo R2     = 0.0953

------------------------------------------------------------------------------
    diabetes | Odds ratio   Std. err.      z    P>|z|     [95% conf. interval]
-------------+----------------------------------------------------------------
         age |   1.040712   .0021935    18.95   0.000     1.036422    1.045020
         bmi |   1.052411   .0045963    11.70   0.000     1.043441    1.061459
             |
      smoker |
     Former  |   .5857162   .0601935    -5.21   0.000     .4788411    .7164466
      Never  |   .6031248   .0525361    -5.81   0.000     .5084614    .7154131
             |
         sex |
       Male  |   1.023415   .0641282     0.37   0.712     .9051294    1.157161
       _cons |   .0054444   .0016347   -17.37   0.000     .0030219    .0098088
------------------------------------------------------------------------------
""")
# transparent PNG, hexbin, smooth 2-D density rendered with imshow, rasterized scatter PDF
fig = fig_line()
fig.savefig(P("fig_line_transparent.png"), transparent=True, dpi=150)
plt.close(fig)
fig, ax = plt.subplots()
hb = ax.hexbin(cohort.age, cohort.bmi, gridsize=25, mincnt=10, cmap="Blues")
fig.colorbar(hb, label="count (>=10)")
fig.savefig(P("fig_hexbin.png"), dpi=150)
plt.close(fig)
H, xe, ye = np.histogram2d(cohort.age, cohort.bmi, bins=30)
fig, ax = plt.subplots()
im = ax.imshow(
    H.T,
    origin="lower",
    aspect="auto",
    interpolation="bilinear",
    cmap="magma",
    extent=[xe[0], xe[-1], ye[0], ye[-1]],
)
fig.colorbar(im)
ax.set_xlabel("Age")
ax.set_ylabel("BMI")
fig.savefig(P("fig_density_imshow.png"), dpi=200)
fig.savefig(P("fig_density_imshow.pdf"))
plt.close(fig)
fig, ax = plt.subplots()
ax.plot(np.linspace(0, 10, 200), np.exp(-np.linspace(0, 10, 200) / 5))
fig.savefig(P("fig_simple.jpg"), dpi=100)
plt.close(fig)
# xlsx with a formula Total row and a title row, as built by hand in Excel/openpyxl
import openpyxl

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Table 2"
ws.append(["Table 2. Patients by IMD quintile and smoking status (counts rounded to 5)"])
ws.append([])
ws.append(["IMD quintile", "Current", "Former", "Never", "Total"])
for i, (q, r) in enumerate(r5.iterrows()):
    row = 4 + i
    ws.append([int(q), int(r.Current), int(r.Former), int(r.Never), f"=SUM(B{row}:D{row})"])
ws.append(["Total"] + [f"=SUM({c}4:{c}8)" for c in "BCDE"])
ws.append([])
ws.append(["Source: Project 123, TRE extract 2026-10."])
wb.save(P("table2_formulas.xlsx"))
# HTML report as produced by df.to_html / quarto-like export
open(P("report.html"), "w").write(
    "<html><head><meta charset='utf-8'><title>Report</title></head><body><h1>Results</h1>"
    + bygrp.to_html()
    + "<p>All counts at least 10.</p></body></html>"
)

# ================= DIRTY =================
expected = {}


def exp(f, rules, verdict):
    expected[f] = {"rules": rules, "verdict": verdict}


ct_small = ct.copy()
ct_small.iloc[2, 5] = 3
ct_small.to_csv(Q("crosstab_small_cell.csv"))
exp("crosstab_small_cell.csv", ["T001"], "review")
pd.DataFrame(
    {
        "group": ["Type 1 under 25", "Type 2"],
        "n": [4, 1480],
        "mean_hba1c": [71.3, 58.2],
        "sd_hba1c": [6.1, 12.4],
    }
).to_csv(Q("mean_n4.csv"), index=False)
exp("mean_n4.csv", ["T002"], "review")
mm = (
    cohort.groupby("agegrp", observed=True)
    .agg(n=("bmi", "size"), mean=("bmi", "mean"), min=("bmi", "min"), max=("bmi", "max"))
    .round(1)
)
mm.to_csv(Q("bmi_min_max.csv"))
exp("bmi_min_max.csv", ["T004"], "review")


def postcode():
    L = "ABCDEFGHJKLMNOPRSTUWYZ"
    return f"{random.choice(['LS','M','B','SW','NE','CF','G','EH'])}{random.randint(1,19)} {random.randint(0,9)}{random.choice(L)}{random.choice(L)}"


ext = pd.DataFrame(
    {
        "patient_id": np.arange(100001, 100501),
        "dob": [
            (datetime.date(1940, 1, 1) + datetime.timedelta(days=int(d))).isoformat()
            for d in rng.integers(0, 25000, 500)
        ],
        "sex": rng.choice(["F", "M"], 500),
        "postcode": [postcode() for _ in range(500)],
    }
)
ext.to_csv(Q("extract_person_level.csv"), index=False)
exp("extract_person_level.csv", ["D001", "T007"], "block")


def nhs():
    while True:
        d = [random.randint(0, 9) for _ in range(9)]
        d[0] = random.randint(4, 6)
        c = 11 - sum(x * w for x, w in zip(d, range(10, 1, -1))) % 11
        if c == 11:
            c = 0
        if c != 10:
            return "".join(map(str, d)) + str(c)


head = pd.DataFrame(
    {
        "nhs_number": [nhs() for _ in range(5)],
        "age": [67, 54, 71, 45, 80],
        "sex": list("FMMFF"),
        "bmi": [31.2, 27.4, 24.9, 35.1, 22.0],
        "diabetes": [1, 0, 1, 1, 0],
    }
)
open(Q("debug_run.log"), "w").write(
    "\n".join(lines[:3])
    + "\n2026-11-03 09:14:05 DEBUG df.head():\n"
    + head.to_string()
    + "\n"
    + "\n".join(lines[3:])
    + "\n"
)
exp("debug_run.log", ["E001", "E008"], "block")
# PNG with appended data
png = open(P("fig_line_dpi100.png"), "rb").read()
open(Q("fig_appended.png"), "wb").write(png + os.urandom(4000))
exp("fig_appended.png", ["G001"], "block")
# PNG LSB embedding 0.5 bpc on noisy photo-like region
fig, ax = plt.subplots()
ax.imshow(rng.normal(128, 40, (120, 160)).clip(0, 255), cmap="gray")
ax.set_title("Scan intensity")
buf = io.BytesIO()
fig.savefig(buf, format="png", dpi=100)
plt.close(fig)
im = np.array(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")).astype(np.uint8)
mask = rng.random(im.shape) < 0.5
bits = rng.integers(0, 2, im.shape, dtype=np.uint8)
im[mask] = (im[mask] & 0xFE) | bits[mask]
Image.fromarray(im).save(Q("fig_lsb_stego.png"))
exp("fig_lsb_stego.png", ["G011", "G012"], "block")
# variant: LSB embedding only on the noisy region (plot elsewhere untouched)
im2 = np.array(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")).astype(np.uint8)
region = np.zeros(im2.shape[:2], bool)
region[60:420, 90:560] = True  # roughly the axes area
gray = im2.astype(int).std(axis=2) < 1
noisy = region & gray
sel = noisy[..., None] & (rng.random(im2.shape) < 0.5)
im2[sel] = (im2[sel] & 0xFE) | rng.integers(0, 2, im2.shape, dtype=np.uint8)[sel]
Image.fromarray(im2).save(Q("fig_lsb_stego_region.png"))
exp("fig_lsb_stego_region.png", ["G011", "G012"], "block")
# 17 significant digits
res = pd.DataFrame(
    {
        "term": ["age", "bmi", "smoker_current", "sex_male"],
        "estimate": [0.0391, 0.0512, 0.47, 0.02],
        "std_error": [0.002, 0.004, 0.06, 0.05],
    }
)
for c in ("estimate", "std_error"):
    res[c] = [f"{v + random.random() * 1e-3:.17g}" for v in res[c]]
    res[c] = [s if len(s.replace(".", "").replace("0", "", 1)) >= 17 else s for s in res[c]]
res.to_csv(Q("results_17digits.csv"), index=False)
exp("results_17digits.csv", ["T009", "T010"], "block")
# KNN pickle
from sklearn.neighbors import KNeighborsClassifier

X = cohort[["age", "bmi", "sbp"]].values[:1000]
y = cohort.diabetes.values[:1000]
pickle.dump(KNeighborsClassifier(5).fit(X, y), open(Q("knn_model.pkl"), "wb"))
exp("knn_model.pkl", ["M003"], "block")
# base64 note
b = base64.b64encode(os.urandom(20480)).decode()
open(Q("notes.txt"), "w").write(
    "Notes from meeting 12 Nov.\nConfig blob for later:\n"
    + "\n".join(b[i : i + 76] for i in range(0, len(b), 76))
    + "\nEnd.\n"
)
exp("notes.txt", ["E009"], "block")
# zip with one clean one dirty
with zipfile.ZipFile(Q("tables.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.write(P("crosstab_region_age.csv"), "crosstab_region_age.csv")
    z.write(Q("crosstab_small_cell.csv"), "crosstab_small_cell.csv")
exp("tables.zip", ["A001", "T001"], "review")
# recoverable suppression
# (a consistent table: the true London/Current value is 7, printed as <10; row and column totals printed)
supn = pd.crosstab(cohort.region, cohort.smoker)
supn.loc["London", "Current"] = 7
sup = supn.copy()
sup["Total"] = sup.sum(axis=1)
sup.loc["Total"] = sup.sum(axis=0)
sup = sup.astype(object)
sup.loc["London", "Current"] = "<10"
sup.to_csv(Q("suppressed_recoverable.csv"))
exp("suppressed_recoverable.csv", ["T006"], "block")
# the same, but the researcher replaced a large cell with <10 by mistake so the margins contradict it
bad = pd.crosstab(cohort.region, cohort.smoker, margins=True, margins_name="Total").astype(object)
bad.loc["London", "Current"] = "<10"
bad.to_csv(Q("suppressed_inconsistent.csv"))
exp("suppressed_inconsistent.csv", ["T006", "T008"], "review")
# more realistic variants of common dirty outputs
sup2 = ct.copy().astype(object)
sup2["Total"] = ct.sum(axis=1)
sup2.iloc[1, 0] = "*"
sup2.to_csv(Q("suppressed_star_rowtotal.csv"))
exp("suppressed_star_rowtotal.csv", ["T006"], "block")
pct_bad = pd.DataFrame(
    {
        "ethnicity": ["White", "Asian", "Black", "Mixed", "Other"],
        "n": [4210, 380, 250, 7, 153],
        "percent": [84.2, 7.6, 5.0, 0.1, 3.1],
    }
)
pct_bad.to_csv(Q("ethnicity_n7.csv"), index=False)
exp("ethnicity_n7.csv", ["T001"], "review")
pct_only = pd.DataFrame(
    {
        "ethnicity": ["White", "Asian", "Black", "Mixed", "Other"],
        "percent": [84.22, 7.60, 5.00, 0.06, 3.12],
    }
)
pct_only.attrs = {}
open(Q("ethnicity_pct_only.csv"), "w").write("# N = 5000\n" + pct_only.to_csv(index=False))
exp("ethnicity_pct_only.csv", ["T001"], "review")
# person-level extract in xlsx
ext.head(300).to_excel(Q("extract_person_level.xlsx"), index=False)
exp("extract_person_level.xlsx", ["D001", "T007"], "block")
# notebook with df.head()
nb2 = new_notebook()
c = new_code_cell("df.head()")
c.execution_count = 1
c.outputs = [
    new_output(
        "execute_result",
        data={"text/plain": head.to_string(), "text/html": head.to_html()},
        execution_count=1,
    )
]
nb2.cells.append(c)
nbformat.write(nb2, Q("notebook_head.ipynb"))
exp("notebook_head.ipynb", ["P013", "E001"], "block")
# log with per-patient lines (no NHS number)
open(Q("loop_debug.log"), "w").write(
    "\n".join(
        f"processing patient {pid} age={a} sex={s} bmi={b}"
        for pid, a, s, b in zip(
            ext.patient_id[:40], cohort.age[:40].astype(int), cohort.sex[:40], cohort.bmi[:40]
        )
    )
    + "\n"
)
exp("loop_debug.log", ["E008"], "block")
# docx with small cell
doc = docx.Document()
doc.add_paragraph("Table 2. Patients by age group with rare complication.")
t = doc.add_table(rows=1, cols=2)
t.rows[0].cells[0].text = "Age group"
t.rows[0].cells[1].text = "n"
for a, n in [("18-39", 2), ("40-59", 34), ("60+", 61)]:
    r = t.add_row().cells
    r[0].text = a
    r[1].text = str(n)
doc.save(Q("report_small_cell.docx"))
exp("report_small_cell.docx", ["T001"], "review")
# pickle of a DataFrame
pickle.dump(cohort.head(1000), open(Q("cohort_df.pkl"), "wb"))
exp("cohort_df.pkl", ["M005"], "block")

# ---------- DIRTY probes: common shapes of the same disclosures ----------
cohort[["age", "bmi", "sbp"]].describe().to_csv(Q("describe_default.csv"))
exp("describe_default.csv", ["T004"], "review")
cohort[["age", "bmi", "sbp"]].describe().T.to_csv(Q("describe_default_T.csv"))
exp("describe_default_T.csv", ["T004"], "review")
t1s = pd.read_csv(P("table1.csv"))
t1s.iloc[1, 2] = "3 (0.3%)"
t1s.to_csv(Q("table1_small_cell.csv"), index=False)
exp("table1_small_cell.csv", ["T001"], "review")
lts = pd.read_csv(P("life_table.csv"))
lts.loc[5, "n.risk"] = 8
lts.loc[5, "n.event"] = 3
lts.to_csv(Q("life_table_small.csv"), index=False)
exp("life_table_small.csv", ["T001"], "review")
ps = pd.read_csv(P("pct_smoker_by_age.csv"))
ps.loc[0, ["Current", "Former", "Never"]] = [0.4, 32.1, 67.5]
ps.loc[0, "n"] = 750
ps.to_csv(Q("pct_with_n_small.csv"), index=False)
exp("pct_with_n_small.csv", ["T001"], "review")  # 0.4% of 750 = 3
cts = ct.copy()
cts.iloc[0, 0] = 4
open(Q("report_small.html"), "w").write(
    "<html><body><h1>Results</h1>" + cts.to_html() + "</body></html>"
)
exp("report_small.html", ["T001"], "review")
open(Q("results.md"), "w").write(
    "# Results\n\n| Region | Cases |\n|---|---|\n| London | 4 |\n| Midlands | 136 |\n| North East | 139 |\n"
)
exp("results.md", ["T001"], "review")
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["Table 3. Admissions by region"])
ws.append([])
ws.append(["Region", "Admissions", "Deaths"])
for r, a, dd in [("London", 120, 2), ("Midlands", 98, 14), ("North East", 87, 11)]:
    ws.append([r, a, dd])
wb.save(Q("table3_title_small.xlsx"))
exp("table3_title_small.xlsx", ["T001"], "review")
cts.to_csv(Q("crosstab_R_style.csv"), quoting=1)
exp("crosstab_R_style.csv", ["T001"], "review")
open(Q("stata_tab.log"), "w").write(""". tabulate region complication

           |     complication
    region |         0          1 |     Total
-----------+----------------------+----------
    London |       728          4 |       732
  Midlands |       670         12 |       682
-----------+----------------------+----------
     Total |     1,398         16 |     1,414
""")
exp("stata_tab.log", ["T001"], "review")


# ---------- probes found during the sweep ----------
open(P("bmi_n_and_missing.csv"), "w").write(
    "agegrp,n,n_missing,mean_bmi,sd_bmi\n18-39,812,41,27.1,4.9\n40-59,1200,63,27.6,5.0\n60+,1510,88,27.4,5.1\n"
)
open(P("events_person_years.csv"), "w").write(
    "imd,events,person_years,rate_per_1000\n1,210,5120,41.0\n2,198,5230,37.9\n3,230,5010,45.9\n"
)
wk = pd.date_range("2019-01-07", periods=260, freq="W-MON")
pd.DataFrame(
    [
        (d.date(), r, int(rng.integers(20, 400)))
        for d in wk
        for r in ["North", "Midlands", "London", "South"]
    ],
    columns=["week_start", "region", "admissions"],
).to_csv(P("weekly_admissions_by_region.csv"), index=False)
open(Q("counts_then_N.csv"), "w").write(
    "region,Current,Former,Never,N\nLondon,4,246,336,586\nMidlands,136,197,349,682\nNorth East,139,224,360,723\n"
)
exp("counts_then_N.csv", ["T001"], "review")
small = pd.DataFrame({"age": [61, 72, 55, 80], "bmi": [31.2, 27.4, 24.9, 35.1]})
small.describe().T[["count", "mean", "std", "25%", "50%", "75%"]].round(2).to_csv(
    Q("describe_n4_quartiles.csv")
)
exp("describe_n4_quartiles.csv", ["T002"], "review")
pd.DataFrame(
    {"predicted_prob": rng.random(2000).round(4), "observed": rng.integers(0, 2, 2000)}
).to_csv(Q("calibration_points.csv"), index=False)
exp("calibration_points.csv", ["T007"], "block")

json.dump(expected, open(os.path.join(ROOT, "dirty_expected.json"), "w"), indent=1)
print(len(os.listdir(CD)), "clean;", len(os.listdir(DD)), "dirty")
