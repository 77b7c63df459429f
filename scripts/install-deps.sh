#!/usr/bin/env bash
# Installs the build and run dependencies from Debian's packages (Debian 12).
# Skips the work when everything is already there. Needs root (or sudo).
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config libboost-dev libzmq3-dev cppzmq-dev libeigen3-dev
          libspdlog-dev libtomlplusplus-dev doctest-dev libsimdjson-dev libcli11-dev libsqlite3-dev libsystemd-dev curl
          libquickfix-dev clang-14 libclang-rt-14-dev)  # clang 14 and its runtimes (libFuzzer, sanitizers) for scripts/fuzz.sh
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "installing: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
