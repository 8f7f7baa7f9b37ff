#!/bin/sh
# Builds the libFuzzer harnesses of tests/fuzz with clang
# (-fsanitize=fuzzer + AddressSanitizer + UBSan; the host library, the
# toolkit and the bundled plugins are compiled with -fsanitize=fuzzer-no-link
# so coverage reaches them) and runs each harness for a bounded time on its
# seed corpus.  Exits 1 if a harness found a crash, leak, UBSan error or
# violated property; prints how to reproduce it.
#
# usage: sh tools/fuzz.sh [SECONDS] [HARNESS...]
#   SECONDS   per harness, default 30
#   HARNESS   manifest, checkpoint (default: both)
# environment:
#   FUZZ_BUILD  build directory (default build-fuzz, in the repository root)
#   FUZZ_OUT    crash artifacts and the inputs found (default $FUZZ_BUILD/fuzz-out)
#   FUZZ_JOBS   fuzzing processes per harness (default 1; the long campaign
#               in docs/reliability.md uses one per core)
#
# New inputs go to $FUZZ_OUT/corpus_NAME, never into tests/fuzz: a campaign
# is merged into the seed corpus on purpose (docs/reliability.md).
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-30}
[ $# -gt 0 ] && shift
harnesses=${*:-manifest checkpoint}
build=${FUZZ_BUILD:-build-fuzz}
out=${FUZZ_OUT:-$build/fuzz-out}
jobs=${FUZZ_JOBS:-1}

if ! command -v clang >/dev/null 2>&1 || ! command -v clang++ >/dev/null 2>&1; then
    echo "fuzz: SKIP: clang/clang++ not installed (apt-get install clang)"
    exit 0
fi

flags=-fsanitize=fuzzer-no-link
if [ ! -f "$build/build.ninja" ]; then
    CC=clang CXX=clang++ meson setup "$build" -Dfuzz=true -Dmpi=disabled \
        -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args="$flags" -Dcpp_args="$flags" >/dev/null
fi
echo "== building the fuzz harnesses in $build"
ninja -C "$build" fuzzers >/dev/null

mkdir -p "$out"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TK_FUZZ_PLUGIN_DIR="$PWD/$build/plugins"
status=0
for h in $harnesses; do
    exe=$build/tests/fuzz/fuzz_$h
    if [ ! -x "$exe" ]; then
        echo "fuzz: no harness $exe" >&2
        exit 2
    fi
    mkdir -p "$out/corpus_$h"
    dict=
    [ -f "tests/fuzz/$h.dict" ] && dict=-dict=tests/fuzz/$h.dict
    log=$out/$h.log
    echo "== fuzz_$h: $seconds s, $jobs process(es), log $log"
    # -timeout: an input running 25 s is a hang; -rss_limit_mb: a leak or
    # an allocation driven by the input.  The first corpus directory
    # receives the new inputs, the second (the seeds) is only read.
    # With several jobs, libFuzzer's fork mode: one child process per job,
    # sharing the corpus; a crash in any stops the campaign.
    fork=
    [ "$jobs" -gt 1 ] && fork=-fork=$jobs
    set +e
    "$exe" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/$h-" $dict $fork \
        "$out/corpus_$h" "tests/fuzz/corpus_$h" > "$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    # Fork mode prints no final stats: the last "#N" status line counts.
    [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "fuzz_$h: FAILED (exit $rc) after $execs executions; the end of $log:"
        tail -n 30 "$log" | sed 's/^/    /'
        for a in "$out/$h-"*; do
            [ -f "$a" ] || continue
            echo "  artifact: $a"
            echo "  reproduce: $build/tests/fuzz/fuzz_$h $a"
            echo "  once fixed, keep it as a regression test:"
            echo "    cp $a tests/fuzz/regress_$h/<what-it-found>"
        done
    else
        echo "fuzz_$h: ok, $execs executions, coverage ${cov:-?} edges, no crash"
    fi
done
exit $status
