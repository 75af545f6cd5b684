# MiniStack plus the Lambda run-time dependencies, for `make up` (docker compose).
#
# MiniStack runs Python Lambdas as local worker processes on its own interpreter, so the packages
# installed here play the part of the functions' layer, exactly as .venv-emulator does for the
# embedded stack. Each zip still carries only the service's own code.
ARG MINISTACK_IMAGE=ministackorg/ministack:1.5.33
FROM ${MINISTACK_IMAGE}
# Written by `make up` from pyproject.toml (python -m pizza_ops.requirements emulator).
COPY build/emulator-requirements.txt /tmp/emulator-requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/emulator-requirements.txt
# MiniStack with fixes for its durable-function defects (the same start-up the embedded stack uses;
# see that script). Not yet run here: `make up` is exercised by the design-card issue.
COPY tools/pizza_ops/deploy/ministack_with_fixes.py /opt/pizza/ministack_with_fixes.py
CMD ["python", "/opt/pizza/ministack_with_fixes.py"]
