#!/usr/bin/env bash
# Installs everything Swarmshare needs to build and test, from Debian 12 packages only.
# Idempotent: packages already present are left as they are. Uses sudo when not root.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libboost-dev libsodium-dev libmsgpack-cxx-dev libsqlite3-dev libcli11-dev libspdlog-dev
  nlohmann-json3-dev
  libgtest-dev libgmock-dev
  libwxgtk3.2-dev xvfb xauth
)
# Fuzzing (fuzz/, SWARMSHARE_FUZZ=ON) and the formatting check need clang tools.
if [[ "${SWARMSHARE_WITH_CLANG:-0}" == 1 ]]; then
  packages+=(clang clang-format libclang-rt-14-dev)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q "${missing[@]}"
