"""Workshop mode: a guided walk-through of one region for a room, on a projector.

Six steps, one idea per screen, each with its own URL (``/workshop?region=ES51&step=3``;
``edition`` and ``group`` as everywhere), so a trainer can prepare a sequence of links:

1. where it stands · 2. its profile against its peers · 3. the policy-cycle heatmap ·
4. its biggest gaps · 5. practices from elsewhere · 6. what if one policy changed.

``guess=1`` starts a "guess the region" round: every region is a letter (the same letters
on every step of the round; ``guess=<n>`` shuffles differently), and ``reveal=1`` (the
reveal button) shows the names again.

The presentation view hides the sidebar and sets large type (CSS with no user text in
it); charts get their fonts scaled (:func:`ui.export.scale_fonts`). The numbers come from
the same functions as the Region profile and the brief (:mod:`ui.profile`, :mod:`ui.brief`).
The pure functions (step parsing, letters, the what-if) are tested without Streamlit.
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

import scoring
from ui import brief, charts, export, fmt, params, profile, safe
from ui.i18n import t

#: The steps, in order: (URL-stable slug, English title for t()).
STEPS = ("standing", "profile", "cycle", "gaps", "practices", "whatif")
#: Font scale for charts on a projector: 13 px labels → 28 px, readable at the back of a room.
CHART_SCALE = 2.2
#: The radar's font scale: its labels sit around the circle and take its room, so a little
#: less (13 px → 26 px).
RADAR_SCALE = 2.0
#: The height of one bar's row on a slide (px): room for 28-px labels.
ROW_HEIGHT = 60
#: Regions shown around the one in view on the "where it stands" bars.
NEIGHBOURS = 2
#: The radar's height on a slide (px): most of a 1920×1080 projector's height.
RADAR_HEIGHT = 700
#: The partner region shown when the link names none.
DEFAULT_REGION = "ES51"

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


def step_titles() -> list[str]:
    """The steps' titles, translated (literal strings for the extractor)."""
    return [t("Where it stands"), t("Its profile against its peers"),
            t("The policy cycle: where does it break?"), t("Its biggest gaps"),
            t("Practices from elsewhere"), t("What if one policy changed?")]


def parse_step(raw, n: int = len(STEPS)) -> tuple[int, str | None]:
    """The ``step`` URL parameter → (1-based step, message). A number 1…n or a slug
    ("gaps"); anything else gives step 1 and a plain-language notice."""
    if raw is None or str(raw).strip() == "":
        return 1, None
    text = str(raw).strip().lower()
    if text in STEPS:
        return STEPS.index(text) + 1, None
    if text.isdigit() and 1 <= int(text) <= n:
        return int(text), None
    return 1, t("The link asked for step “{s}”, which does not exist; the walk-through starts "
                "at step 1 of {n}.", s=safe.clip(raw), n=n)


def letters(n: int) -> list[str]:
    """A, B, …, Z, AA, AB, … (enough for any number of regions)."""
    out, abc = [], string.ascii_uppercase
    for i in range(n):
        s, k = "", i
        while True:
            s = abc[k % 26] + s
            k = k // 26 - 1
            if k < 0:
                break
        out.append(s)
    return out


def default_region(ids, regions, cube, group, edition) -> str:
    """The region a workshop opens on: the trainer's example region when it has a score in
    the edition in view, else the profile's default (a region with a score in view)."""
    if DEFAULT_REGION in set(map(str, scoring.regions_with_data(cube, group, edition))):
        return DEFAULT_REGION
    return profile.default_region(ids, regions, cube, group, edition)


def guess_tags(ids: list[str], seed: int = 1) -> dict[str, str]:
    """region_id → its letter in a guessing round ("K"), in an order shuffled by ``seed``
    (the same on every step of one round, so the room can follow region B from screen to
    screen). The round's links carry the letter (``mystery=K``), never the region's code."""
    ids = sorted(map(str, ids))
    order = np.random.default_rng(seed).permutation(len(ids))
    tags = letters(len(ids))
    return {ids[j]: tags[i] for i, j in enumerate(order)}


def guess_names(ids: list[str], seed: int = 1) -> dict[str, str]:
    """region_id → "Region A", … (:func:`guess_tags` in words)."""
    return {r: t("Region {letter}", letter=tag) for r, tag in guess_tags(ids, seed).items()}


def parse_guess(raw) -> int | None:
    """``guess`` URL parameter → seed (``1``, ``yes``, ``true`` → 1; a number → itself) or
    None (no guessing round)."""
    if raw is None:
        return None
    text = str(raw).strip().lower()
    if text in ("", "0", "no", "false", "off"):
        return None
    if text in ("yes", "true", "on"):
        return 1
    return int(text) if text.isdigit() else 1


def step_params(region: str, step: int, edition=None, group=None, guess=None,
                view: dict | None = None, lang: str | None = None) -> dict:
    """The query parameters of one step's URL (what the prev/next links carry), with the
    view's area weights (``w``) and peer group (``peers``) when they are not the default,
    and the interface language (``lang``) when given."""
    view = view or {}
    # in a guessing round the link names the region by its letter only
    qp = {"mystery": view["mystery"]} if view.get("mystery") else {"region": region}
    qp["step"] = str(step)
    if lang:
        qp["lang"] = lang
    if edition is not None:
        qp["edition"] = str(edition)
    if group is not None:
        qp["group"] = str(group)
    if guess is not None:
        qp["guess"] = str(guess)
    w = params.encode_weights(view.get("weights"))
    if w:
        qp[params.WEIGHTS_PARAM] = w
    p = params.encode_peers(view.get("mode", "all"), view.get("peer_list", ()))
    if p:
        qp[params.PEERS_PARAM] = p
    return qp


def step_urls(base: str, region: str, edition=None, group=None, guess=None,
              view: dict | None = None, lang: str | None = None) -> list[str]:
    """The whole walk-through as a list of links (for a trainer's prepared sequence);
    ``base`` is the workshop page's absolute address (:func:`page_address`), so the links
    can be pasted into an e-mail or a slide, and they keep the language."""
    from urllib.parse import urlencode

    return [f"{base}?{urlencode(step_params(region, k, edition, group, guess, view, lang))}"
            for k in range(1, len(STEPS) + 1)]


def page_address(url: str | None, path: str = "workshop") -> str:
    """The absolute address of a page of this app from the address the browser shows
    (``https://host/base/workshop?step=2`` → ``https://host/base/workshop``); just
    ``/workshop`` when the address is unknown."""
    from urllib.parse import urlsplit, urlunsplit

    if not url:
        return f"/{path}"
    parts = urlsplit(url)
    root = parts.path.rstrip("/")
    for name in (path, "home", "overview"):  # the page the address shows, if any
        if root.endswith("/" + name):
            root = root[: -len(name) - 1]
            break
    return urlunsplit((parts.scheme, parts.netloc, f"{root}/{path}", "", ""))


# ------------------------------------------------------------------------------ data per step

def neighbourhood(cube: scoring.Cube, regions: pd.DataFrame, region: str, group, edition,
                  names: dict, k: int = NEIGHBOURS, weights=None) -> pd.DataFrame:
    """The region and up to ``k`` regions ranked just above and below it (overall score),
    labelled with ``names``: one readable screen instead of 25 bars."""
    ov = profile.overall_table(cube, regions, edition, group, weights)
    ov = ov[ov["score"].notna()].reset_index(drop=True)
    hit = np.flatnonzero(ov["region_id"].to_numpy() == region)
    if hit.size == 0:
        return ov.head(0).assign(label=pd.Series(dtype=str))
    i = int(hit[0])
    lo, hi = max(0, i - k), min(len(ov), i + k + 1)
    part = ov.iloc[lo:hi].copy()
    part["label"] = [f"{int(r)}. {names.get(rid, rid)}" for r, rid in zip(part["rank"], part["region_id"])]
    return part.reset_index(drop=True)


def weakest_phase(heat: pd.DataFrame) -> tuple[str | None, int, int]:
    """The phase most often the weakest of an area: (phase, areas where it is, areas)."""
    flagged = heat[heat["weakest"]]
    n_areas = int(heat.loc[heat["score"].notna(), "area"].nunique())
    if flagged.empty:
        return None, 0, n_areas
    counts = flagged.groupby("phase").size().sort_values(ascending=False, kind="stable")
    return str(counts.index[0]), int(counts.iloc[0]), n_areas


def what_if_options(cube: scoring.Cube, region: str, group, edition) -> pd.DataFrame:
    """Indicators the region could change, weakest first: asked for ``group`` (for "ALL":
    for a real group), with an answer map, and a better answer than the current one.

    Output: indicator_id, label, area, value (current; NaN = no answer), best_value —
    sorted by value (no answer first: it counts as the weakest), then indicator_id.
    """
    r, e = cube.region_index(region), cube.edition_index(edition)
    g = cube.group_index(group)
    ind = cube.indicators
    real = [i for i, x in enumerate(cube.groups) if x != scoring.ALL]
    asked = cube.asked[:, g] if group != scoring.ALL else cube.asked[:, real].any(axis=1)
    best = np.array([max(m.values()) if m else np.nan for m in cube.answer_maps], dtype=float)
    value = cube.values[r, g, e, :]
    ok = asked & np.isfinite(best) & ~(value >= best)
    out = ind.loc[ok, ["indicator_id", "label", "area"]].assign(value=value[ok], best_value=best[ok])
    out = out.assign(area=out["area"].astype(str), _nan=out["value"].notna())
    return out.sort_values(["_nan", "value", "indicator_id"]).drop(columns="_nan").reset_index(drop=True)


def answer_options(cube: scoring.Cube, indicator_id: str) -> list[tuple[str, float]]:
    """(answer code, value) of an indicator, best first."""
    i = list(cube.indicators["indicator_id"]).index(indicator_id)
    return sorted(cube.answer_maps[i].items(), key=lambda kv: (-kv[1], kv[0]))


def what_if(cube: scoring.Cube, region: str, indicator_id: str, answer: str, group,
            edition, weights=None, regions: pd.DataFrame | None = None) -> dict:
    """Old → new area score, overall score and rank (with its band) after giving
    ``indicator_id`` the answer ``answer`` (:func:`scoring.what_if`, area ``weights`` on
    top). For "ALL" the answer is given for every target group the indicator is asked for.
    The new rank's band comes from the same weight draws as every rank band
    (:func:`scoring.robustness` on the changed data). Returns a dict with area,
    score_old/new, overall_old/new, rank_old/new, band_old/new (low, high), n_ranked."""
    i = list(cube.indicators["indicator_id"]).index(indicator_id)
    area = str(cube.indicators["area"].iloc[i])
    groups = [group] if group != scoring.ALL else [
        x for k, x in enumerate(cube.groups) if x != scoring.ALL and cube.asked[i, k]]
    changes = {(indicator_id, g): answer for g in groups}
    gw = params.effective_weights(weights)
    res = scoring.what_if(cube, region, changes, edition, group_weights=gw)
    res = res[res["target_group"] == group]
    ov = res[res["level"] == "overall"].iloc[0]
    ar = res[res["group"] == area].iloc[0]
    e = cube.edition_index(edition)
    ov_all = scoring.overall(cube, group_weights=gw)
    n = int(ov_all.loc[(ov_all["target_group"] == group) & (ov_all["edition"] == cube.editions[e]),
                       "score"].notna().sum())
    old = profile.rank_bands(cube, regions, cube.editions[e], group, gw).set_index("region_id")
    new = scoring.robustness(scoring.changed_cube(cube, region, changes, edition), group,
                             edition, group_weights=gw,
                             n_draws=profile.band_draws(len(cube.regions))).set_index("region_id")
    return {"area": area, "score_old": ar["score_old"], "score_new": ar["score_new"],
            "overall_old": ov["score_old"], "overall_new": ov["score_new"],
            "rank_old": ov["rank_old"], "rank_new": ov["rank_new"], "n_ranked": n,
            "band_old": (old.loc[region, "rank_p05"], old.loc[region, "rank_p95"]),
            "band_new": (new.loc[region, "rank_p05"], new.loc[region, "rank_p95"])}


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


def _peers(cube, tabs, region, group, edition, view: dict) -> list[str]:
    """The peer group of the view (``peers`` in the link; default every other region)."""
    table = profile.axis_table(cube, "area")
    return profile.peer_ids(table, region, view.get("mode", "all"),
                            list(view.get("peer_list", ())), tabs["regions"], group, edition)


def step_standing(cube, tabs, region, group, edition, names, view):
    st = _st()
    weights = view.get("weights")
    cards = profile.headline_cards(cube, tabs["regions"], region, group, edition, weights)
    h = profile.headline(cube, tabs["regions"], region, group, edition, weights)
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
    near = neighbourhood(cube, tabs["regions"], region, group, edition, names, weights=weights)
    if len(near):
        me = near.loc[near["region_id"] == region, "label"].iloc[0]
        show_big(charts.bar_chart(near, "label", category_order=near["label"].tolist(),
                                  highlight=me, height=70 * len(near) + 150,
                                  label_limit=420), "standing")


def profile_sentences(cube, tabs, region, group, edition, names, view_key) -> list[str]:
    """Step 2's two sentences: the area furthest above the peers' mean (only if one is above)
    and the first priority area (:func:`ui.profile.priority_table`, the one rule)."""
    view = dict(view_key)
    peers = _peers(cube, tabs, region, group, edition, view)
    g = brief.area_gaps(cube, region, group, edition, names, peers).dropna(subset=["gap_peers"])
    out = []
    above = g[g["gap_peers"] > 0].sort_values(["gap_peers", "area"], ascending=[False, True])
    if len(above):
        out.append(t("Furthest **above** its peers: **{a}** ({d} points).",
                     a=safe.md(above.iloc[0]["area"]), d=fmt.signed(above.iloc[0]["gap_peers"])))
    else:
        out.append(t("Above its peers' mean in no area."))
    first = g[g["priority"]]
    if len(first):
        out.append(t("Furthest **below** its peers: **{a}** ({d} points).",
                     a=safe.md(first.iloc[0]["area"]), d=fmt.signed(first.iloc[0]["gap_peers"])))
    else:
        out.append(t("Below its peers' mean in no area."))
    return out


def step_profile(cube, tabs, region, group, edition, names, view):
    st = _st()
    table = profile.axis_table(cube, "area")
    peers = _peers(cube, tabs, region, group, edition, view)
    radar = profile.radar_frame(table, region, peers, group, edition, names)
    order = profile.area_order(cube)
    left, right = st.columns([2, 1])
    with left:  # as tall as most of a 1080-px slide; the width follows the column
        show_big(charts.radar_chart(radar, "area", axis_order=order,
                                    series_order=radar["series"].drop_duplicates().tolist(),
                                    size=RADAR_HEIGHT, label_scale=RADAR_SCALE), "radar",
                 scale=RADAR_SCALE,
                 legend_right=True)
    with right:
        for line in profile_sentences(cube, tabs, region, group, edition, names,
                                      view_key(view)):
            st.markdown(line)
        st.caption(t("Peers: {peers}.", peers=profile.peer_words(view.get("mode", "all"),
                                                                  len(peers))))


def step_cycle(cube, tabs, region, group, edition, names, view):
    st = _st()
    heat = profile.cycle_heatmap(cube, region, group, edition)
    phase, k, n = weakest_phase(heat)
    if phase:
        st.markdown(t("The weakest phase in **{k} of {n}** areas: **{phase}**.", k=k, n=n, phase=safe.md(phase)))
    show_big(charts.heatmap(heat, "phase", "area", x_order=profile.area_order(cube, "phase"),
                            flag="weakest", flag_label=t("weakest phase"), cell_height=38),
             "cycle")


def gap_areas(cube, tabs, region, group, edition, names, view=None) -> pd.DataFrame:
    """Step 4's priority areas: :func:`ui.profile.priority_table` (the one rule), as the
    profile, the brief and the Integration Lab list them."""
    view = view or {}
    peers = _peers(cube, tabs, region, group, edition, view)
    g = brief.area_gaps(cube, region, group, edition, names, peers)
    return g[g["priority"]]


def step_gaps(cube, tabs, region, group, edition, names, view):
    st = _st()
    peers = _peers(cube, tabs, region, group, edition, view)
    g = brief.area_gaps(cube, region, group, edition, names, peers)
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
    p = brief.suggested_practices(cube, tabs, region, group, edition, n=3, mode=mode,
                                  peer_list=peer_list)
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
    link = profile.practice_links(cube, tabs["practices"], tabs["regions"], region, group,
                                  edition, mode, peer_list)["link"]
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
    countries = profile.units_are_countries(tabs["regions"], cube.regions)
    m3.metric(t("Rank among {n} countries", n=r["n_ranked"]) if countries else
              t("Rank among {n} regions", n=r["n_ranked"]), fmt.ordinal(r["rank_new"]),
              (f"{int(r['rank_old']) - int(r['rank_new']):+d}" if pd.notna(r["rank_new"])
               and pd.notna(r["rank_old"]) and r["rank_old"] != r["rank_new"] else None),
              help=t("Rank among all regions with the new answer; + means places gained.") + " "
              + profile.band_help(len(cube.regions)))
    st.markdown(t("Rank with the new answer: {rank}.",
                  rank=fmt.rank_band(r["rank_new"], *r["band_new"])))
    st.markdown(t("Before: {area} {a0}, overall {o0}, rank {r0}.", area=safe.md(r["area"]),
                  a0=brief.fmt(r["score_old"]), o0=brief.fmt(r["overall_old"]),
                  r0=fmt.rank_band(r["rank_old"], *r["band_old"])))


def what_if_shown(cube, region, indicator_id, answer, group, edition, weights=None,
                  regions=None) -> dict:
    """:func:`what_if`, remembered per view (the new rank band costs a robustness run)."""
    return what_if(cube, region, indicator_id, answer, group, edition, weights, regions)


def view_key(view: dict) -> tuple:
    """A hashable form of the view (area weights, peer group) for remembered results."""
    return (("weights", params.weights_key(view.get("weights"))),
            ("mode", view.get("mode", "all")), ("peer_list", tuple(view.get("peer_list", ()))))


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
