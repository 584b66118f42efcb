"""Region brief: a printable one-region policy brief, downloadable as PDF and HTML.

URL: ``region``, ``edition`` and ``group`` (as everywhere), ``w`` (area weights) and ``peers``
(the peer group), parsed as on every page (``ui/params.py``), and ``measure`` (the outcome
measure of the policy–outcome section, as on the Region profile). The brief is built from the same
data and charts as the Region profile (``ui/brief.py``); the page shows its headline and a
preview, and makes the files only when a download button is clicked.
"""

import streamlit as st

from ui import brief, frame, params, profile, safe, state
from ui.i18n import language, t, using
from views import common as views_common

frame.require()


@st.cache_resource(max_entries=16, show_spinner=False)
def _brief(path: str, version_id: str, region: str, group: str, edition, lang: str,
           weights: tuple = (), mode: str = "all", peer_list: tuple = (),
           measure: str | None = None) -> brief.Brief:
    # keyed on scalars: the data version and the language (a publish or a language switch
    # rebuilds it) and the view; a resource (shared, read-only), not copied on every rerun.
    # The store's path is a key too: a download is made after the page's run, outside it,
    # where only these arguments say which data to read.
    man = state._manifest(path, version_id)
    man = dict(man, illustrative=state.illustrative_flags(
        man, state.framework_of_view(version_id)))
    return brief.build(state._cube(path, version_id), state._tables(path, version_id), man,
                       region, group, edition, dict(weights) or None, mode, peer_list, measure,
                       overall=profile.overall_of(version_id, edition, group, weights),
                       table=profile.axis_of(version_id, "area"))


@st.cache_data(max_entries=16, show_spinner=False)
def _file(path: str, version_id: str, region: str, group: str, edition, lang: str,
          weights: tuple, mode: str, peer_list: tuple, measure: str | None, kind: str):
    # A download is made when its button is clicked, outside the page's run (and its
    # language): the brief is built in the language it was asked for, never the default.
    with using(lang):
        b = _brief(path, version_id, region, group, edition, lang, weights, mode, peer_list,
                   measure)
        if kind == "pdf":
            return brief.to_pdf(b)
        return brief.to_html(b, inline_svg=kind == "html")


edition, group, tabs, cube, regions = profile.scored_context()
ids = regions["region_id"].tolist()
labels = views_common.region_label(tabs["regions"])
notices = st.container()
weights = params.url_weights(views_common.area_order(cube))
c1, c2 = st.columns([2, 2])
with c1:
    region = state.url_widget(st.selectbox, "region", ids,
                              views_common.default_region(ids, tabs["regions"], cube, group,
                                                     edition), t("Region"),
                              format_func=lambda r: labels.get(r, r))
mode, peer_list = params.url_peers(ids, region)
measures, measure_labels = brief.measure_choices(tabs, region)
measure = None
if measures:
    with c2:
        measure = state.url_widget(st.selectbox, "measure", measures,
                                   brief.default_measure(tabs, region), t("Outcome measure"),
                                   format_func=lambda m: measure_labels.get(m, m))
s = state.store()
key = (str(s.root), state.view_version(), region, str(group), edition, language(),
       params.weights_key(weights), mode, tuple(peer_list), measure)
b = _brief(*key)

st.title(t("Region brief: {name}", name=safe.md(b.title)))
profile.show_missing_edition(cube, region, labels.get(region, region), group, edition,
                             "pages/brief.py")
st.caption(t("A printable policy brief built from the same data and charts as the region "
             "profile: scores and rank, profile against peers, strengths and weaknesses, gaps, "
             "policy cycle, policy–outcome gap, suggested practices, methodology and data version."))
c1, c2, c3 = st.columns([1, 1, 2])
slug = f"brief-{region}-{group}-{edition}-{b.version}"
c1.download_button(t("Download PDF"), lambda: _file(*key, "pdf"), f"{slug}.pdf", "application/pdf",
                   key="dl-brief-pdf", on_click="ignore", type="primary",
                   icon=":material/picture_as_pdf:", width="stretch")
c2.download_button(t("Download HTML"), lambda: _file(*key, "html"), f"{slug}.html", "text/html",
                   key="dl-brief-html", on_click="ignore", icon=":material/html:", width="stretch")
c3.page_link("pages/region.py", label=t("Back to the region profile"), icon=":material/location_on:",
             query_params=views_common.handout_params(region, group, edition, weights, mode, peer_list))
if b.illustrative:
    st.warning(brief.illustrative_text(b), icon=":material/warning:")
cards = st.container(horizontal=True)  # the Region profile's cards, same text
for label, value, help_text in b.headline:
    cards.metric(label, value, help=help_text)
st.markdown(safe.md(brief.summary_sentence(b)))  # data text inside: shown as text
with st.expander(t("Preview of the brief"), expanded=False):
    # the HTML is escaped throughout (ui/brief.py) and its CSS is scoped to .brief
    st.html(_file(*key, "preview"))  # charts as images: the preview drops inline SVG
with notices:
    state.show_notices()
