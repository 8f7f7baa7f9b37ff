#!/bin/sh
# `teachkit study --mpi` under `mpirun -n 2` produces the same runs, byte
# for byte, as `--jobs 2`, and the same report.
# usage: mpi_study.sh TEACHKIT_BINARY MPIRUN
set -u
tk=$1
mpirun=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"
cat > "$work/study.json" <<'JSON'
{"name": "mpi", "seed": [1, 2, 3], "budget": {"episodes": 2000},
 "teacher": [{"plugin": "random"}, {"plugin": "alp-gmm"}],
 "env": {"plugin": "toy-grid"}, "eval": {"every_episodes": 500}}
JSON
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Open MPI keeps allocations until exit: LeakSanitizer would report them as
# leaks of the library, not of teachkit.
check "mpirun -n 2 study --mpi" sh -c "ASAN_OPTIONS=\"\${ASAN_OPTIONS:-}:detect_leaks=0\" '$mpirun' -n 2 '$tk' study --mpi '$work/study.json' --out '$work/mpi' > '$work/mpi.txt' 2>&1"
check "study --jobs 2" sh -c "'$tk' study '$work/study.json' --out '$work/local' --jobs 2 --quiet 2>/dev/null"
for run in "$work"/local/runs/*/; do
    name=$(basename "$run")
    for f in episodes.jsonl evals.jsonl teacher.jsonl; do
        check "$name/$f identical" cmp -s "$run/$f" "$work/mpi/runs/$name/$f"
    done
done
check "same report table" sh -c "diff -q '$work/local/report.csv' '$work/mpi/report.csv' >/dev/null"
check "rank 0 printed the report" grep -q 'teacher-alp-gmm' "$work/mpi.txt"
checks_done
