"""The region brief: a printable one-region policy brief, as PDF (ReportLab) and HTML.

Data first, rendering second: :func:`build` computes a :class:`Brief` from the same
functions the Region profile uses (:mod:`ui.profile`, :mod:`scoring`,
:func:`data.practices.gap_suggestions`), and :func:`to_html` and :func:`to_pdf` only lay
that one object out — so the brief, the page and the workshop always show the same
numbers. No Streamlit here.

* PDF: ReportLab's platypus (a pure-Python wheel, no system libraries) with the charts
  rendered to PNG by vl-convert (offline) at twice their size.
* HTML: one self-contained file — inline CSS, charts as inline SVG, no font, script or
  image fetched from anywhere — that prints well from a browser.

Peers are every other scored region (the MIPEX-R comparison group); the brief says so.
"""

from __future__ import annotations

import html as _html
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import scoring
from ui import charts, export, params, profile
from ui.fmt import rank_band, round_half_up, table_words
from ui.fmt import text as fmt_text
from ui.i18n import N_, language, t, term, untranslated_note

#: How many areas / practices / indicators the brief lists.
N_GAPS, N_PRACTICES, N_INDICATORS = 3, 5, 3
TEMPLATE = Path(__file__).with_name("brief_template.html")


@dataclass
class Brief:
    """Everything a brief prints, computed once (see :func:`build`)."""

    region_id: str
    name: str
    country: str
    edition: object
    group: str
    score: float
    rank: float
    n_ranked: int
    rank_country: float
    n_country: int
    coverage: float
    radar: pd.DataFrame            # long: area, series, score, … (ui.profile.radar_frame)
    radar_wide: pd.DataFrame       # its text alternative (ui.profile.radar_table)
    heat: pd.DataFrame             # area × phase (ui.profile.cycle_heatmap)
    area_order: list
    phase_order: list
    gaps: pd.DataFrame             # every area against the peers, priorities first
    strengths: pd.DataFrame        # ui.profile.strengths
    outcome: pd.DataFrame | None   # ui.profile.outcome_rows, or None
    outcome_proxy: str | None
    outcome_text: str | None       # what the gap compares, its year, its flags (in words)
    practices: pd.DataFrame        # suggested practices with lessons and tips
    n_peers: int
    version: str
    published: str
    illustrative: list = field(default_factory=list)   # names of illustrative tables
    headline: list = field(default_factory=list)       # (label, value, help): the profile's
    priorities: pd.DataFrame | None = None             # ui.profile.priority_table
    peer_mode: str = "all"
    weights: dict | None = None                        # area weights from the link
    rank_low: float = float("nan")
    rank_high: float = float("nan")
    label_note: str | None = None                      # indicator names not translated
    countries: bool = False                            # the index's places are countries
    framework: str | None = None                       # the index (data.schema.framework_of)

    @property
    def title(self) -> str:
        return f"{self.name} ({self.region_id})"


def fmt(v, pattern: str = "{:.1f}") -> str:
    """A number as text (rounded by the one display rule, :func:`ui.fmt.round_half_up`); a
    missing one reads "no data", never 0 or blank."""
    try:
        if v is None or v is pd.NA or not np.isfinite(float(v)):
            return t("no data")
    except (TypeError, ValueError):
        return t("no data")
    if pattern in ("{:.1f}", "{:+.1f}"):
        v = round_half_up(float(v))
    return fmt_text(pattern, v)  # numbers in the interface language's locale


def headline(cube: scoring.Cube, regions: pd.DataFrame, region: str, group, edition,
             weights=None) -> dict:
    """The Region profile's headline numbers (:func:`ui.profile.headline`)."""
    return profile.headline(cube, regions, region, group, edition, weights)


def area_gaps(cube: scoring.Cube, region: str, group, edition, labels: dict,
              peers: list[str]) -> pd.DataFrame:
    """Every area of the region against the mean of its ``peers``, priorities first, then by
    gap (:func:`ui.profile.priority_table`, the one rule; NaN where the region or the peers
    have no score). Columns: area, score, peer_mean, gap_peers, best_score, best_region,
    priority, order, shortfall, reason."""
    table = profile.axis_table(cube, "area")
    g = profile.priority_table(table, region, peers, group, edition)
    g = g.assign(best_region=g["best_region"].map(
        lambda s: "; ".join(labels.get(x, x) for x in str(s).split(";") if x)
        if isinstance(s, str) else s))
    return g[["area", "score", "peer_mean", "gap_peers", "best_score", "best_region",
              "priority", "order", "shortfall", "reason"]].reset_index(drop=True)


def suggested_practices(cube: scoring.Cube, tabs: dict, region: str, group, edition,
                        n: int = N_PRACTICES, mode: str = "all", peer_list=()) -> pd.DataFrame:
    """Practices from other regions for the region's priority areas — the list the Region
    profile shows and the Integration Lab ranks (:func:`ui.profile.practice_links`), with
    their lessons and tips."""
    p = profile.practice_links(cube, tabs["practices"], tabs["regions"], region, group, edition,
                               mode, tuple(peer_list))["practices"].head(n).copy()
    if p.empty:
        return p.assign(lessons_learnt=pd.Series(dtype=str), transferability_tips=pd.Series(dtype=str))
    extra = tabs["practices"].drop_duplicates("practice_id").set_index("practice_id")
    for col in ("lessons_learnt", "transferability_tips", "language"):
        p[col] = p["practice_id"].map(extra[col]) if col in extra else ""
    return p.reset_index(drop=True)


def language_note(code) -> str:
    """How a practice written in another language than the reader's is marked: "(in
    Swedish)"; "" when it is in the reader's language or its language is not known.
    Practices are data, written once in their region's language: they are marked, never
    machine-translated."""
    from ui.i18n import LANGUAGE_WORDS, language

    code = str(code).strip().lower() if isinstance(code, str) else ""
    if not code or code == language() or code not in LANGUAGE_WORDS:
        return ""
    return t("(in {language})", language=t(LANGUAGE_WORDS[code]))


def _labelled_strengths(sw: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """The strengths with their indicator names in the reader's language (as the profile)."""
    from ui.i18n import data_column

    return sw.assign(label=data_column(sw, "label", indicators)) if len(sw) else sw


def build(cube: scoring.Cube, tabs: dict, manifest: dict, region: str, group, edition,
          weights=None, mode: str = "all", peer_list=(), measure: str | None = None) -> Brief:
    """The brief of ``region`` for one target group and edition, with the view's area
    ``weights`` and peer group (``mode``/``peer_list``, as on the Region profile; default:
    every other scored region); the policy–outcome section shows ``measure`` (default: as the
    Region profile)."""
    regions = tabs["regions"]
    weights = params.effective_weights(weights)
    head = headline(cube, regions, region, group, edition, weights)
    table = profile.axis_table(cube, "area")
    peers = profile.peer_ids(table, region, mode, list(peer_list), regions, group, edition)
    names = {str(i): str(n) for i, n in zip(regions["region_id"], regions["name"])}
    radar = profile.radar_frame(table, region, peers, group, edition, {**names, region: head["name"]})
    catalogue = profile.measure_catalogue(tabs.get("measures"), tabs.get("outcomes"))
    out = profile.outcome_gap(table, tabs.get("outcomes"), catalogue, regions, region, group,
                              edition, measure or default_measure(tabs, region))
    flags = manifest.get("illustrative", {}) or {}
    gaps = area_gaps(cube, region, group, edition, names, peers)
    return Brief(
        region_id=region, name=str(head["name"]), country=str(head["country"]), edition=edition,
        group=str(group), score=head["score"], rank=head["rank"], n_ranked=head["n_ranked"],
        countries=bool(head["countries"]), framework=_framework(tabs, cube),
        rank_country=head["rank_country"], n_country=head["n_country"],
        coverage=head["coverage"], radar=radar, radar_wide=profile.radar_table(radar, "area"),
        heat=profile.cycle_heatmap(cube, region, group, edition),
        area_order=profile.area_order(cube), phase_order=profile.area_order(cube, "phase"),
        gaps=gaps,
        strengths=_labelled_strengths(profile.strengths(cube, region, peers, group, edition,
                                                        n=N_INDICATORS), tabs["indicators"]),
        label_note=untranslated_note(tabs["indicators"]),
        outcome=profile.outcome_rows(out) if out else None,
        outcome_proxy=(out or {}).get("proxy_name"),
        outcome_text=profile.outcome_text(out) if out else None,
        practices=suggested_practices(cube, tabs, region, group, edition, mode=mode,
                                      peer_list=peer_list),
        n_peers=len(peers), version=str(manifest.get("version", "")),
        published=str(manifest.get("created", ""))[:16].replace("T", " "),
        illustrative=[k for k, v in flags.items() if v],
        headline=profile.headline_cards(cube, regions, region, group, edition, weights),
        priorities=gaps[gaps["priority"]], peer_mode=mode, weights=weights,
        rank_low=head["rank_low"], rank_high=head["rank_high"])


def measure_choices(tabs: dict, region: str) -> tuple[list[str], dict[str, str]]:
    """The outcome measures a brief of ``region`` can show, and their labels (as the
    Region profile's list)."""
    catalogue = profile.measure_catalogue(tabs.get("measures"), tabs.get("outcomes"))
    options = profile.outcome_options(catalogue, tabs.get("outcomes"), tabs["regions"], region)
    labels = dict(zip(catalogue["measure"].astype(str), catalogue["label"].astype(str)))
    return options, labels


def default_measure(tabs: dict, region: str) -> str | None:
    """The measure the brief shows unless one is chosen: the Region profile's default."""
    catalogue = profile.measure_catalogue(tabs.get("measures"), tabs.get("outcomes"))
    options, _ = measure_choices(tabs, region)
    areas = sorted(map(str, tabs["indicators"]["area"].dropna().unique()))
    shown = catalogue[catalogue["measure"].astype(str).isin(options)]
    return profile.default_measure(shown, areas)


# ------------------------------------------------------------------------------ charts

def radar_chart(b: Brief):
    return charts.radar_chart(b.radar, "area", axis_order=b.area_order,
                              series_order=b.radar["series"].drop_duplicates().tolist(), size=420)


def area_bars(b: Brief):
    """The radar's numbers as bars (always offer the bars next to a radar)."""
    return charts.bar_chart(b.radar, "area", series="series", category_order=b.area_order,
                            series_order=b.radar["series"].drop_duplicates().tolist(), width=380,
                            height=520)


def heat_chart(b: Brief):
    return charts.heatmap(b.heat, "phase", "area", x_order=b.phase_order, flag="weakest",
                          flag_label=t("weakest phase of the area"), cell_height=30, width=400)


def _framework(tabs: dict, cube: scoring.Cube) -> str | None:
    """The index the brief's scores belong to (that of its indicators)."""
    from data.schema import framework_of

    ind = tabs["indicators"]
    ind = ind[ind["indicator_id"].isin(cube.indicators["indicator_id"])]
    fws = framework_of(ind).unique().tolist() if len(ind) else []
    return fws[0] if len(fws) == 1 else None


def footer(b: Brief) -> str:
    """Under every chart and page of the brief: what it shows (edition, target group, peer
    group, weights), the source, the data version, and "illustrative" where it applies."""
    return export.footer_text(b.version, illustrative=bool(b.illustrative), framework=b.framework,
                              extra=export.view_text(b.edition, b.group,
                                                     profile.peer_words(b.peer_mode, b.n_peers, b.countries),
                                                     params.weights_text(b.weights) or None))


# ------------------------------------------------------------------------------ text

def headline_lines(b: Brief) -> list[tuple[str, str]]:
    """(label, value) pairs of the headline — the Region profile's cards
    (:func:`ui.profile.headline_cards`), the same text on the page, in PDF and in HTML."""
    return [(label, value) for label, value, _help in b.headline]


def priorities_text(b: Brief) -> str:
    """The priority areas in one sentence (the profile's list, :func:`scoring.priorities`)."""
    if b.priorities is None or b.priorities.empty:
        return t("It is at or above its peers' mean in every area: no priority area.")
    items = "; ".join(f"{term(r['area'])}: {profile.priority_reason(r)}"
                      for _, r in b.priorities.iterrows())
    return t("Priority areas, where it falls furthest below its peers' mean: {items}.",
             items=items)


def summary_sentence(b: Brief) -> str:
    scored = b.gaps.dropna(subset=["score"]).sort_values(["score", "area"], ascending=[False, True])
    if scored.empty:
        return t("No area of this region has a score.")
    top, low = scored.iloc[0], scored.iloc[-1]
    text = (N_("{name} scores {score} out of 100 overall ({group}, edition {edition}) and ranks "
               "{rank} among {n} countries. Its highest area score is in {top} ({top_score}), its "
               "lowest in {low} ({low_score}).") if b.countries else
            N_("{name} scores {score} out of 100 overall ({group}, edition {edition}) and ranks "
               "{rank} among {n} regions. Its highest area score is in {top} ({top_score}), its "
               "lowest in {low} ({low_score})."))
    return t(text, name=b.name, score=fmt(b.score), group=b.group,
             edition=b.edition, rank=rank_band(b.rank, b.rank_low, b.rank_high), n=b.n_ranked,
             top=top["area"], top_score=fmt(top["score"]), low=low["area"],
             low_score=fmt(low["score"])) + " " + priorities_text(b)


def methodology_text(b: Brief) -> list[str]:
    weights = params.weights_text(b.weights)
    out = [
        t("Scores follow the MIPEX method adapted to regions (MIPEX-R, REGIN project): each "
          "indicator's answer carries a value from 0 to 100 (100 = equal treatment); indicator "
          "values are averaged into area scores, weighted by the indicators' weights (1 unless "
          "the data says otherwise; 0 excludes an indicator), and area scores into the overall "
          "score, each area once. Missing answers are left out, never counted as 0. Coverage "
          "is the share of the indicator weight answered behind a score; below 50 % a score "
          "is shown as \"no data\"."),
        t("Rank bands: where the region ranks in 90 % of {n:,} variations of the index "
          "(indicator and area weights within ±25 %, arithmetic and geometric mean).",
          n=2 * profile.band_draws(b.n_ranked)),
        t("Peers are {peers}. Gaps are the region's area score minus the peers' mean; the "
          "priority areas are the (up to three) areas with the largest shortfall against the "
          "peers' mean (ties: lower own score). Strengths and weaknesses are the indicators "
          "furthest above or below the peers' mean. The policy cycle shows area scores by "
          "phase (formulation, output, implementation, evaluation).",
          peers=profile.peer_words(b.peer_mode, b.n_peers, b.countries)),
        b.outcome_text or t("No outcome figures for this region or its parent region."),
        t("Suggested practices come from REGIN's Integration Lab: practices of other regions in "
          "the priority areas, preferring regions that score well there."),
        t("Figures are rounded to one decimal (half away from zero), coverage to 0.1 %, as on "
          "screen and in the downloads."),
        t("Data version {v}, published {p} UTC.", v=b.version, p=b.published),
    ]
    if weights:
        out.insert(1, t("Area weights of this view: {w} (other areas 1).", w=weights))
    if b.label_note:
        out.append(b.label_note)
    return out


def illustrative_text(b: Brief) -> str | None:
    if not b.illustrative:
        return None
    return t("Illustrative data. The {tables} in this brief are generated examples that "
             "follow the published REGIN findings qualitatively; they are not MIPEX-R "
             "results.", tables=table_words(b.illustrative))


def _tables(b: Brief) -> dict[str, pd.DataFrame]:
    """The brief's tables, labelled, as printed (numbers stay numbers until formatted)."""
    gaps = b.gaps.assign(order=b.gaps["order"].astype(object).where(b.gaps["priority"], ""))
    gaps = gaps[["order", "area", "score", "peer_mean", "gap_peers", "best_score",
                 "best_region"]].rename(columns={
                     "order": t("Priority"), "area": t("Area"), "score": t("Score"),
                     "peer_mean": t("Peer mean"), "gap_peers": t("Gap"), "best_score": t("Best"),
                     "best_region": t("Best region")})
    sw = b.strengths.assign(type=b.strengths["type"].map(
        {"strength": t("strength"), "weakness": t("weakness")}))
    sw = sw[["type", "label", "area", "value", "peer_mean", "diff"]].rename(columns={
        "type": t("Type"), "label": t("Indicator"), "area": t("Area"), "value": t("Value"),
        "peer_mean": t("Peer mean"), "diff": t("Difference")})
    from ui.tables import in_words  # area names in the reader's language, as on screen

    return {"gaps": in_words(gaps), "strengths": in_words(sw)}


def _cell(v) -> str:
    if isinstance(v, (float, np.floating)) or v is None or v is pd.NA:
        return fmt(v)
    return str(v)


# ------------------------------------------------------------------------------ HTML

def _html_table(frame: pd.DataFrame) -> str:
    esc = _html.escape
    head = "".join(f"<th>{esc(str(c))}</th>" for c in frame.columns)
    rows = []
    for _, r in frame.iterrows():
        cells = []
        for v in r:
            text = _cell(v)
            cls = ' class="nd"' if text == t("no data") else (
                ' class="num"' if isinstance(v, (int, float, np.number)) else "")
            cells.append(f"<td{cls}>{esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _svg(chart, b: Brief, prefix: str) -> str:
    """vl-convert's SVG (data text escaped by Vega), ready to sit inline: no XML prolog, and
    its ids (clip paths, gradients) prefixed so that several charts in one page never
    share one."""
    import re

    svg = export.chart_svg(chart, footer(b))
    svg = svg.split("?>", 1)[-1] if svg.lstrip().startswith("<?xml") else svg
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    return re.sub(r'(url\(#|href="#)([^)"]+)', rf"\1{prefix}-\2", svg)


def _img(chart, b: Brief, alt: str) -> str:
    """The chart as an ``<img>`` holding its SVG as a data URI — for the in-app preview,
    whose HTML sanitiser drops inline SVG (the sections were empty)."""
    import base64

    data = base64.b64encode(export.chart_svg(chart, footer(b)).encode("utf-8")).decode("ascii")
    return (f"<img alt='{_html.escape(alt)}' style='max-width:100%;height:auto' "
            f"src='data:image/svg+xml;base64,{data}'>")


def to_html(b: Brief, inline_svg: bool = True) -> str:
    """The brief as one self-contained HTML page (inline CSS and SVG; nothing fetched).
    ``inline_svg=False``: the charts as images (data URIs), as the in-app preview needs."""
    esc = _html.escape

    def chart_html(chart, prefix, alt):
        return _svg(chart, b, prefix) if inline_svg else _img(chart, b, alt)

    tabs = _tables(b)
    head = "".join(f"<div class='kpi'><div class='label'>{esc(k)}</div>"
                   f"<div class='value'>{esc(v)}</div></div>" for k, v in headline_lines(b))
    warn = illustrative_text(b)
    practices = []
    for _, p in b.practices.iterrows():
        code = str(p.get("language") or "")
        note = language_note(code)
        practices.append(
            (f"<li lang='{esc(code)}'>" if note else "<li>")
            + f"<b>{esc(str(p['title']))}</b>"
            + (f" <span class='note' lang='{language()}'>{esc(note)}</span>" if note else "")
            + f" — {esc(str(p['region_name']))} ({esc(str(term(p['area'])))})"
            + (f"<br><i>{esc(t('Lessons learnt'))}:</i> {esc(str(p['lessons_learnt']))}"
               if isinstance(p.get("lessons_learnt"), str) and p["lessons_learnt"] else "")
            + (f"<br><i>{esc(t('Tips for transferability'))}:</i> "
               f"{esc(str(p['transferability_tips']))}"
               if isinstance(p.get("transferability_tips"), str) and p["transferability_tips"] else "")
            + "</li>")
    outcome = (_html_table(b.outcome) if b.outcome is not None
               else f"<p class='nd'>{esc(t('No outcome figures for this region or its parent region.'))}</p>")
    if b.outcome_text:
        outcome += f"<p class='note'>{esc(b.outcome_text)}</p>"
    if b.outcome_proxy:
        outcome = (f"<p class='note'>{esc(t('No outcome figures for this region: the figures of {p} are shown as a proxy.', p=b.outcome_proxy))}</p>"
                   + outcome)
    parts = {
        "lang": language(), "title": esc(t("Region brief: {name}", name=b.title)),
        "heading": esc(b.title),
        "subtitle": esc(t("MIPEX-R regional brief · {group} · edition {edition} · data version {v}",
                          group=b.group, edition=b.edition, v=b.version)),
        "warning": f"<p class='warning'>{esc(warn)}</p>" if warn else "",
        "kpis": head, "summary": esc(summary_sentence(b)),
        "h_profile": esc(t("Profile against peers")),
        "radar": chart_html(radar_chart(b), "radar", t("Profile against peers")),
        "bars": chart_html(area_bars(b), "bars", t("Gaps to peers, by area")),
        "h_sw": esc(t("Strengths and weaknesses")), "strengths": _html_table(tabs["strengths"]),
        "h_gaps": esc(t("Gaps to peers, by area")), "gaps": _html_table(tabs["gaps"]),
        "h_cycle": esc(t("Policy cycle: where does it break?")), "heat": chart_html(heat_chart(b), "heat", t("Policy cycle: where does it break?")),
        "h_outcome": esc(t("Policy and outcomes")), "outcome": outcome,
        "h_practices": esc(t("Suggested practices from other regions")),
        "practices": ("<ol>" + "".join(practices) + "</ol>") if practices else
        f"<p>{esc(t('No practice from another region matches this region’s largest gaps.'))}</p>",
        "h_method": esc(t("Methodology and data")),
        "method": "".join(f"<p>{esc(p)}</p>" for p in methodology_text(b)),
        "footer": esc(footer(b)),
    }
    return TEMPLATE.read_text(encoding="utf-8").format(**parts)


# ------------------------------------------------------------------------------ PDF

_FONTS: dict[str, str] = {}


def _fonts() -> tuple[str, str]:
    """A Unicode TrueType font for the PDF: DejaVu Sans when the system has it, else
    Bitstream Vera, which ships inside the ReportLab wheel (so the PDF never depends on
    system fonts)."""
    if _FONTS:
        return _FONTS["regular"], _FONTS["bold"]
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    candidates = [("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                   "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")]
    for d in rl_config.TTFSearchPath:
        candidates.append((str(Path(d) / "Vera.ttf"), str(Path(d) / "VeraBd.ttf")))
    for regular, bold in candidates:
        if Path(regular).exists() and Path(bold).exists():
            pdfmetrics.registerFont(TTFont("BriefSans", regular))
            pdfmetrics.registerFont(TTFont("BriefSans-Bold", bold))
            # <b> and <i> in paragraphs look fonts up by family: italic falls back to regular
            pdfmetrics.registerFontFamily("BriefSans", normal="BriefSans", bold="BriefSans-Bold",
                                          italic="BriefSans", boldItalic="BriefSans-Bold")
            _FONTS.update(regular="BriefSans", bold="BriefSans-Bold")
            return _FONTS["regular"], _FONTS["bold"]
    _FONTS.update(regular="Helvetica", bold="Helvetica-Bold")
    return _FONTS["regular"], _FONTS["bold"]


def to_pdf(b: Brief) -> bytes:
    """The brief as an A4 PDF (ReportLab; charts as 2× PNG from vl-convert)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    regular, bold = _fonts()
    esc = _html.escape  # Paragraph reads a small XML dialect: escape every data text
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10.5, textColor="#444444")
    h1 = ParagraphStyle("h1", parent=body, fontName=bold, fontSize=20, leading=24, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontName=bold, fontSize=13, leading=16,
                        spaceBefore=10, spaceAfter=4, textColor="#0B3C5D")
    warn_style = ParagraphStyle("warn", parent=body, backColor="#FFF4D6", borderColor="#E69F00",
                                borderWidth=1, borderPadding=5, spaceBefore=4, spaceAfter=8)
    width = A4[0] - 3.6 * cm

    def image(chart, max_w=width, max_h=11 * cm):
        png = export.chart_png(chart, footer(b), scale=2)
        from PIL import Image as PILImage
        w, h = PILImage.open(io.BytesIO(png)).size
        ratio = min(max_w / w, max_h / h)
        return Image(io.BytesIO(png), width=w * ratio, height=h * ratio)

    def header(text: str, col_width):
        """A header cell whose longest word fits its column: the font shrinks (to 6 pt)
        before a word would be split ("Differenc e"); words are never split."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        size = small.fontSize
        room = (col_width or width) - 8  # the cell's padding
        longest = max((str(text).split() or [""]), key=lambda w: stringWidth(w, bold, size))
        while size > 6 and stringWidth(longest, bold, size) > room:
            size -= 0.25
        style = ParagraphStyle(f"head{size}", parent=small, fontSize=size, leading=size + 2.5,
                               splitLongWords=0)
        return Paragraph(f"<b>{esc(str(text))}</b>", style)

    def table(frame: pd.DataFrame, widths=None):
        data = [[header(c, widths[i] if widths else None) for i, c in enumerate(frame.columns)]]
        for _, r in frame.iterrows():
            data.append([Paragraph(esc(_cell(v)), small) for v in r])
        tb = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        tb.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF3")),
                                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#BBBBBB")),
                                ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return tb

    tabs = _tables(b)
    story = [Paragraph(esc(b.title), h1),
             Paragraph(esc(t("MIPEX-R regional brief · {group} · edition {edition} · data version {v}",
                             group=b.group, edition=b.edition, v=b.version)), small),
             Spacer(1, 6)]
    warn = illustrative_text(b)
    if warn:
        story.append(Paragraph(esc(warn), warn_style))
    kpis = headline_lines(b)
    kpi = ParagraphStyle("kpi", parent=body, fontName=bold, fontSize=13, leading=16)
    kt = Table([[Paragraph(esc(k), small) for k, _ in kpis],
                [Paragraph(esc(v), kpi) for _, v in kpis]],
               colWidths=[width / len(kpis)] * len(kpis), hAlign="LEFT")
    kt.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#BBBBBB")),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                            ("BOTTOMPADDING", (0, 1), (-1, 1), 8)]))
    story += [kt, Spacer(1, 6), Paragraph(esc(summary_sentence(b)), body)]
    story += [Paragraph(esc(t("Profile against peers")), h2),
              Table([[image(radar_chart(b), width * 0.52, 9.5 * cm),
                      image(area_bars(b), width * 0.46, 9.5 * cm)]], hAlign="LEFT")]
    story += [KeepTogether([Paragraph(esc(t("Strengths and weaknesses")), h2),
                            table(tabs["strengths"], [2.2 * cm, 6.2 * cm, 3.2 * cm, 1.5 * cm,
                                                      1.6 * cm, 2.3 * cm])])]
    story += [KeepTogether([Paragraph(esc(t("Gaps to peers, by area")), h2),
                            table(tabs["gaps"], [1.8 * cm, 3.4 * cm, 1.4 * cm, 1.6 * cm,
                                                 1.4 * cm, 1.4 * cm, 6.3 * cm])])]
    story += [KeepTogether([Paragraph(esc(t("Policy cycle: where does it break?")), h2),
                            image(heat_chart(b), width, 10 * cm)])]
    story.append(Paragraph(esc(t("Policy and outcomes")), h2))
    if b.outcome is None:
        story.append(Paragraph(esc(t("No outcome figures for this region or its parent region.")), body))
    else:
        if b.outcome_proxy:
            story.append(Paragraph(esc(t("No outcome figures for this region: the figures of {p} "
                                         "are shown as a proxy.", p=b.outcome_proxy)), small))
        # the figure's name is long (measure, group in words and code): give it the room
        story.append(table(b.outcome, [width * f for f in (0.31, 0.08, 0.07, 0.18, 0.07,
                                                            0.17, 0.12)]))
        if b.outcome_text:
            story.append(Paragraph(esc(b.outcome_text), small))
    story.append(Paragraph(esc(t("Suggested practices from other regions")), h2))
    if b.practices.empty:
        story.append(Paragraph(esc(t("No practice from another region matches this region’s "
                                     "largest gaps.")), body))
    else:
        items = []
        for _, p in b.practices.iterrows():
            note = language_note(p.get("language"))
            text = (f"<b>{esc(str(p['title']))}</b>" + (f" <i>{esc(note)}</i>" if note else "")
                    + f" — {esc(str(p['region_name']))} ({esc(str(term(p['area'])))})")
            if isinstance(p.get("lessons_learnt"), str) and p["lessons_learnt"]:
                text += f"<br/><i>{esc(t('Lessons learnt'))}:</i> {esc(p['lessons_learnt'])}"
            if isinstance(p.get("transferability_tips"), str) and p["transferability_tips"]:
                text += f"<br/><i>{esc(t('Tips for transferability'))}:</i> {esc(p['transferability_tips'])}"
            items.append(ListItem(Paragraph(text, body), leftIndent=12))
        story.append(ListFlowable(items, bulletType="1", bulletFontName=regular, bulletFontSize=9))
    story.append(Paragraph(esc(t("Methodology and data")), h2))
    story += [Paragraph(esc(p), small) for p in methodology_text(b)]

    def on_page(canvas, doc):
        from reportlab.lib.utils import simpleSplit

        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        # the footer wraps at the page's width (it says what the brief shows: it is long)
        lines = simpleSplit(footer(b), regular, 7.5, width - 1.6 * cm)
        for i, line in enumerate(lines):
            canvas.drawString(1.8 * cm, 1.1 * cm + (len(lines) - 1 - i) * 9, line)
        canvas.drawRightString(A4[0] - 1.8 * cm, 1.1 * cm, t("page {n}", n=doc.page))
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=1.8 * cm, rightMargin=1.8 * cm,
                            topMargin=1.6 * cm, bottomMargin=1.8 * cm,
                            title=t("Region brief: {name}", name=b.title),
                            author="MIPEX-R dashboard", subject=footer(b))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()
