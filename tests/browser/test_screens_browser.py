"""Every page on the screens it is shown on — a phone (390×844), a laptop (1366×768) and a
projector (1920×1080) — in English and in French.

One server for the module and one browser page per screen × language, reused from page to
page. Each page is screenshot to ``artifacts/screenshots/screens/`` (look at them) and
measured:

* nothing is wider than the viewport (no horizontal scroll, no element past the right edge);
* every chart takes most of its container's width;
* the workshop's Next button is visible without scrolling at 1366×768, and its charts fill
  most of the slide at 1920×1080;
* a French page shows none of a known list of English vocabulary terms.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, app_errors, start_app, wait_for_app

SCREENS = {"phone": (390, 844), "laptop": (1366, 768), "projector": (1920, 1080)}
PAGES = ["", "region", "compare", "gaps", "practices", "propose", "methodology",
         "workshop", "brief"]
SHOTS = ARTIFACTS / "screens"
#: What a phone's browser says it is (the app picks chart heights from it).
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/120.0 Mobile Safari/537.36")

#: English vocabulary that must not appear in a French page (whole words, case-sensitive:
#: the area, phase and status names of the demo data and the "no data" label; a URL
#: parameter such as ``w=health:2`` is not text).
ENGLISH_TERMS = ["labour market", "anti-discrimination", "housing", "Housing", "health",
                 "education", "political participation", "no data", "default dataset",
                 "implementation", "evaluation", "outcome", "monitoring"]

MEASURE_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  const wide = [];
  for (const el of main.querySelectorAll('[data-testid="stElementContainer"]')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1) wide.push((el.innerText || el.className).slice(0, 60));
  }
  const charts = [...main.querySelectorAll('[data-testid="stVegaLiteChart"]')].map(c => {
    const box = c.closest('[data-testid="stElementContainer"]') || c.parentElement;
    const drawn = c.querySelector('canvas, svg');
    const r = drawn ? drawn.getBoundingClientRect() : c.getBoundingClientRect();
    return {w: r.width, h: r.height, box: box.getBoundingClientRect().width,
            visible: c.offsetParent !== null};
  });
  return {scroll: document.documentElement.scrollWidth - vw, wide, charts,
          text: main.innerText};
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    store = tmp_path_factory.mktemp("screens") / "store"
    proc, url = start_app(store)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def pages(browser):
    """One page per screen × language, made when first asked for and then reused."""
    made = {}

    def get(screen, lang):
        if (screen, lang) not in made:
            w, h = SCREENS[screen]
            phone = screen == "phone"
            ctx = browser.new_context(viewport={"width": w, "height": h}, is_mobile=phone,
                                      has_touch=phone, user_agent=PHONE_AGENT if phone else None)
            made[(screen, lang)] = ctx.new_page()
        return made[(screen, lang)]

    yield get
    for pg in made.values():
        pg.context.close()


def open_page(pg, url):
    pg.goto(url)
    # a title, or an error box (which the caller reports) — never a wait for what won't come
    pg.wait_for_selector('[data-testid="stMain"] h1, [data-testid="stException"]',
                         timeout=90_000)
    wait_for_app(pg)
    # charts draw after the script has finished: wait until every chart has its canvas/svg
    pg.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .every(c => c.querySelector('canvas, svg'))""", timeout=30_000)


FULL_HEIGHT_JS = """() => Math.max(...[...document.querySelectorAll('*')]
    .filter(e => e.scrollHeight > e.clientHeight + 4 && ['auto', 'scroll']
        .includes(getComputedStyle(e).overflowY)).map(e => e.scrollHeight - e.clientHeight),
    0) + window.innerHeight"""


def shoot(pg, name):
    """The whole page (Streamlit scrolls inside its main block, so the viewport is made as
    tall as the page for the picture, then put back)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = pg.viewport_size
    tall = min(int(pg.evaluate(FULL_HEIGHT_JS)), 9000)
    if tall > size["height"]:
        pg.set_viewport_size({"width": size["width"], "height": tall})
        pg.wait_for_function("h => window.innerHeight === h", arg=tall)
        wait_for_app(pg)
    pg.screenshot(path=str(SHOTS / f"{name}.png"))
    if tall > size["height"]:
        pg.set_viewport_size(size)
        pg.wait_for_function("h => window.innerHeight === h", arg=size["height"])


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_page_fits_its_screen(app, pages, screen):
    pg = pages(screen, "en")
    problems = []
    for page in PAGES:
        open_page(pg, f"{app}/{page}?lang=en")
        m = pg.evaluate(MEASURE_JS)
        shoot(pg, f"{screen}-en-{page or 'home'}")
        assert not app_errors(pg), (page, app_errors(pg))
        if m["scroll"] > 1:
            problems.append(f"{page}: scrolls sideways by {m['scroll']} px")
        if m["wide"]:
            problems.append(f"{page}: wider than the screen: {m['wide'][:3]}")
        for c in m["charts"]:
            if c["visible"] and c["box"] > 100 and not 0.8 * c["box"] <= c["w"] <= c["box"] + 2:
                problems.append(f"{page}: a chart {c['w']:.0f} px wide in {c['box']:.0f} px")
    assert not problems, problems


def test_phone_overview_leads_with_the_answer(app, pages):
    pg = pages("phone", "en")
    open_page(pg, f"{app}/?lang=en")
    metric = pg.locator('[data-testid="stMetricValue"]').first
    picker = pg.locator('[data-testid="stSelectbox"]').first
    assert metric.bounding_box()["y"] + metric.bounding_box()["height"] <= 844, \
        "no headline number on the first phone screen"
    assert picker.bounding_box()["y"] < 844, "no region picker on the first phone screen"


def test_workshop_on_a_laptop_and_a_projector(app, pages):
    laptop = pages("laptop", "en")
    for step in range(1, 7):
        open_page(laptop, f"{app}/workshop?lang=en&step={step}")
        nxt = laptop.get_by_role("button", name=re.compile("Next"))
        box = nxt.bounding_box()
        assert box and box["y"] + box["height"] <= 768, f"step {step}: Next below the fold"
    projector = pages("projector", "en")
    for step in (2, 3, 4):
        open_page(projector, f"{app}/workshop?lang=en&step={step}")
        shoot(projector, f"projector-en-workshop-step{step}")
        m = projector.evaluate(MEASURE_JS)
        big = max(m["charts"], key=lambda c: c["w"] * c["h"])
        assert big["w"] >= 0.6 * 1920 or big["h"] >= 0.6 * 1080, (step, big)


@pytest.mark.parametrize("screen", ["phone", "laptop"])
def test_french_pages_have_no_english_vocabulary(app, pages, screen):
    pg = pages(screen, "fr")
    found = {}
    for page in PAGES:
        open_page(pg, f"{app}/{page}?lang=fr")
        m = pg.evaluate(MEASURE_JS)
        shoot(pg, f"{screen}-fr-{page or 'home'}")
        assert not app_errors(pg), (page, app_errors(pg))
        if screen == "phone":
            assert m["scroll"] <= 1, (page, m["scroll"])
        text = m["text"]
        hits = [m for w in ENGLISH_TERMS
                for m in re.finditer(rf"(?<![\w=-]){re.escape(w)}(?![\w:-])", text)]
        if hits:  # each with the text around it, to find where it is
            found[page] = [text[max(0, m.start() - 40):m.end() + 20].replace("\n", " / ")
                           for m in hits]
    assert not found, found


def test_brief_preview_shows_its_charts(app, pages):
    """The in-app preview of the brief: "Profile against peers" and "Policy cycle" hold
    their charts (the downloaded HTML had them; the preview was empty)."""
    pg = pages("laptop", "en")
    open_page(pg, f"{app}/brief?lang=en")
    pg.get_by_text("Preview of the brief").click()
    pg.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stHtml"] img')]
        .filter(i => i.complete && i.naturalWidth > 100).length >= 3""", timeout=30_000)
    for i in range(3):  # each chart of the preview as it is drawn
        img = pg.locator('[data-testid="stHtml"] img').nth(i)
        img.scroll_into_view_if_needed()
        img.screenshot(path=str(SHOTS / f"laptop-en-brief-preview-chart{i + 1}.png"))
