"""Numbers formatted in a given Babel locale: the floor under both ui.i18n and ui.fmt.

:func:`ui.i18n.t` formats every ``{placeholder:spec}`` of a translated string in the current
locale, and :mod:`ui.fmt` formats every figure shown; both need the same "a Python format
spec, in this locale" rule. It lives here, taking the locale as an argument (``None``:
Python's own formatting, the English reference), so that neither of them imports the
other for it — i18n used to import fmt for this, fmt imports i18n for ``t``.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from data.schema import DISPLAY_DECIMALS

_SPEC = re.compile(r"^(?P<sign>[+\- ]?)(?P<group>,?)(?:\.(?P<prec>\d+))?(?P<type>[fFgGd%]?)$")


def missing(value) -> bool:
    """None, pandas NA or NaN (anything ``float`` cannot read is not "missing")."""
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def pattern(decimals: int | None, group: bool) -> str:
    """The CLDR number pattern for ``decimals`` fixed decimals (None: up to 3)."""
    body = "#,##0" if group else "0"
    if decimals is None:
        return body + ".###"
    return body + ("." + "0" * decimals if decimals else "")


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


def percent(share: float, decimals: int, loc: str | None) -> str:
    """A share on 0–1 (not missing) as a percentage with ``decimals`` decimals in ``loc``."""
    share = round_half_up(float(share), decimals + 2)
    if loc is None:
        return format(float(share), f".{decimals}%")
    from babel import Locale, numbers

    parsed = Locale.parse(loc)
    pat = parsed.percent_formats[None].pattern.split(";")[0]
    pat = re.sub(r"[#,0.]+", pattern(decimals, True), pat, count=1)
    return numbers.format_percent(float(share), format=pat, locale=parsed)


def spec(value, fmt_spec: str, loc: str | None) -> str:
    """``format(value, fmt_spec)`` in the Babel locale ``loc`` (Python's own for ``None``,
    for non-numbers and for specs with width, fill or alignment)."""
    m = _SPEC.match(fmt_spec)
    if loc is None or not m or isinstance(value, bool) or \
            not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        return format(value, fmt_spec)
    if missing(value):
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
    if kind == "%":
        text = percent(float(value), decimals if decimals is not None else 6, loc)
    else:
        text = numbers.format_decimal(float(value), format=pattern(decimals, group), locale=loc,
                                      decimal_quantization=decimals is not None)
    if sign == "+" and float(value) >= 0:
        text = numbers.get_plus_sign_symbol(loc) + text
    return text
