"""Tables on screen: "no data" shown as text, coverage as a percentage, downloads attached.

The DataFrame a page builds is the one shown *and* the one downloaded
(:func:`ui.components.downloads`): formatting happens only in the Styler, so numbers stay
numbers (sortable on screen, numeric in CSV/XLSX, where a missing value is an empty cell).

Typical use::

    from ui import tables
    shown = tables.labelled(frame, {"region_id": N_("Region code"), "score": N_("Score")})
    tables.show_table(shown, "overview", key="overview")
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.schema import TABLES
from ui.i18n import N_, help_text, t

NO_DATA_STYLE = "color: #6B6B6B; font-style: italic; background-color: #F2F2F2"


def no_data_text() -> str:
    """The translated text every table shows for a missing value."""
    return t("no data")


def is_coverage(column: str) -> bool:
    """Columns holding a share 0–1 (shown as a percentage): names containing "coverage"."""
    return "coverage" in str(column).lower()


def styled(frame: pd.DataFrame, *, decimals: int = 1, percent=None, integers=None):
    """A Styler for ``frame``: missing values read "no data" (grey, italic), never blank or 0.

    Floats get ``decimals`` decimals; columns in ``percent`` (default: those named
    "…coverage…", see :func:`is_coverage`) show as "83%"; ``integers`` (default: integer
    dtypes) without decimals. The frame itself is not changed.
    """
    frame = frame.reset_index(drop=True) if not isinstance(frame.index, pd.RangeIndex) else frame
    percent = [c for c in frame.columns if is_coverage(c)] if percent is None else list(percent)
    nd = no_data_text()
    fmt = {}
    for c in frame.columns:
        s = frame[c]
        if c in percent:
            fmt[c] = "{:.0%}"
        elif integers is not None and c in integers:
            fmt[c] = "{:.0f}"
        elif pd.api.types.is_float_dtype(s):
            fmt[c] = "{:.%df}" % decimals
    sty = frame.style.format(fmt, na_rep=nd).format(na_rep=nd, subset=[c for c in frame.columns
                                                                       if c not in fmt])

    def grey(v):
        try:
            missing = v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
        except (TypeError, ValueError):
            missing = False
        return NO_DATA_STYLE if missing else ""

    return sty.map(grey).hide(axis="index")


def column_help(frame: pd.DataFrame) -> dict:
    """``st.column_config`` entries with the schema's help text for columns it knows."""
    import streamlit as st

    helps = {}
    for table in TABLES.values():
        for col in table.columns:
            helps.setdefault(col.name, col.help)
    helps.setdefault("coverage", N_("Share of the indicators behind this number that have a "
                                   "value (weights included). Below 50 % the score is 'no data'."))
    helps.setdefault("rank", N_("1 = highest score among the regions in view."))
    return {c: st.column_config.Column(help=help_text(c, helps[c])) for c in frame.columns
            if c in helps}


def labelled(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Keep and rename the columns in ``names`` (code → English label, translated via t()).

    Use it to build the DataFrame that is both shown and downloaded.
    """
    keep = [c for c in names if c in frame.columns]
    return frame[keep].rename(columns={c: t(names[c]) for c in keep}).reset_index(drop=True)


def show_table(frame: pd.DataFrame, name: str, *, key: str | None = None, decimals: int = 1,
               percent=None, height: int | str = "auto", download: bool = True,
               column_config: dict | None = None, caption: str | None = None):
    """Show ``frame`` (missing → "no data") with CSV/XLSX downloads of exactly ``frame``.

    ``name`` names the files (with the data version); ``key`` keeps widget keys unique when
    a page shows the same table twice. Returns nothing.
    """
    import streamlit as st

    from ui import components

    cfg = column_help(frame)
    cfg.update(column_config or {})
    # placeholder: Streamlit draws null cells itself (a Styler's na_rep is not used there)
    st.dataframe(styled(frame, decimals=decimals, percent=percent), hide_index=True,
                 width="stretch", height=height, column_config=cfg or None,
                 placeholder=no_data_text(), key=f"table-{key or name}")
    if caption:
        st.caption(caption)
    if download:
        components.downloads(frame, name, key=key)
