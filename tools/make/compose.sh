#!/usr/bin/env bash
# The docker compose stack of `make up` / `make down`, with either Compose: the v2 plugin
# (`docker compose`, laptops) or the v1 program (`docker-compose`, Debian's package on CI). v1 has
# no `up --wait`, so readiness is polled here. Every failure is one line naming what is missing.
#
#   tools/make/compose.sh check              prerequisites: docker, its engine, a Compose, free ports
#   tools/make/compose.sh run ARGS...        compose ARGS on the project's files (-p pizza)
#   tools/make/compose.sh pull               the Collector's and Jaeger's images, unless already here
#   tools/make/compose.sh wait [SECONDS]     until the emulator, the Collector and the query API answer
#   tools/make/compose.sh down               stop and remove the stack, then check nothing is left
#
# TELEMETRY=local adds docker-compose.local-telemetry.yml: locally built stand-ins for the Collector
# and Jaeger images, under the same service names and ports.
set -euo pipefail
cd "$(dirname "$0")/../.."
project=pizza
files=(-f docker-compose.yml)
[[ "${TELEMETRY:-}" == local ]] && files+=(-f docker-compose.local-telemetry.yml)
# What the stack publishes on 127.0.0.1, and what answers there once it is up.
ports=(4566 4317 4318 16686)
emulator_health=http://127.0.0.1:4566/_ministack/health
collector_http=http://127.0.0.1:4318/
query_api=http://127.0.0.1:16686/api/services

fail() {
    echo "make ${action:-up}: $*" >&2
    exit 1
}

compose_command() {
    if docker compose version >/dev/null 2>&1; then
        echo "docker compose"
    elif command -v docker-compose >/dev/null; then
        echo docker-compose
    else
        return 1
    fi
}

port_taken() {
    # Binding, not connecting: a listener on any address (0.0.0.0 too) takes the port from us.
    ! python3 -c 'import socket, sys; socket.create_server(("127.0.0.1", int(sys.argv[1]))).close()' "$1" 2>/dev/null
}

check() {
    command -v docker >/dev/null || fail "docker is not installed (https://docs.docker.com/engine/install/)"
    docker info >/dev/null 2>&1 || fail "the Docker engine does not answer: is dockerd running, and may you use its socket?"
    compose_command >/dev/null ||
        fail "Docker Compose is missing: install the compose plugin (\`docker compose\`) or docker-compose"
    if [[ -n "$(docker ps --quiet --filter "label=com.docker.compose.project=$project")" ]]; then
        fail "the stack is already running (\`make down\` stops it)"
    fi
    local taken=()
    for port in "${ports[@]}"; do
        port_taken "$port" && taken+=("$port")
    done
    if ((${#taken[@]})); then
        local list
        list="$(printf '%s, ' "${taken[@]}")"
        fail "already in use on 127.0.0.1: port ${list%, } (the stack needs ${ports[*]})"
    fi
}

run() {
    local compose
    compose="$(compose_command)" || fail "Docker Compose is missing"
    $compose -p "$project" "${files[@]}" "$@"
}

pull() {
    [[ "${TELEMETRY:-}" == local ]] && return 0
    # Creating the containers pulls only what is not here yet, so a laptop offline still starts.
    run pull --quiet otel-collector jaeger >/dev/null 2>&1 ||
        run up --no-start --no-build otel-collector jaeger >/dev/null 2>&1 ||
        fail "cannot pull the Collector and Jaeger images (no registry reachable?); \`make up TELEMETRY=local\` builds stand-ins here"
}

answers() {
    # Any HTTP status will do for the Collector (its receiver has no page at /); 200 for the others.
    python3 - "$1" "$2" <<'PY'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=2).close()
except urllib.error.HTTPError:
    sys.exit(0 if sys.argv[2] == "any" else 1)
except OSError:
    sys.exit(1)
PY
}

wait_ready() {
    local deadline=$((SECONDS + ${1:-120})) pending
    while :; do
        pending=()
        answers "$emulator_health" 200 || pending+=("the emulator ($emulator_health)")
        answers "$collector_http" any || pending+=("the Collector ($collector_http)")
        answers "$query_api" 200 || pending+=("the trace query API ($query_api)")
        ((${#pending[@]} == 0)) && return 0
        if ((SECONDS >= deadline)); then
            local names
            names="$(printf '%s, ' "${pending[@]}")"
            fail "not up after ${1:-120} s: ${names%, } (see \`tools/make/compose.sh run logs\`)"
        fi
        sleep 1
    done
}

down() {
    action=down
    run down --remove-orphans --volumes --timeout 5
    local left
    left="$(docker ps --all --quiet --filter "label=com.docker.compose.project=$project")"
    [[ -z "$left" ]] || { echo "make down: containers left: $left" >&2; exit 1; }
    ! docker network inspect "$project" >/dev/null 2>&1 || { echo "make down: network $project left" >&2; exit 1; }
    echo "make down: the stack is stopped and removed"
}

case "${1:-}" in
check) check ;;
run) shift && run "$@" ;;
pull) pull ;;
wait) wait_ready "${2:-120}" ;;
down) down ;;
*)
    echo "usage: $0 check | run ARGS... | pull | wait [SECONDS] | down" >&2
    exit 2
    ;;
esac
