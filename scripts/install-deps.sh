#!/usr/bin/env bash
# Installs the build and run dependencies from Debian's packages (Debian 12).
# Skips the work when everything is already there. Needs root (or sudo).
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config libboost-dev libzmq3-dev cppzmq-dev libeigen3-dev
          libspdlog-dev libtomlplusplus-dev doctest-dev libsimdjson-dev libcli11-dev libsqlite3-dev libsystemd-dev curl
          libquickfix-dev                # the FIX gateway
          clang-14 libclang-rt-14-dev    # clang 14 and its runtimes (libFuzzer, sanitizers) for scripts/fuzz.sh
          libyaml-cpp-dev)               # the tests read the Prometheus alert rules
# Tools the tests use where present, without what they recommend: promtool
# checks the alert rules, headless Chromium renders the status page.
test_tools=(prometheus chromium)
missing() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
mapfile -t missing_packages < <(missing "${packages[@]}")
mapfile -t missing_tools < <(missing "${test_tools[@]}")
if ((${#missing_packages[@]} + ${#missing_tools[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "installing: ${missing_packages[*]} ${missing_tools[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  if ((${#missing_packages[@]})); then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing_packages[@]}"
  fi
  if ((${#missing_tools[@]})); then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing_tools[@]}"
  fi
fi
