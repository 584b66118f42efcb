"""Logic of the Gaps page: area weights kept in the URL, gap matrices, rank bands.

Pure helpers (``gap_long``, ``gap_wide``, ``diverging_css``) take and return DataFrames and
can be tested without Streamlit; the widget and chart helpers below them render. The ``w``
parameter (area weights) is parsed by :mod:`ui.params`, the one parser every page uses.
"""

from __future__ import annotations

import json
import math
import re

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import scoring
from ui import fmt, params, safe, state, tables
from ui.i18n import N_, column_title, t, term, terms

GAP_TYPES = ("best", "peers", "target")
PEER_GROUPS = ("all", "country")
DEFAULT_TARGET = 80.0
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


# ------------------------------------------------------------------ gap tables (pure)

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
    """Weight draws for the rank bands (:func:`ui.profile.band_draws`, the one rule)."""
    from ui import profile

    return profile.band_draws(n_regions)


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


# ------------------------------------------------------------------ cached scores

@st.cache_data(max_entries=16, show_spinner=False)
def _aggregate(_cube, version: str, axis: str) -> pd.DataFrame:
    return scoring.aggregate(_cube, by=(axis,))


@st.cache_data(max_entries=32, show_spinner=False)
def _overall(_cube, version: str, weights: tuple) -> pd.DataFrame:
    return scoring.overall(_cube, group_weights=dict(weights) if weights else None)


def resolve_view(view: dict, cube) -> dict:
    """The sidebar's choice, or the latest edition and the first target group when the sidebar
    has not run (so a page never fails on an empty choice)."""
    groups = [g for g in ("TCN", "BIP", "ALL") if g in cube.groups] or list(cube.groups)
    edition = view.get("edition")
    edition = int(edition) if edition is not None else (
        int(cube.editions[-1]) if len(cube.editions) else None)
    group = view.get("target_group") or (groups[0] if groups else None)
    return {"edition": edition, "target_group": group}


def in_view(frame: pd.DataFrame, view: dict) -> pd.DataFrame:
    """Rows of the edition and target group chosen in the sidebar."""
    view = resolve_view(view, state.cube())
    return frame[(frame["edition"] == view["edition"])
                 & (frame["target_group"] == view["target_group"])]


def scores_by(axis: str, view: dict) -> pd.DataFrame:
    """Scores by ``axis`` (area, phase) of every region, for the edition and group in view."""
    return in_view(_aggregate(state.cube(), state.view_version(), axis), view)


def overall_scores(view: dict, weights: dict | None = None) -> pd.DataFrame:
    """Overall scores (with area weights; None or all 1 = every area once) in view."""
    return in_view(_overall(state.cube(), state.view_version(), params.weights_key(weights)), view)


def axis_order(table: pd.DataFrame, axis: str) -> list[str]:
    """The display order of an axis' values (phases in policy-cycle order)."""
    col = table[axis]
    cats = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else col.unique()
    return [str(c) for c in cats]


def band_rows(view: dict, weights: dict) -> pd.DataFrame:
    """The rank bands with the area weights in view — :func:`ui.profile.rank_bands`, the
    same draws (cached once per data version and weighting) every page shows ranks from."""
    from ui import profile

    view = resolve_view(view, state.cube())
    return profile.rank_bands(state.cube(), state.tables()["regions"], view["edition"],
                              view["target_group"], params.effective_weights(weights))
