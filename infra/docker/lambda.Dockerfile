# One Lambda container image per service package, for AWS (Terraform's lambda_package_type=Image).
#
#   python -m pizza_ops.requirements runtime > build/lambda-requirements.txt
#   docker build -f infra/docker/lambda.Dockerfile --build-arg SERVICE=kitchen_service -t pizza/kitchen_service .
#
# The image holds the same two source trees as the service's zip (pizza_ops.deploy.zips): the
# shared pattern library and the service package. The handler is set per function by Terraform
# (image_config.command), so one image serves every function of a service.
ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.12
FROM ${BASE_IMAGE}
ARG SERVICE
COPY build/lambda-requirements.txt /tmp/lambda-requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/lambda-requirements.txt --target "${LAMBDA_TASK_ROOT}"
COPY services/integration_patterns ${LAMBDA_TASK_ROOT}/integration_patterns
COPY services/pizza_contracts ${LAMBDA_TASK_ROOT}/pizza_contracts
COPY services/${SERVICE} ${LAMBDA_TASK_ROOT}/${SERVICE}
