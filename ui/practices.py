"""The Integration Lab's widgets and rendering, and its per-view cache: filters in the URL,
the map, the list, the card.

What is shown and in which order is decided in :mod:`data.practices` (pure); what a card
says and why a practice is suggested in :mod:`views.lab` (pure); this module reads widgets,
builds the pydeck map with :mod:`geo`, caches per view (``st.cache_resource`` keyed on
scalars and tuples, the view version first), and renders. User-supplied text
(titles, summaries, lessons…) is never given to a renderer that interprets it: the card
escapes Markdown and HTML (:func:`ui.safe.md`), the list is a data grid, and the map's
tooltip fields are escaped by Streamlit's deck.gl tooltip.

URL parameters (all optional, so a link reproduces a search):
``q`` search text · ``area`` · ``tg`` (practice target groups) · ``country`` ·
``from_region`` (practices' regions) · ``role`` · ``stakeholder`` · ``criterion`` ·
``funding`` (comma-separated lists) · ``years`` (``2018-2022``) · ``shade`` (``overall``
or an area) · ``practice`` (the open card) · ``for_gaps=1`` with ``region`` (the region
whose gaps are looked for) and ``peers`` (``all``/``country``/``similar``). The sidebar's
``edition`` and ``group`` choose the scores shown.
"""

from __future__ import annotations

import dataclasses
import functools
import os

import pandas as pd
import streamlit as st

import geo
from data import practices as dp
from ui import charts, safe, state
from ui.i18n import N_, language, t, term, terms
from views import common as views_common
from views.lab import (OVERALL, _years, card_markdown, in_cell, legend_html, parse_years,  # noqa: F401
                       selected_cell, selected_practice, why)

MAP_KEY, LIST_KEY, GAPS_KEY, SEL_KEY, CELL_KEY = "practice_map", "practice_list", "gap_list", "_practice", "_cell"
SCROLL_KEY = "_scroll_card"
#: Brings the card into view after a click on the map: beside the map on a wide screen it
#: already is (nothing moves); on a phone, where the card sits below the map, it scrolls up.
_SCROLL_TO_CARD = ("<script>const c = window.parent.document.querySelector('.st-key-practice_card') "
                   "|| document.querySelector('.st-key-practice_card');"
                   "if (c) c.scrollIntoView({behavior: 'smooth', block: 'nearest'});</script>")
PEER_CHOICES = ("all", "country", "similar")
#: (URL key, Filters field, label) of the multi-choice facets, in display order.
FACETS = [("area", "areas", N_("Area")), ("tg", "target_groups", N_("Target group")),
          ("country", "countries", N_("Country")), ("from_region", "regions", N_("Region")),
          ("role", "roles", N_("Authority's role")), ("stakeholder", "stakeholders", N_("Stakeholders")),
          ("criterion", "criteria", N_("REGIN criteria")), ("funding", "funding", N_("Funding"))]
#: The regional authority's roles (data codes) as words of the interface.
ROLE_WORDS = {"direct": N_("direct"), "indirect": N_("indirect")}
#: Downloads and the list carry these columns (in this order).
LIST_COLUMNS = ["practice_id", "title", "region_id", "region_name", "areas", "target_groups",
                "authority_role", "stakeholders", "criteria", "funding", "start_year", "end_year",
                "language", "summary", "lessons_learnt", "transferability_tips", "url"]
#: Ten colour-blind-aware colours: the nine usual areas each get their own (Okabe–Ito has 7).
PALETTE = "tableau10"
#: The map's height, and the width its first view is fitted to (a phone's; wider columns show more).
MAP_HEIGHT, MAP_WIDTH = 560, 340
#: Rows sent to the list (a data grid of 100,000 long texts would be ~80 MB); the downloads
#: hold every result. Suggestions for my gaps: the best ones only.
MAX_LIST, MAX_SUGGESTIONS = 500, 200
#: The "Why suggested" column (px) and the height of its rows: three lines of its sentence.
WHY_WIDTH = 420
WHY_ROW_HEIGHT = 72


# ------------------------------------------------------------------------------ cached data
# One idiom: st.cache_resource keyed on scalars and tuples — the view version first, the
# language where text is made — whose bodies read the run's data (state.tables/state.cube).
# Results are shared by every session: read-only.

@st.cache_resource(max_entries=2, show_spinner=False)
def _search_index(path: str, version_id: str) -> dp.SearchIndex:
    return dp.SearchIndex(state._tables(path, version_id)["practices"])


def search_index() -> dp.SearchIndex:
    s = state.store()
    return _search_index(str(s.root), state.version())


@st.cache_resource(max_entries=4, show_spinner=False)
def lab_data(view_version: str) -> dict:
    """What the Lab reads on every rerun, made once per view version: area scores
    (``by_area``) and overall scores (``total``) with text keys, the regions with an area
    score (``scored``, sorted), the areas with a score (``score_areas``), the facet options
    (``facets``), the areas in a stable colour order (``areas``: the framework's, then any
    others practices use), the practice ids and the region names."""
    from ui import gaps

    tabs = state.tables()
    # the same aggregates the Compare and Gaps pages read (one computation per version)
    by_area = gaps.aggregate_scores(view_version, "area")
    by_area = by_area.astype({"region_id": str, "target_group": str, "area": str})
    total = gaps.overall_all(view_version).astype({"region_id": str, "target_group": str})
    opts = dp.facet_options(tabs["practices"], tabs["regions"])
    ind = tabs["indicators"]["area"].dropna().astype(str).unique().tolist()
    return {"by_area": by_area, "total": total,
            "scored": sorted(by_area.loc[by_area["score"].notna(), "region_id"].unique().tolist()),
            "with_scores": frozenset(by_area["region_id"].unique().tolist()),
            "score_areas": frozenset(by_area["area"].unique().tolist()),
            "practice_ids": frozenset(tabs["practices"]["practice_id"].astype(str)),
            "names": tabs["regions"].drop_duplicates("region_id").set_index("region_id")["name"],
            "facets": opts, "areas": list(dict.fromkeys(ind + sorted(set(opts["areas"]) - set(ind))))}


def area_scores() -> pd.DataFrame:
    return lab_data(state.view_version())["by_area"]


@st.cache_resource(max_entries=64, show_spinner=False)
def _shade_values(view_version: str, shade: str, edition, group: str) -> pd.Series:
    data = lab_data(view_version)
    if shade == OVERALL:
        total = data["total"]
        rows = total[(total["edition"] == edition) & (total["target_group"] == group)]
    else:
        by_area = data["by_area"]
        rows = by_area[(by_area["edition"] == edition) & (by_area["target_group"] == group)
                       & (by_area["area"] == shade)]
    return rows.set_index("region_id")["score"]


def shade_values(shade: str, edition, group) -> pd.Series:
    """region_id → score for the map's shading (``overall`` or an area) in the view."""
    return _shade_values(state.view_version(), shade, edition, str(group))


def facet_options() -> dict:
    return lab_data(state.view_version())["facets"]


def known_areas(tabs: dict | None = None) -> list[str]:
    """Areas in the indicator framework, then any others practices use (stable colours)."""
    return lab_data(state.view_version())["areas"]


# ------------------------------------------------------------------------------ filters in the URL

def url_text(key: str, label: str, **kwargs) -> str:
    wkey = f"w_{key}"
    if wkey not in st.session_state:
        st.session_state[wkey] = st.query_params.get(key, "")
    value = st.text_input(label, key=wkey, **kwargs)
    state.set_param(key, value.strip())
    return value.strip()


def url_years(key: str, bounds: tuple[int, int], label: str) -> tuple[int, int] | None:
    """A year-range slider kept in the URL as ``key=YYYY-YYYY``; the full range is no filter."""
    wkey = f"w_{key}"
    if wkey not in st.session_state:
        st.session_state[wkey] = parse_years(st.query_params.get(key), bounds)
    if bounds[0] == bounds[1]:
        return None
    lo, hi = st.slider(label, bounds[0], bounds[1], key=wkey)
    full = (lo, hi) == tuple(bounds)
    state.set_param(key, None if full else f"{lo}-{hi}")
    return None if full else (lo, hi)


def filter_widgets(tabs: dict) -> dp.Filters:
    """Search box and facets (all in the URL); returns the chosen :class:`Filters`."""
    data = lab_data(state.view_version())
    opts, names = data["facets"], data["names"]
    query = url_text("q", t("Search titles, summaries, lessons learnt and tips"),
                     placeholder=t("e.g. housing refugees, mentoring, language café"))
    chosen = {}
    active = any(k in st.query_params for k, *_ in FACETS) or "years" in st.query_params
    with st.expander(t("Filter practices"), expanded=active, icon=":material/search:"):
        cols = st.columns(4)
        for i, (key, name, label) in enumerate(FACETS):
            fmt = (lambda r: f"{names.get(r, r)} ({r})") if name == "regions" else \
                (lambda r: t(ROLE_WORDS[r]) if r in ROLE_WORDS else r) if name == "roles" else \
                (lambda v: str(term(v)))
            with cols[i % 4]:
                chosen[name] = tuple(state.url_multi(key, opts[name], [], t(label), format_func=fmt))
        years = url_years("years", opts["years"], t("Active in the years")) if opts["years"] else None
    return dp.Filters(**chosen, years=years, query=query)


# ------------------------------------------------------------------------------ practices for my gaps

def gap_widgets(tabs: dict, view: dict) -> dp.GapSuggestions | None:
    """The "practices for my gaps" section when ``for_gaps=1``; returns the suggestions
    (:func:`gap_section` without its cache key)."""
    return gap_section(tabs, view)[0]


def gap_section(tabs: dict, view: dict) -> tuple[dp.GapSuggestions | None, tuple | None]:
    """The "practices for my gaps" section when ``for_gaps=1``; returns the suggestions and
    the key they are cached on (region, target group, edition, peer mode, peer list), or
    (None, None) when the section is off.

    The areas are the region's priority areas against its peer group, computed by
    :func:`views.common.practice_links` — the same call the Region profile, the brief and the
    workshop make — and the ``peers`` parameter is read by the one parser of it
    (:func:`ui.params.url_peers`), so a link from the profile opens exactly its view.
    """
    from ui import params

    on = st.toggle(t("Practices for my gaps"), value=st.query_params.get("for_gaps") == "1", key="w_for_gaps",
                   help=t("For one region: practices from other regions in its priority areas — where it "
                          "falls furthest below its peers' mean — preferring regions that score well "
                          "there."))
    state.set_param("for_gaps", "1" if on else None)
    if not on:
        return None, None
    data = lab_data(state.view_version())
    scored = data["scored"]
    if not scored or view.get("edition") is None:
        st.info(t("There are no scores to compare regions with."))
        return None, None
    names = data["names"]
    c1, c2 = st.columns([2, 1])
    with c1:
        region = state.url_widget(st.selectbox, "region", scored, scored[0], t("My region"),
                                  format_func=lambda r: f"{names.get(r, r)} ({r})")
    mode, peer_list = params.url_peers(scored, region)
    options = list(PEER_CHOICES) + (["list"] if peer_list else [])
    if st.session_state.get("w_peers") not in options or state.url_changed(params.PEERS_PARAM):
        st.session_state["w_peers"] = mode
    words = {"all": N_("all regions"), "country": N_("same country"), "similar": N_("5 nearest"),
             "list": N_("regions chosen")}
    with c2:
        how = st.segmented_control(t("Compared with"), options, key="w_peers",
                                   format_func=lambda p: t(words[p])) or "all"
    peer_list = peer_list if how == "list" else []
    state.set_param(params.PEERS_PARAM, params.encode_peers(how, peer_list))
    edition, group = view["edition"], view["target_group"]
    key = (region, str(group), edition, how, tuple(peer_list))
    links = gap_links(state.view_version(), *key)
    res = links["result"]
    name = names.get(region, region)
    if res.reason:
        st.info(t({"no_scores": N_("{name} has no area scores for this edition and target group."),
                   "no_gaps": N_("{name} is not below its peers in any area: no gap to look for."),
                   "no_practices": N_("No practice from another region covers {name}'s largest gaps "
                                      "({areas}).")}[res.reason], name=safe.md(name), areas=safe.md(", ".join(terms(list(res.areas))))))
    else:
        chosen = links["priorities"][links["priorities"]["priority"]]
        st.markdown(t("**{name}'s priority areas** ({group}, {edition}) — where it falls furthest below "
                      "the mean of its peer group ({peers}):", name=safe.md(name), group=group,
                      edition=edition, peers=views_common.peer_words(how, len(links["peers"])))
                    + "\n" + "\n".join(f"{int(r['order'])}. **{safe.md(term(r['area']))}** — "
                                        f"{views_common.priority_reason(r)}" for _, r in chosen.iterrows()))
    return res, key


@st.cache_resource(max_entries=64, show_spinner=False)
def gap_links(view_version: str, region: str, group: str, edition, how: str,
              peer_list: tuple) -> dict:
    """:func:`views.common.practice_links` for the Lab's gap section, its ``result`` cut to the
    :data:`MAX_SUGGESTIONS` best suggestions."""
    tabs = state.tables()
    links = views_common.practice_links(state.cube(), tabs["practices"], tabs["regions"], region, group,
                                   edition, how, peer_list)
    res = links["result"]
    if len(res.practices) > MAX_SUGGESTIONS:
        res = dp.GapSuggestions(res.gaps, res.practices.head(MAX_SUGGESTIONS), res.reason, res.areas)
    return {**links, "result": res}


# ------------------------------------------------------------------------------ results

def filters_key(f: dp.Filters) -> tuple:
    """The filters as a tuple of their fields (tuples, text, None): a cache key."""
    return tuple(getattr(f, x.name) for x in dataclasses.fields(f))


def results(tabs: dict, f: dp.Filters, gaps: dp.GapSuggestions | None,
            region: str | None = None) -> pd.DataFrame:
    """The practices to show: filters, search (ranked) and, in gaps mode, the suggestions
    for ``region`` (in suggestion order, with a ``why`` column)."""
    # The full-text index is built on the first search, not on the first visit (at 100,000
    # practices it takes seconds); it is then cached for the data version.
    out = dp.apply(tabs["practices"], f, tabs["regions"], search_index() if dp.terms(f.query) else None)
    names = tabs["regions"].drop_duplicates("region_id").set_index("region_id")["name"]
    out = out.assign(region_name=out["region_id"].map(names).fillna(out["region_id"]))
    if gaps is not None:
        sug = gaps.practices
        region = region if region is not None else st.session_state.get("w_region")
        sug = sug.assign(why=[why(r, names.get(region, region)) for _, r in sug.iterrows()])
        out = sug[["practice_id", "rank", "why"]].merge(out, on="practice_id", how="inner")
    return out.reset_index(drop=True)


@st.cache_resource(max_entries=64, show_spinner=False)
def lab_results(view_version: str, lang: str, filters: tuple, gaps: tuple | None) -> pd.DataFrame:
    """:func:`results` for ``filters`` (:func:`filters_key`) and the gap section's key
    (:func:`gap_section`; None: off), once per view."""
    f = dp.Filters(*filters)
    res = gap_links(view_version, *gaps)["result"] if gaps else None
    return results(state.tables(), f, res, gaps[0] if gaps else None)


def open_practice(practice_id: str | None):
    st.session_state[SEL_KEY] = practice_id
    state.set_param("practice", practice_id)


def _on_map_select():
    sel = st.session_state.get(MAP_KEY)
    pid, cell = selected_practice(sel), selected_cell(sel)
    if pid:
        open_practice(pid)
        st.session_state[SCROLL_KEY] = True
    st.session_state[CELL_KEY] = cell


def _on_list_select(key: str, ids: list[str]):
    rows = (st.session_state.get(key) or {}).get("selection", {}).get("rows", [])
    if rows and rows[0] < len(ids):
        open_practice(ids[rows[0]])


def current_practice(valid: set) -> str | None:
    if SEL_KEY not in st.session_state:
        st.session_state[SEL_KEY] = st.query_params.get("practice")
    pid = st.session_state[SEL_KEY]
    if pid and pid not in valid:
        state.notice(t("The link asked for practice “{value}”, which is not in the data.", value=safe.clip(pid)))
        open_practice(None)
        return None
    return pid


def render_list(frame: pd.DataFrame, tabs: dict) -> pd.DataFrame:
    """The results as a selectable grid (picking a row opens its card); returns what it shows."""
    cell = st.session_state.get(CELL_KEY)
    if cell:
        frame = in_cell(frame, tabs["regions"], cell)
        st.caption(t("Showing the {n} practices of the map cell you clicked.", n=len(frame)))
        if st.button(t("Show all results again")):
            st.session_state[CELL_KEY] = None
            st.rerun()
    lead = [c for c in ("rank", "why", "score") if c in frame.columns and frame[c].notna().any()]
    full = frame[lead + LIST_COLUMNS]
    if len(full) > MAX_LIST:
        st.caption(t("The list shows the first {n:,} of {total:,} results; the downloads hold all of them.",
                     n=MAX_LIST, total=len(full)))
    order = lead + ["title", "region_name", "areas", "target_groups", "authority_role", "start_year",
                    "end_year", "funding"]
    shown = full.head(MAX_LIST)[["practice_id", *order]]
    ids = shown["practice_id"].astype(str).tolist()
    key = f"{LIST_KEY}-{hash(tuple(ids)) & 0xffffffff}"
    # the reason a practice is suggested is a sentence: rows tall enough for it to wrap
    row_h = WHY_ROW_HEIGHT if "why" in lead else 35
    st.dataframe(shown, hide_index=True, width="stretch", height=min(38 + row_h * len(shown), 520),
                 row_height=row_h, key=key,
                 on_select=functools.partial(_on_list_select, key, ids), selection_mode="single-row",
                 column_order=order,
                 column_config={"rank": st.column_config.NumberColumn(t("Rank"), width="small"),
                                "why": st.column_config.TextColumn(t("Why suggested"), width=WHY_WIDTH),
                                "score": st.column_config.NumberColumn(t("Relevance"), format="%.1f"),
                                "title": st.column_config.TextColumn(t("Title"), width="large"),
                                "region_name": t("Region"), "areas": t("Areas"),
                                "target_groups": t("Target groups"), "authority_role": t("Authority's role"),
                                "start_year": st.column_config.NumberColumn(t("From"), format="%d"),
                                "end_year": st.column_config.NumberColumn(t("To"), format="%d"),
                                "funding": t("Funding")})
    return full


# ------------------------------------------------------------------------------ the card

def render_card(tabs: dict, practice_id: str | None, closable: bool = True):
    """The card of one practice (title, region, years, areas… link), or a hint. A proposal's
    preview (ui/proposals.py) renders through here too, without the close button."""
    if not practice_id:
        st.info(t("Click a practice on the map or pick one in the list below to read its card."), icon=":material/touch_app:")
        return
    p = tabs["practices"]
    row = p[p["practice_id"].astype(str) == practice_id].iloc[0].to_dict()
    reg = tabs["regions"].drop_duplicates("region_id").set_index("region_id")
    name = reg["name"].get(row["region_id"], row["region_id"])
    country = reg["country"].get(row["region_id"], "")
    with st.container(border=True, key="practice_card"):
        st.subheader(safe.md(row["title"]), anchor=False)
        if st.session_state.pop(SCROLL_KEY, False):
            st.html(_SCROLL_TO_CARD, unsafe_allow_javascript=True, width="content")
        lang = row.get("language")
        if lang and lang != "en":
            st.caption(t("Described in: {lang}", lang=safe.md(lang)))
        for head, body in card_markdown(row, name, country):
            if head:
                st.markdown(f"**{head}**")
            st.markdown(body)
        c1, c2 = st.columns(2)
        url = safe.url(row.get("url"))
        if url:
            c1.link_button(t("More information ({site})", site=safe.md(safe.domain(url))), url, width="stretch")
        if closable and c2.button(t("Close card"), width="stretch"):
            open_practice(None)
            st.rerun()


# ------------------------------------------------------------------------------ the map

#: The Lab's background choropleth is muted (translucent, under the practice markers).
REGION_ALPHA = 120


def build_map(tabs: dict, shown: pd.DataFrame, shade: str, view: dict, selected: str | None = None):
    """(deck, region legend, area legend, match report, (boundary note, outside-view note)) for
    the practices ``shown``.

    Bottom to top: country outlines, regions shaded by ``shade`` (muted), practices as
    ringed markers (spread where several share a place) or counted cells, the open one ringed.
    """
    bounds_gdf, note = state.boundaries()
    regions = _region_part(state.view_version(), language(), shade, view.get("edition"),
                           str(view.get("target_group")), boundary_key(bounds_gdf, note))
    return _deck(tabs, shown, selected, regions)


def boundary_key(bounds_gdf, note) -> tuple:
    """The boundaries in use as scalars (how many shapes, the note): the region polygons are
    fetched in the background, so a map made before they arrived is not reused after."""
    return len(bounds_gdf), note or ""


@st.cache_resource(max_entries=32, show_spinner=False)
def _region_part(view_version: str, lang: str, shade: str, edition, group: str,
                 boundaries: tuple) -> dict:
    """The map's regions, shaded by ``shade`` (country outlines, region layer, legend, match
    report, notes), made once per view."""
    tabs = state.tables()
    bounds_gdf, note = state.boundaries()
    scored = lab_data(view_version)["with_scores"]
    regions = tabs["regions"][tabs["regions"]["region_id"].isin(scored) & (tabs["regions"]["level"] != "NUTS0")]
    matched, report = geo.match_regions(regions, bounds_gdf if len(bounds_gdf) else None, t=t)
    values = _shade_values(view_version, shade, edition, group)
    matched["score"] = matched["region_id"].map(values).astype(float)
    label = t("overall score") if shade == OVERALL else t("{area} score", area=shade)
    region_layers, region_legend = geo.region_layer(matched, "score", value_label=label, palette=charts.MAP_PALETTE,
                                                    alpha=REGION_ALPHA, radius_px=12)
    countries = geo.countries(bounds_gdf, regions)
    return {"matched": matched, "layers": region_layers, "legend": region_legend, "report": report,
            "base": geo.country_layer(countries) if countries is not None else None,
            "notes": (note, charts.outside_note(matched))}


def _deck(tabs: dict, shown: pd.DataFrame, selected: str | None, part: dict):
    matched = part["matched"]
    located = geo.locate_practices(shown, tabs["regions"])
    bounds = geo.extent(matched, located, within=geo.MAINLAND) if len(located) or len(matched) else None
    first = geo.view_for(bounds, width_px=MAP_WIDTH, height_px=MAP_HEIGHT)
    practice_layer, area_legend = geo.practice_layer(shown, tabs["regions"], area_order=known_areas(tabs),
                                                     palette=PALETTE, deg_per_px=360 / (512 * 2 ** first.zoom))
    ring = _selected_ring(practice_layer, selected) if selected and len(shown) <= geo.layers.MAX_POINTS else None
    basemap = os.environ.get("MIPEXR_BASEMAP") or None
    deck = geo.build_deck([part["base"], part["layers"], practice_layer, ring], bounds=bounds, map_style=basemap,
                          tooltip="streamlit", height=MAP_HEIGHT, width_px=MAP_WIDTH)
    return tune_layers(deck), part["legend"], area_legend, part["report"], part["notes"]


@st.cache_resource(max_entries=64, show_spinner=False)
def lab_map(view_version: str, lang: str, filters: tuple, gaps: tuple | None, shade: str, edition,
            group: str, selected: str | None, boundaries: tuple):
    """:func:`build_map` for the practices of :func:`lab_results` (same keys), once per view."""
    shown = lab_results(view_version, lang, filters, gaps)
    part = _region_part(view_version, lang, shade, edition, group, boundaries)
    return _deck(state.tables(), shown, selected, part)


def tune_layers(deck):
    """Region points (no boundaries) are soft discs without a ring, under the ringed practice
    markers, so the two never look alike (units are already plain strings: geo.build_deck)."""
    for layer in deck.layers:
        if layer.id == geo.REGION_POINTS:
            layer.stroked = False
    return deck


def _selected_ring(practice_layer, practice_id: str):
    """A ring around the open practice, where its marker is drawn (after spreading)."""
    rows = [r for r in practice_layer.data if str(r.get("practice_id")) == str(practice_id)] \
        if isinstance(practice_layer.data, list) else []
    if not rows:
        return None
    df = pd.DataFrame([{"lon": rows[0]["lon"], "lat": rows[0]["lat"]}]).assign(fill=[[0, 0, 0, 0]],
                                                                              line=[[20, 20, 20, 255]])
    layer = geo.point_layer(df, layer_id="selected", radius_px=12, pickable=False)
    layer.line_width_min_pixels = 3
    return layer


def render_map(tabs: dict, shown: pd.DataFrame, view: dict, selected: str | None, default_shade: str,
               key: tuple | None = None):
    """Shade choice, the map (clicking a practice opens its card), legends, match messages.

    ``key``: (filters, gap section) as :func:`lab_results` takes them — the map is then cached
    per view; without it, it is built from ``shown``."""
    scored_areas = lab_data(state.view_version())["score_areas"]  # one set, made once per version
    areas = [a for a in known_areas(tabs) if a in scored_areas]
    shade = state.url_widget(st.selectbox, "shade", [OVERALL, *areas], default_shade, t("Shade regions by"),
                             format_func=lambda s: t("Overall score") if s == OVERALL else term(s))
    if key is None:
        made = build_map(tabs, shown, shade, view, selected)
    else:
        made = lab_map(state.view_version(), language(), *key, shade, view.get("edition"),
                       str(view.get("target_group")), selected, boundary_key(*state.boundaries()))
    deck, region_legend, area_legend, report, (note, far) = made
    st.pydeck_chart(deck, on_select=_on_map_select, selection_mode="single-object", key=MAP_KEY,
                    height=MAP_HEIGHT)
    head = t("Regions: {what} ({group}, {edition})", what=t("overall score") if shade == OVERALL else shade,
             group=view.get("target_group"), edition=view.get("edition"))
    st.html(legend_html(head, region_legend, dashed_last=True))
    st.html(legend_html(t("Practices by (first) area") if len(shown) <= geo.layers.MAX_POINTS
                        else t("Map cells of practices, by most common area (click a cell to list them)"),
                        area_legend))
    if far:
        st.caption(far)
    if note:
        st.caption(note)
    elif report.messages:
        with st.expander(t("How regions were placed on the map ({n} notes)", n=len(report.messages))):
            for m in report.messages:
                st.markdown("- " + safe.md(m))
