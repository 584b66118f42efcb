"""Charts as files: PNG and SVG, offline, with the data version and source printed on them.

Pure (no Streamlit): an Altair chart (or its Vega-Lite dict) in, bytes / text out, through
``vl-convert-python`` (Vega's own renderer compiled into the wheel — no browser, no
network). Every export carries a footer — source, data version, and "illustrative data"
when it applies — added to the spec *before* conversion, so a chart pasted into a handout
still says where its numbers come from.

The footer is a second view under the chart (a ``vconcat``): the chart's builders in
:mod:`ui.charts` return *configured* charts, which Altair refuses to concatenate, so the
concatenation is done on the Vega-Lite dict (config and named datasets stay at the top).

Typical use::

    from ui import export
    text = export.footer_text(version="v-3f2a", illustrative=True)
    png = export.chart_png(chart, text)        # bytes
    svg = export.chart_svg(chart, text)        # str
"""

from __future__ import annotations

import copy
from typing import Any

from ui.i18n import t

#: Width given to a chart that has none (Streamlit stretches it on screen; a file needs one).
DEFAULT_WIDTH = 640
FOOTER_FONT_SIZE = 11
FOOTER_COLOUR = "#444444"
#: Keys that stay at the top of a concatenated spec.
_TOP_KEYS = ("$schema", "config", "datasets", "background", "padding", "autosize", "usermeta")
#: Font-size keys scaled by :func:`scale_fonts` (marks, axes, legends, titles).
_FONT_KEYS = ("fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize", "size")


def source_text(framework: str | None = None) -> str:
    """Whose figures these are: MIPEX's own (the national index) or MIPEX-R's."""
    if framework == "MIPEX":
        return t("Source: MIPEX (Migration Policy Group and CIDOB)")
    return t("Source: MIPEX-R (REGIN project)")


def footer_text(version: str, source: str | None = None, illustrative: bool = False,
                extra: str | None = None, framework: str | None = None) -> str:
    """The line printed under every exported chart (translated; no markup); ``framework``:
    the index in view, for the source."""
    parts = [source or source_text(framework), t("data version {v}", v=version)]
    if illustrative:
        parts.append(t("illustrative data, not MIPEX-R results"))
    if extra:
        parts.append(extra)
    return " · ".join(parts)


def view_text(edition=None, group=None, peers: str | None = None,
              weights: str | None = None) -> str:
    """What a chart or table shows, in one line for its file: "Edition 2024 · TCN · peers:
    all 24 other regions · default weights" (``weights``: the custom area weights as text,
    e.g. "health × 2"; none means the default weights). Parts not given are left out,
    except the weights, which are always stated."""
    parts = []
    if edition is not None:
        parts.append(t("Edition {e}", e=edition))
    if group:
        parts.append(str(group))
    if peers:
        parts.append(t("peers: {p}", p=peers))
    parts.append(t("custom weights: {w}", w=weights) if weights else t("default weights"))
    return " · ".join(parts)


def to_spec(chart) -> dict:
    """A Vega-Lite dict from an Altair chart (or a copy of a dict)."""
    if isinstance(chart, dict):
        return copy.deepcopy(chart)
    return chart.to_dict()


def _width(spec: dict) -> int:
    w = spec.get("width")
    if isinstance(w, (int, float)):
        return int(w)
    for sub in spec.get("layer", []) or []:
        if isinstance(sub.get("width"), (int, float)):
            return int(sub["width"])
    return DEFAULT_WIDTH


def with_footer(chart, text: str) -> dict:
    """The chart's Vega-Lite spec with ``text`` as a caption view underneath.

    A chart without a numeric width gets :data:`DEFAULT_WIDTH` (``"container"`` has no
    meaning in a file). Long footers wrap at about the chart's width.
    """
    spec = sized(chart)
    top = {k: spec.pop(k) for k in _TOP_KEYS if k in spec}
    width = _width(spec)
    lines = _wrap(text, max(40, width // 6))
    footer = {
        "data": {"values": [{"line": ln, "i": i} for i, ln in enumerate(lines)]},
        "mark": {"type": "text", "align": "left", "baseline": "top",
                 "fontSize": FOOTER_FONT_SIZE, "color": FOOTER_COLOUR},
        "encoding": {"text": {"field": "line", "type": "nominal"},
                     "x": {"value": 0},
                     "y": {"field": "i", "type": "ordinal", "axis": None}},
        "width": width, "height": (FOOTER_FONT_SIZE + 5) * len(lines),
        "view": {"stroke": None},
    }
    out = {**{k: v for k, v in top.items() if k in ("$schema",)},
           "vconcat": [spec, footer], "spacing": 12,
           **{k: v for k, v in top.items() if k != "$schema"}}
    out.setdefault("background", "white")
    return out


def sized(chart) -> dict:
    """The chart's spec with a size a file can have: a chart that takes its container's
    width gets :data:`DEFAULT_WIDTH`, and scale domains written as expressions of the view's
    size (the radar, which stays round at any width: :func:`ui.charts.radar_chart`) become
    numbers for that size — inside the footer's concatenation the size has other names."""
    spec = to_spec(chart)
    if ("layer" in spec or "mark" in spec) and not isinstance(spec.get("width"), (int, float)):
        spec["width"] = DEFAULT_WIDTH
    size = {"width": spec.get("width"), "height": spec.get("height")}
    if all(isinstance(v, (int, float)) for v in size.values()):
        _numeric_domains(spec, size)
    return spec


def _numeric_domains(node, size: dict):
    if isinstance(node, dict):
        for k in ("domainMin", "domainMax"):
            v = node.get(k)
            if isinstance(v, dict) and isinstance(v.get("expr"), str):
                node[k] = round(_arithmetic(v["expr"], size), 6)
        for k, v in node.items():
            if k not in ("data", "datasets"):
                _numeric_domains(v, size)
    elif isinstance(node, list):
        for v in node:
            _numeric_domains(v, size)


def _arithmetic(expr: str, names: dict) -> float:
    """The value of a size expression written by ui.charts (numbers, the names in
    ``names``, + - * /, min and max) — anything else is refused."""
    import ast
    import operator

    ops = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv}

    def ev(n):
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)):
            return n.value
        if isinstance(n, ast.Name) and n.id in names:
            return names[n.id]
        if isinstance(n, ast.BinOp) and type(n.op) in ops:
            return ops[type(n.op)](ev(n.left), ev(n.right))
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            return -ev(n.operand)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and \
                n.func.id in ("min", "max") and not n.keywords:
            return {"min": min, "max": max}[n.func.id](*(ev(a) for a in n.args))
        raise ValueError(f"not a size expression: {expr!r}")

    return float(ev(ast.parse(expr, mode="eval").body))


def _wrap(text: str, width: int) -> list[str]:
    import textwrap
    return textwrap.wrap(text, width) or [""]


def scale_fonts(chart, factor: float) -> dict:
    """The chart's spec with every font size (marks, axes, legends, titles) × ``factor`` —
    for a projector. Point-mark ``size`` (an area) is scaled by ``factor`` too, so points
    keep up with their labels. Data values are never touched."""
    spec = to_spec(chart)

    def walk(node: Any):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("data", "datasets", "values"):
                    continue  # never touch the numbers
                if k in _FONT_KEYS and isinstance(v, (int, float)) and not isinstance(v, bool):
                    node[k] = round(v * factor, 1)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return spec


def chart_png(chart, footer: str | None = None, scale: float = 2.0) -> bytes:
    """PNG bytes of ``chart`` (``scale`` 2 = sharp on paper and on a projector)."""
    import vl_convert as vlc

    spec = with_footer(chart, footer) if footer else sized(chart)
    return vlc.vegalite_to_png(spec, scale=scale)


def chart_svg(chart, footer: str | None = None) -> str:
    """SVG text of ``chart`` (text as text: searchable, scalable, small)."""
    import vl_convert as vlc

    spec = with_footer(chart, footer) if footer else sized(chart)
    return vlc.vegalite_to_svg(spec)
