"""The Overview's model: every region's overall score and rank, the areas across regions,
the map's frame, and the table shown — pure (no Streamlit), see :mod:`views.common`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import scoring
from ui.i18n import N_, t
from views.common import (axis_table, band_column, labelled, overall_table, region_label,
                          scored_regions, with_labels)

def area_summary(cube: scoring.Cube, regions: pd.DataFrame, edition, group,
                 n: int = 3, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each area across all regions, strongest first (as REGIN's brief reports them).


    mean_score = mean over regions with a score (never counting a missing one as 0);
    regions_scored / regions_total say how many; coverage = mean indicator coverage.
    ``standing``: "strongest" for the top ``n`` areas, "weakest" for the bottom ``n``.
    """
    a = axis_table(cube, "area") if table is None else table  # ``table``: the version's
    a = a[(a["target_group"] == group) & (a["edition"] == edition)]
    names = scored_regions(cube, regions).set_index("region_id")["name"]
    rows = []
    for area, g in a.groupby("area", observed=True):
        sc = g["score"].astype(float)
        best = g.loc[sc.idxmax(), "region_id"] if sc.notna().any() else None
        worst = g.loc[sc.idxmin(), "region_id"] if sc.notna().any() else None
        rows.append({"area": str(area), "mean_score": sc.mean(), "min_score": sc.min(),
                     "max_score": sc.max(), "best_region": names.get(str(best)) if best else None,
                     "weakest_region": names.get(str(worst)) if worst else None,
                     "regions_scored": int(sc.notna().sum()), "regions_total": len(g),
                     "coverage": g["coverage"].mean()})
    out = pd.DataFrame(rows).sort_values(["mean_score", "area"], ascending=[False, True],
                                         na_position="last").reset_index(drop=True)
    scored = out["mean_score"].notna()
    k = min(n, int(scored.sum()) // 2)
    standing = np.full(len(out), "", dtype=object)
    idx = np.flatnonzero(scored)
    standing[idx[:k]] = t("strongest")
    standing[idx[len(idx) - k:]] = t("weakest")
    out.insert(1, "standing", standing)
    return out


def map_frame(regions: pd.DataFrame, table: pd.DataFrame, boundaries=None):
    """Scored regions matched to polygons (or points), with ``score`` for the map.


    Returns (matched GeoDataFrame, geo.MatchReport, countries): ``countries`` are every NUTS-0
    outline of the boundaries (:func:`geo.countries`; None without boundaries). Unscored regions are left out: the map
    shows the regions of the index, coloured by score, grey where there is no score.
    """
    import geo


    keep = regions[regions["region_id"].astype(str).isin(table["region_id"])]
    matched, report = geo.match_regions(keep, boundaries, t=t)
    by_id = table.set_index("region_id")
    for col in ("score", "rank", "rank_low", "rank_high", "coverage"):
        if col in by_id.columns:
            matched[col] = matched["region_id"].map(by_id[col])
    return matched, report, geo.countries(boundaries, keep)


@dataclass(frozen=True)
class OverviewModel:
    """Everything the Overview shows for one edition, group and weighting (read-only:
    the pages share one per view)."""

    table: pd.DataFrame    #: ranked regions with ``label``, ``rank_band``, ``rank_country_band``
    labels: dict           #: region_id → "Name (ID)"
    bar_data: pd.DataFrame  #: the ranked bars' data (the table without ``label``)
    summary: pd.DataFrame  #: :func:`area_summary`
    shown: pd.DataFrame    #: the "All regions" table, labelled


def model(cube: scoring.Cube, regions: pd.DataFrame, edition, group,
          weights: dict | None = None, overall: pd.DataFrame | None = None,
          area_table: pd.DataFrame | None = None) -> OverviewModel:
    """The Overview's frames: :func:`views.common.overall_table` with labels and rank bands as
    text, the area summary across regions and the table shown (what the page, its downloads
    and the warmer use). ``overall``, ``area_table``: the version's overall table and area
    aggregates, when the caller has them already."""
    labels = region_label(regions)
    if overall is None:
        overall = overall_table(cube, regions, edition, group, weights)
    table = with_labels(overall, labels)
    table = table.assign(rank_band=band_column(table, "rank_low", "rank_high"),
                         rank_country_band=band_column(table, "rank_country_low",
                                                       "rank_country_high"))
    shown = labelled(table, {
        "rank": N_("Rank"), "rank_band": N_("Rank band"), "region_id": N_("Region code"),
        "name": N_("Region"), "country": N_("Country"), "score": N_("Overall score"),
        "coverage": N_("Coverage"), "rank_country": N_("Rank in country"),
        "rank_country_band": N_("Rank band in country")})
    return OverviewModel(table=table, labels=labels, bar_data=table.drop(columns="label"),
                         summary=area_summary(cube, regions, edition, group, table=area_table),
                         shown=shown)
