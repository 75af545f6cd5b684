# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
EMULATOR_VENV := .venv-emulator
BIN := $(VENV)/bin

.PHONY: help install asyncapi-parser run test test-unit test-static test-integration test-browser test-terraform lint up down clean \
	wheels docker-base terraform-check bench

help:
	@echo "make run    - install, start the embedded stack (MiniStack + OTLP receiver), deploy, print the API URL"
	@echo "make test   - install (Chromium and Graphviz too), then lint (ruff, mypy) and run unit, static, browser and integration tests"
	@echo "make up     - docker compose stack (emulator, Collector, Jaeger), deployed to; TELEMETRY=local: local stand-ins"
	@echo "make down   - stop the compose stack; make test-up: up (TELEMETRY=local), an order and its trace checked, down"
	@echo "make bench  - the performance suite on a fresh embedded stack: bench/report.md and its plots (about an hour on 2 cores)"
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

# The official AsyncAPI parser (npm, pinned by its lock file), which validates the event catalog:
# `make test` and `pizza catalog` need it, `make run` does not.
ASYNCAPI_PARSER := tools/asyncapi/node_modules/.installed
$(ASYNCAPI_PARSER): tools/asyncapi/package-lock.json
	@command -v npm >/dev/null || { echo "make install: the catalog's validator needs Node.js and npm (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --prefix tools/asyncapi --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@
asyncapi-parser: $(ASYNCAPI_PARSER)

install: $(BIN)/pizza $(EMULATOR_VENV)/.installed

# The browser tests' Chromium is Debian's package: Playwright (a dev dependency) is pointed at it and
# never downloads a browser. Installed as root (CI), else through sudo when there is one.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	else echo "tests/browser need $(CHROMIUM): install Debian's chromium package as root" >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# `pizza diagram` (and its test) lay the picture out with Graphviz's dot: Debian's graphviz package.
DOT := /usr/bin/dot
$(DOT):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	else echo "pizza diagram needs $(DOT): install Debian's graphviz package as root" >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz

run: install
	$(BIN)/pizza up

# Figures, not a test: the bare chain, both workflows at 5-40 orders/s and 30/s for 60 s, CPU per
# order, the outbox relay, cold imports, and the last commit before the performance work measured
# the same way (BENCH_OPTIONS="--baseline-ref ''" to skip it; --help lists the rest). The README's
# figures: BENCH_OPTIONS="--saga-rates 5,10,20 --drain-timeout 60". See benchmarks/suite.py.
bench: install
	cd benchmarks && ../$(BIN)/python suite.py $(BENCH_OPTIONS)

lint: install
	$(BIN)/ruff check services tools tests benchmarks
	$(BIN)/ruff format --check services tools tests benchmarks
	$(BIN)/mypy

test-unit: install
	$(BIN)/pytest tests/unit -q

test-static: install $(DOT) $(ASYNCAPI_PARSER)
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
test-terraform: terraform-check
	PIZZA_DEPLOY_WITH=terraform $(BIN)/pytest $(TERRAFORM_SMOKE) -q -p no:cacheprovider

# Formatting, `terraform validate` (on a copy without the provider-6.25 override file, which the
# provider here cannot read) and checkov (every accepted finding in infra/terraform/.checkov.yaml).
TF_PLUGIN_DIR ?= $(or $(PIZZA_TF_PLUGIN_DIR),/opt/tf-plugins)
TF_CHECK_DIR := build/terraform-check
CHECKOV := .venv-checkov/bin/checkov
$(CHECKOV): pyproject.toml $(BIN)/pizza
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet $$($(BIN)/python -m pizza_ops.requirements iac-scan --only)
	@touch $@
terraform-check: install $(CHECKOV)
	@command -v terraform >/dev/null || { echo "make terraform-check: terraform is not on PATH"; exit 1; }
	terraform fmt -check -recursive -diff infra/terraform
	rm -rf $(TF_CHECK_DIR) && mkdir -p $(TF_CHECK_DIR)
	tar -C infra/terraform --exclude='*_override.tf' --exclude='.terraform*' --exclude='*.tfstate*' -cf - . \
		| tar -C $(TF_CHECK_DIR) -xf -
	terraform -chdir=$(TF_CHECK_DIR) init -backend=false -input=false -no-color \
		$(if $(wildcard $(TF_PLUGIN_DIR)/registry.terraform.io),-plugin-dir=$(abspath $(TF_PLUGIN_DIR))) >/dev/null
	terraform -chdir=$(TF_CHECK_DIR) validate -no-color
	$(CHECKOV) --config-file infra/terraform/.checkov.yaml

# --- Images. Every image builds FROM a local Debian base (no registry is reachable on CI), offline,
# from the repository root with the wheels downloaded here on the host.
DEBIAN_BASE := pizza/debian-python:bookworm
WHEELS := build/wheels/.complete
$(WHEELS): pyproject.toml $(BIN)/pizza
	mkdir -p build/requirements build/wheels
	$(BIN)/python -m pizza_ops.requirements runtime > build/requirements/runtime.txt
	$(BIN)/python -m pizza_ops.requirements emulator > build/requirements/emulator.txt
	$(BIN)/python -m pizza_ops.requirements lambda-image --only > build/requirements/lambda-image.txt
	$(BIN)/pip wheel --quiet --wheel-dir build/wheels -r build/requirements/emulator.txt \
		-r build/requirements/lambda-image.txt
	@touch $@
wheels: $(WHEELS)

# debootstrap needs root: CI runs as root; on a laptop, `sudo infra/docker/debian-base.sh` once.
docker-base:
	@docker image inspect $(DEBIAN_BASE) >/dev/null 2>&1 || infra/docker/debian-base.sh $(DEBIAN_BASE)

# MiniStack at pyproject's pinned version, with the Lambda run-time dependencies, in an image: the
# emulator of the testcontainers fixture (tests/emulator_container.py). Docker's layer cache makes
# a rebuild with nothing changed take seconds.
MINISTACK_VERSION := $(shell sed -n 's/.*"ministack==\([^"]*\)".*/\1/p' pyproject.toml)
EMULATOR_IMAGE := pizza/ministack:$(MINISTACK_VERSION)
.PHONY: emulator-image test-container
emulator-image: docker-base wheels
	docker build --quiet -f infra/docker/emulator.Dockerfile --build-arg BASE_IMAGE=$(DEBIAN_BASE) \
		-t $(EMULATOR_IMAGE) .

# The integration suite once more, with MiniStack in that image, started by testcontainers.
test-container: emulator-image install
	PIZZA_EMULATOR=container PIZZA_EMULATOR_IMAGE=$(EMULATOR_IMAGE) $(BIN)/pytest tests/integration -q -p no:cacheprovider

# The AWS Lambda Python base's contract (the runtime interface client as entry point) on that base.
.PHONY: lambda-base images test-images
LAMBDA_BASE := pizza/lambda-python:3.11
lambda-base: docker-base wheels
	docker build --quiet -f infra/docker/lambda-base.Dockerfile --build-arg DEBIAN_BASE=$(DEBIAN_BASE) \
		-t $(LAMBDA_BASE) .

# One image per service package (infra/docker/lambda.Dockerfile), each with only the dependencies its
# code imports; prints each image's size and build time. On a laptop, for AWS's own base and PyPI:
#   make images IMAGE_BASE=public.ecr.aws/lambda/python:3.12 IMAGE_OPTIONS=--from-pypi
IMAGE_BASE ?= $(LAMBDA_BASE)
IMAGE_OPTIONS ?=
images: wheels $(if $(filter $(LAMBDA_BASE),$(IMAGE_BASE)),lambda-base)
	$(BIN)/python -m pizza_ops.images build --base-image $(IMAGE_BASE) $(IMAGE_OPTIONS)

# Each function's image run as a Lambda: its runtime interface client against a Runtime API the test
# serves, with a real event of its trigger, and the handler's real answer checked.
test-images: images
	$(BIN)/pytest tests/images -q

test-browser: install $(CHROMIUM)
	$(BIN)/pytest tests/browser -q

# Everything: the Python suites in one pytest run, then each stage that needs Terraform or Docker
# (tools/make/stage.sh runs it, or says in one line why it cannot; under CI=true it must run).
STAGE := tools/make/stage.sh
test: lint $(CHROMIUM) $(DOT) $(ASYNCAPI_PARSER)
	@$(STAGE) --reset
	$(BIN)/pytest tests/unit tests/static tests/browser tests/integration
	@$(STAGE) terraform terraform -- $(MAKE) --no-print-directory test-terraform
	@$(STAGE) images docker base-image -- $(MAKE) --no-print-directory test-images
	@$(STAGE) container docker base-image -- $(MAKE) --no-print-directory test-container
	@$(STAGE) compose docker compose base-image -- $(MAKE) --no-print-directory test-up
	@$(STAGE) --summary

# Docker stack (docker-compose.yml): MiniStack with the Lambda run-time dependencies, the
# OpenTelemetry Collector and Jaeger, deployed to. TELEMETRY=local swaps the last two for stand-ins
# built here (docker-compose.local-telemetry.yml: Rotel and the project's trace store), as CI must.
# tools/make/compose.sh checks the prerequisites first (one line each), picks `docker compose` or
# docker-compose 1.x, and waits for health itself (docker-compose 1.x has no `up --wait`).
TELEMETRY ?=
STATE_DIR ?= .pizza
COMPOSE := TELEMETRY=$(TELEMETRY) tools/make/compose.sh
LOCAL_TELEMETRY_WHEELS := build/wheels/.local-telemetry
.PHONY: local-telemetry-wheels test-up

# The trace store image's packages (pinned in pyproject.toml), Rotel's wheel and the Debian package
# of the library rotel-agent needs, for offline builds.
$(LOCAL_TELEMETRY_WHEELS): pyproject.toml infra/docker/rotel-collector.requirements.txt $(BIN)/pizza
	mkdir -p build/requirements build/wheels
	$(BIN)/python -m pizza_ops.requirements ops | grep -E '^(httpx|opentelemetry-proto|protobuf|cloudevents)[=<>]' \
		> build/requirements/trace-store.txt
	$(BIN)/pip wheel --quiet --wheel-dir build/wheels -r build/requirements/trace-store.txt
	$(BIN)/pip download --quiet --no-deps --only-binary :all: --dest build/wheels \
		-r infra/docker/rotel-collector.requirements.txt
	@# rotel-agent links libpython3.11, which the base image's python3 does not ship: Debian's own.
	@command -v apt-get >/dev/null || { echo "make local-telemetry-wheels: apt-get is missing (a Debian-like host is needed)" >&2; exit 1; }
	rm -rf build/debs && mkdir -p build/debs
	cd build/debs && apt-get download -qq libpython3.11
	@touch $@
local-telemetry-wheels: $(LOCAL_TELEMETRY_WHEELS)

up: install
	@$(COMPOSE) check
	@set -e; start=$$SECONDS; \
	$(MAKE) --no-print-directory emulator-image $(if $(filter local,$(TELEMETRY)),local-telemetry-wheels); \
	$(if $(filter local,$(TELEMETRY)),$(COMPOSE) run build --quiet otel-collector jaeger;) \
	$(COMPOSE) pull; built=$$SECONDS; $(COMPOSE) run up --detach --no-build; $(COMPOSE) wait 120; \
	started=$$SECONDS; \
	$(BIN)/pizza --state-dir $(STATE_DIR) deploy --endpoint http://127.0.0.1:4566 \
		--otlp-endpoint http://otel-collector:4318 --trace-query-url http://127.0.0.1:16686; \
	echo "Timings: build $$((built - start)) s, start and health $$((started - built)) s, deploy $$((SECONDS - started)) s"; \
	echo "AWS emulator (MiniStack):  http://127.0.0.1:4566"; \
	echo "OTLP (the Collector):      http://127.0.0.1:4318 (HTTP), 127.0.0.1:4317 (gRPC)"; \
	echo "Traces:                    http://127.0.0.1:16686 ($(if $(filter local,$(TELEMETRY)),the trace store's Jaeger query API,Jaeger UI))"; \
	echo "                           $(BIN)/pizza --state-dir $(STATE_DIR) trace <orderId>"; \
	echo "Live order page:           only in the embedded stack (make run)"; \
	echo "make down stops it."

down:
	@tools/make/compose.sh down

# CI's run of `make up`: with the local stand-ins, an order placed through the deployed API and its
# trace checked through the Collector (tests/compose), then `make down`, on failure too, and a check
# that nothing is left.
TEST_UP_STATE_DIR := build/compose-state
test-up: install
	@status=0; start=$$SECONDS; \
	$(MAKE) --no-print-directory up TELEMETRY=local STATE_DIR=$(TEST_UP_STATE_DIR) || status=$$?; \
	up=$$SECONDS; \
	if [ $$status = 0 ]; then \
		PIZZA_COMPOSE_STATE_DIR=$(TEST_UP_STATE_DIR) $(BIN)/pytest tests/compose -q -p no:cacheprovider || status=$$?; \
	fi; \
	if [ $$status != 0 ]; then TELEMETRY=local tools/make/compose.sh run logs --no-color --tail 30 || true; fi; \
	tested=$$SECONDS; \
	TELEMETRY=local tools/make/compose.sh down || status=1; \
	echo "make test-up: up $$((up - start)) s, test $$((tested - up)) s, down $$((SECONDS - tested)) s"; \
	exit $$status

clean:
	rm -rf $(VENV) $(EMULATOR_VENV) .venv-checkov .pizza build tools/asyncapi/node_modules
