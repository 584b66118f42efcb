"""The Compare page's widgets and its per-view cache (and the Methodology page's).

The figures are computed in :mod:`views.compare` and :mod:`views.methodology` (pure, no
Streamlit); here they are cached per view — ``st.cache_resource`` keyed on scalars only:
the view version first, then the language, edition, target group and the page's choices —
so a rerun with the same choices computes nothing. Results are shared by every session:
read-only (derive, never change in place).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import state
from ui.i18n import language, t
from views import region as views_region
from views.compare import (MAX_REGIONS, MIN_REGIONS, VS, chart_frame, compare_long,  # noqa: F401
                           default_regions, gap_table, reference_column, region_label,
                           scored_regions, vs_labels)
from views.methodology import (DICTIONARY_HEADERS, answer_text, data_dictionary,  # noqa: F401
                               edition_comparability, indicator_list, indicator_set_change,
                               rule_defaults, version_frames, weight_table)


# ------------------------------------------------------------------ region choice

@st.cache_resource(max_entries=8, show_spinner=False)
def _regions(view_version: str) -> tuple[list[str], dict[str, str], dict[str, str],
                                         dict[str, str]]:
    """(options, names, labels in the chooser, labels in headers) of a view version: the
    scored regions in the regions table's order; a label per region made once, not once per
    option on every rerun."""
    tabs = state.tables()
    names = tabs["regions"].set_index("region_id")["name"]
    options = scored_regions(tabs["regions"], state.cube().regions)
    return (options, {r: str(names.get(r, "") or "") for r in options},
            {r: region_label(r, names, 60) for r in options},
            {r: region_label(r, names, None) for r in options})


def region_options() -> list[str]:
    """Region ids with scores, in the regions table's order (the partner regions first)."""
    return _regions(state.view_version())[0]


def full_labels() -> dict[str, str]:
    """region id → "ES51 Cataluña" (the whole name) for every scored region."""
    return _regions(state.view_version())[3]


def short_label(region_id: str) -> str:
    """The label shortened for a table header on screen (:func:`views.compare.region_label`)."""
    return region_label(region_id, _regions(state.view_version())[1])


@st.cache_resource(max_entries=32, show_spinner=False)
def _default_regions(view_version: str, group: str | None, edition) -> list[str]:
    view = {"target_group": group, "edition": edition}
    return default_regions(region_options(), state.cube(), view)


def choose_regions(options: list[str], view: dict | None = None) -> list[str]:
    """The region multiselect (URL ``regions``), 2–6 regions; a link naming fewer than two
    known regions is completed with the first regions of the list, with a notice. The
    default: :func:`views.compare.default_regions` for the sidebar's edition and group."""
    view = view or {}
    default = list(_default_regions(state.view_version(), view.get("target_group"),
                                    view.get("edition")))  # a copy: the cached list is shared
    labels = _regions(state.view_version())[2]
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
                           format_func=lambda r: labels.get(r, r))


# ------------------------------------------------------------------ the view, cached

@st.cache_resource(max_entries=64, show_spinner=False)
def compare_view(view_version: str, lang: str, edition, group: str, axis: str, vs: str,
                 chosen: tuple) -> dict:
    """Everything the Compare page shows for one choice: ``labels`` (full names), ``order``
    (the axis' display order), ``long`` (:func:`views.compare.compare_long`), ``data`` (the
    charts' frame) and ``shown_data`` (its text alternative, headers translated),
    ``series`` (in legend order)."""
    from ui import gaps as G
    from ui.i18n import column_title

    view = {"edition": edition, "target_group": group}
    regions = list(chosen)
    labels = {r: full_labels().get(r, r) for r in regions}
    table = G.scores_by(axis, view)
    order = G.axis_order(table, axis)
    overall = t("Overall")
    long = compare_long(table, G.overall_scores(view), regions, axis, vs, overall)
    data = chart_frame(long, axis, labels, vs, overall)
    shown_data = data.rename(columns={"series": t("Series"), "region_id": t("Code"),
                                      axis: column_title(axis), "score": t("Score"),
                                      "coverage": t("Coverage"), "difference": t("Difference")})
    return {"labels": labels, "order": order, "long": long, "data": data,
            "shown_data": shown_data, "series": list(dict.fromkeys(data["series"]))}


@st.cache_resource(max_entries=64, show_spinner=False)
def compare_chart(view_version: str, lang: str, edition, group: str, axis: str, vs: str,
                  chosen: tuple, kind: str, size: int):
    """The radar (``kind`` "radar", ``size`` px) or the bars of :func:`compare_view`: the same
    chart object on every rerun, so its Vega-Lite spec is made once."""
    from ui import charts

    m = compare_view(view_version, lang, edition, group, axis, vs, chosen)
    if kind == "radar":
        return charts.radar_chart(m["data"], axis=axis, value="score", series="series",
                                  axis_order=m["order"], series_order=m["series"], size=size)
    return charts.bar_chart(m["data"], axis, "score", series="series",
                            category_order=m["order"], series_order=m["series"])


@st.cache_resource(max_entries=64, show_spinner=False)
def compare_gaps(view_version: str, lang: str, edition, group: str, axis: str, vs: str,
                 chosen: tuple, sort: str) -> pd.DataFrame:
    """The difference table on screen (:func:`views.compare.gap_table`), in words."""
    from ui import tables

    m = compare_view(view_version, lang, edition, group, axis, vs, chosen)
    return tables.in_words(gap_table(m["long"], list(chosen), axis, vs, m["labels"], m["order"],
                                     sort, t("Overall")))


def view_key(view: dict) -> tuple:
    """(view version, language, edition, target group) — the first keys of every cached view."""
    from ui import gaps as G

    v = G.resolve_view(view, state.cube())
    return state.view_version(), language(), v["edition"], v["target_group"]


# ------------------------------------------------------------------ methodology, cached

@st.cache_resource(max_entries=8, show_spinner=False)
def methodology_tables(view_version: str, lang: str) -> dict:
    """The Methodology page's tables that depend only on the data and the language: the
    weight table, the data dictionary, the measure catalogue (None: no outcomes), the
    indicators' areas and phases (in policy-cycle order), the number of regions, the
    version's files and row counts (:func:`views.methodology.version_frames`)."""
    tabs = state.tables()
    ind = tabs["indicators"]
    order = ("formulation", "output", "implementation", "evaluation")
    present = set(ind["phase"].dropna())
    catalogue = views_region.measure_catalogue(tabs.get("measures"), tabs["outcomes"])
    return {"weights": weight_table(ind), "dictionary": data_dictionary(),
            "measures": None if catalogue.empty else views_region.measure_list(catalogue),
            "areas": sorted(ind["area"].dropna().unique().tolist()),
            "phases": [p for p in order if p in present] + sorted(present - set(order)),
            "n_regions": len(state.cube().regions),
            "version": version_frames(state.manifest())}


@st.cache_resource(max_entries=32, show_spinner=False)
def indicators_shown(view_version: str, lang: str, areas: tuple, phases: tuple) -> pd.DataFrame:
    """:func:`views.methodology.indicator_list` of the view version, filtered."""
    return indicator_list(state.tables()["indicators"], list(areas), list(phases))


@st.cache_resource(max_entries=32, show_spinner=False)
def editions_compared(view_version: str, lang: str, group: str, edition_from,
                      edition_to) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(indicators only in one edition, comparability per area) between two editions."""
    cube = state.cube()
    return (indicator_set_change(cube, group, edition_from, edition_to),
            edition_comparability(cube, group, edition_from, edition_to))


def fit(frame: pd.DataFrame, widths: dict[str, int]) -> dict:
    """Column widths (px, keyed by English names, translated) so a table fits 1366 px."""
    return {t(c): st.column_config.Column(width=w) for c, w in widths.items()
            if t(c) in frame.columns}
