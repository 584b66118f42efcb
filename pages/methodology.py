"""Methodology: how a score is made, the indicators, the data dictionary, sources, the data
version in view and whether editions can be compared.

URL: ``area``, ``phase`` (comma-separated filters of the indicator list).
"""

import streamlit as st

from ui import compare as C
from ui import components, fmt, frame, safe, sidebar, state, tables
from ui import gaps as G
from ui.i18n import language, t, term, untranslated_note
from views import common as views_common

frame.require()

view = sidebar.view()
notices = st.container()
st.title(t("Methodology"))
rules = C.rule_defaults()
ind = state.tables()["indicators"]
lang_key = (state.view_version(), language())  # what the cached tables are keyed on
fixed = C.methodology_tables(*lang_key)

st.header(t("How a score is made"))
st.markdown(t(
    "1. **Answer values.** Each indicator is a question about one policy component. Every "
    "answer option carries a value on 0–100 through the indicator's answer map (for example "
    "A → 100, B → 50, C → 0); 100 means the most favourable policy. Outcome indicators are "
    "rescaled to 0–100 ({outcome}) pooled over regions, groups and editions.\n"
    "2. **Weights are data.** Each indicator's weight is the `weight` column of the indicators "
    "table: a missing weight counts 1, a weight of 0 excludes the indicator (its answer is "
    "shown, marked “excluded”, but counts in no score). With every weight 1 this is MIPEX's "
    "published rule: plain means.\n"
    "3. **Area (or phase) score** = the weighted mean of the indicator values in that area.\n"
    "4. **Overall score** = the mean of the area scores, each area once. Area weights given in a "
    "link (`w=health:2`, set on the Gaps page) multiply on top of the indicators' weights; every "
    "page then says which weights it uses.\n"
    "5. **Missing data** is never counted as 0: a missing indicator is left out and the weights "
    "of the others are rescaled. **Coverage** — one meaning everywhere — is the share of the "
    "indicator weight answered behind a score: for an area, the weight of its answered "
    "indicators over the weight of those asked for that target group; for the overall score, "
    "the same with each indicator weighted as it counts in the overall (the mean of the area "
    "coverages, an area without a score counting 0). “Areas with a score” (e.g. 9 / 9) is a "
    "different figure and is shown under that name.\n"
    "6. **Coverage threshold.** Below {thr:.0%} coverage there is no score: the dashboard shows "
    "“no data”, in grey, with its own legend entry.\n"
    "7. **TCN and BIP combined** (“ALL”): an indicator's value is the mean of its TCN and BIP "
    "values, only where every group it is asked for has one (rule “{rule}”).\n"
    "8. **Geometric-mean guard.** The robustness check also aggregates with the geometric mean, "
    "where a single 0 would zero a whole area; values below {eps:g} point are counted as "
    "{eps:g} point, and the number floored is reported.\n"
    "9. **Ranks with their uncertainty.** {n:,} random variations of the weights (each "
    "indicator and area weight drawn within ±{spread:.0%} of its value), each scored with both "
    "means, give every region a 5–95 % rank band: “23rd (band 21–25)” means it ranks between "
    "21st and 25th in 90 % of the variations. Regions whose bands overlap cannot be told apart "
    "with confidence. Every page that shows a rank shows its band, from the same draws.\n"
    "10. **Priority areas** (“what to work on”): the up to {k} areas where a region falls "
    "furthest below the mean of its peer group (ties: the lower own score first); an area at "
    "or above the peers' mean is never a priority. The Region profile, its “Practices for "
    "these gaps” link, the Integration Lab, the brief and the workshop all use this rule, with "
    "the shortfall as the reason.\n"
    "11. **Rounding.** Figures are shown rounded to one decimal, half away from zero "
    "(31.25 → 31.3), coverage to 0.1 %, the same on screen, in the brief and in downloads "
    "(see the data dictionary).",
    thr=rules["threshold"], eps=rules["eps"], rule=rules["all_rule"],
    n=2 * views_common.band_draws(fixed["n_regions"]),
    spread=rules["spread"], outcome=rules["outcome_method"], k=views_common.N_PRIORITIES))

weights_table = fixed["weights"]
if weights_table.empty:
    st.caption(t("Every indicator in the data has weight 1."))
else:
    st.markdown(t("Indicators whose weight is not 1 in this data version:"))
    tables.show_table(weights_table, "indicator-weights", key="indicator-weights")

st.header(t("Indicators"))
if len(state.frameworks()) > 1:
    st.caption(t("The data holds several indices ({all}); this list is the one in view, "
                 "{fw}. Choose the index in the sidebar.", all=", ".join(state.frameworks()),
                 fw=state.framework()))
areas, phases = fixed["areas"], fixed["phases"]
c1, c2 = st.columns(2)
with c1:
    pick_areas = state.url_multi("area", areas, [], t("Areas"), format_func=term)
with c2:
    pick_phases = state.url_multi("phase", phases, [], t("Phases"), format_func=term)
indicators = C.indicators_shown(*lang_key, tuple(pick_areas), tuple(pick_phases))
tables.show_table(indicators, "indicators", key="indicators", column_config=C.fit(
    indicators, {"Code": 55, "Indicator": 165, "Question": 255, "Answers → values": 170,
                 "Answer options": 220, "Area": 95, "Phase": 85, "Target groups": 60,
                 "Weight": 50}),
    caption=t("{n} of {m} indicators.", n=len(indicators), m=len(ind))
    + (" " + untranslated_note(ind) if untranslated_note(ind) else ""))

st.header(t("Policy and outcomes"))
st.markdown(t(
    "The Region profile and the brief show a policy score next to an outcome from the "
    "measure catalogue below (Eurostat's regional labour-force, education and poverty "
    "figures, for example).\n"
    "- **Which two groups.** Each measure compares a migrant group with a reference group, "
    "and these are different gaps: *nationals vs non-EU citizens* (by citizenship), "
    "*native-born vs non-EU-born* (by country of birth), or *all residents vs non-EU-born* "
    "when a table has no native series. The page says which one it shows.\n"
    "- **The gap** is the reference group's figure minus the migrant group's (the other way "
    "round when lower is better, as for unemployment), in percentage points for rates: "
    "positive means the migrant group does worse.\n"
    "- **Which year.** {rule}\n"
    "- **Flags.** Eurostat's flags are shown with every figure (u: low reliability, b: break "
    "in series…); a gap carries every flag of its two figures, so a *u* on either shows on "
    "the gap. An empty figure is said to be empty, never shown as 0.\n"
    "- **Which measure first.** The first measure of the catalogue linked to the policy area "
    "in view; any other can be chosen from the list.",
    rule=t("An outcome shown next to a policy edition is the nearest year not after the "
           "edition (2022 for the 2024 edition when 2023 is not published); only when every "
           "year is after the edition, the nearest year after it. The year is always shown.")))
if fixed["measures"] is None:
    st.info(t("No outcome figures are published."))
else:
    tables.show_table(fixed["measures"], "measures", key="measures",
                      caption=t("The measure catalogue: built when outcomes are imported, "
                                "corrected by staff (the measures table)."))

st.header(t("Data dictionary"))
st.caption(t("Generated from the schema that also checks every upload, so it cannot drift."))
dic = fixed["dictionary"]
tables.show_table(dic, "data-dictionary", key="dictionary", column_config=C.fit(dic, {
    "Table": 75, "Column": 105, "Type": 80, "Required": 62, "Key": 40, "Allowed": 120,
    "Meaning": 300, "Example": 95}))

st.header(t("Sources and citations"))
st.markdown(t(
    "- Solano, G. & Huddleston, T. (2020). *Migrant Integration Policy Index 2020*. "
    "Barcelona/Brussels: CIDOB and Migration Policy Group. https://www.mipex.eu\n"
    "- REGIN project — Regions for Migrants and Refugees Integration (EU-funded): MIPEX-R "
    "(MIPEX-Regions) indicators and the Integration Lab. https://www.regin-regions.eu\n"
    "- Eurostat, EU Labour Force Survey regional tables (e.g. lfst_r_lfe2emprtn, "
    "lfst_r_lfur2gan), for the outcome figures.\n"
    "- Eurostat GISCO, NUTS boundaries and label points. © EuroGeographics for the "
    "administrative boundaries."))

st.header(t("The data in view"))
man = state.manifest()
st.markdown(t("**Version** `{v}` · created {c} · by {who}",
              v=man.get("version", ""), c=man.get("created", "")[:16].replace("T", " "),
              who=safe.md(components.manifest_words(man.get("who", "")))))
if man.get("note"):
    st.caption(safe.md(components.manifest_words(man["note"])))
frames = fixed["version"]
if state.is_illustrative():
    st.warning(t("Illustrative tables: {tables}. They are not MIPEX-R results.",
                 tables=fmt.table_words(k for k, v in state.illustrative_flags(
                     man, state.framework()).items() if v)))
tables.show_table(frames["rows"], "version-rows", key="version-rows")
if frames["sources"].empty:
    st.caption(t("No source files are recorded for this version (built-in data)."))
else:
    tables.show_table(frames["sources"], "version-sources", key="version-sources")

st.header(t("Can the editions be compared?"))
cube = state.cube()
view = G.resolve_view(view, cube)
eds = [int(e) for e in cube.editions]
if len(eds) < 2 or view["edition"] is None:
    st.info(t("There is only one edition in the data."))
else:
    e_to = view["edition"] if view["edition"] != eds[0] else eds[1]
    e_from = eds[eds.index(e_to) - 1]
    changed, comp = C.editions_compared(*lang_key, view["target_group"], e_from, e_to)
    if len(changed):
        st.warning(t("The indicator set changed between {a} and {b}: {ids}. Changes in the areas "
                     "concerned mix a change of method with a change of policy.", a=e_from,
                     b=e_to, ids=safe.md(", ".join(changed[t("Code")]))), icon=":material/warning:")
        tables.show_table(changed, "indicator-set-change", key="set-change")
    st.markdown(t("Regions whose change from {a} to {b} is **not comparable** — the indicators "
                  "with a value behind the score differ between the editions (an indicator "
                  "added, dropped, or missing in one edition):", a=e_from, b=e_to))
    tables.show_table(comp, "edition-comparability", key="comparability")
with notices:
    state.show_notices()
