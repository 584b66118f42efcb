"""pydeck layers for the map: countries (base), regions by score, points, practices.

Layers carry their colours in the data (vectorised, from :mod:`geo.colours`) and three
tooltip fields per object, each in two forms: raw (``title``, ``subtitle``, ``detail``)
and HTML-escaped (``title_html``, ``subtitle_html``, ``detail_html``). Which form the
tooltip template uses is chosen in :func:`geo.deck.build_deck` (see ``TOOLTIPS`` there);
no field ever holds markup of ours, so the template alone decides the layout.

Layer ids are fixed (``COUNTRIES``, ``REGIONS``, ``REGION_POINTS``, ``PRACTICES``) so a page
can tell from a pydeck selection which layer was clicked.
"""

from __future__ import annotations

import html

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk

from geo.boundaries import simplify
from geo.colours import (NO_DATA_LINE_RGBA, category_colours, colour_scale, first_item)

COUNTRIES, REGIONS, REGION_POINTS, PRACTICES = "countries", "regions", "region-points", "practices"
TOOLTIP_FIELDS = ("title", "subtitle", "detail")
#: Above this many practices the layer shows grid cells with counts instead of points.
MAX_POINTS = 5000
COUNTRY_FILL = (244, 244, 241, 255)
COUNTRY_LINE = (150, 150, 150, 255)
REGION_LINE = (255, 255, 255, 200)
#: Dash pattern (pixels on, off) for no-data outlines; [0, 0] draws a solid line.
NO_DATA_DASH, SOLID = [4, 3], [0, 0]
COORD_DECIMALS = 4


def tooltip_fields(title, subtitle="", detail="") -> pd.DataFrame:
    """The raw and HTML-escaped tooltip columns for given title/subtitle/detail texts.

    Each argument is a Series (or a scalar broadcast to the others' length). Missing
    values become empty strings. ``html.escape`` turns ``<img src=x onerror=…>`` into
    ``&lt;img …&gt;`` so it shows as text in any renderer that inserts fields as HTML.
    """
    cols = {"title": title, "subtitle": subtitle, "detail": detail}
    n = max((len(v) for v in cols.values() if isinstance(v, (pd.Series, np.ndarray, list))), default=1)
    out = pd.DataFrame(index=range(n))
    for name, v in cols.items():
        s = pd.Series(v, dtype="object").reset_index(drop=True) if not np.isscalar(v) else pd.Series([v] * n,
                                                                                                     dtype="object")
        s = s.fillna("").astype(str)
        out[name] = s.to_numpy()
        out[f"{name}_html"] = s.map(html.escape).to_numpy()
    return out


def _to_features(gdf: gpd.GeoDataFrame, columns: list[str]) -> dict:
    """A GeoJSON FeatureCollection dict with only ``columns`` as properties (no ids, no bbox)."""
    fc = gdf[columns + [gdf.geometry.name]].to_geo_dict(drop_id=True)
    return {"type": "FeatureCollection", "features": fc["features"]}


def _rgba_list(rgba: np.ndarray) -> list:
    return np.asarray(rgba, dtype=np.uint8).tolist()


def country_layer(countries: gpd.GeoDataFrame, tolerance: float = 0.05, decimals: int = 3,
                  layer_id: str = COUNTRIES) -> pdk.Layer:
    """Base layer of country outlines from a NUTS-0 GeoDataFrame: light fill, thin grey lines.

    Not pickable (it is the "basemap" when there is no internet basemap). Geometries are
    simplified with :func:`geo.simplify`; properties are dropped to keep the payload small.
    """
    gdf = simplify(countries[[countries.geometry.name]], tolerance, decimals)
    return pdk.Layer(
        "GeoJsonLayer", data=_to_features(gdf, []), id=layer_id,
        filled=True, stroked=True, pickable=False,
        get_fill_color=list(COUNTRY_FILL), get_line_color=list(COUNTRY_LINE),
        line_width_units="pixels", get_line_width=1, line_width_min_pixels=0.5,
    )


def _score_text(values: pd.Series, label: str, decimals: int) -> pd.Series:
    finite = np.isfinite(values.to_numpy(dtype=float))
    text = values.round(decimals).map(lambda v: f"{label}: {v:.{decimals}f}")
    return text.where(finite, f"{label}: no data")


def region_layer(matched: gpd.GeoDataFrame, value_col: str = "score", *, bins="fixed",
                 palette="viridis", value_label: str = "score", decimals: int = 0,
                 tolerance: float = 0.02, coord_decimals: int = 3, dashed: bool = True,
                 radius_px: float = 7, layer_id: str = REGIONS, detail: pd.Series | None = None,
                 alpha: int = 230):
    """Regions shaded by ``value_col``: polygons (GeoJsonLayer) plus points for the rest.

    ``matched`` is the output of :func:`geo.match_regions` with a numeric ``value_col``
    added. Returns ``(layers, legend)``: ``layers`` holds the polygon layer (``id=regions``)
    and, if any region is drawn as a point (municipality, no boundary), a ScatterplotLayer
    ``region-points`` coloured the same way. NaN is "no data": light grey fill with a
    darker, dashed outline, and its own legend entry — never a colour of the scale.
    ``detail`` (aligned with ``matched``) replaces the tooltip's "score: …" line (e.g. score,
    rank and coverage on several lines); ``alpha`` mutes the scale (a background choropleth).
    """
    values = pd.to_numeric(matched[value_col], errors="coerce").astype(float).reset_index(drop=True)
    rgba, legend = colour_scale(values, bins=bins, palette=palette, alpha=alpha)
    no_data = ~np.isfinite(values.to_numpy())
    df = pd.DataFrame({"region_id": matched["region_id"].astype(str).to_numpy()})
    df["fill"] = _rgba_list(rgba)
    df["line"] = np.where(no_data[:, None], NO_DATA_LINE_RGBA, REGION_LINE).tolist()
    df["line_w"] = np.where(no_data, 1.5, 0.6)
    df["dash"] = np.where((no_data & dashed)[:, None], NO_DATA_DASH, SOLID).tolist()
    sub = matched["region_id"].astype(str).reset_index(drop=True)
    if "country" in matched.columns:
        sub = sub + " · " + matched["country"].fillna("").astype(str).reset_index(drop=True)
    text = _score_text(values, value_label, decimals) if detail is None else detail.reset_index(drop=True)
    tips = tooltip_fields(matched["name"], sub, text)
    df = pd.concat([df, tips], axis=1)
    props = ["region_id", "fill", "line", "line_w", "dash", *tips.columns]

    shape = matched["shape"].to_numpy() if "shape" in matched.columns else np.where(
        matched.geometry.notna(), "polygon", "point")
    layers = []
    poly = shape == "polygon"
    if poly.any():
        gdf = gpd.GeoDataFrame(df[poly].reset_index(drop=True),
                               geometry=matched.geometry[poly].reset_index(drop=True), crs=4326)
        gdf = simplify(gdf, tolerance, coord_decimals)
        extra = {"extensions": [{"@@type": "PathStyleExtension", "dash": True}],
                 "get_dash_array": "properties.dash", "dash_justified": True} if dashed else {}
        layers.append(pdk.Layer(
            "GeoJsonLayer", data=_to_features(gdf, props), id=layer_id,
            filled=True, stroked=True, pickable=True, auto_highlight=True,
            get_fill_color="properties.fill", get_line_color="properties.line",
            get_line_width="properties.line_w", line_width_units="pixels", **extra,
        ))
    pts = shape == "point"
    if pts.any():
        pdf = df[pts].assign(lat=matched["lat"].to_numpy()[pts], lon=matched["lon"].to_numpy()[pts])
        layers.append(point_layer(pdf, layer_id=REGION_POINTS, radius_px=radius_px))
    return layers, legend


def point_layer(df: pd.DataFrame, *, layer_id: str, fill_col: str = "fill", line_col: str | None = "line",
                radius_px: float | str = 6, pickable: bool = True) -> pdk.Layer:
    """A ScatterplotLayer of circles at ``lon``/``lat`` with RGBA list columns and tooltips.

    ``df`` needs ``lon``, ``lat``, ``fill_col`` (``[r, g, b, a]`` per row) and may carry the
    tooltip fields (:func:`tooltip_fields`) and a ``line`` colour. Rows without coordinates
    are dropped; coordinates are rounded to 4 decimals (~10 m). ``radius_px`` is a number
    of pixels or the name of a column of pixel radii.
    """
    keep = df.dropna(subset=["lon", "lat"]).copy()
    keep["lon"] = keep["lon"].astype(float).round(COORD_DECIMALS)
    keep["lat"] = keep["lat"].astype(float).round(COORD_DECIMALS)
    stroke = line_col is not None and line_col in keep.columns
    cols = [c for c in keep.columns if c not in ("geometry", "dash", "line_w") and (stroke or c != line_col)]
    radius = radius_px if isinstance(radius_px, str) else float(radius_px)
    extra = {"get_line_color": line_col, "line_width_min_pixels": 1} if stroke else {}
    return pdk.Layer(
        "ScatterplotLayer", data=keep[cols].to_dict(orient="records"), id=layer_id,
        get_position=["lon", "lat"], get_fill_color=fill_col, get_radius=radius,
        radius_units="pixels", stroked=stroke, pickable=pickable, auto_highlight=pickable, **extra,
    )


def locate_practices(practices: pd.DataFrame, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Practices with ``lat``/``lon`` (their own, else their region's), ``area`` (first area)
    and ``region_name``. Practices that cannot be placed keep NaN coordinates."""
    out = practices.reset_index(drop=True).copy()
    for c in ("lat", "lon"):
        out[c] = pd.to_numeric(out[c], errors="coerce") if c in out.columns else np.nan
    out["region_name"] = out["region_id"].astype(str)
    if regions is not None and len(regions):
        reg = regions.drop_duplicates("region_id").set_index(regions["region_id"].astype(str)
                                                             .drop_duplicates().to_numpy())
        key = out["region_id"].astype(str)
        for c in ("lat", "lon"):
            if c in reg.columns:
                out[c] = out[c].fillna(key.map(pd.to_numeric(reg[c], errors="coerce")))
        if "name" in reg.columns:
            out["region_name"] = key.map(reg["name"]).fillna(key)
    out["area"] = first_item(out["areas"] if "areas" in out.columns else pd.Series([None] * len(out)))
    return out


def aggregate_points(located: pd.DataFrame, max_cells: int = MAX_POINTS, cell_deg: float | None = None) -> pd.DataFrame:
    """Grid-bin located practices into square cells (degrees), vectorised with pandas.

    The cell size doubles from 0.25° until there are at most ``max_cells`` cells (or is
    ``cell_deg`` if given). One row per cell: ``lon``/``lat`` (mean of its practices),
    ``count``, ``area`` (most common first area), ``share`` of that area, and the cell
    bounds ``west, south, east, north`` (so a click can filter the practice list).
    """
    pts = located.dropna(subset=["lon", "lat"])
    size = cell_deg or 0.25
    while True:
        cx = np.floor(pts["lon"].to_numpy() / size).astype(np.int64)
        cy = np.floor(pts["lat"].to_numpy() / size).astype(np.int64)
        n_cells = len(np.unique(cx * 1_000_003 + cy)) if len(pts) else 0
        if cell_deg or n_cells <= max_cells or size >= 16:
            break
        size *= 2
    frame = pd.DataFrame({"cx": cx, "cy": cy, "lon": pts["lon"].to_numpy(), "lat": pts["lat"].to_numpy(),
                          "area": pts["area"].to_numpy()})
    cells = frame.groupby(["cx", "cy"], sort=False).agg(lon=("lon", "mean"), lat=("lat", "mean"),
                                                        count=("lon", "size"))
    by_area = frame.groupby(["cx", "cy", "area"], sort=False).size().rename("n").reset_index()
    top = by_area.sort_values(["n", "area"], ascending=[False, True]).drop_duplicates(["cx", "cy"])
    cells = cells.join(top.set_index(["cx", "cy"])).reset_index()
    cells["share"] = cells["n"] / cells["count"]
    cells["west"], cells["south"] = cells["cx"] * size, cells["cy"] * size
    cells["east"], cells["north"] = cells["west"] + size, cells["south"] + size
    cells["cell_deg"] = size
    return cells.drop(columns=["cx", "cy", "n"])


#: Practices are markers, regions are areas: a marker is a solid disc in a qualitative colour
#: with a dark ring and a white halo, so it reads on any region colour and never as a region.
MARKER_LINE = (30, 30, 30, 255)
MARKER_RADIUS_PX = 7
#: Pixels between the centres of practices spread around one place (at the first view): a
#: marker (7 px radius and its 2 px ring) and a sliver of the region between neighbours.
SPREAD_GAP_PX = 19
_GOLDEN_ANGLE = np.pi * (3 - np.sqrt(5))


def _clusters(x: np.ndarray, y: np.ndarray, radius: float) -> np.ndarray:
    """Greedy clusters of points (pixels): each point joins the first cluster whose seed is
    within ``radius``, else seeds a new one. Returns the cluster number of each point."""
    label = np.empty(len(x), dtype=np.int64)
    sx, sy = np.empty(len(x)), np.empty(len(x))
    n = 0
    for i in range(len(x)):
        if n:
            d = np.hypot(sx[:n] - x[i], sy[:n] - y[i])
            j = int(d.argmin())
            if d[j] < radius:
                label[i] = j
                continue
        sx[n], sy[n], label[i] = x[i], y[i], n
        n += 1
    return label


def spread(located: pd.DataFrame, deg_per_px: float, gap_px: float = SPREAD_GAP_PX) -> pd.DataFrame:
    """Practices at one place, or so close that their markers would overlap at the map's first
    view (``deg_per_px``: degrees of longitude per pixel there), moved apart on a small
    sunflower spiral around their mean position, ``gap_px`` apart; ``stack`` is how many
    share the place. A practice alone keeps its position. Computed in Web Mercator pixels."""
    out = located.reset_index(drop=True).copy()
    lon, lat = out["lon"].to_numpy(float), np.clip(out["lat"].to_numpy(float), -85, 85)
    x = lon / deg_per_px
    y = np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))) / deg_per_px
    # places closer than two markers form one group: their spirals would otherwise meet
    group = _clusters(x, y, 2 * gap_px)
    frame = pd.DataFrame({"g": group, "x": x, "y": y})
    k = frame.groupby("g", sort=False).cumcount().to_numpy()
    n = frame.groupby("g")["g"].transform("size").to_numpy()
    cx = frame.groupby("g")["x"].transform("mean").to_numpy()
    cy = frame.groupby("g")["y"].transform("mean").to_numpy()
    c = gap_px / 1.77  # nearest neighbours on the spiral are ~1.77·c apart
    r = c * np.sqrt(k + 0.5)
    theta = k * _GOLDEN_ANGLE
    many = n > 1
    nx = np.where(many, cx + r * np.cos(theta), x)
    ny = np.where(many, cy + r * np.sin(theta), y)
    out["lon"] = np.where(many, nx * deg_per_px, out["lon"].to_numpy(float))
    out["lat"] = np.where(many, np.degrees(2 * np.arctan(np.exp(np.radians(ny * deg_per_px))) - np.pi / 2),
                          out["lat"].to_numpy(float))
    out["stack"] = n
    return out


def practice_layer(practices: pd.DataFrame, regions: pd.DataFrame | None = None, *,
                   area_order=None, palette="okabe_ito", max_points: int = MAX_POINTS,
                   radius_px: float = MARKER_RADIUS_PX, layer_id: str = PRACTICES,
                   deg_per_px: float | None = None):
    """Practices as points coloured by (first) area, or as counted grid cells when many.

    Up to ``max_points`` located practices: one pickable circle each, with ``practice_id``
    and tooltip fields (title, region, areas). Above: :func:`aggregate_points` cells drawn
    as circles sized by count, coloured by their most common area, with a count tooltip —
    100,000 tooltips would make the page unusable. Always ``id="practices"``,
    ``pickable=True``. Returns ``(layer, legend)``; the legend's colours follow
    ``area_order`` (pass the known areas so colours are stable across filters). With
    ``deg_per_px`` (the first view's scale) practices sharing a place are spread
    (:func:`spread`) and their tooltip says how many are there.
    """
    located = locate_practices(practices, regions)
    located = located.dropna(subset=["lon", "lat"]).reset_index(drop=True)
    if len(located) > max_points:
        return _cell_layer(located, area_order, palette, max_points, layer_id)
    if deg_per_px:
        located = spread(located, deg_per_px)
    rgba, legend = category_colours(located["area"], order=area_order, palette=palette)
    areas = located["areas"].fillna("").astype(str).str.replace(";", ", ", regex=False) \
        if "areas" in located.columns else ""
    region = located["region_name"].astype(str)
    if "stack" in located.columns:
        many = located["stack"] > 1
        region = region.where(~many, region + " (" + located["stack"].astype(str) + " practices here)")
    tips = tooltip_fields(located["title"], region, "Areas: " + areas)
    df = pd.concat([located[["practice_id", "lon", "lat"]], tips], axis=1)
    df["fill"] = _rgba_list(rgba)
    df["line"] = [list(MARKER_LINE)] * len(df)
    layer = point_layer(df, layer_id=layer_id, radius_px=radius_px)
    layer.line_width_min_pixels = 2
    return layer, legend


def _cell_layer(located, area_order, palette, max_cells, layer_id):
    cells = aggregate_points(located, max_cells=max_cells)
    rgba, legend = category_colours(cells["area"], order=area_order, palette=palette)
    # The legend must describe every area seen, not only cells' dominant ones.
    counts = cells["count"].to_numpy()
    radius = np.clip(3 + 2.5 * np.sqrt(counts), 4, 40).round(1)
    title = pd.Series(counts).map(lambda c: f"{c:,} practice{'s' if c != 1 else ''}")
    sub = "most common area: " + cells["area"].astype(str) + " (" + (cells["share"] * 100).round(0) \
        .astype(int).astype(str) + "%)"
    detail = "click to list them"
    df = pd.concat([cells[["lon", "lat", "count", "west", "south", "east", "north"]].round(COORD_DECIMALS),
                    tooltip_fields(title, sub, detail)], axis=1)
    df["fill"], df["radius"] = _rgba_list(rgba), radius
    return point_layer(df, layer_id=layer_id, line_col=None, radius_px="radius"), legend


SELECTED = "selected-region"


def selected_layer(matched: gpd.GeoDataFrame, region_id: str | None, tolerance: float = 0.02,
                   coord_decimals: int = 3, layer_id: str = SELECTED) -> pdk.Layer | None:
    """The selected region outlined (thick dark line, no fill) above the choropleth: its
    polygon, or a ring around its point. None when the region is not on the map."""
    if not region_id or not len(matched):
        return None
    row = matched[matched["region_id"].astype(str) == str(region_id)].head(1)
    if row.empty:
        return None
    if "shape" in row.columns and row["shape"].iloc[0] == "polygon":
        gdf = simplify(gpd.GeoDataFrame({"id": [str(region_id)]}, geometry=row.geometry.to_numpy(), crs=4326),
                       tolerance, coord_decimals)
        return pdk.Layer("GeoJsonLayer", data=_to_features(gdf, []), id=layer_id, filled=False, stroked=True,
                         pickable=False, get_line_color=[20, 20, 20, 255], get_line_width=3,
                         line_width_units="pixels")
    if row[["lon", "lat"]].isna().any(axis=None):
        return None
    df = row[["lon", "lat"]].assign(fill=[[0, 0, 0, 0]], line=[[20, 20, 20, 255]])
    layer = point_layer(df, layer_id=layer_id, radius_px=radius_ring(), pickable=False)
    layer.line_width_min_pixels = 3
    return layer


def radius_ring() -> float:
    """Radius of the ring drawn around a selected point (pixels)."""
    return 13.0
