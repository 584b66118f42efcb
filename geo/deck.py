"""Assemble layers into a ``pydeck.Deck``, pick the view, measure the payload."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

#: Default view when there is no data: continental Europe (west, south, east, north).
EUROPE = (-12.0, 34.0, 35.0, 71.0)
_BODY = "<b>{title%s}</b><br/>{subtitle%s}<br/>{detail%s}"
#: Narrow, wrapping and on several lines (fields may hold line breaks), so a tooltip stays
#: readable near the map's edge on a phone.
_STYLE = {"backgroundColor": "#ffffff", "color": "#222222", "fontSize": "13px",
          "border": "1px solid #999999", "maxWidth": "240px", "whiteSpace": "pre-line",
          "overflowWrap": "anywhere"}
#: Tooltip templates. Every field inserted is plain text turned safe for the renderer:
#: ``"escaped"`` inserts the ``*_html`` fields escaped by ``html.escape`` in Python, for
#: renderers that insert values verbatim (pydeck ``to_html``, Jupyter). ``"streamlit"``
#: inserts the raw fields, because Streamlit's ``st.pydeck_chart`` (checked in 1.67's
#: frontend) HTML-escapes every value it puts into an ``html`` tooltip itself — pre-escaped
#: fields would show ``&amp;`` and ``&#x27;`` there. ``"text"`` is a plain-text tooltip
#: (``innerText``), safe in every renderer, without bold.
TOOLTIPS = {
    "escaped": {"html": _BODY % ("_html", "_html", "_html"), "style": _STYLE},
    "streamlit": {"html": _BODY % ("", "", ""), "style": _STYLE},
    "text": {"text": "{title}\n{subtitle}\n{detail}", "style": _STYLE},
}


#: Mainland Europe with its islands near the coast: the first view of a map fits the regions
#: inside it; outermost regions (Açores, Madeira, Canarias, the French overseas regions) are
#: drawn and reached by zooming out, as in Eurostat's maps, instead of making the map an ocean.
MAINLAND = (-11.0, 34.0, 35.0, 72.0)


def outside(frame: pd.DataFrame, box=MAINLAND) -> pd.DataFrame:
    """Rows of ``frame`` whose ``lon``/``lat`` lie outside ``box`` (west, south, east, north)."""
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    w, s, e, n = box
    return frame[lon.notna() & lat.notna() & ~((lon >= w) & (lon <= e) & (lat >= s) & (lat <= n))]


def extent(*frames: pd.DataFrame, trim: float = 0.02, within=None) -> tuple[float, float, float, float] | None:
    """``(west, south, east, north)`` of the ``lon``/``lat`` of the frames given.

    The outer ``trim`` share of points on each side is left out, so a few far-away places
    (Réunion, French Guiana) do not zoom the map out to the whole world. ``None`` if
    there is no point. With ``within`` (a box such as :data:`MAINLAND`) only the points
    inside it count, when there are any.
    """
    lon = np.concatenate([pd.to_numeric(f["lon"], errors="coerce").to_numpy(float) for f in frames
                          if f is not None and "lon" in f.columns] or [np.array([])])
    lat = np.concatenate([pd.to_numeric(f["lat"], errors="coerce").to_numpy(float) for f in frames
                          if f is not None and "lat" in f.columns] or [np.array([])])
    ok = np.isfinite(lon) & np.isfinite(lat)
    if within is not None:  # only the points inside ``within``, if there are any
        w, s, e, n = within
        inside = ok & (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)
        ok = inside if inside.any() else ok
    if not ok.any():
        return None
    lon, lat = lon[ok], lat[ok]
    q = (trim, 1 - trim) if len(lon) >= 20 else (0, 1)
    (w, e), (s, n) = np.quantile(lon, q), np.quantile(lat, q)
    return float(w), float(s), float(e), float(n)


def _merc_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def view_for(bounds=None, width_px: int = 800, height_px: int = 600, pad: float = 0.1) -> pdk.ViewState:
    """A ViewState that fits ``bounds`` (west, south, east, north) in a map of that size.

    ``None`` gives Europe. A single place gets a regional zoom, not street level.
    """
    w, s, e, n = bounds or EUROPE
    dx, dy = max(e - w, 2.0) * (1 + pad), max(_merc_y(n) - _merc_y(s), 0.04) * (1 + pad)
    zoom_x = math.log2(width_px * 360 / (512 * dx))
    zoom_y = math.log2(height_px * 2 * math.pi / (512 * dy))
    lat_c = math.degrees(2 * math.atan(math.exp((_merc_y(n) + _merc_y(s)) / 2)) - math.pi / 2)
    zoom = float(np.clip(min(zoom_x, zoom_y), 1, 9))
    return pdk.ViewState(latitude=round(lat_c, 4), longitude=round((w + e) / 2, 4), zoom=round(zoom, 2))


def _flatten(layers) -> list[pdk.Layer]:
    out: list[pdk.Layer] = []
    for layer in layers or []:
        if layer is None:
            continue
        out += _flatten(layer) if isinstance(layer, (list, tuple)) else [layer]
    return out


def _point_extent(layers: list[pdk.Layer]):
    frames = [pd.DataFrame(layer.data, columns=["lon", "lat"]) for layer in layers
              if layer.type == "ScatterplotLayer" and isinstance(layer.data, list) and layer.data]
    return extent(*frames) if frames else None


class CompactDeck(pdk.Deck):
    """A ``pydeck.Deck`` whose ``to_json`` is compact JSON.

    pydeck indents its JSON by 2 spaces, which makes a GeoJSON map ~5x bigger (every
    coordinate on its own indented line); ``st.pydeck_chart`` sends ``to_json()`` as is.
    """

    def to_json(self) -> str:
        return _compact(self)


def _compact(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=default_serialize, separators=(",", ":"),
                      ensure_ascii=False)


def _plain_units(layer):
    """pydeck turns every string argument into a deck.gl expression (``radius_units="pixels"``
    becomes ``"@@=pixels"``, an accessor, not a unit), and deck.gl then falls back to
    "common" units: circles ~10x too big and outlines ~10x too thick at Europe's zoom.
    Units are set back to plain strings here, for every layer."""
    for attr in ("radius_units", "line_width_units"):
        value = getattr(layer, attr, None)
        if isinstance(value, str) and value.startswith("@@="):
            setattr(layer, attr, value[3:])
    return layer


def build_deck(layers, *, bounds=None, map_style: str | None = None, map_provider: str | None = None,
               tooltip: str | dict = "streamlit", height: int = 600, width_px: int = 800) -> pdk.Deck:
    """A ``pydeck.Deck`` of ``layers`` (nested lists allowed; ``None`` skipped), bottom first.

    Offline by default: ``map_provider=None`` and no ``map_style`` argument at all (passing
    ``map_style=None`` too makes Streamlit add a Carto basemap the browser would fetch).
    With ``map_style`` (e.g. ``"light"`` or a style URL) the basemap comes from
    ``map_provider`` (default ``"carto"``). Returns a :class:`CompactDeck` (compact JSON;
    ~5x smaller than pydeck's indented JSON for boundaries). The view fits ``bounds`` if given, else the
    points of the Scatterplot layers, else Europe. ``tooltip`` names a template of
    :data:`TOOLTIPS` or is a pydeck tooltip dict.
    """
    layers = [_plain_units(layer) for layer in _flatten(layers)]
    view = view_for(bounds or _point_extent(layers), width_px=width_px, height_px=height)
    tip = TOOLTIPS[tooltip] if isinstance(tooltip, str) else tooltip
    kwargs = {}
    if map_style:
        kwargs = {"map_style": map_style, "map_provider": map_provider or "carto"}
    else:
        kwargs = {"map_provider": None}
    return CompactDeck(layers=layers, initial_view_state=view, tooltip=tip, height=height, **kwargs)


def payload_bytes(obj) -> int:
    """Bytes of JSON sent to the browser for a Deck, a Layer, or a layer's data.

    For a Deck this is ``len(deck.to_json())`` in UTF-8, which is what
    ``st.pydeck_chart`` sends; for a Layer or plain data (FeatureCollection dict, list of
    records), its compact JSON (as inside a :class:`CompactDeck`).
    """
    if isinstance(obj, pdk.Deck):
        return len(obj.to_json().encode("utf-8"))
    return len(_compact(obj).encode("utf-8"))


def choropleth_deck(matched, value_col: str = "score", *, value_label: str = "score", palette: str = "YlGnBu",
                    detail=None, countries=None, selected: str | None = None, height: int = 520,
                    width_px: int = 340):
    """A statistical map of ``matched`` (:func:`geo.match_regions` output with ``value_col``):
    ``(deck, legend)``.

    Bottom to top: ``countries`` outlines (NUTS 0, optional), regions in binned classes of
    ``palette`` (no data: grey, dashed outline), the ``selected`` region outlined, and the
    region codes that fit without overlapping at the first view (:mod:`geo.labels`). The
    first view fits the mainland regions in ``width_px`` × ``height``.
    """
    from geo.labels import label_layer, place_labels
    from geo.layers import country_layer, region_layer, selected_layer

    layers, legend = region_layer(matched, value_col, value_label=value_label, radius_px=9, palette=palette,
                                  detail=detail)
    base = [country_layer(countries)] if countries is not None and len(countries) else []
    bounds = extent(matched, trim=0, within=MAINLAND)
    view = view_for(bounds, width_px=width_px, height_px=height)
    labels = place_labels(matched, view, selected=selected, width_px=width_px, height_px=height)
    deck = build_deck([*base, *layers, selected_layer(matched, selected), label_layer(labels)],
                      bounds=bounds, height=height, width_px=width_px)
    return deck, legend
