# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
EMULATOR_VENV := .venv-emulator
BIN := $(VENV)/bin

.PHONY: help install run test test-unit test-static test-integration test-browser test-terraform lint up down deploy-compose clean

help:
	@echo "make run    - install, start the embedded stack (MiniStack + OTLP receiver), deploy, print the API URL"
	@echo "make test   - install (Chromium too), then lint (ruff, mypy) and run unit, static, browser and integration tests"
	@echo "make up     - docker compose stack (emulator, Collector, Jaeger) + deploy to it (needs images)"
	@echo "make clean  - remove virtual environments and local state"

$(BIN)/pizza: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,ops]"
	@touch $@

# The emulator's own environment: MiniStack plus the Lambda run-time dependencies (the "layer").
$(EMULATOR_VENV)/.installed: pyproject.toml $(BIN)/pizza
	$(PYTHON) -m venv $(EMULATOR_VENV)
	$(EMULATOR_VENV)/bin/pip install --quiet --upgrade pip
	$(BIN)/python -m pizza_ops.requirements emulator > $(EMULATOR_VENV)/requirements.txt
	$(EMULATOR_VENV)/bin/pip install --quiet -r $(EMULATOR_VENV)/requirements.txt
	@touch $@

install: $(BIN)/pizza $(EMULATOR_VENV)/.installed

# The browser tests' Chromium is Debian's package: Playwright (a dev dependency) is pointed at it and
# never downloads a browser. Installed as root (CI), else through sudo when there is one.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	else echo "tests/browser need $(CHROMIUM): install Debian's chromium package as root" >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

run: install
	$(BIN)/pizza up

lint: install
	$(BIN)/ruff check services tools tests benchmarks
	$(BIN)/ruff format --check services tools tests benchmarks
	$(BIN)/mypy

test-unit: install
	$(BIN)/pytest tests/unit -q

test-static: install
	$(BIN)/pytest tests/static -q

test-integration: install
	$(BIN)/pytest tests/integration -q

# infra/terraform applied to a fresh embedded emulator (without its provider-6.25 override, the
# emulator adapter finishing what no provider expresses), the smoke subset below run against it,
# then `terraform destroy` and a check that nothing is left. The subset covers every message path:
# point-to-point with the outbox, the saga, publish/subscribe on both channels, passage-of-time
# schedules, claim checks, webhooks and WebSockets.
TERRAFORM_SMOKE := tests/integration/test_order_flow.py tests/integration/test_order_saga.py \
	tests/integration/test_order_events_fan_out.py tests/integration/test_kitchen_delivery_alerts.py \
	tests/integration/test_claim_check.py tests/integration/test_order_webhooks.py \
	tests/integration/test_order_websockets.py
test-terraform: install
	@command -v terraform >/dev/null || { echo "make test-terraform: terraform is not on PATH"; exit 1; }
	PIZZA_DEPLOY_WITH=terraform $(BIN)/pytest $(TERRAFORM_SMOKE) -q -p no:cacheprovider

test-browser: install $(CHROMIUM)
	$(BIN)/pytest tests/browser -q

# Everything, in one pytest run so the closing summary counts every test.
test: lint $(CHROMIUM)
	$(BIN)/pytest tests

# Docker stack: MiniStack (with the Lambda run-time dependencies), OpenTelemetry Collector, Jaeger.
# Traces: http://127.0.0.1:16686 (Jaeger UI), or `.venv/bin/pizza trace <orderId>`.
up: install
	mkdir -p build
	$(BIN)/python -m pizza_ops.requirements emulator > build/emulator-requirements.txt
	docker compose up -d --build --wait
	$(BIN)/pizza deploy --endpoint http://127.0.0.1:4566 --otlp-endpoint http://otel-collector:4318 \
		--trace-query-url http://127.0.0.1:16686

down:
	docker compose down

clean:
	rm -rf $(VENV) $(EMULATOR_VENV) .pizza build
