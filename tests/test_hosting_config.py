"""The hosting defaults are set where a deployment takes them from: the repository's
``.streamlit/config.toml`` (``make run``) and the deploy recipe's config."""

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", [".streamlit/config.toml", "deploy/streamlit-config.toml"])
def test_no_usage_statistics_and_viewer_toolbar(path):
    cfg = tomllib.loads((ROOT / path).read_text())
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["client"]["toolbarMode"] == "viewer"
