"""Shared fixtures: tiny valid tables, a store in tmp_path, and a store hash helper."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Shared, loaded machines: a property test must not fail because one example was slow.
hypothesis_settings.register_profile("mipexr", deadline=None)
hypothesis_settings.load_profile("mipexr")

# Warming the page caches after a version is loaded costs seconds of CPU per store; tests
# create many stores. tests/test_shared_tables.py turns it on where it is the subject.
os.environ.setdefault("MIPEXR_WARM", "0")
# Tests fill the proposal form in milliseconds; tests/test_security.py sets the proof-of-human
# delay where it is the subject.
os.environ.setdefault("MIPEXR_PROPOSALS_MIN_SECONDS", "0")
# The app fetches map boundaries from GISCO when none are configured; tests never go to the
# internet: the default source is a closed loopback port (the app then works offline, with
# points), and tests of the download serve the real files from a local server.
os.environ.setdefault("MIPEXR_GISCO_URL", "http://127.0.0.1:9/nuts/")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"

from data.config import Settings  # noqa: E402
from data.schema import TABLE_ORDER  # noqa: E402
from data.store import Store  # noqa: E402

REGIONS_CSV = """region_id,name,country,level,parent_id,lat,lon,nuts_version
ES,España,ES,NUTS0,,40.2,-3.6,2021
ES51,Cataluña,ES,NUTS2,ES,41.8,1.5,2021
ES62,Región de Murcia,ES,NUTS2,ES,38.0,-1.5,2021
ITF3,Campania,IT,NUTS2,,40.9,14.8,2021
"""
INDICATORS_CSV = """indicator_id,label,question,area,phase,system,target_groups,answers,weight,kind,direction,unit,source
LM01,Labour strategy,Is there a strategy?,labour market,formulation,actions,TCN;BIP,A=100;B=50;C=0,1,policy,1,points,test
LM02,Job counselling,Is counselling offered?,labour market,implementation,resources,TCN;BIP,A=100;B=50;C=0,1,policy,1,points,test
HE01,Health access,Is care free?,health,output,actions,TCN;BIP,A=100;B=50;C=0,1,policy,1,points,test
HE02,Health evaluation,Is access evaluated?,health,evaluation,actors & relations,BIP,A=100;B=0,1,policy,1,points,test
"""
SCORES_CSV = """region_id,indicator_id,target_group,edition,answer,value,note,source
ES51,LM01,TCN,2024,A,,,
ES51,LM02,TCN,2024,B,,,
ES51,HE01,TCN,2024,A,,,
ES62,LM01,TCN,2024,C,,,
ES62,HE01,TCN,2024,,50,,
ITF3,LM01,TCN,2024,B,,,
ITF3,HE02,BIP,2024,A,,,
"""
PRACTICES_CSV = """practice_id,title,region_id,lat,lon,areas,target_groups,authority_role,stakeholders,criteria,funding,start_year,end_year,summary,lessons_learnt,transferability_tips,url,language
P1,One-stop shop,ES51,,,labour market,TCN;BIP,direct,NGOs,innovation,AMIF,2019,,A desk.,Co-location.,Start small.,https://example.org/p1,en
"""
OUTCOMES_CSV = """region_id,measure,group,year,value,unit,flag,source
ES51,employment_rate_20_64,NAT,2023,70.1,PC,,lfst_r_lfe2emprtn
ES51,employment_rate_20_64,NEU27_2020_FOR,2023,58.2,PC,u,lfst_r_lfe2emprtn
"""
MEASURES_CSV = """measure,label,unit,direction,areas,basis,reference_group,migrant_group,position,source,note
employment_rate_20_64,"Employment rate, 20–64",%,1,labour market,citizenship,NAT,NEU27_2020_FOR,1,lfst_r_lfe2emprtn,
"""
CSV = {"regions": REGIONS_CSV, "indicators": INDICATORS_CSV, "scores": SCORES_CSV,
       "practices": PRACTICES_CSV, "outcomes": OUTCOMES_CSV, "measures": MEASURES_CSV}


def shown(markdown: str) -> str:
    """What a reader sees of Markdown that went through ui.safe.md: backslash escapes
    resolved and the invisible joiners that stop autolinks removed (AppTest gives an
    element's Markdown source, not its rendering)."""
    import re

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(markdown)).replace("\u2060", "")


def open_page(tmp_path, monkeypatch, page, *, fresh_caches: bool = False, timeout: int = 60,
              **params):
    """Run app.py on the store in ``tmp_path``, then open ``page`` with the URL ``params``.
    ``fresh_caches``: empty Streamlit's caches first (they are shared by the whole process,
    and other tests may have filled them for the same data version)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    if fresh_caches:
        st.cache_resource.clear()
        st.cache_data.clear()
    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.run()
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tree_hash(root: Path) -> str:
    """sha256 over every file's path and bytes under ``root`` (the store is unchanged ⇔ equal)."""
    h = hashlib.sha256()
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(store_path=tmp_path / "store", keep_versions=5,
                    max_upload_bytes=5 * 1024 * 1024, max_rows=100_000)


@pytest.fixture
def small_store(settings) -> Store:
    """A store whose current version holds the tiny tables above."""
    from data.imports import Upload, plan_import, publish_plan

    store = Store(settings.store_path, settings.keep_versions)
    uploads = [Upload(f"{t}.csv", CSV[t].encode(), t) for t in TABLE_ORDER]
    plan = plan_import(store, uploads, settings)
    assert plan.ok, plan.problems.to_string()
    publish_plan(store, plan, who="test", note="fixture")
    return store


@pytest.fixture(autouse=True)
def _apptest_uses_navigation():
    """AppTest resets Streamlit's "pages directory" flag before every run, so with a
    ``pages/`` folder each run after the first would start in the old pages-folder mode,
    where ui/frame.py reruns the page inside app.py — and a button click of that run would
    be lost. The real server turns the flag off once for the process (``st.navigation``);
    this does the same for every AppTest."""
    from ui import compat

    with compat.apptest_navigation():
        yield


@pytest.fixture(scope="session")
def demo():
    """The default dataset's tables and its scoring cube (the scored regions only)."""
    import scoring
    from data.demo import build_demo

    tabs = build_demo()
    scored = tabs["regions"].loc[tabs["regions"]["region_id"].isin(tabs["scores"]["region_id"]),
                                 "region_id"]
    return tabs, scoring.prepare(tabs["indicators"], tabs["scores"], regions=scored)
