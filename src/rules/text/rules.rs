//! The text family's rules (code letter E): their documentation, in code order.

use crate::finding::Severity;
use crate::rules::{Family, Rule};

const IDENTIFIER_WHY: &str = "A direct identifier in an output names a patient: it is a \
    disclosure by itself, whatever else the file holds, and outputs from a TRE must hold no \
    record-level identifiers (the Five Safes' 'safe outputs').";
const IDENTIFIER_FIX: &str = "Remove the line from the output (and the print or log call \
    that wrote it). If the value is made up for testing, use a reserved test value or change \
    the rule's severity in the project's policy with a reason.";

pub static NHS_NUMBER: Rule = Rule {
    code: "E001",
    name: "nhs-number",
    family: Family::Text,
    severity: Severity::Block,
    summary: "an NHS number with a valid check digit in text",
    detects: "Ten digits, alone or written 3-3-4, standing apart from longer numbers, \
              decimals and hex tokens, whose modulus-11 check digit is valid and whose first \
              digits fall in an allocated range (3xx from 320, 4xx to 9xx). Shown masked: \
              943 *** **19.",
    why: IDENTIFIER_WHY,
    fix: IDENTIFIER_FIX,
    policy_keys: &["text.max_findings", "rules.E001"],
    references: &[
        "NHS Data Dictionary, NHS Number (modulus 11 check digit)",
        "Five Safes: Desai, Ritchie and Welpton (2016)",
    ],
};

pub static CHI_NUMBER: Rule = Rule {
    code: "E002",
    name: "chi-number",
    family: Family::Text,
    severity: Severity::Block,
    summary: "a Scottish CHI number (date of birth and check digit) in text",
    detects: "Ten digits, alone or written 6-4, whose first six are a real DDMMYY date and \
              whose tenth is the modulus-11 check digit. Shown masked: ****** **38.",
    why: IDENTIFIER_WHY,
    fix: IDENTIFIER_FIX,
    policy_keys: &["text.max_findings", "rules.E002"],
    references: &["ISD Scotland data dictionary, CHI Number"],
};

pub static NATIONAL_INSURANCE_NUMBER: Rule = Rule {
    code: "E003",
    name: "national-insurance-number",
    family: Family::Text,
    severity: Severity::Block,
    summary: "a National Insurance number in text",
    detects: "Two prefix letters HMRC can allocate, six digits (spaced in pairs or not) and a \
              suffix A-D. Prefixes with D, F, I, Q, U or V, a second letter O, and BG, GB, \
              KN, NK, NT, TN, ZZ are not numbers. Shown masked: AB ** ** ** C.",
    why: IDENTIFIER_WHY,
    fix: IDENTIFIER_FIX,
    policy_keys: &["text.max_findings", "rules.E003"],
    references: &["HMRC National Insurance Manual, NIM39110"],
};

pub static POSTCODE: Rule = Rule {
    code: "E004",
    name: "postcode",
    family: Family::Text,
    severity: Severity::Block,
    summary: "a full UK postcode in text",
    detects: "A full postcode in capitals: a valid area and district, one space and an inward \
              code of a digit and two letters from the Royal Mail set. Outward codes alone \
              (districts) are not reported. Shown masked to the district: EH1 ***.",
    why: "A full postcode covers about 15 households; with a date of birth and sex it \
          identifies most people. Published statistics stop at districts or sectors.",
    fix: "Remove the postcode, or aggregate to the district or a larger area.",
    policy_keys: &["text.max_findings", "rules.E004"],
    references: &[
        "ONS Postcode Directory user guide, postcode formats",
        "Royal Mail, Programmers' Guide to PAF",
    ],
};

pub static DATE_OF_BIRTH: Rule = Rule {
    code: "E005",
    name: "date-of-birth",
    family: Family::Text,
    severity: Severity::Block,
    summary: "a date of birth written next to its label in text",
    detects: "A valid calendar date starting within text.dob_window_bytes after 'date of \
              birth', 'DOB', 'D.O.B.', 'birth date', 'birthdate' or 'born' on the same line, \
              with no comparison between. Shown masked: **/**/****.",
    why: "Date of birth, postcode and sex single out most of a population (Sweeney, 2000). \
          A full date of birth is a personal identifier.",
    fix: "Remove the line, or report age in bands instead of dates.",
    policy_keys: &["text.dob_window_bytes", "text.max_findings", "rules.E005"],
    references: &["L. Sweeney (2000), Simple Demographics Often Identify People Uniquely"],
};

pub static EMAIL_ADDRESS: Rule = Rule {
    code: "E006",
    name: "email-address",
    family: Family::Text,
    severity: Severity::Block,
    summary: "an e-mail address in text",
    detects: "A local part, '@' and a dotted domain with an alphabetic top-level domain. The \
              RFC 2606 example domains, .test, .invalid, .localhost, git@ remotes and noreply \
              addresses are ignored, and an address on a code author line is left to \
              author-email (E011). Shown masked: j***@ed.ac.uk.",
    why: "An e-mail address names a person. In a TRE output it is either a patient's contact \
          detail or a researcher's, and neither belongs in a released file.",
    fix: "Remove the address; credit authors in the publication, not in released outputs. \
          A code author's own address is reported by author-email (E011) instead.",
    policy_keys: &["text.max_findings", "rules.E006"],
    references: &[
        "RFC 5322, section 3.4.1",
        "RFC 2606, reserved example domains",
    ],
};

pub static PHONE_NUMBER: Rule = Rule {
    code: "E007",
    name: "phone-number",
    family: Family::Text,
    severity: Severity::Block,
    summary: "a UK telephone number in text",
    detects: "A number of ten digits after a trunk 0 or +44, starting 1, 2, 3, 7 or 8, written \
              in at most three groups of three or more digits. Shown masked: 07*** ****23.",
    why: "A telephone number identifies a person or a household.",
    fix: "Remove the number from the output.",
    policy_keys: &["text.max_findings", "rules.E007"],
    references: &["Ofcom, National Telephone Numbering Plan"],
};

pub static ROW_LISTING: Rule = Rule {
    code: "E008",
    name: "row-listing",
    family: Family::Text,
    severity: Severity::Block,
    summary: "a log or note that echoes raw records",
    detects: "At least text.row_min_rows consecutive lines split by the same delimiter (tab, \
              comma, bar, semicolon or spaces) into the same number of fields, at least \
              text.row_min_fields, each line holding a date (not a log timestamp) or an \
              identifier. This is what print(df), head() or a debugging loop leaves in a log.",
    why: "Record-level data must not leave a TRE. A listing of rows with dates or identifiers \
          is microdata, however few the rows.",
    fix: "Remove the printed rows from the log or notes, and the print call from the code; \
          release aggregate tables instead.",
    policy_keys: &["text.row_min_rows", "text.row_min_fields", "rules.E008"],
    references: &["ONS, Statistical Disclosure Control guidance: microdata"],
};

pub static ENCODED_PAYLOAD: Rule = Rule {
    code: "E009",
    name: "encoded-payload",
    family: Family::Text,
    severity: Severity::Block,
    summary: "a base64, base32, hex, Ascii85 or uuencoded run that decodes to data",
    detects: "Runs of an encoding's alphabet (joined across wrapped lines) that decode to at \
              least text.payload_min_bytes bytes with at least text.payload_entropy_bits bits \
              per byte. Digests (MD5, SHA-1, git, SHA-256, SHA-512) and UUIDs are shorter than \
              the minimum; URLs break runs.",
    why: "Encoded data cannot be read by a reviewer: it may be encrypted or compressed \
          records. The decoded size counts against the capacity budget.",
    fix: "Remove the encoded data. Release the content it holds in a checkable form.",
    policy_keys: &[
        "text.payload_min_bytes",
        "text.payload_entropy_bits",
        "rules.E009",
    ],
    references: &[
        "RFC 4648, Base16, Base32 and Base64 encodings",
        "Adobe PostScript Language Reference, ASCII85Decode",
        "POSIX uuencode",
    ],
};

pub static INVISIBLE_CHARACTERS: Rule = Rule {
    code: "E010",
    name: "invisible-characters",
    family: Family::Text,
    severity: Severity::Block,
    summary: "invisible Unicode characters in bulk, able to carry hidden bits",
    detects: "Zero-width characters, tag characters (U+E0000-E007F), bidirectional controls \
              and variation selectors outside their legitimate uses (emoji sequences, flags, \
              right-to-left text), when they could carry at least text.invisible_min_bits \
              bits (count times log2 of the distinct characters used).",
    why: "Invisible characters display as nothing, so a reviewer reading the text cannot see \
          a message encoded in them.",
    fix: "Remove the characters (most editors can show them); if they came from pasted text, \
          retype it.",
    policy_keys: &["text.invisible_min_bits", "rules.E010"],
    references: &[
        "Unicode Technical Standard #39, Unicode Security Mechanisms",
        "N. Boucher and R. Anderson (2021), Trojan Source",
    ],
};

pub static AUTHOR_EMAIL: Rule = Rule {
    code: "E011",
    name: "author-email",
    family: Family::Text,
    severity: Severity::Info,
    summary: "a code author's e-mail address on an author line",
    detects: "An e-mail address written as the author or maintainer of code: after 'Author', \
              '@author', 'Maintainer', '__email__', 'author_email' or an R person() on the \
              same line (within 120 bytes), or as the email key of an 'authors' or \
              'maintainers' block opened up to 4 lines above (pyproject.toml, R DESCRIPTION). \
              Anywhere else, data-like lines included, an address is an email-address (E006) \
              finding. Shown masked: j***@ed.ac.uk.",
    why: "Signing code is normal practice, and the address is the researcher's own, known to \
          the TRE: it identifies no patient. It is recorded so that a project that does not \
          want staff addresses released can raise it to review.",
    fix: "Nothing for most projects. To keep staff addresses out of released code, remove the \
          author line or set rules.E011 to review in the project's policy.",
    policy_keys: &["text.max_findings", "rules.E011"],
    references: &[
        "R Packages (Wickham and Bryan), the DESCRIPTION file: Authors@R",
        "Python Packaging User Guide, pyproject.toml: authors and maintainers",
    ],
};
