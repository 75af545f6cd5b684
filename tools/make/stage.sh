#!/usr/bin/env bash
# One stage of `make test` that needs more than Python: run it when what it needs is on this
# machine, else record why not. Under CI (CI=true) a stage that cannot run fails the build, so
# nothing is silently not run; on a laptop `make test` passes and ends with one line naming the
# skipped stages and why (tools/make/stage.sh --summary).
#
#   tools/make/stage.sh NAME NEED... -- COMMAND...     NEED: terraform | docker | compose | base-image
#   tools/make/stage.sh --reset | --summary
set -euo pipefail
skipped_file="build/skipped-stages"

case "${1:-}" in
--reset)
    rm -f "$skipped_file"
    exit 0
    ;;
--summary)
    if [[ -s "$skipped_file" ]]; then
        echo "make test: skipped $(paste -sd ';' "$skipped_file" | sed 's/;/; /g')"
    else
        echo "make test: every stage ran"
    fi
    exit 0
    ;;
esac

name="$1"
shift
missing=""
while [[ $# -gt 0 && "$1" != "--" ]]; do
    case "$1" in
    terraform)
        command -v terraform >/dev/null || { missing="terraform is not on PATH"; break; }
        ;;
    docker)
        command -v docker >/dev/null || { missing="docker is not installed"; break; }
        docker info >/dev/null 2>&1 || { missing="no Docker engine answers (is dockerd running?)"; break; }
        ;;
    compose)
        docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null ||
            { missing="neither the docker compose plugin nor docker-compose is installed"; break; }
        ;;
    base-image)
        # The local base every image builds FROM (infra/docker/debian-base.sh): built, or buildable.
        docker image inspect "${DEBIAN_BASE:-pizza/debian-python:bookworm}" >/dev/null 2>&1 ||
            { [[ "$(id -u)" == 0 ]] && command -v debootstrap >/dev/null; } ||
            { missing="no local base image, and building one needs root and debootstrap (sudo infra/docker/debian-base.sh)"; break; }
        ;;
    *)
        echo "stage.sh: unknown need '$1'" >&2
        exit 2
        ;;
    esac
    shift
done
while [[ $# -gt 0 && "$1" != "--" ]]; do shift; done
shift || true

if [[ -n "$missing" ]]; then
    if [[ "${CI:-}" == "true" ]]; then
        echo "make test: stage '$name' cannot run under CI: $missing" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$skipped_file")"
    echo "$name ($missing)" >>"$skipped_file"
    echo "make test: skipping stage '$name': $missing"
    exit 0
fi
echo "make test: stage '$name'"
exec "$@"
