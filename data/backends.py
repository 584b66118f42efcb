"""Choosing a store backend: the local Parquet store (:mod:`data.store`) or the shared
DuckLake store (:mod:`data.lake`).

Here, one floor above both, because the lake builds on the store's pieces (errors, the
canonical form of a table, content ids) and the choice between them needs both: while it
lived in data/store.py, store and lake imported each other.
"""

from __future__ import annotations

from pathlib import Path

from data.config import REPO_ROOT, settings
from data.lake import LakeStore, lake_root
from data.store import Store, StoreError

_LAKES: dict[str, object] = {}


def open_store(location: str | Path | None = None, keep_versions: int | None = None, *,
               cfg=None):
    """The configured store, or the one whose ``root`` is ``location``.

    With no ``location``: the shared DuckLake store (:mod:`data.lake`) when the settings
    name a catalog, else the local Parquet store at the settings' path (the default). A
    lake is opened once per process (its connection is reused by every thread); a
    ``location`` that is a lake's ``root`` gives that same object back.
    """
    cfg = cfg or settings()
    keep = keep_versions or cfg.keep_versions
    if location is None and not cfg.catalog:
        return Store(cfg.store_path, keep)
    if location is not None and not str(location).startswith("ducklake:"):
        return Store(location, keep)
    key = str(location) if location is not None else lake_root(cfg.catalog, _lake_path(cfg))
    if key not in _LAKES:
        if not cfg.catalog or lake_root(cfg.catalog, _lake_path(cfg)) != key:
            raise StoreError(f"The shared store {key} is not the configured one.")
        _LAKES[key] = LakeStore.from_settings(cfg)
    lake = _LAKES[key]
    lake.keep_versions = keep
    return lake


def _lake_path(cfg) -> str:
    path = cfg.data_path
    if "://" not in path and path and not Path(path).is_absolute():
        path = str(REPO_ROOT / path)
    return path.rstrip("/") + "/"
