"""Small pieces every page uses: downloads of the table on screen, the data caption."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from data.export import table_csv, table_xlsx
from ui import fmt, state
from ui.i18n import N_, language, t, using


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower() or "table"


def export_frames(frame: pd.DataFrame, sheet: str = "data") -> tuple[pd.DataFrame, dict]:
    """What the downloads of ``frame`` hold: the CSV's table — rounded exactly as on screen
    (:func:`ui.fmt.rounded`, the rule stated in the data dictionary) — and the XLSX's
    sheets: that table, plus "full precision" (unrounded) when rounding changed anything."""
    shown = fmt.rounded(frame)
    sheets = {sheet: shown}
    if shown is not frame and not shown.equals(frame):
        sheets[t("full precision")] = frame
    return shown, sheets


def view_words(peers: str | None = None) -> str:
    """The view of this page as :func:`ui.export.view_text` states it in a file: the
    edition and target group of the sidebar, the peer group (``peers``, in words, when the
    page has one; else the link's ``peers`` when it names one) and the link's area weights."""
    from ui import export, params, sidebar

    view = sidebar.view()
    group = view.get("target_group")
    raw_peers = st.query_params.get(params.PEERS_PARAM)
    if peers is None and raw_peers:
        peers = {"country": t("the other regions of its country"),
                 "similar": t("the regions with the most similar profile")}.get(
            raw_peers, t("the regions chosen: {ids}", ids=raw_peers.replace(",", ", ")))
    areas = state.areas()  # the data's areas
    weights, _ = params.parse_weights(st.query_params.get(params.WEIGHTS_PARAM), areas)
    from ui.sidebar import GROUP_LABELS

    return export.view_text(view.get("edition"), t(GROUP_LABELS[group]) if group in GROUP_LABELS
                            else group, peers, params.weights_text(weights) or None)


def about_frame(view: str, tables_used=("scores",), *, version: str | None = None,
                illustrative: bool | None = None) -> pd.DataFrame:
    """The XLSX's "about" sheet: what the table shows, the data version, the source and
    whether the numbers are illustrative — the words printed under every exported chart.
    ``version``/``illustrative``: read in the run when the sheet is made later, on a click."""
    rows = [(t("Shows"), view), (t("Data version"), version or state.version()),
            (t("Source"), t("Source: MIPEX-R (REGIN project)"))]
    if illustrative if illustrative is not None else \
            any(state.is_illustrative(tb) for tb in tables_used):
        rows.append((t("Note"), t("illustrative data, not MIPEX-R results")))
    return pd.DataFrame(rows, columns=[t("Item"), t("Value")])


def downloads(frame: pd.DataFrame, name: str, key: str | None = None):
    """CSV and XLSX buttons for exactly the table shown on screen (same rounding); the
    XLSX has a sheet "about" saying what the table shows (:func:`about_frame`)."""
    slug = _slug(name)
    version = state.version()
    key = key or slug
    words, illustrative = view_words(), state.is_illustrative("scores")
    lang = language()

    def xlsx():  # made on click, outside this run: in this run's language and view
        with using(lang):
            about = about_frame(words, version=version, illustrative=illustrative)
            return table_xlsx({**export_frames(frame, slug)[1], t("about"): about})

    # One horizontal container, not two columns: two elements fewer on every rerun.
    row = st.container(horizontal=True, gap="small")
    # The files are built only when a button is clicked (a deferred download): building an
    # XLSX on every rerun cost seconds on large tables.
    row.download_button(t("Download CSV"), lambda: table_csv(export_frames(frame)[0]),
                        f"{slug}-{version}.csv",
                        "text/csv",
                        key=f"dl-csv-{key}", on_click="ignore", width="stretch")
    row.download_button(t("Download XLSX"),
                        xlsx,
                        f"{slug}-{version}.xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"dl-xlsx-{key}", on_click="ignore", width="stretch")


def data_caption(tables: tuple[str, ...] = ("scores",)):
    """Under a chart or table: which data version, and whether the numbers are illustrative."""
    text = t("Data version {v}.", v=state.version())
    if any(state.is_illustrative(tb) for tb in tables):
        text += " " + t("Illustrative data, not MIPEX-R results.")
    st.caption(text)


#: Who published the default dataset and its note, as the manifest holds them (written by
#: data/imports.py and data/demo.py in English); shown in the interface language.
#: tests/test_screens.py checks that they still match the data module's words.
DEFAULT_PUBLISHER = "default dataset"
_MANIFEST_WORDS = {
    DEFAULT_PUBLISHER: N_("default dataset"),
    "Demo data. The policy scores, outcome figures and Integration Lab practices are "
    "illustrative: they were generated to follow the published REGIN findings qualitatively "
    "(most favourable in health and education, least in employment, housing and vocational "
    "training; evaluation weakest; external stakeholders involved only sporadically). They are "
    "not MIPEX-R results and the practices are fictional. Region codes, names and coordinates "
    "are real (NUTS 2021; Eurostat GISCO label points; © EuroGeographics for the administrative "
    "boundaries).":
    N_("Demo data. The policy scores, outcome figures and Integration Lab practices are "
       "illustrative: they were generated to follow the published REGIN findings qualitatively "
       "(most favourable in health and education, least in employment, housing and vocational "
       "training; evaluation weakest; external stakeholders involved only sporadically). They are "
       "not MIPEX-R results and the practices are fictional. Region codes, names and coordinates "
       "are real (NUTS 2021; Eurostat GISCO label points; © EuroGeographics for the administrative "
       "boundaries)."),
}


def manifest_words(text):
    """A publisher or note of the data version in the interface language: the default
    dataset's own words are translated; what staff wrote is shown as written."""
    return t(_MANIFEST_WORDS[text]) if isinstance(text, str) and text in _MANIFEST_WORDS else text
