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
``MIPEXR_CATALOG``         ``[store] catalog``          empty: the local Parquet store
``MIPEXR_DATA_PATH``       ``[store] data_path``        empty
``MIPEXR_S3_ENDPOINT``     ``[store.s3] endpoint``      empty (AWS)
``MIPEXR_S3_KEY_ID``       ``[store.s3] key_id``        empty
``MIPEXR_S3_SECRET``       ``[store.s3] secret``        empty
``MIPEXR_S3_REGION``       ``[store.s3] region``        ``us-east-1``
``MIPEXR_S3_USE_SSL``      ``[store.s3] use_ssl``       true
``MIPEXR_S3_URL_STYLE``    ``[store.s3] url_style``     ``path``
=========================  ==========================  =============================

A ``catalog`` selects the shared DuckLake store (:mod:`data.lake`) instead of the local one:
``postgres:dbname=mipexr host=db.example port=5432 user=mipexr`` (libpq key=value words), with
``data_path`` a folder every replica sees or ``s3://bucket/prefix/``. The ``s3`` keys are only
needed for an S3-compatible object store.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    store_path: Path
    keep_versions: int = 20
    max_upload_bytes: int = 200 * 1024 * 1024
    max_rows: int = 5_000_000
    catalog: str = ""
    data_path: str = ""
    s3: dict = field(default_factory=dict)


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
    catalog = os.environ.get("MIPEXR_CATALOG") or store_cfg.get("catalog", "")
    data_path = os.environ.get("MIPEXR_DATA_PATH") or store_cfg.get("data_path", "")
    s3_cfg = store_cfg.get("s3", {})
    s3 = {k: os.environ.get(f"MIPEXR_S3_{k.upper()}") or str(s3_cfg.get(k, "")) for k in S3_KEYS}
    return Settings(store, max(keep, 1), int(mb * 1024 * 1024), rows, catalog, str(data_path),
                    {k: v for k, v in s3.items() if v})


S3_KEYS = ("endpoint", "key_id", "secret", "region", "use_ssl", "url_style")
