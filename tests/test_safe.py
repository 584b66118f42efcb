"""The one rule for untrusted text (ui/safe.py): escaped Markdown, links only from checked
web addresses, shown with their domain (issue 16, problems 1–2)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ui import safe

J = safe.JOINER


def test_md_makes_markup_inert():
    assert safe.md("<img src=x onerror=alert(1)>") == r"\<img src\=x onerror\=alert\(1\)\>"
    assert safe.md("**bold** [link](javascript:alert(1)) $x$") == \
        r"\*\*bold\*\* \[link\]\(javascript\:" + J + r"alert\(1\)\) \$x\$"
    assert safe.md("line one\nline two") == "line one  \nline two"
    assert safe.md(None) == "" and safe.md(float("nan")) == "" and safe.md(pd.NA) == ""


@pytest.mark.parametrize("text", ["http://attacker.invalid/x", "www.attacker.invalid", "mail@attacker.invalid",
                                  "WWW.Attacker.invalid", "mailto:a@b.invalid", "xmpp:a@b.invalid"])
def test_md_breaks_every_autolink(text):
    """GitHub autolinks are found after escapes are resolved: an invisible joiner stops them."""
    out = safe.md(text)
    shown = out.replace("\\", "").replace(J, "")
    assert shown == text  # reads the same
    assert "://" not in out.replace("\\", "") and "www." not in out.lower().replace("\\", "")
    assert "@" not in out or (J + "\\@") in out


def test_md_drops_control_and_direction_characters():
    assert safe.md("a\x00b\u202ec") == "abc"


def test_fill_escapes_values_not_the_message():
    assert safe.fill("**Hello** {name}, {n}", name="[x](http://e)", n=3) == \
        "**Hello** \\[x\\]\\(http\\:" + J + "\\/\\/e\\), 3"


def test_clip():
    assert safe.clip("x" * 10_000) == "x" * (safe.CLIP - 1) + "…"
    assert safe.clip("short") == "short"


def test_url_allows_only_http_with_a_host():
    assert safe.url("https://example.org/p?a=1") == "https://example.org/p?a=1"
    for bad in ("javascript:alert(1)", "http://x/<script>", None, "data:text/html,x", "https://", "ftp://x.org",
                "http://a b.org", math.nan):
        assert safe.url(bad) is None, bad


def test_domain():
    assert safe.domain("https://www.example.org/a/b") == "example.org"
    assert safe.domain("javascript:x") == ""


def test_html():
    assert safe.html('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
