"""Altair charts shared by every page: radar, bars, heatmap — and how to show one.

Every chart builder is pure (DataFrame in, ``alt.Chart`` out, no Streamlit), takes *long*
data (one row per mark) and follows the same rules:

* **No data never looks like zero.** A missing value is not drawn as a bar, a point or a
  coloured cell; it gets its own grey mark labelled "no data", and every chart's legend has a
  "no data" entry (:data:`NO_DATA_COLOUR`), whether or not the current data has a gap.
* **Colour-blind-safe** palettes: Okabe & Ito for series (:data:`SERIES_COLOURS`), viridis
  for scores; series also differ by dash pattern, so they survive greyscale printing.
* **Projector-readable**: 13–14 px labels, wide bars.

:func:`show_chart` renders a chart with PNG/SVG downloads (:func:`export_buttons`, the data
version and source printed on the file) and its text alternative (the data behind it in an
expander, with CSV/XLSX downloads of exactly that table).

Typical use::

    from ui import charts
    ch = charts.radar_chart(frame, axis="area", value="score", series="series")
    charts.show_chart(ch, frame, "radar-ES51", key="radar")
"""

from __future__ import annotations

import math
import textwrap

import altair as alt
import numpy as np
import pandas as pd

from data.schema import SHARE_DECIMALS
from ui import compat, fmt
from ui.i18n import N_, column_title, t, terms

# Altair validates every chart object against the Vega-Lite schema when it is built, and
# again when Streamlit serialises the chart; the first pass cost a third of a page rerun.
# The serialisation still validates, so a malformed chart is still an error.
alt.utils.schemapi.disable_debug_mode()

#: Okabe & Ito (2008) series colours, in the order series are met: blue, orange, green,
#: vermillion, reddish purple, sky blue, yellow.
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"]
#: Dash patterns paired with the series colours (solid, dashed, dotted, ...).
SERIES_DASHES = [[1, 0], [8, 4], [2, 3], [12, 3, 2, 3], [4, 4], [1, 0], [8, 4]]
#: "No data": mid grey for text and outlines, a lighter grey for fills.
NO_DATA_COLOUR = "#8C8C8C"
NO_DATA_FILL = "#EDEDED"
#: Sequential scheme for scores (colour-blind-safe, monotone in lightness).
SCORE_SCHEME = "viridis"
FONT_SIZE = 14
LABEL_SIZE = 13


def no_data_label() -> str:
    """The translated "no data" label used in every legend and mark."""
    return t("no data")


def _finite(s: pd.Series) -> np.ndarray:
    return np.isfinite(pd.to_numeric(s, errors="coerce").to_numpy(dtype=float))


def _series_scale(series: list[str]) -> tuple[alt.Scale, alt.Scale]:
    """Colour and dash scales for ``series`` + the "no data" entry (legend order = given)."""
    nd = no_data_label()
    colours = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(series))]
    dashes = [SERIES_DASHES[i % len(SERIES_DASHES)] for i in range(len(series))]
    return (alt.Scale(domain=[*series, nd], range=[*colours, NO_DATA_COLOUR]),
            alt.Scale(domain=[*series, nd], range=[*dashes, [1, 0]]))


def _ordered(values: pd.Series, order=None) -> list[str]:
    seen = [str(v) for v in pd.unique(values.astype(str))]
    if order is None:
        return seen
    order = [str(o) for o in order]
    return [o for o in order if o in seen] + [v for v in seen if v not in order]


def _wrap(label: str, width: int = 14) -> str:
    """``label`` on lines of about ``width`` characters, broken between words or after a
    hyphen — never inside a word ("discrimina / tions")."""
    return "\n".join(textwrap.wrap(str(label), width, break_long_words=False)) or str(label)


def number_locale() -> dict:
    """The interface language's number symbols as Vega's ``config.locale`` (d3-format): the
    decimal mark and thousands separator of :mod:`ui.fmt`, so an axis tick or a tooltip in a
    French page reads "38,8" like the text around it."""
    from babel import numbers

    from ui.i18n import locale

    loc = locale()
    return {"number": {"decimal": numbers.get_decimal_symbol(loc),
                       "thousands": numbers.get_group_symbol(loc), "grouping": [3],
                       "currency": ["", ""], "minus": numbers.get_minus_sign_symbol(loc),
                       "percent": fmt.percent(0.5, 0).replace("50", "")}}


def _configure(chart, legend: dict | None = None):
    """The dashboard's fonts, legend and view settings on ``chart``, set in place as one
    ``Config`` (each ``configure_*`` call deep-copies the whole chart: most of a chart's
    build time). ``legend`` replaces the legend settings, as a later
    ``configure_legend(...)`` would."""
    legend = legend or dict(labelFontSize=LABEL_SIZE, titleFontSize=FONT_SIZE,
                            orient="bottom", direction="horizontal", columns=4,
                            symbolStrokeWidth=3, labelLimit=260)
    chart.config = alt.Config(
        locale=number_locale(),  # axes and tooltips write numbers as the cards do
        axis=alt.AxisConfig(labelFontSize=LABEL_SIZE, titleFontSize=FONT_SIZE, labelLimit=260),
        legend=alt.LegendConfig(**legend),
        title=alt.TitleConfig(fontSize=FONT_SIZE + 2, anchor="start"),
        view=alt.ViewConfig(stroke=None))
    return chart


# ------------------------------------------------------------------------------- radar

def radar_points(frame: pd.DataFrame, axis: str, value: str = "score", series: str = "series",
                 *, axis_order=None, series_order=None, domain=(0, 100)) -> pd.DataFrame:
    """x/y of every radar vertex (Vega-Lite has no polar lines, so they are computed here).

    Axis k of K sits at angle 2πk/K clockwise from the top; radius = value scaled to
    ``domain``. Each series' shape is closed by repeating its first point (``order`` = K).
    A missing value breaks the line: ``segment`` increases after each gap, so lines never
    pass through a point that does not exist. Output columns: axis, series, value, x, y,
    order, segment, missing.
    """
    axes = _ordered(frame[axis], axis_order)
    names = _ordered(frame[series], series_order)
    k = len(axes)
    lo, hi = domain
    full = pd.MultiIndex.from_product([names, axes], names=["series", "axis"]).to_frame(index=False)
    src = frame.assign(series=frame[series].astype(str), axis=frame[axis].astype(str))
    src = src[["series", "axis", value]].rename(columns={value: "value"})
    df = full.merge(src, on=["series", "axis"], how="left")
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype(float)
    df["order"] = df["axis"].map({a: i for i, a in enumerate(axes)}).astype(int)
    df = df.sort_values(["series", "order"])
    first = df[df["order"] == 0].assign(order=k)
    df = pd.concat([df, first], ignore_index=True).sort_values(["series", "order"])
    df["missing"] = ~np.isfinite(df["value"].to_numpy())
    # a new segment starts after every missing vertex, per series
    df["segment"] = df.groupby("series")["missing"].cumsum().astype(int)
    angle = 2 * np.pi * (df["order"] % max(k, 1)) / max(k, 1)
    r = (df["value"].clip(lo, hi) - lo) / (hi - lo)
    df["x"] = r * np.sin(angle)
    df["y"] = r * np.cos(angle)
    return df.reset_index(drop=True)


def radar_chart(frame: pd.DataFrame, axis: str, value: str = "score", series: str = "series",
                *, axis_order=None, series_order=None, domain=(0, 100), title: str | None = None,
                size: int = 520, label_scale: float = 1.0) -> alt.LayerChart:
    """A radar (spider) chart of ``value`` per ``axis`` for each ``series``.

    The chart takes its container's width and is ``size`` px tall; the radar stays round
    and as large as the smaller side allows once room is kept for the axis labels
    (``label_scale``: the factor its fonts will be scaled by, e.g. on a projector), so it
    fills a wide column and still fits a phone — the scales' domains follow the drawn
    width (Vega's ``width`` signal), not a fixed square.

    Inputs: long ``frame`` with one row per series × axis (e.g. columns area, score, series
    with series "Cataluña" / "Peer mean" / "Best performer"); ``axis_order`` /
    ``series_order`` fix the order (default: order of appearance); ``domain`` the value range
    (rings every fifth of it). Missing values: the series' line is broken there, and the
    axis label gets a grey "no data" marker (own legend entry) — never a point at the centre.
    Use :func:`bar_chart` with ``series`` for the same numbers as bars (always offer it).
    """
    # area / phase / system names in the interface language (the order follows them)
    frame = frame.assign(**{axis: terms(frame[axis])})
    axis_order = terms(axis_order)
    pts = radar_points(frame, axis, value, series, axis_order=axis_order,
                       series_order=series_order, domain=domain)
    names = _ordered(frame[series], series_order)
    axes = _ordered(frame[axis], axis_order)
    k = max(len(axes), 1)
    colour, dash = _series_scale(names)
    nd = no_data_label()
    lo, hi = domain
    # px per unit radius: what is left of the smaller half-side once the labels have room
    # (the widest wrapped label line beside the radar, the tallest label above and below)
    lines = [ln for a in axes for ln in _wrap(a).split("\n")] or [""]
    label_px = round((max(map(len, lines)) * 0.58 + 1) * LABEL_SIZE * label_scale)
    n_lines = max(_wrap(a).count("\n") + 1 for a in axes) if axes else 1
    line_px = round((n_lines + 1) * 1.25 * LABEL_SIZE * label_scale)
    unit = (f"max(20, min((width / 2 - {label_px}) / 1.16, (height / 2 - {line_px}) / 1.12))")
    X = alt.X("x:Q", axis=None, scale=alt.Scale(
        nice=False, zero=False, domainMin=alt.ExprRef(f"-width / 2 / {unit}"),
        domainMax=alt.ExprRef(f"width / 2 / {unit}")))
    Y = alt.Y("y:Q", axis=None, scale=alt.Scale(
        nice=False, zero=False, domainMin=alt.ExprRef(f"-height / 2 / {unit}"),
        domainMax=alt.ExprRef(f"height / 2 / {unit}")))

    # rings and spokes
    ring_rows = []
    for frac in (0.2, 0.4, 0.6, 0.8, 1.0):
        for i in range(k + 1):
            a = 2 * math.pi * (i % k) / k
            ring_rows.append({"ring": frac, "order": i, "x": frac * math.sin(a),
                              "y": frac * math.cos(a)})
    rings = pd.DataFrame(ring_rows)
    spoke_rows = []
    for i, name in enumerate(axes):
        a = 2 * math.pi * i / k
        spoke_rows += [{"axis": name, "order": 0, "x": 0.0, "y": 0.0},
                       {"axis": name, "order": 1, "x": math.sin(a), "y": math.cos(a)}]
    spokes = pd.DataFrame(spoke_rows)
    # ring labels sit half-way between the first two spokes, clear of the axis labels
    half = math.pi / k
    ring_labels = pd.DataFrame({"x": [f * math.sin(half) for f in (0.2, 0.4, 0.6, 0.8, 1.0)],
                                "y": [f * math.cos(half) for f in (0.2, 0.4, 0.6, 0.8, 1.0)],
                                "text": [f"{lo + f * (hi - lo):g}" for f in (0.2, 0.4, 0.6, 0.8, 1.0)]})
    miss_axes = set(pts.loc[pts["missing"], "axis"])
    label_rows = []
    for i, name in enumerate(axes):
        a = 2 * math.pi * i / k
        sx = math.sin(a)
        label_rows.append({
            "axis": name, "text": _wrap(name) + (f"\n({nd})" if name in miss_axes else ""),
            "x": 1.16 * sx, "y": 1.12 * math.cos(a),
            "align": "center" if abs(sx) < 0.2 else ("left" if sx > 0 else "right"),
            "missing": name in miss_axes})
    labels = pd.DataFrame(label_rows)

    base_grid = alt.Chart(rings).mark_line(color="#C8C8C8", strokeWidth=1).encode(
        X, Y, detail=alt.Detail("ring:N"), order=alt.Order("order:Q"))
    spoke_layer = alt.Chart(spokes).mark_line(color="#C8C8C8", strokeWidth=1).encode(
        X, Y, detail=alt.Detail("axis:N"), order=alt.Order("order:Q"))
    ring_text = alt.Chart(ring_labels).mark_text(align="center", dy=-7, fontSize=11,
                                                 color="#6B6B6B").encode(X, Y, text=alt.Text("text:N"))
    label_layers = []
    for align in ("left", "right", "center"):
        sub = labels[labels["align"] == align]
        if len(sub):
            label_layers.append(alt.Chart(sub).mark_text(
                align=align, baseline="middle", fontSize=LABEL_SIZE, lineBreak="\n",
                color="#222222").encode(X, Y, text=alt.Text("text:N")))
    # the tooltip shows the value rounded by the one display rule (ui.fmt.round_half_up)
    drawn = pts[~pts["missing"]].assign(value=lambda d: fmt.round_half_up(d["value"]))
    colour_enc = alt.Color("series:N", scale=colour, title=None)
    # colour, dash and shape share one field and one domain, so Vega-Lite merges them
    # into a single legend (a legend=None on one of them would drop the merged legend)
    shapes = alt.Scale(domain=[*names, nd],
                       range=[["circle", "square", "diamond", "triangle-up", "triangle-down",
                               "cross", "circle"][i % 7] for i in range(len(names))] + ["cross"])
    lines = alt.Chart(drawn).mark_line(strokeWidth=3).encode(
        X, Y, colour_enc, alt.StrokeDash("series:N", scale=dash, title=None),
        detail=alt.Detail("segment:N"), order=alt.Order("order:Q"))
    points = alt.Chart(drawn[drawn["order"] < k]).mark_point(filled=True, size=70).encode(
        X, Y, colour_enc, shape=alt.Shape("series:N", scale=shapes, title=None),
        tooltip=[alt.Tooltip("series:N", title=t("Series")),
                 alt.Tooltip("axis:N", title=column_title(axis)),
                 alt.Tooltip("value:Q", title=t("Score"), format=".1f")])
    # the "no data" legend entry, and a grey cross next to each axis with a missing value
    nd_rows = labels[labels["missing"]].assign(series=nd, x=lambda d: d["x"] * 0.93,
                                               y=lambda d: d["y"] * 0.93)
    if nd_rows.empty:  # keep the legend entry even when nothing is missing
        nd_rows = pd.DataFrame({"series": [nd], "x": [np.nan], "y": [np.nan], "axis": [""]})
    nd_layer = alt.Chart(nd_rows).mark_point(size=90, filled=True, opacity=0.9).encode(
        X, Y, colour_enc, shape=alt.Shape("series:N", scale=shapes, title=None))
    chart = alt.layer(base_grid, spoke_layer, ring_text, *label_layers, lines, points, nd_layer)
    chart = chart.properties(width="container", height=size)
    if title:
        chart = chart.properties(title=title)
    # the series one under the other: a long region name is never cut at the chart's edge
    return _configure(chart, legend=dict(labelFontSize=LABEL_SIZE, titleFontSize=FONT_SIZE,
                                         orient="bottom", direction="vertical", columns=1,
                                         symbolStrokeWidth=3, labelLimit=0))


# -------------------------------------------------------------------------------- bars

def bar_chart(frame: pd.DataFrame, category: str, value: str = "score", *,
              series: str | None = None, category_order=None, series_order=None,
              sort_by_value: bool = False, domain=(0, 100), value_title: str | None = None,
              category_title: str | None = None, highlight=None, title: str | None = None,
              height: int | None = None, width: int | None = None,
              label_values: bool = True, label_limit: int = 260) -> alt.LayerChart:
    """Horizontal bars of ``value`` per ``category`` (grouped by ``series`` if given).

    Inputs: long ``frame`` (one row per category [× series]). ``domain`` fixes the value axis
    (``None`` lets it fit the data, e.g. for changes that can be negative; a zero rule is
    drawn then). ``sort_by_value`` ranks categories by value (first series), else
    ``category_order`` / order of appearance. ``highlight``: a category (or list) drawn with a
    black outline and bold label, e.g. the region in view. Missing values: no bar, a grey
    "no data" text where the bar would start, and a "no data" legend entry (always present).
    Bars are labelled with their value (``label_values``). Height grows with the rows;
    category labels longer than ``label_limit`` pixels end in "…".
    """
    df = frame.copy()
    nd = no_data_label()
    # area / phase / system names in the interface language (orders and highlights too)
    df["_cat"] = terms(df[category]).astype(str)
    category_order, highlight = terms(category_order), terms(highlight)
    if series is None:
        df["_series"] = value_title or t("Score")
    else:
        df["_series"] = terms(df[series]).astype(str)
        series_order = terms(series_order)
    df["_value"] = pd.to_numeric(df[value], errors="coerce").astype(float)
    df["_missing"] = ~np.isfinite(df["_value"].to_numpy())
    names = _ordered(df["_series"], series_order)
    if sort_by_value:
        first = df[df["_series"] == names[0]]
        cats = first.sort_values(["_value", "_cat"], ascending=[False, True],
                                 na_position="last")["_cat"].tolist()
        cats += [c for c in _ordered(df["_cat"]) if c not in cats]
    else:
        cats = _ordered(df["_cat"], category_order)
    hl = {str(h) for h in ([highlight] if isinstance(highlight, str) else (highlight or []))}
    df["_hl"] = df["_cat"].isin(hl)
    df["_shown"] = fmt.round_half_up(df["_value"].to_numpy())  # the one display rounding
    df["_label"] = df["_shown"].map(lambda v: fmt.number(v) if np.isfinite(v) else "")
    colour, _ = _series_scale(names)
    n_rows = len(cats) * max(len(names), 1)
    # Streamlit fits the whole view (axes and legend included) into the height: add room
    h = height or (max(120, min(26 * n_rows, 1400) if len(names) > 1 else 30 * len(cats)) + 110)
    # A long "Name (CODE)" label is shortened in its name, never in its code ("Área
    # Metropolitana de L… (PT17)"); the full text is in the tooltip and the data table.
    room = max(12, label_limit // 7)
    short = (f"length(datum.label) > {room} && lastindexof(datum.label, ' (') > 0 ? "
             f"slice(datum.label, 0, max(4, {room} - 2 - length(datum.label) + "
             f"lastindexof(datum.label, ' ('))) + '…' + slice(datum.label, "
             f"lastindexof(datum.label, ' (')) : datum.label")
    y = alt.Y("_cat:N", sort=cats, title=category_title,
              axis=alt.Axis(labelLimit=label_limit, labelExpr=short,
                            labelFontWeight=alt.ExprRef(
                                f"indexof({list(hl)!r}, datum.value) >= 0 ? 'bold' : 'normal'")
                            if hl else "normal"))
    # Every layer places its marks by the same field with the same explicit domain: with two
    # fields (the bars' series, the "no data" marks' slot) Vega-Lite merged the two sorts and
    # reversed the series for regions with a missing value — the order must not depend on
    # the data (region, peer mean, best performer, always).
    df["_offset"] = df["_series"]
    offset = alt.YOffset("_offset:N", sort=names, scale=alt.Scale(domain=names)) \
        if len(names) > 1 else alt.YOffset()
    xscale = alt.Scale(domain=list(domain), nice=False) if domain else alt.Scale(zero=True)
    x = alt.X("_value:Q", scale=xscale, title=value_title or t("Score (0–100)"),
              axis=alt.Axis(tickCount=5) if domain else alt.Axis())
    colour_enc = alt.Color("_series:N", scale=colour, title=None,
                           legend=alt.Legend(symbolType="square"))
    tips = [alt.Tooltip("_cat:N", title=category_title or column_title(category)),
            alt.Tooltip("_series:N", title=t("Series")),
            alt.Tooltip("_shown:Q", title=value_title or t("Score"), format=".1f")]
    if "coverage" in df.columns:  # a share, rounded as everywhere (0.1 %)
        df["_coverage"] = fmt.round_half_up(pd.to_numeric(df["coverage"], errors="coerce")
                                            .to_numpy(float), SHARE_DECIMALS)
        tips.append(alt.Tooltip("_coverage:Q", title=t("Coverage"), format=".1%"))
    enc = {"y": y, "color": colour_enc, "tooltip": tips}
    if len(names) > 1:
        enc["yOffset"] = offset
    present = df[~df["_missing"]]
    bars = alt.Chart(present).mark_bar(height={"band": 0.85} if len(names) > 1 else
                                       {"band": 0.75}).encode(
        x=x, stroke=alt.condition("datum._hl", alt.value("#000000"), alt.value(None)),
        strokeWidth=alt.condition("datum._hl", alt.value(2), alt.value(0)), **enc)
    layers = [bars]
    if label_values:
        layers.append(alt.Chart(present).mark_text(align="left", dx=4, fontSize=12,
                                                   color="#222222").encode(
            x=x, y=y, text=alt.Text("_label:N"), **({"yOffset": offset} if len(names) > 1 else {})))
    missing = df[df["_missing"]].assign(_series=nd, _zero=domain[0] if domain else 0.0,
                                        _text=nd)
    if missing.empty:  # the legend keeps its "no data" entry even without a gap
        missing = pd.DataFrame({"_cat": [cats[0] if cats else ""], "_series": [nd],
                                "_zero": [np.nan], "_text": [""]})
        nd_offset = {}
    else:
        # place the text in the missing series' slot
        missing["_offset"] = df.loc[df["_missing"], "_series"].to_numpy()
        nd_offset = {"yOffset": offset} if len(names) > 1 else {}
    nd_x = alt.X("_zero:Q", scale=xscale)
    layers.append(alt.Chart(missing).mark_point(shape="square", size=60, filled=False,
                                                strokeDash=[2, 2]).encode(
        x=nd_x, y=alt.Y("_cat:N", sort=cats), color=colour_enc, **nd_offset))
    layers.append(alt.Chart(missing).mark_text(align="left", dx=9, fontSize=12,
                                               fontStyle="italic", color=NO_DATA_COLOUR).encode(
        x=nd_x, y=alt.Y("_cat:N", sort=cats), text=alt.Text("_text:N"), **nd_offset))
    if not domain:
        layers.append(alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#555555")
                      .encode(x=alt.X("zero:Q")))
    chart = alt.layer(*layers).properties(height=h, **({"width": width} if width else {}))
    if title:
        chart = chart.properties(title=title)
    # legend entries one under the other: none runs past the chart's right edge
    return _configure(chart, legend=dict(labelFontSize=LABEL_SIZE, titleFontSize=FONT_SIZE,
                                         orient="bottom", direction="vertical", columns=1,
                                         symbolStrokeWidth=3, labelLimit=0))


# ------------------------------------------------------------------------------ heatmap

def heatmap(frame: pd.DataFrame, x: str, y: str, value: str = "score", *, x_order=None,
            y_order=None, domain=(0, 100), coverage: str | None = "coverage",
            flag: str | None = None, flag_label: str | None = None, title: str | None = None,
            value_title: str | None = None, cell_height: int = 34,
            width: int | None = None) -> alt.LayerChart:
    """A grid of ``value`` by ``x`` × ``y`` (e.g. phases × areas), each cell labelled.

    Colour: viridis over ``domain``. Missing values: a light grey cell with a dashed outline
    and the text "no data", with its own legend entry (a separate colour scale, so it is never
    mistaken for a score). ``coverage`` (if the column exists) goes into the tooltip.
    ``flag``: a boolean column; flagged cells get a thick vermillion outline and a legend
    entry ``flag_label`` (e.g. "weakest phase" to show where the policy cycle breaks).
    """
    df = frame.copy()
    nd = no_data_label()
    df["_x"], df["_y"] = terms(df[x]).astype(str), terms(df[y]).astype(str)
    x_order, y_order = terms(x_order), terms(y_order)
    df["_value"] = pd.to_numeric(df[value], errors="coerce").astype(float)
    df["_missing"] = ~np.isfinite(df["_value"].to_numpy())
    df["_label"] = df["_value"].map(lambda v: fmt.number(v) if np.isfinite(v) else nd)
    xs, ys = _ordered(df["_x"], x_order), _ordered(df["_y"], y_order)
    # long names wrap onto lines instead of being cut ("anti-discr…"): an axis label that
    # is an array is drawn as lines
    X = alt.X("_x:N", sort=xs, title=None, axis=alt.Axis(
        orient="top", labelAngle=0, labelLimit=0, labelExpr="split(datum.label, ' ')"))
    Y = alt.Y("_y:N", sort=ys, title=None, axis=alt.Axis(labelLimit=0))
    tips = [alt.Tooltip("_y:N", title=column_title(y)),
            alt.Tooltip("_x:N", title=column_title(x)),
            alt.Tooltip("_label:N", title=value_title or t("Score"))]
    if coverage and coverage in df.columns:  # a share, rounded as everywhere (0.1 %)
        df["_coverage"] = fmt.round_half_up(pd.to_numeric(df[coverage], errors="coerce")
                                            .to_numpy(float), SHARE_DECIMALS)
        tips.append(alt.Tooltip("_coverage:Q", title=t("Coverage"), format=".1%"))
    present, missing = df[~df["_missing"]], df[df["_missing"]]
    mid = domain[0] + 0.6 * (domain[1] - domain[0])
    cells = alt.Chart(present).mark_rect(stroke="white", strokeWidth=2).encode(
        X, Y, tooltip=tips,
        color=alt.Color("_value:Q", scale=alt.Scale(scheme=SCORE_SCHEME, domain=list(domain)),
                        title=value_title or t("Score"),
                        legend=alt.Legend(orient="bottom", direction="horizontal",
                                          gradientLength=160)))
    text = alt.Chart(present).mark_text(fontSize=LABEL_SIZE, fontWeight="bold").encode(
        X, Y, text=alt.Text("_label:N"), tooltip=tips,
        color=alt.condition(f"datum._value > {mid}", alt.value("#111111"), alt.value("#FFFFFF")))
    nd_src = missing.assign(_status=nd) if len(missing) else pd.DataFrame(
        {"_x": [xs[0] if xs else ""], "_y": [ys[0] if ys else ""], "_status": [nd],
         "_label": [""], "_value": [np.nan], "_hide": [True]})
    nd_opacity = alt.value(0) if "_hide" in nd_src else alt.value(1)
    nd_cells = alt.Chart(nd_src).mark_rect(stroke=NO_DATA_COLOUR, strokeWidth=1,
                                           strokeDash=[4, 3]).encode(
        X, Y, opacity=nd_opacity,
        color=alt.Color("_status:N", scale=alt.Scale(domain=[nd], range=[NO_DATA_FILL]),
                        title=None, legend=alt.Legend(orient="bottom", symbolType="square",
                                                      symbolStrokeColor=NO_DATA_COLOUR)),
        **({"tooltip": tips} if "_hide" not in nd_src else {}))
    nd_text = alt.Chart(nd_src).mark_text(fontSize=12, fontStyle="italic",
                                          color="#555555").encode(X, Y, text=alt.Text("_label:N"))
    layers = [cells, text, nd_cells, nd_text]
    if flag and flag in df.columns:
        flagged = df[df[flag].fillna(False).astype(bool)].assign(_flag=flag_label or t("flagged"))
        if len(flagged):
            layers.append(alt.Chart(flagged).mark_rect(filled=False, strokeWidth=4).encode(
                X, Y, stroke=alt.Stroke("_flag:N", scale=alt.Scale(range=[SERIES_COLOURS[3]]),
                                        title=None, legend=alt.Legend(orient="bottom",
                                                                      symbolType="square"))))
    # the container's width (a phone and a projector alike); legends under the grid, so
    # a narrow screen gives its width to the cells
    chart = alt.layer(*layers).resolve_scale(color="independent").properties(
        height=cell_height * len(ys) + 40, width=width or "container")
    if title:
        chart = chart.properties(title=title)
    return _configure(chart, legend=dict(orient="bottom", direction="horizontal",
                                         labelFontSize=LABEL_SIZE, titleFontSize=LABEL_SIZE))


# ------------------------------------------------------------------------- in the page

def legend_html(legend: list[tuple[str, tuple]], title: str | None = None) -> str:
    """An HTML legend (coloured squares + labels) from a geo colour-scale legend.

    ``legend`` is ``[(label, (r, g, b, a)), ...]`` as returned by ``geo.region_layer``; the
    "no data" entry is drawn with a dashed outline as on the map. Labels are escaped.
    """
    import html
    parts = [f"<b>{html.escape(title)}</b>&nbsp;" if title else ""]
    for label, rgba in legend:
        r, g, b, a = (list(rgba) + [255])[:4]
        dashed = "dashed" if str(label) == "no data" or label == no_data_label() else "solid"
        parts.append(
            f"<span style='display:inline-block;margin-right:14px;white-space:nowrap'>"
            f"<span style='display:inline-block;width:16px;height:16px;vertical-align:middle;"
            f"background:rgba({r},{g},{b},{a / 255:.2f});border:1.5px {dashed} #5a5a5a;"
            f"margin-right:5px'></span>{html.escape(no_data_label() if str(label) == 'no data' else str(label))}</span>")
    return "<div style='font-size:14px;line-height:2'>" + "".join(parts) + "</div>"


def show_chart(chart, data: pd.DataFrame, name: str, *, key: str | None = None,
               caption: str | None = None, expanded: bool = False, peers: str | None = None,
               spec: dict | None = None):
    """Render ``chart`` at its container's width and, below it, its text alternative: the
    ``data`` behind it.

    The data sits in an expander "Data behind this chart" as a table (no data shown as
    "no data") with CSV/XLSX downloads of exactly that table (:func:`ui.tables.show_table`).
    ``name`` names the download files; ``key`` keeps widget keys unique on a page. ``spec``:
    the chart's :func:`vega_spec`, when a cached view model made it already; ``data`` may be
    a :class:`ui.tables.Prepared` table.
    """
    import streamlit as st

    from ui import tables

    key = key or name
    show_altair(chart, spec=spec, width="stretch", key=f"chart-{key}")
    if caption:
        st.caption(caption)
    export_buttons(chart, name, key=key, peers=peers)
    with st.expander(t("Data behind this chart"), expanded=expanded):
        tables.show_table(data, name, key=f"data-{key}")


def vega_spec(chart) -> dict:
    """What ``st.altair_chart`` sends for ``chart`` (Vega-Lite, data as Arrow).

    Converting an Altair chart is most of a chart's cost on a rerun, so the pages' cached
    view models (:mod:`ui.profile`) make it once with the chart and hand it to
    :func:`show_chart` / :func:`show_altair` (``spec=``). None where the compat patch is off
    (:func:`ui.compat.vega_spec`): :func:`show_altair` then uses ``st.altair_chart``.
    """
    return compat.vega_spec(chart)


def show_altair(chart, spec: dict | None = None, **kwargs):
    """``st.altair_chart(chart, **kwargs)`` from its :func:`vega_spec` (``spec``: made already,
    by a cached view model)."""
    import streamlit as st

    spec = spec if spec is not None else vega_spec(chart)
    return st.altair_chart(chart, **kwargs) if spec is None else st.vega_lite_chart(spec, **kwargs)


def export_buttons(chart, name: str, *, key: str | None = None, tables_used=("scores",),
                   peers: str | None = None):
    """PNG and SVG downloads of ``chart``, rendered offline (vl-convert) with what it shows
    (edition, target group, peer group — ``peers`` in words, when the chart has one — and
    the area weights: :func:`ui.components.view_words`), the source, the data version and —
    when it applies — "illustrative data" printed under it.

    The files are made only when a button is clicked (a deferred download), so a page with
    many charts does not render them all on every rerun.
    """
    import streamlit as st

    from ui import components, export, state

    version = state.version()
    footer = export.footer_text(version, illustrative=any(state.is_illustrative(tb)
                                                          for tb in tables_used),
                                extra=components.view_words(peers), framework=state.framework())
    slug = components._slug(name)
    key = key or slug
    row = st.container(horizontal=True, gap="small")
    row.download_button(t("Chart as PNG"), lambda: export.chart_png(chart, footer),
                        f"{slug}-{version}.png", "image/png", key=f"dl-png-{key}",
                        on_click="ignore", icon=":material/image:", width="content")
    row.download_button(t("Chart as SVG"), lambda: export.chart_svg(chart, footer),
                        f"{slug}-{version}.svg", "image/svg+xml", key=f"dl-svg-{key}",
                        on_click="ignore", icon=":material/polyline:", width="content")


#: The map's first view is fitted to this width (a phone's column, 390 px screen): on a
#: phone every region is in view, on a wide column there is a little more of Europe around.
MAP_FIT_WIDTH = 340
#: The height of a regions map (px).
MAP_HEIGHT = 520
#: Colour-blind-safe sequential palette of the score maps (ColorBrewer YlGnBu: light = low,
#: dark blue = high; readable labels on every class, and no class is the "no data" grey).
MAP_PALETTE = "YlGnBu"


def map_details(matched: pd.DataFrame, value_col: str, value_label: str) -> pd.Series:
    """The hover text of each region: its score, rank with band, and coverage, one per line
    (the name and code are the tooltip's title and subtitle)."""
    def col(name):
        return matched[name] if name in matched.columns else pd.Series(np.nan, index=matched.index)

    rows = zip(col(value_col), col("rank"), col("rank_low"), col("rank_high"), col("coverage"))
    return pd.Series([f"{value_label}: {fmt.number(v)}\n"
                      + t("Rank: {rank}", rank=fmt.rank_band(r, lo, hi)) + "\n"
                      + t("Coverage: {share}", share=fmt.percent(c))
                      for v, r, lo, hi, c in rows], index=matched.index, dtype="object")


def region_deck(matched, value_col: str, value_label: str, height: int, width_px: int,
                countries=None, selected: str | None = None):
    """The deck of :func:`show_map` and its legend, built once per map. The deck's JSON is
    made here too (Streamlit asks for it on every rerun); the deck is not changed after.

    Bottom to top: country outlines, regions by score (no data: grey, dashed outline), the
    selected region's outline, the labels that fit without overlapping at the first view.
    """
    import geo

    deck, legend = geo.choropleth_deck(matched, value_col, value_label=value_label, palette=MAP_PALETTE,
                                       detail=map_details(matched, value_col, value_label), countries=countries,
                                       selected=selected, height=height, width_px=width_px)
    compat.freeze_deck_json(deck)
    return deck, legend


def picked_region(selection) -> str | None:
    """The region_id clicked on a map (its polygon or its point), from a pydeck selection."""
    import geo

    objects = ((selection or {}).get("selection") or {}).get("objects") or {}
    for layer in (geo.REGIONS, geo.REGION_POINTS):
        for obj in objects.get(layer) or []:
            rid = (obj.get("properties") or obj).get("region_id") if isinstance(obj, dict) else None
            if rid:
                return str(rid)
    return None


def show_map(matched, value_col: str = "score", *, value_label: str = N_("score"),
             legend_title: str | None = None, height: int = MAP_HEIGHT, width_px: int = MAP_FIT_WIDTH,
             countries=None, key: str = "map", selected: str | None = None,
             open_page: str | None = None, query: dict | None = None, built=None):
    """Render a regions map coloured by ``value_col`` (offline, no basemap) with its legend.

    ``matched`` comes from ``geo.match_regions`` (polygons where boundaries are loaded, else
    points) with a numeric ``value_col`` (and ``rank``, ``rank_low``, ``rank_high``,
    ``coverage`` for the hover text). Colours: :data:`MAP_PALETTE` in fixed 0–100 bins; "no
    data" is light grey with a dashed outline and its own legend entry. ``selected`` is
    outlined and always labelled. With ``open_page``, clicking a region opens that page
    with ``region`` (and ``query``) in the URL. Returns the deck (for tests).
    ``countries`` (NUTS-0 polygons) are drawn underneath as a light base map. ``built``:
    the :func:`region_deck` of these arguments, when a cached view model made it already.
    """
    import streamlit as st

    deck, legend = built if built is not None else region_deck(
        matched, value_col, t(value_label), height, width_px, countries, selected)
    pick_key = f"_{key}_picked"

    def remember_pick():
        st.session_state[pick_key] = picked_region(st.session_state.get(key))

    if open_page:
        st.pydeck_chart(deck, height=height, key=key, on_select=remember_pick, selection_mode="single-object")
        picked = st.session_state.pop(pick_key, None)
        if picked:
            st.switch_page(open_page, query_params={**(query or {}), "region": picked})
    else:
        st.pydeck_chart(deck, height=height, key=key)
    st.markdown(legend_html(legend, legend_title), unsafe_allow_html=True)
    far = outside_note(matched)
    if far:
        st.caption(far)
    return deck


def outside_note(matched) -> str:
    """Which regions lie outside the map's first view (outermost regions), in one line."""
    import geo

    far = geo.outside(matched)
    if far.empty:
        return ""
    names = ", ".join(f"{n} ({r})" for r, n in zip(far["region_id"], far["name"]))
    return t("Zoom out to see {regions}, outside the first view.", regions=names)
