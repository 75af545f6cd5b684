# The AWS Lambda Python base image's contract, rebuilt on the local Debian base, for machines that
# cannot pull public.ecr.aws/lambda/python (no registry is reachable on the CI machines):
#   - the function's code and packages in ${LAMBDA_TASK_ROOT} (/var/task), on the import path;
#   - `python` and `pip` on PATH (a virtual environment at /var/lang, where AWS keeps its Python);
#   - the entry point is the runtime interface client (awslambdaric), the same client AWS's image
#     starts, and the command is the handler, e.g. CMD ["kitchen_service.wiring.order_handler"].
# What it leaves out is the Runtime Interface Emulator: run it behind a Runtime API (Lambda's own,
# or the one tests/images serves), not as a stand-alone HTTP server.
#
#   make lambda-base     (docker build -f infra/docker/lambda-base.Dockerfile -t pizza/lambda-python:3.11 .)
#
# Context: the repository root, after `make wheels` (.dockerignore lets in only what images use).
ARG DEBIAN_BASE=pizza/debian-python:bookworm

# The virtual environment is made in a stage of its own, so the wheelhouse is no layer of the image.
FROM ${DEBIAN_BASE} AS runtime-interface-client
COPY build/requirements/lambda-image.txt /tmp/lambda-image.txt
COPY build/wheels /tmp/wheels
RUN python3 -m venv /var/lang \
    && /var/lang/bin/pip install --no-cache-dir --disable-pip-version-check --no-index \
        --find-links /tmp/wheels -r /tmp/lambda-image.txt

FROM ${DEBIAN_BASE}
ENV LAMBDA_TASK_ROOT=/var/task \
    LAMBDA_RUNTIME_DIR=/var/runtime \
    PATH=/var/lang/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONPATH=/var/task \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
COPY --from=runtime-interface-client /var/lang /var/lang
RUN mkdir -p /var/task /var/runtime
WORKDIR /var/task
ENTRYPOINT ["/var/lang/bin/python", "-m", "awslambdaric"]
