# MiniStack plus the Lambda run-time dependencies: the emulator of `make up` (docker compose) and of
# the testcontainers fixture (PIZZA_EMULATOR=container).
#
# MiniStack runs Python Lambdas as local worker processes on its own interpreter, so the packages
# installed here play the part of the functions' layer, exactly as .venv-emulator does for the
# embedded stack. Each zip still carries only the service's own code. MiniStack comes from PyPI at
# the project's pinned version (pyproject's `emulator` extra), like everything else here.
#
# BASE_IMAGE is any Debian-like image with python3 and its venv module: the local base
# (infra/docker/debian-base.sh; no registry is reachable on CI) by default, or e.g.
# python:3.11-slim-bookworm on a laptop. Context: the repository root, after `make wheels`.
ARG BASE_IMAGE=pizza/debian-python:bookworm

# The environment is built in a stage of its own, so the wheelhouse it installs from stays out of
# the image's layers (about 28 MB).
FROM ${BASE_IMAGE} AS environment
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# Offline: the wheels were downloaded on the host (make wheels), so the build needs no network.
COPY build/requirements/emulator.txt /tmp/emulator-requirements.txt
COPY build/wheels /tmp/wheels
RUN python3 -m venv /opt/ministack \
    && /opt/ministack/bin/pip install --no-index --find-links /tmp/wheels -r /tmp/emulator-requirements.txt

FROM ${BASE_IMAGE}
ENV PATH=/opt/ministack/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONDONTWRITEBYTECODE=1
COPY --from=environment /opt/ministack /opt/ministack
# MiniStack with fixes for its durable-function defects (the same start-up the embedded stack uses;
# see that script).
COPY tools/pizza_ops/deploy/ministack_with_fixes.py /opt/pizza/ministack_with_fixes.py
# Its one sibling module (fix 9's pure part), imported from the script's own folder.
COPY tools/pizza_ops/deploy/durable_backend_retries.py /opt/pizza/durable_backend_retries.py
# The same settings the embedded stack starts MiniStack with (pizza_ops.deploy.emulator): IAM
# enforced, as on AWS. GATEWAY_PORT and BIND_HOST can be overridden at `docker run`.
ENV GATEWAY_PORT=4566 BIND_HOST=0.0.0.0 AUTH=true LOG_LEVEL=WARNING
EXPOSE 4566
WORKDIR /var/lib/ministack
CMD ["python", "/opt/pizza/ministack_with_fixes.py"]
