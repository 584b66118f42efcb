"""Area names per language in the data (the indicators' ``area_<lang>`` columns) win over
the interface's catalogue, wherever an area name is shown; without them, the catalogue."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from data.imports import Upload, ensure_default, plan_import, publish_plan
from data.store import Store
from ui import i18n

APP = str(Path(__file__).resolve().parent.parent / "app.py")
OWN = "logement (terme des données)"


def test_term_prefers_the_datas_name_then_the_catalogue(monkeypatch):
    ind = pd.DataFrame({"area": ["housing", "health", "new strand"],
                        "area_fr": [OWN, None, "nouveau volet"]})
    i18n.use_data_terms(ind)
    try:
        monkeypatch.setattr(i18n, "language", lambda: "fr")
        assert i18n.term("housing") == OWN
        assert i18n.term("health") == i18n.t("health") != "health"  # the catalogue's
        assert i18n.term("new strand") == "nouveau volet"  # an area the catalogue lacks
        assert i18n.term("Cataluña") == "Cataluña"  # data, not vocabulary
        monkeypatch.setattr(i18n, "language", lambda: "de")
        assert i18n.term("housing") == i18n.t("housing")
    finally:
        i18n.use_data_terms(pd.DataFrame({"area": []}))


def test_the_pages_show_the_datas_area_names(settings, monkeypatch):
    store = Store(settings.store_path)
    ensure_default(store)
    ind = store.tables()["indicators"].copy()
    ind["area_fr"] = ind["area"].map({"housing": OWN})
    buf = io.StringIO()
    ind.to_csv(buf, index=False)
    plan = plan_import(store, [Upload("indicators.csv", buf.getvalue().encode())], settings)
    assert plan.ok, plan.problems.to_string()
    publish_plan(store, plan, who="test")
    monkeypatch.setenv("MIPEXR_STORE", str(store.root))
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        # AppTest calls widgets' format_func (which translate) in this thread
        i18n.set_language("fr")
        at = AppTest.from_file(APP, default_timeout=90)
        at.query_params["lang"] = "fr"
        at.run()
        at.switch_page("pages/region.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = " ".join(str(m.value) for m in at.markdown) + " ".join(
            " ".join(map(str, d.value.astype(str).to_numpy().ravel())) for d in at.dataframe)
        assert OWN in shown or OWN.replace("(", "\\(") in shown
    finally:
        i18n.set_language("en")
        i18n.use_data_terms(pd.DataFrame({"area": []}))
        st.cache_resource.clear()
        st.cache_data.clear()
