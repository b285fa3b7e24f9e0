#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: Raptor (rapper), Serd (serdi),
# Chromium (browser tests) and Virtuoso (triple-store import tests). Skips what is present.
set -euo pipefail

declare -A PKG_FOR=(
  [rapper]=raptor2-utils
  [serdi]=serdi
  [chromium]=chromium
  [virtuoso-t]=virtuoso-opensource
)
missing=()
for bin in "${!PKG_FOR[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${PKG_FOR[$bin]}")
done
# Files rather than programs: German word list for bench/bench_corpus.py (it has a fallback).
declare -A PKG_FOR_FILE=(
  [/usr/share/dict/ngerman]=wngerman
)
for file in "${!PKG_FOR_FILE[@]}"; do
  [ -e "$file" ] || missing+=("${PKG_FOR_FILE[$file]}")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "system packages missing (${missing[*]}) and no root/sudo: the tests that need them will be skipped" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no apt-get: install ${missing[*]} yourself; the tests that need them will be skipped" >&2
  exit 0
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed ${missing[*]}"
