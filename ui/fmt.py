"""Numbers and dates as text, in the interface language's locale (Babel/CLDR).

``number(61.26)`` is "61.3" in English, "61,3" in French; ``percent(0.42)`` is "42%" /
"42 %"; ``integer(12000)`` "12.000" in German. A missing value is "no data", never 0.

**One rounding rule** (:func:`round_half_up`): every figure shown — on screen, in the brief
(HTML and PDF), in chart labels and in downloads — is rounded half away from zero, to
``DISPLAY_DECIMALS`` (1) decimals, shares to ``SHARE_DECIMALS`` (3, i.e. 0.1 %). Python's
``format`` rounds half to even on the binary value (31.25 → "31.2") and the browser half up
(→ "31.3"), so numbers are rounded here *before* any renderer sees them.

:func:`spec` applies a Python format spec (``".1f"``, ``",", ".0%"``, ``"+.1f"``, ``"g"``) in
the locale (:mod:`ui.numbers`, the floor under this module and ui.i18n); :func:`ui.i18n.t` uses it for every ``{placeholder:spec}`` of a translated
string, so ``t("{n:,} rows", n=12000)`` gives "12 000 lignes".
English keeps Python's own formatting (the reference the tests compare with).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from data.schema import DISPLAY_DECIMALS, SHARE_DECIMALS
from ui import numbers
from ui.i18n import N_, _LocaleFormatter, language, locale, t
from ui.numbers import missing as _missing
from ui.numbers import round_half_up  # noqa: F401  (the one display rule: ui.numbers)


def _loc() -> str | None:
    """The Babel locale numbers are formatted in; None for English (Python's own)."""
    return None if language() == "en" else locale()


def spec(value, fmt_spec: str) -> str:
    """``format(value, fmt_spec)`` in the current locale (Python's own for English, for
    non-numbers and for specs with width, fill or alignment): :func:`ui.numbers.spec`."""
    return numbers.spec(value, fmt_spec, _loc())


def number(value, decimals: int = DISPLAY_DECIMALS, group: bool = True) -> str:
    """A score or other figure with fixed decimals; "no data" when missing."""
    if _missing(value):
        return t("no data")
    return spec(round_half_up(float(value), decimals), f"{',' if group else ''}.{decimals}f")


def integer(value) -> str:
    """A count or a rank (with thousands grouping)."""
    if _missing(value):
        return t("no data")
    return spec(int(round(float(value))), ",d")


def signed(value, decimals: int = DISPLAY_DECIMALS) -> str:
    """A difference with its sign ("+2.5", "−1.0")."""
    if _missing(value):
        return t("no data")
    return spec(round_half_up(float(value), decimals), f"+.{decimals}f")


def percent(share, decimals: int = SHARE_DECIMALS - 2) -> str:
    """A share on 0–1 as a percentage in the locale ("42.5%", "42,5 %"); one decimal of a
    percent by default, as coverage is shown everywhere."""
    if _missing(share):
        return t("no data")
    return numbers.percent(share, decimals, _loc())


def day(value) -> str:
    """A date ("14 Mar 2025", "14 mars 2025")."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        value = value.date()
    if language() == "en":
        return value.strftime("%-d %b %Y")
    from babel import dates

    return dates.format_date(value, format="medium", locale=locale())


def moment(value) -> str:
    """A date and time to the minute ("2025-03-14 09:30" → "14 mars 2025, 09:30")."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if language() == "en":
        return value.strftime("%Y-%m-%d %H:%M")
    from babel import dates

    return dates.format_datetime(value, format="short", locale=locale())


def text(pattern: str, *args, **kwargs) -> str:
    """``pattern.format(*args, **kwargs)`` with numbers in the current locale
    (``text("{:.1f}", 61.26)`` → "61,3" in French)."""
    if language() == "en":
        return pattern.format(*args, **kwargs)
    return _LocaleFormatter().format(pattern, *args, **kwargs)


#: Ordinal patterns by CLDR ordinal category ("23rd", "23e", "23.", "23º", "23.º", "23:e").
_ORDINALS = {
    "en": {"one": "{n}st", "two": "{n}nd", "few": "{n}rd", "other": "{n}th"},
    "fr": {"one": "{n}er", "other": "{n}e"},
    "de": {"other": "{n}."},
    "it": {"other": "{n}º"},
    "es": {"other": "{n}.º"},
    "pt": {"other": "{n}.º"},
    "sv": {"one": "{n}:a", "other": "{n}:e"},
}


def ordinal(n) -> str:
    """A rank as an ordinal in the interface language ("23rd", "23e", "23.")."""
    if _missing(n):
        return t("no data")
    k = round(float(n))
    lang = language()
    patterns = _ORDINALS.get(lang, _ORDINALS["en"])
    from babel import Locale

    form = Locale.parse(locale() if lang != "en" else "en").ordinal_form(k)
    return patterns.get(form, patterns["other"]).format(n=k)


def rank_band(rank, low, high) -> str:
    """A rank with its uncertainty: "23rd (band 21–25)"; "no data" without a rank; the
    rank alone when no band was computed."""
    if _missing(rank):
        return t("no data")
    if _missing(low) or _missing(high):
        return ordinal(rank)
    return t("{rank} (band {low}–{high})", rank=ordinal(rank), low=round(float(low)),
             high=round(float(high)))


def band_words(low, high) -> str:
    """The band in words, "band 21–25" (beside a rank shown large); "" without one."""
    if _missing(low) or _missing(high):
        return ""
    return t("band {low}–{high}", low=round(float(low)), high=round(float(high)))


def band(low, high) -> str:
    """The band alone, "21–25" (a table column); "" when there is none."""
    if _missing(low) or _missing(high):
        return ""
    return f"{round(float(low))}–{round(float(high))}"


#: The tables' names in running text ("The scores, practices shown here are …").
TABLE_WORDS = {"regions": N_("regions"), "indicators": N_("indicators"), "scores": N_("scores"),
               "practices": N_("practices"), "outcomes": N_("outcome figures"),
               "measures": N_("outcome measures")}


def table_words(tables) -> str:
    """Table names as words of the interface language, for the "illustrative data" notes
    (the sidebar and the brief say the same)."""
    return ", ".join(t(TABLE_WORDS[k]) if k in TABLE_WORDS else str(k) for k in tables)


# ------------------------------------------------------ tables: the one display rounding
# Here, under both ui.tables (the screen) and ui.components (the downloads), which share it.

def is_coverage(column: str) -> bool:
    """Columns holding a share 0–1 (shown as a percentage): names containing "coverage"
    (or the word in the interface language)."""
    name = str(column).lower()
    return "coverage" in name or t("Coverage").lower() in name


def rounded(frame: pd.DataFrame, percent=None) -> pd.DataFrame:
    """``frame`` with its figures rounded by the one display rule: float columns to
    ``DISPLAY_DECIMALS`` decimals, coverage columns (:func:`is_coverage`, or ``percent``) to
    ``SHARE_DECIMALS``; whole numbers, text and missing values unchanged. What is shown on
    screen and what a CSV holds (the XLSX keeps the unrounded table on a second sheet)."""
    shares = [c for c in frame.columns if is_coverage(c)] if percent is None else list(percent)
    out = {}
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_float_dtype(s) and not pd.api.types.is_bool_dtype(s):
            digits = SHARE_DECIMALS if c in shares else DISPLAY_DECIMALS
            out[c] = pd.Series(round_half_up(s.to_numpy(dtype=float, na_value=np.nan), digits),
                               index=s.index, name=c)
    return frame.assign(**out) if out else frame
