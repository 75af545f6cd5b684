# The OpenTelemetry Collector's stand-in where its image cannot be had (no registry reachable on CI):
# Rotel's `rotel-agent`, an OTLP receiver (gRPC 4317, HTTP 4318) with an OTLP exporter, taken from
# its PyPI wheel. docker-compose.local-telemetry.yml gives its command line (the exporter's endpoint).
#
# Context: the repository root, after `make local-telemetry-wheels` put the wheel in build/wheels and
# Debian's libpython3.11 package in build/debs: rotel-agent links libpython3.11.so (for its optional
# Python processors), which the base's python3 does not ship. BASE_IMAGE: the local Debian bookworm
# base (infra/docker/debian-base.sh); the binary needs glibc >= 2.34.
ARG BASE_IMAGE=pizza/debian-python:bookworm
FROM ${BASE_IMAGE} AS wheel
COPY infra/docker/rotel-collector.requirements.txt /tmp/requirements.txt
COPY build/wheels/rotel-*.whl /tmp/wheels/
COPY build/debs/libpython3.11_*.deb /tmp/debs/
# Offline, and only the pinned version: a stale wheel of another version makes this fail.
RUN python3 -m pip install --quiet --no-index --no-deps --find-links /tmp/wheels --target /opt/rotel \
        -r /tmp/requirements.txt \
    && chmod 0755 /opt/rotel/rotel/rotel-agent \
    && dpkg-deb --extract /tmp/debs/libpython3.11_*.deb /opt/libpython

# Only the binary and its library: the Python wrapper around it and the wheel are not needed.
FROM ${BASE_IMAGE}
COPY --from=wheel /opt/rotel/rotel/rotel-agent /usr/local/bin/rotel-agent
COPY --from=wheel /opt/libpython/usr/lib/ /usr/lib/
RUN rotel-agent --version \
    && useradd --system --no-create-home rotel
USER rotel
EXPOSE 4317 4318
ENTRYPOINT ["rotel-agent", "start"]
CMD ["--otlp-grpc-endpoint", "0.0.0.0:4317", "--otlp-http-endpoint", "0.0.0.0:4318"]
