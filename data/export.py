"""Tables out of the dashboard: CSV and XLSX that no spreadsheet will execute.

Text that starts like a formula (``=``, ``+``, ``-``, ``@``) is kept in the store as it was
uploaded and gets a leading apostrophe on export, the usual defence against CSV injection.
The escape is reversible, so that an exported table uploaded again changes nothing: text
that, apostrophes aside, starts like a formula gets one more apostrophe (``'=x`` → ``''=x``),
and an import removes exactly one (:func:`unescape`).
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escaped(text: pd.Series) -> pd.Series:
    """Which cells the export escapes: text that starts like a formula once any leading
    apostrophes are set aside (those apostrophes could be an earlier escape)."""
    return text.str.lstrip("'").str.startswith(FORMULA_START).fillna(False) & text.notna()


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where text cells starting like a formula get a leading apostrophe."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            text = s.astype("str")
            risky = escaped(text)
            if risky.any():
                out[col] = s.astype("object").where(~risky, "'" + text)
    return out


def unescape(text: pd.Series) -> pd.Series:
    """Text cells as they were before :func:`neutralise`: one leading apostrophe removed
    where the export added it. Inverse of the export for every cell."""
    text = text.astype("str")
    quoted = text.str.startswith("'").fillna(False)
    if not quoted.any():  # the usual case, and a fast test on a million cells
        return text
    added = quoted & escaped(text.str[1:])
    if not added.any():
        return text
    return text.where(~added, text.str[1:])


def table_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM, so that Excel opens accented names correctly."""
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


def table_xlsx(frames: dict[str, pd.DataFrame] | pd.DataFrame, sheet: str = "data") -> bytes:
    """An XLSX workbook with one sheet per frame."""
    if isinstance(frames, pd.DataFrame):
        frames = {sheet: frames}
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, frame in frames.items():
            neutralise(frame).to_excel(xl, sheet_name=name[:31], index=False)
    return buf.getvalue()
