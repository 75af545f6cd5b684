# One Lambda container image per service package; `make images` builds them all
# (pizza_ops.images build), for AWS (Terraform's lambda_package_type=Image) and for tests/images.
#
# BASE_IMAGE: AWS's Lambda Python base by default; here the same contract built on a local Debian
# base (infra/docker/lambda-base.Dockerfile: awslambdaric as entry point), as no registry can be
# reached. Context: the repository root (.dockerignore lets in sources and build/ only), with
#   build/requirements/<SERVICE>.txt   only the distributions the image's code imports, pinned
#                                      (python -m pizza_ops.images requirements <SERVICE>)
#   build/requirements/runtime.txt     pyproject's whole pinned list, as constraints
#   build/wheels                       the host's wheelhouse (make wheels)
# PIP_SOURCE installs offline from that wheelhouse; set it empty to install from PyPI (a laptop
# with AWS's base, whose Python need not match the host's wheels).
#
# The image holds the same source trees as the service's zip (pizza_ops.deploy.zips): the shared
# pattern library, the published contracts, the service package, and the other services' packages
# its functions call in-process (WITH_PACKAGES: infra/system.yaml's with_packages of its functions).
#
# The command is the handler. Docker expands no build argument in CMD, so pizza_ops.images appends
# `CMD ["<HANDLER>"]` when it builds (the service's first function; labelled below too); Terraform
# sets each function's own (image_config.command), so one image serves every function of a service.
ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.12

# Dependencies in a stage of their own: the wheelhouse and requirement lists are no layer of the image.
FROM ${BASE_IMAGE} AS dependencies
ARG SERVICE
ARG PIP_SOURCE="--no-index --find-links /tmp/wheels"
COPY build/requirements/runtime.txt build/requirements/${SERVICE}.txt /tmp/requirements/
COPY build/wheels /tmp/wheels
RUN python -m pip install --no-cache-dir --disable-pip-version-check ${PIP_SOURCE} --target /opt/dependencies \
        -r /tmp/requirements/${SERVICE}.txt -c /tmp/requirements/runtime.txt

FROM ${BASE_IMAGE} AS sources
ARG WITH_PACKAGES=""
# COPY takes no list from a build argument: stage the sources, keep the named packages only.
COPY services /tmp/services
RUN mkdir /opt/with-packages \
    && for package in ${WITH_PACKAGES}; do cp -r "/tmp/services/${package}" "/opt/with-packages/${package}"; done

FROM ${BASE_IMAGE}
ARG SERVICE
ARG HANDLER
LABEL com.pizza.service="${SERVICE}" com.pizza.handler="${HANDLER}"
COPY --from=dependencies /opt/dependencies ${LAMBDA_TASK_ROOT}
COPY services/integration_patterns ${LAMBDA_TASK_ROOT}/integration_patterns
COPY services/pizza_contracts ${LAMBDA_TASK_ROOT}/pizza_contracts
COPY services/${SERVICE} ${LAMBDA_TASK_ROOT}/${SERVICE}
COPY --from=sources /opt/with-packages ${LAMBDA_TASK_ROOT}
