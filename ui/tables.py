"""Tables on screen: "no data" shown as text, coverage as a percentage, downloads attached.

The DataFrame a page builds is the one shown *and* the one downloaded
(:func:`ui.components.downloads`), both through :func:`rounded` — the one display rounding
rule (:func:`ui.fmt.round_half_up`: figures to one decimal, coverage to 0.1 %) — so the
screen, the CSV and the brief agree to the last digit. Formatting happens only in the column
configuration, so numbers stay numbers (sortable on screen, numeric in CSV/XLSX, where a
missing value is an empty cell).

Typical use::

    from ui import tables
    shown = tables.labelled(frame, {"region_id": N_("Region code"), "score": N_("Score")})
    tables.show_table(shown, "overview", key="overview")
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data.schema import TABLES
from ui import fmt
from ui.fmt import is_coverage
from ui.i18n import N_, help_text, language, t, terms
from views.common import TITLE_HELP, labelled  # noqa: F401 — labelled: pages use tables.labelled

#: How a "no data" cell looks where a table is still styled cell by cell (the gap matrix).
NO_DATA_STYLE = "color: #6B6B6B; font-style: italic; background-color: #F2F2F2"


def no_data_text() -> str:
    """The translated text every table shows for a missing value."""
    return t("no data")


def number_formats(frame: pd.DataFrame, *, decimals: int = 1, percent=None) -> dict[str, str]:
    """Column → display format for the numeric columns of ``frame`` (Streamlit's
    ``NumberColumn`` formats): floats with ``decimals`` decimals, integers without, and the
    columns in ``percent`` (default: those named "…coverage…", :func:`is_coverage`) as a
    percentage. Missing values are drawn as the table's placeholder, "no data".
    """
    percent = [c for c in frame.columns if is_coverage(c)] if percent is None else list(percent)
    out = {}
    for c in frame.columns:
        s = frame[c]
        if c in percent:
            out[c] = "percent"
        elif pd.api.types.is_bool_dtype(s):
            continue
        elif pd.api.types.is_integer_dtype(s):
            out[c] = "%d"
        elif pd.api.types.is_float_dtype(s):
            out[c] = f"%.{decimals}f"
    return out


def column_help(frame: pd.DataFrame) -> dict[str, str]:
    """Column → the schema's help text, for the columns it knows (and the shown titles of
    :data:`TITLE_HELP`)."""
    titled = {t(k): t(v) for k, v in TITLE_HELP.items()}
    out = {c: titled[c] for c in frame.columns if c in titled}
    helps = {}
    for table in TABLES.values():
        for col in table.columns:
            helps.setdefault(col.name, col.help)
    helps.setdefault("coverage", TITLE_HELP[N_("Coverage")])
    helps.setdefault("rank", N_("1 = highest score among the regions in view."))
    return {**{c: help_text(c, helps[c]) for c in frame.columns if c in helps}, **out}


#: The one display rounding (:func:`ui.fmt.rounded`, which the downloads share).
rounded = fmt.rounded


#: Narrowest a number column with a missing value may be: the placeholder "no data" is
#: drawn right-aligned and would lose its first letters in a column sized to the numbers.
NO_DATA_WIDTH = 88


def _config(frame: pd.DataFrame, decimals: int, percent) -> dict:
    """``st.column_config`` of a table: formats (:func:`number_formats`), help texts, room
    for "no data" in number columns that have a missing value, and its first (naming)
    column pinned."""
    import streamlit as st

    formats = number_formats(frame, decimals=decimals, percent=percent)
    helps = column_help(frame)
    cfg = {}
    for c in frame.columns:
        if c in formats:
            # "percent" shows 0-2 decimals as it finds them; step fixes one decimal
            step = 0.001 if formats[c] == "percent" else None
            # a header wider than the numbers is kept whole (about 8 px a character)
            width = (max(NO_DATA_WIDTH, 8 * len(str(c)) + 28) if frame[c].isna().any()
                     else None)
            if language() != "en" and formats[c] != "%d":  # shown as text: see localised
                cfg[c] = st.column_config.TextColumn(help=helps.get(c), width=width,
                                                     alignment="right")
            else:
                cfg[c] = st.column_config.NumberColumn(format=formats[c], help=helps.get(c),
                                                       step=step, width=width)
        elif c in helps:
            cfg[c] = st.column_config.Column(help=helps[c])
    # the first column names the row (a region, an area, an indicator): pinned, so it stays
    # in view when a wide table scrolls sideways on a laptop or a phone
    first = frame.columns[0] if len(frame.columns) > 1 else None
    if first is not None and first not in formats:
        cfg[first] = st.column_config.Column(help=helps.get(first), pinned=True)
    return cfg


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its vocabulary cells (area, phase, system names: :func:`ui.i18n.term`)
    in the interface language — shown and downloaded alike."""
    if language() == "en":
        return frame
    out = {c: terms(frame[c]) for c in frame.columns
           if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])}
    return frame.assign(**out) if out else frame


def localised(frame: pd.DataFrame, decimals: int = 1, percent=None) -> pd.DataFrame:
    """What a table shows in a language other than English: its figures as text in the
    locale ("38,8", "85,7 %"), because Streamlit's number formats always write a decimal
    point. The downloads keep numbers (CSV and XLSX are read by programs); a missing value
    stays missing (drawn as "no data"). English tables are ``frame`` itself."""
    if language() == "en":
        return frame
    from ui import fmt

    formats = number_formats(frame, decimals=decimals, percent=percent)
    out = {}
    for c, kind in formats.items():
        if kind == "%d":
            continue  # counts, ranks and years have no decimal mark
        s = frame[c]
        show = fmt.percent if kind == "percent" else (lambda v: fmt.number(v, decimals))
        out[c] = pd.Series([None if pd.isna(v) else show(v) for v in s], index=s.index,
                           dtype=object)
    return frame.assign(**out) if out else frame


def _arrow(frame: pd.DataFrame):
    """``frame`` as an Arrow table (what Streamlit sends)."""
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


@dataclass(frozen=True)
class Prepared:
    """What :func:`show_table` sends for a frame, made once: the frame in words (what the
    downloads hold), its Arrow table (rounded, localised) and its column configuration.
    Cached view models (:mod:`ui.profile`) keep these, so a rerun only sends them."""

    frame: pd.DataFrame
    arrow: object
    config: dict
    decimals: int = 1
    percent: tuple | None = None

    @property
    def empty(self) -> bool:
        return self.frame.empty


def prepare(frame: pd.DataFrame, decimals: int = 1, percent=None) -> Prepared:
    """Make what :func:`show_table` sends for ``frame`` (once, inside a cached view model)."""
    frame = in_words(frame)
    return Prepared(frame, _arrow(localised(rounded(frame, percent), decimals, percent)),
                    _config(frame, decimals, percent), decimals,
                    None if percent is None else tuple(percent))


def show_table(frame: pd.DataFrame, name: str, *, key: str | None = None, decimals: int = 1,
               percent=None, height: int | str = "auto", download: bool = True,
               column_config: dict | None = None, caption: str | None = None):
    """Show ``frame`` (missing → "no data") with CSV/XLSX downloads of exactly ``frame``.

    ``name`` names the files (with the data version); ``key`` keeps widget keys unique when
    a page shows the same table twice. ``frame`` may be a :class:`Prepared` table (made by a
    cached view model with these ``decimals`` and ``percent``). Returns nothing.
    """
    import streamlit as st

    from ui import components

    ready = frame if isinstance(frame, Prepared) else prepare(frame, decimals, percent)
    frame = ready.frame
    cfg = dict(ready.config)  # shared: copy before adding
    cfg.update(column_config or {})
    # placeholder: the text Streamlit draws in a null cell ("no data", never blank or 0).
    # Formats come from column_config, not a pandas Styler: a Styler is rendered cell by
    # cell in Python on every rerun (most of a small table's cost).
    st.dataframe(ready.arrow, hide_index=True,
                 width="stretch", height=height, column_config=cfg or None,
                 placeholder=no_data_text(), key=f"table-{key or name}")
    if caption:
        st.caption(caption)
    if download:
        components.downloads(frame, name, key=key)
