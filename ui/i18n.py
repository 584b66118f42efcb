"""The one translation layer: every interface string goes through :func:`t`.

English is the source language. The other six languages of the Integration Lab template
have gettext catalogues in ``locales/<lang>/LC_MESSAGES/messages.po``, read with Babel (no
compile step) and cached per process; a catalogue is re-read when its file changes.

Rules for interface code:

* ``t("literal text {name}", name=value)`` — always a literal, so the extractor finds it.
* A string that is chosen at run time (a dict of labels, a table of reasons) is marked where
  it is written with ``N_("literal")`` and translated where it is shown with ``t(value)``.
* Data (region names, indicator labels) is not interface text: indicator labels and
  questions are translated through the data (optional ``label_fr``… columns), see
  :func:`data_text`.

Refresh the catalogues after adding strings (extract, merge, report what is untranslated)::

    python -m ui.i18n update
    python -m ui.i18n todo            # numbered list of untranslated strings → locales/todo.json
    python -m ui.i18n fill fr fr.json # put translations {"<number>": "…"} into a catalogue
    python -m ui.i18n fill all t.json # {"fr": {"<number>": "…"}, "de": {…}, …}
    python -m ui.i18n check           # exit 1 if any string is missing or breaks placeholders
"""

from __future__ import annotations

import ast
import json
import re
import string
import sys
import threading
from pathlib import Path

from ui import numbers

LANGUAGES = {"en": "English", "fr": "Français", "de": "Deutsch", "it": "Italiano",
             "es": "Español", "pt": "Português", "sv": "Svenska"}
#: Babel/CLDR locale used to format numbers and dates in each language.
LOCALES = {"en": "en_GB", "fr": "fr_FR", "de": "de_DE", "it": "it_IT", "es": "es_ES",
           "pt": "pt_PT", "sv": "sv_SE"}
#: Appended to a data text shown in English because the data has no translation for it.
FALLBACK_MARK = " [EN]"

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locales"
DOMAIN = "messages"

# Per thread: Streamlit runs each session's script in its own thread, and app.py sets the
# language at the start of every run.
_current = threading.local()
_catalogues: dict[str, tuple[float, dict[str, str]]] = {}
_lock = threading.Lock()
#: Texts asked for in a non-English language that the catalogue lacks (tests read it).
_misses: set[tuple[str, str]] = set()


def N_(text: str) -> str:
    """Mark ``text`` for extraction without translating it (translate it later with t())."""
    return text


def set_language(lang: str | None) -> str:
    _current.lang = lang if lang in LANGUAGES else "en"
    if _current.lang != "en":
        catalogue(_current.lang)  # re-read if the file changed since the last run
    return _current.lang


def language() -> str:
    return getattr(_current, "lang", "en")


class using:
    """``with using("fr"):`` — the language of this thread for a block (a download built
    after the page's run, in whatever thread serves the click), restored after it."""

    def __init__(self, lang: str | None):
        self.lang = lang

    def __enter__(self):
        self.before = language()
        set_language(self.lang)
        return self

    def __exit__(self, *exc):
        set_language(self.before)
        return False


def locale() -> str:
    """The Babel locale of the current language (e.g. ``fr_FR``)."""
    return LOCALES[language()]


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue(lang: str) -> dict[str, str]:
    """msgid → msgstr of ``lang`` (translated, non-fuzzy entries only), cached per file
    modification time."""
    path = po_path(lang)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return {}
    cached = _catalogues.get(lang)
    if cached and cached[0] == mtime:
        return cached[1]
    with _lock:
        from babel.messages.pofile import read_po

        with path.open("rb") as fh:
            cat = read_po(fh, locale=lang)
        entries = {m.id: m.string for m in cat
                   if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}
        _catalogues[lang] = (mtime, entries)
    return entries


def t(text: str, **kwargs) -> str:
    """Translate ``text`` into the current language and fill ``{placeholders}``; a value
    that is a vocabulary word (an area, phase or system name: :data:`VOCABULARY`) is
    translated too.

    A missing translation shows the English text (and is recorded for the tests); a
    translation whose placeholders do not fit falls back to the English text rather than
    break the page.
    """
    lang = language()
    out = text
    if lang != "en":
        cached = _catalogues.get(lang)  # set_language() re-reads a changed file once per run
        found = (cached[1] if cached else catalogue(lang)).get(text)
        if found:
            out = found
        else:
            _misses.add((lang, text))
    if not kwargs:
        return out
    if lang != "en":  # a vocabulary word filled in ("the weakest is {a}") speaks the language
        kwargs = {k: term(v) for k, v in kwargs.items()}
    formatter = _LocaleFormatter() if lang != "en" else string.Formatter()
    try:
        return formatter.format(out, **kwargs)
    except (KeyError, IndexError, ValueError):
        return formatter.format(text, **kwargs)


class _LocaleFormatter(string.Formatter):
    """str.format with numbers formatted in the current locale ({n:,} → "12 000")."""

    def format_field(self, value, format_spec):
        return numbers.spec(value, format_spec, locale()) if format_spec else format(value, format_spec)


def misses() -> set[tuple[str, str]]:
    """(language, text) pairs asked for since the last :func:`clear_misses` with no translation."""
    return set(_misses)


def clear_misses():
    _misses.clear()


#: Titles of data columns and axes that are shown as headers (chart tooltips, tables).
COLUMN_TITLES = {"area": N_("Area"), "phase": N_("Phase"), "system": N_("System"),
                 "label": N_("Region"), "region_id": N_("Region code"), "name": N_("Region"),
                 "series": N_("Series"), "score": N_("Score"), "mean_score": N_("Mean score"),
                 "coverage": N_("Coverage"), "indicator_id": N_("Indicator"),
                 "target_group": N_("Target group"), "edition": N_("Edition")}


def column_title(name: str) -> str:
    """The translated header of a data column or axis (``"area"`` → "Area" / "Domaine")."""
    return t(COLUMN_TITLES.get(name, name.replace("_", " ").capitalize()))


#: Names of the languages in running text ("Label in French").
LANGUAGE_WORDS = {"en": N_("English"), "fr": N_("French"), "de": N_("German"),
                  "it": N_("Italian"), "es": N_("Spanish"), "pt": N_("Portuguese"),
                  "sv": N_("Swedish")}
_TRANSLATION_COLUMN = re.compile(r"^(label|question|area)_([a-z]{2})$")


def help_text(column: str, text: str) -> str:
    """The schema's help of ``column`` in the interface language (the ``label_fr``,
    ``question_fr``, ``area_fr``… columns are generated in data/schema.py, so their help is
    built here too)."""
    m = _TRANSLATION_COLUMN.match(column)
    if m and m[2] in LANGUAGE_WORDS:
        what = {"label": N_("Label in {language} (optional; English is shown, marked, when "
                            "empty)."),
                "question": N_("Question in {language} (optional; English is shown, marked, "
                               "when empty)."),
                "area": N_("The area's name in {language} (optional; the interface's own "
                           "translation, else English, is shown when empty).")}[m[1]]
        return t(what, language=t(LANGUAGE_WORDS[m[2]]))
    return t(text)


# ------------------------------------------------------------------ vocabulary

#: The frameworks' vocabulary: area, policy-cycle phase and governance-system names (MIPEX-R
#: and the MIPEX strands, lower-cased as the imports write them) and the Integration Lab's
#: quality criteria. They are data — they come with the indicators — but the same words in
#: every edition, so the catalogue translates them (:func:`term`). The data may name an area
#: in a language itself (the indicators' ``area_<lang>``), which wins; a name found in neither
#: (a new area of a later edition) is shown as the data writes it.
VOCABULARY = (
    N_("labour market"), N_("education"), N_("health"), N_("housing"), N_("language"),
    N_("vocational training"), N_("social security"), N_("culture & religion"),
    N_("anti-discrimination"), N_("political participation"),
    N_("labour market mobility"), N_("family reunion"), N_("permanent residence"),
    N_("access to nationality"),
    # MIPEX's workbook names three strands differently from MIPEX-R's areas
    N_("family reunification"), N_("antidiscrimination"), N_("citizenship"),
    N_("formulation"), N_("output"), N_("implementation"), N_("evaluation"),
    N_("actions"), N_("actors & relations"), N_("resources"), N_("not classified"),
    N_("communication"), N_("inclusion"), N_("innovation"), N_("multi-level governance"),
    N_("multi-stakeholder approach"), N_("monitoring & evaluation"), N_("sustainability"),
)
_VOCABULARY = frozenset(VOCABULARY)


#: Area names in other languages given by the data (the indicators' ``area_<lang>``
#: columns) of the tables last loaded: {lang: {English name: name}}; they win over the
#: catalogue. Set by :func:`use_data_terms`.
_DATA_TERMS: dict[str, dict[str, str]] = {}
_DATA_TERMS_OF: list = [None]  # the indicators table they were read from (identity)


def use_data_terms(indicators) -> None:
    """Read the area names per language from an indicators table (``area_fr``, …) for
    :func:`term`. Cheap when called again with the same table."""
    if indicators is None or _DATA_TERMS_OF[0] is indicators:
        return
    found: dict[str, dict[str, str]] = {}
    if "area" in indicators.columns:
        for col in indicators.columns:
            if not col.startswith("area_") or col[5:] not in LANGUAGE_WORDS:
                continue
            pairs = indicators[["area", col]].dropna()
            pairs = pairs[pairs[col].astype(str).str.strip() != ""]
            if len(pairs):
                found[col[5:]] = dict(zip(pairs["area"].astype(str), pairs[col].astype(str).str.strip()))
    _DATA_TERMS.clear()
    _DATA_TERMS.update(found)
    _DATA_TERMS_OF[0] = indicators


def term(value):
    """A vocabulary word (area, phase, system, criterion) in the interface language: the
    data's own name for an area in that language (``area_<lang>``) first, else the
    catalogue's; anything else — a region name, a number, a missing value — unchanged."""
    if not isinstance(value, str):
        return value
    local = _DATA_TERMS.get(language(), {}).get(value) if _DATA_TERMS else None
    if local:
        return local
    if value in _VOCABULARY:
        return t(value)
    return value


def terms(values):
    """:func:`term` over a list, a tuple or a pandas Series (the same type back)."""
    if values is None:
        return None
    if hasattr(values, "map"):
        return values.map(term)
    return type(values)(term(v) for v in values) if isinstance(values, (list, tuple)) \
        else term(values)


# ------------------------------------------------------------------ data translations

def data_text(row, field: str) -> str:
    """``row[field]`` in the current language: the ``<field>_<lang>`` column when the data
    has it, else the English text — marked with :data:`FALLBACK_MARK` only when the data
    has that language's column (some texts translated, this one not); with no column at
    all, every text is English and one note says so (:func:`untranslated_note`) instead of
    a mark on each."""
    english = row.get(field)
    if english is None or (isinstance(english, float) and english != english):
        return english
    lang = language()
    if lang == "en":
        return english
    local = row.get(f"{field}_{lang}")
    if isinstance(local, str) and local.strip():
        return local
    if f"{field}_{lang}" not in row:
        return english
    return f"{english}{FALLBACK_MARK}"


def untranslated_note(source, field: str = "label") -> str | None:
    """One sentence for a table whose texts the data does not translate into the current
    language at all ("Indicator names are in English: the data has none in French."); None
    when it translates some (those it lacks are marked one by one) or in English."""
    lang = language()
    if lang == "en" or source is None:
        return None
    col = f"{field}_{lang}"
    if col in source.columns and source[col].astype("string").str.strip().fillna("").ne("").any():
        return None
    return t("Indicator names are in English: the data has none in {language}.",
             language=t(LANGUAGE_WORDS[lang]))


def data_column(frame, field: str, source=None):
    """:func:`data_text` for a whole column: a Series aligned with ``frame``.

    ``source`` (default ``frame``) is the table that may carry ``<field>_<lang>``; when it is
    another table (the indicators), rows are matched on ``indicator_id``.
    """
    import pandas as pd

    english = frame[field]
    lang = language()
    if lang == "en":
        return english
    col = f"{field}_{lang}"
    if source is not None and source is not frame:
        local = (frame["indicator_id"].astype(str).map(
            source.set_index(source["indicator_id"].astype(str))[col])
            if col in source.columns else pd.Series(pd.NA, index=frame.index))
    else:
        local = frame[col] if col in frame.columns else pd.Series(pd.NA, index=frame.index)
    has = local.notna() & local.astype("string").str.strip().fillna("").ne("")
    table = source if source is not None else frame
    if col not in table.columns or not table[col].astype("string").str.strip().fillna("").ne(
            "").any():
        return english  # no text in this language at all: one note says so, no marks
    marked = english.where(english.isna(), english.astype("string") + FALLBACK_MARK)
    return local.where(has, marked).astype(object)


# ------------------------------------------------------------------ extraction (no Streamlit)

#: Files whose interface strings go into the catalogues (relative to the repository).
#: data/ modules that produce messages take the translator as an argument named ``t``.
SOURCES = ("app.py", "pages/*.py", "ui/*.py", "data/schema.py", "data/proposals.py", "geo/match.py")
#: Calls whose first argument is an interface string (t_md: t() for Markdown messages).
KEYWORDS = ("t", "t_md", "N_")
_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}(?!\})")


def _schema_strings(tree: ast.AST):
    """Help texts of the schema (Table/Column 3rd argument), the Eurostat flag meanings and
    the data dictionary's download rules:
    data/schema.py must not import the interface, so they are found by shape."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("Column", "Table") and len(node.args) >= 3:
            arg = node.args[2]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield arg.value, node.lineno
        if isinstance(node, ast.Assign) and any(getattr(tg, "id", "") == "EUROSTAT_FLAGS"
                                                for tg in node.targets):
            for v in node.value.values:
                yield v.value, v.lineno
        if isinstance(node, ast.Assign) and any(getattr(tg, "id", "") == "DOWNLOAD_RULES"
                                                for tg in node.targets):
            for row in node.value.elts:  # (column, type, meaning, example): the meaning
                yield row.elts[2].value, row.lineno


def extract(root: Path = ROOT) -> tuple[dict[str, list[tuple[str, int]]], list[str]]:
    """Every interface string in the source → where it is, and the calls that break the
    rule "t() of a literal" (t(f"…"), t("a" + b) — t(name) is allowed for N_-marked values)."""
    found: dict[str, list[tuple[str, int]]] = {}
    bad: list[str] = []
    files = sorted({p for pat in SOURCES for p in root.glob(pat)})
    for path in files:
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        if rel == "data/schema.py":
            for text, line in _schema_strings(tree):
                found.setdefault(text, []).append((rel, line))
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in KEYWORDS and node.args):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, []).append((rel, node.lineno))
            elif isinstance(arg, (ast.JoinedStr, ast.BinOp)) or node.func.id == "N_":
                bad.append(f"{rel}:{node.lineno}: {ast.unparse(node)[:80]}")
    return found, bad


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in ``text`` (format specs ignored)."""
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}
    except ValueError:
        return {"<malformed>"}


def template(found: dict[str, list[tuple[str, int]]]):
    from babel.messages.catalog import Catalog

    cat = Catalog(project="MIPEX-R dashboard", domain=DOMAIN, charset="utf-8",
                  msgid_bugs_address="", copyright_holder="")
    for text, locations in sorted(found.items(), key=lambda kv: kv[1][0]):
        flags = ("python-brace-format",) if placeholders(text) else ()
        cat.add(text, locations=locations, flags=flags)
    return cat


def _read(lang: str):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="MIPEX-R dashboard")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def _write(cat, path: Path):
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, cat, width=100, sort_output=False, include_previous=False,
                 ignore_obsolete=False)


def untranslated(lang: str) -> list[str]:
    cat = _read(lang)
    return [m.id for m in cat if m.id and (not m.string or m.fuzzy)]


def problems(lang: str) -> list[str]:
    """Translations that lose, add or rename a ``{placeholder}``."""
    out = []
    for m in _read(lang):
        if m.id and m.string and placeholders(m.id) != placeholders(m.string):
            out.append(f"{lang}: {m.id[:60]!r}: placeholders {sorted(placeholders(m.id))} "
                       f"≠ {sorted(placeholders(m.string))}")
    return out


def update() -> int:
    """Extract, write locales/messages.pot, merge into every catalogue, report."""
    found, bad = extract()
    pot = template(found)
    _write(pot, LOCALE_DIR / f"{DOMAIN}.pot")
    print(f"{len(found)} strings extracted")
    for line in bad:
        print("not a literal:", line)
    for lang in list(LANGUAGES)[1:]:
        cat = _read(lang)
        # no fuzzy matching: a guessed translation of a similar string is worse than none
        cat.update(pot, no_fuzzy_matching=True, update_header_comment=False)
        _write(cat, po_path(lang))
        print(f"{lang}: {len(untranslated(lang))} untranslated, {len(problems(lang))} "
              f"placeholder problems")
    return 1 if bad else 0


def todo() -> int:
    """Write locales/todo.json: the untranslated strings of any language, numbered."""
    ids = []
    for lang in list(LANGUAGES)[1:]:
        ids += [i for i in untranslated(lang) if i not in ids]
    items = {str(n): i for n, i in enumerate(ids, 1)}
    (LOCALE_DIR / "todo.json").write_text(json.dumps(items, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
    print(f"{len(items)} strings to translate → {LOCALE_DIR / 'todo.json'}")
    return 0


def fill(lang: str, path: str) -> int:
    """Put translations into catalogues: ``{"<number>": "text"}`` for one language, or
    ``{"fr": {"<number>": "text"}, "de": …}`` with ``lang`` "all" (numbers from
    locales/todo.json); placeholder mismatches are refused and reported."""
    given = json.loads(Path(path).read_text(encoding="utf-8"))
    if lang == "all":
        return max([_fill(code, items) for code, items in given.items()] or [0])
    return _fill(lang, given)


def _fill(lang: str, given: dict) -> int:
    items = json.loads((LOCALE_DIR / "todo.json").read_text(encoding="utf-8"))
    cat = _read(lang)
    done = refused = 0
    for n, text in given.items():
        msgid = items.get(str(n))
        if msgid is None or msgid not in cat or not text:
            continue
        if placeholders(msgid) != placeholders(text):
            print(f"refused {n}: placeholders differ: {msgid[:60]!r} / {text[:60]!r}")
            refused += 1
            continue
        msg = cat[msgid]
        msg.string, msg.flags = text, set(msg.flags) - {"fuzzy"}
        done += 1
    _write(cat, po_path(lang))
    print(f"{lang}: {done} filled, {refused} refused, {len(untranslated(lang))} untranslated")
    return 1 if refused else 0


def check() -> int:
    found, bad = extract()
    issues = [f"not a literal: {b}" for b in bad]
    for lang in list(LANGUAGES)[1:]:
        cat = catalogue(lang)
        issues += [f"{lang}: missing {m[:70]!r}" for m in found if not cat.get(m)]
        issues += problems(lang)
    print("\n".join(issues) or f"{len(found)} strings, all translated in "
                                f"{len(LANGUAGES) - 1} languages")
    return 1 if issues else 0


def main(argv: list[str]) -> int:
    cmds = {"update": update, "todo": todo, "check": check}
    if argv[:1] == ["fill"] and len(argv) == 3:
        return fill(argv[1], argv[2])
    if len(argv) != 1 or argv[0] not in cmds:
        print(__doc__)
        return 2
    return cmds[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
