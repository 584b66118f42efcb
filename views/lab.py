"""The Integration Lab's model: what a practice's card says, why a practice is suggested,
which practice or map cell a click picked, the map's legends.

Pure (no Streamlit): which practices are shown and in which order is decided in
:mod:`data.practices`; the page caches per view in :mod:`ui.practices`. User-supplied text
is escaped here (:func:`ui.safe.md`, ``html.escape``) before any renderer sees it.
"""

from __future__ import annotations

import html
import re

import pandas as pd

import geo
from data.schema import split_list
from ui import safe
from ui.i18n import N_, t, term, terms

OVERALL = "overall"


def parse_years(text: str | None, bounds: tuple[int, int]) -> tuple[int, int]:
    """``"2018-2022"`` → (2018, 2022) clipped to ``bounds``; anything else → ``bounds``."""
    m = re.fullmatch(r"\s*(\d{4})\s*-\s*(\d{4})\s*", text or "")
    if not m:
        return bounds
    lo, hi = sorted((int(m[1]), int(m[2])))
    lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    return (lo, hi) if lo <= hi else bounds


def why(row, region_name: str) -> str:
    """One sentence saying why a practice was suggested (plain text, for the table)."""
    from ui import fmt

    text = t("{region} is {gap} points below its peers' mean in {area}; ", region=region_name,
             gap=fmt.number(row["gap"]), area=row["area"])
    if pd.notna(row["source_score"]):
        text += t("{source} scores {score} there ({rank} of {n} regions).", source=row["region_name"],
                  score=fmt.number(row["source_score"]), rank=fmt.ordinal(row["source_rank"]),
                  n=row["n_ranked"])
    else:
        text += t("{source} has no {area} score in this view.", source=row["region_name"], area=row["area"])
    others = [a for a in split_list(row["matched"]) if a != row["area"]]
    if others:
        text += " " + t("Also covers: {areas}.", areas=", ".join(terms(others)))
    return text


def _picked(selection) -> list:
    """The objects picked on the practices layer of a pydeck selection (none if malformed)."""
    try:
        objects = (selection or {}).get("selection", {}).get("objects", {}).get(geo.PRACTICES) or []
    except AttributeError:
        return []
    return [obj for obj in objects if isinstance(obj, dict)]


def selected_practice(selection) -> str | None:
    """The practice_id picked in a pydeck selection (layer ``practices``), else None."""
    for obj in _picked(selection):
        if obj.get("practice_id"):
            return str(obj["practice_id"])
    return None


def selected_cell(selection) -> tuple | None:
    """(west, south, east, north) of an aggregated cell picked on the map, else None."""
    for obj in _picked(selection):
        if "count" in obj and "west" in obj:
            return tuple(float(obj[k]) for k in ("west", "south", "east", "north"))
    return None


def in_cell(frame: pd.DataFrame, regions: pd.DataFrame, cell) -> pd.DataFrame:
    """Rows of ``frame`` located inside an aggregated map cell (west, south, east, north)."""
    loc = geo.locate_practices(frame, regions)
    w, s, e, n = cell
    keep = (loc["lon"] >= w) & (loc["lon"] < e) & (loc["lat"] >= s) & (loc["lat"] < n)
    return frame[keep.to_numpy()]


def _years(row) -> str:
    start, end = row.get("start_year"), row.get("end_year")
    if pd.isna(start):
        return t("years not given")
    return f"{int(start)}–{int(end)}" if pd.notna(end) else t("since {year} (ongoing)", year=int(start))


def card_markdown(row, region_name: str, country: str) -> list[tuple[str, str]]:
    """The card as (heading, escaped Markdown) pairs — pure, so the escaping is testable."""
    def lst(col):
        return ", ".join(safe.md(v) for v in split_list(row.get(col))) or "—"
    role = row.get("authority_role")
    role_text = {"direct": t("direct"), "indirect": t("indirect, through social actors")}.get(role, role)
    facts = "  \n".join([
        f"**{t('Region')}:** {safe.md(region_name)} ({safe.md(row['region_id'])}) · {safe.md(country)}",
        f"**{t('Years')}:** {_years(row)}",
        f"**{t('Areas')}:** {lst('areas')}",
        f"**{t('Target groups')}:** {lst('target_groups')}",
        f"**{t('Regional authority')}:** {safe.md(role_text) if role_text else '—'}",
        f"**{t('Stakeholders')}:** {lst('stakeholders')}",
        f"**{t('REGIN criteria')}:** {lst('criteria')}",
        f"**{t('Funding')}:** {lst('funding')}",
    ])
    parts = [("", facts)]
    for col, head in (("summary", N_("What was done")), ("lessons_learnt", N_("Lessons learnt")),
                      ("transferability_tips", N_("Tips for transferability"))):
        body = safe.md(row.get(col))
        parts.append((t(head), body or t("Not given.")))
    return parts


def legend_html(title: str, entries, dashed_last: bool = False) -> str:
    """A legend as HTML; every label is escaped (area names are data)."""
    items = []
    for i, (label, rgba) in enumerate(entries):
        # area names and the "no data" entry in the reader's language
        label = t("no data") if label == "no data" else term(label)
        r, g, b, a = rgba
        border = "1.5px dashed #666" if dashed_last and i == len(entries) - 1 else "1px solid #999"
        items.append(f'<span style="display:inline-flex;align-items:center;margin:0 12px 4px 0">'
                     f'<span style="display:inline-block;width:14px;height:14px;margin-right:5px;'
                     f'background:rgba({r},{g},{b},{a / 255:.2f});border:{border}"></span>'
                     f'{html.escape(str(label))}</span>')
    return (f'<div style="font-size:0.85rem;line-height:1.4"><b>{html.escape(title)}</b><br/>'
            + "".join(items) + "</div>")
