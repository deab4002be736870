# `make run` and `make test` work on a fresh clone: they create .venv and install what they need.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup index run test lint fmt typecheck bench browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, exactly this version: the CPU wheel on local disk (any other spec downloads GBs)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

index: setup
	$(VENV)/bin/kaoda index

run: index
	$(VENV)/bin/kaoda ui --host 127.0.0.1 --port 7860

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: setup
	$(VENV)/bin/mypy

# Debian's chromium for the browser tests (nothing downloads a browser of its own); CJK fonts so
# failure screenshots in tests/artifacts/ are readable.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# pytest exits 5 when it collected no tests: a failure here, said in words
test: setup lint typecheck browser
	@$(PY) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure here" >&2; exit 1; fi; \
	exit $$status

bench: index
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) tests/artifacts .pytest_cache .ruff_cache .mypy_cache
