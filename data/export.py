"""Tables out of the dashboard: CSV and XLSX that no spreadsheet will execute.

Text that starts like a formula (``=``, ``+``, ``-``, ``@``) is kept in the store as it was
uploaded and gets a leading apostrophe on export, the usual defence against CSV injection.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where text cells starting like a formula get a leading apostrophe."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            text = s.astype("str")
            risky = text.str.startswith(FORMULA_START).fillna(False) & s.notna()
            if risky.any():
                out[col] = s.astype("object").where(~risky, "'" + text)
    return out


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
