"""The one definition of the six tables.

Everything that needs to know what a table looks like reads it from here: upload
validation (`data.validate`), the downloadable CSV templates and the data dictionary
(`data.templates`), the column help shown in tables, and the store (`data.store`).
A test fails if any of those drift from this module.

Multi-valued fields (``areas``, ``target_groups``, ``stakeholders`` ...) are stored as
text with items separated by ``;`` (``"housing;labour market"``); the helper
:func:`split_list` turns them back into lists. Answer maps are text too
(``"A=100;B=50;C=0"``), parsed by :func:`parse_answers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LIST_SEP = ";"

#: Values a column of kind ``level`` may take.
LEVELS = ("NUTS0", "NUTS1", "NUTS2", "NUTS3", "LAU")
#: The policy-cycle phases of MIPEX-R. Indicators carry their phase as data; this tuple
#: only fixes the *display order* of the known phases (unknown ones sort after them).
PHASE_ORDER = ("formulation", "output", "implementation", "evaluation")
#: The seven Integration Lab quality criteria (REGIN).
CRITERIA = (
    "communication",
    "inclusion",
    "innovation",
    "multi-level governance",
    "multi-stakeholder approach",
    "monitoring & evaluation",
    "sustainability",
)
AUTHORITY_ROLES = ("direct", "indirect")
KINDS = ("policy", "outcome")
NUTS_VERSIONS = (2021, 2024)
#: The framework of an indicator that names none: the regional index this dashboard is for.
DEFAULT_FRAMEWORK = "MIPEX-R"
#: How an outcome's population groups are defined (Eurostat's ``citizen`` / ``c_birth``).
BASES = ("citizenship", "country of birth")
#: The one rounding rule for figures shown and downloaded (screen, brief, CSV/XLSX): scores,
#: gaps, differences and other figures to DISPLAY_DECIMALS decimals, shares (coverage) to
#: SHARE_DECIMALS (0.1 %), half away from zero (31.25 → 31.3). Stated in the data
#: dictionary (:data:`DOWNLOAD_RULES`); applied by ``ui.fmt.round_half_up``.
DISPLAY_DECIMALS = 1
SHARE_DECIMALS = 3
#: The data dictionary's rows about downloaded tables (what their numbers are).
DOWNLOAD_RULES = (
    ("figures", "number", ("Scores, gaps, differences, peer means and other figures in the "
                           "dashboard's CSV and XLSX downloads are rounded exactly as shown "
                           "on screen and in the brief: one decimal, half away from zero "
                           "(31.25 → 31.3). The XLSX file adds a sheet 'full precision' with "
                           "the same table unrounded."), "71.2"),
    ("coverage", "number", ("Coverage (the share of the indicator weight answered behind a "
                            "score, 0–1) is rounded to three decimals (0.857 = 85.7 %), as "
                            "shown on screen."), "0.857"),
    ("rank", "whole number", ("Ranks are whole numbers (1 = best); the rank band is the 5th–"
                              "95th percentile of the ranks under random weights, written "
                              "'low–high'."), "21–25"),
)

#: Languages of the Integration Lab template and survey (ISO 639-1).
LANGUAGES = ("en", "fr", "de", "it", "es", "pt", "sv")
LANGUAGE_NAMES = ("English", "French", "German", "Italian", "Spanish", "Portuguese", "Swedish")


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``dtype`` is one of ``str``, ``int``, ``float``, ``list`` (``;``-separated text).
    ``choices`` restricts the values (for ``list`` columns: each item); ``lo``/``hi``
    bound numbers. ``example`` is what the filled template shows.
    """

    name: str
    dtype: str
    help: str
    required: bool = False
    choices: tuple | None = None
    lo: float | None = None
    hi: float | None = None
    example: str = ""
    default: object = None


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    help: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


REGIONS = Table(
    "regions",
    ("region_id",),
    "Places that are scored: NUTS regions, countries (NUTS-0) or municipalities (LAU).",
    (
        Column("region_id", "str", "NUTS code (e.g. ES51) or any stable id for a municipality.",
               required=True, example="ES51"),
        Column("name", "str", "Name as it should be shown.", required=True, example="Cataluña"),
        Column("country", "str", "ISO 3166-1 alpha-2 country code (Greece is GR, not EL).",
               required=True, example="ES"),
        Column("level", "str", "Geographic level.", required=True, choices=LEVELS, example="NUTS2"),
        Column("parent_id", "str", "region_id of the enclosing region, if any.", example="ES5"),
        Column("lat", "float", "Latitude of a label point (WGS84 degrees).", lo=-90, hi=90,
               example="41.80"),
        Column("lon", "float", "Longitude of a label point (WGS84 degrees).", lo=-180, hi=180,
               example="1.53"),
        Column("nuts_version", "int", "NUTS edition the code belongs to (2021 or 2024).",
               choices=NUTS_VERSIONS, example="2021"),
        Column("source_code", "str", "The code a source file used for this place when it "
               "differs from region_id (e.g. MIPEX's sheet GR for Greece, EL in NUTS).",
               example=""),
    ),
)

INDICATORS = Table(
    "indicators",
    ("indicator_id",),
    "The index framework: one row per indicator with its place on the four axes and its scoring.",
    (
        Column("indicator_id", "str", "Stable short code of the indicator.", required=True,
               example="LM01"),
        Column("label", "str", "Short name shown in charts and tables.", required=True,
               example="Regional labour-market integration strategy"),
        Column("question", "str", "The question the answer responds to.",
               example="Does the region have a strategy for the labour-market integration of migrants?"),
        Column("area", "str", "Area of integration (free vocabulary: a new edition may add one).",
               required=True, example="labour market"),
        Column("phase", "str", "Policy-cycle phase: formulation, output, implementation or evaluation.",
               required=True, example="formulation"),
        Column("system", "str", "Governance system: actions, actors & relations, or resources.",
               required=True, example="actions"),
        Column("target_groups", "list", "Target groups the indicator is asked for (TCN, BIP or both).",
               required=True, example="TCN;BIP"),
        Column("answers", "str", "Answer code → value on 0–100, e.g. A=100;B=50;C=0. "
               "Empty when scores are given directly as values.", example="A=100;B=50;C=0"),
        Column("weight", "float", "Weight of the indicator inside its group (default 1).", lo=0,
               example="1", default=1.0),
        Column("kind", "str", "policy (governance indicator) or outcome.", choices=KINDS,
               example="policy", default="policy"),
        Column("direction", "int", "+1 if higher is better, -1 if lower is better.", choices=(1, -1),
               example="1", default=1),
        Column("unit", "str", "Unit of the value (points on 0–100 for policy indicators).",
               example="points"),
        Column("source", "str", "Where the indicator comes from.", example="MIPEX-R (illustrative)"),
        Column("framework", "str", "The index the indicator belongs to (MIPEX-R for regions, "
               "MIPEX for countries…). Pages show one framework at a time.",
               example=DEFAULT_FRAMEWORK, default=DEFAULT_FRAMEWORK),
        Column("answer_options", "str", "The answer options as published, one per line "
               "(e.g. '100 - All of them'); shown next to the answer. Options written as rules "
               "are kept here only.", example=""),
        # Optional translations of the label and the question, one column per interface
        # language (label_fr, question_fr, …); the dashboard falls back to English, marked.
        *(Column(f"{field}_{lang}", "str", f"{what} in {name} (optional; English is shown, "
                 "marked, when empty).")
          for lang, name in zip(LANGUAGES[1:], LANGUAGE_NAMES[1:])
          for field, what in (("label", "Label"), ("question", "Question"))),
        # Optional names of the indicator's area per interface language (area_fr, …): an
        # area the interface does not know (a new MIPEX strand) or a wording of the data's own.
        *(Column(f"area_{lang}", "str", f"The area's name in {name} (optional; the "
                 "interface's own translation, else English, is shown when empty).")
          for lang, name in zip(LANGUAGES[1:], LANGUAGE_NAMES[1:])),
    ),
)

SCORES = Table(
    "scores",
    ("region_id", "indicator_id", "target_group", "edition"),
    "One answer per region × indicator × target group × edition. Give the answer code, the value, "
    "or both (they must agree). A row with neither records that the data is missing.",
    (
        Column("region_id", "str", "A region_id from the regions table.", required=True,
               example="ES51"),
        Column("indicator_id", "str", "An indicator_id from the indicators table.", required=True,
               example="LM01"),
        Column("target_group", "str", "TCN or BIP (one of the indicator's target groups).",
               required=True, example="TCN"),
        Column("edition", "int", "Edition year of the index.", required=True, lo=1900, hi=2100,
               example="2024"),
        Column("answer", "str", "Answer code from the indicator's answer map.", example="B"),
        Column("value", "float", "Value on 0–100 (100 = most favourable).", lo=0, hi=100,
               example="50"),
        Column("note", "str", "Comment from the expert or the coder.", example=""),
        Column("source", "str", "Legal text, document or expert that supports the answer.",
               example="Regional integration plan 2022–2025"),
    ),
)

PRACTICES = Table(
    "practices",
    ("practice_id",),
    "Integration Lab practices: what a region did, what it learnt and how it could transfer.",
    (
        Column("practice_id", "str", "Stable id of the practice.", required=True, example="P001"),
        Column("title", "str", "Title of the practice.", required=True,
               example="One-stop shop for newcomers"),
        Column("region_id", "str", "region_id where the practice runs.", required=True,
               example="ES51"),
        Column("lat", "float", "Latitude (optional: defaults to the region's).", lo=-90, hi=90),
        Column("lon", "float", "Longitude (optional: defaults to the region's).", lo=-180, hi=180),
        Column("areas", "list", "One or more areas of integration (as in the indicators table).",
               required=True, example="labour market;language"),
        Column("target_groups", "list", "TCN, BIP or both.", required=True, example="TCN;BIP"),
        Column("authority_role", "str", "The regional authority's contribution: direct, or indirect "
               "through social actors.", choices=AUTHORITY_ROLES, example="direct"),
        Column("stakeholders", "list", "Who else takes part (NGOs, migrant-led associations, employers…).",
               example="NGOs;employers"),
        Column("criteria", "list", "REGIN criteria the practice meets.", choices=CRITERIA,
               example="innovation;sustainability"),
        Column("funding", "list", "Funding sources (AMIF, ESF+, ERDF, EAFRD, Erasmus+, regional budget…).",
               example="AMIF;ESF+"),
        Column("start_year", "int", "First year.", lo=1950, hi=2100, example="2019"),
        Column("end_year", "int", "Last year (empty if ongoing).", lo=1950, hi=2100, example=""),
        Column("summary", "str", "What was done.", required=True,
               example="A single desk where newcomers get advice on work, housing and language courses."),
        Column("lessons_learnt", "str", "What worked and what did not.",
               example="Co-location of services mattered more than opening hours."),
        Column("transferability_tips", "str", "What another region needs to do the same.",
               example="Start with two services that already share clients."),
        Column("url", "str", "Link to more information (http or https).",
               example="https://example.org/practice"),
        Column("language", "str", "Language the practice is described in (ISO 639-1).",
               choices=LANGUAGES, example="en", default="en"),
    ),
)

OUTCOMES = Table(
    "outcomes",
    ("region_id", "measure", "group", "year"),
    "Integration outcomes such as Eurostat's regional labour-market figures by citizenship.",
    (
        Column("region_id", "str", "A region_id from the regions table.", required=True,
               example="ES51"),
        Column("measure", "str", "What is measured (e.g. employment_rate_20_64).", required=True,
               example="employment_rate_20_64"),
        Column("group", "str", "Population group: NAT, FOR, NEU27_2020_FOR, TOTAL…", required=True,
               example="NEU27_2020_FOR"),
        Column("year", "int", "Reference year.", required=True, lo=1900, hi=2100, example="2023"),
        Column("value", "float", "The figure (empty when not available).", example="58.3"),
        Column("unit", "str", "Unit (PC = percent…).", example="PC"),
        Column("flag", "str", "Eurostat flag, kept verbatim (u low reliability, b break…).",
               example="u"),
        Column("source", "str", "Dataset code.", example="lfst_r_lfe2emprtn"),
    ),
)

MEASURES = Table(
    "measures",
    ("measure",),
    "The catalogue of outcome measures: what each measure in the outcomes table is, which "
    "policy area it speaks to and which two groups make its gap. Built at import, editable.",
    (
        Column("measure", "str", "A measure of the outcomes table.", required=True,
               example="employment_rate_20_64"),
        Column("label", "str", "Name shown on screen.", required=True,
               example="Employment rate, 20–64"),
        Column("unit", "str", "Unit shown with the figures (% for rates).", example="%"),
        Column("direction", "int", "+1 if a higher value is better (employment), -1 if lower "
               "is better (unemployment).", choices=(1, -1), example="1", default=1),
        Column("areas", "list", "Policy areas the measure speaks to (as in the indicators "
               "table); the first measure linked to an area is shown with it.",
               example="labour market;labour market mobility"),
        Column("basis", "str", "How the groups are defined: by citizenship (nationals, non-EU "
               "citizens) or by country of birth (native-born, non-EU-born).", choices=BASES,
               example="citizenship"),
        Column("reference_group", "str", "The group migrants are compared with: NAT "
               "(nationals or native-born) or TOTAL (all residents). Empty: no gap, the "
               "figure alone.", example="NAT"),
        Column("migrant_group", "str", "The migrant group, e.g. NEU27_2020_FOR (non-EU "
               "citizens or non-EU-born).", example="NEU27_2020_FOR"),
        Column("position", "int", "Place in the list of measures (smaller first).", lo=0,
               hi=100000, example="1"),
        Column("source", "str", "Dataset code.", example="lfst_r_lfe2emprtn"),
        Column("note", "str", "Anything a reader should know about the measure.", example=""),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (REGIONS, INDICATORS, SCORES, PRACTICES, OUTCOMES,
                                                MEASURES)}
#: Order in which tables are validated and published (references point backwards).
TABLE_ORDER = ("regions", "indicators", "scores", "practices", "outcomes", "measures")

#: Meaning of Eurostat observation flags, shown wherever a flag is.
EUROSTAT_FLAGS = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs",
    "e": "estimated",
    "f": "forecast",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate",
    "u": "low reliability",
    "z": "not applicable",
}


def split_list(text) -> list[str]:
    """``"a; b;;c"`` → ``["a", "b", "c"]``; missing values → ``[]``."""
    if text is None or (isinstance(text, float) and text != text):
        return []
    return [p.strip() for p in str(text).split(LIST_SEP) if p.strip()]


def parse_answers(text) -> dict[str, float]:
    """``"A=100;B=50;C=0"`` → ``{"A": 100.0, "B": 50.0, "C": 0.0}``.

    Raises ``ValueError`` naming the bad item when an item is not ``code=number``.
    """
    out: dict[str, float] = {}
    for item in split_list(text):
        code, sep, value = item.partition("=")
        if not sep or not code.strip():
            raise ValueError(f"'{item}' is not of the form code=value")
        try:
            out[code.strip()] = float(value)
        except ValueError:
            raise ValueError(f"'{item}': '{value.strip()}' is not a number") from None
    return out


def answer_option_texts(text) -> dict[str, str]:
    """``answer_options`` (one option per line, ``"100 - All of them"``) → ``{"100": "All of
    them", …}``; lines that do not start with a code and a dash are not options."""
    import re

    out: dict[str, str] = {}
    if text is None or (isinstance(text, float) and text != text):
        return out
    for line in str(text).splitlines():
        m = re.match(r"^\s*([0-9]+(?:\.[0-9]+)?|[A-Za-z])\s*-\s*(.+)$", line)
        if m:
            out.setdefault(m.group(1), m.group(2).strip())
    return out


def framework_of(indicators):
    """Each indicator's framework as text; an empty one is :data:`DEFAULT_FRAMEWORK` (data
    published before the column existed has none)."""
    import pandas as pd

    if "framework" not in indicators.columns:
        return pd.Series(DEFAULT_FRAMEWORK, index=indicators.index, dtype="str")
    fw = indicators["framework"].astype("str").str.strip()
    return fw.where(fw.notna() & fw.ne(""), DEFAULT_FRAMEWORK).astype("str")


def empty_frame(table: str):
    """An empty DataFrame with the table's columns in schema order and types."""
    import pandas as pd

    t = TABLES[table]
    return pd.DataFrame({c.name: pd.Series(dtype=PANDAS_DTYPES[c.dtype]) for c in t.columns})


def conform(table: str, frame):
    """``frame`` with exactly the table's columns, in schema order and types.

    Columns the schema added since the data was written (optional ones, such as a new
    translation column) come back empty; columns the schema no longer has are dropped.
    """
    t = TABLES[table]
    frame = frame.reindex(columns=t.names)
    return frame.astype({c.name: PANDAS_DTYPES[c.dtype] for c in t.columns})


#: Storage types in pandas (and so in Parquet / DuckDB).
PANDAS_DTYPES = {"str": "str", "list": "str", "int": "Int64", "float": "float64"}
