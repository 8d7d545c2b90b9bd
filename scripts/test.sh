#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The whole test suite, as CI runs it: install missing packages, build with warnings as
# errors, run every ctest test (x86: every ISA level this CPU has), then the ARM64 build
# under qemu-aarch64 with and without dot-product, then an ASan+UBSan build of the unit tests.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
scripts/install-deps.sh --cross
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DYQ_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
if [ -x scripts/test-arm64.sh ]; then
    scripts/test-arm64.sh
fi
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DYQ_WERROR=ON -DYQ_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ctest --output-on-failure -j"$jobs" -L unit)
echo "all tests passed"
