"""The one translation layer: every interface string goes through :func:`t`.

English is the source language. Catalogues for the other six Integration Lab languages
plug in here (see the languages issue); until a catalogue has a string, the English text
is shown.
"""

from __future__ import annotations

import threading

LANGUAGES = {"en": "English", "fr": "Français", "de": "Deutsch", "it": "Italiano",
             "es": "Español", "pt": "Português", "sv": "Svenska"}
# Per thread: Streamlit runs each session's script in its own thread, and app.py sets the
# language at the start of every run.
_current = threading.local()
_catalogues: dict[str, dict[str, str]] = {}


def set_language(lang: str) -> str:
    _current.lang = lang if lang in LANGUAGES else "en"
    return _current.lang


def language() -> str:
    return getattr(_current, "lang", "en")


def t(text: str, **kwargs) -> str:
    """Translate ``text`` into the current language and fill ``{placeholders}``."""
    out = _catalogues.get(language(), {}).get(text, text)
    return out.format(**kwargs) if kwargs else out
