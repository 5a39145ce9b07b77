#!/usr/bin/env bash
# Installs the Debian packages eigenformer needs that are not installed yet.
# Usage: scripts/install-dependencies.sh [extra-package ...]
set -euo pipefail

packages=(cmake g++ make libeigen3-dev doctest-dev libbenchmark-dev libopenblas-dev libcli11-dev wamerican "$@")

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "eigenformer: this is not a Debian system; install by hand: ${packages[*]}" >&2
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  echo "eigenformer: installing ${missing[*]} needs root; asking sudo." >&2
  as_root=(sudo)
else
  echo "eigenformer: missing Debian packages: ${missing[*]}" >&2
  echo "Installing them needs root. Run this command again as root, or first:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "eigenformer: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
