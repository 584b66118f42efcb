"""The measure catalogue's first draft: what the import knows about an outcome measure.

When outcomes arrive (a Eurostat export or an outcomes table), every measure without a row
in the ``measures`` table gets one, built here from what the data says: the dataset code
(Eurostat's regional labour-force, education and poverty tables are known by name), the
breakdown (``citizen`` → by citizenship, ``c_birth`` → by country of birth) and the groups
present (``NAT`` if there is a native series, else ``TOTAL``; ``NEU27_2020_FOR`` for non-EU
migrants). Staff correct it like any table (upload the ``measures`` table); rows already in
the catalogue are never overwritten by an import.
"""

from __future__ import annotations

import re

import pandas as pd

#: Eurostat dataset (code prefix) → (label, direction, policy areas). The areas name both
#: the regional framework's words and MIPEX's, so the default works under either.
LABOUR = "labour market;labour market mobility"
FAMILIES = (
    ("lfst_r_lfe2emprt", "Employment rate", 1, LABOUR),
    ("lfst_r_lfp2actrt", "Activity rate", 1, LABOUR),
    ("lfst_r_lfur2ga", "Unemployment rate", -1, LABOUR),
    ("edat_lfse_16", "Early leavers from education and training", -1, "education"),
    ("edat_lfse_01", "Early leavers from education and training", -1, "education"),
    ("edat_lfse_02", "Early leavers from education and training", -1, "education"),
    ("edat_lfse_22", "Young people neither in employment nor in education or training (NEET)",
     -1, "education;" + LABOUR),
    ("ilc_li41", "At-risk-of-poverty rate", -1, "social security"),
    ("ilc_li31", "At-risk-of-poverty rate", -1, "social security"),
    ("ilc_li32", "At-risk-of-poverty rate", -1, "social security"),
    ("ilc_peps11", "At risk of poverty or social exclusion", -1, "social security"),
    ("ilc_peps05", "At risk of poverty or social exclusion", -1, "social security"),
    ("ilc_peps06", "At risk of poverty or social exclusion", -1, "social security"),
)
#: Eurostat's LFS tables end in n (by citizenship) or c (by country of birth).
LFS_BASIS = {"n": "citizenship", "c": "country of birth"}
UNITS = {"PC": "%", "PC_POP": "%", "PC_ACT": "%", "THS_PER": "thousand persons"}
SEX = {"T": "", "F": "women", "M": "men"}
NON_EU = "NEU27_2020_FOR"
COLUMNS = ["measure", "label", "unit", "direction", "areas", "basis", "reference_group",
           "migrant_group", "position", "source", "note"]


def family(dataset: str):
    """(label, direction, areas) of a known Eurostat dataset, else None."""
    code = (dataset or "").strip().lower()
    for prefix, label, direction, areas in FAMILIES:
        if code.startswith(prefix):
            return label, direction, areas
    return None


def basis_of(dataset: str) -> str | None:
    """The breakdown of a known LFS table from its last letter (…emprtn: citizenship)."""
    code = (dataset or "").strip().lower()
    if code.startswith("lfst_r_") and code[-1:] in LFS_BASIS:
        return LFS_BASIS[code[-1]]
    return None


def _age(text: str) -> str:
    m = re.fullmatch(r"Y(\d+)-(\d+)", text)
    if m:
        return f"{m.group(1)}–{m.group(2)}"
    m = re.fullmatch(r"Y_GE(\d+)", text)
    return f"{m.group(1)}+" if m else text


def label_for(measure: str, dataset: str, known) -> str:
    """"lfst_r_lfur2gac sex=T age=Y15-64" → "Unemployment rate, 15–64"."""
    if known is None:
        return measure
    parts = [known[0]]
    for item in measure.split()[1:]:
        dim, _, value = item.partition("=")
        if dim == "age":
            parts.append(_age(value))
        elif dim == "sex":
            if SEX.get(value, value):
                parts.append(SEX.get(value, value))
        else:
            parts.append(item)
    return ", ".join(parts)


def suggest(outcomes: pd.DataFrame, basis: dict[str, str] | None = None) -> pd.DataFrame:
    """A catalogue row for every measure in ``outcomes`` (schema columns, as values).

    ``basis`` maps a measure to its breakdown when the reader saw it (the Eurostat
    dimension); otherwise a known LFS dataset code says it, else it stays empty.
    Comparison: the native series (``NAT``) if there is one, else all residents
    (``TOTAL``); the migrant group is the non-EU one, else foreigners (``FOR``).
    """
    rows = []
    if outcomes.empty:
        return pd.DataFrame(columns=COLUMNS)
    for measure, g in outcomes.groupby("measure", sort=True):
        groups = set(g["group"].dropna().astype(str))
        dataset = str(g["source"].dropna().iloc[0]) if g["source"].notna().any() else \
            measure.split()[0]
        known = family(dataset) or family(measure)
        b = (basis or {}).get(measure) or basis_of(dataset)
        migrant = NON_EU if NON_EU in groups else next(
            (x for x in sorted(groups) if x.startswith("NEU")), "FOR" if "FOR" in groups else "")
        reference = ("NAT" if "NAT" in groups else "TOTAL" if "TOTAL" in groups else "") \
            if migrant else ""
        unit = g["unit"].dropna().astype(str)
        rows.append({
            "measure": measure, "label": label_for(measure, dataset, known),
            "unit": UNITS.get(unit.iloc[0], unit.iloc[0]) if len(unit) else None,
            "direction": known[1] if known else 1, "areas": known[2] if known else None,
            "basis": b if migrant else None, "reference_group": reference or None,
            "migrant_group": migrant or None, "position": None, "source": dataset,
            "note": None if known else "Not a dataset the dashboard knows: check the label, "
                                       "the direction and the policy area."})
    return pd.DataFrame(rows, columns=COLUMNS)
