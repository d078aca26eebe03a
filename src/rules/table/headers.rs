//! The words of table headers: which statistic a header names, which headers are margins,
//! labels or identifiers of people. Researchers' own words are used (`n`, `N`, `count`,
//! `%`, `mean (SD)`, `median [IQR]`, `95% CI`, `se`, `df`).

/// What a statistic column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    /// A frequency: how many units fall in a cell.
    Count,
    /// A denominator or sample size (`N`, `obs`).
    N,
    Percent,
    Mean,
    Median,
    Sd,
    Min,
    Max,
    Range,
    Sum,
    Rate,
    Estimate,
    Se,
    Ci,
    P,
    Df,
    /// Numbers of no kind the header or values name.
    Value,
}

impl Stat {
    pub fn as_str(self) -> &'static str {
        match self {
            Stat::Count => "count",
            Stat::N => "n",
            Stat::Percent => "percent",
            Stat::Mean => "mean",
            Stat::Median => "median",
            Stat::Sd => "sd",
            Stat::Min => "min",
            Stat::Max => "max",
            Stat::Range => "range",
            Stat::Sum => "sum",
            Stat::Rate => "rate",
            Stat::Estimate => "estimate",
            Stat::Se => "se",
            Stat::Ci => "ci",
            Stat::P => "p",
            Stat::Df => "df",
            Stat::Value => "value",
        }
    }

    /// Counts of units: the cells the threshold applies to directly.
    pub fn is_count(self) -> bool {
        matches!(self, Stat::Count | Stat::N)
    }

    /// Statistics computed from the units of a cell, which need enough of them.
    pub fn needs_contributors(self) -> bool {
        matches!(
            self,
            Stat::Percent
                | Stat::Mean
                | Stat::Median
                | Stat::Sd
                | Stat::Min
                | Stat::Max
                | Stat::Range
                | Stat::Sum
                | Stat::Rate
        )
    }
}

const MARGIN_WORDS: &[&str] = &["total", "totals", "all", "overall", "grand total", "sum"];

/// Header words that make a numeric column a label (a year, an age band's lower bound).
pub const LABEL_WORDS: &[&str] = &[
    "year",
    "age",
    "sex",
    "gender",
    "group",
    "band",
    "category",
    "region",
    "area",
    "term",
    "variable",
    "characteristic",
    "level",
    "week",
    "month",
    "date",
    "period",
    "quarter",
    "site",
    "practice",
    "code",
    "ethnicity",
    "imd",
    "decile",
    "quintile",
    "stratum",
    "subgroup",
    "label",
    "name",
    "description",
    "outcome",
    "exposure",
    "statistic",
    "measure",
    "type",
    "id",
    "day",
];

/// True for Total, All, Overall and the like.
///
/// Compared without allocating, since every label cell of a long table is asked: the margin
/// words are ASCII, so ASCII case folding decides it.
pub fn is_margin_word(text: &str) -> bool {
    let t = text.trim().as_bytes();
    let starts = |prefix: &str| {
        t.len() >= prefix.len() && t[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    MARGIN_WORDS
        .iter()
        .any(|w| t.eq_ignore_ascii_case(w.as_bytes()))
        || starts("total ")
        || starts("all ")
        || starts("overall ")
}

/// Lowercased words of a header; `%` is a word of its own, and `N` stays upper case because
/// it names a denominator where `n` names a count.
pub fn header_words(header: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in header.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            if c == '%' {
                words.push("%".into());
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
        .into_iter()
        .map(|w| if w == "N" { w } else { w.to_lowercase() })
        .collect()
}

/// Headers that name a person or one of their identifiers.
pub fn is_identifier_header(header: &str) -> bool {
    let words = header_words(header);
    let has = |w: &str| words.iter().any(|x| x == w);
    const STRONG: &[&str] = &[
        "id", "nhs", "chi", "mrn", "dob", "postcode", "ssn", "pid", "eid", "uprn", "patid",
    ];
    STRONG.iter().any(|w| has(w))
        || (has("date") && has("birth"))
        || (has("birth") && has("date"))
        || (has("post") && has("code"))
        || (has("zip") && has("code"))
        || [
            "patient_id",
            "person_id",
            "subject_id",
            "patientid",
            "personid",
        ]
        .iter()
        .any(|w| header.to_lowercase().replace([' ', '-'], "_") == *w)
}

const COUNT_WORDS: &[&str] = &[
    "n",
    "count",
    "counts",
    "freq",
    "frequency",
    "number",
    "num",
    "cases",
    "events",
    "patients",
    "people",
    "persons",
    "deaths",
    "admissions",
    "individuals",
    "participants",
    "births",
];

/// "No." as the abbreviation of number: the whole header (`No`, `No.`), or leading it with a
/// full stop or "of" (`No. of patients`, `no of cases`, `No. (%)`). A bare leading "no" is
/// usually a negation (`no_asthma`, `No diabetes`), which labels a category, not a count.
fn is_numero(header: &str, words: &[String]) -> bool {
    if words.first().map(String::as_str) != Some("no") {
        return false;
    }
    let abbreviated = header
        .trim_start()
        .get(2..)
        .is_some_and(|rest| rest.starts_with('.'));
    words.len() == 1 || abbreviated || words.get(1).is_some_and(|w| w == "of")
}

/// The statistic a header names, if any.
pub fn stat_from_header(header: &str) -> Option<Stat> {
    let words = header_words(header);
    let has = |w: &str| words.iter().any(|x| x == w);
    let any = |list: &[&str]| list.iter().any(|w| has(w));
    let first = words.first().map(String::as_str).unwrap_or("");
    if super::layout::is_quantile_header(header) {
        return Some(Stat::Median); // `25%`: a quantile, one unit's value like a median
    }
    // Person-time (`person_years`, `pyrs`) is a total of follow-up, not a count of units: a
    // value of its own, so that a short follow-up is not taken for a small cell.
    let person_time = (has("person") || has("patient"))
        && any(&["years", "year", "days", "months", "time"])
        || any(&["py", "pyrs", "pyears", "persontime", "personyears"]);
    if person_time {
        return Some(Stat::Value);
    }
    let counts_first = COUNT_WORDS.contains(&first) || is_numero(header, &words);
    if counts_first && (has("%") || has("pct")) {
        return Some(Stat::Count); // `n (%)`: the count leads the cell
    }
    let stat = if any(&["pvalue", "pval", "sig"])
        || (has("p") && (has("value") || words.len() == 1))
        || (has("pr") && has("t"))
    {
        Stat::P
    } else if any(&["ci", "lci", "uci", "lcl", "ucl", "lower", "upper", "conf"]) {
        Stat::Ci
    } else if any(&["se", "sem", "stderr"])
        || (has("std") && (has("err") || has("error")))
        || (has("standard") && has("error"))
    {
        Stat::Se
    } else if any(&["mean", "average", "avg"]) {
        Stat::Mean
    } else if any(&[
        "median",
        "iqr",
        "p25",
        "p75",
        "q1",
        "q3",
        "quartile",
        "percentile",
        "centile",
        "quantile",
    ]) {
        Stat::Median
    } else if any(&["sd", "stdev", "std", "stddev", "variance", "var"])
        || (has("standard") && has("deviation"))
    {
        Stat::Sd
    } else if any(&["min", "minimum", "lowest", "smallest", "earliest"]) {
        Stat::Min
    } else if any(&["max", "maximum", "highest", "largest", "latest"]) {
        Stat::Max
    } else if has("range") {
        Stat::Range
    } else if any(&["df", "dof"]) || (has("degrees") && has("freedom")) {
        Stat::Df
    } else if any(&["rate", "incidence", "per"]) {
        Stat::Rate
    } else if any(&[
        "%",
        "pct",
        "percent",
        "percentage",
        "prop",
        "proportion",
        "share",
    ]) {
        Stat::Percent
    } else if any(&[
        "estimate",
        "est",
        "coef",
        "coefficient",
        "beta",
        "or",
        "hr",
        "rr",
        "irr",
        "odds",
        "ratio",
        "effect",
        "t",
        "z",
        "statistic",
    ]) {
        Stat::Estimate
    } else if any(&["sum", "sums"]) {
        Stat::Sum
    } else if any(&[
        "N",
        "denominator",
        "denom",
        "obs",
        "observations",
        "nobs",
        "population",
    ]) {
        Stat::N
    } else if any(COUNT_WORDS) || is_numero(header, &words) {
        Stat::Count
    } else {
        return None;
    };
    Some(stat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_name_statistics() {
        assert_eq!(stat_from_header("n (%)"), Some(Stat::Count));
        assert_eq!(stat_from_header("person_years"), Some(Stat::Value));
        assert_eq!(stat_from_header("Person-time (days)"), Some(Stat::Value));
        assert_eq!(stat_from_header("pyrs"), Some(Stat::Value));
        assert_eq!(stat_from_header("N"), Some(Stat::N));
        assert_eq!(stat_from_header("n"), Some(Stat::Count));
        assert_eq!(stat_from_header("mean (SD)"), Some(Stat::Mean));
        assert_eq!(stat_from_header("Median [IQR]"), Some(Stat::Median));
        assert_eq!(stat_from_header("95% CI"), Some(Stat::Ci));
        assert_eq!(stat_from_header("p_value"), Some(Stat::P));
        assert_eq!(stat_from_header("Std. Error"), Some(Stat::Se));
        assert_eq!(stat_from_header("max_los"), Some(Stat::Max));
        assert_eq!(stat_from_header("pct"), Some(Stat::Percent));
        assert_eq!(stat_from_header("Female"), None);
        assert!(is_identifier_header("patient_id"));
        assert!(is_identifier_header("Date of birth"));
        assert!(!is_identifier_header("age_band"));
    }

    #[test]
    fn no_is_a_count_only_as_an_abbreviation() {
        for header in [
            "No",
            "No.",
            "no.",
            "No. of patients",
            "no of cases",
            "No. (%)",
        ] {
            assert_eq!(stat_from_header(header), Some(Stat::Count), "{header}");
        }
        for header in ["no_asthma", "No diabetes", "none", "Norway"] {
            assert_eq!(stat_from_header(header), None, "{header}");
        }
    }
}
