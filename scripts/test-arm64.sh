#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Cross-builds the runtime for aarch64 (no toolkit: no ONNX/FFmpeg) in build-arm64 and runs
# the kernel tests under qemu-aarch64 twice: on a Cortex-A76 (NEON + dot product) and on a
# Cortex-A53 (NEON only, so the neondot variants are skipped). Extra labels: LABELS="kernels ops".
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-arm64}
labels=${LABELS:-kernels ops}
jobs=${JOBS:-2}
cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake" \
    -DYQ_TOOLKIT=OFF -DYQ_WERROR=ON
cmake --build "$build" -j"$jobs"
status=0
for cpu in cortex-a76 cortex-a53; do
    for label in $labels; do
        echo "== QEMU_CPU=$cpu ctest -L $label"
        QEMU_CPU=$cpu ctest --test-dir "$build" -L "$label" --output-on-failure -j"$jobs" || status=1
    done
done
exit $status
