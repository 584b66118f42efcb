"""The Gaps page's widgets, colours and charts, and its per-view cache: area weights kept
in the URL, the coloured gap matrix, the rank-band chart.

The figures are computed in :mod:`views.gaps` (pure, no Streamlit) and cached here per view
(``st.cache_resource`` keyed on scalars: the view version first). The ``w`` parameter (area
weights) is parsed by :mod:`ui.params`, the one parser every page uses.
"""

from __future__ import annotations

import json
import math

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import scoring
from ui import fmt, params, safe, state, tables
from ui.i18n import N_, language, t, term, terms
from views import common as views_common
from views.gaps import (DEFAULT_TARGET, GAP_TYPES, PEER_GROUPS, axis_order, band_frame,  # noqa: F401
                        cell_table, gap_long, gap_wide, resolve_view, short_label)

#: Above this many rows the gap matrix is shown without colours (a Styler costs ~0.5 s per
#: 1,000 rows × 12 columns to send).
MAX_STYLED_ROWS = 400
#: Rank-band chart: at most this many regions drawn (the table below it has all).
MAX_BAND_ROWS = 60
NO_DATA_BG = "#F2F2F2"  # as ui.tables.NO_DATA_STYLE
#: Diverging, colour-blind-safe (ColorBrewer PuOr, orange = behind, purple = ahead).
DIVERGING = ("#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7", "#d8daeb", "#b2abd2",
             "#8073ac", "#542788")
#: Cells this dark get white text.
_DARK = {"#b35806", "#8073ac", "#542788"}


# ------------------------------------------------------------------ weights in the URL

def weight_notices(problems):
    """A notice for every bad item of ``w`` (:func:`ui.params.weight_problem_text`)."""
    for item, reason in problems:
        state.notice(params.weight_problem_text(item, reason))


def _wkey(area: str) -> str:
    return f"weight::{area}"


def reset_weights(areas):
    for a in areas:
        st.session_state[_wkey(a)] = 1.0


def weight_controls(areas) -> dict[str, float]:
    """Number inputs per area (initialised from the URL), a reset button; keeps ``w`` in sync.

    Returns the weight of every area.
    """
    linked = state.url_changed(params.WEIGHTS_PARAM)  # a link's weights win
    if linked or not all(_wkey(a) in st.session_state for a in areas):
        parsed, problems = params.parse_weights(st.query_params.get(params.WEIGHTS_PARAM), areas)
        weight_notices(problems)
        for a in areas:
            if linked:
                st.session_state[_wkey(a)] = float(parsed.get(a, 1.0))
            else:
                st.session_state.setdefault(_wkey(a), float(parsed.get(a, 1.0)))
    with st.expander(t("Weights of the areas in the overall score (1 = the MIPEX rule)")):
        cols = st.columns(3)
        for i, a in enumerate(areas):
            cols[i % 3].number_input(safe.md(term(a)), min_value=0.0, max_value=params.MAX_WEIGHT, step=0.5,
                                     key=_wkey(a))
        st.button(t("Reset weights"), on_click=reset_weights, args=(list(areas),),
                  key="weights-reset")
    weights = {a: float(st.session_state[_wkey(a)]) for a in areas}
    if not any(weights.values()):
        st.warning(t("Every area weighs 0, so there is no overall score; weights of 1 are used."))
        weights = dict.fromkeys(areas, 1.0)
    state.set_param(params.WEIGHTS_PARAM, params.encode_weights(weights))
    return weights


def url_target() -> float:
    """The ``target`` parameter (0–100), or the default with a notice when it is malformed."""
    raw = st.query_params.get("target")
    if raw is None:
        return DEFAULT_TARGET
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if math.isfinite(value) and 0 <= value <= 100:
        return value
    state.notice(t("The link asked for target “{v}”, which is not a number from 0 to 100; "
                   "showing {d:g} instead.", v=safe.clip(raw), d=DEFAULT_TARGET))
    return DEFAULT_TARGET


# ------------------------------------------------------------------ the coloured matrix

def diverging_css(values: pd.DataFrame, span: float) -> pd.DataFrame:
    """CSS per cell: a diverging colour for the value (−span … +span), grey for no data.

    Vectorised: values are binned into the palette with one ``np.digitize``.
    """
    v = values.to_numpy(float)
    edges = np.linspace(-span, span, len(DIVERGING) + 1)[1:-1]
    idx = np.digitize(np.nan_to_num(v), edges)
    pal = np.array(DIVERGING, dtype=object)
    bg = pal[idx]
    fg = np.where(np.isin(bg, list(_DARK)), "#ffffff", "#111111")
    css = "background-color: " + bg + "; color: " + fg
    css = np.where(np.isnan(v), tables.NO_DATA_STYLE, css)
    return pd.DataFrame(css, index=values.index, columns=values.columns)


def styled(frame: pd.DataFrame, gap_cols, pct_cols=(), num_cols=(), span: float | None = None):
    """A Styler: gap columns coloured and signed, "no data" text for NaN, coverage in %,
    other numbers (``num_cols``) with one decimal — all rounded first by the one display
    rule (:func:`ui.tables.rounded`), as the downloads are."""
    frame = tables.rounded(frame, [c for c in pct_cols if c in frame.columns])
    cols = [c for c in gap_cols if c in frame.columns]
    if span is None:
        m = np.nanmax(np.abs(frame[cols].to_numpy(float))) if len(frame) and cols else 0
        span = float(m) if np.isfinite(m) and m > 0 else 1.0
    sty = frame.style.apply(diverging_css, axis=None, subset=cols, span=span)
    # numbers in the interface's locale ("+2,5", "85,7 %"), as in the cards and charts
    sty = sty.format(fmt.signed, subset=cols, na_rep=t("no data"))
    pcts = [c for c in pct_cols if c in frame.columns]
    if pcts:
        sty = sty.format(fmt.percent, subset=pcts, na_rep=t("no data"))
    nums = [c for c in num_cols if c in frame.columns]
    if nums:
        sty = sty.format(fmt.number, subset=nums, na_rep=t("no data"))
        sty = sty.map(lambda v: tables.NO_DATA_STYLE if pd.isna(v) else "", subset=nums)
    return sty


def matrix_columns(gap_cols, styled: bool = True) -> dict:
    """Narrow columns, so the whole matrix fits a 1366-px screen without scrolling sideways.
    ``styled``: the table comes from :func:`styled`, whose text ("98,4 %" in French) a
    column format would replace with the browser's English "98.4%"."""
    # "percent" drops trailing zeros (91%, 98.6%); step fixes one decimal
    pct = {} if styled else {"format": "percent", "step": 0.001}
    cfg = {t("Code"): st.column_config.TextColumn(width=58),
           t("Region"): st.column_config.TextColumn(width=125),
           t("Coverage"): st.column_config.NumberColumn(
               width=72, help=t(tables.TITLE_HELP[N_("Coverage")]), **pct)}
    # a long area name is abbreviated in the header ("anti-discr." not "anti-discr"), the
    # whole name in the header's tooltip and in the downloads
    cfg.update({c: st.column_config.NumberColumn(short_label(c), width=66, help=c)
                for c in gap_cols})
    return cfg


def legend(behind: str, ahead: str):
    """A colour legend under a coloured table, including the "no data" swatch."""
    sw = ('<span style="display:inline-block;width:1.1em;height:1.1em;background:{c};'
          'border:1px solid #888;vertical-align:middle;margin:0 .3em 0 .9em"></span>{x}')
    html = "".join(sw.format(c=c, x=x) for c, x in (
        (DIVERGING[0], behind), (DIVERGING[4], t("about the same")), (DIVERGING[-1], ahead),
        (NO_DATA_BG, t("no data (no score: coverage below the threshold or not asked)")),
    ))
    st.markdown(f'<div style="font-size:0.95rem">{html}</div>', unsafe_allow_html=True)


# ------------------------------------------------------------------ rank bands

def n_draws(n_regions: int) -> int:
    """Weight draws for the rank bands (:func:`views.common.band_draws`, the one rule)."""
    return views_common.band_draws(n_regions)


def rank_band_chart(shown: pd.DataFrame) -> alt.LayerChart:
    """Median rank and 5–95 % band per region; regions without a score marked "no data"."""
    code, med = t("Code"), t("Median rank")
    lo, hi, nom = t("Rank, 5th percentile"), t("Rank, 95th percentile"), \
        t("Rank with these weights")
    df = shown.head(MAX_BAND_ROWS).copy()
    df["label"] = df[code] + " " + df[t("Region")].str.slice(0, 28)
    df[nom] = df[nom].astype(float)
    n = max(int(np.nanmax(df[hi].to_numpy(float), initial=1)), 1)
    kinds = [t("5–95 % band"), t("median rank"), t("rank with these weights"), t("no data")]
    colours = ["#56B4E9", "#0072B2", "#D55E00", "#8C8C8C"]  # Okabe & Ito, as ui.charts
    df["no_data"] = df[med].isna()
    df["x_nodata"] = 0.5
    order = df["label"].tolist()
    y = alt.Y("label:N", sort=order, title=None,
              axis=alt.Axis(labelLimit=260, labelOverlap=False, labelColor="#222222"))
    colour = alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=colours),
                       legend=alt.Legend(title=None, orient="top"))
    xs = alt.Scale(domain=[0, n + 1], nice=False)
    tip = [alt.Tooltip(c) for c in (code, t("Region"), med, lo, hi, nom)]
    base = alt.Chart(df).encode(y=y, tooltip=tip)
    def layer(kind: str, present: bool = True):
        keep = base.transform_filter("!datum.no_data" if present else "datum.no_data")
        return keep.transform_calculate(kind=json.dumps(kind))

    band = layer(kinds[0]).mark_rule(strokeWidth=8, opacity=0.8).encode(
        x=alt.X(f"{lo}:Q", scale=xs, title=t("Rank (1 = best)")), x2=f"{hi}:Q", color=colour)
    median = layer(kinds[1]).mark_point(filled=True, size=110, shape="circle").encode(
        x=f"{med}:Q", color=colour)
    nominal = layer(kinds[2]).mark_tick(thickness=3, size=18).encode(x=f"{nom}:Q",
                                                                     color=colour)
    nodata = layer(kinds[3], present=False).mark_square(size=140).encode(
        x=alt.X("x_nodata:Q", scale=xs), color=colour)
    return alt.layer(band, median, nominal, nodata).properties(
        height=max(160, 26 * len(df))).configure_axis(labelFontSize=14, titleFontSize=15) \
        .configure_legend(labelFontSize=14)


# ------------------------------------------------------------------ cached per view
# One idiom: st.cache_resource keyed on scalars and tuples (the view version first, the
# language where text is made); the bodies read the run's data (state.tables/state.cube).
# Results are shared by every session: read-only.

@st.cache_resource(max_entries=16, show_spinner=False)
def aggregate_scores(view_version: str, axis: str) -> pd.DataFrame:
    """Every region's scores by ``axis`` (area, phase), every group and edition."""
    return scoring.aggregate(state.cube(), by=(axis,))


@st.cache_resource(max_entries=32, show_spinner=False)
def overall_all(view_version: str, weights: tuple = ()) -> pd.DataFrame:
    """Every region's overall score with area ``weights`` (:func:`ui.params.weights_key`;
    empty: every area once), every group and edition."""
    return scoring.overall(state.cube(), group_weights=dict(weights) if weights else None)


def _rows(frame: pd.DataFrame, edition, group) -> pd.DataFrame:
    return frame[(frame["edition"] == edition) & (frame["target_group"] == group)]


@st.cache_resource(max_entries=64, show_spinner=False)
def _scores_by(view_version: str, axis: str, edition, group) -> pd.DataFrame:
    return _rows(aggregate_scores(view_version, axis), edition, group)


@st.cache_resource(max_entries=64, show_spinner=False)
def _overall_in_view(view_version: str, weights: tuple, edition, group) -> pd.DataFrame:
    return _rows(overall_all(view_version, weights), edition, group)


def scores_by(axis: str, view: dict) -> pd.DataFrame:
    """Scores by ``axis`` (area, phase) of every region, for the edition and group in view."""
    v = resolve_view(view, state.cube())
    return _scores_by(state.view_version(), axis, v["edition"], v["target_group"])


def overall_scores(view: dict, weights: dict | None = None) -> pd.DataFrame:
    """Overall scores (with area weights; None or all 1 = every area once) in view."""
    v = resolve_view(view, state.cube())
    return _overall_in_view(state.view_version(), params.weights_key(weights), v["edition"],
                            v["target_group"])


def band_rows(view: dict, weights: dict) -> pd.DataFrame:
    """The rank bands with the area weights in view — :func:`views.common.rank_bands`, the
    same draws (cached once per data version and weighting) every page shows ranks from."""
    view = resolve_view(view, state.cube())
    return views_common.rank_bands(state.cube(), state.tables()["regions"], view["edition"],
                              view["target_group"], params.effective_weights(weights))


@st.cache_resource(max_entries=64, show_spinner=False)
def gap_view(view_version: str, lang: str, edition, group: str, axis: str, gap: str,
             target: float, peers: str, weights: tuple) -> dict:
    """Everything the gap matrix shows for one choice: ``order`` (the axis' values),
    ``long`` (:func:`views.gaps.gap_long`), ``wide`` (the matrix), ``gap_cols`` (its
    headers, in words), ``cells`` (every cell as text); ``empty`` when there is no score."""
    view = {"edition": edition, "target_group": group}
    table = scores_by(axis, view)
    if table.empty or table["score"].isna().all():
        return {"empty": True}
    tabs = state.tables()
    names = tabs["regions"].set_index("region_id")["name"]
    countries = tabs["regions"].set_index("region_id")["country"]
    order = axis_order(table, axis)
    long = gap_long(table, axis, gap, target=target, peers=peers, countries=countries)
    ov = _overall_in_view(view_version, weights, edition, group).assign(overall=t("Overall"))
    ov_long = gap_long(ov, "overall", gap, target=target, peers=peers, countries=countries)
    wide = gap_wide(long, axis, order, names, ov_long)
    return {"empty": False, "order": order, "long": long, "wide": wide,
            "gap_cols": [*(str(a) for a in terms(list(order))), t("Overall")],
            "cells": cell_table(long, axis, names)}


@st.cache_resource(max_entries=32, show_spinner=False)
def band_view(view_version: str, lang: str, edition, group: str, weights: tuple) -> dict:
    """The rank bands shown (``raw`` rows, ``table`` on screen) and their chart, made once
    per view and weighting."""
    view = {"edition": edition, "target_group": group}
    raw = band_rows(view, dict(weights) if weights else None)
    names = state.tables()["regions"].set_index("region_id")["name"]
    bands = band_frame(raw, names)
    return {"raw": raw, "table": bands, "chart": rank_band_chart(bands)}


def view_key(view: dict) -> tuple:
    """(view version, language, edition, target group): the first keys of a cached view."""
    v = resolve_view(view, state.cube())
    return state.view_version(), language(), v["edition"], v["target_group"]
