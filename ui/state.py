"""The app's access to the data, cached on the store's version id, and view state in the URL.

Loaders take the store path and the version id as explicit arguments, so that a publish
(a new version id) is seen by every session on its next interaction and old cache entries
are simply no longer asked for.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pandas as pd
import streamlit as st

from data.config import Settings, settings
from data.imports import ensure_default
from data.query import Reader
from data.schema import DEFAULT_FRAMEWORK, framework_of
from data.backends import open_store
from data.store import Store
from scoring import Cube, prepare
from ui import i18n, safe
from ui.i18n import t

NOTICES_KEY = "_url_notices"

# ------------------------------------------------------------------ one run, one version

_run = threading.local()


def begin_run():
    """Start of a script run (app.py): from here to :func:`end_run`, the store, its current
    version and the tables/cube/manifest of that version are looked up once. A run then
    shows one version throughout, even if another replica publishes meanwhile, and the
    settings, secrets and version file are not read again for every table on the page."""
    _run.cache = {}


def end_run():
    _run.cache = None


def _once(key, make):
    cache = getattr(_run, "cache", None)
    if cache is None:  # outside app.py (tests, scripts): look up every time
        return make()
    if key not in cache:
        cache[key] = make()
    return cache[key]


@st.cache_resource
def _store(path: str, keep: int, _cfg: Settings | None = None) -> Store:
    # The factory picks the backend: the local Parquet store at ``path``, or the shared
    # DuckLake store when ``_cfg`` names a catalog (then ``path`` only keys the cache).
    store = open_store(None, keep, cfg=_cfg) if _cfg is not None and _cfg.catalog \
        else open_store(path, keep)
    ensure_default(store)
    return store


def store() -> Store:
    """The configured store: environment and ``mipexr.toml`` first, then ``[store]`` in
    Streamlit's secrets (a catalog string is a credential, so it may live there)."""
    return _once("store", _configured_store)


def _configured_store() -> Store:
    cfg = _with_secrets(settings())
    if cfg.catalog:
        return _store(f"{cfg.catalog} {cfg.data_path}", cfg.keep_versions, cfg)
    return _store(str(cfg.store_path), cfg.keep_versions)


def _with_secrets(cfg: Settings) -> Settings:
    if cfg.catalog:
        return cfg
    try:
        section = dict(st.secrets.get("store", {}))
    except (FileNotFoundError, KeyError, AttributeError, st.errors.StreamlitAPIException):
        return cfg  # no secrets file
    if not section.get("catalog"):
        return cfg
    s3 = {k: str(v) for k, v in dict(section.get("s3", {})).items()}
    return replace(cfg, catalog=section["catalog"], data_path=str(section.get("data_path", "")),
                   s3=s3 or cfg.s3)


def version() -> str:
    """The current version id, read afresh on every run (one small JSON read)."""
    return _once("version", _current_version)


_seen = {"version": None}
_seen_lock = threading.Lock()


def _current_version() -> str | None:
    current = store().current_id()
    with _seen_lock:
        changed = _seen["version"] not in (None, current)
        _seen["version"] = current
    if changed:
        release_old_versions()
    return current


def release_old_versions():
    """A new current version (a publish or a rollback, here or in another replica): the
    caches of the versions before it are emptied and their memory given back, so that a
    large version no longer current is not kept alive. Runs still showing the old version
    keep their own references until they end; the next runs load the current one."""
    from data.memory import give_back

    for loader in (_all_tables, _tables, _cube, _reader, _manifest, _frameworks,
                   _groups_editions, _areas):
        loader.clear()
    for clear in _on_release:  # the pages' per-view caches (ui.profile)
        clear()
    give_back()


#: What to empty when a new version becomes current (the pages' caches register here, so
#: this module needs no page module: see :func:`on_release`).
_on_release: list = []
#: What to start when a version's cube is first loaded (the warming of ui.profile).
_on_new_cube: list = []


def on_release(clear) -> None:
    """Have ``clear()`` called when old versions are released (a cached page model's
    ``.clear``)."""
    _on_release.append(clear)


def on_new_cube(start) -> None:
    """Have ``start(view_version)`` called when a view version's cube is first loaded
    (warming its default views)."""
    if start not in _on_new_cube:
        _on_new_cube.append(start)


@st.cache_resource(max_entries=4)
def _reader(path: str, version_id: str) -> Reader:
    return Reader(open_store(path), version_id)


def reader() -> Reader:
    return _once("reader", lambda: _reader(str(store().root), version()))


def reader_of(view_version_id: str) -> Reader:
    """The DuckDB reader of a view version's data version (shared; one cursor per thread):
    the read path of the results computed at publish (:mod:`data.query`)."""
    return _reader(str(store().root), _split(view_version_id)[0])


def framework_name(view_version_id: str) -> str:
    """The framework a view version shows: the one it names, else its version's default."""
    fw = _split(view_version_id)[1]
    if fw:
        return fw
    return _frameworks(str(store().root), _split(view_version_id)[0])[0]


@st.cache_resource(max_entries=4, show_spinner=False)
def _all_tables(path: str, version_id: str) -> dict[str, pd.DataFrame]:
    return open_store(path).tables(version_id)


# ------------------------------------------------------------------ frameworks
# A store may hold several indicator frameworks (MIPEX-R's regional indicators, MIPEX's
# national ones): their scores cannot be mixed on one page, so every page shows one. The
# framework in view is part of the "view version" the cached loaders are keyed on:
# ``<version>`` for the version's default framework, ``<version>@<framework>`` for another.

FRAMEWORK_PARAM = "fw"
_SEP = "@"


@st.cache_resource(max_entries=8, show_spinner=False)
def _frameworks(path: str, version_id: str) -> list[str]:
    """The frameworks of a version, its default first (MIPEX-R when it is there)."""
    found = sorted(set(framework_of(_all_tables(path, version_id)["indicators"])))
    if DEFAULT_FRAMEWORK in found:
        found.remove(DEFAULT_FRAMEWORK)
        found.insert(0, DEFAULT_FRAMEWORK)
    return found or [DEFAULT_FRAMEWORK]


def _split(view_version: str) -> tuple[str, str | None]:
    version_id, _, fw = view_version.partition(_SEP)
    return version_id, fw or None


@st.cache_resource(max_entries=8, show_spinner=False)
def _tables(path: str, version_id: str) -> dict[str, pd.DataFrame]:
    """The tables of a view version: the indicators of its framework and their scores; the
    other tables whole. With one framework in the version, the version's tables as they are."""
    version, fw = _split(version_id)
    tabs = _all_tables(path, version)
    fws = _frameworks(path, version)
    if len(fws) == 1:
        return tabs
    fw = fw or fws[0]
    ind = tabs["indicators"]
    keep = (framework_of(ind) == fw).to_numpy()
    ids = set(ind.loc[keep, "indicator_id"])
    out = dict(tabs)
    out["indicators"] = ind[keep].reset_index(drop=True)
    out["scores"] = tabs["scores"][tabs["scores"]["indicator_id"].isin(ids)].reset_index(drop=True)
    return out


def frameworks() -> list[str]:
    """The frameworks of the current version, the default one first."""
    return _once("frameworks", lambda: _frameworks(str(store().root), version()))


def framework() -> str:
    """The framework in view: the sidebar's choice, else the link's ``fw``, else the
    version's default. An unknown one leaves a notice."""
    options = frameworks()
    chosen = st.session_state.get(f"w_{FRAMEWORK_PARAM}")
    if chosen in options:
        return chosen
    return url_choice(FRAMEWORK_PARAM, options, options[0], t("Index"))


def view_version() -> str:
    """The key of what the pages show: the version, plus the framework when it is not the
    version's default. Cached loaders take it where they took the version id."""
    fw = framework()
    return version() if fw == frameworks()[0] else f"{version()}{_SEP}{fw}"


def tables() -> dict[str, pd.DataFrame]:
    """The tables of the current version and framework, **shared by every session:
    read-only**.

    A resource, not data: copying (unpickling) every table on every rerun cost more than
    anything the pages computed from them. Derive (``assign``, ``copy``), never change in
    place; ``tests/test_shared_tables.py`` runs every page and checks the tables are unchanged.
    """
    return _once("tables", lambda: tables_of(view_version()))


def tables_of(view_version_id: str) -> dict[str, pd.DataFrame]:
    """The tables of a given view version (shared, read-only): what a cached page model
    keyed on the view version reads, in a run or in the warming thread."""
    tabs = _tables(str(store().root), view_version_id)
    i18n.use_data_terms(tabs.get("indicators"))  # the data's own area names per language
    return tabs


@st.cache_data(max_entries=8, show_spinner=False)
def _manifest(path: str, version_id: str) -> dict:
    return open_store(path).manifest(_split(version_id)[0])  # a view version's manifest


def manifest() -> dict:
    return _once("manifest", lambda: _manifest(str(store().root), version()))


@st.cache_resource(max_entries=4, show_spinner=False)
def _cube(path: str, version_id: str) -> Cube:
    # A resource, not data: the cube's arrays can be large and are never mutated (scoring
    # functions return new arrays), so every session shares one copy instead of unpickling.
    # ``version_id`` is a view version (see view_version): one cube per framework.
    tabs = _tables(path, version_id)
    scored = tabs["regions"].loc[tabs["regions"]["region_id"].isin(tabs["scores"]["region_id"]),
                                 "region_id"]
    cube = prepare(tabs["indicators"], tabs["scores"], regions=scored)
    for start in _on_new_cube:  # warming (ui.profile), in its own thread
        start(version_id)
    return cube


def cube() -> Cube:
    """The scoring cube of the current version (values from answers, dense arrays)."""
    return _once("cube", lambda: cube_of(view_version()))


def cube_of(view_version_id: str) -> Cube:
    """The scoring cube of a given view version (shared, read-only)."""
    return _cube(str(store().root), view_version_id)


@st.cache_resource(max_entries=8, show_spinner=False)
def _areas(view_version_id: str) -> tuple[str, ...]:
    return tuple(sorted({str(a) for a in cube_of(view_version_id).indicators["area"].dropna()}))


def areas() -> tuple[str, ...]:
    """The areas of the indicators in view, sorted (once per view version)."""
    return _areas(view_version())


def target_groups() -> list[str]:
    """The target groups with scores in this version (TCN, BIP; "ALL" when both)."""
    return _groups_editions(view_version())[0]


def editions() -> list:
    """The editions with scores in this version, newest first."""
    return _groups_editions(view_version())[1]


@st.cache_resource(max_entries=8, show_spinner=False)
def _groups_editions(view_version_id: str) -> tuple[list[str], list]:
    scores = tables_of(view_version_id)["scores"]
    present = set(scores["target_group"].dropna().astype(str))
    groups = [g for g in ("TCN", "BIP") if g in present]
    groups += ["ALL"] if len(groups) == 2 else []
    return groups, sorted(scores["edition"].dropna().unique().tolist(), reverse=True)


def illustrative_flags(man: dict, fw: str | None = None) -> dict[str, bool]:
    """The manifest's "illustrative" flags as they apply to the framework in view: the
    default dataset holds the regional index only, so another framework's indicators and
    scores came from an import and are not illustrative."""
    flags = {t_: bool(v) for t_, v in (man.get("illustrative") or {}).items()}
    if fw is not None and fw != DEFAULT_FRAMEWORK:
        flags.update({"indicators": False, "scores": False})
    return flags


def framework_of_view(view_version_id: str) -> str | None:
    """The framework a view version names (None: the version's default)."""
    return _split(view_version_id)[1]


def is_illustrative(table: str | None = None) -> bool:
    flags = illustrative_flags(manifest(), framework())
    return bool(flags.get(table)) if table else any(flags.values())


# ------------------------------------------------------------------ view state in the URL

def notice(text: str):
    """Remember a message about the URL to show at the top of the page."""
    st.session_state.setdefault(NOTICES_KEY, [])
    if text not in st.session_state[NOTICES_KEY]:
        st.session_state[NOTICES_KEY].append(text)


def show_notices():
    for text in st.session_state.pop(NOTICES_KEY, []):
        st.info(safe.md(text), icon="ℹ️")


def url_choice(key: str, options: list, default, label: str) -> object:
    """The value of URL parameter ``key`` if it is one of ``options``, else ``default``.

    An unknown value leaves a notice naming it (never a traceback). Options are compared
    as text, since everything in a URL is text.
    """
    raw = st.query_params.get(key)
    if raw is None:
        return default
    by_text = {str(o): o for o in options}
    if raw in by_text:
        return by_text[raw]
    notice(t("The link asked for {label} “{value}”, which is not in the data; showing {default} "
             "instead.", label=label, value=safe.clip(raw), default=default))
    return default


def url_choices(key: str, options: list, default: list, label: str, max_items: int | None = None
                ) -> list:
    """Several values from a comma-separated URL parameter; unknown ones are dropped with a notice."""
    raw = st.query_params.get(key)
    if raw is None:
        return default
    by_text = {str(o): o for o in options}
    items = list(dict.fromkeys(p for p in raw.split(",") if p))  # a repeated id counts once
    unknown = [p for p in items if p not in by_text]
    if unknown:
        notice(t("The link asked for {label} “{value}”, which is not in the data; it was left out.",
                 label=label, value=safe.clip(", ".join(unknown))))
    chosen = [by_text[p] for p in items if p in by_text]
    if max_items and len(chosen) > max_items:
        notice(t("At most {n} {label} can be shown; the first {n} were kept.", n=max_items,
                 label=label))
        chosen = chosen[:max_items]
    return chosen or default


_WRITTEN = "_url_written"


def url_changed(key: str) -> bool:
    """True when URL parameter ``key`` is not what the app last wrote there: a link (from
    another page or another region) or a hand-edited URL. Then the link wins over the
    session's remembered choice — a link reproduces its view."""
    raw = st.query_params.get(key)
    written = st.session_state.get(_WRITTEN, {})
    return raw is not None and (key not in written or written[key] != raw)


def url_widget(widget, key: str, options: list, default, label: str, **kwargs):
    """A selectbox/radio/segmented control whose value lives in the URL as ``key``."""
    initial = url_choice(key, options, default, label)
    wkey = f"w_{key}"
    if wkey not in st.session_state or st.session_state[wkey] not in options \
            or url_changed(key):
        st.session_state[wkey] = initial
    else:
        # A choice made on another page's widget of the same key (the region, say) is not
        # handed to this page's widget by Streamlit, which would fall back to the first
        # option: hand it over explicitly.
        st.session_state[wkey] = st.session_state[wkey]
    value = widget(label, options, key=wkey, **kwargs)
    set_param(key, value)
    return value


def url_multi(key: str, options: list, default: list, label: str, max_items=None, **kwargs):
    """A multiselect whose values live in the URL as a comma-separated ``key``."""
    initial = url_choices(key, options, default, label, max_items)
    wkey = f"w_{key}"
    if wkey not in st.session_state or not set(st.session_state[wkey]) <= set(options) \
            or url_changed(key):
        st.session_state[wkey] = initial
    else:
        st.session_state[wkey] = list(st.session_state[wkey])  # as in url_widget
    value = st.multiselect(label, options, key=wkey, max_selections=max_items, **kwargs)
    set_param(key, ",".join(map(str, value)) if value else None)
    return value


def set_param(key: str, value):
    """Write a URL parameter only when it changes (each write costs a message to the browser),
    and remember what was written (:func:`url_changed`)."""
    written = st.session_state.setdefault(_WRITTEN, {})
    if value is None or value == "":
        if key in st.query_params:
            del st.query_params[key]
        written.pop(key, None)
        return
    text = str(value)
    written[key] = text
    if st.query_params.get(key) != text:
        st.query_params[key] = text


# ------------------------------------------------------------------ map boundaries

@st.cache_resource(show_spinner=False)
def _boundaries(path: str | None, files: tuple = ()):
    """Boundaries of a folder or file, loaded once per set of files (``files``: names and
    modification times, so a fetched file is picked up on the next run)."""
    import geo
    return geo.load_boundaries(path)


def _files_signature(path) -> tuple:
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in path.iterdir() if p.suffix == ".geojson"))
    except OSError:
        return ()


@st.cache_resource(show_spinner=False, max_entries=8)
def _boundary_needs(version_id: str, _regions) -> tuple:
    """The (NUTS edition, level) pairs the regions table of a data version needs (once per
    version, keyed on its id: a store of 100,000 regions would otherwise scan them on every run)."""
    from geo import fetch as gf

    return tuple(gf.needed(_regions))


def boundary_cache_dir():
    """Where fetched boundaries are kept: ``<store>/boundaries`` (for the shared lake store:
    ``<data_path>/boundaries`` when that is a folder, else ``data/boundaries`` in the checkout)."""
    from pathlib import Path

    from data.config import REPO_ROOT

    cfg = _with_secrets(settings())
    if not cfg.catalog:
        return Path(cfg.store_path) / "boundaries"
    if cfg.data_path and "://" not in cfg.data_path:
        base = Path(cfg.data_path)
        return (base if base.is_absolute() else REPO_ROOT / base) / "boundaries"
    return REPO_ROOT / "data" / "boundaries"


@st.cache_resource(show_spinner=False)
def _no_boundaries():
    """The empty boundaries every points-only map shares (read-only)."""
    import geo

    return geo.boundaries.empty_boundaries()


def boundaries():
    """Region polygons for every map, and a one-line note when there are none.

    ``MIPEXR_BOUNDARIES`` unset: the GISCO files the regions table needs (its levels and
    NUTS 0, in its NUTS edition) are fetched in the background into ``<store>/boundaries``
    once and read from there (:mod:`geo.fetch`); until they arrive, or when the server is
    offline, the maps show points and the note says so. ``off``: points, no download. A
    folder or file: those boundaries, no download. Returns ``(GeoDataFrame, note or None)``.
    """
    key, note = boundaries_key()
    return boundaries_of(key), note


def boundaries_of(key: tuple):
    """The boundaries a :func:`boundaries_key` names (shared, read-only): ``("none",)``
    for points only, else ``(path, files)``."""
    if key == ("none",):
        return _no_boundaries()  # one shared object
    return _boundaries(*key)


def boundaries_key() -> tuple[tuple, str | None]:
    """Which boundaries the maps use now, as a hashable key for cached maps
    (:func:`boundaries_of`), and the note to show (see :func:`boundaries`)."""
    import os

    from geo import fetch as gf

    none = ("none",)
    mode, path = gf.source(os.environ.get("MIPEXR_BOUNDARIES"), boundary_cache_dir())
    if mode == "off":
        return none, t("Regions are shown as points: map boundaries are turned off (MIPEXR_BOUNDARIES=off).")
    if mode == "path":
        if not path.exists():
            return none, t("Regions are shown as points: the boundary folder or file {d} does not exist.",
                           d=str(path))
        return (str(path), _files_signature(path) if path.is_dir() else ()), None
    status = gf.fetcher(path).ensure(_boundary_needs(version(), tables()["regions"]))
    files = _files_signature(path)
    key = (str(path), files) if files else none
    if len(boundaries_of(key)):
        return key, None
    if status.state == "failed":
        return none, t("Regions are shown as points: the map boundaries could not be downloaded from "
                       "Eurostat GISCO (is the server offline?). Trying again later.")
    return none, t("Regions are shown as points until the map boundaries arrive from Eurostat GISCO "
                   "(a one-time download).")
