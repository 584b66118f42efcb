"""The shared tables stay untouched however the pages are used (they are shared, read-only);
the pages' per-view caches are keyed on scalars (view version, language, view), warmed by
the very functions the pages call, and emptied when a new version becomes current."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def table_hashes(tabs: dict[str, pd.DataFrame]) -> dict[str, tuple]:
    return {name: (tuple(df.columns), tuple(map(str, df.dtypes)),
                   int(pd.util.hash_pandas_object(df.astype(str), index=True).sum()))
            for name, df in tabs.items()}


PAGES = ["pages/overview.py", "pages/region.py", "pages/compare.py", "pages/gaps.py",
         "pages/practices.py", "pages/methodology.py", "pages/workshop.py", "pages/brief.py",
         "pages/propose.py"]


def test_pages_leave_the_shared_tables_unchanged(monkeypatch, tmp_path):
    """Every page, in two languages and both target groups, run twice: the tables every
    session shares (``ui.state.tables``) are exactly as loaded, and a second run of a page
    shows the same tables as the first (cached results are not altered by the page)."""
    from data.backends import open_store

    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    from ui import state

    store = open_store(tmp_path / "store")
    shared = state._tables(str(store.root), store.current_id())
    before = table_hashes(shared)
    from ui import i18n

    for lang in ("en", "de"):
        at.query_params["lang"] = lang  # a link's language wins over the session's choice
        for group in ("TCN", "BIP"):
            at.query_params["group"] = group
            for page in PAGES:
                at.switch_page(page)
                at.run()
                # AppTest formats the tree's widget values in this thread before the next
                # run: its language must be the one of the tree just rendered
                i18n.set_language(lang)
                assert not at.exception, (page, [e.value for e in at.exception])
                first = [d.value.copy() for d in at.dataframe]
                at.run()
                second = [d.value for d in at.dataframe]
                assert len(first) == len(second), page
                for a, b in zip(first, second):
                    pd.testing.assert_frame_equal(a, b)
    i18n.set_language("en")
    assert state._tables(str(store.root), store.current_id()) is shared
    assert table_hashes(shared) == before


def test_warmed_region_and_overview_compute_nothing_again(monkeypatch, tmp_path):
    """:func:`ui.profile.warm` calls the functions the pages call, with the pages' defaults:
    after it, the Overview and a Region profile (each target group) compute no model again."""
    from ui import profile, state
    from views import common as vc
    from views import overview as vo
    from views import region as vr

    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    vv = state.store().current_id()
    regions = profile.scored_of(vv)["region_id"]
    assert profile.warm(vv, "en") == len(regions) * len(profile.default_views(vv))

    calls = []
    for mod, names in ((vo, ["model", "area_summary", "map_frame"]),
                       (vr, ["radar_frame", "heat_table", "strengths_shown", "change_shown",
                             "outcome_gap", "similar_shown", "drilldown_shown"]),
                       (vc, ["practice_links", "headline_cards", "overall_table"])):
        for name in names:
            real = getattr(mod, name)

            def spy(*args, _real=real, _name=name, **kwargs):
                calls.append(_name)
                return _real(*args, **kwargs)

            monkeypatch.setattr(mod, name, spy)
            if hasattr(profile, name):
                monkeypatch.setattr(profile, name, spy)
    region = regions.iloc[-1]
    for page, params in (("pages/region.py", {"region": region, "group": "BIP"}),
                         ("pages/region.py", {"region": region, "group": "ALL"}),
                         ("pages/overview.py", {"group": "TCN"})):
        for k, v in params.items():
            at.query_params[k] = v
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        # the map is built on first view (its boundaries are known only in a session)
        assert [c for c in calls if c != "map_frame"] == [], (page, params, calls)


def test_the_warming_thread_starts_with_a_new_cube(monkeypatch, small_store):
    """Loading a view version's cube starts the warming thread (unless MIPEXR_WARM=0);
    state knows it only as a callback (ui.state imports no page module)."""
    import ast

    from ui import profile, state

    source = Path(state.__file__).read_text()
    imported = {n.module or "" for n in ast.walk(ast.parse(source))
                if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import) for a in n.names}
    assert not any("profile" in m for m in imported)
    assert "profile" not in {a.name for n in ast.walk(ast.parse(source))
                             if isinstance(n, ast.ImportFrom) for a in n.names}
    assert profile.start_warming in state._on_new_cube

    monkeypatch.setenv("MIPEXR_STORE", str(small_store.root))
    vv = small_store.current_id()
    monkeypatch.setenv("MIPEXR_WARM", "0")
    assert profile.start_warming(vv) is None
    monkeypatch.setenv("MIPEXR_WARM", "1")
    thread = profile.start_warming(vv)
    assert thread is not None and thread.name == "mipexr-warm"
    thread.join(120)
    assert not thread.is_alive()


def test_a_new_version_empties_the_page_caches(monkeypatch, small_store):
    """A new current version: the per-view caches of the old one are emptied (their entries
    hold the old version's frames), and the new version's results are computed afresh."""
    from data.imports import derive
    from ui import profile, state

    monkeypatch.setenv("MIPEXR_STORE", str(small_store.root))
    old = small_store.current_id()
    state._seen["version"] = old
    first = profile.axis_of(old, "area")
    assert profile.axis_of(old, "area") is first  # cached on the version id
    new_tables = derive(small_store.tables(old))
    new_tables["scores"] = new_tables["scores"].assign(note="re-checked")
    small_store.publish(new_tables, base_version=old, who="test", note="new", illustrative={})
    assert state._current_version() == small_store.current_id() != old  # releases the old
    assert profile.axis_of(old, "area") is not first  # emptied: computed again
