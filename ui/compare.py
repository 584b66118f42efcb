"""Logic of the Compare page (and the Methodology page's tables).

Pure helpers take DataFrames and return DataFrames, so they are tested without Streamlit:
``compare_long`` (scores of the chosen regions with a reference and the difference),
``gap_table`` (the table on screen: one row per area or phase, one column per region),
``indicator_list``, ``version_frames`` and ``edition_comparability`` for the methodology.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import streamlit as st

import scoring
from data.schema import parse_answers
from ui import state
from ui.i18n import N_, column_title, data_column, help_text, t

MIN_REGIONS, MAX_REGIONS = 2, 6
VS = ("first", "group", "all")


def vs_labels() -> dict[str, str]:
    return {"first": t("the first region"), "group": t("the mean of the compared regions"),
            "all": t("the mean of all regions")}


def region_label(region_id: str, names: pd.Series, width: int | None = 22) -> str:
    """"ES51 Cataluña", the name shortened to ``width`` characters (None: whole) — short
    only where space is short (a table header on screen), never in a file."""
    name = str(names.get(region_id, "") or "")
    name = name if width is None or len(name) <= width else name[: width - 1] + "…"
    return f"{region_id} {name}".strip()


def scored_regions(regions: pd.DataFrame, cube_regions) -> list[str]:
    """Region ids with scores, in the regions table's order (the partner regions first)."""
    have = {str(r) for r in cube_regions}
    return [r for r in regions["region_id"].astype(str) if r in have]


def default_regions(options: list[str], cube=None, view: dict | None = None) -> list[str]:
    """The first three regions of ``options`` with a score in the sidebar's edition and
    target group (MIPEX 2024 lacks some countries: a comparison should not open on "no
    data"), else the first three."""
    if cube is not None and view and view.get("edition") is not None and view.get("target_group"):
        now = {str(r) for r in scoring.regions_with_data(cube, view["target_group"], view["edition"])}
        scored_now = [r for r in options if r in now]
        if len(scored_now) >= MIN_REGIONS:
            return scored_now[:3]
    return options[:3]


def choose_regions(options: list[str], names: pd.Series, cube=None, view: dict | None = None) -> list[str]:
    """The region multiselect (URL ``regions``), 2–6 regions; a link naming fewer than two
    known regions is completed with the first regions of the list, with a notice."""
    default = default_regions(options, cube, view)
    if "w_regions" not in st.session_state and "regions" in st.query_params:
        chosen = state.url_choices("regions", options, default, t("Regions"), MAX_REGIONS)
        if len(chosen) < MIN_REGIONS:
            extra = [r for r in default if r not in chosen][: MIN_REGIONS - len(chosen)]
            state.notice(t("A comparison needs at least two regions; {extra} added.",
                           extra=", ".join(extra)))
            chosen = chosen + extra
        st.session_state["w_regions"] = chosen
        state.set_param("regions", ",".join(chosen))  # the completed list is the view now
    return state.url_multi("regions", options, default, t("Regions"), max_items=MAX_REGIONS,
                           help=t("Choose two to six regions."),
                           format_func=lambda r: region_label(r, names, 60))


# ------------------------------------------------------------------ tables (pure)

def compare_long(table: pd.DataFrame, overall: pd.DataFrame, region_ids: list[str], axis: str,
                 vs: str, overall_label: str = "Overall") -> pd.DataFrame:
    """Scores of ``region_ids`` per ``axis`` value and overall, with a reference and the gap.

    ``table``: aggregate rows (region_id, <axis>, score, coverage) of one target group and
    edition; ``overall``: the overall rows of the same. Reference per axis value: "first" =
    the first region's score; "group" = mean of the compared regions' scores; "all" = mean of
    every region's score. NaN scores are left out of the means; difference = score −
    reference (NaN when either is missing).
    Output: region_id, <axis>, score, coverage, reference, difference — in the order of
    ``region_ids``, overall rows last (axis value ``overall_label``).
    """
    if vs not in VS:
        raise ValueError(f"vs must be one of {VS}")
    both = pd.concat([table[["region_id", axis, "score", "coverage"]].astype({axis: str}),
                      overall[["region_id", "score", "coverage"]].assign(**{axis: overall_label})],
                     ignore_index=True)
    both["region_id"] = both["region_id"].astype(str)
    if vs == "all":
        ref = both.groupby(axis)["score"].mean()
    chosen = both[both["region_id"].isin(region_ids)].copy()
    if vs == "first":
        ref = chosen[chosen["region_id"] == region_ids[0]].set_index(axis)["score"]
    elif vs == "group":
        ref = chosen.groupby(axis)["score"].mean()
    chosen["reference"] = chosen[axis].map(ref).astype(float)
    chosen["difference"] = chosen["score"] - chosen["reference"]
    chosen["_r"] = chosen["region_id"].map({r: i for i, r in enumerate(region_ids)})
    return chosen.sort_values("_r", kind="stable").drop(columns="_r").reset_index(drop=True)


def gap_table(long: pd.DataFrame, region_ids: list[str], axis: str, vs: str, labels: dict,
              order: list[str], sort: str = "axis", overall_label: str = "Overall"
              ) -> pd.DataFrame:
    """The table on screen: one row per axis value (overall last), the reference score, one
    difference column per region (the first region's own column is left out when it is the
    reference), and the lowest coverage among the compared regions.

    ``sort``: "axis" (framework order), "reference" (highest reference first) or a region id
    (its largest deficit first). The overall row stays last.
    """
    shown = region_ids[1:] if vs == "first" else region_ids
    wide = long.pivot(index=axis, columns="region_id", values="difference")
    wide = wide.reindex(columns=shown)
    wide.columns = [labels[r] for r in shown]
    ref = long.drop_duplicates(axis).set_index(axis)["reference"]
    cov = long.groupby(axis)["coverage"].min()
    ref_col = reference_column(vs, labels[region_ids[0]])
    out = pd.DataFrame({ref_col: ref}).join(wide)
    out[t("Lowest coverage")] = cov
    rows = [o for o in order if o in out.index and o != overall_label]
    out = out.reindex(rows + [overall_label])
    body, last = out.iloc[:-1], out.iloc[-1:]
    if sort == "reference":
        body = body.sort_values(ref_col, ascending=False, na_position="last", kind="stable")
    elif sort in labels and labels[sort] in body.columns:
        body = body.sort_values(labels[sort], na_position="last", kind="stable")
    out = pd.concat([body, last])
    out.index.name = column_title(axis)
    return out.reset_index()


def reference_column(vs: str, first_label: str) -> str:
    return {"first": t("{r} (score)", r=first_label),
            "group": t("Mean of the compared regions"),
            "all": t("Mean of all regions")}[vs]


def chart_frame(long: pd.DataFrame, axis: str, labels: dict, vs: str,
                overall_label: str = "Overall") -> pd.DataFrame:
    """Long data for the radar and bars: one series per region, plus the mean as a series
    when the reference is a mean. Also the charts' text alternative."""
    rows = long[long[axis] != overall_label]
    out = rows.assign(series=rows["region_id"].map(labels))
    if vs != "first":
        ref = rows.drop_duplicates(axis)
        out = pd.concat([out, pd.DataFrame({
            "region_id": "", axis: ref[axis], "score": ref["reference"], "coverage": np.nan,
            "reference": ref["reference"], "difference": np.nan,
            "series": reference_column(vs, "")})], ignore_index=True)
    return out[["series", "region_id", axis, "score", "coverage", "difference"]]


# ------------------------------------------------------------------ methodology (pure)

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


def fit(frame: pd.DataFrame, widths: dict[str, int]) -> dict:
    """Column widths (px, keyed by English names, translated) so a table fits 1366 px."""
    return {t(c): st.column_config.Column(width=w) for c, w in widths.items()
            if t(c) in frame.columns}


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
    from ui.profile import weight_text

    w = pd.to_numeric(indicators["weight"], errors="coerce").fillna(1.0)
    ind = indicators[w != 1.0]
    return pd.DataFrame({
        t("Code"): ind["indicator_id"], t("Indicator"): data_column(ind, "label"),
        t("Area"): ind["area"], t("Weight"): [weight_text(x) for x in w[w != 1.0]]}
    ).reset_index(drop=True)


def indicator_list(indicators: pd.DataFrame, areas=(), phases=()) -> pd.DataFrame:
    """The indicators with their question, answer map and weight (as text: 0 reads
    "excluded"), filtered by area and phase."""
    from ui.profile import weight_text

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
