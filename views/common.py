"""What every page model shares: the scored regions, the overall table and its rank
bands, the headline, the peer group, the priority areas and the practices for them.

Pure functions (no Streamlit): tables and the scoring cube in, frames and plain values out,
so tests check the numbers against :mod:`scoring` without a browser. The pages cache what
they show through :mod:`ui.profile` (keyed on the view version, the language and the view's
scalars); nothing here is cached, nothing here changes its arguments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import scoring
from scoring import results
from data.schema import PHASE_ORDER
from ui import fmt, params
from ui.i18n import N_, t

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
N_PRIORITIES = results.N_PRIORITIES


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


def with_labels(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """``table`` with ``label``: its region's "Name (ID)"."""
    return table.assign(label=table["region_id"].map(labels))


def region_label(regions: pd.DataFrame) -> dict[str, str]:
    """region_id → "Name (ID)" for selectboxes and chart labels."""
    return {str(i): f"{n} ({i})" for i, n in zip(regions["region_id"], regions["name"])}


def area_order(cube: scoring.Cube, axis: str = "area") -> list[str]:
    """Values of ``axis`` in display order (phases in policy-cycle order, else A–Z)."""
    vals = sorted({str(v) for v in cube.indicators[axis].dropna()})
    if axis == "phase":
        rank = {p: i for i, p in enumerate(PHASE_ORDER)}
        vals.sort(key=lambda v: (rank.get(v, len(rank)), v))
    return vals


def band_draws(n_regions: int) -> int:
    """Weight draws behind the rank bands (:func:`scoring.results.band_draws`, the one rule:
    the results stored at publish and the pages' on-demand bands draw alike)."""
    return results.band_draws(n_regions)


def rank_bands(cube: scoring.Cube, regions: pd.DataFrame, edition, group,
               weights: dict | None = None) -> pd.DataFrame:
    """Every region's rank with its uncertainty: :func:`scoring.robustness` (weights drawn
    ±25 % around the nominal ones — the indicators' weights and the area ``weights`` — each
    draw scored with the arithmetic and the geometric mean), among all regions and within
    the country. The one rank band of every page that shows a rank: the Overview, the
    Region profile, the brief, the workshop and the Gaps page (the pages cache it on the
    version id: :func:`ui.profile.overall_of`)."""
    return scoring.robustness(cube, group, edition, group_weights=params.effective_weights(weights),
                              n_draws=band_draws(len(cube.regions)), regions=regions)


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
    return out[OVERALL_COLUMNS].reset_index(drop=True)


#: The overall table's columns, in order (:func:`overall_table`, :func:`overall_from_results`).
OVERALL_COLUMNS = ["rank", "rank_low", "rank_high", "region_id", "name", "country", "score",
                   "coverage", "areas_scored", "areas_total", "rank_country", "rank_country_low",
                   "rank_country_high"]


def overall_from_results(ranked: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """:func:`overall_table` from the results stored with the version
    (:meth:`data.query.Reader.overall`, default weights): the same frame — rows, columns,
    order and types — without scoring anything (tests/test_read_path.py: frame-equal).

    ``units``: the version's scored places (:func:`scored_regions`: region_id, name,
    country); those with no score in this edition and group are listed last, as "no data"
    (the store lists only places with data)."""
    out = ranked.drop(columns=[c for c in ("n",) if c in ranked.columns])
    out = out.assign(region_id=out["region_id"].astype(str))
    missing = units[~units["region_id"].astype(str).isin(out["region_id"])]
    if len(missing):
        total = int(out["areas_total"].max()) if len(out) else 0
        extra = pd.DataFrame({"region_id": missing["region_id"].astype(str).to_numpy(),
                              "name": missing["name"].to_numpy(),
                              "country": missing["country"].to_numpy(),
                              "score": np.nan, "coverage": 0.0, "areas_scored": 0,
                              "areas_total": total})
        out = pd.concat([out, extra], ignore_index=True) if len(out) else extra
    for c in ("rank", "rank_low", "rank_high", "rank_country", "rank_country_low",
              "rank_country_high"):
        out[c] = pd.array(out[c].to_numpy(float, na_value=np.nan)).astype("Int64")
    for c in ("areas_scored", "areas_total"):
        out[c] = out[c].fillna(0).astype("int64")
    for c in ("score", "coverage"):
        out[c] = out[c].astype(float)
    for c in ("region_id", "name", "country"):
        out[c] = out[c].astype(units[c].dtype if c in units else "str")
    out = out.sort_values(["rank", "name"], na_position="last")
    return out[OVERALL_COLUMNS].reset_index(drop=True)


def band_help(n_regions: int) -> str:
    """What a rank band means (the tooltip of every rank)."""
    return t("The band is where the region ranks in 90 % of {n:,} variations of the index: "
             "indicator and area weights drawn at random within ±25 % of their values, each "
             "scored with the arithmetic and the geometric mean (the 5th to 95th percentile "
             "of its ranks). Regions whose bands overlap cannot be told apart with confidence.",
             n=2 * band_draws(n_regions))


def band_column(frame: pd.DataFrame, low: str, high: str) -> pd.Series:
    """The band as text, "21–25", for a table column."""
    return pd.Series([fmt.band(lo, hi) for lo, hi in zip(frame[low], frame[high])],
                     index=frame.index, dtype=object)


def axis_table(cube: scoring.Cube, axis: str = "area") -> pd.DataFrame:
    return scoring.aggregate(cube, by=axis)


def peer_ids(table: pd.DataFrame, region: str, mode: str, ids, regions: pd.DataFrame,
             group, edition) -> list[str]:
    """The region ids of the peer group (``mode`` all/country/similar/list)."""
    how = "list" if mode == "list" else mode
    p = scoring.peers(table, region, how, target_group=group, edition=edition,
                      regions=regions, ids=ids, k=N_SIMILAR)
    return p["region_id"].astype(str).tolist()


def weight_text(weight) -> str:
    """An indicator's weight as shown: "1", "2", "0.5" — or "excluded" for 0 (it is shown
    but counts in no score)."""
    w = float(weight)
    return t("excluded (weight 0)") if w == 0 else f"{w:g}"


def headline(cube, regions, region, group, edition, weights=None, overall=None) -> dict:
    """One region's headline numbers — the same on the Region profile, in the brief and in
    the workshop: score, rank and its band among all scored regions (``n_ranked``) and in
    the country (``n_country``), coverage, areas with a score (of ``areas_total``), name and
    country. From :func:`overall_table` (area ``weights`` on top of the indicators')."""
    # ``overall``: the overall_table of this view, when the caller has it already
    ov = overall_table(cube, regions, edition, group, weights) if overall is None else overall
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

    return t(TITLE_HELP[N_("Coverage")])


def headline_cards(cube, regions, region, group, edition, weights, overall=None) -> list[tuple]:
    """The headline as (label, value, help) — the Region profile's cards and the brief's
    headline (same text): overall score, rank with its band among all regions and in the
    country, coverage, and the areas with a score."""
    h = headline(cube, regions, region, group, edition, weights, overall)
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


def practice_links(cube, practices, regions, region, group, edition, mode: str = "all",
                   peer_list=(), table: pd.DataFrame | None = None) -> dict:
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


    table = axis_table(cube, "area") if table is None else table  # the version's, if given
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


#: Help of shown (translated) column titles that mean the same on every page.
TITLE_HELP = {
    N_("Coverage"): N_("Coverage: the share of the indicator weight answered behind the score "
                       "(each indicator counted with its weight, as it counts in the score). "
                       "Below 50 % there is no score."),
    N_("Rank band"): N_("Where the region ranks in 90 % of random variations of the index "
                        "(indicator and area weights within ±25 %, arithmetic and geometric "
                        "mean): the 5th to 95th percentile of its ranks. Overlapping bands "
                        "cannot be told apart with confidence."),
    N_("Rank band in country"): N_("The rank band (5th to 95th percentile of the ranks under "
                                   "random weights) among the regions of the same country."),
}


def labelled(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Keep and rename the columns in ``names`` (code → English label, translated via t()).

    Use it to build the DataFrame that is both shown and downloaded.
    """
    keep = [c for c in names if c in frame.columns]
    return frame[keep].rename(columns={c: t(names[c]) for c in keep}).reset_index(drop=True)
