"""The Overview and the Region profile: their cached view models and their rendering.

What the pages show is computed by the pure models in :mod:`views` (no Streamlit). This
module caches them — one idiom: ``st.cache_resource`` on functions whose arguments are all
scalars or tuples, the view version (:func:`ui.state.view_version`) first, then the
language (for results holding text), then region, group, edition, peers, weights — and
renders them (``show_*``: widgets, tables, charts, ``st.stop``). A cached result is shared
by every session: read-only. A new data version is a new key (the old entries are emptied
by :func:`ui.state.release_old_versions`).

The default views (:data:`DEFAULT_AXIS`, :data:`DEFAULT_PEERS`, ...) are named once here:
the Region page's widgets start on them, and :func:`warm` computes them for a newly loaded
version by calling the same cached functions the pages call.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass

import pandas as pd
import streamlit as st

import scoring
from ui import charts, fmt, i18n, params, safe, state, tables
from ui.i18n import N_, t, term, untranslated_note
from views import overview as vo
from views import region as vr

# the pure models this module caches and renders (tests and scripts also reach them here)
from views.common import (AXES, AXIS_WORDS, COMPARED, N_PRIORITIES, N_SIMILAR,  # noqa: F401
                          PEER_MODES, area_order, axis_table, band_column, band_draws,
                          band_help, coverage_help, default_region, handout_params, headline,
                          headline_cards, overall_from_results, overall_table, peer_ids,
                          peer_words, practice_links,
                          priority_areas, priority_reason, priority_table, rank_bands,
                          region_label, scored_regions, units_are_countries, weight_text,
                          with_labels)
from views.overview import area_summary, map_frame  # noqa: F401
from views.region import (GROUP_WORDS, _edition_change, _is_missing, change_shown,  # noqa: F401
                          change_table, comparison_words, cycle_heatmap, default_measure,
                          drilldown, drilldown_shown, flag_meaning, gap_unit, linked_area,
                          measure_areas, measure_catalogue, measure_list, outcome_choice,
                          outcome_gap, outcome_options, outcome_rows, outcome_text,
                          radar_compact, radar_frame, radar_table, similar_regions,
                          similar_shown, strengths, strengths_shown)

#: The Region page's default view: what its widgets start on and what :func:`warm` computes.
DEFAULT_AXIS = "area"
DEFAULT_PEERS = ("all", ())
DEFAULT_CHART = "radar"
DEFAULT_AREA = "all"
#: The radar's height the caches are warmed for (ui.frame.RADAR_HEIGHT["screen"]).
RADAR_SCREEN = 500


def _resource(max_entries: int):
    """The one cache of this module: ``st.cache_resource`` (shared, read-only results) on
    the function's arguments — scalars and tuples — passed to Streamlit as ONE tuple: a hit
    costs Streamlit a signature lookup and a hash per argument, so one tuple of seven
    values is about 4× cheaper than seven arguments (0.13 against 0.5 ms a call, measured
    under AppTest), and a page makes a dozen such calls per rerun. Emptied when a new data
    version becomes current (:func:`ui.state.on_release`)."""
    def wrap(fn):
        def cached(key: tuple):
            return fn(*key)

        functools.update_wrapper(cached, fn)  # Streamlit tells caches apart by name and source
        cached = st.cache_resource(max_entries=max_entries, show_spinner=False)(cached)
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def call(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()  # f(vv) and f(vv, "area") are one entry
            return cached(tuple(bound.arguments.values()))

        call.clear = cached.clear
        state.on_release(cached.clear)
        return call
    return wrap


def scalar(value):
    """A NumPy scalar as Python's (the cube's 2024 is the sidebar's 2024): cache keys hash
    the type too, so a page and the warmer must pass the same kind."""
    return value.item() if hasattr(value, "item") else value


def _weights(key: tuple) -> dict | None:
    """Area weights from their cache key (:func:`ui.params.weights_key`)."""
    return dict(key) or None


# ------------------------------------------------------------- per version (numbers only)

@_resource(64)
def axis_of(vv: str, axis) -> pd.DataFrame:
    """:func:`views.common.axis_table` of the version (``axis``: a name or a tuple)."""
    return axis_table(state.cube_of(vv), axis)


@_resource(128)
def slice_of(vv: str, axis, group, edition) -> pd.DataFrame:
    """The ``axis`` table of one target group and edition: what a region's sections read
    (every function given it selects that group and edition itself, so the slice changes no
    number; it only spares scanning every group and edition of every region per view)."""
    table = axis_of(vv, axis)
    return table[(table["target_group"] == group)
                 & (table["edition"] == edition)].reset_index(drop=True)


@_resource(64)
def overall_of(vv: str, edition, group, weights: tuple = ()) -> pd.DataFrame:
    """:func:`views.common.overall_table` (with the rank bands) of one edition, group and
    weighting (``weights``: :func:`ui.params.weights_key`). With the default weights it is
    read from the results stored with the version (DuckDB, :meth:`data.query.Reader.overall`:
    no scoring, no weight draws on a page); area weights from a link are scored on demand."""
    if not weights:
        return overall_from_results(state.reader_of(vv).overall(
            state.framework_name(vv), str(group), int(edition)), scored_of(vv))
    return overall_table(state.cube_of(vv), state.tables_of(vv)["regions"], edition, group,
                         _weights(weights))


@_resource(16)
def changes_of(vv: str, edition) -> tuple:
    """Every region's change to ``edition``: (overall, by area)."""
    cube = state.cube_of(vv)
    return _edition_change(cube, None, edition), _edition_change(cube, ("area",), edition)


@_resource(512)
def peers_of(vv: str, region: str, group, edition, axis: str, mode: str, peer_list: tuple
             ) -> list[str]:
    """The peer group's region ids (:func:`views.common.peer_ids` on the ``axis`` table)."""
    return peer_ids(slice_of(vv, axis, group, edition), region, mode, list(peer_list),
                    state.tables_of(vv)["regions"], group, edition)


@dataclass(frozen=True)
class VersionView:
    """What every page of a view version reads on every rerun, in one cached object (one
    cache lookup per rerun instead of one per item)."""

    scored: pd.DataFrame  #: the regions with scores (:func:`views.common.scored_regions`)
    labels: dict          #: region_id → "Name (ID)"
    orders: dict          #: axis → its values in display order
    countries: bool       #: the scored places are countries (:func:`units_are_countries`)
    defaults: dict        #: (group, edition) → the region a one-region page opens on


@_resource(8)
def version_of(vv: str) -> VersionView:
    """The :class:`VersionView` of a view version."""
    tabs, cube = state.tables_of(vv), state.cube_of(vv)
    scored = scored_regions(cube, tabs["regions"])
    ids = scored["region_id"].tolist()
    defaults = {(g, scalar(e)): default_region(ids, tabs["regions"], cube, g, e)
                for g in cube.groups for e in cube.editions} if ids else {}
    return VersionView(scored=scored, labels=region_label(tabs["regions"]),
                       orders={a: area_order(cube, a) for a in AXES},
                       countries=units_are_countries(tabs["regions"], ids), defaults=defaults)


def scored_of(vv: str) -> pd.DataFrame:
    """The version's regions with scores (:func:`views.common.scored_regions`)."""
    return version_of(vv).scored


def labels_of(vv: str) -> dict[str, str]:
    """region_id → "Name (ID)" of the version's regions."""
    return version_of(vv).labels


def order_of(vv: str, axis: str = "area") -> list[str]:
    """The values of ``axis`` in display order."""
    return version_of(vv).orders[axis]


def countries_of(vv: str) -> bool:
    """Whether the version's scored places are countries (:func:`units_are_countries`)."""
    return version_of(vv).countries


def default_region_of(vv: str, group, edition) -> str:
    """:func:`views.common.default_region` of the version's scored regions."""
    ver = version_of(vv)
    found = ver.defaults.get((group, scalar(edition)))
    if found is None:  # a group or edition the cube does not have: as default_region does
        ids = ver.scored["region_id"].tolist()
        return default_region(ids, state.tables_of(vv)["regions"], state.cube_of(vv), group,
                              edition)
    return found


@_resource(8)
def catalogue_of(vv: str) -> pd.DataFrame:
    """The outcome measures with figures (:func:`views.region.measure_catalogue`)."""
    tabs = state.tables_of(vv)
    return measure_catalogue(tabs.get("measures"), tabs["outcomes"])


# ------------------------------------------------------------------------- the Overview

@dataclass(frozen=True)
class Drawn:
    """A chart made once for a view: the Altair chart (exports), its Vega-Lite spec (sent
    on every rerun) and the table behind it, prepared (:class:`ui.tables.Prepared`)."""

    chart: object
    spec: dict
    data: tables.Prepared


def drawn(chart, data: pd.DataFrame) -> Drawn:
    return Drawn(chart, charts.vega_spec(chart), tables.prepare(data))


def show_drawn(d: Drawn, name: str, **kwargs):
    charts.show_chart(d.chart, d.data, name, spec=d.spec, **kwargs)


def overview_parts(cube: scoring.Cube, regions: pd.DataFrame, edition, group,
                   weights: dict | None = None, overall=None, area_table=None) -> dict:
    """Everything the Overview computes for one edition, group and weighting: the ranked
    ``table`` (with ``label``), region ``labels``, the ranked ``bars`` chart and its data
    (``bar_data``), the area ``summary`` and its chart (``area_bars``), the table ``shown``."""
    m = vo.model(cube, regions, edition, group, weights, overall, area_table)
    return {
        "table": m.table, "labels": m.labels, "bar_data": m.bar_data, "summary": m.summary,
        "shown": m.shown,
        "bars": charts.bar_chart(m.table, "label", sort_by_value=True, label_limit=190,
                                 value_title=t("Overall score (0–100)")),
        "area_bars": charts.bar_chart(m.summary, "area", "mean_score", sort_by_value=True,
                                      value_title=t("Mean score across regions (0–100)")),
    }


@_resource(32)
def overview_view(vv: str, lang: str, edition, group, weights: tuple = ()) -> dict:
    """The Overview of one edition, group and weighting, ready to send: the model's frames,
    the two charts with their specs (:class:`Drawn`) and the table shown (prepared)."""
    parts = overview_parts(state.cube_of(vv), state.tables_of(vv)["regions"], edition, group,
                           _weights(weights), overall_of(vv, edition, group, weights),
                           axis_of(vv, "area"))
    return {**parts, "bars": drawn(parts["bars"], parts["bar_data"]),
            "area_bars": drawn(parts["area_bars"], parts["summary"]),
            "shown": tables.prepare(parts["shown"])}


def overview(edition, group, weights: dict | None = None) -> dict:
    """:func:`overview_view` of the view version and language in view."""
    return overview_view(state.view_version(), i18n.language(), scalar(edition), group,
                         params.weights_key(weights))


@_resource(32)
def overview_map(vv: str, lang: str, edition, group, weights: tuple, boundaries_key: tuple,
                 selected: str | None) -> dict:
    """The Overview's map (regions matched to the boundaries, the deck and its legend)."""
    table = overview_view(vv, lang, edition, group, weights)["table"]
    matched, report, countries = map_frame(state.tables_of(vv)["regions"], table,
                                           state.boundaries_of(boundaries_key))
    built = charts.region_deck(matched, "score", t(N_("overall score")), charts.MAP_HEIGHT,
                               charts.MAP_FIT_WIDTH, countries, selected)
    return {"matched": matched, "report": report, "countries": countries, "built": built}


# -------------------------------------------------------------------- the Region profile

@dataclass(frozen=True)
class RegionView:
    """The scalars a Region profile is cached on (all hashable)."""

    vv: str
    lang: str
    region: str
    group: str
    edition: object
    weights: tuple = ()
    ver: VersionView | None = None  #: the version's bundle, read once per run


def region_view(region, group, edition, weights: dict | None = None) -> RegionView:
    """The cache key of a Region profile in the view version and language in view."""
    vv = state.view_version()
    return RegionView(vv, i18n.language(), str(region), group, scalar(edition),
                      params.weights_key(weights), version_of(vv))


@_resource(256)
def region_headline(vv, lang, region, group, edition, weights: tuple = ()) -> list[tuple]:
    """:func:`views.common.headline_cards` of a region."""
    return headline_cards(state.cube_of(vv), state.tables_of(vv)["regions"], region, group,
                          edition, _weights(weights), overall_of(vv, edition, group, weights))


@_resource(256)
def region_radar(vv, lang, region, group, edition, axis: str, mode: str, peer_list: tuple,
                 size: int) -> dict:
    """The radar of a region against its peers: ``peers``, the long ``radar`` frame, the
    chart with its spec, the ``series``, the ``wide`` table and the ``compact`` one
    (prepared) next to the radar."""
    peers = peers_of(vv, region, group, edition, axis, mode, peer_list)
    radar = radar_frame(slice_of(vv, axis, group, edition), region, peers, group, edition,
                        labels_of(vv))
    chart, series, wide, compact = profile_chart_parts(radar, axis, order_of(vv, axis), size)
    return {"peers": peers, "radar": radar, "chart": chart, "spec": charts.vega_spec(chart),
            "series": series, "wide": wide, "compact": tables.prepare(compact)}


@_resource(64)
def region_bars(vv, lang, region, group, edition, axis: str, mode: str, peer_list: tuple
                ) -> Drawn:
    """The radar's numbers as bars (one click away), with its table."""
    r = region_radar(vv, lang, region, group, edition, axis, mode, peer_list, RADAR_SCREEN)
    chart = charts.bar_chart(r["radar"], axis, series="series",
                             category_order=order_of(vv, axis), series_order=r["series"])
    return drawn(chart, r["wide"])


def heat_parts(cube: scoring.Cube, region: str, group, edition, table=None):
    """The policy-cycle heatmap of one region and the table behind it: (chart, table)."""
    heat, shown = vr.heat_table(cube, region, group, edition, table)
    chart = charts.heatmap(heat, "phase", "area", x_order=area_order(cube, "phase"),
                           flag="weakest", flag_label=t("weakest phase of the area"))
    return chart, shown


@_resource(256)
def region_heat(vv, lang, region, group, edition) -> Drawn:
    """The policy-cycle heatmap of a region (chart, spec, table)."""
    chart, shown = heat_parts(state.cube_of(vv), region, group, edition,
                              slice_of(vv, ("area", "phase"), group, edition))
    return drawn(chart, shown)


def profile_chart_parts(radar: pd.DataFrame, axis: str, order: list[str],
                        size: int = RADAR_SCREEN):
    """The radar, its series, its wide table and the compact table next to it:
    (chart, series, wide, compact)."""
    series = radar["series"].drop_duplicates().tolist()
    wide = radar_table(radar, axis)
    chart = charts.radar_chart(radar, axis, axis_order=order, series_order=series, size=size)
    return chart, series, wide, radar_compact(wide, series)


@_resource(256)
def region_strengths(vv, lang, region, group, edition, axis: str, mode: str,
                     peer_list: tuple) -> tables.Prepared:
    """:func:`views.region.strengths_shown` against the peer group, prepared."""
    peers = peers_of(vv, region, group, edition, axis, mode, peer_list)
    return tables.prepare(strengths_shown(state.cube_of(vv), region, peers, group, edition,
                                          state.tables_of(vv)["indicators"]))


@_resource(256)
def region_change(vv, lang, region, group, edition) -> tables.Prepared | None:
    """:func:`views.region.change_shown`, prepared (None: the first edition)."""
    eds = list(state.cube_of(vv).editions)
    changes = changes_of(vv, edition) if edition in eds and eds.index(edition) else None
    shown = change_shown(state.cube_of(vv), region, group, edition, changes)
    return None if shown is None else tables.prepare(shown)


@_resource(256)
def region_outcome_choice(vv, lang, region, area: str | None) -> tuple:
    """The outcome measures with figures for a region, the one shown first, and their
    names: (options, default, names)."""
    tabs = state.tables_of(vv)
    catalogue = catalogue_of(vv)
    options, default = outcome_choice(catalogue, tabs["outcomes"], tabs["regions"], region,
                                      order_of(vv), area)
    names = dict(zip(catalogue["measure"].astype(str), catalogue["label"].astype(str)))
    return options, default, names


@_resource(256)
def region_outcome(vv, lang, region, group, edition, measure: str) -> dict | None:
    """:func:`views.region.outcome_gap` with its text and its table (prepared)."""
    tabs = state.tables_of(vv)
    res = outcome_gap(axis_of(vv, "area"), tabs["outcomes"], catalogue_of(vv), tabs["regions"],
                      region, group, edition, measure)
    if res is None:
        return None
    return {**res, "text": outcome_text(res), "rows": tables.prepare(outcome_rows(res))}


@_resource(256)
def region_similar(vv, lang, region, group, edition, axis: str) -> tables.Prepared:
    """:func:`views.region.similar_shown`, prepared. On the area scores (the default) the
    similar places are read from the results stored with the version (DuckDB)."""
    sim = None
    if axis == "area":
        sim = vr.similar_from_results(state.reader_of(vv).similar(
            state.framework_name(vv), str(region), str(group), int(edition), N_SIMILAR),
            labels_of(vv))
    table = None if sim is not None else slice_of(vv, axis, group, edition)
    return tables.prepare(similar_shown(table, region, group, edition, labels_of(vv), axis, sim))


@_resource(256)
def region_drilldown(vv, lang, region, group, edition, area: str | None) -> tables.Prepared:
    """:func:`views.region.drilldown_shown` (one area, or all: None), prepared."""
    tabs = state.tables_of(vv)
    return tables.prepare(drilldown_shown(state.cube_of(vv), tabs["indicators"], tabs["scores"],
                                          region, group, edition, area))


@_resource(256)
def region_practices(vv, lang, region, group, edition, mode: str, peer_list: tuple) -> dict:
    """:func:`views.common.practice_links` of a region against its peer group."""
    tabs = state.tables_of(vv)
    return practice_links(state.cube_of(vv), tabs["practices"], tabs["regions"], region, group,
                          edition, mode, peer_list, table=slice_of(vv, "area", group, edition))


# --------------------------------------------------------------------------- warming

#: Region views (regions × target groups) warmed in the background when a version is first
#: loaded; above this only the Overview is warmed (on a 1,000-region store warming every
#: profile would take minutes of CPU and more memory than the caches keep).
WARM_MAX_VIEWS = 200


def default_views(vv: str) -> list[tuple]:
    """The (group, edition) pairs a version's pages open on: every target group, the latest
    edition."""
    cube = state.cube_of(vv)
    groups = [g for g in cube.groups if g in ("TCN", "BIP", scoring.ALL)]
    return [(g, scalar(e)) for e in sorted(cube.editions, reverse=True)[:1] for g in groups]


def region_defaults(v: RegionView) -> None:
    """Compute a Region profile's default view (:data:`DEFAULT_AXIS`, :data:`DEFAULT_PEERS`,
    the radar, every area, the first outcome measure) through the page's cached functions."""
    args = (v.vv, v.lang, v.region, v.group, v.edition)
    mode, peer_list = DEFAULT_PEERS
    region_headline(*args, v.weights)
    region_radar(*args, DEFAULT_AXIS, mode, peer_list, RADAR_SCREEN)
    region_heat(*args)
    region_strengths(*args, DEFAULT_AXIS, mode, peer_list)
    region_change(*args)
    _options, measure, _names = region_outcome_choice(v.vv, v.lang, v.region, None)
    if measure:
        region_outcome(*args, measure)
    region_similar(*args, DEFAULT_AXIS)
    region_drilldown(*args, None)
    region_practices(*args, mode, peer_list)


def warm(vv: str, lang: str = "en", *, regions: bool = True, stop=None) -> int:
    """Compute what the Overview and (``regions``) every Region profile show by default
    (:func:`default_views`) — through the same cached functions the pages call — so the
    first visitors after a start or a publish find them computed. Returns how many region
    views were computed; ``stop()`` returning True ends early."""
    views = default_views(vv)
    for group, edition in views:
        overview_view(vv, lang, edition, group, ())
    if not regions:
        return 0
    n = 0
    for region in scored_of(vv)["region_id"]:
        for group, edition in views:
            if stop is not None and stop():
                return n
            region_defaults(RegionView(vv, lang, str(region), group, edition))
            n += 1
    return n


def start_warming(vv: str):
    """Warm a newly loaded version's default views in a background thread, in English, so
    the first visitors after a start or a publish do not each pay for a cold page (under
    load a cold page queues everyone behind it). ``MIPEXR_WARM=0`` turns it off. Called by
    :mod:`ui.state` when it loads a version's cube (registered with
    :func:`ui.state.on_new_cube`)."""
    import logging
    import os
    import threading

    if os.environ.get("MIPEXR_WARM", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    if state.framework_of_view(vv) is not None:  # the default framework's pages are warmed
        return None

    def run():
        i18n.set_language("en")
        cube = state.cube_of(vv)
        try:
            warm(vv, "en", regions=len(cube.regions) * len(cube.groups) <= WARM_MAX_VIEWS)
        except Exception:  # warming is an optimisation; the pages compute anyway
            logging.getLogger(__name__).exception("Warming the page caches failed")

    thread = threading.Thread(target=run, name="mipexr-warm", daemon=True)
    thread.start()
    return thread


state.on_new_cube(start_warming)


# =====================================================================================
# Rendering (Streamlit): the sections of the Region profile page. Each reads its own
# widgets (kept in the URL through ui.state) and shows tables through ui.tables, charts
# through ui.charts (with their data behind them).
# =====================================================================================

def scored_context():
    """What every one-region page starts with: the sidebar's edition and target group, the
    tables, the scoring cube and the regions that have scores. Stops the page with a message
    when nothing is scored yet. Returns ``(edition, group, tabs, cube, regions)``."""
    from ui import sidebar

    view = sidebar.view()
    tabs, cube = state.tables(), state.cube()
    regions = scored_of(state.view_version())
    if regions.empty or view["edition"] is None or view["target_group"] is None:
        state.show_notices()
        st.warning(t("No scores have been published yet."))
        st.stop()
    return view["edition"], view["target_group"], tabs, cube, regions


def show_group_switch(group):
    """TCN / BIP / both on the page, in step with the sidebar's target group (URL ``group``)."""
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


def show_missing_edition(cube, region, name, group, edition, page: str):
    """When the region has no score in the edition in view (MIPEX published 2024 for some
    countries only), say so and link to the latest edition in which it has one — the same
    page, the same view, that edition."""
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



def show_headline(v: RegionView, weights: dict | None = None):
    """Overall score, rank with its band (all regions and in the country), coverage, areas
    with a score."""
    from ui import sidebar

    cards = region_headline(v.vv, v.lang, v.region, v.group, v.edition, v.weights)
    row = st.container(horizontal=True)  # one block for the cards
    for label, value, help_text in cards:
        row.metric(label, value, help=help_text)
    st.caption(t("Edition {e} · {g}", e=v.edition, g=t(sidebar.GROUP_LABELS.get(v.group, v.group)))
               + (" · " + t("area weights from the link: {w} (other areas 1)",
                            w=params.weights_text(weights)) if weights else ""))


def show_handout_links(region, group, edition, weights=None, mode="all", peer_list=()):
    """Links to the printable brief and to the workshop walk-through of this region, with
    the view's weights and peers."""
    qp = handout_params(region, group, edition, weights, mode, peer_list)
    links = st.container(horizontal=True)
    links.page_link("pages/brief.py", label=t("Region brief (PDF, HTML)"),
                 icon=":material/picture_as_pdf:", query_params=qp)
    links.page_link("pages/workshop.py", label=t("Workshop walk-through"),
                 icon=":material/co_present:", query_params={**qp, "step": "1"})


def show_peer_controls(v: RegionView, ids: list[str], labels: dict[str, str]):
    """Peer group widgets kept in the URL as ``peers`` (all/country/similar/id list)."""
    region = v.region
    mode, chosen = params.url_peers(ids, region)
    countries = v.ver.countries
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


def show_profile_chart(v: RegionView, axis: str, mode: str, peer_list: tuple, name: str
                       ) -> list[str]:
    """The radar (or, one click away, the same numbers as bars) with its data table; the
    exported files name the peer group. Returns the peer group's region ids."""
    from ui import frame

    kinds = {"radar": t("Radar"), "bars": t("Bars")}
    kind = state.url_widget(st.radio, "chart", list(kinds), DEFAULT_CHART, t("Chart"),
                            horizontal=True, format_func=kinds.get)
    r = region_radar(v.vv, v.lang, v.region, v.group, v.edition, axis, mode, peer_list,
                     frame.radar_height())
    n_peers = len(r["peers"])
    caption = t("{name} against the mean of its peer group ({n} regions) and the best score "
                "among all regions.", name=safe.md(name), n=n_peers)
    if kind == "radar":
        left, right = st.columns([3, 2])
        with left:
            charts.show_altair(r["chart"], spec=r["spec"], width="stretch", key="chart-profile")
            st.caption(caption)
            charts.export_buttons(r["chart"], f"profile-{axis}", key="profile",
                                  peers=peer_words(mode, n_peers))
        with right:  # the text alternative, visible next to the radar, narrow enough for it
            tables.show_table(r["compact"], f"profile-{axis}", key="data-profile")
    else:
        show_drawn(region_bars(v.vv, v.lang, v.region, v.group, v.edition, axis, mode,
                               peer_list), f"profile-{axis}", key="profile", caption=caption,
                   peers=peer_words(mode, n_peers))
    return r["peers"]


def show_heat(v: RegionView):
    """The policy-cycle heatmap with its table."""
    show_drawn(region_heat(v.vv, v.lang, v.region, v.group, v.edition),
               f"policy-cycle-{v.region}", key="heat",
               caption=t("Outlined: the weakest phase of each area. Grey dashed cells have "
                         "no data (too few indicators answered), which is not a score of 0."))


def show_strengths(v: RegionView, axis: str, mode: str, peer_list: tuple):
    shown = region_strengths(v.vv, v.lang, v.region, v.group, v.edition, axis, mode, peer_list)
    if shown.empty:
        st.info(t("No indicator differs from the peer group's mean."))
        return
    note = untranslated_note(state.tables()["indicators"])
    tables.show_table(shown, f"strengths-{v.region}", key="sw",
                      caption=t("Indicators where the region is furthest above or below its "
                                "peer group's mean.") + (" " + note if note else ""))


def show_change(v: RegionView):
    shown = region_change(v.vv, v.lang, v.region, v.group, v.edition)
    if shown is None:
        st.info(t("{e} is the first edition: there is nothing to compare with.", e=v.edition))
        return
    tables.show_table(shown, f"change-{v.region}", key="change",
                      caption=t("“not comparable”: the indicators behind the number changed "
                                "between editions (added, dropped or newly missing), so the "
                                "change mixes method and reality."))


def show_outcome(v: RegionView, area=None):
    """The "Policy and outcomes" panel: a measure chosen from the catalogue (URL ``measure``;
    default: the one linked to ``area``, the area in view), its figures, the gap, the year
    and the flags, and in words what is compared."""
    region, edition = v.region, v.edition
    options, default, names = region_outcome_choice(v.vv, v.lang, region, area)
    if not options:
        st.info(t("No outcome figures for this region or its parent region."))
        return
    measure = state.url_widget(st.selectbox, "measure", options, default, t("Outcome measure"),
                               format_func=lambda m: names.get(m, m),
                               help=t("The outcome measures of the catalogue with figures for "
                                      "this region; the first one is linked to the area in view."))
    res = region_outcome(v.vv, v.lang, region, v.group, edition, measure)
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
    st.caption(safe.md(res["text"]))
    tables.show_table(res["rows"], f"policy-outcome-{region}", key="outcome")


def show_similar(v: RegionView, labels: dict[str, str], axis: str):
    shown = region_similar(v.vv, v.lang, v.region, v.group, v.edition, axis)
    tables.show_table(shown, f"similar-{v.region}", key="similar",
                      caption=t("Distance between the {axis} scores (Euclidean; smaller = more "
                                "alike).", axis=t(AXIS_WORDS.get(axis, N_("area")))))
    row = st.container(horizontal=True)
    for rid in shown.frame[t("Region code")]:
        row.page_link("pages/region.py", label=safe.md(labels.get(rid, rid)), icon=":material/location_on:",
                      query_params={"region": rid, "edition": str(v.edition), "group": v.group})


def show_drilldown(v: RegionView):
    areas = ["all", *v.ver.orders["area"]]
    area = state.url_widget(st.selectbox, "area", areas, DEFAULT_AREA, t("Area"),
                            format_func=lambda a: t("All areas") if a == "all" else term(a))
    shown = region_drilldown(v.vv, v.lang, v.region, v.group, v.edition,
                             None if area == "all" else area)
    st_cfg = st.column_config
    tables.show_table(shown, f"indicators-{v.region}", key="drill", height=420, column_config={
        t("Question"): st_cfg.TextColumn(width="large"), t("Note"): st_cfg.TextColumn(width="small"),
        t("Source"): st_cfg.TextColumn(width="medium"), t("Area"): st_cfg.TextColumn(width="small"),
        t("Answer means"): st_cfg.TextColumn(width="medium")})


def show_practice_links(v: RegionView, labels: dict[str, str], mode="all", peer_list=()):
    """The region's priority areas (with the reason for each) and the practices other
    regions run in them, with a link to the Integration Lab's full list for these gaps."""
    from data.config import REPO_ROOT

    region = v.region
    res = region_practices(v.vv, v.lang, region, v.group, v.edition, mode, tuple(peer_list))
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
