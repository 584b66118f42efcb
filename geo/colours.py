"""Colour scales for maps: sequential (scores) and categorical (areas), vectorised.

Every function returns RGBA as a ``(n, 4)`` uint8 array plus a legend, a list of
``(label, (r, g, b, a))`` in display order, so a page can draw the legend from the same
numbers the map uses. "No data" has its own colour, which is never one of a scale's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from data.schema import LIST_SEP

RGBA = tuple[int, int, int, int]

#: Sequential, colour-blind-safe palettes (5 classes each; resampled for other counts).
SEQUENTIAL = {
    "viridis": ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"],
    "YlGnBu": ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    "Blues": ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
}
#: Okabe & Ito (2008) colour-blind-safe qualitative palette, black left out (it reads as
#: "no data" or an outline on a map); further categories go to "other".
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]
#: Tableau 10 (Tableau's default, designed to stay distinguishable for common CVD types).
TABLEAU10 = ["#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F",
             "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"]
CATEGORICAL = {"okabe_ito": OKABE_ITO, "tableau10": TABLEAU10}

#: Fixed 0–100 bins: [0, 20), [20, 40), … [80, 100] (the last bin is closed).
FIXED_BINS = (0, 20, 40, 60, 80, 100)
NO_DATA_LABEL = "no data"
#: Light grey, translucent: reads as "nothing here", not as a low score.
NO_DATA_RGBA: RGBA = (200, 200, 200, 110)
#: Darker grey outline drawn dashed around no-data regions.
NO_DATA_LINE_RGBA: RGBA = (90, 90, 90, 255)
OTHER_LABEL = "other"
OTHER_RGBA: RGBA = (150, 150, 150, 220)


def hex_to_rgba(colour: str, alpha: int = 255) -> RGBA:
    """``"#21918c"`` → ``(33, 145, 140, alpha)``."""
    h = colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), int(alpha)


def resample(palette: Sequence[str], n: int, alpha: int = 255) -> np.ndarray:
    """``n`` colours interpolated evenly along ``palette`` (RGB), as an ``(n, 4)`` uint8 array."""
    base = np.array([hex_to_rgba(c, alpha) for c in palette], dtype=float)
    if n == len(base):
        return base.astype(np.uint8)
    pos = np.linspace(0, len(base) - 1, n)
    out = np.column_stack([np.interp(pos, np.arange(len(base)), base[:, i]) for i in range(4)])
    return np.round(out).astype(np.uint8)


def bin_edges(values, bins="fixed", classes: int = 5) -> np.ndarray:
    """Bin edges for ``values``: ``"fixed"`` (0–100 by 20), ``"quantile"`` or explicit edges.

    Quantile edges are computed on the finite values only and de-duplicated; with fewer
    than two distinct values they fall back to the fixed 0–100 bins.
    """
    if isinstance(bins, str):
        if bins == "fixed":
            return np.asarray(FIXED_BINS, dtype=float)
        if bins != "quantile":
            raise ValueError(f"bins must be 'fixed', 'quantile' or a list of edges, not {bins!r}")
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        edges = np.unique(np.quantile(v, np.linspace(0, 1, classes + 1))) if len(v) else np.array([])
        return edges if len(edges) >= 2 else np.asarray(FIXED_BINS, dtype=float)
    edges = np.asarray(bins, dtype=float)
    if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError(f"bin edges must be at least two increasing numbers, not {list(bins)}")
    return edges


def _fmt(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def bin_labels(edges: np.ndarray) -> list[str]:
    """``[0, 20, 40]`` → ``["0–20", "20–40"]`` (a value on an inner edge belongs to the upper bin)."""
    return [f"{_fmt(lo)}–{_fmt(hi)}" for lo, hi in zip(edges[:-1], edges[1:])]


def bin_index(values, edges: np.ndarray) -> np.ndarray:
    """Class of each value: bins are ``[lo, hi)`` except the last, ``[lo, hi]``.

    Values below the first edge go to the first class and above the last to the last (a
    score of 100.4 after rounding is still "80–100"); NaN/inf give ``-1``.
    """
    v = np.asarray(values, dtype=float)
    idx = np.searchsorted(edges[1:-1], v, side="right")
    return np.where(np.isfinite(v), idx, -1)


def colour_scale(values, bins="fixed", palette: str | Sequence[str] = "viridis", classes: int = 5,
                 alpha: int = 230, no_data: RGBA = NO_DATA_RGBA) -> tuple[np.ndarray, list[tuple[str, RGBA]]]:
    """RGBA per value from a binned sequential scale, and the legend.

    ``bins``: ``"fixed"`` (0–20 … 80–100), ``"quantile"`` (``classes`` classes) or edges.
    NaN (and ±inf) get ``no_data``, listed last in the legend as ``"no data"``; ``no_data``
    must not be a colour of the scale (checked). Returns ``(rgba (n, 4) uint8, legend)``.
    """
    edges = bin_edges(values, bins, classes)
    colours = resample(SEQUENTIAL.get(palette, palette) if isinstance(palette, str) else palette,
                       len(edges) - 1, alpha)
    no_data_arr = np.asarray(no_data, dtype=np.uint8)
    if (colours == no_data_arr).all(axis=1).any():
        raise ValueError("the no-data colour must differ from every colour of the scale")
    idx = bin_index(values, edges)
    table = np.vstack([colours, no_data_arr])  # index -1 → the no-data row
    rgba = table[idx]
    legend = [(label, tuple(int(c) for c in col)) for label, col in zip(bin_labels(edges), colours)]
    legend.append((NO_DATA_LABEL, tuple(int(c) for c in no_data)))
    return rgba, legend


def first_item(lists) -> pd.Series:
    """First item of each ``;``-separated list (``"housing;language"`` → ``"housing"``), vectorised.

    Empty or missing lists give ``"other"``.
    """
    s = pd.Series(lists, dtype="object").reset_index(drop=True)
    first = s.fillna("").astype(str).str.split(LIST_SEP, n=1).str[0].str.strip()
    return first.mask(first.eq(""), OTHER_LABEL)


def category_colours(categories, order: Sequence[str] | None = None,
                     palette: str | Sequence[str] = "okabe_ito",
                     alpha: int = 230) -> tuple[np.ndarray, list[tuple[str, RGBA]]]:
    """RGBA per category from a colour-blind-safe qualitative palette, and the legend.

    Colours follow ``order`` (e.g. the known areas, so a colour means the same area on
    every page); without it, the most frequent categories come first. Categories beyond
    the palette's length, not in ``order``, or missing share the grey "other".
    """
    cats = pd.Series(categories, dtype="object").fillna(OTHER_LABEL).astype(str).reset_index(drop=True)
    if order is None:
        counts = cats[cats != OTHER_LABEL].value_counts()
        order = sorted(counts.index, key=lambda c: (-counts[c], c))
    base = CATEGORICAL.get(palette, palette) if isinstance(palette, str) else palette
    named = [c for c in dict.fromkeys(order) if c != OTHER_LABEL][: len(base)]
    table = np.array([hex_to_rgba(c, alpha) for c in base[: len(named)]] + [OTHER_RGBA], dtype=np.uint8)
    codes = pd.Index(named).get_indexer(cats)  # -1 = not a named category
    rgba = table[codes]
    present = set(cats)
    legend = [(c, tuple(int(x) for x in table[i])) for i, c in enumerate(named) if c in present]
    if (codes == -1).any():
        legend.append((OTHER_LABEL, OTHER_RGBA))
    return rgba, legend
