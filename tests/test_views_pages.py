"""The page models of Compare, Gaps, Methodology, the Integration Lab, the workshop and the
brief (``views/``) and the one cache idiom in front of them (``ui/``).

* ``views`` import no Streamlit: they are tested like ``scoring/``;
* every cached function in these pages' ``ui`` modules is keyed on scalars and tuples — no
  argument Streamlit leaves out of the key (``_cube``), no identity keys (``ui.memo``);
* a warm rerun recomputes nothing: the models are called once per view, not once per rerun
  (the Integration Lab's map at 1,000 regions cost 0.4 s a rerun before).
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scoring
from conftest import open_page as conftest_open_page
from data.demo import build_demo
from data.imports import derive

ROOT = Path(__file__).resolve().parent.parent
VIEWS = ("compare", "gaps", "methodology", "lab", "workshop", "brief")
CACHED_UI = ("ui.compare", "ui.gaps", "ui.practices", "ui.workshop")
EDITION, GROUP = 2024, "TCN"


@pytest.fixture(scope="module")
def demo():
    tabs = derive(build_demo())
    regs = tabs["regions"]
    scored = regs.loc[regs["region_id"].isin(tabs["scores"]["region_id"]), "region_id"]
    cube = scoring.prepare(tabs["indicators"], tabs["scores"], regions=scored)
    return tabs, cube


# ------------------------------------------------------------------ floors

def test_views_import_no_streamlit():
    code = ("import sys\n"
            + "".join(f"import views.{v}\n" for v in VIEWS)
            + "print(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_no_identity_keyed_cache_in_these_pages():
    owned = [*(ROOT / "ui" / f"{m}.py" for m in ("compare", "gaps", "practices", "workshop",
                                                 "brief", "proposals")),
             *(ROOT / "pages" / f"{p}.py" for p in ("compare", "gaps", "methodology", "practices",
                                                   "workshop", "brief")),
             *(ROOT / "views" / f"{v}.py" for v in VIEWS)]
    for path in owned:
        text = path.read_text()
        assert "memo." not in text and "import memo" not in text, path.name
        assert "st.cache_data" not in text or path.name == "brief.py", path.name  # brief: the files


def cached_functions():
    import importlib

    from streamlit.runtime.caching.cache_utils import CachedFunc

    for name in CACHED_UI:
        module = importlib.import_module(name)
        for attr, obj in vars(module).items():
            if isinstance(obj, CachedFunc):
                yield f"{name}.{attr}", obj._info.func


def test_cached_functions_are_keyed_on_the_view_version_and_scalars():
    found = dict(cached_functions())
    assert {"ui.compare.compare_view", "ui.gaps.gap_view", "ui.practices.lab_map",
            "ui.workshop._what_if"} <= set(found)
    for name, func in found.items():
        params = list(inspect.signature(func).parameters)
        # an argument named "_x" is left out of the key: the cache would hit on another's data
        assert not [p for p in params if p.startswith("_")], name
        if name != "ui.practices._search_index":  # the search index: (store path, version)
            assert params[0] == "view_version", name


# ------------------------------------------------------------------ the models, pure

def test_compare_chart_frame_adds_the_mean_as_a_series(demo):
    from views import compare as V

    _tabs, cube = demo
    table = scoring.aggregate(cube, by=("area",))
    table = table[(table["edition"] == EDITION) & (table["target_group"] == GROUP)]
    ov = scoring.overall(cube)
    ov = ov[(ov["edition"] == EDITION) & (ov["target_group"] == GROUP)]
    ids = [str(r) for r in cube.regions[:3]]
    labels = {r: f"label {r}" for r in ids}
    for vs in V.VS:
        long = V.compare_long(table, ov, ids, "area", vs)
        data = V.chart_frame(long, "area", labels, vs)
        series = set(data["series"])
        assert set(labels.values()) <= series
        assert (len(series) == 3) == (vs == "first")  # a mean is a fourth series
        # the chart leaves the overall row out; every area is drawn for every region
        n_areas = table["area"].nunique()
        assert (data["region_id"] != "").sum() == 3 * n_areas


def test_gap_wide_sorts_by_overall_deficit(demo):
    from views import gaps as V

    tabs, cube = demo
    table = scoring.aggregate(cube, by=("area",))
    table = table[(table["edition"] == EDITION) & (table["target_group"] == GROUP)]
    ov = scoring.overall(cube)
    ov = ov[(ov["edition"] == EDITION) & (ov["target_group"] == GROUP)].assign(overall="Overall")
    long = V.gap_long(table, "area", "best")
    ov_long = V.gap_long(ov, "overall", "best")
    names = tabs["regions"].set_index("region_id")["name"]
    wide = V.gap_wide(long, "area", V.axis_order(table, "area"), names, ov_long)
    gaps = wide["Overall"].to_numpy(float)
    finite = gaps[np.isfinite(gaps)]
    assert len(finite) and (np.diff(finite) >= 0).all()  # largest deficit first
    assert np.nanmax(gaps) == 0  # the best region is its own reference
    assert len(wide) == ov["region_id"].nunique()


def test_methodology_model(demo):
    from views import methodology as V

    tabs, cube = demo
    ind = tabs["indicators"]
    area = sorted(ind["area"].dropna().unique())[0]
    listed = V.indicator_list(ind, [area])
    assert len(listed) == int((ind["area"] == area).sum()) and set(listed["Area"]) == {area}
    eds = [int(e) for e in cube.editions]
    comp = V.edition_comparability(cube, GROUP, eds[0], eds[-1])
    assert comp["Area"].iloc[-1] == "Overall"
    assert (comp["Not comparable"] <= comp["Regions"]).all()
    assert V.answer_text("A=100;B=50;C=0") == "A → 100 · B → 50 · C → 0"


def test_lab_why_names_the_gap_and_the_source():
    from views.lab import why

    row = pd.Series({"gap": -12.34, "area": "health", "source_score": 81.25, "source_rank": 2,
                     "n_ranked": 25, "region_name": "Elsewhere", "matched": "health;education"})
    text = why(row, "Home")
    assert text.startswith("Home is -12.3 points below its peers' mean in health;")
    assert "Elsewhere scores 81.3 there (2nd of 25 regions)." in text
    assert text.endswith("Also covers: education.")
    unscored = row.copy()
    unscored["source_score"] = np.nan
    assert "Elsewhere has no health score in this view." in why(unscored, "Home")


# ------------------------------------------------------------------ one computation per view

def open_page(tmp_path, monkeypatch, page, **params):
    """The page in a fresh process state (:func:`conftest.open_page` with empty caches)."""
    return conftest_open_page(tmp_path, monkeypatch, page, fresh_caches=True, timeout=120,
                              **params)


def counting(monkeypatch, module, name) -> list:
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.mark.parametrize("page, module, names", [
    ("pages/compare.py", "ui.compare", ("compare_long", "gap_table", "chart_frame")),
    ("pages/gaps.py", "ui.gaps", ("gap_long", "gap_wide", "band_frame", "rank_band_chart")),
    ("pages/methodology.py", "ui.compare", ("edition_comparability", "indicator_list",
                                            "data_dictionary")),
])
def test_a_warm_rerun_recomputes_nothing(tmp_path, monkeypatch, page, module, names):
    import importlib

    mod = importlib.import_module(module)
    calls = [counting(monkeypatch, mod, n) for n in names]
    at = open_page(tmp_path, monkeypatch, page)
    first = [len(c) for c in calls]
    assert all(first), dict(zip(names, first))  # the page did compute them (cold caches)
    at.run()
    at.run()
    assert not at.exception
    assert [len(c) for c in calls] == first, dict(zip(names, [len(c) for c in calls]))


def test_lab_warm_rerun_builds_no_map_and_filters_nothing(tmp_path, monkeypatch):
    import geo
    from ui import practices as P

    matched = counting(monkeypatch, geo, "match_regions")
    shown = counting(monkeypatch, P, "results")
    at = open_page(tmp_path, monkeypatch, "pages/practices.py")
    assert matched and shown
    before = (len(matched), len(shown))
    at.run()
    assert not at.exception
    assert (len(matched), len(shown)) == before
    # a new view (another shading) builds its regions, not the practices' results again
    at.selectbox(key="w_shade").select_index(1).run()
    assert not at.exception
    assert len(matched) == before[0] + 1 and len(shown) == before[1]
