"""The Gaps page's model: every region × area (or phase) against a reference, rank bands.

Pure (no Streamlit): ``gap_long`` (every region's gap to the best, its peers or a target),
``gap_wide`` (the matrix on screen), ``cell_table`` and ``band_frame`` (tables shown as
text), ``short_label`` (abbreviated headers). The page caches them per view in
:mod:`ui.gaps`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ui.i18n import column_title, t, terms

GAP_TYPES = ("best", "peers", "target")
PEER_GROUPS = ("all", "country")
DEFAULT_TARGET = 80.0


def gap_long(table: pd.DataFrame, axis: str, gap: str, *, target: float = DEFAULT_TARGET,
             peers: str = "all", countries: pd.Series | None = None) -> pd.DataFrame:
    """Every region × axis value of one target group and edition, with its gap.

    ``table``: aggregate rows (region_id, <axis>, score, coverage) of one target group and
    edition. Gap "best": score − the best score of that axis value; "peers": score − the mean
    of the *other* regions' scores (all of them, or those of the same country when ``peers``
    is "country", via ``countries`` region_id → country); "target": score − ``target``.
    Same numbers as :func:`scoring.gaps` for one region, computed for all regions at once.
    Missing data: NaN scores are left out of best and mean; a NaN score has a NaN gap.
    Output: region_id, <axis>, score, coverage, reference, gap.
    """
    t_ = table[["region_id", axis, "score", "coverage"]].copy()
    t_["region_id"] = t_["region_id"].astype(str)
    t_[axis] = t_[axis].astype(str)
    keys = [axis]
    if gap == "best":
        ref = t_.groupby(keys)["score"].transform("max")
    elif gap == "peers":
        if peers == "country":
            t_["_country"] = t_["region_id"].map(countries).fillna("—") \
                if countries is not None else "—"
            keys = [axis, "_country"]
        has = t_["score"].notna()
        total = t_["score"].fillna(0).groupby([t_[k] for k in keys]).transform("sum")
        count = has.groupby([t_[k] for k in keys]).transform("sum")
        own = t_["score"].fillna(0)
        n_other = count - has.astype(int)
        with np.errstate(invalid="ignore", divide="ignore"):
            ref = ((total - own) / n_other).where(n_other > 0)
    elif gap == "target":
        ref = pd.Series(float(target), index=t_.index)
    else:
        raise ValueError(f"gap must be one of {GAP_TYPES}")
    out = t_[["region_id", axis, "score", "coverage"]].assign(reference=ref.astype(float))
    out["gap"] = out["score"] - out["reference"]
    return out.reset_index(drop=True)


def gap_wide(long: pd.DataFrame, axis: str, order, names: pd.Series,
             overall: pd.DataFrame) -> pd.DataFrame:
    """Regions as rows, one gap column per axis value (in ``order``), then the overall gap
    and the overall score's coverage. ``overall``: gap_long output on the overall score
    (axis column "overall"). Rows sorted by the overall gap, largest deficit first."""
    wide = long.pivot(index="region_id", columns=axis, values="gap")
    wide = wide.reindex(columns=[str(o) for o in order])
    wide.columns = [str(c) for c in terms(list(wide.columns))]  # area names as shown
    ov = overall.set_index("region_id")
    wide[t("Overall")] = ov["gap"]
    wide[t("Coverage")] = ov["coverage"]
    wide.insert(0, t("Region"), wide.index.map(names).fillna(""))
    wide.columns.name = None
    out = wide.reset_index().rename(columns={"region_id": t("Code")})
    return out.sort_values([t("Overall"), t("Code")], na_position="last").reset_index(drop=True)


def short_label(text: str, room: int = 9) -> str:
    """``text`` abbreviated to about ``room`` characters at word boundaries, each cut word
    ending in a full stop ("vocational training" → "voc. tra.", "anti-discrimination" →
    "anti-dis."); a name of more than two words keeps its first and last ("lutte contre les
    discriminations" → "lut. dis."); short texts unchanged. Never cut in the middle of a
    letter sequence without a mark."""
    text = str(text)
    if len(text) <= room:
        return text
    words = [w for w in text.split() if w]
    if len(words) > 2:
        text = f"{words[0]} {words[-1]}"
    words = re.split(r"(\s+|-)", text)
    parts = [w for w in words if w]
    wordy = [w for w in parts if any(ch.isalpha() for ch in w)]
    gaps = sum(len(w) for w in parts if w not in wordy)
    keep = max(3, (room - gaps) // max(1, len(wordy)) - 1)
    out = []
    for w in parts:
        if w not in wordy or len(w) <= keep + 1:
            out.append(" " if w.isspace() else w)
        else:
            out.append(w[:keep] + ".")
    return "".join(out)


def cell_table(long: pd.DataFrame, axis: str, names: pd.Series) -> pd.DataFrame:
    """Every region × axis value as text: the gap matrix's long form, with coverage."""
    return pd.DataFrame({
        t("Code"): long["region_id"], t("Region"): long["region_id"].map(names).fillna(""),
        column_title(axis): long[axis], t("Score"): long["score"],
        t("Coverage"): long["coverage"], t("Reference"): long["reference"],
        t("Gap"): long["gap"]})


def band_frame(bands: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """The rank-band table shown on screen (and the chart's text alternative)."""
    out = pd.DataFrame({
        t("Code"): bands["region_id"].astype(str),
        t("Region"): bands["region_id"].astype(str).map(names).fillna(""),
        t("Score"): bands["nominal_score"],
        t("Rank with these weights"): bands["nominal_rank"],
        t("Median rank"): bands["median_rank"],
        t("Rank, 5th percentile"): bands["rank_p05"],
        t("Rank, 95th percentile"): bands["rank_p95"],
    })
    return out.sort_values([t("Median rank"), t("Code")], na_position="last") \
        .reset_index(drop=True)


def resolve_view(view: dict, cube) -> dict:
    """The sidebar's choice, or the latest edition and the first target group when the sidebar
    has not run (so a page never fails on an empty choice)."""
    groups = [g for g in ("TCN", "BIP", "ALL") if g in cube.groups] or list(cube.groups)
    edition = view.get("edition")
    edition = int(edition) if edition is not None else (
        int(cube.editions[-1]) if len(cube.editions) else None)
    group = view.get("target_group") or (groups[0] if groups else None)
    return {"edition": edition, "target_group": group}


def axis_order(table: pd.DataFrame, axis: str) -> list[str]:
    """The display order of an axis' values (phases in policy-cycle order)."""
    col = table[axis]
    cats = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else col.unique()
    return [str(c) for c in cats]
