"""Page logic for the Overview and the Region profile: pure functions, no Streamlit.

Each function takes the cube / tables and the view (region, target group, edition) and
returns the DataFrame a page shows, charts and downloads — so tests can check the numbers
against :mod:`scoring` without a browser. The numbers every page shares live here once: the
headline (:func:`headline`, :func:`headline_cards`), the rank bands (:func:`rank_bands`) and
the priority areas with the practices for them (:func:`priority_table`,
:func:`practice_links`); the brief and the workshop call them. URL parameters are parsed by
:mod:`ui.params`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import scoring
from data.schema import EUROSTAT_FLAGS, PHASE_ORDER, answer_option_texts, split_list
from ui import fmt, memo, params, safe
from ui.i18n import N_, column_title, data_column, t, term, untranslated_note

AXES = ("area", "phase", "system")
#: Header of the "how many values were compared" column, and the axis in running text.
COMPARED = {"area": N_("Areas compared"), "phase": N_("Phases compared"),
            "system": N_("Systems compared")}
AXIS_WORDS = {"area": N_("area"), "phase": N_("policy-cycle phase"),
              "system": N_("governance system")}
PEER_MODES = params.PEER_MODES
N_SIMILAR = 5
#: How many priority areas a region gets (scoring.priorities): the profile, the brief, the
#: workshop and the Integration Lab all ask for this many.
N_PRIORITIES = 3


# ------------------------------------------------------------------------- regions

@memo.cached
def scored_regions(cube: scoring.Cube, regions: pd.DataFrame) -> pd.DataFrame:
    """The regions that have scores, with name and country, sorted by name."""
    ids = set(map(str, cube.regions))
    r = regions.assign(region_id=regions["region_id"].astype(str))
    r = r[r["region_id"].isin(ids)][["region_id", "name", "country", "level", "parent_id"]]
    return r.sort_values(["name", "region_id"]).reset_index(drop=True)


def default_region(ids: list[str], regions: pd.DataFrame, cube=None, group=None,
                   edition=None) -> str:
    """The region a one-region page (profile, brief, workshop) opens on when neither the link
    nor this session has named one (the session's last region is kept by the pages' shared
    ``region`` widget): the first REGIN partner region with scores, in the partners' order,
    else the first scored region in the regions table's order — never simply the first name
    in the alphabet or the last-ranked region. Given the ``cube``, ``group`` and ``edition`` in
    view, a region with a score in them is preferred, so a page does not open on "no data"
    (MIPEX published 2024 without AT, IT, PT and SE)."""
    from data.demo import PARTNERS

    if not ids:
        raise ValueError("default_region needs at least one scored region")
    if cube is not None:
        in_view = set(map(str, scoring.regions_with_data(cube, group, edition)))
        now = [i for i in ids if i in in_view]
        if now:
            ids = now
    have = set(ids)
    for code in PARTNERS:
        if code in have:
            return code
    for code in regions["region_id"].astype(str):
        if code in have:
            return code
    return ids[0]


def units_are_countries(regions: pd.DataFrame, ids) -> bool:
    """Whether the places of the index in view are countries (NUTS 0, as in MIPEX), so that
    the pages call them countries, not regions."""
    levels = regions.loc[regions["region_id"].astype(str).isin(set(map(str, ids))), "level"]
    return len(levels) > 0 and bool(levels.astype(str).eq("NUTS0").all())


def scored_context():
    """What every one-region page starts with: the sidebar's edition and target group, the
    tables, the scoring cube and the regions that have scores. Stops the page with a message
    when nothing is scored yet. Returns ``(edition, group, tabs, cube, regions)``."""
    import streamlit as st

    from ui import sidebar, state

    view = sidebar.view()
    tabs, cube = state.tables(), state.cube()
    regions = scored_regions(cube, tabs["regions"])
    if regions.empty or view["edition"] is None or view["target_group"] is None:
        state.show_notices()
        st.warning(t("No scores have been published yet."))
        st.stop()
    return view["edition"], view["target_group"], tabs, cube, regions


@memo.cached
def with_labels(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """``table`` with ``label``: its region's "Name (ID)"."""
    return table.assign(label=table["region_id"].map(labels))


@memo.cached
def region_label(regions: pd.DataFrame) -> dict[str, str]:
    """region_id → "Name (ID)" for selectboxes and chart labels."""
    return {str(i): f"{n} ({i})" for i, n in zip(regions["region_id"], regions["name"])}


@memo.cached
def area_order(cube: scoring.Cube, axis: str = "area") -> list[str]:
    """Values of ``axis`` in display order (phases in policy-cycle order, else A–Z)."""
    vals = sorted({str(v) for v in cube.indicators[axis].dropna()})
    if axis == "phase":
        rank = {p: i for i, p in enumerate(PHASE_ORDER)}
        vals.sort(key=lambda v: (rank.get(v, len(rank)), v))
    return vals


# ---------------------------------------------------------------------- URL parsing
# The URL parameters (``w``, ``peers``) are parsed by ui.params, the one parser of each.


# --------------------------------------------------------------------------- overview

def band_draws(n_regions: int) -> int:
    """Weight draws behind the rank bands: 1,000, fewer for many regions (a weight change on
    the Gaps page must re-score within about a second)."""
    return 1000 if n_regions <= 200 else 300


@memo.cached(per_language=False)
def rank_bands(cube: scoring.Cube, regions: pd.DataFrame, edition, group,
               weights: dict | None = None) -> pd.DataFrame:
    """Every region's rank with its uncertainty: :func:`scoring.robustness` (weights drawn
    ±25 % around the nominal ones — the indicators' weights and the area ``weights`` — each
    draw scored with the arithmetic and the geometric mean), among all regions and within
    the country. Computed once per data version, group, edition and weighting (the cube is
    the version's object), and shared by every page that shows a rank: the Overview, the
    Region profile, the brief, the workshop and the Gaps page."""
    return scoring.robustness(cube, group, edition, group_weights=params.effective_weights(weights),
                              n_draws=band_draws(len(cube.regions)), regions=regions)


@memo.cached
def overall_table(cube: scoring.Cube, regions: pd.DataFrame, edition, group,
                  weights: dict | None = None) -> pd.DataFrame:
    """Overall score, rank (with its band) and coverage of every scored region for one
    edition and target group.

    Numbers are :func:`scoring.overall` (the indicators' weights; area weights ``weights``
    on top, None = every area once) and :func:`rank_bands`. Output: rank, rank_low,
    rank_high, region_id, name, country, score, coverage (share of the indicator weight
    answered behind the score), areas_scored, areas_total, rank_country, rank_country_low,
    rank_country_high — ranked, regions without a score last.
    """
    weights = params.effective_weights(weights)
    ov = scoring.overall(cube, group_weights=weights, regions=regions)
    ov = ov[(ov["target_group"] == group) & (ov["edition"] == edition)]
    ov = ov.assign(region_id=ov["region_id"].astype(str))
    names = scored_regions(cube, regions).set_index("region_id")
    bands = rank_bands(cube, regions, edition, group, weights).set_index("region_id")
    rid = ov["region_id"]
    out = ov.assign(name=rid.map(names["name"]), country=rid.map(names["country"]),
                    rank_low=rid.map(bands["rank_p05"]), rank_high=rid.map(bands["rank_p95"]),
                    rank_country_low=rid.map(bands["rank_country_p05"]),
                    rank_country_high=rid.map(bands["rank_country_p95"]),
                    areas_scored=ov["n_present"], areas_total=ov["n_total"])
    for c in ("rank_low", "rank_high", "rank_country_low", "rank_country_high"):
        out[c] = pd.array(out[c].to_numpy(float)).astype("Int64")
    out = out.sort_values(["rank", "name"], na_position="last")
    return out[["rank", "rank_low", "rank_high", "region_id", "name", "country", "score",
                "coverage", "areas_scored", "areas_total", "rank_country", "rank_country_low",
                "rank_country_high"]].reset_index(drop=True)


def band_help(n_regions: int) -> str:
    """What a rank band means (the tooltip of every rank)."""
    return t("The band is where the region ranks in 90 % of {n:,} variations of the index: "
             "indicator and area weights drawn at random within ±25 % of their values, each "
             "scored with the arithmetic and the geometric mean (the 5th to 95th percentile "
             "of its ranks). Regions whose bands overlap cannot be told apart with confidence.",
             n=2 * band_draws(n_regions))


@memo.cached
def band_column(frame: pd.DataFrame, low: str, high: str) -> pd.Series:
    """The band as text, "21–25", for a table column."""
    return pd.Series([fmt.band(lo, hi) for lo, hi in zip(frame[low], frame[high])],
                     index=frame.index, dtype=object)


@memo.cached
def area_summary(cube: scoring.Cube, regions: pd.DataFrame, edition, group,
                 n: int = 3) -> pd.DataFrame:
    """Each area across all regions, strongest first (as REGIN's brief reports them).

    mean_score = mean over regions with a score (never counting a missing one as 0);
    regions_scored / regions_total say how many; coverage = mean indicator coverage.
    ``standing``: "strongest" for the top ``n`` areas, "weakest" for the bottom ``n``.
    """
    a = axis_table(cube, "area")
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


@memo.cached
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


# ---------------------------------------------------------------------- one region

@memo.cached
def axis_table(cube: scoring.Cube, axis: str = "area") -> pd.DataFrame:
    return scoring.aggregate(cube, by=axis)


@memo.cached
def peer_ids(table: pd.DataFrame, region: str, mode: str, ids, regions: pd.DataFrame,
             group, edition) -> list[str]:
    """The region ids of the peer group (``mode`` all/country/similar/list)."""
    how = "list" if mode == "list" else mode
    p = scoring.peers(table, region, how, target_group=group, edition=edition,
                      regions=regions, ids=ids, k=N_SIMILAR)
    return p["region_id"].astype(str).tolist()


@memo.cached
def radar_frame(table: pd.DataFrame, region: str, peers: list[str], group, edition,
                names: dict[str, str]) -> pd.DataFrame:
    """Long frame for the radar/bars: the region, its peer group's mean, the best performer.

    Numbers are :func:`scoring.gaps` (score, peer_mean, best_score) for each value of the
    table's axis. Output: <axis>, series, score, coverage (region's), n_peers, best_region.
    """
    axis = scoring.compare.axis_columns(table)[0]
    g = scoring.gaps(table[(table["target_group"] == group) & (table["edition"] == edition)],
                     region, peer_ids=peers)
    own, peer, best = names.get(region, region), t("Peer-group mean"), t("Best performer")
    parts = [
        g[[axis, "score", "coverage"]].assign(series=own),
        g[[axis, "peer_mean", "n_peers"]].rename(columns={"peer_mean": "score"}).assign(series=peer),
        g[[axis, "best_score", "best_region"]].rename(columns={"best_score": "score"})
        .assign(series=best),
    ]
    out = pd.concat(parts, ignore_index=True)
    out[axis] = out[axis].astype(str)
    out["best_region"] = out["best_region"].map(
        lambda s: "; ".join(names.get(x, x) for x in split_list(s)) if isinstance(s, str) else s)
    return out[[axis, "series", "score", "coverage", "n_peers", "best_region"]]


@memo.cached
def radar_table(radar: pd.DataFrame, axis: str) -> pd.DataFrame:
    """The radar's numbers side by side: one row per axis value, one column per series,
    plus the region's coverage and the best region(s) — the chart's text alternative."""
    wide = radar.pivot_table(index=axis, columns="series", values="score", sort=False,
                             dropna=False, aggfunc="first")
    series = radar["series"].drop_duplicates().tolist()
    wide = wide.reindex(columns=series).reset_index()
    wide.columns.name = None
    own = radar[radar["series"] == series[0]].set_index(axis)
    best = radar[radar["series"] == series[-1]].set_index(axis)
    wide[t("Coverage")] = wide[axis].map(own["coverage"]).astype(float)
    wide[t("Best region")] = wide[axis].map(best["best_region"])
    return wide.rename(columns={axis: column_title(axis)})


@memo.cached
def cycle_heatmap(cube: scoring.Cube, region: str, group, edition) -> pd.DataFrame:
    """Area × phase scores of one region, with ``weakest``: the lowest phase(s) of each area.

    A tie marks every tied phase; an area with fewer than two scored phases marks none
    (nothing to compare). Output: area, phase, score, coverage, n_present, n_total, weakest.
    """
    h = axis_table(cube, ("area", "phase"))
    h = h[(h["region_id"] == region) & (h["target_group"] == group) & (h["edition"] == edition)]
    h = h[["area", "phase", "score", "coverage", "n_present", "n_total"]].copy()
    h["area"], h["phase"] = h["area"].astype(str), h["phase"].astype(str)
    low = h.groupby("area")["score"].transform("min")
    n_scored = h.groupby("area")["score"].transform("count")
    h["weakest"] = (h["score"] == low) & (n_scored >= 2)
    return h.reset_index(drop=True)


@memo.cached
def _edition_change(cube: scoring.Cube, by, edition) -> pd.DataFrame:
    return scoring.edition_change(cube, by=by, edition_to=edition)


@memo.cached
def change_table(cube: scoring.Cube, region: str, group, edition) -> pd.DataFrame | None:
    """Change since the previous edition, overall and by area (:func:`scoring.edition_change`).

    ``status`` says "not comparable" when the set of indicators behind the number changed
    between editions, "no data" when either score is missing. None when ``edition`` is the
    first one.
    """
    eds = list(cube.editions)
    if edition not in eds or eds.index(edition) == 0:
        return None
    by_area = _edition_change(cube, ("area",), edition)
    total = _edition_change(cube, None, edition)
    keep = ["area", "edition_from", "edition_to", "score_from", "score_to", "change",
            "coverage_from", "coverage_to", "comparable"]
    total = total.assign(area=t("Overall"))
    out = pd.concat([total, by_area], ignore_index=True)
    out = out[(out["region_id"].astype(str) == region) & (out["target_group"] == group)]
    out = out.assign(area=out["area"].astype(str))[keep].reset_index(drop=True)
    status = np.where(out["change"].isna(), t("no data"),
                      np.where(out["comparable"], t("comparable"), t("not comparable")))
    out["status"] = status
    return out


def flag_meaning(flag) -> str | None:
    """Eurostat flags ("u", "bu") → "u: low reliability; b: break in time series"."""
    if flag is None or (isinstance(flag, float) and np.isnan(flag)) or flag is pd.NA:
        return None
    text = str(flag).strip()
    if not text:
        return None
    return "; ".join(f"{c}: {t(EUROSTAT_FLAGS.get(c, N_('unknown flag')))}" for c in text)


#: How a gap's two groups are said on screen (keys: :func:`scoring.comparison`).
GROUP_WORDS = {"nationals": N_("nationals"), "native-born": N_("native-born residents"),
               "all residents": N_("all residents"), "non-EU citizens": N_("non-EU citizens"),
               "non-EU-born": N_("non-EU-born residents"),
               "foreign citizens": N_("foreign citizens"), "foreign-born": N_("foreign-born residents"),
               "EU citizens": N_("EU citizens"), "EU-born": N_("EU-born residents")}


@memo.cached
def measure_catalogue(measures: pd.DataFrame | None, outcomes: pd.DataFrame | None
                      ) -> pd.DataFrame:
    """The outcome measures that have figures, as the catalogue describes them, in the
    catalogue's order (``position``, then label). A measure with figures but no catalogue
    entry (data published before the catalogue existed) is described as an import would
    (:func:`data.measures.suggest`)."""
    from data.measures import suggest
    from data.schema import empty_frame

    if outcomes is None or outcomes.empty:
        return empty_frame("measures")
    cat = measures if measures is not None else empty_frame("measures")
    have = set(outcomes["measure"].dropna().astype(str))
    missing = have - set(cat["measure"].dropna().astype(str))
    if missing:
        extra = suggest(outcomes[outcomes["measure"].isin(missing)])
        cat = pd.concat([cat, extra.astype({"direction": "Int64", "position": "Int64"})],
                        ignore_index=True)
    cat = cat[cat["measure"].astype(str).isin(have)]
    cat = cat.assign(direction=pd.to_numeric(cat["direction"], errors="coerce").fillna(1)
                     .astype(int))
    return cat.sort_values(["position", "label", "measure"], na_position="last",
                           kind="stable").reset_index(drop=True)


def measure_areas(row) -> list[str]:
    return split_list(row.get("areas") if hasattr(row, "get") else row["areas"])


def default_measure(catalogue: pd.DataFrame, areas: list[str], area: str | None = None
                    ) -> str | None:
    """The measure shown first: the first (in catalogue order) linked to ``area`` — the area
    in view — or, without one, to any of the framework's ``areas``; else the first."""
    if catalogue.empty:
        return None
    wanted = [area] if area else list(areas)
    for want in wanted:
        for m, linked in zip(catalogue["measure"], catalogue["areas"]):
            if want.casefold() in {a.casefold() for a in split_list(linked)}:
                return str(m)
    return str(catalogue["measure"].iloc[0])


def linked_area(measure_row, areas: list[str]) -> str | None:
    """The framework's area a measure speaks to (the first of its areas the framework has)."""
    by_fold = {a.casefold(): a for a in areas}
    return next((by_fold[a.casefold()] for a in measure_areas(measure_row)
                 if a.casefold() in by_fold), None)


def comparison_words(measure_row) -> tuple[str, str] | None:
    """(reference, migrant) in words, e.g. ("all residents", "non-EU-born residents")."""
    pair = scoring.comparison(measure_row.get("basis"), measure_row.get("reference_group"),
                              measure_row.get("migrant_group"))
    if pair is None:
        return None
    return tuple(t(GROUP_WORDS[w]) if w in GROUP_WORDS else str(w) for w in pair)


def _is_missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v == ""


@memo.cached
def outcome_gap(table: pd.DataFrame, outcomes: pd.DataFrame, catalogue: pd.DataFrame,
                regions: pd.DataFrame, region: str, group, edition, measure: str | None = None,
                area: str | None = None) -> dict | None:
    """The policy–outcome gap of one region for one measure of the catalogue, with the
    parent region's figures as a proxy.

    Numbers: :func:`scoring.policy_outcome_gap` on the area table for the measure's linked
    area (or ``area``), comparing the catalogue's reference and migrant groups, the year
    paired with the edition by :func:`scoring.pair_year`, the gap's flag by
    :func:`scoring.combined_flag`. ``measure`` None: :func:`default_measure`. When the
    region has no figure for the measure (Skåne, NUTS-3), its parent's are used and
    ``proxy`` names the parent. Returns None when neither has figures; else a dict with
    the row (``row``: one-row DataFrame), ``proxy``, ``proxy_name``, ``area``, ``edition``,
    ``measure`` (the catalogue row as a dict), ``migrant_years`` (years in which the
    migrant group has a figure) and ``status``: "gap", "no migrant figure", "no reference
    figure" or "no breakdown" (a measure for everyone).
    """
    if outcomes is None or outcomes.empty or catalogue.empty:
        return None
    areas = sorted(map(str, table["area"].dropna().unique()))
    measure = measure or default_measure(catalogue, areas)
    found = catalogue[catalogue["measure"].astype(str) == measure]
    if found.empty:
        return None
    info = found.iloc[0].to_dict()
    area = area or linked_area(info, areas)
    rows = outcomes[outcomes["measure"] == measure]
    has = set(rows.loc[rows["value"].notna(), "region_id"].astype(str))
    proxy = None
    if region not in has:
        parent = regions.set_index(regions["region_id"].astype(str))["parent_id"].get(region)
        if isinstance(parent, str) and parent in has:
            proxy = parent
        elif region not in set(rows["region_id"].astype(str)):
            return None
    src = rows[rows["region_id"].astype(str) == (proxy or region)].assign(region_id=region)
    ref_group, mig_group = info.get("reference_group"), info.get("migrant_group")
    status = "gap"
    if _is_missing(mig_group):  # no breakdown: the figure for everyone, as the migrant side
        status, ref_group = "no breakdown", None
        groups = set(src["group"].dropna().astype(str))
        mig_group = "TOTAL" if "TOTAL" in groups else (sorted(groups)[0] if groups else "TOTAL")
    res = scoring.policy_outcome_gap(
        table, src, area if area is not None else "", target_group=group, edition=edition,
        measure=measure, reference_group=ref_group, migrant_group=mig_group,
        direction=int(info.get("direction") or 1))
    row = res[res["region_id"] == region].copy()
    if row.empty:
        return None
    r0 = row.iloc[0]
    if status == "gap" and pd.isna(r0["value_migrant"]):
        status = "no migrant figure"
    elif status == "gap" and pd.isna(r0["value_reference"]):
        status = "no reference figure"
    mig_rows = src[(src["group"] == mig_group) & src["value"].notna()]
    names = regions.set_index(regions["region_id"].astype(str))["name"]
    row["outcome_region"] = proxy or region
    for side in ("reference", "migrant", "gap"):
        row[f"flag_{side}_meaning"] = row[f"flag_{side}"].map(flag_meaning)
    cols = ["area", "policy_score", "policy_coverage", "value_reference", "flag_reference",
            "flag_reference_meaning", "value_migrant", "flag_migrant", "flag_migrant_meaning",
            "outcome_gap", "flag_gap", "flag_gap_meaning", "year", "unit", "source",
            "outcome_region"]
    row["area"] = area
    info.update(reference_group=ref_group, migrant_group=mig_group)
    return {"row": row[cols].reset_index(drop=True), "proxy": proxy, "edition": edition,
            "proxy_name": names.get(proxy) if proxy else None, "area": area,
            "measure": info, "status": status,
            "migrant_years": sorted(int(y) for y in mig_rows["year"].dropna().unique())}


@memo.cached
def measure_list(catalogue: pd.DataFrame) -> pd.DataFrame:
    """The measure catalogue as the Methodology page shows it: what each measure compares,
    in words, its direction and its policy areas."""
    comp = []
    for row in catalogue.to_dict("records"):
        words = comparison_words(row)
        comp.append(t("{a} vs {b}", a=words[0], b=words[1]) if words else
                    t("no breakdown (no gap)"))
    return pd.DataFrame({
        t("Measure"): catalogue["label"].astype(str), t("Code"): catalogue["measure"].astype(str),
        t("Compares"): comp,
        t("Groups"): [f"{r or '–'} / {m or '–'}" for r, m in zip(
            catalogue["reference_group"].fillna(""), catalogue["migrant_group"].fillna(""))],
        t("Better when"): [t("higher") if int(d) == 1 else t("lower")
                           for d in catalogue["direction"]],
        t("Policy areas"): catalogue["areas"].fillna("").map(lambda s: ", ".join(split_list(s))),
        t("Unit"): catalogue["unit"].fillna(""), t("Source"): catalogue["source"].fillna(""),
    })


def gap_unit(unit) -> str:
    """A gap between two rates in % is in percentage points."""
    text = "" if _is_missing(unit) else str(unit)
    return t("pp") if text in ("%", "PC") else text


def outcome_text(res: dict) -> str:
    """The panel's explanation in words: what is compared, which year, what the sign means,
    and — for an empty series — that Eurostat publishes it empty (and its flag)."""
    m, row = res["measure"], res["row"].iloc[0]
    label = str(m.get("label") or m.get("measure"))
    year = row["year"]
    parts = []
    words = comparison_words(m)
    if res["status"] == "no breakdown" or words is None:
        parts.append(t("{m}: a figure for the whole population; the data has no breakdown by "
                       "citizenship or country of birth, so there is no gap.", m=label))
    else:
        ref, mig = words
        worse = t("lower") if int(m.get("direction") or 1) == 1 else t("higher")
        parts.append(t("{m}: {mig} ({mg}) compared with {ref} ({rg}). The gap is positive when "
                       "{mig} do worse (a {worse} rate).", m=label, mig=mig, ref=ref,
                       mg=m.get("migrant_group"), rg=m.get("reference_group"), worse=worse))
    if pd.notna(year):
        rule = (t("the nearest year not after the {e} edition", e=res["edition"])
                if res["edition"] is not None and int(year) <= int(res["edition"]) else
                t("the nearest year to the {e} edition (none before it)", e=res["edition"]))
        parts.append(t("Outcome year {y}: {rule}; policy scores are from the {e} edition.",
                       y=int(year), rule=rule, e=res["edition"]))
    if res["status"] == "no migrant figure" and words is not None:
        flag = row["flag_migrant"]
        flagged = "" if _is_missing(flag) else t(" (flag {m})", m=flag_meaning(flag))
        if not res["migrant_years"]:
            parts.append(t("Eurostat publishes no figure for {mig} here in any year: the series "
                           "is empty{flagged}. No gap can be computed; this is not a 0.",
                           mig=words[1], flagged=flagged))
        else:
            parts.append(t("Eurostat publishes no figure for {mig} in {y}{flagged}; no gap can "
                           "be computed for that year.", mig=words[1], y=int(year) if
                           pd.notna(year) else "", flagged=flagged))
    if res["status"] == "no reference figure" and words is not None:
        parts.append(t("No figure for {ref} in this year; no gap can be computed.",
                       ref=words[0]))
    if not _is_missing(row["flag_gap"]):
        parts.append(t("The gap carries every flag of its two figures: {f}.",
                       f=flag_meaning(row["flag_gap"])))
    if res["area"] is None:
        parts.append(t("The catalogue links this measure to no policy area of this index, so "
                       "no policy score is shown beside it."))
    return " ".join(parts)


@memo.cached
def outcome_rows(res: dict) -> pd.DataFrame:
    """The policy–outcome gap as a short vertical table: one row per figure, with its
    Eurostat flag and what the flag means, the year, the source and whose figures they are."""
    row, m = res["row"].iloc[0], res["measure"]
    whose = row["outcome_region"] + (" (" + t("proxy") + ")" if res["proxy"] else "")
    label = str(m.get("label") or m.get("measure"))
    words = comparison_words(m)
    unit = "" if _is_missing(m.get("unit")) else f" ({m.get('unit')})"
    figures = [(t("Policy score: {a}", a=res["area"]) if res["area"] else t("Policy score"),
                row["policy_score"], None, None)]
    if words is None or res["status"] == "no breakdown":
        figures.append((f"{label}{unit}, {m.get('migrant_group')}", row["value_migrant"],
                        row["flag_migrant"], row["flag_migrant_meaning"]))
    else:
        ref, mig = words
        direction = int(m.get("direction") or 1)
        first, second = ((m.get("reference_group"), m.get("migrant_group")) if direction == 1
                         else (m.get("migrant_group"), m.get("reference_group")))
        figures += [
            (f"{label}{unit}: {ref} ({m.get('reference_group')})", row["value_reference"],
             row["flag_reference"], row["flag_reference_meaning"]),
            (f"{label}{unit}: {mig} ({m.get('migrant_group')})", row["value_migrant"],
             row["flag_migrant"], row["flag_migrant_meaning"]),
            (t("Gap, {unit} ({a} − {b})", unit=gap_unit(m.get("unit")) or t("difference"),
               a=first, b=second), row["outcome_gap"], row["flag_gap"],
             row["flag_gap_meaning"]),
        ]
    out = pd.DataFrame(figures, columns=[t("Figure"), t("Value"), t("Flag"), t("Flag means")])
    out[t("Value")] = out[t("Value")].astype(float)
    # no flag is not missing data: an empty flag reads "–"
    for c in (t("Flag"), t("Flag means")):
        out[c] = out[c].map(lambda v: "–" if _is_missing(v) else str(v))
    n = len(figures) - 1
    out[t("Year")] = pd.array([res.get("edition", pd.NA)] + [row["year"]] * n, dtype="Int64")
    source = "" if _is_missing(row["source"]) else str(row["source"])
    out[t("Source")] = [t("policy scores")] + [source] * n
    out[t("Figures of")] = [row["outcome_region"] if not res["proxy"] else ""] + [whose] * n
    return out


@memo.cached
def similar_regions(table: pd.DataFrame, region: str, group, edition,
                    names: dict[str, str], k: int = N_SIMILAR) -> pd.DataFrame:
    """The ``k`` regions with the most similar profile (Euclidean distance over the axis
    scores, :func:`scoring.peers` "similar"), with their overall score along the axis."""
    p = scoring.peers(table, region, "similar", target_group=group, edition=edition, k=k)
    return p.assign(name=p["region_id"].map(lambda r: names.get(r, r)))[
        ["region_id", "name", "distance", "n_common"]]


@memo.cached
def strengths(cube: scoring.Cube, region: str, peers: list[str], group, edition,
              n: int = 3) -> pd.DataFrame:
    """Top/bottom indicators against the peer mean (:func:`scoring.strengths_weaknesses`)."""
    sw = scoring.strengths_weaknesses(cube, region, peers, group, edition, n=n)
    return sw[["type", "order", "indicator_id", "label", "area", "phase", "value", "peer_mean",
               "n_peers", "diff"]]


@memo.cached
def drilldown(cube: scoring.Cube, indicators: pd.DataFrame, scores: pd.DataFrame,
              region: str, group, edition, area: str | None = None) -> pd.DataFrame:
    """Indicator by indicator: question, answer, value, note and source of one region.

    ``value`` is the cube's value (for "ALL": the TCN/BIP mean); answers, notes and sources
    come from the scores table (for "ALL", both groups' answers, "TCN: A · BIP: B").
    Indicators asked but not answered appear with value NaN ("no data"), never 0.
    """
    r = cube.region_index(region)
    g = cube.group_index(group)
    e = cube.edition_index(edition)
    meta = cube.indicators[["indicator_id", "label", "area", "phase"]].copy()
    meta["value"] = cube.values[r, g, e, :]
    meta["weight"] = [weight_text(w) for w in cube.indicators["weight"].to_numpy(float)]
    meta["asked"] = cube.asked[:, g]
    q = indicators.set_index(indicators["indicator_id"].astype(str))["question"]
    meta["question"] = meta["indicator_id"].map(q)
    for field in ("label", "question"):  # the interface language's text, if the data has it
        meta[field] = data_column(meta, field, indicators)
    s = scores[(scores["region_id"].astype(str) == region) & (scores["edition"] == edition)]
    groups = [group] if group != scoring.ALL else [x for x in cube.groups if x != scoring.ALL]
    s = s[s["target_group"].isin(groups)]

    def joined(col):
        if len(groups) == 1:
            return s.set_index("indicator_id")[col]
        parts = s.dropna(subset=[col]).assign(
            _t=lambda d: d["target_group"].astype(str) + ": " + d[col].astype(str))
        return parts.groupby("indicator_id")["_t"].agg(" · ".join)

    for col in ("answer", "note", "source"):
        meta[col] = meta["indicator_id"].map(joined(col))
    # what the answer means, where the data has the answer options as published
    if "answer_options" in indicators.columns and indicators["answer_options"].notna().any():
        texts = {str(i): answer_option_texts(o) for i, o in
                 zip(indicators["indicator_id"], indicators["answer_options"])}
        meta["answer_means"] = [texts.get(i, {}).get(str(a)) if isinstance(a, str) else None
                                for i, a in zip(meta["indicator_id"], meta["answer"])]
    else:
        meta["answer_means"] = None
    # no note is not missing data; a column without any note is all-NaN floats, so go
    # through object before putting text in it
    meta["note"] = meta["note"].astype(object).where(meta["note"].notna(), "–")
    # a value given directly (no answer code) is not missing data either
    meta["answer"] = meta["answer"].astype(object).where(
        meta["answer"].notna() | meta["value"].isna(), "–")
    meta = meta[meta["asked"]]
    if area:
        meta = meta[meta["area"].astype(str) == area]
    return meta[["indicator_id", "area", "phase", "label", "question", "answer", "answer_means",
                 "value", "weight", "note", "source"]].reset_index(drop=True)


def weight_text(weight) -> str:
    """An indicator's weight as shown: "1", "2", "0.5" — or "excluded" for 0 (it is shown
    but counts in no score)."""
    w = float(weight)
    return t("excluded (weight 0)") if w == 0 else f"{w:g}"


# ------------------------------------------------------------- what the pages show

@memo.cached
def overview_parts(cube: scoring.Cube, regions: pd.DataFrame, edition, group,
                   weights: dict | None = None) -> dict:
    """Everything the Overview computes for one edition, group and weighting: the ranked
    ``table`` (with ``label``), region ``labels``, the ranked ``bars`` chart and its data
    (``bar_data``), the area ``summary`` and its chart (``area_bars``), the table ``shown``."""
    from ui import charts, tables

    labels = region_label(regions)
    table = with_labels(overall_table(cube, regions, edition, group, weights), labels)
    table = table.assign(rank_band=band_column(table, "rank_low", "rank_high"),
                         rank_country_band=band_column(table, "rank_country_low",
                                                       "rank_country_high"))
    summary = area_summary(cube, regions, edition, group)
    return {
        "table": table, "labels": labels,
        "bars": charts.bar_chart(table, "label", sort_by_value=True, label_limit=190,
                                 value_title=t("Overall score (0–100)")),
        "bar_data": table.drop(columns="label"),
        "summary": summary,
        "area_bars": charts.bar_chart(summary, "area", "mean_score", sort_by_value=True,
                                      value_title=t("Mean score across regions (0–100)")),
        "shown": tables.labelled(table, {
            "rank": N_("Rank"), "rank_band": N_("Rank band"), "region_id": N_("Region code"),
            "name": N_("Region"), "country": N_("Country"), "score": N_("Overall score"),
            "coverage": N_("Coverage"), "rank_country": N_("Rank in country"),
            "rank_country_band": N_("Rank band in country")}),
    }


@memo.cached
def heat_parts(cube: scoring.Cube, region: str, group, edition):
    """The policy-cycle heatmap of one region and the table behind it: (chart, table)."""
    from ui import charts, tables

    heat = cycle_heatmap(cube, region, group, edition)
    chart = charts.heatmap(heat, "phase", "area", x_order=area_order(cube, "phase"),
                           flag="weakest", flag_label=t("weakest phase of the area"))
    shown = tables.labelled(heat, {
        "area": N_("Area"), "phase": N_("Phase"), "score": N_("Score"),
        "coverage": N_("Coverage"), "n_present": N_("Indicators with a value"),
        "n_total": N_("Indicators asked"), "weakest": N_("Weakest phase of the area")})
    return chart, shown


#: The radar's height the caches are warmed for (ui.frame.RADAR_HEIGHT["screen"]).
RADAR_SCREEN = 500


@memo.cached
def profile_chart_parts(radar: pd.DataFrame, axis: str, order: list[str],
                        size: int = RADAR_SCREEN):
    """The radar, its series, its wide table and the compact table next to it:
    (chart, series, wide, compact)."""
    from ui import charts

    series = radar["series"].drop_duplicates().tolist()
    wide = radar_table(radar, axis)
    chart = charts.radar_chart(radar, axis, axis_order=order, series_order=series, size=size)
    return chart, series, wide, radar_compact(wide, series)


@memo.cached
def similar_shown(table, region, group, edition, labels, axis) -> pd.DataFrame:
    """:func:`similar_regions` as shown (labelled columns)."""
    from ui import tables

    sim = similar_regions(table, region, group, edition, labels)
    return tables.labelled(sim, {"region_id": N_("Region code"), "name": N_("Region"),
                                 "distance": N_("Distance"),
                                 "n_common": COMPARED.get(axis, N_("Values compared"))})


@memo.cached
def drilldown_shown(cube, indicators, scores, region, group, edition, area=None) -> pd.DataFrame:
    """:func:`drilldown` as shown (labelled columns)."""
    from ui import tables

    frame = drilldown(cube, indicators, scores, region, group, edition, area)
    names = {"indicator_id": N_("Indicator"), "area": N_("Area"), "phase": N_("Phase"),
             "question": N_("Question"), "answer": N_("Answer"),
             "answer_means": N_("Answer means"), "value": N_("Value"), "weight": N_("Weight"),
             "note": N_("Note"), "source": N_("Source")}
    if frame["answer_means"].isna().all():  # no answer options in the data: no empty column
        names.pop("answer_means")
    return tables.labelled(frame, names)


def _warm_map(tabs: dict, table: pd.DataFrame) -> None:
    """The Overview's map as the page first builds it (its ``show_map`` call's arguments:
    the overall score, the default size, the top region outlined)."""
    from ui import charts, state

    try:
        boundaries, _note = state.boundaries()
    except Exception:  # noqa: BLE001 — outside a session (a warming thread) the page builds it
        return
    matched, _report, countries = map_frame(tabs["regions"], table, boundaries)
    charts.region_deck(matched, "score", t(N_("overall score")), charts.MAP_HEIGHT,
                       charts.MAP_FIT_WIDTH, countries, next(iter(table["region_id"]), None))


def warm(cube: scoring.Cube, tabs: dict, *, regions: bool = True, stop=None) -> int:
    """Compute what the Overview and (``regions``) every Region profile show by default —
    each target group, the latest edition, area axis, all regions as peers — in the
    current language, so the first visitors after a start or a publish find it remembered.
    Returns how many region views were computed; ``stop()`` returning True ends early.

    Mirrors the pages' default calls; ``tests/test_memo.py`` checks that a warmed Region
    profile and Overview rerun without computing anything again.
    """
    from ui import charts, tables

    groups = [g for g in cube.groups if g in ("TCN", "BIP", scoring.ALL)]
    editions = sorted(cube.editions, reverse=True)[:1]
    for edition in editions:
        for group in groups:
            parts = overview_parts(cube, tabs["regions"], edition, group, None)
            for chart, data in ((parts["bars"], parts["bar_data"]),
                                (parts["area_bars"], parts["summary"])):
                charts.vega_spec(chart)
                tables.prepare(data)
            tables.prepare(parts["shown"])
            _warm_map(tabs, parts["table"])
    if not regions:
        return 0
    labels = region_label(tabs["regions"])
    table = axis_table(cube, "area")
    order = area_order(cube, "area")
    n = 0
    for region in scored_regions(cube, tabs["regions"])["region_id"]:
        for edition in editions:
            for group in groups:
                if stop is not None and stop():
                    return n
                headline_cards(cube, tabs["regions"], region, group, edition, None)
                peers = peer_ids(table, region, "all", [], tabs["regions"], group, edition)
                radar = radar_frame(table, region, peers, group, edition, labels)
                chart, _series, _wide, compact = profile_chart_parts(
                    radar, "area", order, RADAR_SCREEN)
                charts.vega_spec(chart)
                tables.prepare(compact)
                heat, shown = heat_parts(cube, region, group, edition)
                charts.vega_spec(heat)
                tables.prepare(shown)
                for frame in (strengths_shown(cube, region, peers, group, edition,
                                              tabs["indicators"]),
                              change_shown(cube, region, group, edition),
                              similar_shown(table, region, group, edition, labels, "area"),
                              drilldown_shown(cube, tabs["indicators"], tabs["scores"], region,
                                              group, edition, None)):
                    if frame is not None and not frame.empty:
                        tables.prepare(frame)
                catalogue = measure_catalogue(tabs.get("measures"), tabs["outcomes"])
                _, measure = outcome_choice(catalogue, tabs["outcomes"], tabs["regions"], region,
                                            order)
                res = outcome_gap(table, tabs["outcomes"], catalogue, tabs["regions"], region,
                                  group, edition, measure) if measure else None
                if res is not None:
                    tables.prepare(outcome_rows(res))
                practice_links(cube, tabs["practices"], tabs["regions"], region, group, edition,
                               "all", ())
                n += 1
    return n


# =====================================================================================
# Rendering (Streamlit): the sections of the Region profile page. Each reads its own
# widgets (kept in the URL through ui.state) and shows tables through ui.tables, charts
# through ui.charts (with their data behind them).
# =====================================================================================

def _st():
    import streamlit as st
    return st


def show_group_switch(group):
    """TCN / BIP / both on the page, in step with the sidebar's target group (URL ``group``)."""
    st = _st()
    from ui import state

    options = state.target_groups()
    if group not in options:
        return group

    def sync():
        chosen = st.session_state.get("region_group")
        if chosen:
            st.session_state["w_group"] = chosen
            state.set_param("group", chosen)

    st.session_state["region_group"] = group
    st.radio(t("Target group"), options, key="region_group", horizontal=True, on_change=sync,
             format_func=lambda g: t("Both") if g == "ALL" else g,
             help=t("TCN: third-country nationals; BIP: beneficiaries of international "
                    "protection; Both: TCN and BIP combined."))
    return group


@memo.cached
def headline(cube, regions, region, group, edition, weights=None) -> dict:
    """One region's headline numbers — the same on the Region profile, in the brief and in
    the workshop: score, rank and its band among all scored regions (``n_ranked``) and in
    the country (``n_country``), coverage, areas with a score (of ``areas_total``), name and
    country. From :func:`overall_table` (area ``weights`` on top of the indicators')."""
    ov = overall_table(cube, regions, edition, group, weights)
    row = ov[ov["region_id"] == region].iloc[0]
    scored = ov[ov["score"].notna()]
    return {"score": row["score"], "rank": row["rank"], "rank_low": row["rank_low"],
            "rank_high": row["rank_high"], "n_ranked": len(scored),
            "rank_country": row["rank_country"], "rank_country_low": row["rank_country_low"],
            "rank_country_high": row["rank_country_high"],
            "n_country": int((scored["country"] == row["country"]).sum()),
            "coverage": row["coverage"], "areas_scored": int(row["areas_scored"]),
            "areas_total": int(row["areas_total"]), "name": row["name"],
            "country": row["country"], "n_regions": len(cube.regions),
            # a country-level unit (MIPEX) or the only region of its country: no rank in it
            "units_in_country": int((ov["country"] == row["country"]).sum()),
            "countries": units_are_countries(regions, ov["region_id"])}


def coverage_help() -> str:
    """What coverage means — one meaning, the same words everywhere."""
    from ui.tables import TITLE_HELP

    return t(TITLE_HELP[N_("Coverage")])


@memo.cached
def headline_cards(cube, regions, region, group, edition, weights) -> list[tuple]:
    """The headline as (label, value, help) — the Region profile's cards and the brief's
    headline (same text): overall score, rank with its band among all regions and in the
    country, coverage, and the areas with a score."""
    h = headline(cube, regions, region, group, edition, weights)
    bands = band_help(h["n_regions"])
    return [
        (t("Overall score"), fmt.number(h["score"]), None),
        (t("Rank among {n} countries", n=h["n_ranked"]) if h["countries"] else
         t("Rank among {n} regions", n=h["n_ranked"]),
         fmt.rank_band(h["rank"], h["rank_low"], h["rank_high"]), bands),
        *([(t("Rank in {c} ({n} regions)", c=h["country"], n=h["n_country"]),
            fmt.rank_band(h["rank_country"], h["rank_country_low"], h["rank_country_high"]),
            bands)] if h["units_in_country"] > 1 else []),
        (t("Coverage"), fmt.percent(h["coverage"]), coverage_help()),
        (t("Areas with a score"), f"{h['areas_scored']} / {h['areas_total']}",
         t("Areas with enough answers to have a score (coverage of at least 50 %), of the "
           "areas that apply to this target group.")),
    ]


def show_missing_edition(cube, region, name, group, edition, page: str):
    """When the region has no score in the edition in view (MIPEX published 2024 for some
    countries only), say so and link to the latest edition in which it has one — the same
    page, the same view, that edition."""
    st = _st()
    have = scoring.editions_with_data(cube, region, group)
    if edition in have:
        return
    if not have:
        st.info(t("{name} has no score for this target group in any edition.",
                  name=safe.md(name)), icon=":material/info:")
        return
    latest = max(have)
    st.info(t("{name} has no score in edition {e}. Its latest edition with a score is "
              "{latest}.", name=safe.md(name), e=edition, latest=latest),
            icon=":material/info:")
    st.page_link(page, label=t("Open edition {e}", e=latest), icon=":material/history:",
                 query_params={**st.query_params.to_dict(), "edition": str(latest)})


def show_headline(cube, regions, region, group, edition, weights):
    """Overall score, rank with its band (all regions and in the country), coverage, areas
    with a score."""
    st = _st()
    from ui import sidebar

    cards = headline_cards(cube, regions, region, group, edition, weights)
    row = st.container(horizontal=True)  # one block for the cards
    for label, value, help_text in cards:
        row.metric(label, value, help=help_text)
    st.caption(t("Edition {e} · {g}", e=edition, g=t(sidebar.GROUP_LABELS.get(group, group)))
               + (" · " + t("area weights from the link: {w} (other areas 1)",
                            w=params.weights_text(weights)) if weights else ""))


def handout_params(region, group, edition, weights=None, mode="all", peer_list=()) -> dict:
    """The query parameters that open the brief or the workshop on this very view: region,
    edition, target group, area weights (``w``) and peer group (``peers``)."""
    qp = {"region": region, "edition": str(edition), "group": str(group)}
    w = params.encode_weights(weights)
    if w:
        qp[params.WEIGHTS_PARAM] = w
    p = params.encode_peers(mode, peer_list)
    if p:
        qp[params.PEERS_PARAM] = p
    return qp


def show_handout_links(region, group, edition, weights=None, mode="all", peer_list=()):
    """Links to the printable brief and to the workshop walk-through of this region, with
    the view's weights and peers."""
    st = _st()
    qp = handout_params(region, group, edition, weights, mode, peer_list)
    links = st.container(horizontal=True)
    links.page_link("pages/brief.py", label=t("Region brief (PDF, HTML)"),
                 icon=":material/picture_as_pdf:", query_params=qp)
    links.page_link("pages/workshop.py", label=t("Workshop walk-through"),
                 icon=":material/co_present:", query_params={**qp, "step": "1"})


def show_peer_controls(table, regions, region, labels):
    """Peer group widgets kept in the URL as ``peers`` (all/country/similar/id list)."""
    st = _st()
    from ui import state

    ids = regions["region_id"].tolist()
    mode, chosen = params.url_peers(ids, region)
    countries = units_are_countries(regions, ids)
    # a country's "same country" peers would be itself alone
    options = [m for m in PEER_MODES if not (countries and m == "country")] + ["list"]
    names = {"all": t("All other countries") if countries else t("All other regions"),
             "country": t("Same country"),
             "similar": t("{k} most similar", k=N_SIMILAR),
             "list": t("Chosen countries") if countries else t("Chosen regions")}
    if state.url_changed(params.PEERS_PARAM):  # a link names the peers: it wins
        st.session_state["w_peers_mode"], st.session_state["w_peers_list"] = mode, chosen
    st.session_state.setdefault("w_peers_mode", mode)
    st.session_state.setdefault("w_peers_list", chosen)
    others = [r for r in ids if r != region]
    st.session_state["w_peers_list"] = [r for r in st.session_state["w_peers_list"] if r in others]
    mode = st.radio(t("Peer group"), options, key="w_peers_mode", horizontal=True,
                    format_func=names.get)
    chosen = []
    if mode == "list":
        chosen = st.multiselect(t("Peer regions"), others, key="w_peers_list",
                                format_func=lambda r: labels.get(r, r))
        if not chosen:
            st.caption(t("Choose at least one region; until then the peer mean has no data."))
    state.set_param(params.PEERS_PARAM, params.encode_peers(mode, chosen))
    return mode, chosen


def show_profile_chart(radar, axis, order, name, n_peers, mode: str = "all"):
    """The radar (or, one click away, the same numbers as bars) with its data table; the
    exported files name the peer group (``mode``, ``n_peers``)."""
    st = _st()
    from ui import charts, state, tables

    kinds = {"radar": t("Radar"), "bars": t("Bars")}
    kind = state.url_widget(st.radio, "chart", list(kinds), "radar", t("Chart"),
                            horizontal=True, format_func=kinds.get)
    from ui import frame

    chart, series, wide, compact = profile_chart_parts(radar, axis, order, frame.radar_height())
    caption = t("{name} against the mean of its peer group ({n} regions) and the best score "
                "among all regions.", name=safe.md(name), n=n_peers)
    if kind == "radar":
        left, right = st.columns([3, 2])
        with left:
            charts.show_altair(chart, width="stretch", key="chart-profile")
            st.caption(caption)
            charts.export_buttons(chart, f"profile-{axis}", key="profile",
                                  peers=peer_words(mode, n_peers))
        with right:  # the text alternative, visible next to the radar, narrow enough for it
            tables.show_table(compact, f"profile-{axis}", key="data-profile")
    else:
        chart = charts.bar_chart(radar, axis, series="series", category_order=order,
                                 series_order=series)
        charts.show_chart(chart, wide, f"profile-{axis}", key="profile", caption=caption,
                          peers=peer_words(mode, n_peers))


@memo.cached
def radar_compact(wide: pd.DataFrame, series: list[str]) -> pd.DataFrame:
    """The radar's table narrow enough to stand next to it: short series names, no best
    region (its name is in the chart's tooltip and the bars view)."""
    return wide.drop(columns=[t("Best region")]).rename(columns={
        series[0]: series[0].rsplit("(", 1)[-1].rstrip(")") or series[0],
        t("Peer-group mean"): t("Peers"), t("Best performer"): t("Best")})


@memo.cached
def strengths_shown(cube, region, peers, group, edition, indicators) -> pd.DataFrame:
    """:func:`strengths` as shown: translated type and indicator label, labelled columns."""
    from ui import tables

    sw = strengths(cube, region, peers, group, edition)
    if sw.empty:
        return sw
    sw = sw.assign(type=sw["type"].map({"strength": t("strength"), "weakness": t("weakness")}),
                   label=data_column(sw, "label", indicators))
    return tables.labelled(sw, {"type": N_("Type"), "label": N_("Indicator"), "area": N_("Area"),
                                "value": N_("Value"), "peer_mean": N_("Peer mean"),
                                "diff": N_("Difference")})


def show_strengths(cube, region, peers, group, edition):
    st = _st()
    from ui import state, tables

    shown = strengths_shown(cube, region, peers, group, edition, state.tables()["indicators"])
    if shown.empty:
        st.info(t("No indicator differs from the peer group's mean."))
        return
    note = untranslated_note(state.tables()["indicators"])
    tables.show_table(shown, f"strengths-{region}", key="sw",
                      caption=t("Indicators where the region is furthest above or below its "
                                "peer group's mean.") + (" " + note if note else ""))


@memo.cached
def change_shown(cube, region, group, edition) -> pd.DataFrame | None:
    """:func:`change_table` as shown (labelled; the score columns named by edition)."""
    from ui import tables

    ch = change_table(cube, region, group, edition)
    if ch is None:
        return None
    return tables.labelled(ch, {"area": N_("Area"), "score_from": N_("Score (from)"),
                                "score_to": N_("Score (to)"), "change": N_("Change"),
                                "status": N_("Comparable?")}).rename(columns={
        t("Score (from)"): t("Score {e}", e=ch["edition_from"][0]),
        t("Score (to)"): t("Score {e}", e=ch["edition_to"][0])})


def show_change(cube, region, group, edition):
    st = _st()
    from ui import tables

    shown = change_shown(cube, region, group, edition)
    if shown is None:
        st.info(t("{e} is the first edition: there is nothing to compare with.", e=edition))
        return
    tables.show_table(shown, f"change-{region}", key="change",
                      caption=t("“not comparable”: the indicators behind the number changed "
                                "between editions (added, dropped or newly missing), so the "
                                "change mixes method and reality."))


@memo.cached
def outcome_options(catalogue: pd.DataFrame, outcomes: pd.DataFrame, regions: pd.DataFrame,
                    region: str) -> list[str]:
    """The catalogue's measures with figures for ``region`` (or, as a proxy, its parent)."""
    if catalogue.empty or outcomes is None or outcomes.empty:
        return []
    parent = regions.set_index(regions["region_id"].astype(str))["parent_id"].get(region)
    places = {region} | ({parent} if isinstance(parent, str) else set())
    here = set(outcomes.loc[outcomes["region_id"].astype(str).isin(places), "measure"]
               .astype(str))
    return [str(m) for m in catalogue["measure"] if str(m) in here]


def outcome_choice(catalogue: pd.DataFrame, outcomes, regions, region: str, areas: list[str],
                   area: str | None = None) -> tuple[list[str], str | None]:
    """The panel's list of measures for ``region`` and the one shown first (the page and
    :func:`warm` call this, so they agree)."""
    options = outcome_options(catalogue, outcomes, regions, region)
    shown = catalogue[catalogue["measure"].astype(str).isin(options)]
    return options, default_measure(shown, areas, area) if options else None


def show_outcome(area_table, tabs, region, group, edition, area=None):
    """The "Policy and outcomes" panel: a measure chosen from the catalogue (URL ``measure``;
    default: the one linked to ``area``, the area in view), its figures, the gap, the year
    and the flags, and in words what is compared."""
    st = _st()
    from ui import state, tables

    catalogue = measure_catalogue(tabs.get("measures"), tabs["outcomes"])
    options, default = outcome_choice(catalogue, tabs["outcomes"], tabs["regions"], region,
                                      area_order(state.cube()), area)
    if not options:
        st.info(t("No outcome figures for this region or its parent region."))
        return
    names = dict(zip(catalogue["measure"].astype(str), catalogue["label"].astype(str)))
    measure = state.url_widget(st.selectbox, "measure", options, default, t("Outcome measure"),
                               format_func=lambda m: names.get(m, m),
                               help=t("The outcome measures of the catalogue with figures for "
                                      "this region; the first one is linked to the area in view."))
    res = outcome_gap(area_table, tabs["outcomes"], catalogue, tabs["regions"], region, group,
                      edition, measure)
    if res is None:
        st.info(t("No outcome figures for this region or its parent region."))
        return
    row, m = res["row"].iloc[0], res["measure"]
    if res["proxy"]:
        st.warning(t("No outcome figures for this region: the figures of {p} ({pid}) are shown "
                     "as a proxy.", p=safe.md(res["proxy_name"]), pid=safe.md(res["proxy"])),
                   icon=":material/warning:")
    nd = t("no data")

    def num(v, unit=""):
        return nd if pd.isna(v) else (f"{fmt.number(v)} {unit}".strip())

    year = row["year"] if pd.notna(row["year"]) else ""
    cards = st.container(horizontal=True)
    cards.metric(t("Policy score: {a}", a=safe.md(res["area"])) if res["area"] else
                 t("Policy score"), num(row["policy_score"]), help=t("Edition {e}", e=edition))
    words = comparison_words(m)
    flag_note = (lambda f: "" if _is_missing(f) else f" ({f})")
    if words is None or res["status"] == "no breakdown":
        cards.metric(f"{safe.md(m.get('label'))}, {year}",
                     num(row["value_migrant"], m.get("unit") or "") + flag_note(
                         row["flag_migrant"]))
    else:
        cards.metric(t("Gap, {y}", y=year), num(row["outcome_gap"], gap_unit(m.get("unit")))
                     + flag_note(row["flag_gap"]),
                     help=t("Positive: the migrant group does worse. The gap carries the flags "
                            "of both figures."))
        cards.metric(f"{safe.md(words[0])} / {safe.md(words[1])}",
                     f"{num(row['value_reference'])}{flag_note(row['flag_reference'])} / "
                     f"{num(row['value_migrant'])}{flag_note(row['flag_migrant'])}")
    st.caption(safe.md(outcome_text(res)))
    tables.show_table(outcome_rows(res), f"policy-outcome-{region}", key="outcome")


def show_similar(table, region, group, edition, labels, axis):
    st = _st()
    from ui import tables

    shown = similar_shown(table, region, group, edition, labels, axis)
    tables.show_table(shown, f"similar-{region}", key="similar",
                      caption=t("Distance between the {axis} scores (Euclidean; smaller = more "
                                "alike).", axis=t(AXIS_WORDS.get(axis, N_("area")))))
    row = st.container(horizontal=True)
    for rid in shown[t("Region code")]:
        row.page_link("pages/region.py", label=safe.md(labels.get(rid, rid)), icon=":material/location_on:",
                      query_params={"region": rid, "edition": str(edition), "group": group})


def show_drilldown(cube, tabs, region, group, edition):
    st = _st()
    from ui import state, tables

    areas = ["all", *area_order(cube)]
    area = state.url_widget(st.selectbox, "area", areas, "all", t("Area"),
                            format_func=lambda a: t("All areas") if a == "all" else term(a))
    shown = drilldown_shown(cube, tabs["indicators"], tabs["scores"], region, group, edition,
                            None if area == "all" else area)
    st_cfg = st.column_config
    tables.show_table(shown, f"indicators-{region}", key="drill", height=420, column_config={
        t("Question"): st_cfg.TextColumn(width="large"), t("Note"): st_cfg.TextColumn(width="small"),
        t("Source"): st_cfg.TextColumn(width="medium"), t("Area"): st_cfg.TextColumn(width="small"),
        t("Answer means"): st_cfg.TextColumn(width="medium")})


@memo.cached
def priority_table(table: pd.DataFrame, region: str, peers: list[str], group, edition
                   ) -> pd.DataFrame:
    """The region's priority areas and the reason for each — :func:`scoring.priorities`, the
    one rule (largest shortfall against the peer-group mean; ties: lower own score) that
    the profile, the brief, the workshop and the Integration Lab all show."""
    return scoring.priorities(table, region, peers, group, edition, n=N_PRIORITIES)


def priority_reason(row) -> str:
    """Why an area is a priority, in words (the same sentence on every page)."""
    return t("{gap} points below its peers' mean ({score} against {mean})",
             gap=fmt.number(row["shortfall"]), score=fmt.number(row["score"]),
             mean=fmt.number(row["peer_mean"]))


def priority_areas(prio: pd.DataFrame) -> list[str]:
    """The priority areas of a :func:`priority_table`, first priority first."""
    return prio.loc[prio["priority"], "area"].astype(str).tolist()


def peer_words(mode: str, n: int, countries: bool = False) -> str:
    """The peer group in running text ("the 24 other regions", "5 most similar regions");
    ``countries``: the places are countries (:func:`units_are_countries`)."""
    if countries:
        return {"all": t("all {n} other countries", n=n),
                "similar": t("the {n} countries with the most similar profile", n=n),
                "list": t("the {n} countries chosen", n=n)}.get(mode, t("{n} countries", n=n))
    return {"all": t("all {n} other regions", n=n), "country": t("the {n} other regions of its "
                                                                  "country", n=n),
            "similar": t("the {n} regions with the most similar profile", n=n),
            "list": t("the {n} regions chosen", n=n)}.get(mode, t("{n} regions", n=n))


@memo.cached
def practice_links(cube, practices, regions, region, group, edition, mode: str = "all",
                   peer_list=()) -> dict:
    """The Region profile's "Learn from other regions": the region's priority areas against
    its peer group (``mode``/``peer_list`` as the page's peer control; "similar" is taken on
    the area scores, as the Integration Lab takes it), the practices the Integration Lab
    suggests for them (:func:`data.practices.gap_suggestions`, the same ranked list) and
    the link's query parameters, which open the Lab on exactly this view.

    Returns priorities (:func:`priority_table`), areas, practices (ranked suggestions),
    n_practices, peers, mode, link (query params), result (the
    :class:`data.practices.GapSuggestions` the Integration Lab lists).
    """
    from data import practices as dp

    table = axis_table(cube, "area")
    peers = peer_ids(table, region, mode, list(peer_list), regions, group, edition)
    prio = priority_table(table, region, peers, group, edition)
    res = dp.gap_suggestions(practices, regions, table, region, target_group=str(group),
                             edition=edition, peer_ids=peers, n_areas=N_PRIORITIES)
    link = {"region": region, "edition": str(edition), "group": str(group), "for_gaps": "1"}
    encoded = params.encode_peers(mode, peer_list)
    if encoded:
        link[params.PEERS_PARAM] = encoded
    return {"priorities": prio, "areas": priority_areas(prio), "practices": res.practices,
            "n_practices": len(res.practices), "peers": peers, "mode": mode, "link": link,
            "result": res}


def show_practice_links(cube, tabs, region, group, edition, labels, mode="all", peer_list=()):
    """The region's priority areas (with the reason for each) and the practices other
    regions run in them, with a link to the Integration Lab's full list for these gaps."""
    st = _st()
    from data.config import REPO_ROOT

    res = practice_links(cube, tabs["practices"], tabs["regions"], region, group, edition,
                         mode, tuple(peer_list))
    prio = res["priorities"]
    name = safe.md(labels.get(region, region))
    if prio["score"].notna().sum() == 0:
        st.info(t("No area of this region has a score."))
        return
    st.markdown(t("**Priority areas** — where {name} falls furthest below the mean of its "
                  "peer group ({peers}):", name=name,
                  peers=peer_words(mode, len(res["peers"]))))
    chosen = prio[prio["priority"]]
    if chosen.empty:
        st.markdown(t("None: {name} is at or above its peers' mean in every area.", name=name))
    else:
        st.markdown("\n".join(f"{int(r['order'])}. **{safe.md(term(r['area']))}** — "
                               f"{priority_reason(r)}" for _, r in chosen.iterrows()))
        st.markdown(t("Practices from other regions in these areas: **{n}**.",
                      n=res["n_practices"]))
        st.markdown("\n".join(f"- {safe.md(p['title'])} — *{safe.md(p['region_name'])}* "
                               f"({safe.md(str(term(p['area'])))})"
                               for _, p in res["practices"].head(5).iterrows()))
    if (REPO_ROOT / "pages" / "practices.py").exists():
        from streamlit.errors import StreamlitAPIException
        try:
            st.page_link("pages/practices.py", label=t("Practices for these gaps"),
                         icon=":material/lightbulb:", query_params=res["link"])
        except StreamlitAPIException:  # the page exists but is not in the navigation yet
            st.caption(t("The Integration Lab page is not available yet."))
