"""Region labels that fit and never overlap, placed in screen pixels for the map's first view.

A label is the region code written at a point inside the region (its representative
point). It is kept only where its box fits inside the region's box on screen (a polygon),
or beside a point, and where it overlaps no label kept before it; the selected region's
label is kept first, whatever its size, then regions by size on screen. Zooming in only
moves labels apart; the deck's collision filter hides labels that would meet when zooming
out (:func:`label_layer`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pydeck as pdk

LABELS = "region-labels"
FONT_PX = 12
#: Average advance of a character of the map font, as a share of its size (codes: capitals
#: and digits), and the margin kept around each label box, in pixels.
CHAR_WIDTH, MARGIN = 0.62, 2.0
#: Pixels between a point and the bottom of its label.
POINT_OFFSET = 12
#: A label may be this much wider than its region on screen: codes are short, and a label a
#: little over a border still reads as that region (its centre is inside it).
FIT_SLACK = 1.4
TILE = 512  # deck.gl's Web Mercator: the world is 512 px wide at zoom 0


def project(lon, lat, view) -> tuple[np.ndarray, np.ndarray]:
    """Screen pixels (x right, y down) relative to the view's centre, for a deck.gl MapView
    ``view`` (``longitude``, ``latitude``, ``zoom``)."""
    scale = TILE * 2 ** float(view.zoom) / (2 * math.pi)

    def merc(la):
        la = np.clip(np.asarray(la, dtype=float), -85, 85)
        return np.log(np.tan(np.pi / 4 + np.radians(la) / 2))

    x = scale * (np.radians(np.asarray(lon, dtype=float)) - math.radians(float(view.longitude)))
    y = -scale * (merc(lat) - merc(float(view.latitude)))
    return x, y


def text_box(text: pd.Series, font_px: float = FONT_PX) -> tuple[np.ndarray, np.ndarray]:
    """Width and height in pixels of each label's box."""
    n = text.astype(str).str.len().to_numpy()
    return n * font_px * CHAR_WIDTH + 2 * MARGIN, np.full(len(n), font_px + 2 * MARGIN)


def place_labels(matched, view, *, text_col: str = "region_id", selected: str | None = None,
                 width_px: float | None = None, height_px: float | None = None,
                 font_px: float = FONT_PX) -> pd.DataFrame:
    """The labels to draw: ``region_id, text, lon, lat, x, y, w, h`` (box centre and size in
    pixels at ``view``), none overlapping another.

    ``matched`` is :func:`geo.match_regions` output (``shape``, ``geometry``, ``lat``/``lon``).
    A polygon's label sits at its representative point and needs its box inside the
    polygon's bounding box on screen; a point's label sits above the point. Labels outside a
    ``width_px`` × ``height_px`` view are left out. ``selected`` is labelled first, always.
    """
    cols = ["region_id", "text", "lon", "lat", "x", "y", "w", "h", "dy"]
    df = matched.reset_index(drop=True)
    if not len(df):
        return pd.DataFrame(columns=cols)
    poly = (df["shape"] == "polygon").to_numpy() if "shape" in df.columns else np.zeros(len(df), bool)
    lon = pd.to_numeric(df["lon"], errors="coerce").to_numpy(float, copy=True)
    lat = pd.to_numeric(df["lat"], errors="coerce").to_numpy(float, copy=True)
    room_w, room_h = np.full(len(df), np.inf), np.full(len(df), np.inf)
    if poly.any():
        import geopandas as gpd

        geoms = gpd.GeoSeries(df.loc[poly, "geometry"].to_numpy(), crs=4326)
        rep = geoms.representative_point()
        lon[poly], lat[poly] = rep.x.to_numpy(), rep.y.to_numpy()
        b = geoms.bounds.to_numpy()
        x0, y0 = project(b[:, 0], b[:, 3], view)
        x1, y1 = project(b[:, 2], b[:, 1], view)
        room_w[poly], room_h[poly] = x1 - x0, y1 - y0
    x, y = project(lon, lat, view)
    w, h = text_box(df[text_col], font_px)
    y = np.where(poly, y, y - POINT_OFFSET - h / 2)  # a point's label stands above it
    ok = np.isfinite(x) & np.isfinite(y)
    fits = (w <= room_w * FIT_SLACK) & (h <= room_h)
    if width_px and height_px:
        ok &= (np.abs(x) + w / 2 <= width_px / 2) & (np.abs(y) + h / 2 <= height_px / 2)
    ids = df["region_id"].astype(str).to_numpy()
    is_sel = ids == str(selected) if selected is not None else np.zeros(len(df), bool)
    size = np.where(poly, room_w * room_h, 0.0)
    order = np.lexsort((-np.nan_to_num(size, posinf=0), ~is_sel))
    kept: list[int] = []
    for i in order:
        if not ok[i] or not (fits[i] or is_sel[i]):
            continue
        if any(abs(x[i] - x[j]) * 2 < w[i] + w[j] and abs(y[i] - y[j]) * 2 < h[i] + h[j] for j in kept):
            continue
        kept.append(int(i))
    kept.sort()
    return pd.DataFrame({"region_id": ids[kept], "text": df[text_col].astype(str).to_numpy()[kept],
                         "lon": lon[kept].round(4), "lat": lat[kept].round(4), "x": x[kept], "y": y[kept],
                         "w": w[kept], "h": h[kept],
                         "dy": np.where(poly[kept], 0.0, -(POINT_OFFSET + h[kept] / 2))})[cols]


def overlaps(labels: pd.DataFrame) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap (empty for :func:`place_labels` output)."""
    out = []
    r = labels.reset_index(drop=True)
    for i in range(len(r)):
        for j in range(i + 1, len(r)):
            if abs(r.x[i] - r.x[j]) * 2 < r.w[i] + r.w[j] and abs(r.y[i] - r.y[j]) * 2 < r.h[i] + r.h[j]:
                out.append((r.region_id[i], r.region_id[j]))
    return out


def label_layer(labels: pd.DataFrame, layer_id: str = LABELS, font_px: float = FONT_PX) -> pdk.Layer:
    """A TextLayer of ``labels`` (dark text with a white halo). Points' labels are lifted
    above the point. The collision filter keeps them apart when the user zooms out."""
    data = [{"lon": float(a), "lat": float(b), "text": t, "offset": [0, round(float(dy), 1)]}
            for a, b, t, dy in zip(labels["lon"], labels["lat"], labels["text"], labels["dy"])]
    layer = pdk.Layer("TextLayer", data=data, id=layer_id, get_position=["lon", "lat"], get_text="text",
                      get_size=font_px, get_color=[25, 25, 25, 255], pickable=False,
                      font_weight=600, outline_width=3, outline_color=[255, 255, 255, 230],
                      font_settings={"sdf": True}, get_pixel_offset="offset",
                      extensions=[{"@@type": "CollisionFilterExtension"}], collision_enabled=True)
    layer.get_text_anchor, layer.get_alignment_baseline = "middle", "center"
    return layer
