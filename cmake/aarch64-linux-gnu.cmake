# SPDX-License-Identifier: Apache-2.0
# Cross-compiling for Linux aarch64 with Debian's gcc-aarch64-linux-gnu; tests run under
# qemu-aarch64 (QEMU_CPU in the environment picks the CPU, e.g. cortex-a76 or cortex-a53).
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DYQ_TOOLKIT=OFF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
find_program(YQ_QEMU_AARCH64 qemu-aarch64)
if(YQ_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${YQ_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()
# pkg-config must see the target's libraries only (an arm64 libsodium, if installed), never
# the build machine's: an x86 libsodium found here would be linked into aarch64 binaries.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
