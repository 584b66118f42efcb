"""Every page in every language under AppTest: no English interface string is left.

For each language, each page of app.py runs with ``?lang=xx`` and the visible interface
text is collected (titles, headers, markdown, captions, alerts, metric and widget labels,
options, tabs, expanders, buttons). A text that *is* an English msgid — or contains a long
one — is a leftover, unless that msgid is the same in the language's catalogue (e.g.
"CSV"). Data (region names, indicator labels, numbers) is never a msgid. Besides, every
t() call of the run must have found its translation (``i18n.misses()``): that also catches
a label chosen at run time that was never marked with N_().
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import i18n

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = re.findall(r'st\.Page\("(pages/[a-z_]+\.py)"', (ROOT / "app.py").read_text())
OTHER = list(i18n.LANGUAGES)[1:]
#: A msgid at least this long is also looked for inside longer texts.
MIN_INSIDE = 24


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("i18n") / "store"


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


@pytest.fixture(scope="module")
def msgids():
    found, _ = i18n.extract()
    return set(found)


def _texts(node, out: list[str]):
    """Visible interface text of an AppTest element tree."""
    kind = type(node).__name__
    for attr in ("label", "placeholder", "help"):
        v = getattr(node, attr, None) if not kind.endswith("Container") else None
        if isinstance(v, str) and v:
            out.append(v)
    if kind in ("Markdown", "Caption", "Title", "Header", "Subheader", "Divider", "Text",
                "Info", "Warning", "Error", "Success", "Exception", "Alert", "Latex",
                "Code"):
        v = getattr(node, "value", None)
        if isinstance(v, str):
            out.append(v)
    if kind == "Metric":
        out.append(str(node.value))
    for attr in ("options",):
        v = getattr(node, attr, None)
        if isinstance(v, (list, tuple)):
            out.extend(str(o) for o in v)
    for child in getattr(node, "children", {}).values() if isinstance(
            getattr(node, "children", None), dict) else []:
        _texts(child, out)


def visible_text(at) -> list[str]:
    out: list[str] = []
    _texts(at._tree, out)
    return out


def literal_parts(msgid: str) -> list[str]:
    """The literal pieces of a msgid between its placeholders."""
    return [lit for lit, *_ in string.Formatter().parse(msgid) if lit]


def _core(text: str) -> str:
    """Text without surrounding punctuation, emoji and markdown marks."""
    return re.sub(r"^[\W_]+|[\W_]+$", "", text)


def leftovers(texts: list[str], english: set[str]) -> set[str]:
    """The msgids among ``texts``: a whole text or one of its segments (split at "·", ":",
    line breaks) equal to a msgid, or a long literal part of a msgid inside a text."""
    cores = {_core(m): m for m in english if _core(m)}
    long_parts = [(m, p) for m in english if len(m) >= MIN_INSIDE
                  for p in literal_parts(m) if len(p) >= MIN_INSIDE]
    found = set()
    for text in texts:
        for piece in [text, *re.split(r"\s*(?:·|:|\n|—)\s*", text)]:
            if _core(piece) in cores:
                found.add(cores[_core(piece)])
        found.update(m for m, p in long_parts if p in text)
    return found


def run_page(monkeypatch, store_dir, page: str, lang: str) -> AppTest:
    monkeypatch.setenv("MIPEXR_STORE", str(store_dir))
    # AppTest calls widgets' format_func (which translate) in this thread, not the script's
    i18n.set_language(lang)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_walk_finds_english(monkeypatch, store_dir, msgids):
    """The detector works: the English overview is full of msgids."""
    at = run_page(monkeypatch, store_dir, "pages/overview.py", "en")
    hits = leftovers(visible_text(at), msgids)
    assert {"Regional integration policy at a glance", "Language", "Edition"} <= hits
    assert len(hits) > 15


@pytest.mark.parametrize("lang", OTHER)
def test_no_english_leftovers(monkeypatch, store_dir, msgids, lang):
    cat = i18n.catalogue(lang)
    same = {m for m in msgids if cat.get(m) == m}  # e.g. "CSV", "Radar": the same word
    # the language selector names each language in its own language, on purpose
    english = msgids - same - set(i18n.LANGUAGES.values())
    problems = {}
    i18n.clear_misses()
    for page in PAGES:
        at = run_page(monkeypatch, store_dir, page, lang)
        assert at.selectbox(key="w_lang").value == lang
        left = leftovers(visible_text(at), english)
        if left:
            problems[page] = sorted(left)
    missed = sorted(text for lg, text in i18n.misses() if lg == lang)
    assert not problems, f"English left in {lang}: {problems}"
    assert not missed, f"t() without a translation in {lang}: {missed[:20]}"


def test_language_switch_keeps_the_url(monkeypatch, store_dir):
    at = run_page(monkeypatch, store_dir, "pages/methodology.py", "en")
    assert at.title[0].value == "Methodology"
    # the main thread's language must be the one of the tree being sent back (AppTest
    # formats widget values there), so it changes only after each run
    at.selectbox(key="w_lang").set_value("de").run()
    i18n.set_language("de")
    assert at.query_params["lang"] == ["de"] or at.query_params["lang"] == "de"
    assert at.title[0].value == i18n.catalogue("de")["Methodology"]
    at.selectbox(key="w_lang").set_value("en").run()
    i18n.set_language("en")
    assert at.title[0].value == "Methodology"


def test_the_illustrative_note_names_its_tables_in_the_language(monkeypatch, store_dir):
    """The sidebar's "Illustrative data" note listed the tables by their English keys
    ("Les practices, outcomes, measures affichées ici …"); it says what the brief says."""
    at = run_page(monkeypatch, store_dir, "pages/overview.py", "fr")
    note = next(str(w.value) for w in at.sidebar.warning if "illustratives" in str(w.value))
    assert "pratiques" in note and "chiffres de résultats" in note, note
    for key in ("practices", "outcomes", "measures", "indicators"):  # "scores" is French too
        assert key not in note, (key, note)
    # the Methodology page's "data in view" says the same
    at = run_page(monkeypatch, store_dir, "pages/methodology.py", "fr")
    note = next(str(w.value) for w in at.main.warning if "illustratives" in str(w.value).lower())
    assert "pratiques" in note and "chiffres de résultats" in note, note
    for key in ("practices", "outcomes", "measures", "indicators"):
        assert key not in note, (key, note)
