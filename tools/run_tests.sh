#!/bin/sh
# Installs what is missing, builds and runs every test:
#   1. the whole suite under AddressSanitizer + UBSan, warnings as errors;
#   2. the core (host and toolkit tests, and a toy run) under valgrind
#      memcheck, failing on any error or leak.
# Usage: sh tools/run_tests.sh        (from anywhere; root or sudo on Debian 12)
set -eu
cd "$(dirname "$0")/.."
sh tools/setup.sh

# One OpenMP thread, as the teachkit program sets it for itself: the unit
# tests link the toolkit directly, and oneDNN would otherwise start a
# thread pool whose per-thread storage valgrind reports as possibly lost.
export OMP_NUM_THREADS=1

setup() { # build dir, then meson options
    dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        meson configure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
}

echo "== tests under ASan + UBSan"
setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-asan >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs --num-processes 2

echo "== core under valgrind memcheck"
setup build-valgrind -Dwerror=true -Db_sanitize=none
ninja -C build-valgrind >/dev/null
CK_FORK=no meson test -C build-valgrind --print-errorlogs --suite unit --suite host \
    --wrapper "valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# OPENBLAS_NUM_THREADS set: under valgrind teachkit does not re-execute
# itself to set it (core/host/main.c).
OPENBLAS_NUM_THREADS=1 valgrind --quiet --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible \
    ./build-valgrind/teachkit run examples/toy_alp_gmm.json --out "$tmp/run" --quiet
echo "valgrind: toy run clean"

# The Python package built as a wheel, installed in a fresh venv outside
# the checkout, and its tests run there (against the valgrind build's CLI).
echo "== Python package (wheel, fresh venv)"
sh tools/test_python_package.sh "$PWD/build-valgrind/teachkit"

# A short fuzz campaign (docs/reliability.md): each libFuzzer harness runs
# 20 s from its seed corpus; a crash, leak, UBSan error or violated
# property fails CI with the reproducer's path.
echo "== fuzzing (libFuzzer + ASan + UBSan, 20 s per harness)"
if command -v clang >/dev/null 2>&1; then
    sh tools/fuzz.sh 20
else
    echo "fuzz: SKIP: clang not installed"
fi
