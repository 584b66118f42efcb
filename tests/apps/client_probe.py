"""A one-line app for tests/test_clients_http.py: shows the client ui.clients sees."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import streamlit as st  # noqa: E402

from ui import clients  # noqa: E402

st.markdown(f"CLIENT={clients.current()}")
