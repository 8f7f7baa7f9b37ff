#!/bin/sh
# Stopping a run (docs/reliability.md):
#   - SIGINT or SIGTERM: the run stops after the current episode, writes a
#     checkpoint, summary.json says "interrupted", exit status 130; then
#     `teachkit run --resume` (here from another working directory) finishes
#     it with logs byte-identical to an uninterrupted run;
#   - SIGKILL: nothing can be written, but the periodic checkpoint resumes
#     to the same identical logs;
#   - plugins without save/load: SIGINT still stops cleanly (status 130,
#     "interrupted", no checkpoint) and --resume starts over, again giving
#     the uninterrupted run's logs.
# The env sleeps 2 ms per episode so the signal lands mid-run; the teacher
# is ALP-GMM (a fitted GMM to save and restore), the student draws noise
# from its seeded stream (restored by the host).
# usage: signals.sh TEACHKIT FAULTY_ENV_SO FAULTY_STUDENT_SO SENTINEL_SO FAULTY_TEACHER_SO
set -u
tk=$1
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

# Plugins next to the manifest, found through a relative plugin_paths
# entry: a resume from another directory must resolve it the same way.
mkdir -p "$work/plugins" "$work/out"
cp "$2" "$3" "$4" "$5" "$work/plugins/"

# manifest NAME TEACHER CHECKPOINT
manifest() {
    cat > "$work/$1.json" <<JSON
{"name": "$1", "seed": 11, "budget": {"episodes": 1500},
 "plugin_paths": ["plugins"],
 "teacher": $2,
 "env": {"plugin": "faulty-env", "config": {"delay_ms": 2}},
 "student": {"plugin": "faulty-student"},
 "eval": {"every_episodes": 300, "test_set": {"uniform": 5}},
 "log": {"teacher_snapshot_every": 100, "progress": "never"},
 "checkpoint": $3}
JSON
}
alp='{"plugin": "alp-gmm", "config": {"fit_rate": 40}}'
manifest stop "$alp" '{"every_seconds": null}'
manifest periodic "$alp" '{"every_episodes": 50, "every_seconds": null}'
manifest nosave '{"plugin": "faulty-teacher", "config": {"mode": "error", "fail_at": 1000000000}}' \
    '{"every_seconds": null}'

# wait_lines FILE N: until FILE has N lines (logs reach the disk twice a
# second), at most 60 s.
wait_lines() {
    i=0
    while [ "$i" -lt 600 ]; do
        if [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# interrupt MANIFEST OUT SIGNAL: starts the run from $work, sends SIGNAL
# once 100 episodes are on disk, waits; sets rc.
interrupt() {
    (cd "$work" && exec "$tk" run "$1.json" --out "out/$2" --quiet) \
        > "$work/$2.stdout" 2> "$work/$2.err" &
    pid=$!
    wait_lines "$work/out/$2/episodes.jsonl" 100 || echo "note: $2: the run wrote no log in 60 s"
    kill "-$3" "$pid"
    wait "$pid" 2>/dev/null
    rc=$?
}

# resume MANIFEST OUT: from / with absolute paths; sets rc.
resume() {
    (cd / && exec "$tk" run "$work/$1.json" --out "$work/out/$2" --resume --quiet) \
        > "$work/$2.resume.stdout" 2> "$work/$2.resume.err"
    rc=$?
}

same_logs() { # reference dir, other dir
    for f in episodes.jsonl evals.jsonl teacher.jsonl; do
        cmp -s "$1/$f" "$2/$f" || { echo "    $f differs"; return 1; }
    done
}

(cd "$work" && "$tk" run stop.json --out out/ref --quiet) 2> "$work/ref.err"
check "reference run finishes" grep -q '"status": "finished"' "$work/out/ref/summary.json"
check "reference run has 1500 episodes" test "$(wc -l < "$work/out/ref/episodes.jsonl")" -eq 1500

for sig in INT TERM; do
    o=$work/out/$sig
    interrupt stop "$sig" "$sig"
    lines=$(wc -l < "$o/episodes.jsonl")
    check "SIG$sig: exit status 130" test "$rc" -eq 130
    check "SIG$sig: summary says interrupted" grep -q '"status": "interrupted"' "$o/summary.json"
    check "SIG$sig: stopped mid-run ($lines of 1500 episodes)" test "$lines" -lt 1500
    check "SIG$sig: the summary counts the episodes on disk" \
        grep -q "\"episodes\": $lines," "$o/summary.json"
    check "SIG$sig: a checkpoint was written" test -s "$o/checkpoint.bin"
    check "SIG$sig: nothing on stderr" test ! -s "$work/$sig.err"
    check "SIG$sig: a new run refuses the directory" \
        sh -c "cd '$work' && ! '$tk' run stop.json --out 'out/$sig' --quiet 2>/dev/null"
    resume stop "$sig"
    check "SIG$sig: --resume from another directory exits 0" test "$rc" -eq 0
    check "SIG$sig: --resume continued from the checkpoint (episode $lines)" \
        grep -q "env faulty-env: warning: restored after $lines resets" "$work/$sig.resume.err"
    check "SIG$sig: resumed run finished" grep -q '"status": "finished"' "$o/summary.json"
    check "SIG$sig: logs identical to the uninterrupted run" same_logs "$work/out/ref" "$o"
done

o=$work/out/KILL
interrupt periodic KILL KILL
check "SIGKILL: the process died of the signal" test "$rc" -eq 137
check "SIGKILL: a periodic checkpoint exists" test -s "$o/checkpoint.bin"
check "SIGKILL: every line on disk is whole" sh -c "! grep -qv '^{.*}\$' '$o/episodes.jsonl'"
resume periodic KILL
check "SIGKILL: --resume exits 0" test "$rc" -eq 0
check "SIGKILL: --resume continued from a periodic checkpoint" \
    grep -q "env faulty-env: warning: restored after [0-9]*[05]0 resets" "$work/KILL.resume.err"
check "SIGKILL: logs identical to the uninterrupted run" same_logs "$work/out/ref" "$o"

(cd "$work" && "$tk" run nosave.json --out out/nosave-ref --quiet) 2> /dev/null
o=$work/out/nosave
interrupt nosave nosave INT
check "no save/load: exit status 130" test "$rc" -eq 130
check "no save/load: summary says interrupted" grep -q '"status": "interrupted"' "$o/summary.json"
check "no save/load: no checkpoint" test ! -e "$o/checkpoint.bin"
resume nosave nosave
check "no save/load: --resume starts over and finishes" test "$rc" -eq 0
check "no save/load: nothing restored" sh -c "! grep -q restored '$work/nosave.resume.err'"
check "no save/load: logs identical to the uninterrupted run" same_logs "$work/out/nosave-ref" "$o"

checks_done
