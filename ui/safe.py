"""One rule for untrusted text: it is shown as text, never interpreted.

Text that comes from a file (region names, area names, practice texts…), a form (a
proposal), a URL parameter or a staff note may hold Markdown or HTML — a link to a phishing
page, an image that makes every visitor's browser call someone else's server. Streamlit
renders Markdown in ``st.markdown``, ``st.write`` of a string, ``st.info``/``st.warning``/…,
``st.caption``, headers and widget labels, so every such value goes through this module
before it reaches them:

* :func:`md` — for Markdown: every Markdown/HTML punctuation character is backslash-escaped
  (CommonMark allows it for all ASCII punctuation), so ``[x](http://…)``, ``![x](…)``,
  ``<img>``, ``:material/…:`` icons, ``:red[…]`` colours and bare web or e-mail addresses
  (GitHub's autolinks) all show as the characters typed; line breaks are kept.
* :func:`fill` — a message of ours (``t("… {value} …")``) with untrusted values filled in
  escaped; the message's own Markdown still works.
* :func:`html` — for HTML we build ourselves (the printable brief).
* :func:`url` / :func:`domain` — the only links made from data: an ``url`` field that is an
  http(s) address, shown as a link button labelled with its domain so a reader sees where it goes.
* :func:`clip` — a long value shortened for a message (a URL parameter can be megabytes).

No Streamlit here: pure functions, tested directly.
"""

from __future__ import annotations

import html as _html
import math
import re
from urllib.parse import urlsplit

#: Characters Markdown (CommonMark + GitHub's extensions + Streamlit's directives) or HTML
#: may read as syntax. ``@`` and ``.`` are included so bare e-mail and ``www.`` addresses are
#: not turned into links; ``:`` for ``http://`` autolinks, icons and emoji short codes.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'@/%^])")
_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)
#: Control characters and invisible direction overrides (they can disguise text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
#: Where GitHub-style autolinks would start: after a ``:`` not followed by a space
#: (``http://``, ``mailto:``), between ``www`` and its dot, and before the ``@`` of an e-mail
#: address (outside its escape, or the backslash would show). Streamlit's Markdown finds
#: autolinks in the text *after* backslash escapes are resolved, so escaping cannot stop them;
#: an invisible word joiner (U+2060) placed there does.
_AUTOLINK = re.compile(r"(?<=:)(?=\S)|(?=\\@)|(?<=www)(?=\\\.)", re.IGNORECASE)
JOINER = "\u2060"
#: The longest untrusted value quoted in a message.
CLIP = 200


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover
        return False


def plain(value) -> str:
    """``value`` as one string without control characters ("" for a missing value)."""
    return "" if _missing(value) else _CONTROL.sub("", str(value))


def md(value) -> str:
    """Markdown that Streamlit shows exactly as ``value`` is written (line breaks kept)."""
    lines = plain(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "  \n".join(_AUTOLINK.sub(JOINER, _MD_SPECIAL.sub(r"\\\1", line)) for line in lines)


def clip(value, limit: int = CLIP) -> str:
    """``value`` shortened to ``limit`` characters (with "…") for quoting in a message."""
    text = plain(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def fill(message: str, **values) -> str:
    """``message.format(**values)`` with every string value escaped (:func:`md`).

    For messages already translated (``t(...)`` without the values): ``fill(t("Hello {name}"),
    name=...)``. Numbers are filled in as they are."""
    return message.format(**{k: md(v) if isinstance(v, str) else v for k, v in values.items()})


def html(value) -> str:
    """Text for HTML element content or a quoted attribute."""
    return _html.escape(plain(value), quote=True)


def url(value) -> str | None:
    """``value`` when it is an http(s) web address with a host, else None (no
    ``javascript:``/``data:`` links, no addresses with spaces or quotes)."""
    text = plain(value).strip()
    if not _URL.match(text):
        return None
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return text if host else None


def domain(value) -> str:
    """The host a web address points to (``www.`` dropped), "" when it is not one."""
    checked = url(value)
    if not checked:
        return ""
    host = urlsplit(checked).hostname or ""
    return host[4:] if host.startswith("www.") else host
