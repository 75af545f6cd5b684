# Jaeger's stand-in where its image cannot be had (no registry reachable on CI): the project's own
# trace store (pizza_ops.telemetry), OTLP/HTTP in on 4318 and the Jaeger query API on 16686, the
# API that `pizza trace --query-url` and `pizza consumers` read from a real Jaeger too.
#
# Context: the repository root, after `make local-telemetry-wheels` wrote
# build/requirements/trace-store.txt (pinned from pyproject.toml) and its wheels.
ARG BASE_IMAGE=pizza/debian-python:bookworm
FROM ${BASE_IMAGE} AS packages
COPY build/requirements/trace-store.txt /tmp/requirements.txt
COPY build/wheels /tmp/wheels
RUN python3 -m venv /opt/trace-store \
    && /opt/trace-store/bin/pip install --quiet --no-index --find-links /tmp/wheels -r /tmp/requirements.txt

# The installed packages without the wheelhouse, and only the code the telemetry package imports.
FROM ${BASE_IMAGE}
COPY --from=packages /opt/trace-store /opt/trace-store
COPY services/integration_patterns /opt/pizza/services/integration_patterns
COPY services/pizza_contracts /opt/pizza/services/pizza_contracts
COPY tools/pizza_ops/__init__.py tools/pizza_ops/trace_store_options.py /opt/pizza/tools/pizza_ops/
COPY tools/pizza_ops/live_page /opt/pizza/tools/pizza_ops/live_page
COPY tools/pizza_ops/telemetry /opt/pizza/tools/pizza_ops/telemetry
ENV PATH=/opt/trace-store/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONPATH=/opt/pizza/services:/opt/pizza/tools \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN useradd --system --no-create-home tracestore
USER tracestore
EXPOSE 4318 16686
HEALTHCHECK --interval=2s --timeout=2s --retries=15 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:16686/health', timeout=1)"]
CMD ["python", "-m", "pizza_ops.telemetry", "--host", "0.0.0.0", "--port", "16686", "--otlp-port", "4318"]
