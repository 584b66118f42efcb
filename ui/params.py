"""One parser per URL parameter, shared by every page that reads it.

A link's parameter means the same thing on every page: ``?w=health:2,foo:1`` weights health
twice on the Overview, the Region profile, the Gaps page, the brief and the workshop, and
every page says the same thing about ``foo``. Parsers are pure (``raw text → value,
problems``) and tested without Streamlit; :func:`url_weights` and :func:`url_peers` read the
current URL and leave a notice (:func:`ui.state.notice`) for every bad item — the good ones
are kept.

``w`` — area weights of the overall score: ``area:weight`` items separated by commas, only
for areas whose weight is not 1, e.g. ``w=labour market:2,health:0.5``. Area names are
matched without regard to case; a ``%``, ``,`` or ``:`` inside an area name is written as
``%25``, ``%2C``, ``%3A``. Weights are numbers from 0 to :data:`MAX_WEIGHT`; they multiply
on top of the indicators' own weights (the data).

``peers`` — the peer group: ``all`` (every other region), ``country`` (same country),
``similar`` (the most similar profiles) or a comma-separated list of region ids.
"""

from __future__ import annotations

import math
from urllib.parse import unquote

from ui import safe
from ui.i18n import N_, t

WEIGHTS_PARAM = "w"
PEERS_PARAM = "peers"
MAX_WEIGHT = 10.0
PEER_MODES = ("all", "country", "similar")

_REASONS = {
    "form": N_("it is not of the form area:weight"),
    "area": N_("there is no such area in the data"),
    "number": N_("the weight is not a number"),
    "range": N_("the weight must be between 0 and {max}"),
    "zero": N_("every area would weigh 0"),
}


# ------------------------------------------------------------------ w: area weights

def _escape(name: str) -> str:
    return name.replace("%", "%25").replace(",", "%2C").replace(":", "%3A")


def encode_weights(weights: dict[str, float] | None) -> str | None:
    """``{"labour market": 2, "health": 1}`` → ``"labour market:2"`` (weights of 1 left out)."""
    items = [f"{_escape(a)}:{w:g}" for a, w in (weights or {}).items() if w != 1]
    return ",".join(items) or None


def parse_weights(raw: str | None, areas) -> tuple[dict[str, float], list[tuple[str, str]]]:
    """Parse the ``w`` parameter against the known ``areas``, item by item.

    Returns (weights of the areas named, problems as (item, reason)). Every item that does
    not parse is dropped and reported; the others are kept. Reasons: "form" (not
    ``area:weight``), "area" (unknown area), "number" (weight not a number), "range"
    (outside 0–MAX_WEIGHT), "zero" (every area would weigh 0: all weights are dropped).
    """
    if raw is None or not str(raw).strip():
        return {}, []
    lookup = {str(a).casefold(): a for a in areas}
    weights, problems = {}, []
    for item in str(raw).split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, value = item.rpartition(":")
        name = unquote(name).strip()
        if not sep or not name:
            problems.append((item, "form"))
            continue
        area = lookup.get(name.casefold())
        if area is None:
            problems.append((item, "area"))
            continue
        try:
            w = float(value)
        except ValueError:
            problems.append((item, "number"))
            continue
        if not math.isfinite(w) or not 0 <= w <= MAX_WEIGHT:
            problems.append((item, "range"))
            continue
        weights[area] = w
    if weights and all(weights.get(a, 1.0) == 0 for a in areas):
        return {}, problems + [(str(raw), "zero")]
    return weights, problems


def weight_problem_text(item: str, reason: str) -> str:
    """The notice for one bad item of ``w`` (the same words on every page)."""
    return t("The link's weight “{item}” was ignored: {why}. Weights of 1 are used instead.",
             item=safe.clip(item), why=t(_REASONS[reason], max=f"{MAX_WEIGHT:g}"))


def effective_weights(weights: dict[str, float] | None) -> dict[str, float] | None:
    """The area weights that change anything: those not 1; None when there are none (every
    area counts once — the default and MIPEX's rule)."""
    out = {a: float(w) for a, w in (weights or {}).items() if float(w) != 1.0}
    return out or None


def weights_key(weights: dict[str, float] | None) -> tuple:
    """A hashable, order-free key of area weights (for caches)."""
    return tuple(sorted((effective_weights(weights) or {}).items()))


def url_weights(areas) -> dict[str, float] | None:
    """The link's ``w`` for this page: the weights that parse (not 1), with a notice for each
    bad item. None when the link sets no weight."""
    import streamlit as st

    from ui import state

    parsed, problems = parse_weights(st.query_params.get(WEIGHTS_PARAM), areas)
    for item, reason in problems:
        state.notice(weight_problem_text(item, reason))
    return effective_weights(parsed)


def weights_text(weights: dict[str, float] | None) -> str:
    """"health × 2, housing × 0.5" — how a page states the area weights it uses."""
    from ui.fmt import spec
    from ui.i18n import term

    return ", ".join(f"{term(a)} × {spec(w, 'g')}" for a, w in (effective_weights(weights) or {}).items())


# ------------------------------------------------------------------ peers: the peer group

def parse_peers(raw: str | None, region_ids: list[str], region: str
                ) -> tuple[str, list[str], str | None]:
    """The ``peers`` URL parameter → (mode, ids, message).

    ``all`` / ``country`` / ``similar`` or a comma-separated list of region ids (mode
    "list"). Unknown ids are dropped with a message; an empty or wholly unknown list falls
    back to "all".
    """
    if raw is None or raw == "":
        return "all", [], None
    if raw in PEER_MODES:
        return raw, [], None
    items = [p.strip() for p in str(raw).split(",") if p.strip()]
    known = [p for p in items if p in region_ids and p != region]
    unknown = [p for p in items if p not in region_ids]
    msg = None
    if unknown:
        msg = t("The link asked for peer regions “{ids}”, which are not in the data; they were "
                "left out.", ids=safe.clip(", ".join(unknown)))
    if not known:
        return "all", [], msg or t("The peer list in the link is empty; all regions are used.")
    return "list", known, msg


def encode_peers(mode: str, ids=()) -> str | None:
    """The ``peers`` parameter of a peer group (None for "all", the default)."""
    if mode == "list":
        return ",".join(map(str, ids)) or None
    return None if mode == "all" else mode


def url_peers(region_ids: list[str], region: str) -> tuple[str, list[str]]:
    """The link's peer group for ``region`` (mode, ids), with a notice when it is bad."""
    import streamlit as st

    from ui import state

    mode, ids, msg = parse_peers(st.query_params.get(PEERS_PARAM), region_ids, region)
    if msg:
        state.notice(msg)
    return mode, ids
