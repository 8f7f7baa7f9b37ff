#!/bin/sh
# A study survives its plugins: a run whose teacher segfaults, aborts or
# hangs fails alone (recorded in failure.json with its signal and log
# tail), the other runs finish, the report counts both, and running the
# study again skips the finished runs.
# usage: study_isolation.sh TEACHKIT_BINARY FAULTY_PLUGIN_SO
set -u
tk=$1
faulty=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"
cat > "$work/study.json" <<JSON
{"name": "iso", "seed": [1, 2], "budget": {"episodes": 300},
 "plugin_paths": ["$faulty"],
 "teacher": [{"plugin": "random"},
             {"plugin": "faulty-teacher", "label": "segv", "config": {"mode": "segv", "fail_at": 50}},
             {"plugin": "faulty-teacher", "label": "abort", "config": {"mode": "abort", "fail_at": 50}},
             {"plugin": "faulty-teacher", "label": "hang", "config": {"mode": "hang", "fail_at": 50}},
             {"plugin": "faulty-teacher", "label": "error", "config": {"mode": "error", "fail_at": 50}}],
 "env": {"plugin": "toy-grid"}, "eval": {"every_episodes": 100}}
JSON
"$tk" study "$work/study.json" --out "$work/s" --jobs 2 --timeout 3 > "$work/out.txt" 2> "$work/err.txt"
rc=$?
check "study exits 1 when runs failed" test "$rc" -eq 1
for s in 1 2; do
    check "random seed $s finished" grep -q '"finished"' "$work/s/runs/teacher-random__seed-$s/summary.json"
    # Under AddressSanitizer the SEGV is reported by the sanitizer, which
    # exits with status 1 instead of dying of the signal.
    check "segv seed $s recorded with its signal" \
        grep -q '"signal": 11\|SEGV' "$work/s/runs/teacher-segv__seed-$s/failure.json"
    check "abort seed $s recorded with its signal" grep -q '"signal": 6' "$work/s/runs/teacher-abort__seed-$s/failure.json"
    check "hang seed $s killed by the timeout" grep -q '"timed_out": true' "$work/s/runs/teacher-hang__seed-$s/failure.json"
    check "error seed $s recorded with the message" grep -q 'deliberate failure' "$work/s/runs/teacher-error__seed-$s/failure.json"
    check "segv seed $s left only whole lines" \
        sh -c "! grep -qv '}\$' '$work/s/runs/teacher-segv__seed-$s/episodes.jsonl'"
done
check "report counts 2 finished random runs" grep -q '| teacher-random | random | 2/0 |' "$work/s/report.md"
check "report counts 2 failed segv runs" grep -q '| teacher-segv | segv | 0/2 |' "$work/s/report.md"
before=$(stat -c %Y "$work/s/runs/teacher-random__seed-1/summary.json")
sleep 1
"$tk" study "$work/study.json" --out "$work/s" --jobs 2 --timeout 3 > "$work/out2.txt" 2>&1
check "second pass says 2 runs already finished" grep -q '(2 already finished)' "$work/out2.txt"
check "finished runs are not rerun" test "$(stat -c %Y "$work/s/runs/teacher-random__seed-1/summary.json")" = "$before"
checks_done
