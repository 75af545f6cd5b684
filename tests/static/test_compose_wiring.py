"""docker-compose.yml and otel-collector.yaml agree on names and ports.

A trace leaves a Lambda in the emulator for the Collector's OTLP/HTTP receiver, and the Collector
forwards it to Jaeger; each hop is a service name and a port written in one file and listened on
in another, so each is checked here.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import yaml

from pizza_ops.repository import Repository

EMULATORS = ("ministack", "localstack")
_REQUIRED_VARIABLE = re.compile(r"\$\{\w+:?\?")


@cache
def _compose() -> dict[str, Any]:
    return yaml.safe_load((Repository.find().root / "docker-compose.yml").read_text(encoding="utf-8"))


@cache
def _collector() -> dict[str, Any]:
    return yaml.safe_load((Repository.find().root / "otel-collector.yaml").read_text(encoding="utf-8"))


def _service(name: str) -> dict[str, Any]:
    return _compose()["services"][name]


def _published_container_ports(service: dict[str, Any]) -> set[int]:
    """Container ports of short-syntax mappings: "4318", "4318:4318", "127.0.0.1:4318:4318"."""
    return {int(str(mapping).split("/")[0].rsplit(":", 1)[-1]) for mapping in service.get("ports", [])}


def _listening_ports(service: dict[str, Any]) -> set[int]:
    return _published_container_ports(service) | {int(port) for port in service.get("expose", [])}


def _port(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[-1])


def _collector_receiver_port(protocol: str) -> int:
    return _port(_collector()["receivers"]["otlp"]["protocols"][protocol]["endpoint"])


def test_collector_publishes_both_otlp_receivers() -> None:
    # Given the Collector's OTLP receivers
    grpc, http = _collector_receiver_port("grpc"), _collector_receiver_port("http")

    # Then the compose service publishes both ports and mounts this configuration
    assert (grpc, http) == (4317, 4318)
    collector = _service("otel-collector")
    assert {grpc, http} <= _published_container_ports(collector)
    assert any(str(volume).startswith("./otel-collector.yaml:") for volume in collector["volumes"])
    # And the receivers listen beyond the container's loopback
    for protocol in ("grpc", "http"):
        assert _collector()["receivers"]["otlp"]["protocols"][protocol]["endpoint"].startswith("0.0.0.0:")


def test_emulators_send_lambda_traces_to_the_collectors_http_receiver() -> None:
    for name in EMULATORS:
        # Given an emulator's OTLP endpoint
        endpoint = urlsplit(_service(name)["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"])

        # Then it names the Collector service and its OTLP/HTTP port
        assert endpoint.scheme == "http"
        assert endpoint.hostname == "otel-collector", name
        assert endpoint.port == _collector_receiver_port("http"), name


def test_emulators_put_lambda_containers_on_the_compose_network() -> None:
    # Given the compose network's fixed name
    network = _compose()["networks"]["default"]["name"]

    # Then both emulators start Lambda containers on it, where the Collector is reachable by name
    assert _service("ministack")["environment"]["DOCKER_NETWORK"] == network
    assert _service("localstack")["environment"]["LAMBDA_DOCKER_NETWORK"] == network


def test_collector_exports_to_a_port_jaeger_listens_on() -> None:
    # Given the Collector's Jaeger exporter
    exporter = _collector()["exporters"]["otlp/jaeger"]
    host, port = exporter["endpoint"].rsplit(":", 1)

    # Then it names the Jaeger service and a port Jaeger listens on, in plain text inside the network
    assert host == "jaeger"
    assert int(port) in _listening_ports(_service("jaeger"))
    assert exporter["tls"]["insecure"] is True


def test_jaeger_ui_is_published() -> None:
    # Given the Jaeger service
    jaeger = _service("jaeger")

    # Then its UI port is reachable from the host
    assert 16686 in _published_container_ports(jaeger)


def test_traces_pipeline_uses_only_defined_components() -> None:
    # Given the traces pipeline
    collector = _collector()
    pipeline = collector["service"]["pipelines"]["traces"]

    # Then every receiver, processor and exporter it names is defined, and Jaeger is among them
    assert set(pipeline["receivers"]) <= set(collector["receivers"])
    assert set(pipeline.get("processors", [])) <= set(collector.get("processors") or {})
    assert set(pipeline["exporters"]) <= set(collector["exporters"])
    assert "otlp/jaeger" in pipeline["exporters"]
    assert "batch" in pipeline["processors"]


def test_localstack_is_opt_in_and_reads_its_auth_token_from_the_environment() -> None:
    # Given the two emulators
    ministack, localstack = _service("ministack"), _service("localstack")

    # Then MiniStack starts by default and LocalStack only with the localstack profile
    assert "profiles" not in ministack
    assert localstack["profiles"] == ["localstack"]
    # And LocalStack takes LOCALSTACK_AUTH_TOKEN from the host environment
    assert localstack["environment"]["LOCALSTACK_AUTH_TOKEN"] == "${LOCALSTACK_AUTH_TOKEN:-}"
    # And both use port 4566, which is why only one of them runs at a time
    assert 4566 in _published_container_ports(ministack) & _published_container_ports(localstack)


def test_no_required_variable_can_stop_the_default_stack() -> None:
    # Given the compose file as text (Compose interpolates every service before applying profiles)
    text = (Repository.find().root / "docker-compose.yml").read_text(encoding="utf-8")
    uncommented = "\n".join(line.split("#", 1)[0] for line in text.splitlines())

    # Then no ${VAR:?...} is used: a plain `docker compose up` needs no LocalStack token
    assert not _REQUIRED_VARIABLE.search(uncommented)


def test_images_are_pinned() -> None:
    for name, service in _compose()["services"].items():
        # Given a service's image reference
        image = service["image"]

        # Then it names a version, not a moving tag
        tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else ""
        assert tag and tag not in {"latest", "stable"}, name


def test_ministack_enforces_iam_in_compose_as_in_the_embedded_stack() -> None:
    # Given the compose MiniStack and the embedded one (pizza_ops.deploy.emulator)
    embedded = (Repository.find().root / "tools" / "pizza_ops" / "deploy" / "emulator.py").read_text(encoding="utf-8")

    # Then both run with AUTH=true, so least-privilege policies are enforced locally as on AWS
    assert _service("ministack")["environment"]["AUTH"] == "true"
    assert 'AUTH="true"' in embedded


# --- docker-compose.local-telemetry.yml: the stand-ins `make test-up` runs where the Collector and
# Jaeger images cannot be had. They must slot in under the same names and ports.
OVERRIDE = "docker-compose.local-telemetry.yml"
REPLACED = {"otel-collector", "jaeger"}
_OPTION = re.compile(r"--([\w-]+)=(\S+)")
_COPY = re.compile(r"^COPY\s+(?!--from)(.+?)\s+\S+$", re.MULTILINE)


@cache
def _override() -> dict[str, Any]:
    return yaml.safe_load((Repository.find().root / OVERRIDE).read_text(encoding="utf-8"))


def _override_service(name: str) -> dict[str, Any]:
    return _override()["services"][name]


def _collector_options() -> dict[str, str]:
    return dict(_OPTION.findall(" ".join(_override_service("otel-collector")["command"])))


def _dockerfile(service: dict[str, Any]) -> str:
    return (Repository.find().root / service["build"]["dockerfile"]).read_text(encoding="utf-8")


def _trace_store_command() -> list[str]:
    cmd = next(line for line in _dockerfile(_override_service("jaeger")).splitlines() if line.startswith("CMD "))
    return list(yaml.safe_load(cmd.removeprefix("CMD ")))


def test_the_override_replaces_only_the_collector_and_jaeger_keeping_their_ports() -> None:
    # Given the override's services
    services = _override()["services"]

    # Then it replaces exactly the two images that cannot be had here, each by a local build
    assert set(services) == REPLACED
    for name in REPLACED:
        assert services[name]["build"]["context"] == "."
        assert (Repository.find().root / services[name]["build"]["dockerfile"]).is_file()
        # And leaves the published ports as docker-compose.yml has them (Compose would add to them)
        assert "ports" not in services[name], name


def test_the_local_collector_receives_on_the_ports_the_compose_file_publishes() -> None:
    # Given the local Collector's receivers
    options = _collector_options()

    # Then they listen beyond the container's loopback on the real Collector's ports
    assert options["otlp-grpc-endpoint"] == f"0.0.0.0:{_collector_receiver_port('grpc')}"
    assert options["otlp-http-endpoint"] == f"0.0.0.0:{_collector_receiver_port('http')}"


def test_the_local_collector_exports_to_a_port_the_trace_store_listens_on() -> None:
    # Given the local Collector's exporter and the trace store's command line
    options = _collector_options()
    endpoint = urlsplit(options["otlp-exporter-endpoint"])
    store = _trace_store_command()

    # Then it sends OTLP/HTTP to the jaeger service, on the port the trace store takes OTLP on
    assert options["exporter"] == "otlp" and options["otlp-exporter-protocol"] == "http"
    assert endpoint.hostname == "jaeger"
    assert endpoint.port == int(store[store.index("--otlp-port") + 1])
    assert endpoint.port in {int(port) for port in _override_service("jaeger")["expose"]}


def test_the_trace_store_serves_its_query_api_where_jaeger_publishes_its_ui() -> None:
    # Given the trace store's command line
    store = _trace_store_command()

    # Then its query port is Jaeger's published one, on every interface of the container
    assert int(store[store.index("--port") + 1]) in _published_container_ports(_service("jaeger"))
    assert store[store.index("--host") + 1] == "0.0.0.0"


def test_images_copy_only_what_the_build_context_admits() -> None:
    # Given the build context's allow-list (.dockerignore: everything excluded, then some paths let in)
    root = Repository.find().root
    allowed = [
        line.removeprefix("!").rstrip("/")
        for line in (root / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    ]
    services = [*_compose()["services"].values(), *_override()["services"].values()]

    for service in (s for s in services if "build" in s):
        for sources in _COPY.findall(_dockerfile(service)):
            for source in sources.split():
                # Then every file an image copies is let into the context
                assert any(source == path or source.startswith(path + "/") for path in allowed), source


def test_the_compose_file_runs_under_docker_compose_1() -> None:
    # Given the compose file CI runs with Debian's docker-compose 1.29
    # Then it has no top-level `name`, which 1.x rejects (`make up` passes `-p pizza` instead)
    assert "name" not in _compose()
    assert "name" not in _override()


def test_make_up_deploys_lambdas_to_the_collector_the_emulator_names() -> None:
    # Given the deployment `make up` runs
    makefile = (Repository.find().root / "Makefile").read_text(encoding="utf-8")

    # Then its functions export to the same Collector endpoint as the emulator's own setting
    endpoint = _service("ministack")["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
    assert f"--otlp-endpoint {endpoint}" in makefile
