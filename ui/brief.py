"""The region brief laid out: a printable one-region policy brief, as PDF (ReportLab) and HTML.

Data first, rendering second: :func:`views.brief.build` computes a :class:`Brief` from the
same functions the Region profile uses, and :func:`to_html` and :func:`to_pdf` only lay that
one object out — so the brief, the page and the workshop always show the same numbers. No
Streamlit here.

* PDF: ReportLab's platypus (a pure-Python wheel, no system libraries) with the charts
  rendered to PNG by vl-convert (offline) at twice their size.
* HTML: one self-contained file — inline CSS, charts as inline SVG, no font, script or
  image fetched from anywhere — that prints well from a browser.

Peers are every other scored region (the MIPEX-R comparison group); the brief says so.
"""

from __future__ import annotations

import html as _html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ui import charts, export, params
from ui.i18n import language, t, term
from views import common as views_common
from views.brief import (N_GAPS, N_INDICATORS, N_PRACTICES, Brief, _framework,  # noqa: F401
                         _labelled_strengths, area_gaps, build, default_measure, fmt,
                         headline, headline_lines, illustrative_text, language_note,
                         measure_choices, methodology_text, priorities_text,
                         suggested_practices, summary_sentence)

TEMPLATE = Path(__file__).with_name("brief_template.html")

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


def footer(b: Brief) -> str:
    """Under every chart and page of the brief: what it shows (edition, target group, peer
    group, weights), the source, the data version, and "illustrative" where it applies."""
    return export.footer_text(b.version, illustrative=bool(b.illustrative), framework=b.framework,
                              extra=export.view_text(b.edition, b.group,
                                                     views_common.peer_words(b.peer_mode, b.n_peers, b.countries),
                                                     params.weights_text(b.weights) or None))


# ------------------------------------------------------------------------------ tables as printed

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
