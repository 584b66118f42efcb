"""Pure page models: no Streamlit."""
