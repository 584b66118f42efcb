"""Numbers and dates as text, in the interface language's locale (Babel/CLDR).

``number(61.26)`` is "61.3" in English, "61,3" in French; ``percent(0.42)`` is "42%" /
"42 %"; ``integer(12000)`` "12.000" in German. A missing value is "no data", never 0.

**One rounding rule** (:func:`round_half_up`): every figure shown — on screen, in the brief
(HTML and PDF), in chart labels and in downloads — is rounded half away from zero, to
``DISPLAY_DECIMALS`` (1) decimals, shares to ``SHARE_DECIMALS`` (3, i.e. 0.1 %). Python's
``format`` rounds half to even on the binary value (31.25 → "31.2") and the browser half up
(→ "31.3"), so numbers are rounded here *before* any renderer sees them.

:func:`spec` applies a Python format spec (``".1f"``, ``",", ".0%"``, ``"+.1f"``, ``"g"``) in
the locale; :func:`ui.i18n.t` uses it for every ``{placeholder:spec}`` of a translated
string, so ``t("{n:,} rows", n=12000)`` gives "12 000 lignes".
English keeps Python's own formatting (the reference the tests compare with).
"""

from __future__ import annotations

import math
import re
from datetime import datetime

import numpy as np
import pandas as pd

from data.schema import DISPLAY_DECIMALS, SHARE_DECIMALS
from ui.i18n import N_, language, locale, t

_SPEC = re.compile(r"^(?P<sign>[+\- ]?)(?P<group>,?)(?:\.(?P<prec>\d+))?(?P<type>[fFgGd%]?)$")


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _pattern(decimals: int | None, group: bool) -> str:
    body = "#,##0" if group else "0"
    if decimals is None:
        return body + ".###"
    return body + ("." + "0" * decimals if decimals else "")


def spec(value, fmt_spec: str) -> str:
    """``format(value, fmt_spec)`` in the current locale (Python's own for English, for
    non-numbers and for specs with width, fill or alignment)."""
    m = _SPEC.match(fmt_spec)
    if language() == "en" or not m or isinstance(value, bool) or \
            not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        return format(value, fmt_spec)
    if _missing(value):
        return format(value, fmt_spec)
    from babel import numbers

    sign, group, prec, kind = m["sign"], bool(m["group"]), m["prec"], m["type"]
    if prec is not None:
        decimals = int(prec)
    elif kind == "d" or isinstance(value, int):
        decimals = 0
    elif kind in ("g", "G", ""):
        decimals = None  # as many as needed (up to 3)
    else:
        decimals = 6  # Python's default for "f" and "%"
    loc = locale()
    if kind == "%":
        text = percent(float(value), decimals if decimals is not None else 6)
    else:
        text = numbers.format_decimal(float(value), format=_pattern(decimals, group), locale=loc,
                                      decimal_quantization=decimals is not None)
    if sign == "+" and float(value) >= 0:
        text = numbers.get_plus_sign_symbol(loc) + text
    return text


def round_half_up(value, decimals: int = DISPLAY_DECIMALS):
    """``value`` (a number or an array) rounded half away from zero, the one display rule.

    The value is first cleaned to 9 decimals so that float noise does not decide a tie
    (0.15 is stored as 0.1499999…: it rounds to 0.2, as written). NaN stays NaN.
    """
    x = np.asarray(value, dtype=float)
    scale = 10.0 ** decimals
    with np.errstate(invalid="ignore"):
        out = np.sign(x) * np.floor(np.round(np.abs(x) * scale, 9 - decimals) + 0.5) / scale
    out = out + 0.0  # no "-0.0"
    return float(out) if out.ndim == 0 else out


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
    share = round_half_up(float(share), decimals + 2)
    if language() == "en":
        return format(float(share), f".{decimals}%")
    from babel import Locale, numbers

    loc = Locale.parse(locale())
    pattern = loc.percent_formats[None].pattern.split(";")[0]
    pattern = re.sub(r"[#,0.]+", _pattern(decimals, True), pattern, count=1)
    return numbers.format_percent(float(share), format=pattern, locale=loc)


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
    from ui.i18n import _LocaleFormatter

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
