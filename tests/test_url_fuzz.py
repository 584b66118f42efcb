"""Every URL parameter of every page, fuzzed in AppTest: no exception element and no error-boundary
message, whatever the link says (issue 16, problem 6).

Each page is run with every parameter the app reads set at once to one hostile kind of value
(unknown ids, repeated ids, huge values, Unicode and direction overrides, numbers out of
range, Markdown payloads, empty), and with repeated *valid* ids. A page that cannot use a
value says so in a notice; it never fails. The error boundary (ui/boundary.py) would turn a
failure into a message with an error id; that message counts as a failure here too, so
every cause is fixed, not hidden.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")
PAGES = ["pages/overview.py", "pages/region.py", "pages/compare.py", "pages/gaps.py", "pages/practices.py",
         "pages/propose.py", "pages/methodology.py", "pages/workshop.py", "pages/brief.py", "pages/staff.py"]
#: Every query parameter the app reads (ui/, pages/ and the Integration Lab's facets).
PARAMS = ["answer", "area", "axis", "chart", "edition", "for_gaps", "fw", "gap", "group", "guess", "indicator",
          "lang", "measure", "peers", "practice", "region", "regions", "reveal", "shade", "sort", "step", "target",
          "vs", "w", "years", "q", "tg", "country", "from_region", "role", "stakeholder", "criterion", "funding"]
HOSTILE = {
    "unknown": "XX99",
    "repeated-unknown": "XX99,XX99,,XX98",
    "huge": "ES51," * 4000 + "9" * 20_000,
    "unicode": "Ω≠😀\u202eé\u0000\ufeff",
    "numbers": "-1e309",
    "nan": "nan",
    "markdown": "[x](http://attacker.invalid) ![i](http://attacker.invalid/i.png) <b>b</b> :red[r]",
    "empty": "",
    "separators": ",,:;:,",
}
#: Repeated valid values of the parameters that take lists or ids (the default data's).
REPEATED = {"regions": "ES51,ES52,ES51,ES52", "region": "ES51", "peers": "ES52,ES52,ITF3,ITF3",
            "area": "health,health", "tg": "TCN,TCN", "country": "ES,ES", "w": "health:2,health:3",
            "practice": "P001", "years": "2018-2018"}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "store"  # the default dataset is written on first use


def run(store_dir, monkeypatch, page: str, params: dict) -> AppTest:
    monkeypatch.setenv("MIPEXR_STORE", str(store_dir))
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    return at


def failures(at) -> list[str]:
    out = [e.value[:300] for e in at.exception]
    out += [e.value[:300] for e in at.error if "could not be shown" in e.value]
    return out


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_values_in_every_parameter(store_dir, monkeypatch, page, kind):
    at = run(store_dir, monkeypatch, page, {p: HOSTILE[kind] for p in PARAMS})
    assert not failures(at), (page, kind, failures(at))


@pytest.mark.parametrize("page", PAGES)
def test_repeated_valid_ids(store_dir, monkeypatch, page):
    at = run(store_dir, monkeypatch, page, REPEATED)
    assert not failures(at), (page, failures(at))


def test_compare_with_repeated_regions_shows_each_once(store_dir, monkeypatch):
    """The reported case: /compare?regions=ES51,ES52,ES51,ES52 raised a KeyError."""
    at = run(store_dir, monkeypatch, "pages/compare.py", {"regions": "ES51,ES52,ES51,ES52"})
    assert not failures(at)
    chosen = [m for m in at.multiselect if m.key == "w_regions"][0].value
    assert chosen == ["ES51", "ES52"]
