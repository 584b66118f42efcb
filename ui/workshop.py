"""Workshop mode, rendered: a guided walk-through of one region for a room, on a projector.

Six steps, one idea per screen, each with its own URL (``/workshop?region=ES51&step=3``;
``edition`` and ``group`` as everywhere), so a trainer can prepare a sequence of links:

1. where it stands · 2. its profile against its peers · 3. the policy-cycle heatmap ·
4. its biggest gaps · 5. practices from elsewhere · 6. what if one policy changed.

``guess=1`` starts a "guess the region" round: every region is a letter (the same letters
on every step of the round; ``guess=<n>`` shuffles differently), and ``reveal=1`` (the
reveal button) shows the names again.

The presentation view hides the sidebar and sets large type (CSS with no user text in
it); charts get their fonts scaled (:func:`ui.export.scale_fonts`). The model (step
parsing, letters, the what-if, the sentences) is :mod:`views.workshop`, pure and tested
without Streamlit; its costly results are cached here per view (``st.cache_resource`` keyed
on scalars: the view version first).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui import brief, charts, export, fmt, i18n, params, profile, safe, state
from ui.i18n import t
from views import common as views_common
from views import region as views_region
from views.workshop import (CHART_SCALE, DEFAULT_REGION, NEIGHBOURS, RADAR_HEIGHT,  # noqa: F401
                            RADAR_SCALE, ROW_HEIGHT, STEPS, _peers, answer_options,
                            default_region, gap_areas, guess_names, guess_tags, letters,
                            neighbourhood, page_address, parse_guess, parse_step,
                            profile_sentences, step_params, step_titles, step_urls,
                            view_key, weakest_phase, what_if, what_if_options)

PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stSidebarNav"],
[data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1rem 3rem 2rem !important; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label,
[data-testid="stMain"] [data-testid="stMarkdownContainer"],
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] button, [data-testid="stMain"] a,
[data-testid="stMain"] [data-baseweb="select"] * { font-size: 28px !important; line-height: 1.35 !important; }
[data-testid="stMain"] h1 { font-size: 56px !important; line-height: 1.1 !important; padding: 0 0 .5rem !important; }
[data-testid="stMain"] h2 { font-size: 44px !important; padding: .2rem 0 .6rem !important; }
[data-testid="stMain"] h3 { font-size: 40px !important; }
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] * { font-size: 72px !important; line-height: 1.1 !important; font-weight: 700; }
[data-testid="stMain"] [data-testid="stMetricLabel"] * { font-size: 28px !important; }
[data-testid="stMain"] [data-testid="stMetricDelta"] * { font-size: 30px !important; }
[data-testid="stMain"] button { min-height: 3.2rem; padding: 0.4rem 1.4rem !important; }
</style>
"""


# ------------------------------------------------------------------------------ rendering

def _st():
    import streamlit as st
    return st


def presentation_view():
    """Large type and no sidebar — only on the workshop page (no user text in this HTML)."""
    _st().markdown(PRESENTATION_CSS, unsafe_allow_html=True)


def show_big(chart, key: str, scale: float = CHART_SCALE, legend_right: bool = False):
    """A chart with its fonts scaled for the back of the room, as wide as its column; no
    axis label is dropped for lack of room (the heights here leave room for every one)."""
    spec = export.scale_fonts(chart, scale)
    cfg = spec.setdefault("config", {})
    # category labels (y) are never dropped; numbers on the value axis (x) thin out
    # instead of overlapping at projector size
    cfg.setdefault("axisY", {})["labelOverlap"] = False
    cfg.setdefault("axisX", {}).update(labelOverlap="greedy", labelSeparation=12, tickCount=8)
    if legend_right:
        cfg.setdefault("legend", {}).update(orient="right", direction="vertical", columns=1)
    _st().vega_lite_chart(spec, key=f"ws-{key}", width="stretch")


# ---------------------------------------------------------------- the steps' data, cached
# One idiom with the other pages: ``st.cache_resource`` on scalars (the view version first,
# then the language, then the view); the bodies call the pure models (views) with the
# version's per-version tables (ui.profile's caches), so a rerun of a step recomputes nothing.

def _vv() -> str:
    return state.view_version()


def _peer_list(region, group, edition, view: dict) -> list[str]:
    return profile.peers_of(_vv(), region, group, edition, "area", view.get("mode", "all"),
                            tuple(view.get("peer_list", ())))


@st.cache_resource(max_entries=128, show_spinner=False)
def _standing(view_version: str, lang: str, region: str, group: str, edition, weights: tuple) -> tuple:
    cube, regions = state.cube_of(view_version), state.tables_of(view_version)["regions"]
    ov = profile.overall_of(view_version, edition, group, weights)
    w = dict(weights) or None
    return (views_common.headline_cards(cube, regions, region, group, edition, w, overall=ov),
            views_common.headline(cube, regions, region, group, edition, w, overall=ov))


@st.cache_resource(max_entries=16, show_spinner=False)
def names_of(view_version: str, lang: str, guess: int | None) -> dict[str, str]:
    """The region names a step labels regions with: the real "Name (ID)" labels, or a
    guessing round's letters (``guess``: its seed, from the link; None: real names)."""
    if guess is None:
        return profile.labels_of(view_version)
    return guess_names(profile.scored_of(view_version)["region_id"].tolist(), guess)


@st.cache_resource(max_entries=128, show_spinner=False)
def _near(view_version: str, lang: str, region: str, group: str, edition, weights: tuple,
          guess: int | None) -> pd.DataFrame:
    return neighbourhood(state.cube_of(view_version), state.tables_of(view_version)["regions"], region, group, edition,
                         names_of(view_version, lang, guess), weights=dict(weights) or None,
                         overall=profile.overall_of(view_version, edition, group, weights))


@st.cache_resource(max_entries=128, show_spinner=False)
def _radar(view_version: str, lang: str, region: str, group: str, edition, peers: tuple,
           guess: int | None) -> pd.DataFrame:
    return views_region.radar_frame(profile.slice_of(view_version, "area", group, edition), region,
                                    list(peers), group, edition, names_of(view_version, lang, guess))


@st.cache_resource(max_entries=128, show_spinner=False)
def _heat(view_version: str, region: str, group: str, edition) -> pd.DataFrame:
    return views_region.cycle_heatmap(state.cube_of(view_version), region, group, edition)


@st.cache_resource(max_entries=128, show_spinner=False)
def _gaps(view_version: str, lang: str, region: str, group: str, edition, peers: tuple,
          guess: int | None) -> pd.DataFrame:
    return brief.area_gaps(state.cube_of(view_version), region, group, edition,
                           names_of(view_version, lang, guess), list(peers))


@st.cache_resource(max_entries=128, show_spinner=False)
def _suggested(view_version: str, lang: str, region: str, group: str, edition, mode: str,
               peer_list: tuple) -> pd.DataFrame:
    return brief.suggested_practices(state.cube_of(view_version), state.tables_of(view_version), region, group,
                                     edition, n=3, mode=mode, peer_list=peer_list)


def step_standing(cube, tabs, region, group, edition, names, view):
    st = _st()
    weights = view.get("weights")
    cards, h = _standing(_vv(), i18n.language(), region, group, edition, params.weights_key(weights))
    ranks = [(h["rank"], h["rank_low"], h["rank_high"])]
    # the rank in the country is a card of its own where the country has several units; in a
    # guessing round it would name the country ("Rank in ES"): left out
    if h["units_in_country"] > 1 and not view.get("mystery"):
        ranks.append((h["rank_country"], h["rank_country_low"], h["rank_country_high"]))
    cols = st.columns(1 + len(ranks))
    cols[0].metric(cards[0][0], cards[0][1])
    # On a projector the rank is shown large and its band under it (the same figures as
    # the profile's "23rd (band 21–25)", which would not fit at this size).
    for col, (label, _value, help_text), (rank, low, high) in zip(
            cols[1:], cards[1:1 + len(ranks)], ranks):
        col.metric(label, fmt.ordinal(rank), fmt.band_words(low, high) or None,
                   delta_color="off", delta_arrow="off", help=help_text)
    near = _near(_vv(), i18n.language(), region, group, edition, params.weights_key(weights),
                 view.get("guess"))
    if len(near):
        me = near.loc[near["region_id"] == region, "label"].iloc[0]
        show_big(charts.bar_chart(near, "label", category_order=near["label"].tolist(),
                                  highlight=me, height=70 * len(near) + 150,
                                  label_limit=420), "standing")


def step_profile(cube, tabs, region, group, edition, names, view):
    st = _st()
    peers = _peer_list(region, group, edition, view)
    radar = _radar(_vv(), i18n.language(), region, group, edition, tuple(peers),
                   view.get("guess"))
    order = views_common.area_order(cube)
    left, right = st.columns([2, 1])
    with left:  # as tall as most of a 1080-px slide; the width follows the column
        show_big(charts.radar_chart(radar, "area", axis_order=order,
                                    series_order=radar["series"].drop_duplicates().tolist(),
                                    size=RADAR_HEIGHT, label_scale=RADAR_SCALE), "radar",
                 scale=RADAR_SCALE,
                 legend_right=True)
    with right:
        for line in sentences(region, group, edition, view):
            st.markdown(line)
        st.caption(t("Peers: {peers}.", peers=views_common.peer_words(view.get("mode", "all"),
                                                                  len(peers))))


def step_cycle(cube, tabs, region, group, edition, names, view):
    st = _st()
    heat = _heat(_vv(), region, group, edition)
    phase, k, n = weakest_phase(heat)
    if phase:
        st.markdown(t("The weakest phase in **{k} of {n}** areas: **{phase}**.", k=k, n=n, phase=safe.md(phase)))
    show_big(charts.heatmap(heat, "phase", "area", x_order=views_common.area_order(cube, "phase"),
                            flag="weakest", flag_label=t("weakest phase"), cell_height=38),
             "cycle")


def step_gaps(cube, tabs, region, group, edition, names, view):
    st = _st()
    peers = _peer_list(region, group, edition, view)
    g = _gaps(_vv(), i18n.language(), region, group, edition, tuple(peers),
              view.get("guess"))
    chosen = g[g["priority"]]
    if chosen.empty:
        st.markdown(t("No area below the peers' mean."))
    else:
        st.markdown(t("Priority areas, where it falls furthest below its peers' mean: {items}.",
                      items="; ".join(f"**{safe.md(a)}** ({fmt.signed(d)})"
                                      for a, d in zip(chosen["area"], chosen["gap_peers"]))))
    ordered = g.sort_values(["gap_peers", "area"], na_position="last")
    show_big(charts.bar_chart(ordered, "area", "gap_peers", domain=None,
                              category_order=ordered["area"].tolist(),
                              value_title=t("Points above (+) or below (−) the peers' mean"),
                              highlight=chosen["area"].tolist(), height=ROW_HEIGHT * len(g) + 120),
             "gaps")


def step_practices(cube, tabs, region, group, edition, names, view):
    st = _st()

    mode, peer_list = view.get("mode", "all"), tuple(view.get("peer_list", ()))
    p = _suggested(_vv(), i18n.language(), region, group, edition, mode, peer_list)
    if p.empty:
        st.markdown(t("No practice from another region matches this region’s largest gaps."))
        return
    for col, (_, row) in zip(st.columns(len(p)), p.iterrows()):
        with col.container(border=True):
            st.markdown(f"**{safe.md(row['title'])}**")
            st.markdown(t("{region} · {area}", region=safe.md(names.get(str(row["region_id"]),
                                                                           row["region_name"])),
                          area=safe.md(row["area"])))
            if isinstance(row.get("lessons_learnt"), str) and row["lessons_learnt"]:
                st.caption(safe.md(row["lessons_learnt"]))
    link = profile.region_practices(_vv(), i18n.language(), region, group, edition, mode,
                                    peer_list)["link"]
    st.page_link("pages/practices.py", label=t("All practices for these gaps"),
                 icon=":material/lightbulb:", query_params=link)


def step_whatif(cube, tabs, region, group, edition, names, view):
    st = _st()
    from ui import state

    opts = what_if_options(cube, region, group, edition)
    if opts.empty:
        st.markdown(t("Every indicator already has its best answer: nothing to improve."))
        return
    ids = opts["indicator_id"].tolist()
    label = dict(zip(opts["indicator_id"], opts["label"]))
    c1, c2 = st.columns([3, 2])
    with c1:
        ind = state.url_widget(st.selectbox, "indicator", ids, ids[0], t("Policy (indicator)"),
                               format_func=lambda i: f"{label.get(i, i)} ({i})")
    answers = answer_options(cube, ind)
    codes = [a for a, _ in answers]
    values = dict(answers)
    with c2:
        ans = state.url_widget(st.selectbox, "answer", codes, codes[0], t("New answer"),
                               format_func=lambda a: t("{a} (value {v:g})", a=a, v=values[a]))
    cur = opts.set_index("indicator_id").loc[ind, "value"]
    st.caption(t("Now: {v}.", v=brief.fmt(cur, "{:g}")))
    r = what_if_shown(cube, region, ind, ans, group, edition, view.get("weights"),
                      tabs["regions"])
    m1, m2, m3 = st.columns(3)

    def delta(new, old):
        ok = np.isfinite(new) and np.isfinite(old) and fmt.signed(new - old) != fmt.signed(0)
        return fmt.signed(new - old) if ok else None

    m1.metric(t("{area} score", area=safe.md(r["area"])), brief.fmt(r["score_new"]),
              delta(r["score_new"], r["score_old"]))
    m2.metric(t("Overall score"), brief.fmt(r["overall_new"]), delta(r["overall_new"], r["overall_old"]))
    countries = views_common.units_are_countries(tabs["regions"], cube.regions)
    m3.metric(t("Rank among {n} countries", n=r["n_ranked"]) if countries else
              t("Rank among {n} regions", n=r["n_ranked"]), fmt.ordinal(r["rank_new"]),
              (f"{int(r['rank_old']) - int(r['rank_new']):+d}" if pd.notna(r["rank_new"])
               and pd.notna(r["rank_old"]) and r["rank_old"] != r["rank_new"] else None),
              help=t("Rank among all regions with the new answer; + means places gained.") + " "
              + views_common.band_help(len(cube.regions)))
    st.markdown(t("Rank with the new answer: {rank}.",
                  rank=fmt.rank_band(r["rank_new"], *r["band_new"])))
    st.markdown(t("Before: {area} {a0}, overall {o0}, rank {r0}.", area=safe.md(r["area"]),
                  a0=brief.fmt(r["score_old"]), o0=brief.fmt(r["overall_old"]),
                  r0=fmt.rank_band(r["rank_old"], *r["band_old"])))


@st.cache_resource(max_entries=64, show_spinner=False)
def _what_if(view_version: str, region: str, indicator_id: str, answer: str, group: str, edition,
             weights: tuple) -> dict:
    from ui import state

    return what_if(state.cube(), region, indicator_id, answer, group, edition,
                   dict(weights) or None, state.tables()["regions"])


def what_if_shown(cube, region, indicator_id, answer, group, edition, weights=None,
                  regions=None) -> dict:
    """:func:`views.workshop.what_if` of the view version in view, cached per view (the new
    rank band costs a robustness run); ``cube`` and ``regions`` are the run's (kept for the
    callers' signature, never a cache key)."""
    from ui import state

    return _what_if(state.view_version(), region, indicator_id, answer, str(group), edition,
                    params.weights_key(weights))


@st.cache_resource(max_entries=64, show_spinner=False)
def _sentences(view_version: str, lang: str, region: str, group: str, edition,
               key: tuple) -> list[str]:
    from ui import state

    return profile_sentences(state.cube(), state.tables(), region, group, edition, {}, key)


def sentences(region: str, group, edition, view: dict) -> list[str]:
    """Step 2's two sentences (:func:`views.workshop.profile_sentences`; they name areas, not
    regions, so the round's letters are not part of the key), cached per view."""
    from ui import state
    from ui.i18n import language

    return _sentences(state.view_version(), language(), region, str(group), edition,
                      view_key(view))


def switches(step: int, region: str, edition, group, guess, view: dict, editions: list,
             groups: list):
    """The trainer's way out and switches (the sidebar is hidden here): back to the
    dashboard or the region's profile, and the same step in another language, edition or
    target group — links, so the room's screen never shows a half-changed slide."""
    st = _st()
    from ui.i18n import LANGUAGES, language

    from ui import sidebar

    lang = language()
    here = dict(step_params(region, step, edition, group, guess, view, lang))
    back = st.container(horizontal=True)
    back.page_link("pages/overview.py", label=t("Back to the dashboard"),
                   icon=":material/arrow_back:", query_params={"lang": lang})
    if guess is None:
        back.page_link("pages/region.py", label=t("Region profile"),
                       icon=":material/location_on:",
                       query_params={"region": region, "edition": str(edition),
                                     "group": str(group), "lang": lang})
    rows = [(t("Language"), "lang", list(LANGUAGES), lambda v: LANGUAGES[v], lang)]
    if len(editions) > 1:
        rows.append((t("Edition"), "edition", [str(e) for e in editions], str, str(edition)))
    if len(groups) > 1:
        rows.append((t("Target group"), "group", [str(g) for g in groups],
                     lambda g: t(sidebar.GROUP_LABELS.get(g, g)), str(group)))
    for label, key, options, name, current in rows:
        row = st.container(horizontal=True, vertical_alignment="center")
        row.markdown(f"**{label}:**")
        for value in options:
            row.page_link("pages/workshop.py", label=name(value), disabled=value == current,
                          query_params={**here, key: value})


STEP_VIEWS = (step_standing, step_profile, step_cycle, step_gaps, step_practices, step_whatif)


def navigation(step: int, region: str, edition, group, guess, view: dict | None = None):
    """Previous / next (big buttons; PageUp / PageDown, as presenter remotes send) and a
    link to every step — each step is its own URL."""
    st = _st()
    n = len(STEPS)

    def go(k):
        st.query_params["step"] = str(k)

    c1, c2, c3 = st.columns([1, 3, 1])
    c1.button(t("◀ Previous"), key="ws-prev", disabled=step <= 1, on_click=go, args=(step - 1,),
              shortcut="PageUp", width="stretch")
    c3.button(t("Next ▶"), key="ws-next", disabled=step >= n, on_click=go, args=(step + 1,),
              shortcut="PageDown", type="primary", width="stretch")
    with c2:
        # one row that wraps (columns stack on a phone: six lines of numbers before the step)
        row = st.container(horizontal=True, horizontal_alignment="distribute")
        from ui.i18n import language

        for k in range(1, n + 1):
            row.page_link("pages/workshop.py", label=str(k), disabled=k == step,
                          query_params=step_params(region, k, edition, group, guess, view,
                                                   language()))
