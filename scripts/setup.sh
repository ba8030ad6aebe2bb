#!/usr/bin/env bash
# Installs the Debian packages Centinela needs to build, test and run the demo.
# Idempotent: only calls apt-get when a package is missing. Run as root.
set -euo pipefail
PKGS=(build-essential cmake pkg-config git
      librdkafka-dev librocksdb-dev libprotobuf-dev protobuf-compiler
      libabsl-dev libgtest-dev libgmock-dev googletest libbenchmark-dev
      libyaml-cpp-dev kcat libcpp-httplib-dev libssl-dev libicu-dev libexpat1-dev
      libkakasi2-dev kakasi-dic unicode-data bzip2
      python3                               # scripts/check-layers.py, scripts/chaos.sh
      clang clang-format libclang-rt-14-dev)  # clang: sanitizer, thread-safety and fuzz builds
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: error: packages missing and not root; run: sudo $0" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
