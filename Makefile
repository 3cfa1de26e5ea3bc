# Haven: two commands do everything.
#   make run    set up what is missing, build the index and the model if needed, start the bot
#   make test   set up what is missing and run the whole suite
# See README.md for the other targets.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

RASA_PY    := .venv/rasa/bin/python
ACTIONS_PY := .venv/actions/bin/python
RASA       := $(RASA_PY) -m rasa
export PYTHONPATH := $(CURDIR)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1
# rasa 3.6 and its pinned libraries print pages of deprecation warnings on every start.
export PYTHONWARNINGS := ignore::DeprecationWarning,ignore::PendingDeprecationWarning,ignore::FutureWarning

DOMAIN      := $(if $(wildcard bot/domain),bot/domain,bot/domain.yml)
MODEL       := models/haven.tar.gz
INDEX_STAMP := var/index/.built
TRAIN_SRC   := config.yml $(shell find $(DOMAIN) bot/data nlu -type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null | sort)
CONTENT_SRC := $(shell find knowledge_base -type f \( -name '*.yml' -o -name '*.py' \) -not -path '*/tests/*' 2>/dev/null | sort)

.PHONY: help setup system run test test-fast pytest train index kb console-user lint validate translations e2e \
        bench-kb-quality bench-kb-speed bench-nlu bench-load clean

help:
	@echo "make run    - set up, build index and model if needed, start Haven on localhost:5005"
	@echo "make test   - set up and run the whole test suite"
	@echo "make train | index | lint | validate | kb ARGS='search \"…\" --lang ar' | clean"
	@echo "make console-user NAME=… ROLE=editor|translator|viewer"
	@echo "make bench-kb-quality KB=… QUERIES=… OUT=… | bench-kb-speed OUT=… | bench-nlu OUT=… | bench-load OUT=…"

# --- environments (a second run installs nothing: stamps hold each lock's hash) -------------
# The two environments install side by side (the first run takes a few minutes).
setup:
	@$(MAKE) -s --no-print-directory -j2 .venv/rasa/.lock-sha256 .venv/actions/.lock-sha256

.venv/%/.lock-sha256: requirements/%.lock scripts/setup_env.sh
	scripts/setup_env.sh $*
	@touch $@

# --- build artifacts (rebuilt only when their sources change) --------------------------------
index: $(INDEX_STAMP)
$(INDEX_STAMP): $(CONTENT_SRC) | setup
	$(ACTIONS_PY) -m knowledge_base build
	@touch $@

train: $(MODEL)
$(MODEL): $(TRAIN_SRC) | setup
	@mkdir -p models
	nice -n 5 $(RASA) train --domain $(DOMAIN) --data bot/data --config config.yml \
	    --out models --fixed-model-name haven
	@touch $@

kb: setup
	$(ACTIONS_PY) -m knowledge_base $(ARGS)

# Content-staff console accounts: make console-user NAME=amina ROLE=editor (asks for a password)
ROLE ?= editor
console-user: setup
	$(ACTIONS_PY) -m console create-user $(NAME) --role $(ROLE)

# --- run ---------------------------------------------------------------------------------
run: setup index train
	@$(ACTIONS_PY) scripts/run.py

# --- test --------------------------------------------------------------------------------
test: setup system index train lint validate translations pytest e2e

lint: setup
	$(ACTIONS_PY) -m ruff check .

validate: setup
	$(RASA) data validate --domain $(DOMAIN) --data bot/data --config config.yml --fail-on-warnings

# Every bot string in every supported language (gettext catalogs in bot/locales).
translations: setup
	$(ACTIONS_PY) -m haven.i18n

# Each environment runs the tests of the code it imports.
pytest: setup system index train
	$(ACTIONS_PY) -m pytest -q -p no:cacheprovider tests/actions_env
	$(RASA_PY) -m pytest -q -p no:cacheprovider tests/rasa_env tests/browser

# Quick loop for developers: no servers, no browser (exit code 5 = nothing selected is fine).
test-fast: setup
	$(ACTIONS_PY) -m pytest -q -m "not integration and not browser" tests/actions_env || [ $$? -eq 5 ]
	$(RASA_PY) -m pytest -q -m "not integration and not browser" tests/rasa_env tests/browser \
	    || [ $$? -eq 5 ]

# System packages the browser tests need (Debian's Chromium; no browser downloads).
system:
	scripts/setup_system.sh

# Rasa end-to-end test stories (bot/tests): NLU and dialogue predictions on the typed text of
# whole conversations (--e2e). Rasa OSS does not run custom actions here; the REST
# integration tests in tests/ do.
e2e: setup train
	nice -n 5 $(RASA) test core --e2e --stories bot/tests --model $(MODEL) \
	    --fail-on-prediction-errors --out test-artifacts/e2e

# --- benchmarks (print a table and write JSON) -----------------------------------------
KB      ?= knowledge_base/content
QUERIES ?= benchmarks/data/kb_queries.jsonl
OUT     ?= benchmarks/results/$@.json

bench-kb-quality: setup
	nice -n 5 $(ACTIONS_PY) benchmarks/kb_quality.py --kb $(KB) --queries $(QUERIES) --out $(OUT)

bench-kb-speed: setup
	nice -n 5 $(ACTIONS_PY) benchmarks/kb_speed.py --out $(OUT)

bench-nlu: setup train
	nice -n 5 $(RASA_PY) benchmarks/nlu_quality.py --out $(OUT)

# Load: Haven against a bare `rasa init` bot in the same run (ratios), JSON + PNG plot.
# About 13 minutes; LOAD_ARGS=--quick for a 4-minute check.
LOAD_ARGS ?=
bench-load: setup train index
	nice -n 10 $(RASA_PY) benchmarks/load/run.py --out $(OUT) $(LOAD_ARGS)

clean:
	rm -rf models var/index var/run test-artifacts benchmarks/results
