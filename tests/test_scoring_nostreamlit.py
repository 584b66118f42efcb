"""scoring/ must stay importable without Streamlit and free of file I/O."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_does_not_load_streamlit():
    code = "import sys, scoring; assert 'streamlit' not in sys.modules, 'streamlit loaded'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_source_never_mentions_streamlit_or_file_io():
    for path in sorted((ROOT / "scoring").glob("*.py")):
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+streamlit", text, re.M), path
        assert "except Exception" not in text, path
        assert not re.search(r"\bopen\(|read_csv|to_csv|read_parquet", text), path
