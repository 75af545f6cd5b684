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
