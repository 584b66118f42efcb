"""Overview: every region's overall score and rank, on a map and as ranked bars; the
strongest and weakest areas across regions; what the data is.

URL: ``edition`` and ``group`` (sidebar), ``w`` (area weights, e.g. health:2,housing:1).
"""

import streamlit as st

from ui import charts, components, fmt, frame, i18n, params, profile, safe, sidebar, state, tables
from ui.i18n import N_, t, terms

frame.require()

view = sidebar.view()
edition, group = view["edition"], view["target_group"]
vv, man = state.view_version(), state.manifest()
ver = profile.version_of(vv)  # what every rerun reads of this version, in one lookup
weights = params.url_weights(ver.orders["area"])
state.show_notices()
st.title(t("Regional integration policy at a glance"))
if edition is None or group is None:
    st.warning(t("No scores have been published yet."))
    st.stop()

illustrative = state.is_illustrative("scores")
st.markdown(t("**Edition {e}** · **{g}** · data version `{v}`{ill}", e=edition,
              g=t(sidebar.GROUP_LABELS.get(group, group)), v=man["version"],
              ill=" · " + t("illustrative data, not MIPEX-R results") if illustrative else ""))

parts = profile.overview(edition, group, weights)  # cached per view: shared, read-only
table, labels = parts["table"], parts["labels"]
scored = table["score"].notna()
# The answer first (a phone shows little more than this): the headline numbers and the way
# into a region, then what the data is, in one line until opened.
row = st.container(horizontal=True)  # one block for the three cards
national = ver.countries
row.metric(t("Countries with a score") if national else t("Regions with a score"),
           f"{int(scored.sum())} / {len(table)}")
row.metric(t("Median overall score"), fmt.number(table["score"].median()))
if scored.any():
    top = table[scored].iloc[0]
    row.metric(t("Highest overall score"), fmt.number(top["score"]), safe.md(top["name"]), delta_color="off",
               delta_arrow="off")


@st.fragment
def region_link():
    """Picking a region changes only this link: the rest of the page does not rerun."""
    pick = st.selectbox(t("Open a region profile"), table["region_id"].tolist(),
                        format_func=lambda r: labels.get(r, r), key="ov_pick")
    st.page_link("pages/region.py", label=t("Profile of {r}", r=safe.md(labels.get(pick, pick))),
                 icon=":material/location_on:",
                 query_params={"region": pick, "edition": edition, "group": group})


region_link()
with st.expander(t("What this data is")):
    who = safe.md(components.manifest_words(man.get("who", "?")))
    st.markdown(safe.md(components.manifest_words(man.get("note"))) or t("Published by {who}.", who=who))
    st.caption(t("Published {when} UTC by {who}. Rows: {rows}.", when=man["created"][:16].replace("T", " "),
                 who=who, rows=", ".join(f"{k} {v}" for k, v in man.get("rows", {}).items())))
if weights:
    st.caption(t("Area weights from the link: {w} (other areas 1). Without them every area counts "
                 "equally, the MIPEX rule.", w=params.weights_text(weights)))

left, right = st.columns([1, 1])
with left:
    st.subheader(t("Map of overall scores"))
    boundaries, note = state.boundaries_key()
    selected = st.session_state.get("ov_pick", next(iter(table["region_id"]), None))  # picked above
    drawn = profile.overview_map(vv, i18n.language(), edition, group, params.weights_key(weights),
                                 boundaries, selected)
    charts.show_map(drawn["matched"], legend_title=t("Overall score"), value_label=N_("overall score"),
                    countries=drawn["countries"], key="overview_map", selected=selected,
                    open_page="pages/region.py", query={"edition": edition, "group": group},
                    built=drawn["built"])
    st.caption((t("Click a country to open its profile.") if national else
                t("Click a region to open its profile.")) + " "
               + (note or " ".join(drawn["report"].messages)))
with right:
    st.subheader(t("Countries ranked") if national else t("Regions ranked"))
    profile.show_drawn(parts["bars"], "overall-ranked", key="ranked")

st.subheader(t("Strongest and weakest areas across regions"))
summary = parts["summary"]
strong = summary.loc[summary["standing"] == t("strongest"), "area"].tolist()
weak = summary.loc[summary["standing"] == t("weakest"), "area"].tolist()
st.markdown(t("Most favourable: **{s}**. Least favourable: **{w}**.", s=safe.md(", ".join(terms(strong))) or "–",
              w=safe.md(", ".join(terms(weak))) or "–"))
profile.show_drawn(parts["area_bars"], "areas-across-regions", key="areas",
                   caption=t("Mean over the regions with a score; a missing score is left out, "
                            "never counted as 0. Coverage: the share of the indicator weight "
                            "answered behind a score."))

st.subheader(t("All regions"))
tables.show_table(parts["shown"], "overview", key="overview")
components.data_caption()
