"""The Methodology page's model: the scoring rules read from the code, the indicator list,
the data dictionary, the data version's tables and whether two editions can be compared.

Pure (no Streamlit). The page caches these per view in :mod:`ui.compare`.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd

import scoring
from data.schema import parse_answers
from ui.i18n import N_, data_column, help_text, t


def rule_defaults() -> dict:
    """The scoring defaults the methodology page states, read from the code itself."""
    agg = inspect.signature(scoring.aggregate).parameters
    rob = inspect.signature(scoring.robustness).parameters
    prep = inspect.signature(scoring.prepare).parameters
    return {"threshold": agg["threshold"].default, "eps": scoring.GEO_EPS,
            "n_draws": rob["n_draws"].default, "spread": rob["spread"].default,
            "all_rule": prep["all_rule"].default, "outcome_method": prep["outcome_method"].default}


def answer_text(answers) -> str:
    """``"A=100;B=50;C=0"`` → ``"A → 100 · B → 50 · C → 0"``; unparsable text kept."""
    try:
        amap = parse_answers(answers)
    except ValueError:
        return str(answers)
    return " · ".join(f"{k} → {v:g}" for k, v in amap.items())


def data_dictionary() -> pd.DataFrame:
    """The data dictionary (:func:`data.templates.dictionary`) in the interface language."""
    from data.schema import LIST_SEP
    from data.templates import dictionary

    dic = dictionary()
    words = {"text": N_("text"), "whole number": N_("whole number"), "number": N_("number"),
             "yes": N_("yes"), "no": N_("no")}

    def word(v):
        return t(words[v]) if v in words else t("list separated by '{sep}'", sep=LIST_SEP)

    for c in ("type", "required", "key"):
        dic[c] = dic[c].map(word)
    dic["meaning"] = [help_text(c, h) for c, h in zip(dic["column"], dic["meaning"])]
    return dic.rename(columns={c: t(DICTIONARY_HEADERS[c]) for c in dic.columns})


#: Headers of the data dictionary (its columns are English codes in the CSV download).
DICTIONARY_HEADERS = {"table": N_("Table"), "column": N_("Column"), "type": N_("Type"),
                      "required": N_("Required"), "key": N_("Key"), "allowed": N_("Allowed"),
                      "meaning": N_("Meaning"), "example": N_("Example")}


def weight_table(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicators whose weight is not 1 (missing counts 1): code, indicator, area,
    weight — 0 shown as "excluded" — for the Methodology page."""
    from views.common import weight_text

    w = pd.to_numeric(indicators["weight"], errors="coerce").fillna(1.0)
    ind = indicators[w != 1.0]
    return pd.DataFrame({
        t("Code"): ind["indicator_id"], t("Indicator"): data_column(ind, "label"),
        t("Area"): ind["area"], t("Weight"): [weight_text(x) for x in w[w != 1.0]]}
    ).reset_index(drop=True)


def indicator_list(indicators: pd.DataFrame, areas=(), phases=()) -> pd.DataFrame:
    """The indicators with their question, answer map and weight (as text: 0 reads
    "excluded"), filtered by area and phase."""
    from views.common import weight_text

    ind = indicators
    if areas:
        ind = ind[ind["area"].isin(areas)]
    if phases:
        ind = ind[ind["phase"].isin(phases)]
    out = pd.DataFrame({
        t("Code"): ind["indicator_id"], t("Indicator"): data_column(ind, "label"),
        t("Question"): data_column(ind, "question"), t("Answers → values"): ind["answers"].map(answer_text),
        t("Area"): ind["area"], t("Phase"): ind["phase"], t("System"): ind["system"],
        t("Target groups"): ind["target_groups"],
        t("Weight"): [weight_text(x) for x in pd.to_numeric(ind["weight"], errors="coerce")
                      .fillna(1.0)]}
    ).reset_index(drop=True)
    if "answer_options" in ind.columns and ind["answer_options"].notna().any():
        # the options as published (MIPEX's "100 - All of them"; rules over sub-indicators)
        out.insert(4, t("Answer options"), ind["answer_options"].reset_index(drop=True))
    return out


def version_frames(manifest: dict) -> dict[str, pd.DataFrame]:
    """The manifest as tables: sources (with sha256) and row counts per table."""
    sources = pd.DataFrame(manifest.get("sources") or [],
                           columns=["name", "table", "bytes", "sha256"])
    rows = pd.DataFrame({"table": list(manifest.get("rows", {})),
                         "rows": list(manifest.get("rows", {}).values())})
    rows["illustrative"] = rows["table"].map(manifest.get("illustrative", {})).fillna(False) \
        .map({True: t("yes"), False: t("no")})
    return {"sources": sources.rename(columns={"name": t("File"), "table": t("Table"),
                                               "bytes": t("Bytes"), "sha256": "sha256"}),
            "rows": rows.rename(columns={"table": t("Table"), "rows": t("Rows"),
                                         "illustrative": t("Illustrative")})}


def indicator_set_change(cube, target_group, edition_from, edition_to) -> pd.DataFrame:
    """Indicators with a value (any region) in one of the two editions but not the other."""
    g = cube.group_index(target_group)
    e0, e1 = cube.edition_index(edition_from), cube.edition_index(edition_to)
    has = ~np.isnan(cube.values[:, g, [e0, e1], :])  # (R, 2, I)
    any_ = has.any(axis=0)
    diff = any_[0] != any_[1]
    meta = cube.indicators[diff]
    return pd.DataFrame({t("Code"): meta["indicator_id"], t("Indicator"): meta["label"],
                         t("Area"): meta["area"],
                         t("Only in edition"): np.where(any_[1][diff], edition_to, edition_from)}
                        ).reset_index(drop=True)


def edition_comparability(cube, target_group, edition_from, edition_to) -> pd.DataFrame:
    """Per area (and overall): how many regions' changes are not comparable (scoring's
    ``edition_change`` flag: the indicators behind the score differ between the editions)."""
    parts = []
    for by in (("area",), None):
        ch = scoring.edition_change(cube, by=by, edition_from=edition_from,
                                    edition_to=edition_to)
        ch = ch[ch["target_group"] == target_group]
        key = ch["area"].astype(str) if by else pd.Series(t("Overall"), index=ch.index)
        parts.append(ch.assign(_k=key).groupby("_k", sort=False).agg(
            regions=("region_id", "size"),
            not_comparable=("comparable", lambda s: int((~s.astype(bool)).sum())),
            mean_change=("change", "mean")))
    out = pd.concat(parts).reset_index()
    return out.rename(columns={"_k": t("Area"), "regions": t("Regions"),
                               "not_comparable": t("Not comparable"),
                               "mean_change": t("Mean change (points)")})
