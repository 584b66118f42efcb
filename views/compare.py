"""The Compare page's model: two to six regions' scores side by side, with a reference.

Pure (no Streamlit): frames in, frames out, so the page's figures are tested like
``scoring/``. ``compare_long`` (scores of the chosen regions with a reference and the
difference), ``gap_table`` (the table on screen), ``chart_frame`` (the radar's and bars'
data). The page caches these per view in :mod:`ui.compare`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import scoring
from ui.i18n import column_title, t

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
