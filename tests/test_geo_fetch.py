"""Boundaries without configuration: GISCO's real files served from a local HTTP server as the
download source (no internet). Skipped when ../shared/data/nuts is absent."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading
from pathlib import Path

import pandas as pd
import pytest

import geo
from geo import __main__ as geo_cli
from geo import fetch as gf

NUTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "nuts"
if not NUTS.is_dir():
    NUTS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nuts"
pytestmark = pytest.mark.skipif(not (NUTS / "NUTS_RG_20M_2024_4326_LEVL_2.geojson").is_file(),
                                reason="real GISCO files not available")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path):
    """A loopback HTTP server for ``folder``; returns (base URL, requested paths, server)."""
    seen: list[str] = []

    class Handler(_Quiet):
        def do_GET(self):
            seen.append(self.path.rsplit("/", 1)[-1])
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/nuts/", seen, server


@pytest.fixture
def gisco():
    """GISCO as a local server: the real files under /nuts/."""
    root = NUTS.parent
    base, seen, server = serve(root)
    yield base, seen
    server.shutdown()


@pytest.fixture
def all_levels_server(tmp_path):
    """A server holding only GISCO's all-levels layout for 2024 (levels 0 and 2 in one file)."""
    folder = tmp_path / "srv" / "nuts"
    folder.mkdir(parents=True)
    feats = []
    for lv in (0, 2):
        feats += json.loads((NUTS / f"NUTS_RG_20M_2024_4326_LEVL_{lv}.geojson").read_text())["features"]
    (folder / "NUTS_RG_20M_2024_4326.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                                        "features": feats}))
    base, seen, server = serve(folder.parent)
    yield base, seen
    server.shutdown()


def regions(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region_id", "name", "country", "level", "nuts_version", "lat", "lon"])


def test_needed_reads_levels_and_editions_from_the_regions_table():
    r = regions(("ES51", "Cataluña", "ES", "NUTS2", 2021, 41.8, 1.5),
                ("SE224", "Skåne", "SE", "NUTS3", 2021, 55.9, 13.5),
                ("PT1A", "Grande Lisboa", "PT", "NUTS2", 2024, 38.8, -9.1),
                ("LAU-IT-063049", "Napoli", "IT", "LAU", None, 40.8, 14.3))
    assert gf.needed(r) == [(2021, 0), (2021, 2), (2021, 3), (2024, 0), (2024, 2)]
    assert gf.needed(r.drop(columns="nuts_version").head(1)) == [(2024, 0), (2024, 2)]  # no edition: 2024
    assert gf.needed(r.iloc[:0]) == []


def test_download_caches_with_records_and_falls_back_to_a_coarser_scale(gisco, tmp_path):
    base, seen = gisco
    cache = tmp_path / "store" / "boundaries"
    result = gf.fetch([(2021, 0), (2021, 2), (2024, 2)], cache, base=base)
    assert result.error is None and result.missing == []
    names = sorted(p.name for p in result.files)
    # 2024 exists at 1:20M; 2021 only at 1:60M here (1:20M and 1:10M answer 404)
    assert names == ["NUTS_RG_20M_2024_4326_LEVL_2.geojson", "NUTS_RG_60M_2021_4326_LEVL_0.geojson",
                     "NUTS_RG_60M_2021_4326_LEVL_2.geojson"]
    assert "NUTS_RG_20M_2021_4326_LEVL_2.geojson" in seen and "NUTS_RG_10M_2021_4326_LEVL_2.geojson" in seen
    rec = gf.read_records(cache)["NUTS_RG_20M_2024_4326_LEVL_2.geojson"]
    body = (NUTS / "NUTS_RG_20M_2024_4326_LEVL_2.geojson").read_bytes()
    assert rec["url"] == base + "NUTS_RG_20M_2024_4326_LEVL_2.geojson"
    assert rec["sha256"] == hashlib.sha256(body).hexdigest() and rec["bytes"] == len(body)
    assert rec["fetched"].endswith("+00:00") and "EuroGeographics" in rec["licence"]
    # cached: a second fetch asks the server for nothing
    seen.clear()
    again = gf.fetch([(2021, 0), (2021, 2), (2024, 2)], cache, base=base)
    assert seen == [] and again.files == [] and again.error is None
    b = geo.load_boundaries(cache)
    assert set(b["nuts_year"]) == {2021, 2024} and len(b[b["LEVL_CODE"] == 2]) == 334 + 299


def test_edition_and_level_are_chosen_from_the_regions(gisco, tmp_path):
    base, seen = gisco
    r = regions(("PT1A", "Grande Lisboa", "PT", "NUTS2", 2024, 38.8, -9.1),
                ("ES51", "Cataluña", "ES", "NUTS2", 2024, 41.8, 1.5))
    gf.fetch(gf.needed(r), tmp_path, base=base)
    assert sorted(seen) == ["NUTS_RG_20M_2024_4326_LEVL_0.geojson", "NUTS_RG_20M_2024_4326_LEVL_2.geojson"]
    matched, report = geo.match_regions(r, geo.load_boundaries(tmp_path))
    assert list(matched["shape"]) == ["polygon", "polygon"] and report.messages == []


def test_a_level_the_source_lacks_is_missing_with_its_name(gisco, tmp_path):
    base, _ = gisco
    result = gf.fetch([(2021, 3)], tmp_path, base=base)
    assert result.missing == [(2021, 3)]
    assert result.error == f"{base} has no file for NUTS 2021 level 3"


def test_all_levels_layout_from_the_server(all_levels_server, tmp_path):
    base, seen = all_levels_server
    result = gf.fetch([(2024, 0), (2024, 2)], tmp_path, base=base)
    assert [p.name for p in result.files] == ["NUTS_RG_20M_2024_4326.geojson"]  # one file serves both levels
    assert seen.count("NUTS_RG_20M_2024_4326.geojson") == 1
    b = geo.load_boundaries(tmp_path)
    assert b.groupby("LEVL_CODE").size().to_dict() == {0: 39, 2: 299}
    assert set(b["source"]) == {"NUTS_RG_20M_2024 (level 0)", "NUTS_RG_20M_2024 (level 2)"}


@pytest.mark.parametrize("layout", ["per-level folder", "per-level file", "all-levels folder", "all-levels file"])
def test_every_gisco_layout_as_folder_or_file(layout, tmp_path):
    lvl2 = NUTS / "NUTS_RG_20M_2024_4326_LEVL_2.geojson"
    if layout.startswith("all-levels"):
        feats = []
        for lv in (0, 2):
            feats += json.loads((NUTS / f"NUTS_RG_20M_2024_4326_LEVL_{lv}.geojson").read_text())["features"]
        lvl2 = tmp_path / "NUTS_RG_20M_2024_4326.geojson"
        lvl2.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    elif layout == "per-level folder":
        for lv in (0, 2):
            (tmp_path / f"NUTS_RG_20M_2024_4326_LEVL_{lv}.geojson").write_bytes(
                (NUTS / f"NUTS_RG_20M_2024_4326_LEVL_{lv}.geojson").read_bytes())
    given = tmp_path if layout.endswith("folder") else lvl2
    b = geo.load_boundaries(given)
    r = regions(("PT1A", "Grande Lisboa", "PT", "NUTS2", 2024, 38.8, -9.1))
    matched, report = geo.match_regions(r, b)
    assert matched["shape"].tolist() == ["polygon"] and report.messages == []
    assert (b["nuts_year"] == 2024).all()
    if layout != "per-level file":
        assert (b["LEVL_CODE"] == 0).sum() == 39  # the country outlines come with it


def test_edition_mismatch_names_both_editions_and_the_regions(gisco, tmp_path):
    base, _ = gisco
    gf.fetch([(2024, 2)], tmp_path, base=base)
    r = regions(("PT17", "Área Metropolitana de Lisboa", "PT", "NUTS2", 2021, 38.8, -9.1),
                ("ES51", "Cataluña", "ES", "NUTS2", 2021, 41.8, 1.5))
    _, report = geo.match_regions(r, geo.load_boundaries(tmp_path))
    text = " ".join(report.messages)
    assert ("1 region has no boundary in NUTS_RG_20M_2024 (level 2): PT17 (Área Metropolitana de Lisboa). "
            "This region is coded in NUTS 2021, the level-2 boundaries loaded are NUTS 2024") in text
    assert "add a NUTS 2021 level-2 file or recode the regions to NUTS 2024" in text
    # a boundary file whose edition is unknown never gives an empty "the boundary file is  (…)"
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "regions.geojson").write_bytes((NUTS / "NUTS_RG_20M_2024_4326_LEVL_2.geojson").read_bytes())
    _, report = geo.match_regions(r, geo.load_boundaries(plain / "regions.geojson"))
    assert all("  " not in m and "is  (" not in m for m in report.messages)
    assert "PT17" in " ".join(report.messages)


def test_offline_is_an_error_value_never_an_exception(tmp_path):
    result = gf.fetch([(2024, 2)], tmp_path, base="http://127.0.0.1:9/nuts/", timeout=2)
    assert result.missing == [(2024, 2)] and result.error.startswith("cannot reach http://127.0.0.1:9/nuts/")
    assert not list(tmp_path.iterdir())


def test_background_fetcher_fetches_once_and_waits_before_retrying(gisco, tmp_path):
    base, seen = gisco
    f = gf.Fetcher(tmp_path / "b", retry_seconds=3600)
    status = f.ensure([(2024, 0), (2024, 2)], base="http://127.0.0.1:9/nuts/", timeout=2)
    assert status.state in ("fetching", "failed")
    f.wait(30)
    failed = f.status([(2024, 0), (2024, 2)])
    assert failed.state == "failed" and "cannot reach" in failed.error and failed.retry_at
    # within the retry time nothing is tried again, even with a working source
    assert f.ensure([(2024, 0), (2024, 2)], base=base).state == "failed"
    f.wait(30)
    assert seen == []
    f.retry_seconds = 0
    f.ensure([(2024, 0), (2024, 2)], base=base)
    f.wait(30)
    assert f.status([(2024, 0), (2024, 2)]).state == "ready"
    assert len(seen) == 2


def test_setting_off_folder_or_file():
    assert gf.source(None, "/s/boundaries") == ("auto", Path("/s/boundaries"))
    assert gf.source("off", "/s/boundaries") == ("off", None)
    assert gf.source("/data/nuts", "/s/boundaries") == ("path", Path("/data/nuts"))


def test_base_url_is_configurable(monkeypatch):
    monkeypatch.delenv("MIPEXR_GISCO_URL", raising=False)
    assert gf.base_url() == "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
    monkeypatch.setenv("MIPEXR_GISCO_URL", "http://mirror.local/nuts")
    assert gf.base_url() == "http://mirror.local/nuts/"


def test_command_line_preloads_a_folder(gisco, tmp_path, capsys):
    base, _ = gisco
    code = geo_cli.main(["fetch", "--out", str(tmp_path / "pre"), "--year", "2024", "--level", "0", "2",
                         "--base", base])
    assert code == 0
    out = capsys.readouterr().out
    assert "2 of 2 edition/level pairs" in out and "EuroGeographics" in out
    assert set(gf.read_records(tmp_path / "pre")) == {"NUTS_RG_20M_2024_4326_LEVL_0.geojson",
                                                      "NUTS_RG_20M_2024_4326_LEVL_2.geojson"}
