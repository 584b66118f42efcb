"""The translation layer: every interface string of the source is in every catalogue, with
its placeholders; t() falls back safely; numbers and dates follow the locale; data texts
fall back to English with a visible mark."""

from __future__ import annotations

import pandas as pd
import pytest

from ui import fmt, i18n
from ui.i18n import LANGUAGES, N_, data_column, data_text, set_language, t

OTHER = list(LANGUAGES)[1:]


@pytest.fixture(autouse=True)
def english_after():
    yield
    set_language("en")


@pytest.fixture(scope="module")
def extracted():
    found, bad = i18n.extract()
    return found, bad


def test_every_call_is_a_literal(extracted):
    """t(f"…"), t("a" + b) and N_(name) cannot be extracted: fail and name them."""
    _, bad = extracted
    assert not bad, "\n".join(bad)


def test_source_has_strings(extracted):
    found, _ = extracted
    assert len(found) > 300
    assert "Overview" in found and "Methodology" in found
    assert "Stable short code of the indicator." in found  # schema help (data dictionary)


@pytest.mark.parametrize("lang", OTHER)
def test_every_string_is_in_the_catalogue(extracted, lang):
    found, _ = extracted
    cat = i18n.catalogue(lang)
    missing = [m for m in found if not cat.get(m)]
    assert not missing, (f"{len(missing)} strings missing from locales/{lang}: run "
                         f"`python -m ui.i18n update` and translate them; first: {missing[:5]}")


@pytest.mark.parametrize("lang", OTHER)
def test_placeholders_are_kept(lang):
    assert not i18n.problems(lang)


@pytest.mark.parametrize("lang", OTHER)
def test_markdown_is_kept(lang):
    """Bold, code and list markers in a msgid survive in its translation."""
    bad = []
    for msgid, msgstr in i18n.catalogue(lang).items():
        for mark in ("**", "`", "\n- ", "\n2. "):
            if msgid.count(mark) != msgstr.count(mark):
                bad.append((mark, msgid[:50]))
    assert not bad, bad[:10]


def test_translation_and_fallbacks(monkeypatch):
    set_language("fr")
    assert t("Overview") != "Overview"
    assert set_language("xx") == "en" and t("Overview") == "Overview"
    set_language("de")
    i18n.clear_misses()
    assert t("A string no catalogue has {n}", n=3) == "A string no catalogue has 3"
    assert ("de", "A string no catalogue has {n}") in i18n.misses()
    # a broken translation (placeholder renamed) shows English instead of failing
    monkeypatch.setitem(i18n._catalogues, "de", (i18n.po_path("de").stat().st_mtime,
                                                 {"Edition {e} · {g}": "Ausgabe {x}"}))
    assert t("Edition {e} · {g}", e=2024, g="TCN") == "Edition 2024 · TCN"
    assert N_("literal") == "literal"


def test_language_is_per_thread():
    import threading

    set_language("fr")
    seen = {}
    th = threading.Thread(target=lambda: seen.setdefault("lang", i18n.language()))
    th.start()
    th.join()
    assert seen["lang"] == "en" and i18n.language() == "fr"


@pytest.mark.parametrize("lang,num,pct,big,signed", [
    ("en", "61.3", "42.0%", "12,000", "+2.5"),  # coverage to 0.1 %, as everywhere
    ("fr", "61,3", "42,0\u00a0%", "12\u202f000", "+2,5"),
    ("de", "61,3", "42,0\u00a0%", "12.000", "+2,5"),
    ("it", "61,3", "42,0%", "12.000", "+2,5"),
    ("es", "61,3", "42,0\u00a0%", "12.000", "+2,5"),
    ("pt", "61,3", "42,0%", "12\u00a0000", "+2,5"),
    ("sv", "61,3", "42,0\u00a0%", "12\u00a0000", "+2,5"),
])
def test_numbers_follow_the_locale(lang, num, pct, big, signed):
    set_language(lang)
    assert fmt.number(61.26) == num
    assert fmt.percent(0.42) == pct
    assert fmt.integer(12000) == big
    assert fmt.signed(2.5) == signed
    assert fmt.number(float("nan")) == t("no data")
    # placeholders with a format spec are formatted in the locale too
    assert t("{n:,} random variations", n=12000).startswith(big) or lang != "en"


def test_dates_follow_the_locale():
    set_language("fr")
    assert fmt.day("2025-03-14T09:30:00") == "14 mars 2025"
    set_language("de")
    assert fmt.day("2025-03-14") == "14.03.2025"
    set_language("en")
    assert fmt.day("2025-03-14") == "14 Mar 2025"


def test_data_text_falls_back_with_a_mark():
    ind = pd.DataFrame({"indicator_id": ["A", "B"], "label": ["Strategy", "Counselling"],
                        "label_fr": ["Stratégie", None]})
    set_language("en")
    assert data_column(ind, "label").tolist() == ["Strategy", "Counselling"]
    set_language("fr")
    assert data_column(ind, "label").tolist() == ["Stratégie", "Counselling" + i18n.FALLBACK_MARK]
    other = pd.DataFrame({"indicator_id": ["B", "A"], "label": ["Counselling", "Strategy"]})
    assert data_column(other, "label", ind).tolist() == ["Counselling" + i18n.FALLBACK_MARK,
                                                         "Stratégie"]
    assert data_text(ind.iloc[0], "label") == "Stratégie"
    # no Swedish column at all: English without a mark on each text, one note instead
    set_language("sv")
    assert data_text(ind.iloc[0], "label") == "Strategy"
    assert data_column(ind, "label").tolist() == ["Strategy", "Counselling"]
    assert i18n.untranslated_note(ind) and i18n.untranslated_note(
        ind.assign(label_sv=["Strategi", None])) is None
    set_language("en")


def test_schema_accepts_translated_columns():
    from data.schema import INDICATORS, LANGUAGES as SCHEMA_LANGUAGES

    assert tuple(LANGUAGES) == SCHEMA_LANGUAGES
    for lang in OTHER:
        assert INDICATORS.column(f"label_{lang}").required is False
        assert INDICATORS.column(f"question_{lang}").dtype == "str"
    set_language("de")
    assert "Französisch" in i18n.help_text("label_fr", INDICATORS.column("label_fr").help)
