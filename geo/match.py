"""Match the ``regions`` table to boundary polygons, and say in words what did not match.

A region is drawn as a polygon when the boundary file *for its level* has its code; a
municipality (LAU), a level with no file, or a code the file does not know is drawn as a
point at the region's lat/lon. Every such case is reported, grouped, in plain language:
data staff must be able to tell a NUTS 2021/2024 mix-up from a typo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

LEVEL_NUMBER = {"NUTS0": 0, "NUTS1": 1, "NUTS2": 2, "NUTS3": 3}
#: How many codes a message lists before "and N more".
MAX_LISTED = 12


@dataclass
class MatchReport:
    """What :func:`match_regions` did.

    ``messages``: plain-language sentences for the page. ``issues``: one row per region not
    drawn as its own polygon (``region_id, name, level, nuts_version, reason, file``), with
    ``reason`` one of ``municipality``, ``no_boundaries``, ``no_file_for_level``,
    ``edition_mismatch``, ``not_in_file``, ``unknown_level``, ``other_edition`` (drawn, but
    from another NUTS edition's file); ``placed`` is False for a region with neither a
    polygon nor coordinates (it is not on the map at all).
    """

    messages: list[str] = field(default_factory=list)
    issues: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_polygons: int = 0
    n_points: int = 0
    n_unplaced: int = 0

    def codes(self, reason: str) -> list[str]:
        """region_ids reported with ``reason``."""
        if self.issues.empty:
            return []
        return self.issues.loc[self.issues["reason"] == reason, "region_id"].tolist()


def N_(text: str) -> str:
    """Marks a sentence for the interface's catalogues (see ``ui.i18n.SOURCES``)."""
    return text


def _english(text: str, **kwargs) -> str:
    """The translator used when none is given: the English text, filled."""
    return text.format(**kwargs)


def _pick(t, n: int, one: str, many: str, **kwargs) -> str:
    """``one`` or ``many`` by ``n``, translated and filled (``{n}`` is the count)."""
    return t(one, n=n, **kwargs) if n == 1 else t(many, n=n, **kwargs)


def _shown(rows: pd.DataFrame, t) -> str:
    """How the rows are drawn: as points, except those with no coordinates either (reported
    once, in the "cannot be placed" sentence)."""
    placed = int(rows["placed"].sum())
    if placed == len(rows):
        return " " + (t("It is shown as a point.") if placed == 1 else t("They are shown as points."))
    return " " + t("Those with coordinates are shown as points.") if placed else ""


def _and(items: list[str], t) -> str:
    return items[0] if len(items) == 1 else t("{a} and {b}", a=", ".join(items[:-1]), b=items[-1])


def _listing(rows: pd.DataFrame, t) -> str:
    names = rows["name"].fillna("").astype(str)
    items = [f"{c} ({n})" if n and n != c else c for c, n in zip(rows["region_id"], names)]
    more = len(items) - MAX_LISTED
    text = ", ".join(items[:MAX_LISTED])
    return t("{items} and {more} more", items=text, more=more) if more > 0 else text


def _files_for(boundaries: pd.DataFrame, level, t=_english) -> str:
    srcs = boundaries.loc[boundaries["LEVL_CODE"] == level, "source"].dropna().unique().tolist()
    return _and(sorted(map(str, srcs)), t) if srcs else f"level {level}"


def _years_for(boundaries: pd.DataFrame, level) -> list[int]:
    years = boundaries.loc[boundaries["LEVL_CODE"] == level, "nuts_year"].dropna().unique()
    return sorted(int(y) for y in years)


def _messages(issues: pd.DataFrame, boundaries: pd.DataFrame, t=_english) -> list[str]:
    msgs: list[str] = []
    if issues.empty:
        return msgs
    for reason, rows in issues.groupby("reason", sort=False):
        msgs += _reason_messages(reason, rows, boundaries, t)
    unplaced = issues[~issues["placed"]]
    if len(unplaced):
        msgs.append(_pick(t, len(unplaced),
                          N_("{n} region cannot be placed on the map at all (no boundary and no "
                          "latitude/longitude): {listing}."),
                          N_("{n} regions cannot be placed on the map at all (no boundary and no "
                          "latitude/longitude): {listing}."), listing=_listing(unplaced, t)))
    return msgs


def _reason_messages(reason: str, rows: pd.DataFrame, boundaries: pd.DataFrame, t) -> list[str]:
    n = len(rows)
    if reason == "no_boundaries":
        return [_pick(t, int(rows["placed"].sum()),
                      N_("No boundary file is configured: {n} region is shown as a point at its "
                      "coordinates."),
                      N_("No boundary file is configured: {n} regions are shown as points at their "
                      "coordinates."))]
    if reason == "municipality":
        return [_pick(t, n, N_("{n} municipality (LAU) is shown as a point: {listing}."),
                      N_("{n} municipalities (LAU) are shown as points: {listing}."),
                      listing=_listing(rows, t))]
    if reason == "unknown_level":
        return [_pick(t, n, N_("{n} region has an unknown level and is shown as a point: {listing}."),
                      N_("{n} regions have an unknown level and are shown as points: {listing}."),
                      listing=_listing(rows, t))]
    msgs: list[str] = []
    for level, group in rows.groupby("_lvl", sort=True):
        level, k = int(level), len(group)
        files = _files_for(boundaries, level, t)
        if reason == "no_file_for_level":
            msgs.append(_pick(t, k, N_("{n} region has no boundary because no NUTS level-{level} "
                                    "boundary file is loaded: {listing}."),
                              N_("{n} regions have no boundary because no NUTS level-{level} "
                              "boundary file is loaded: {listing}."),
                              level=level, listing=_listing(group, t)) + _shown(group, t))
        elif reason == "not_in_file":
            msgs.append(_pick(t, k, N_("{n} region has no boundary in {files}: {listing}. The code is "
                                    "not in that file (a typo, or a code of another NUTS edition?)."),
                              N_("{n} regions have no boundary in {files}: {listing}. The codes are "
                              "not in that file (a typo, or a code of another NUTS edition?)."),
                              files=files, listing=_listing(group, t)) + _shown(group, t))
        elif reason == "edition_mismatch":
            years = _and([f"NUTS {y}" for y in _years_for(boundaries, level)], t)
            for version, g in group.groupby("nuts_version", sort=True):
                msgs.append(_pick(
                    t, len(g),
                    N_("{n} region has no boundary in {files}: {listing}. This region is coded in "
                    "NUTS {version}, the level-{level} boundaries loaded are {years} (NUTS editions "
                    "differ, e.g. Portugal's NUTS-2 changed in 2024). It is shown as a point; add a "
                    "NUTS {version} level-{level} file or recode the regions to {years}."),
                    N_("{n} regions have no boundary in {files}: {listing}. These regions are coded in "
                    "NUTS {version}, the level-{level} boundaries loaded are {years} (NUTS editions "
                    "differ, e.g. Portugal's NUTS-2 changed in 2024). They are shown as points; add "
                    "a NUTS {version} level-{level} file or recode the regions to {years}."),
                    files=files, listing=_listing(g, t), version=str(int(version)), level=level,
                    years=years))
        elif reason == "other_edition":
            for (version, file), g in group.groupby(["nuts_version", "file"], sort=True):
                msgs.append(_pick(
                    t, len(g),
                    N_("{n} region coded in NUTS {version} is drawn with the boundary of the same code "
                    "in {file} (shapes may differ between editions): {listing}."),
                    N_("{n} regions coded in NUTS {version} are drawn with the boundary of the same "
                    "code in {file} (shapes may differ between editions): {listing}."),
                    version=str(int(version)), file=file, listing=_listing(g, t)))
    return msgs


def _fill_points(out: pd.DataFrame, labels: pd.DataFrame | None) -> pd.DataFrame:
    """Fill missing lat/lon: polygon → representative point; else label point; else parent's."""
    missing = out["lat"].isna() | out["lon"].isna()
    poly = missing & out["shape"].eq("polygon")
    if poly.any():
        pts = gpd.GeoSeries(out.loc[poly, "geometry"], crs=4326).representative_point()
        out.loc[poly, "lat"], out.loc[poly, "lon"] = pts.y.to_numpy(), pts.x.to_numpy()
    if labels is not None and len(labels):
        lab = labels.drop_duplicates("NUTS_ID").set_index("NUTS_ID")
        for c in ("lat", "lon"):
            out[c] = out[c].fillna(out["region_id"].map(lab[c]))
    if "parent_id" in out.columns:
        coords = out.dropna(subset=["lat", "lon"]).drop_duplicates("region_id").set_index("region_id")
        for c in ("lat", "lon"):
            out[c] = out[c].fillna(out["parent_id"].map(coords[c]))
    return out


def match_regions(regions: pd.DataFrame, boundaries: gpd.GeoDataFrame | None,
                  labels: pd.DataFrame | None = None, t=_english) -> tuple[gpd.GeoDataFrame, MatchReport]:
    """Join ``regions`` to polygons by ``region_id`` = ``NUTS_ID`` at the region's level.

    ``boundaries`` comes from :func:`geo.load_boundaries` and may hold several levels and
    NUTS editions (years): each region is matched against the files of its level,
    preferring the file whose year equals the region's ``nuts_version`` (else the latest
    year that has the code). ``labels`` (optional, :func:`geo.load_label_points`) places
    regions that have neither a polygon nor coordinates. ``t``: the interface's translator
    (``ui.i18n.t``) for the report's sentences; English without it.

    Returns ``(matched, report)``: ``matched`` has every region row with ``geometry`` (None
    when drawn as a point), ``shape`` (``polygon``/``point``/``none``), ``file`` (the
    boundary file used) and ``lat``/``lon`` filled where possible; ``report`` is a
    :class:`MatchReport`.
    """
    out = regions.reset_index(drop=True).copy()
    for col in ("lat", "lon"):
        out[col] = pd.to_numeric(out[col], errors="coerce") if col in out.columns else np.nan
    if "nuts_version" not in out.columns:
        out["nuts_version"] = pd.NA
    out["nuts_version"] = pd.to_numeric(out["nuts_version"], errors="coerce").astype("Int64")
    out["_lvl"] = out["level"].map(LEVEL_NUMBER).astype("Int64")
    out["region_id"] = out["region_id"].astype(str)

    b = boundaries if boundaries is not None else None
    has_b = b is not None and len(b) > 0
    out["geometry"] = None
    out["file"] = None
    out["_year"] = pd.array([pd.NA] * len(out), dtype="Int64")
    if has_b:
        cand = (out[["region_id", "_lvl", "nuts_version"]].reset_index()
                .merge(pd.DataFrame(b[["NUTS_ID", "LEVL_CODE", "nuts_year", "source", "geometry"]]),
                       left_on=["region_id", "_lvl"], right_on=["NUTS_ID", "LEVL_CODE"], how="inner"))
        cand["_other"] = (cand["nuts_year"] != cand["nuts_version"]).fillna(True)
        cand = (cand.sort_values(["index", "_other", "nuts_year"], ascending=[True, True, False])
                .drop_duplicates("index").set_index("index"))
        out.loc[cand.index, "geometry"] = cand["geometry"]
        out.loc[cand.index, "file"] = cand["source"]
        out.loc[cand.index, "_year"] = cand["nuts_year"]

    matched = out["geometry"].notna()
    out["shape"] = np.where(matched, "polygon", "point")
    levels_loaded = set(b["LEVL_CODE"].dropna().astype(int)) if has_b else set()
    years_by_level = {lv: set(_years_for(b, lv)) for lv in levels_loaded}
    lvl_known = out["_lvl"].notna()
    level_has_file = out["_lvl"].isin(levels_loaded).fillna(False).astype(bool)
    version_in_files = pd.Series(
        # a file of unknown edition (not a GISCO name) cannot be said to differ
        [(lv in years_by_level and (v in years_by_level[lv] or not years_by_level[lv]))
         if pd.notna(lv) and pd.notna(v) else True
         for lv, v in zip(out["_lvl"], out["nuts_version"])], index=out.index, dtype=bool)
    is_lau = out["level"].astype(str).str.upper().eq("LAU")
    other_ed = matched & out["nuts_version"].notna() & (out["_year"] != out["nuts_version"]).fillna(False)
    reason = np.select(
        [matched & other_ed, matched, is_lau, ~lvl_known, pd.Series(not has_b, index=out.index),
         ~level_has_file, ~version_in_files],
        ["other_edition", "", "municipality", "unknown_level", "no_boundaries",
         "no_file_for_level", "edition_mismatch"],
        default="not_in_file")
    out["_reason"] = reason

    out = _fill_points(out, labels)
    unplaced = out["shape"].eq("point") & (out["lat"].isna() | out["lon"].isna())
    out.loc[unplaced, "shape"] = "none"
    out["placed"] = ~unplaced

    issues = out.loc[out["_reason"] != "", ["region_id", "name", "level", "nuts_version", "_reason",
                                            "file", "placed", "_lvl"]].rename(columns={"_reason": "reason"})
    report = MatchReport(
        messages=_messages(issues, b if has_b else pd.DataFrame(columns=["LEVL_CODE", "source", "nuts_year"]),
                           t),
        issues=issues.drop(columns="_lvl").reset_index(drop=True),
        n_polygons=int(out["shape"].eq("polygon").sum()),
        n_points=int(out["shape"].eq("point").sum()),
        n_unplaced=int(unplaced.sum()),
    )
    out = out.drop(columns=["_lvl", "_year", "_reason", "placed"])
    gdf = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(out["geometry"], crs=4326), crs=4326)
    return gdf, report


def countries(boundaries: gpd.GeoDataFrame | None, regions: pd.DataFrame | None = None):
    """The country outlines (NUTS 0) to draw under the regions: every country of the boundaries
    (Europe in outline, not only the countries with data), in the regions' most common NUTS
    edition when that file is loaded, else the latest. None without level-0 boundaries."""
    if boundaries is None or not len(boundaries):
        return None
    lvl0 = boundaries[boundaries["LEVL_CODE"] == 0]
    if not len(lvl0):
        return None
    years = lvl0["nuts_year"].dropna()
    if len(years):
        want = None
        if regions is not None and "nuts_version" in regions.columns:
            v = pd.to_numeric(regions["nuts_version"], errors="coerce").dropna()
            want = int(v.mode().iloc[0]) if len(v) else None
        year = want if want in set(years.astype(int)) else int(years.max())
        lvl0 = lvl0[lvl0["nuts_year"] == year]
    return lvl0.drop_duplicates("NUTS_ID").reset_index(drop=True)
