#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages yoloq needs, only those missing. Run as root.
# Usage: scripts/install-deps.sh [--cross]   (--cross adds the ARM64 toolchain and qemu-user)
set -eu
pkgs="build-essential cmake pkg-config protobuf-c-compiler libprotobuf-c-dev libonnx-dev \
libcjson-dev libyaml-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
libsodium-dev"
if [ "${1:-}" = "--cross" ]; then
    pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"
fi
missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
