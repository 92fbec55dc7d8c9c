#!/usr/bin/env bash
# Installs every Debian package xpusim needs to build, test and render reports. Idempotent:
# a second run only checks that the packages are present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libsystemc-dev libboost-graph-dev libyaml-cpp-dev catch2 libbenchmark-dev
  pybind11-dev python3-pybind11 python3-dev
  python3-numpy python3-pandas python3-matplotlib python3-pytest python3-tqdm
  python3-distributed python3-pil chromium
  python3-torch python3-torchvision python3-onnx
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
