"""The workshop's model: steps and their links, the letters of a guessing round, the
region's neighbourhood in the ranking, its profile in two sentences, the what-if.

Pure (no Streamlit): tested without it. The numbers come from the same functions as the
Region profile and the brief (:mod:`ui.profile`, :mod:`views.brief`); the page renders and
caches per view in :mod:`ui.workshop`.
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

import scoring
from ui import fmt, params, safe
from views import common as views_common
from ui.i18n import t
from views import brief

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
    return views_common.default_region(ids, regions, cube, group, edition)


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
                  names: dict, k: int = NEIGHBOURS, weights=None,
                  overall: pd.DataFrame | None = None) -> pd.DataFrame:
    """The region and up to ``k`` regions ranked just above and below it (overall score),
    labelled with ``names``: one readable screen instead of 25 bars."""
    ov = views_common.overall_table(cube, regions, edition, group, weights) if overall is None \
        else overall
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
    old = views_common.rank_bands(cube, regions, cube.editions[e], group, gw).set_index("region_id")
    new = scoring.robustness(scoring.changed_cube(cube, region, changes, edition), group,
                             edition, group_weights=gw,
                             n_draws=views_common.band_draws(len(cube.regions))).set_index("region_id")
    return {"area": area, "score_old": ar["score_old"], "score_new": ar["score_new"],
            "overall_old": ov["score_old"], "overall_new": ov["score_new"],
            "rank_old": ov["rank_old"], "rank_new": ov["rank_new"], "n_ranked": n,
            "band_old": (old.loc[region, "rank_p05"], old.loc[region, "rank_p95"]),
            "band_new": (new.loc[region, "rank_p05"], new.loc[region, "rank_p95"])}


def _peers(cube, tabs, region, group, edition, view: dict) -> list[str]:
    """The peer group of the view (``peers`` in the link; default every other region)."""
    table = views_common.axis_table(cube, "area")
    return views_common.peer_ids(table, region, view.get("mode", "all"),
                            list(view.get("peer_list", ())), tabs["regions"], group, edition)


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


def gap_areas(cube, tabs, region, group, edition, names, view=None) -> pd.DataFrame:
    """Step 4's priority areas: :func:`ui.profile.priority_table` (the one rule), as the
    profile, the brief and the Integration Lab list them."""
    view = view or {}
    peers = _peers(cube, tabs, region, group, edition, view)
    g = brief.area_gaps(cube, region, group, edition, names, peers)
    return g[g["priority"]]


def view_key(view: dict) -> tuple:
    """The view (area weights, peer group) as a tuple of scalars: a cache key."""
    return (("weights", params.weights_key(view.get("weights"))),
            ("mode", view.get("mode", "all")), ("peer_list", tuple(view.get("peer_list", ()))))
