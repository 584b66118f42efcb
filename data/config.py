"""Where the store lives and the limits of an import.

Settings come, in order of precedence, from environment variables, then from a TOML file
(``mipexr.toml`` at the repository root, or the file named by ``MIPEXR_CONFIG``), then
from the defaults below. Streamlit's ``secrets.toml`` is read by the app, not here, so that
``data/`` stays usable from the command line and in tests.

=========================  ==========================  =============================
environment variable       ``mipexr.toml`` key          default
=========================  ==========================  =============================
``MIPEXR_STORE``           ``[store] path``             ``data/store`` in the repo
``MIPEXR_KEEP_VERSIONS``   ``[store] keep_versions``    20
``MIPEXR_MAX_UPLOAD_MB``   ``[import] max_upload_mb``   200
``MIPEXR_MAX_ROWS``        ``[import] max_rows``        5,000,000
=========================  ==========================  =============================
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    store_path: Path
    keep_versions: int = 20
    max_upload_bytes: int = 200 * 1024 * 1024
    max_rows: int = 5_000_000


def _config_file() -> dict:
    path = Path(os.environ.get("MIPEXR_CONFIG", REPO_ROOT / "mipexr.toml"))
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def settings() -> Settings:
    """Read the settings now (environment first, then the config file, then defaults)."""
    cfg = _config_file()
    store_cfg, import_cfg = cfg.get("store", {}), cfg.get("import", {})
    store = os.environ.get("MIPEXR_STORE") or store_cfg.get("path") or REPO_ROOT / "data" / "store"
    store = Path(store)
    if not store.is_absolute():
        store = REPO_ROOT / store
    keep = int(os.environ.get("MIPEXR_KEEP_VERSIONS") or store_cfg.get("keep_versions", 20))
    mb = float(os.environ.get("MIPEXR_MAX_UPLOAD_MB") or import_cfg.get("max_upload_mb", 200))
    rows = int(os.environ.get("MIPEXR_MAX_ROWS") or import_cfg.get("max_rows", 5_000_000))
    return Settings(store, max(keep, 1), int(mb * 1024 * 1024), rows)
