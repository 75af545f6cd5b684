# One Lambda container image per service package, for AWS (Terraform's lambda_package_type=Image).
#
#   python -m pizza_ops.requirements runtime > build/lambda-requirements.txt
#   docker build -f infra/docker/lambda.Dockerfile --build-arg SERVICE=kitchen_service -t pizza/kitchen_service .
#   docker build -f infra/docker/lambda.Dockerfile --build-arg SERVICE=order_service \
#     --build-arg WITH_PACKAGES="inventory_service payment_service" -t pizza/order_service .
#
# The image holds the same source trees as the service's zip (pizza_ops.deploy.zips): the shared
# pattern library, the service package, and the other services' packages its functions call
# in-process (WITH_PACKAGES: infra/system.yaml's with_packages of the service's functions). The
# handler is set per function by Terraform (image_config.command), so one image serves every
# function of a service.
ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.12
FROM ${BASE_IMAGE}
ARG SERVICE
ARG WITH_PACKAGES=""
COPY build/lambda-requirements.txt /tmp/lambda-requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/lambda-requirements.txt --target "${LAMBDA_TASK_ROOT}"
COPY services/integration_patterns ${LAMBDA_TASK_ROOT}/integration_patterns
COPY services/pizza_contracts ${LAMBDA_TASK_ROOT}/pizza_contracts
COPY services/${SERVICE} ${LAMBDA_TASK_ROOT}/${SERVICE}
# COPY takes no list from a build argument: stage the sources, keep the named packages only.
COPY services /tmp/services
RUN for package in ${WITH_PACKAGES}; do cp -r "/tmp/services/${package}" "${LAMBDA_TASK_ROOT}/${package}"; done \
    && rm -rf /tmp/services
