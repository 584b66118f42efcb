"""Untrusted text never becomes a link, an image or a request (issue 16, problems 1–2).

A store whose region names, indicator texts, practice texts, outcome measure names, the
publisher's name and the publish note all hold Markdown/HTML payloads, and URL parameters
holding the same payloads, are pushed through every page, notice, card, workshop step and
the brief (its HTML preview on the page; the PDF is checked for link annotations). Every
payload points at ``attacker.invalid``. In Chromium, with every request logged, the test
asserts that no ``<a>`` or ``<img>`` appears that the app did not create (links go to the
app itself or to the one validated ``url`` field; images are the app's own) and that the
browser asked no host but the app.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest

from tests.browser.conftest import app_errors, start_app, sign_in_staff, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
EVIL = "attacker.invalid"
PAYLOADS = [
    f"[Verify your account](http://{EVIL}/phish) ![t](http://{EVIL}/track.png)",
    f'<img src="http://{EVIL}/i.png"><a href="http://{EVIL}/a">click</a>',
    f"see http://{EVIL}/bare or www.{EVIL} or mail@{EVIL}",
    f"<http://{EVIL}/auto> [ref][1]\n\n[1]: http://{EVIL}/refdef",
    ":material/warning: :red[red] $x^2$ **bold** `code`",
]
ALLOWED_URL = "https://example.org/more-information"
#: Links the app itself writes (the Methodology page's sources).
APP_LINKS = r"^https://www\.(mipex|regin-regions)\.eu/"
PRACTICE = "PX99"


def payload_tables():
    from data.demo import build_demo
    from data.imports import derive

    tabs = derive(build_demo())
    r = tabs["regions"]
    r.loc[r["region_id"] == "ES51", "name"] = "Catalonia " + PAYLOADS[0]
    r.loc[r["region_id"] == "ITF3", "name"] = "Campania " + PAYLOADS[1]
    ind = tabs["indicators"]
    first = ind.index[0]
    ind.loc[first, "label"] = "Strategy " + PAYLOADS[0]
    ind.loc[first, "question"] = "Is there? " + PAYLOADS[1]
    p = tabs["practices"]
    row = p[p["region_id"] == "ES51"].head(1).copy()
    if row.empty:
        row = p.head(1).copy().assign(region_id="ES51")
    row = row.assign(practice_id=PRACTICE, title="Mentoring " + PAYLOADS[0], summary=PAYLOADS[1] + " " * 60,
                     lessons_learnt=PAYLOADS[2], transferability_tips=PAYLOADS[3],
                     stakeholders=PAYLOADS[4].replace(";", ","), url=ALLOWED_URL)
    tabs["practices"] = pd.concat([p, row], ignore_index=True)
    if len(tabs.get("measures", [])):
        tabs["measures"].loc[tabs["measures"].index[0], "label"] = "Employment " + PAYLOADS[2]
    return tabs


@pytest.fixture(scope="module")
def payload_app(tmp_path_factory, browser):
    from data.schema import TABLE_ORDER
    from data.store import Store

    store_dir = tmp_path_factory.mktemp("payloads") / "store"
    store = Store(store_dir)
    tabs = payload_tables()
    store.publish({t: tabs[t] for t in TABLE_ORDER}, base_version=store.current_id(), who=PAYLOADS[0],
                  note="Approved: " + PAYLOADS[0] + " " + PAYLOADS[1], illustrative={t: True for t in TABLE_ORDER})
    proc, url = start_app(store_dir)
    ctx = browser.new_context()
    warm = ctx.new_page()
    warm.goto(url)
    warm.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    wait_for_app(warm, 60_000)
    ctx.close()
    yield store_dir, url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


FOREIGN = """(base) => {
  const bad = [];
  for (const a of document.querySelectorAll('a[href]')) {
    const h = a.getAttribute('href');
    if (h.startsWith('#') || a.href.startsWith(base) || a.href === '%s' || /%s/.test(a.href)) continue;
    bad.push('a ' + h);
  }
  for (const i of document.querySelectorAll('img, image, source, iframe, video, audio, object, embed')) {
    const s = i.currentSrc || i.src || i.getAttribute('href') || i.getAttribute('data') || '';
    if (!s || s.startsWith(base) || s.startsWith('data:') || s.startsWith('blob:')) continue;
    bad.push(i.tagName + ' ' + s);
  }
  for (const el of document.querySelectorAll('[src*="%s"], [href*="%s"], [style*="%s"]'))
    bad.push('attr ' + el.outerHTML.slice(0, 120));
  return bad;
}""" % (ALLOWED_URL, APP_LINKS.replace("/", "\\/"), EVIL, EVIL, EVIL)


def check(page, url: str, path: str, requests: list, shot: str):
    page.goto(url + path)
    wait_for_app(page, 60_000)
    # (a closed expander's content is in the page too: the checks below see it)
    page.wait_for_timeout(500)
    page.screenshot(path=str(page.shots / f"{shot}.png"), full_page=True)
    bad = page.evaluate(FOREIGN, url)
    assert not bad, f"{path}: elements the app did not create: {bad[:5]}"
    assert not app_errors(page), f"{path}: {app_errors(page)[:1]}"
    outside = [r for r in requests if not r.startswith((url, "data:", "blob:"))]
    assert not outside, f"{path}: requests to other hosts: {outside[:5]}"


def q(text: str) -> str:
    return quote(text, safe="")


def test_payloads_render_as_text_on_every_page(page, payload_app):
    store_dir, url = payload_app
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    paths = [("/", "overview"), ("/methodology", "methodology"),
             ("/region?region=ES51", "region"), ("/region?region=ITF3", "region2"),
             ("/compare?regions=ES51,ITF3,ES62", "compare"), ("/gaps?region=ES51", "gaps"),
             (f"/practices?practice={PRACTICE}", "card"), ("/practices?q=Mentoring", "list"),
             ("/brief?region=ES51", "brief"), ("/propose", "propose")]
    paths += [(f"/workshop?region=ES51&step={i}", f"workshop{i}") for i in range(1, 7)]
    for i, payload in enumerate(PAYLOADS):  # reflected through every kind of parameter
        paths += [(f"/?edition={q('2024 ' + payload)}", f"p{i}-edition"),
                  (f"/region?region={q(payload)}&group={q(payload)}", f"p{i}-region"),
                  (f"/compare?regions=ES51,{q(payload)}", f"p{i}-compare"),
                  (f"/gaps?target={q(payload)}&w={q(payload + ':2')}", f"p{i}-gaps"),
                  (f"/practices?practice={q(payload)}&area={q(payload)}", f"p{i}-lab"),
                  (f"/workshop?step={q(payload)}&peers={q(payload)}", f"p{i}-workshop")]
    for path, name in paths:
        check(page, url, path, requests, name)
    # the card's text is the payload, shown as typed; its one link is the validated url field
    page.goto(f"{url}/practices?practice={PRACTICE}")
    wait_for_app(page, 60_000)
    card = page.locator(".st-key-practice_card")
    card.wait_for(timeout=30_000)
    card.get_by_text("More information (example.org)").wait_for(timeout=30_000)  # drawn last
    text = card.inner_text().replace("\u2060", "")  # the invisible joiner that stops autolinks
    assert "Mentoring [Verify your account](http://attacker.invalid/phish) ![t](http://attacker.invalid/track.png)" in text
    assert "More information (example.org)" in text
    # a notice shows the link's text as typed
    page.goto(f"{url}/?edition={q('2024 ' + PAYLOADS[0])}")
    wait_for_app(page, 60_000)
    assert page.get_by_text("[Verify your account]", exact=False).count() >= 1
    assert page.dialogs == []


def test_payloads_in_the_staff_history(page, payload_app):
    store_dir, url = payload_app
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    wait_for_app(page, 60_000)
    side = sign_in_staff(page)
    side.get_by_role("link", name=re.compile("Data management")).click()
    wait_for_app(page, 60_000)
    main = page.locator('[data-testid="stMain"]')
    for section in ("History", "Proposals", "Upload and publish"):
        main.get_by_text(section, exact=True).first.click()
        wait_for_app(page)
        page.screenshot(path=str(page.shots / f"staff-{section.split()[0].lower()}.png"), full_page=True)
        assert not page.evaluate(FOREIGN, url), section
        assert not app_errors(page)
    # the history shows the publisher and the note as typed
    main.get_by_text("History", exact=True).first.click()
    wait_for_app(page)
    assert "Approved: [Verify your account](http://attacker.invalid/phish)" in main.inner_text().replace("\u2060", "")
    assert not [r for r in requests if not r.startswith((url, "data:", "blob:"))]


def test_brief_pdf_and_html_carry_no_foreign_link(payload_app):
    from data.store import Store
    from ui import brief

    store_dir, _ = payload_app
    store = Store(store_dir)
    version = store.current_id()
    import scoring

    tabs = store.tables(version)
    scored = tabs["regions"].loc[tabs["regions"]["region_id"].isin(tabs["scores"]["region_id"]), "region_id"]
    cube = scoring.prepare(tabs["indicators"], tabs["scores"], regions=scored)
    man = dict(store.manifest(version), illustrative={})
    edition = int(tabs["scores"]["edition"].max())
    b = brief.build(cube, tabs, man, "ES51", "TCN", edition, None, "all", (), None)
    page_html = brief.to_html(b)
    assert EVIL not in re.sub(r"&[a-z]+;|&#\d+;", "", " ".join(re.findall(r'(?:href|src)="[^"]*"', page_html)))
    assert "<img src=\"http" not in page_html and "<a href=\"http" not in page_html
    assert "[Verify your account]" in page_html or "Verify your account" in page_html
    pdf = brief.to_pdf(b)
    # the payload is only text (the PDF's title holds it as typed); no link annotation at all
    # (in the objects' dictionaries: the bytes of a compressed image may spell "/URI" by chance)
    objects = re.sub(rb"stream\r?\n.*?endstream", b"", pdf, flags=re.S)
    assert b"/URI" not in objects and b"/Link" not in objects
