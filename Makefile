# The README's two commands: `make run` (everything up, with sample data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install tools run up down status logs sample lint test test-unit test-integration test-e2e test-faults test-slow test-cluster clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests use, each installed when its command is missing: wrk (a C load generator) drives the
# bench's single-command load, which the e2e suite smoke-tests; chromium and chromium-driver run the console's
# browser tests headless.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
TOOL_PACKAGES := wrk:wrk chromium:chromium chromedriver:chromium-driver
tools:
	@missing=$$(for pair in $(TOOL_PACKAGES); do command -v $${pair%%:*} >/dev/null || echo $${pair#*:}; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

run: install
	$(BIN)/orderflow run

up: install
	$(BIN)/orderflow up

# Stops the system and the tests' stack.
down:
	@if [ -x $(BIN)/orderflow ]; then $(BIN)/orderflow down && ORDERFLOW_PROFILE=test $(BIN)/orderflow down; \
	else echo "nothing installed, nothing running"; fi

status logs: install
	$(BIN)/orderflow $@

sample: install
	$(BIN)/orderflow sample

# Lint gate: ruff over the whole tree, mypy over the runtime packages (strict on schemas/ and domain/); rules in
# pyproject.toml.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# The tests run a stack of their own (the launcher's test profile: its own data folder and ports), so a system that
# `make run` started is left as it is, and they work whether one runs or not.
test test-unit test-integration test-e2e test-faults test-slow: export ORDERFLOW_PROFILE = test

test: install tools
	$(BIN)/orderflow up
	$(BIN)/pytest -m "not slow" --durations=30 tests

test-unit: install
	$(BIN)/pytest tests/unit

test-integration test-e2e: install tools
	$(BIN)/orderflow up
	$(BIN)/pytest tests/$(subst test-,,$@)

# Every fault-injection test, the long runs (marked slow, left out of `make test`) included.
FAULT_TESTS := tests/faults tests/e2e/test_worker_crash.py tests/e2e/test_elasticsearch_outage.py tests/e2e/test_deadletter.py

test-faults: install tools
	$(BIN)/orderflow up
	$(BIN)/pytest $(FAULT_TESTS)

# Every test marked slow: the long fault-injection runs and 500 generated requests per API operation.
test-slow: install tools
	$(BIN)/orderflow up
	$(BIN)/pytest -m slow tests

# The local cluster's fault test (marked slow) on a stack of its own: three brokers and two Elasticsearch nodes, in
# a data folder of their own and on ports 2xxxx (the system's are 9xxx/8xxx/6xxx, the tests' stack's 1xxxx), stopped
# at the end. Broker i listens on 29092 + 10·i, node j on 29200 + j (README: Local clusters).
CLUSTER_DATA_DIR ?= $(if $(SUDO),$(HOME)/.local/state/orderflow-cluster,/var/lib/orderflow-cluster)
CLUSTER_ENV := ORDERFLOW_DATA_DIR=$(CLUSTER_DATA_DIR) ORDERFLOW_KAFKA_BROKERS=3 ORDERFLOW_ELASTICSEARCH_NODES=2 \
	ORDERFLOW_KAFKA_PORT=29092 ORDERFLOW_KAFKA_CONTROLLER_PORT=29093 ORDERFLOW_ELASTICSEARCH_PORT=29200 \
	ORDERFLOW_COMMAND_API_PORT=28000 ORDERFLOW_QUERY_API_PORT=28001 ORDERFLOW_WORKER_WEB_PORT=26066 \
	ORDERFLOW_KAFKA_HEAP=256m ORDERFLOW_ELASTICSEARCH_HEAP=512m

test-cluster: install
	env $(CLUSTER_ENV) $(BIN)/orderflow up
	env $(CLUSTER_ENV) $(BIN)/pytest -s -m slow tests/cluster; status=$$?; env $(CLUSTER_ENV) $(BIN)/orderflow down; \
		exit $$status

# Benchmarks: every scenario against the running system.
bench: install tools
	$(BIN)/orderflow up
	$(BIN)/orderflow bench all $(BENCH_ARGS)
