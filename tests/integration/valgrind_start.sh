#!/bin/sh
# `valgrind teachkit ...` runs: under valgrind the program does not
# re-execute itself to set its numerics variables (core/host/main.c), which
# would start the valgrind tool directly and fail.  Skipped (exit 77)
# without valgrind, or when the binary is built with a sanitizer (valgrind
# cannot run those).
# usage: valgrind_start.sh TEACHKIT_BINARY
set -u
tk=$1
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: no valgrind"; exit 77; }
if ldd "$tk" | grep -q -E 'libasan|libubsan|libtsan'; then
    echo "SKIP: sanitizer build"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"
cat > "$work/toy.json" <<'JSON'
{"name": "toy", "budget": {"episodes": 20}, "teacher": {"plugin": "random"},
 "env": {"plugin": "toy-grid"}}
JSON
# Without the variables, so that the program wants to set them.
check "valgrind teachkit --version" sh -c "env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS \
    valgrind --quiet --error-exitcode=99 '$tk' --version > '$work/version.out' 2> '$work/version.err'"
check "it printed the version" grep -q '^teachkit ' "$work/version.out"
check "it said why it did not re-execute" grep -q 'under valgrind' "$work/version.err"
check "valgrind teachkit run" sh -c "env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS \
    valgrind --quiet --error-exitcode=99 '$tk' run '$work/toy.json' --out '$work/run' --quiet \
    2> '$work/run.err'"
check "the run finished" grep -q '"status": "finished"' "$work/run/summary.json"
checks_done
