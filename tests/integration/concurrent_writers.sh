#!/bin/sh
# One writer per directory, and workers that do not outlive their study
# (docs/reliability.md, "Directories and workers"):
#   - a second writer of a run directory (a run and its --resume at once) is
#     refused, naming the first one's pid, and leaves the run intact;
#   - a second study on one --out is refused likewise;
#   - a study refuses to start while a process still writes one of its runs;
#   - killing only the study (kill -9 of the parent) kills its workers too;
#     the study run again resumes them to logs byte-identical to an
#     uninterrupted study;
#   - SIGTERM to the study stops every worker with a checkpoint (status 130,
#     "interrupted"); the study run again finishes them, identically.
# TRIALS (default 3) sets how many parent-only kills and concurrent writers
# are tried; docs/reliability.md quotes a longer campaign.
# usage: concurrent_writers.sh TEACHKIT FAULTY_ENV_SO FAULTY_STUDENT_SO SENTINEL_SO FAULTY_TEACHER_SO
set -u
tk=$1
fenv=$2
fstu=$3
trials=${TRIALS:-3}
work=$(mktemp -d)
bg=
trap '[ -n "$bg" ] && kill -9 $bg 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

# Runs of 600 episodes of 2 ms, checkpointed every 50 episodes: slow enough
# to be caught mid-run, with ALP-GMM state to save and restore.
cat > "$work/study.json" <<JSON
{"name": "cw", "seed": [1, 2], "budget": {"episodes": 600},
 "plugin_paths": ["$fenv", "$fstu"],
 "teacher": [{"plugin": "alp-gmm", "config": {"fit_rate": 40}}, {"plugin": "random"}],
 "env": {"plugin": "faulty-env", "config": {"delay_ms": 2}},
 "student": {"plugin": "faulty-student"},
 "eval": {"every_episodes": 200, "test_set": {"uniform": 3}},
 "log": {"teacher_snapshot_every": 100, "progress": "never"},
 "checkpoint": {"every_episodes": 50, "every_seconds": null}}
JSON
runs="teacher-alp-gmm__seed-1 teacher-alp-gmm__seed-2 teacher-random__seed-1 teacher-random__seed-2"

lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }

# wait_lines FILE N: until FILE has N lines, at most 30 s.
wait_lines() {
    i=0
    while [ "$i" -lt 300 ]; do
        [ "$(lines "$1")" -ge "$2" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# The pids recorded in the run directories' locks of study $1 that are alive.
live_workers() {
    for r in $runs; do
        f=$1/runs/$r/.lock
        [ -s "$f" ] || continue
        p=$(cat "$f")
        kill -0 "$p" 2>/dev/null && echo "$p"
    done
}

log_sizes() { cat "$1"/runs/*/episodes.jsonl 2>/dev/null | wc -c; }

# no_workers_left STUDY: none alive within 5 s (by the pids in the runs'
# locks), and no run's log grows any more (which needs no lock to see).
no_workers_left() {
    i=0
    while [ "$i" -lt 50 ] && [ -n "$(live_workers "$1")" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ -z "$(live_workers "$1")" ] || { echo "    still running: $(live_workers "$1")"; return 1; }
    before=$(log_sizes "$1")
    sleep 1.5 # a live worker flushes its log every 0.5 s
    [ "$(log_sizes "$1")" -eq "$before" ] || { echo "    the logs still grow"; return 1; }
}

same_study() { # reference study, other study
    for r in $runs; do
        for f in episodes.jsonl evals.jsonl teacher.jsonl; do
            cmp -s "$1/runs/$r/$f" "$2/runs/$r/$f" || { echo "    $r/$f differs"; return 1; }
        done
    done
}

"$tk" study "$work/study.json" --out "$work/ref" --jobs 2 --quiet > /dev/null 2> "$work/ref.err"
check "reference study finishes" test $? -eq 0

# --- parent-only kills -----------------------------------------------------
killed_ok=0
for t in $(seq 1 "$trials"); do
    s=$work/kill-$t
    "$tk" study "$work/study.json" --out "$s" --jobs 2 --quiet > /dev/null 2>&1 &
    bg=$!
    wait_lines "$s/runs/teacher-alp-gmm__seed-1/episodes.jsonl" $((100 + 50 * t))
    kill -9 "$bg"
    wait "$bg" 2>/dev/null
    bg=
    check "kill $t: the workers died with the study" no_workers_left "$s"
    "$tk" study "$work/study.json" --out "$s" --jobs 2 --quiet > /dev/null 2> "$work/kill-$t.err"
    rc=$?
    check "kill $t: the study run again exits 0" test "$rc" -eq 0
    if same_study "$work/ref" "$s"; then
        killed_ok=$((killed_ok + 1))
    else
        echo "FAIL: kill $t: logs differ from the uninterrupted study"
        fail=$((fail + 1))
    fi
done
echo "parent-only kills resumed identically: $killed_ok of $trials"

# --- SIGTERM to the study ----------------------------------------------------
s=$work/term
"$tk" study "$work/study.json" --out "$s" --jobs 2 --quiet > "$work/term.out" 2> "$work/term.err" &
bg=$!
wait_lines "$s/runs/teacher-alp-gmm__seed-1/episodes.jsonl" 200
kill -TERM "$bg"
wait "$bg"
rc=$?
bg=
check "SIGTERM: the study exits 130" test "$rc" -eq 130
check "SIGTERM: no worker left" no_workers_left "$s"
check "SIGTERM: the stopped runs say interrupted" \
    grep -q '"status": "interrupted"' "$s/runs/teacher-alp-gmm__seed-1/summary.json"
check "SIGTERM: no failure.json for stopped runs" test -z "$(find "$s" -name failure.json)"
check "SIGTERM: says how to resume" grep -q 'run the same command again to resume' "$work/term.err"
"$tk" study "$work/study.json" --out "$s" --jobs 2 --quiet > /dev/null 2>&1
check "SIGTERM: the study run again exits 0" test $? -eq 0
check "SIGTERM: logs identical to the uninterrupted study" same_study "$work/ref" "$s"

# --- concurrent writers ----------------------------------------------------
cat > "$work/run.json" <<JSON
{"name": "one", "seed": 4, "budget": {"episodes": 1500},
 "plugin_paths": ["$fenv", "$fstu"],
 "teacher": {"plugin": "random"},
 "env": {"plugin": "faulty-env", "config": {"delay_ms": 1}},
 "student": {"plugin": "faulty-student"},
 "eval": {"every_episodes": 1000, "test_set": {"uniform": 2}},
 "log": {"progress": "never"}, "checkpoint": {"every_episodes": 100}}
JSON
refused=0
tries=0
for t in $(seq 1 "$trials"); do
    o=$work/run-$t
    "$tk" run "$work/run.json" --out "$o" --quiet 2> /dev/null &
    bg=$!
    wait_lines "$o/episodes.jsonl" 50
    tries=$((tries + 2))
    "$tk" run "$work/run.json" --out "$o" --resume --quiet 2> "$work/second.err"
    rc=$?
    if [ "$rc" -eq 75 ] && grep -q "teachkit process $bg is writing this run directory" "$work/second.err"; then
        refused=$((refused + 1))
    else
        echo "FAIL: concurrent --resume $t: exit $rc: $(cat "$work/second.err")"
        fail=$((fail + 1))
    fi
    "$tk" run "$work/run.json" --out "$o" --quiet 2> "$work/second.err"
    rc=$?
    if [ "$rc" -ne 0 ] && grep -q "is writing this run directory" "$work/second.err"; then
        refused=$((refused + 1))
    else
        echo "FAIL: concurrent run $t: exit $rc: $(cat "$work/second.err")"
        fail=$((fail + 1))
    fi
    kill -TERM "$bg"
    wait "$bg" 2>/dev/null
    bg=
    "$tk" run "$work/run.json" --out "$o" --resume --quiet 2> /dev/null
    check "concurrent writers $t: the first run then resumes to the end" \
        test "$(lines "$o/episodes.jsonl")" -eq 1500
    check "concurrent writers $t: every episode once" \
        test "$(grep -o '^{"episode":[0-9]*' "$o/episodes.jsonl" | sort -u | wc -l)" -eq 1500
done
for t in $(seq 1 "$trials"); do
    s=$work/two-$t
    "$tk" study "$work/study.json" --out "$s" --jobs 2 --quiet > /dev/null 2>&1 &
    bg=$!
    wait_lines "$s/runs/teacher-alp-gmm__seed-1/episodes.jsonl" 20
    tries=$((tries + 1))
    "$tk" study "$work/study.json" --out "$s" --jobs 2 --quiet > /dev/null 2> "$work/second.err"
    rc=$?
    if [ "$rc" -eq 1 ] && grep -q "teachkit process $bg is writing this study directory" "$work/second.err"; then
        refused=$((refused + 1))
    else
        echo "FAIL: concurrent study $t: exit $rc: $(cat "$work/second.err")"
        fail=$((fail + 1))
    fi
    wait "$bg"
    check "concurrent studies $t: the first one finishes alone" test $? -eq 0
    bg=
    check "concurrent studies $t: its logs are the reference's" same_study "$work/ref" "$s"
done
echo "concurrent writers refused: $refused of $tries"

# --- a run still written when the study starts ----------------------------
s=$work/stray
"$tk" study "$work/study.json" --out "$s" --emit-slurm "$work/stray.sbatch" > /dev/null
"$tk" run "$s/runs/teacher-random__seed-2/input.json" --out "$s/runs/teacher-random__seed-2" \
    --resume --quiet 2> /dev/null &
bg=$!
wait_lines "$s/runs/teacher-random__seed-2/episodes.jsonl" 20
"$tk" study "$work/study.json" --out "$s" --jobs 2 --quiet > "$work/stray.out" 2> "$work/stray.err"
rc=$?
check "stray writer: the study refuses to start" test "$rc" -eq 1
check "stray writer: names the run and the pid" \
    grep -q "teacher-random__seed-2: teachkit process $bg is still writing this run" "$work/stray.err"
check "stray writer: no other run was started" test ! -e "$s/runs/teacher-random__seed-1/episodes.jsonl"
kill -TERM "$bg"
wait "$bg" 2>/dev/null
bg=
"$tk" study "$work/study.json" --out "$s" --jobs 2 --quiet > /dev/null 2>&1
check "stray writer: once it stopped, the study finishes" test $? -eq 0
check "stray writer: logs identical to the uninterrupted study" same_study "$work/ref" "$s"

checks_done
