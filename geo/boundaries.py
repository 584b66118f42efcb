"""NUTS boundary files: find them, load them, download them, make them light.

GISCO names its files ``NUTS_RG_<scale>_<year>_4326_LEVL_<level>.geojson`` (regions, one
level per file), ``NUTS_RG_<scale>_<year>_4326.geojson`` (regions, every level in one file)
and ``NUTS_LB_<year>_4326_LEVL_<level>.geojson`` (label points). Both region layouts are
accepted, as a directory or as single files. The product must work with no file at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: Scales GISCO publishes, best first *for a web map*: 1:20M is detailed enough for a
#: Europe-wide choropleth and small; 1:1M is ~100x heavier.
SCALE_PREFERENCE = ("20M", "10M", "60M", "3M", "1M")
BOUNDARY_COLUMNS = ["NUTS_ID", "LEVL_CODE", "CNTR_CODE", "NAME_LATN", "source", "nuts_year", "scale"]

_NAME = re.compile(
    r"^NUTS_(?P<kind>RG|LB)_(?:(?P<scale>\d+M)_)?(?P<year>\d{4})_(?P<crs>\d{4,5})(?:_LEVL_(?P<level>\d))?"
    r"\.(?:geo)?json$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class BoundaryFile:
    """One GISCO file recognised by its name."""

    path: Path
    kind: str  # "RG" (region polygons) or "LB" (label points)
    scale: str | None
    year: int
    level: int | None  # None: a file holding every level

    @property
    def label(self) -> str:
        """Short name used in messages, e.g. ``NUTS_RG_20M_2024 (level 2)`` or
        ``NUTS_RG_20M_2024 (all levels)``."""
        scale = f"_{self.scale}" if self.scale else ""
        which = "all levels" if self.level is None else f"level {self.level}"
        return f"NUTS_{self.kind}{scale}_{self.year} ({which})"

    def has_level(self, level: int | None) -> bool:
        """Whether this file holds regions of ``level`` (an all-levels file holds every level)."""
        return level is None or self.level is None or self.level == level


def parse_name(path: str | Path) -> BoundaryFile | None:
    """The :class:`BoundaryFile` a GISCO file name describes, or ``None`` if it is not one."""
    path = Path(path)
    m = _NAME.match(path.name)
    if not m or m["crs"] != "4326":
        return None
    scale = m["scale"].upper() if m["scale"] else None
    level = int(m["level"]) if m["level"] is not None else None
    return BoundaryFile(path, m["kind"].upper(), scale, int(m["year"]), level)


def discover_files(directory: str | Path, kind: str = "RG") -> list[BoundaryFile]:
    """GISCO files of one kind (``RG`` or ``LB``) in ``directory``, sorted by level, year, scale.

    A missing directory gives an empty list: having no boundaries is a normal state.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = [f for f in map(parse_name, sorted(directory.iterdir())) if f and f.kind == kind]
    return sorted(found, key=lambda f: (_level_key(f.level), f.year, _scale_rank(f.scale)))


def _level_key(level: int | None) -> int:
    return -1 if level is None else level


def _scale_rank(scale: str | None) -> int:
    return SCALE_PREFERENCE.index(scale) if scale in SCALE_PREFERENCE else len(SCALE_PREFERENCE)


def pick_files(files: list[BoundaryFile], level: int | None = None,
               year: int | None = None) -> list[BoundaryFile]:
    """The best file for each (level, year): the web-friendliest scale (see SCALE_PREFERENCE).

    ``level`` / ``year`` restrict the choice; a ``year`` that no file has is ignored
    (the caller's matching then reports the version mismatch in words). A per-level file
    is preferred to an all-levels file of the same year; an all-levels file is picked only
    for a year that lacks some level in per-level files (it is then read once, whole).
    """
    files = [f for f in files if f.has_level(level)]
    if year is not None and any(f.year == year for f in files):
        files = [f for f in files if f.year == year]
    best: dict[tuple[int, int], BoundaryFile] = {}
    for f in sorted(files, key=lambda f: _scale_rank(f.scale)):
        best.setdefault((_level_key(f.level), f.year), f)
    if level is not None:  # one file per year: the per-level file if there is one
        for (lv, yr) in [k for k in best if k[0] == -1]:
            if (level, yr) in best:
                del best[(lv, yr)]
    return [best[k] for k in sorted(best)]


def read_boundary_file(file: BoundaryFile | str | Path) -> gpd.GeoDataFrame:
    """One GISCO file as a GeoDataFrame in EPSG:4326 with :data:`BOUNDARY_COLUMNS` + geometry.

    ``source``/``nuts_year``/``scale`` come from the file name (empty when the name is not a
    GISCO name; ``LEVL_CODE`` from the file's properties then).
    """
    info = file if isinstance(file, BoundaryFile) else parse_name(file)
    path = Path(file.path if isinstance(file, BoundaryFile) else file)
    gdf = gpd.read_file(path)
    if "NUTS_ID" not in gdf.columns:
        raise ValueError(f"{path.name} has no NUTS_ID property: it is not a GISCO NUTS file")
    gdf = gdf.set_crs(4326, allow_override=True) if gdf.crs is None else gdf.to_crs(4326)
    for col in ("LEVL_CODE", "CNTR_CODE", "NAME_LATN"):
        if col not in gdf.columns:
            gdf[col] = pd.NA
    if info and info.level is not None:
        gdf["LEVL_CODE"] = gdf["LEVL_CODE"].fillna(info.level)
    gdf["source"] = info.label if info else path.stem
    gdf["nuts_year"] = pd.array([info.year if info else pd.NA] * len(gdf), dtype="Int64")
    gdf["scale"] = info.scale if info else None
    gdf["LEVL_CODE"] = pd.to_numeric(gdf["LEVL_CODE"], errors="coerce").astype("Int64")
    gdf["NUTS_ID"] = gdf["NUTS_ID"].astype(str)
    if info and info.level is None:  # all levels in one file: say which level each came from
        gdf["source"] = gdf["source"].str.replace("(all levels)", "", regex=False) + "(level " \
            + gdf["LEVL_CODE"].astype(str) + ")"
    return gdf[BOUNDARY_COLUMNS + ["geometry"]]


def load_boundaries(path_or_dir, level: int | None = None, year: int | None = None) -> gpd.GeoDataFrame:
    """Region polygons from a directory of GISCO files, one file, or a list of files.

    With a directory, the best-scale region file (``NUTS_RG_*``) of each level and year is
    loaded (only ``level``/``year`` if given), so regions of every level can be matched
    against the file for their level and NUTS edition. ``None`` or a directory without GISCO
    files gives an empty GeoDataFrame (the map then falls back to points).
    """
    if path_or_dir is None:
        return empty_boundaries()
    paths = [path_or_dir] if isinstance(path_or_dir, (str, Path)) else list(path_or_dir)
    files: list = []
    for p in map(Path, paths):
        if p.is_dir():
            files += pick_files(discover_files(p), level, year)
        elif p.is_file():
            files.append(parse_name(p) or p)
        else:
            raise FileNotFoundError(f"No boundary file or directory at {p}")
    frames = [read_boundary_file(f) for f in files]
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_boundaries()
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=4326)
    # an all-levels file next to per-level files of its year: one row per code and edition
    gdf = gdf.drop_duplicates(["NUTS_ID", "nuts_year"], keep="last").reset_index(drop=True)
    if level is not None:
        gdf = gdf[gdf["LEVL_CODE"] == level].reset_index(drop=True)
    return gdf


def empty_boundaries() -> gpd.GeoDataFrame:
    """A GeoDataFrame with the boundary columns and no rows."""
    return gpd.GeoDataFrame({c: pd.Series(dtype="object") for c in BOUNDARY_COLUMNS},
                            geometry=gpd.GeoSeries([], crs=4326), crs=4326)


def load_label_points(directory: str | Path | None) -> pd.DataFrame:
    """GISCO label points (``NUTS_LB_*``) as a frame ``NUTS_ID, LEVL_CODE, lat, lon``.

    Used to place a region that has neither coordinates nor a polygon. Empty when absent.
    """
    cols = ["NUTS_ID", "LEVL_CODE", "lat", "lon"]
    if directory is None:
        return pd.DataFrame(columns=cols)
    frames = []
    for f in discover_files(directory, kind="LB"):
        gdf = gpd.read_file(f.path)
        pts = gdf.geometry.representative_point()
        frames.append(pd.DataFrame({"NUTS_ID": gdf["NUTS_ID"].astype(str), "LEVL_CODE": f.level,
                                    "lat": pts.y.to_numpy(), "lon": pts.x.to_numpy()}))
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True).drop_duplicates("NUTS_ID", keep="last")


def simplify(gdf: gpd.GeoDataFrame, tolerance: float = 0.02, decimals: int = 3) -> gpd.GeoDataFrame:
    """A copy with geometries simplified for the web and coordinates rounded.

    ``tolerance`` is in degrees (0.02° ≈ 2 km, invisible at Europe scale);
    ``decimals=3`` keeps ~100 m. Topology is preserved so no polygon vanishes. Vectorised.
    """
    out = gdf.copy()
    has = out.geometry.notna() & ~out.geometry.is_empty
    geoms = out.geometry[has].to_numpy()
    if tolerance > 0:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    out.loc[has, out.geometry.name] = geoms
    return out
