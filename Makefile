# One task runner for people and CI. `make run` and `make test` install what they need first.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test bench lint clean-store i18n

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

run: $(VENV)/.installed  ## install, then serve the dashboard on the default data
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: $(VENV)/.installed  ## install, then run every test (browser tests need /usr/bin/chromium)
	$(PY) -m pytest -n 2

bench: $(VENV)/.installed  ## the benchmarks the README quotes (add ARGS=--quick for a short run)
	$(PY) bench/run_all.py $(ARGS)

clean-store:  ## forget the local store (the default data is published again on next start)
	rm -rf data/store

i18n: $(VENV)/.installed  ## extract interface strings, merge them into locales/*/messages.po, report what is untranslated
	$(PY) -m ui.i18n update
