"""The sidebar shared by every page: data version, illustrative badge, edition, target group."""

from __future__ import annotations

import streamlit as st

from ui import fmt, staff, state
from ui.i18n import LANGUAGES, N_, set_language, t

#: Target groups offered in the sidebar; "ALL" combines TCN and BIP.
GROUP_LABELS = {"TCN": N_("TCN — third-country nationals"),
                "BIP": N_("BIP — beneficiaries of international protection"),
                "ALL": N_("TCN and BIP combined")}


#: How the frameworks a store may hold are named in the sidebar (others: their own name).
FRAMEWORK_LABELS = {"MIPEX-R": N_("MIPEX-R — regions"), "MIPEX": N_("MIPEX — countries")}
#: URL parameters that name regions, areas, editions or measures of one framework: a switch
#: of framework drops them (they would not be in the other one's data).
FRAMEWORK_BOUND = ("region", "regions", "peers", "area", "phase", "measure", "w", "answer",
                   "edition", "group", "indicator")


def render():
    editions, groups = state.editions(), state.target_groups()
    with st.sidebar:
        language_choice()
        st.markdown(f"### {t('MIPEX-R dashboard')}")
        framework_choice()
        if editions:
            state.url_widget(st.selectbox, "edition", editions, editions[0], t("Edition"))
        if groups:
            state.url_widget(st.radio, "group", groups, groups[0], t("Target group"),
                             format_func=lambda g: t(GROUP_LABELS.get(g, g)))
        st.divider()
        version_box()
        staff.sidebar_entry()


def framework_choice():
    """The index in view, when the data holds more than one (kept in the URL as ``fw``)."""
    options = state.frameworks()
    if len(options) < 2:
        return
    state.url_widget(st.selectbox, state.FRAMEWORK_PARAM, options, state.framework(),
                     t("Index"), format_func=lambda f: t(FRAMEWORK_LABELS[f]) if f in
                     FRAMEWORK_LABELS else f, on_change=_framework_changed,
                     help=t("The data holds more than one index. Each has its own indicators "
                            "and places (MIPEX-R: regions; MIPEX: countries); a page shows one "
                            "at a time, never a mix."))


def _framework_changed():
    for key in FRAMEWORK_BOUND:
        if key in st.query_params:
            del st.query_params[key]
        st.session_state.pop(f"w_{key}", None)


def start_language() -> str:
    """Set this run's interface language, before anything is translated: a link's ``lang``
    that the app did not write itself (:func:`ui.state.url_changed`), else the sidebar
    choice of this session, else the link's ``lang``, else English."""
    raw = st.query_params.get("lang")
    if raw and state.url_changed("lang"):
        return set_language(raw)
    return set_language(st.session_state.get("w_lang") or raw)


def language_choice():
    """The language selector (kept in the URL as ``lang``); language names in their own
    language, so anyone can find theirs."""
    # A choice made in the selector is in session state before the run starts, so
    # start_language() has already applied it; this only draws the widget and the URL.
    state.url_widget(st.selectbox, "lang", list(LANGUAGES), "en", t("Language"),
                     format_func=LANGUAGES.get)


def version_box():
    man = state.manifest()
    st.caption(t("Data version") + f": `{man['version']}`  \n" + t("Published") + f": {fmt.moment(man['created'][:16])} UTC")
    if state.is_illustrative():
        flags = state.illustrative_flags(man, state.framework())
        tables = fmt.table_words(k for k, flag in flags.items() if flag)
        st.warning(t("**Illustrative data.** The {tables} shown here are generated examples "
                     "that follow the published REGIN findings qualitatively; they are not "
                     "MIPEX-R results.", tables=tables), icon=":material/warning:")


def view() -> dict:
    """The edition and target group in view, as chosen in the sidebar."""
    return {"edition": st.session_state.get("w_edition"),
            "target_group": st.session_state.get("w_group")}
