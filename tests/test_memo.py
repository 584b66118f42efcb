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
    from data.store import open_store

    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    from ui import state

    store = open_store(tmp_path / "store")
    shared = state._tables(str(store.root), store.current_id())
    before = table_hashes(shared)
    for lang in ("en", "de"):
        at.query_params["lang"] = lang
        for group in ("TCN", "BIP"):
            at.query_params["group"] = group
            for page in PAGES:
                at.switch_page(page)
                at.run()
                assert not at.exception, (page, [e.value for e in at.exception])
                first = [d.value.copy() for d in at.dataframe]
                at.run()
                second = [d.value for d in at.dataframe]
                assert len(first) == len(second), page
                for a, b in zip(first, second):
                    pd.testing.assert_frame_equal(a, b)
    assert state._tables(str(store.root), store.current_id()) is shared
    assert table_hashes(shared) == before
