# Thin verbs over the course's tools. Every verb sets up the environment first if needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8888
LAB_ARGS ?=
# JupyterLab refuses to run as root without this flag (containers and CI run as root).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
ASSIGNMENT ?=

.PHONY: help setup system-deps sandbox-deps lab test test-fast test-slow bench site app release check grade lint lock clean

help:
	@echo "make lab      set up (first time) and open JupyterLab on the course"
	@echo "make test     set up and run the whole test suite"
	@echo "make test-fast  the fast tier only: unit, property and in-process CLI tests (one to two minutes)"
	@echo "make bench    benchmarks (widgets, course execution, cohort, grading)"
	@echo "make site     static HTML of the course in _site/"
	@echo "make app      the case simulators as a Voila app on localhost"
	@echo "make release  regenerate assignments/ from solutions/ (nbgrader generate_assignment) [ASSIGNMENT=ps5]"
	@echo "make check    integrity check of the assignments before release [ASSIGNMENT=ps5]"
	@echo "make grade ASSIGNMENT=ps1  sandboxed, parallel grading of a whole class"

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || { echo "== creating $(VENV) with $(PYTHON) ($$($(PYTHON) -V 2>&1))"; \
	  $(PYTHON) -m venv $(VENV) || { echo "make setup: '$(PYTHON) -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 2; }; }
	@echo "== installing the locked dependencies into $(VENV) (a few minutes the first time)"
	$(BIN)/python -m pip install --progress-bar on --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -c requirements.lock -e '.[dev]'
	@echo "== registering the course kernel"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (osteonecrosis course)"
	@touch $(STAMP)
	@echo "== set-up done: $(VENV) ($$($(BIN)/python -V))"

setup: $(STAMP)
	@install -D -m 644 course/app/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@$(BIN)/python -m classroom validate-text $(VENV)

# Debian packages the real-browser, PostgreSQL and sandbox tests need (installed when we are root).
system-deps:
	@bash tools/system_deps.sh all

# Grading and benchmarks need only bubblewrap (the sandbox): never Chromium or PostgreSQL on a grading server.
sandbox-deps:
	@bash tools/system_deps.sh sandbox

lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) --notebook-dir=$(CURDIR) --ServerApp.default_url=/lab/tree/course/00_start_here.ipynb --port=$(PORT) $(LAB_ARGS)

# Tiers by cost (tests/conftest.py gives the marks): test-fast = unit, property and in-process CLI tests (no
# process, socket, server, browser, root, network; nothing written into the repository); test-slow = the rest.
# `make test` runs both, each test once. PYTEST_ARGS passes options through (e.g. PYTEST_ARGS=-x).
# They run on pytest-xdist workers: TEST_WORKERS for `make test` and the slow tier (default one more than cores:
# slow tests also wait on kernels, servers, browsers and installs; on 2 cores the slow tier took 886 s on 3
# workers against 1035 s on 2, the CPU idle 2.5% of the time), FAST_WORKERS for the fast tier (default one per
# core: it only computes); 0 runs in one process. Tests that share a unix account, a module's fixture or
# anything else of the machine run on one worker, one after the other (tests/conftest.py).
PYTEST_ARGS ?=
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
FAST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist loadgroup
XDIST_FAST := -n $(FAST_WORKERS) --dist loadgroup
# Test runs keep the bytecode of what they import (__pycache__/, git-ignored) even where the environment sets
# PYTHONDONTWRITEBYTECODE (the machines this course is built on do): the suite starts hundreds of Python processes (kernels, servers, the
# CLIs, nbgrader), and without it each one compiles every course and test module it imports again.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest
test: setup system-deps
	$(PYTEST) $(XDIST) $(PYTEST_ARGS)

test-fast: setup
	$(PYTEST) -m "not slow" $(XDIST_FAST) $(PYTEST_ARGS)

test-slow: setup system-deps
	$(PYTEST) -m slow $(XDIST) $(PYTEST_ARGS)

bench: setup sandbox-deps
	$(BIN)/python -m benchmarks

site: setup
	$(BIN)/python -m classroom site

app: setup
	$(BIN)/voila course/app/simulators.ipynb --port=$(PORT) --no-browser --strip_sources=True

# ASSIGNMENT=ps5 (optional): only that assignment
release: setup
	$(BIN)/python -m classroom release $(ASSIGNMENT)

check: setup
	$(BIN)/python -m classroom check $(ASSIGNMENT)
	$(BIN)/python -m classroom probe $(ASSIGNMENT)

grade:
	$(if $(ASSIGNMENT),,$(error make grade needs ASSIGNMENT=<id>, one of: $(notdir $(wildcard solutions/*))))
	@$(MAKE) --no-print-directory setup sandbox-deps
	$(BIN)/grade-class $(ASSIGNMENT)

lint: setup
	$(BIN)/ruff check course tests benchmarks tools

# Resolve on the oldest Python the course supports (Debian 12's 3.11.2), so the lock installs everywhere.
LOCK_PYTHON ?= /usr/bin/python3
lock:
	rm -rf /tmp/osteolock && $(LOCK_PYTHON) -m venv /tmp/osteolock && /tmp/osteolock/bin/pip install -e '.[dev]' \
	  && { echo "# Full resolved dependency set, used as pip constraints by the Makefile (regenerate: make lock)."; \
	       /tmp/osteolock/bin/pip freeze --all | grep -v -i -e '^-e' -e '^osteonecrosis' -e '^pip==' | sort -f; } > requirements.lock

clean:
	rm -rf $(VENV) _site .pytest_cache

# ---- Serving a class (tools/hub/, docs/hub.md) ----
# make student-release: the students' copy of the course (no solutions/, tests, tools or grader) in build/.
# make hub ROSTER=~/mronj-private/students.csv [INSTRUCTOR=instructor] [HUB_PORT=8000] [HUB_IP=127.0.0.1]
#   [HUB_PREFIX=/opt/osteonecrosis] [HUB_EXCHANGE=/usr/local/share/nbgrader/exchange]:
#   as root, set up unix accounts, the shared environment in HUB_PREFIX, the exchange, and start JupyterHub.
HUB_PREFIX ?= /opt/osteonecrosis
HUB_EXCHANGE ?= /usr/local/share/nbgrader/exchange
HUB_PORT ?= 8000
HUB_IP ?= 127.0.0.1
INSTRUCTOR ?= instructor
ROSTER ?=
.PHONY: hub student-release

student-release: setup
	$(BIN)/python -m classroom student-release

hub: setup
	$(if $(ROSTER),,$(error make hub needs ROSTER=<students.csv> (id,first_name,last_name,email[,password]), kept outside the repository))
	$(BIN)/python tools/hub/hub.py up --roster $(ROSTER) --instructor $(INSTRUCTOR) --prefix $(HUB_PREFIX) \
	  --exchange $(HUB_EXCHANGE) --ip $(HUB_IP) --port $(HUB_PORT)
