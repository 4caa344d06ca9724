#!/usr/bin/env bash
# Installs what the build and the tests need from Debian's packages, only when something is missing.
# Usage: scripts/setup.sh [extra-package ...]
set -euo pipefail

packages=(g++ cmake ninja-build pkg-config curl openssl
          libboost1.81-dev libboost-json1.81-dev libboost-test1.81-dev libboost-url1.81-dev
          libboost-program-options1.81-dev libssl-dev zlib1g-dev python3 "$@")
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for package in "${packages[@]}"; do
  # python3 may come from elsewhere than dpkg (pyenv): a working command is enough.
  [ "$package" = python3 ] && command -v python3 >/dev/null 2>&1 && continue
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
