//! The table rules' identities and documentation (family T).

use crate::finding::Severity;
use crate::rules::{Family, Rule};

const LLC: &str = "UK LLC, Statistical disclosure control guide, \
                   guidebook.ukllc.ac.uk/docs/user_guide/sdc";
const ABS: &str = "ABS DataLab output rules (rule of 10, quantiles, dominance)";
const OPENSAFELY: &str = "OpenSAFELY, Statistical disclosure control, docs.opensafely.org/sdc";
const HUNDEPOOL: &str = "A. Hundepool et al. (2012), Statistical Disclosure Control, Wiley";
const ACRO: &str = "AI-SDC/ACRO default.yaml and issues 117, 137, 198, 413";

pub static SMALL_CELL: Rule = Rule {
    code: "T001",
    name: "small-cell",
    family: Family::Table,
    severity: Severity::Review,
    summary: "a count under the threshold, printed or recovered from a percentage",
    detects: "Cells of count columns (headers such as n, count, freq, or columns of \
              non-negative integers, margins included) under tables.threshold, and zeros when \
              tables.zeros_are_disclosive. Counts are also recovered from a percentage and \
              the denominator printed beside it (count = % x N / 100) when the result is a \
              whole number to the printed precision.",
    why: "A cell of 3 patients lets anyone who knows two of them learn about the third; a zero \
          says that no one in the group has the attribute. Percentages with their N are \
          counts in disguise.",
    fix: "Suppress or merge the small cells (then suppress a second cell per row and column so \
          they cannot be recomputed from the totals), or round the counts.",
    policy_keys: &[
        "tables.threshold",
        "tables.zeros_are_disclosive",
        "rules.T001",
    ],
    references: &[LLC, ABS, OPENSAFELY, ACRO],
};

pub static STATISTIC_FROM_TOO_FEW: Rule = Rule {
    code: "T002",
    name: "statistic-from-too-few",
    family: Family::Table,
    severity: Severity::Review,
    summary: "a mean, median, SD, percentage or rate whose own n is under the threshold",
    detects: "Statistics computed from the units of a cell (mean, median, SD, percentage, \
              rate, sum, min, max) whose n, printed in a count column of the same header \
              group or the table's only n column, is under tables.threshold, or is suppressed \
              while the statistic is printed.",
    why: "A mean of two values and one of them is the other's; a median of three is one \
          person's value. The threshold applies to every statistic, not only to counts.",
    fix: "Suppress the statistic with its n, or merge groups until every n reaches the \
          threshold.",
    policy_keys: &["tables.threshold", "rules.T002"],
    references: &[LLC, ABS],
};

pub static UNVERIFIABLE_CELL_SIZE: Rule = Rule {
    code: "T003",
    name: "unverifiable-cell-size",
    family: Family::Table,
    severity: Severity::Review,
    summary: "a column of means, medians, SDs or sums with no count of units beside it",
    detects: "Magnitude columns (mean, median, SD, sum, rate, min, max, range) for which the \
              table prints no n: nothing in the file says how many units each value comes \
              from.",
    why: "The threshold cannot be checked from the file alone; a person must confirm the cell \
          sizes from the analysis.",
    fix: "Add an n column beside the statistics, or attach the counts to the request.",
    policy_keys: &["rules.T003"],
    references: &[LLC, ABS],
};

pub static EXTREME_VALUES: Rule = Rule {
    code: "T004",
    name: "extreme-values",
    family: Family::Table,
    severity: Severity::Review,
    summary: "a min, max or range: one person's value",
    detects: "Columns headed min, max or range (and rows so labelled in long tables). Where a \
              max and a sum of the same cell are printed, the evidence says whether the \
              largest contributor alone holds tables.dominance_share of the total, which fails \
              the (n=2, k=90%) dominance rule.",
    why: "The minimum and maximum are values of single individuals; a top value that \
          dominates a total discloses it. Dominance itself needs contributor values the file \
          does not hold.",
    fix: "Replace min and max with percentiles of enough units (for example the 5th and 95th), \
          or top-code them.",
    policy_keys: &["tables.dominance_share", "rules.T004"],
    references: &[ABS, ACRO, HUNDEPOOL],
};

pub static CLASS_DISCLOSURE: Rule = Rule {
    code: "T005",
    name: "class-disclosure",
    family: Family::Table,
    severity: Severity::Review,
    summary: "a row or column in which every unit falls in one category",
    detects: "Rows and columns of a crosstab (margins left out) in which one category holds \
              every unit and the others are zero, and percentages of exactly 100.",
    why: "Knowing that someone belongs to the group tells you their category: \"all patients \
          at practice X had the diagnosis\".",
    fix: "Merge categories or groups, or confirm that the zeros are structural (impossible \
          combinations) and say so in the request.",
    policy_keys: &["rules.T005"],
    references: &[OPENSAFELY, LLC],
};

pub static RECOVERABLE_SUPPRESSION: Rule = Rule {
    code: "T006",
    name: "recoverable-suppression",
    family: Family::Table,
    severity: Severity::Block,
    summary: "a suppressed cell that the margins let anyone recompute or narrowly bound",
    detects: "Suppression markers (<10, *, c, [c], .., ~, REDACTED, NA in counts) in a table \
              with Total rows or columns. Each line with a total is a linear constraint; the \
              bounds of every suppressed cell are narrowed by interval propagation across rows \
              and columns. A cell solved exactly, or bounded to fewer than \
              tables.protection_interval values, is reported with its recovered value or \
              interval.",
    why: "Suppression that can be undone by subtraction protects no one: a single suppressed \
          cell in a row with a total is the total minus the rest.",
    fix: "Suppress a second cell in each affected row and column (secondary suppression), or \
          suppress the totals as well, then check again.",
    policy_keys: &["tables.protection_interval", "rules.T006"],
    references: &[LLC, HUNDEPOOL, "AI-SDC/ACRO issues 137 and 198"],
};

pub static INDIVIDUAL_LEVEL_DATA: Rule = Rule {
    code: "T007",
    name: "individual-level-data",
    family: Family::Table,
    severity: Severity::Block,
    summary: "a table that is really one row per person",
    detects: "Identifier headers (id, patient_id, nhs, chi, mrn, dob, date of birth, \
              postcode); or, in tables of at least tables.individual_rows rows, count columns \
              that are all 1, dates to the day with no count column, or no aggregate \
              statistic at all. The evidence lists every reason found.",
    why: "Record-level data must not leave a TRE as an output: it is the data itself.",
    fix: "Release aggregates (counts, means with their n) instead of records.",
    policy_keys: &["tables.individual_rows", "rules.T007"],
    references: &[
        LLC,
        "Genomics England airlock rules (participant IDs never leave)",
    ],
};

pub static ROUNDING: Rule = Rule {
    code: "T008",
    name: "rounding",
    family: Family::Table,
    severity: Severity::Review,
    summary: "a count not rounded to the policy's base, or a total inconsistent with its parts",
    detects: "When tables.rounding_base is set: count cells that are not multiples of it, and \
              totals that differ from the sum of their rounded parts by more than rounding can \
              explain (base / 2 for each part and for the total).",
    why: "Rounding is a disclosure control only if every count is rounded; unrounded totals \
          let the rounded cells be recomputed.",
    fix: "Round every count, totals included, to the base after suppression.",
    policy_keys: &["tables.rounding_base", "rules.T008"],
    references: &[OPENSAFELY, "ONS census 10-5 rule"],
};

pub static EXCESS_DIGITS: Rule = Rule {
    code: "T009",
    name: "excess-digits",
    family: Family::Table,
    severity: Severity::Review,
    summary: "numbers printed with more significant digits than the policy allows",
    detects: "Numeric cells with more than tables.significant_digits significant digits, per \
              column. The excess digits are counted as capacity: each carries log2(10) bits.",
    why: "Digits beyond any meaningful precision can carry data. Beyond 17 significant digits \
          no float64 can have produced them.",
    fix: "Round statistics to the precision they merit (usually 1 to 3 decimals).",
    policy_keys: &["tables.significant_digits", "rules.T009"],
    references: &[
        "IEEE 754-2008, 5.12.2: 17 significant digits round-trip a binary64",
        "../shared/notes/sdc-tables.md, section 5 (payloads)",
    ],
};

pub static COVERT_DIGITS: Rule = Rule {
    code: "T010",
    name: "covert-digits",
    family: Family::Table,
    severity: Severity::Block,
    summary: "digits beyond float64 precision that look uniformly random: a covert channel",
    detects: "The digits past the 17th significant digit of every numeric cell, pooled: when \
              there are at least tables.digits_min_sample of them and a chi-square test over \
              the ten digit values (9 degrees of freedom) does not reject uniformity at \
              tables.digits_alpha, they are a channel. capacity_bytes counts the bits all \
              excess digits could carry.",
    why: "No computation in doubles prints these digits; uniformly random ones are what \
          encrypted data written as decimals looks like.",
    fix: "Remove the file and find out how it was made.",
    policy_keys: &[
        "tables.digits_min_sample",
        "tables.digits_alpha",
        "tables.significant_digits",
        "rules.T010",
    ],
    references: &[
        "K. Pearson (1900), chi-square goodness-of-fit test",
        "../shared/notes/sdc-tables.md, section 5 (payloads)",
    ],
};

pub static HIDDEN_PAYLOAD: Rule = Rule {
    code: "T011",
    name: "hidden-payload-in-cells",
    family: Family::Table,
    severity: Severity::Block,
    summary: "encoded data or invisible characters in table cells",
    detects: "Runs of at least tables.payload_chars base64, base32 or hexadecimal characters, \
              long high-entropy strings, and zero-width, bidirectional-control, tag or \
              variation-selector characters, in any cell (titles and notes included). \
              capacity_bytes is the decoded size of the run, or a byte per invisible \
              character.",
    why: "Encoded or invisible text in a table is a way to carry records out past a reader \
          who only looks at the numbers.",
    fix: "Remove the strings; labels and notes need neither encoded data nor invisible \
          characters.",
    policy_keys: &["tables.payload_chars", "rules.T011"],
    references: &[
        "RFC 4648, base16, base32 and base64 encodings",
        "Unicode Technical Standard 39, invisible and default-ignorable characters",
    ],
};

pub static HIDDEN_SHEET: Rule = Rule {
    code: "T012",
    name: "hidden-sheet",
    family: Family::Table,
    severity: Severity::Review,
    summary: "a hidden or very hidden worksheet in a spreadsheet",
    detects: "Worksheets marked hidden, or very hidden (which Excel's interface cannot show). \
              Their cells are checked like any other sheet's.",
    why: "A reviewer who opens the workbook does not see them: they are where microdata left \
          behind by an analysis hides.",
    fix: "Delete the sheet, or unhide it if its content is meant to leave.",
    policy_keys: &["rules.T012"],
    references: &["MS-XLSX ST_SheetState; OpenDocument table:display"],
};

pub static UNREADABLE_TABLE: Rule = Rule {
    code: "T013",
    name: "unreadable-table",
    family: Family::Table,
    severity: Severity::Block,
    summary: "a table or spreadsheet that cannot be parsed as one",
    detects: "Spreadsheets calamine cannot open or whose sheets cannot be read, text \
              tables in which no block of at least two rows of cells can be found, and Word \
              or OpenDocument tables that their part ends inside or that lay out more cells \
              than the cap.",
    why: "What cannot be read cannot be checked; it is never passed.",
    fix: "Export the table again as plain CSV or a standard workbook.",
    policy_keys: &["rules.T013"],
    references: &[],
};

pub static TABLE_LAYOUT: Rule = Rule {
    code: "T014",
    name: "table-layout",
    family: Family::Table,
    severity: Severity::Info,
    summary: "how the table was read: header, body, label and statistic columns, margins",
    detects: "Every table read: its header lines, body lines, each column's inferred role \
              (label, count, n, percent, mean, ...) and its margins, so that a reviewer can \
              see what the other table rules assumed.",
    why: "Rules that read a table wrongly judge it wrongly; the layout makes their \
          assumptions checkable.",
    fix: "Nothing to fix. If a role is wrong, rename the header with a clearer word \
          (n, count, mean, %).",
    policy_keys: &["rules.T014"],
    references: &[],
};

pub static TABLE_DIFFERENCING: Rule = Rule {
    code: "T015",
    name: "table-differencing",
    family: Family::Table,
    severity: Severity::Review,
    summary: "two tables of the request whose difference is a small cell",
    detects: "Pairs of tables in one request (files, sheets, archive members) that count the \
              same cells over nested populations (every cell of one at least the matching \
              cell of the other, two or more cells matched by row and column label) or over \
              bands sharing an end (0-17 against 0-18), where a difference is a whole number \
              from 1 to under tables.threshold. The finding is on the second table in path \
              order and names the cell of the first.",
    why: "Each table passes alone, but subtracting one from the other prints a count of the \
          people only one of them includes: 11 admissions in one table and 10 in another \
          that leaves out one category give away that category's single patient.",
    fix: "Make the tables consistent: produce both from the same population and the same \
          bands, or suppress or round the cells whose differences are small; say in the \
          request why the populations differ if they must.",
    policy_keys: &["tables.threshold", "rules.T015"],
    references: &[ABS, HUNDEPOOL, ACRO],
};
