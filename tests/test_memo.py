"""ui.memo: results remembered by argument values / identities and the language; and the
shared tables stay untouched however the pages are used (they are shared, read-only)."""

from __future__ import annotations

import gc
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from ui import i18n, memo

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def counted():
    calls = []

    @memo.cached(max_entries=3)
    def f(*args, **kwargs):
        calls.append((args, kwargs))
        return [len(calls)]

    return f, calls


def test_same_values_same_result_object():
    f, calls = counted()
    a = f("ES51", 2024, peers=["ES62", "ITF3"], w={"health": 2.0})
    b = f("ES51", 2024, peers=["ES62", "ITF3"], w={"health": 2.0})
    assert a is b and len(calls) == 1
    assert f("ES51", 2024, peers=["ES62"], w={"health": 2.0}) is not a  # a list item differs
    assert f("ES51", 2024, peers=["ES62", "ITF3"], w={"health": 3.0}) is not a
    assert len(calls) == 3


def test_frames_by_identity_and_kept_alive():
    f, calls = counted()
    frame = pd.DataFrame({"x": [1, 2]})
    first = f(frame)
    assert f(frame) is first and len(calls) == 1
    assert f(frame.copy()) is not first  # equal values, another object: computed again
    # the entry holds the frame, so its id cannot be given to a new object meanwhile
    ident = id(frame)
    del frame
    gc.collect()
    assert any(ref is not None and id(ref) == ident
               for _, refs in f.memo.entries.values() for ref in refs)


def test_language_is_part_of_the_key():
    f, calls = counted()
    before = i18n.language()
    try:
        i18n.set_language("en")
        en = f("x")
        i18n.set_language("fr")
        fr = f("x")
        assert fr is not en and len(calls) == 2
        i18n.set_language("en")
        assert f("x") is en
    finally:
        i18n.set_language(before)


def test_bounded_least_recently_used_go_first():
    f, calls = counted()
    a = f(1)
    f(2)
    f(3)
    assert f(1) is a  # 1 is now the most recent
    f(4)  # evicts 2
    assert len(f.memo.entries) == 3
    n = len(calls)
    f(2)
    assert len(calls) == n + 1
    assert f(1) is a


def test_lists_changed_in_place_are_new_keys():
    """Lists and dicts are keys by their items at call time, so changing one in place
    (a multiselect's list) does not return the result computed for the old items."""
    f, calls = counted()
    peers = ["ES62"]
    a = f(peers)
    peers.append("ITF3")
    assert f(peers) is not a and len(calls) == 2
    assert f(["ES62"]) is a


# ----------------------------------------------------------------- the shared tables

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
    shows the same tables as the first (remembered results are not altered by the page)."""
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


def test_concurrent_callers_of_one_key_compute_it_once():
    """Single flight: sessions asking for the same result at once wait for one computation."""
    import threading
    import time

    calls = []

    @memo.cached
    def slow(x):
        calls.append(x)
        time.sleep(0.3)
        return [x]

    results = []
    threads = [threading.Thread(target=lambda: results.append(slow("ES51"))) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert calls == ["ES51"]
    assert len(results) == 6 and all(r is results[0] for r in results)


def test_a_failed_computation_is_not_remembered_and_waiters_retry():
    import threading
    import time

    calls = []

    @memo.cached
    def flaky(x):
        calls.append(x)
        time.sleep(0.2)
        if len(calls) == 1:
            raise ValueError("first call fails")
        return [x]

    errors, results = [], []

    def call():
        try:
            results.append(flaky(1))
        except ValueError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for th in threads:
        th.start()
        time.sleep(0.02)
    for th in threads:
        th.join()
    assert len(errors) == 1 and len(results) == 2  # one waiter computed it for both
    assert len(calls) == 2
    n = len(calls)
    assert flaky(1) == [1] and len(calls) == n  # and then it is remembered


def test_warmed_pages_compute_nothing_again(monkeypatch, tmp_path):
    """profile.warm() mirrors the Overview's and the Region profile's default calls: after
    it, opening either page (any region, any group) computes nothing again."""
    from ui import profile, state

    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    tabs, cube = state.tables(), state.cube()  # the objects the pages get
    assert profile.warm(cube, tabs) == len(profile.scored_regions(cube, tabs["regions"])) * 3
    region = profile.scored_regions(cube, tabs["regions"])["region_id"].iloc[-1]
    for page, params in (("pages/region.py", {"region": region, "group": "BIP"}),
                         ("pages/region.py", {"region": region, "group": "ALL"}),
                         ("pages/overview.py", {"group": "TCN"})):
        for k, v in params.items():
            at.query_params[k] = v
        at.switch_page(page)
        before = {t: t.misses for t in memo._TABLES}
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        missed = {t.name: t.misses - before.get(t, 0) for t in memo._TABLES
                  if t.misses - before.get(t, 0) and t.name.startswith("ui.")}
        assert not missed, (page, params, missed)


def test_a_newly_loaded_version_is_warmed_in_the_background(monkeypatch, small_store):
    """Loading a version's cube starts the warming thread (unless MIPEXR_WARM=0); when it
    is done the Overview and every profile of the version are remembered."""
    from ui import profile, state

    tabs = small_store.tables(small_store.current_id())
    scored = tabs["regions"]["region_id"][tabs["regions"]["region_id"].isin(
        tabs["scores"]["region_id"])]
    cube = state.prepare(tabs["indicators"], tabs["scores"], regions=scored)
    monkeypatch.setenv("MIPEXR_WARM", "0")
    assert state.start_warming(tabs, cube) is None
    monkeypatch.setenv("MIPEXR_WARM", "1")
    thread = state.start_warming(tabs, cube)
    assert thread is not None and thread.name == "mipexr-warm"
    thread.join(120)
    assert not thread.is_alive()
    before = profile.radar_frame.memo.misses
    assert profile.warm(cube, tabs) == len(cube.regions) * len(cube.groups)  # all remembered
    assert profile.radar_frame.memo.misses == before


def test_a_new_version_forgets_what_was_remembered_for_the_old_one(small_store):
    """Remembered results hold the old version's tables and cube; loading a new version's
    tables lets them go (correctness does not depend on it: new objects, new keys)."""
    from data.imports import derive
    from ui import profile, state

    root, old = str(small_store.root), small_store.current_id()
    tabs = state._tables(root, old)
    cube = state._cube(root, old)
    profile.axis_table(cube, "area")
    assert profile.axis_table.memo.entries
    new_tables = derive(small_store.tables(old))
    new_tables["scores"] = new_tables["scores"].assign(note="re-checked")
    small_store.publish(new_tables, base_version=old, who="test", note="new", illustrative={})
    state._tables(root, small_store.current_id())
    assert not any(ref is cube or ref is tabs["regions"]
                   for _, refs in profile.axis_table.memo.entries.values() for ref in refs)
