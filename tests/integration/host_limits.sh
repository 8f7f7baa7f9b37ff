#!/bin/sh
# Limits and odd inputs of the commands (docs/reliability.md):
#   - a task space of 8,000 dimensions: whole, valid episode lines;
#   - `run --timeout`: stops like SIGTERM (checkpoint, "timed-out", status
#     124) and resumes identically; a run stuck in a plugin is killed soon
#     after its deadline;
#   - a second SIGINT stops a run at once, even inside a plugin call;
#   - `validate` on a study manifest whose expansion fails speaks of the
#     study, not of a run manifest;
#   - manifests that are FIFOs, huge (50 MB), or hold terminal escape bytes;
#   - `--only-index` past 2^32;
#   - `report` on an evals.jsonl holding a line that is not a record, and on
#     report files that cannot be written.
# usage: host_limits.sh TEACHKIT FAULTY_ENV_SO FAULTY_STUDENT_SO SENTINEL_SO FAULTY_TEACHER_SO
set -u
tk=$1
fenv=$2
fstu=$3
fteacher=$5
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"
asan=0
grep -q __asan_init "$tk" 2>/dev/null && asan=1

lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
# exits_within SECONDS PID: the process ends within that time (else it is
# killed, so that the script goes on).
exits_within() {
    i=0
    while [ "$i" -lt $(( $1 * 10 )) ]; do
        kill -0 "$2" 2>/dev/null || return 0
        sleep 0.1
        i=$((i + 1))
    done
    kill -9 "$2"
    return 1
}

# run_manifest NAME EPISODES TEACHER ENV_CONFIG [CHECKPOINT]
run_manifest() {
    ckpt=${5:-}
    [ -n "$ckpt" ] || ckpt='{"every_episodes": 50, "every_seconds": null}'
    cat > "$work/$1.json" <<JSON
{"name": "$1", "seed": 9, "budget": {"episodes": $2},
 "plugin_paths": ["$fenv", "$fstu", "$fteacher"],
 "teacher": $3,
 "env": {"plugin": "faulty-env", "config": $4},
 "student": {"plugin": "faulty-student"},
 "eval": {"at_start": false, "every_episodes": 0, "test_set": {"uniform": 1}},
 "log": {"teacher_snapshot_every": 0, "progress": "never"},
 "checkpoint": $ckpt}
JSON
}

# --- 8,000 task dimensions -------------------------------------------------
run_manifest wide 20 '{"plugin": "random"}' '{"extra_dims": 7998}'
"$tk" run "$work/wide.json" --out "$work/wide" --quiet 2> "$work/wide.err"
check "8,000 dimensions: the run finishes" test $? -eq 0
check "8,000 dimensions: 20 episode lines" test "$(lines "$work/wide/episodes.jsonl")" -eq 20
if command -v python3 >/dev/null 2>&1; then
    check "8,000 dimensions: every line is JSON with 8,000 task values" python3 -c '
import json, sys
for line in open(sys.argv[1]):
    assert len(json.loads(line)["task"]) == 8000
' "$work/wide/episodes.jsonl"
else
    check "8,000 dimensions: every line is whole" sh -c "! grep -qv '^{.*}\$' '$work/wide/episodes.jsonl'"
fi

# --- run --timeout ---------------------------------------------------------
alp='{"plugin": "alp-gmm", "config": {"fit_rate": 40}}'
run_manifest slow 1200 "$alp" '{"delay_ms": 2}'
"$tk" run "$work/slow.json" --out "$work/slow-ref" --quiet 2> /dev/null
"$tk" run "$work/slow.json" --out "$work/slow" --quiet --timeout 1 2> "$work/slow.err"
rc=$?
check "--timeout: exit status 124" test "$rc" -eq 124
check "--timeout: summary says timed-out" grep -q '"status": "timed-out"' "$work/slow/summary.json"
check "--timeout: stopped part-way" test "$(lines "$work/slow/episodes.jsonl")" -lt 1200
check "--timeout: a checkpoint was written" test -s "$work/slow/checkpoint.bin"
"$tk" run "$work/slow.json" --out "$work/slow" --resume --quiet 2> /dev/null
check "--timeout: --resume finishes" grep -q '"status": "finished"' "$work/slow/summary.json"
check "--timeout: logs identical to a run without a limit" \
    cmp -s "$work/slow-ref/episodes.jsonl" "$work/slow/episodes.jsonl"

run_manifest hang 100 '{"plugin": "faulty-teacher", "config": {"mode": "hang", "fail_at": 10}}' '{}'
"$tk" run "$work/hang.json" --out "$work/hang" --quiet --timeout 1 2> "$work/hang.err" &
pid=$!
check "--timeout on a hung plugin: killed within 10 s" exits_within 10 "$pid"
wait "$pid"
rc=$?
pid=
check "--timeout on a hung plugin: exit status 124" test "$rc" -eq 124
check "--timeout on a hung plugin: says so" grep -q 'did not stop after its deadline' "$work/hang.err"
"$tk" run "$work/hang.json" --out "$work/bad-timeout" --timeout 0 2> "$work/bad-timeout.err"
check "--timeout 0: a usage error" test $? -eq 2

# --- a second SIGINT -------------------------------------------------------
run_manifest stuck 1000 '{"plugin": "faulty-teacher", "config": {"mode": "hang", "fail_at": 30}}' \
    '{"delay_ms": 1}'
"$tk" run "$work/stuck.json" --out "$work/stuck" --quiet 2> "$work/stuck.err" &
pid=$!
sleep 1
kill -INT "$pid"
sleep 0.5
check "SIGINT inside a plugin call: the run waits for the call" kill -0 "$pid"
kill -INT "$pid"
check "a second SIGINT: the run stops at once" exits_within 3 "$pid"
wait "$pid"
rc=$?
pid=
check "a second SIGINT: exit status 130" test "$rc" -eq 130

# --- validate on a study that does not expand --------------------------------
cat > "$work/range.json" <<'JSON'
{"seed": {"range": [5, 1]}, "budget": {"episodes": 10},
 "teacher": {"plugin": "random"}, "env": {"plugin": "toy-grid"}}
JSON
"$tk" validate "$work/range.json" > /dev/null 2> "$work/range.err"
check "validate, a study that does not expand: exit 1" test $? -eq 1
check "validate, a study that does not expand: the study's message" \
    grep -q 'seed.range: must be \[first, end\]' "$work/range.err"

# --- odd manifest files ------------------------------------------------------
mkfifo "$work/fifo.json"
for verb in validate run study; do
    timeout 10 "$tk" $verb "$work/fifo.json" > /dev/null 2> "$work/fifo.err"
    rc=$?
    check "$verb on a FIFO: returns at once with exit 1" test "$rc" -eq 1
    check "$verb on a FIFO: says it is not a regular file" grep -q 'not a regular file' "$work/fifo.err"
done

{ printf '{"seed": ['; yes '0,' | head -c 52000000; printf '0]}'; } > "$work/huge.json"
if [ "$asan" -eq 0 ] && [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$work/huge.rss" "$tk" validate "$work/huge.json" 2> "$work/huge.err"
    rc=$?
    check "a 50 MB manifest: refused with its size" grep -q 'at most 4 MiB' "$work/huge.err"
    check "a 50 MB manifest: refused in under 100 MB of memory" test "$(tail -n 1 "$work/huge.rss")" -lt 100000
else
    "$tk" validate "$work/huge.json" 2> "$work/huge.err"
    rc=$?
    check "a 50 MB manifest: refused with its size" grep -q 'at most 4 MiB' "$work/huge.err"
fi
check "a 50 MB manifest: exit 1" test "$rc" -eq 1
rm -f "$work/huge.json"

esc=$(printf '\033')
cat > "$work/esc.json" <<'JSON'
{"budget": {"episodes": 1}, "teacher": {"plugin": "random"}, "env": {"plugin": "toy-grid"},
 "\u001b]0;owned\u0007\u001b[2J": 1}
JSON
"$tk" validate "$work/esc.json" 2> "$work/esc.err"
check "escape bytes in a key: exit 1" test $? -eq 1
check "escape bytes in a key: none reaches the terminal" sh -c "! grep -q '$esc' '$work/esc.err'"
check "escape bytes in a key: shown escaped" grep -qF '\x1b]0;owned\x07\x1b[2J' "$work/esc.err"
cat > "$work/esc2.json" <<'JSON'
{"budget": {"episodes": 1}, "teacher": {"plugin": "\u001b[31mred"}, "env": {"plugin": "toy-grid"}}
JSON
"$tk" run "$work/esc2.json" --out "$work/esc2" 2> "$work/esc2.err"
check "escape bytes in a plugin id: none reaches the terminal" sh -c "! grep -q '$esc' '$work/esc2.err'"

# --- --only-index ------------------------------------------------------------
cat > "$work/small.json" <<'JSON'
{"name": "small", "seed": [1, 2], "budget": {"episodes": 200},
 "teacher": {"plugin": "random"}, "env": {"plugin": "toy-grid"},
 "eval": {"every_episodes": 100}, "log": {"progress": "never"}}
JSON
"$tk" study "$work/small.json" --out "$work/small" --only-index 4294967297 > /dev/null 2> "$work/idx.err"
check "--only-index 4294967297: a usage error" test $? -eq 2
check "--only-index 4294967297: no run started" test ! -e "$work/small/runs/seed-2/episodes.jsonl"
"$tk" study "$work/small.json" --out "$work/small" --only-index 2 > /dev/null 2> "$work/idx.err"
check "--only-index past the last run: refused" grep -q 'past the last run (2 runs: 0 to 1)' "$work/idx.err"

# --- report --------------------------------------------------------------------
"$tk" study "$work/small.json" --out "$work/small" --quiet > /dev/null 2>&1
echo 'not a record' >> "$work/small/runs/seed-1/evals.jsonl"
"$tk" report "$work/small" > /dev/null 2> "$work/report.err"
check "report, a garbage line: still reports" test $? -eq 0
check "report, a garbage line: says so, with the line" \
    grep -q 'seed-1/evals.jsonl: warning: 1 line is not an evaluation record (first: line 4)' \
    "$work/report.err"
rm "$work/small/report.md"
mkdir "$work/small/report.md"
"$tk" report "$work/small" > /dev/null 2> "$work/report2.err"
check "report that cannot be written: exit 1" test $? -eq 1
check "report that cannot be written: no temporary file left" \
    test -z "$(find "$work/small" -maxdepth 1 -name '*.tmp')"

checks_done
