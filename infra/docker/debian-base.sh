#!/usr/bin/env bash
# The local base image every image here is built FROM, made from Debian's own packages with
# debootstrap: no container registry can be reached on the CI machines, so nothing is pulled.
#
#   infra/docker/debian-base.sh [IMAGE]      (default pizza/debian-python:bookworm; needs root)
#
# Debian bookworm's Python 3.11 with venv and pip, and the CA certificates. An image already built
# is kept (one CI run builds it once and every later stage reuses it).
set -euo pipefail
image="${1:-pizza/debian-python:bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if docker image inspect "$image" >/dev/null 2>&1; then
    echo "$image: already built"
    exit 0
fi
command -v debootstrap >/dev/null || { echo "debian-base.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
# What a run-time image never uses: package lists, caches, documentation.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
    "$root"/usr/share/locale/*
tar -C "$root" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["python3"]' \
    - "$image" >/dev/null
echo "$image: built from Debian bookworm ($(docker image inspect --format '{{.Size}}' "$image" | numfmt --to=si)B)"
