#!/bin/sh
# Plugins that fail (docs/reliability.md), in a single `teachkit run`:
#   - an env or student returning an error stops the run with one line
#     naming the component, the call and the plugin's own message; the
#     episodes before are intact and summary.json says "failed";
#   - a plugin config error names the manifest key;
#   - a plugin that crashes the process leaves only whole JSON lines;
#   - a plugin that leaks memory does not disturb the run, and the tooling
#     catches the leak: LeakSanitizer in sanitizer builds, valgrind
#     otherwise (a plugin's leak is the plugin's bug; this proves the CI
#     passes would report it).
# Crashes, aborts and hangs inside studies: study_isolation.sh.
# usage: plugin_faults.sh TEACHKIT FAULTY_ENV_SO FAULTY_STUDENT_SO SENTINEL_SO FAULTY_TEACHER_SO
set -u
tk=$1
fenv=$2
fstu=$3
sentinel_so=$4
fteacher=$5
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"
whole_lines() { ! grep -qv '^{.*}$' "$1"; }

# manifest NAME TEACHER ENV_CONFIG STUDENT_CONFIG [BUDGET]
manifest() {
    cat > "$work/$1.json" <<JSON
{"name": "$1", "seed": 5, "budget": {"episodes": ${5:-20}},
 "plugin_paths": ["$fenv", "$fstu", "$sentinel_so", "$fteacher"],
 "teacher": $2,
 "env": {"plugin": "faulty-env", "config": $3},
 "student": {"plugin": "faulty-student", "config": $4},
 "eval": {"at_start": false, "every_episodes": 0, "test_set": {"uniform": 1}},
 "log": {"progress": "never"}}
JSON
}
run() {
    "$tk" run "$work/$1.json" --out "$work/$1.out" --quiet >/dev/null 2>"$work/$1.err"
    rc=$?
    err=$work/$1.err
}

sentinel='{"plugin": "sentinel"}'

# --- errors returned by plugins -------------------------------------------
# name, env config, student config, expected message
while IFS='|' read -r name envc stuc expect; do
    [ -n "$name" ] || continue
    manifest "$name" "$sentinel" "$envc" "$stuc"
    run "$name"
    o=$work/$name.out
    check "$name: exits 1" test "$rc" -eq 1
    check "$name: one line on stderr" test "$(wc -l < "$err")" -eq 1
    check "$name: names the component, the call and the plugin's message" grep -qF "$expect" "$err"
    check "$name: the 3 episodes before it are logged" test "$(wc -l < "$o/episodes.jsonl")" -eq 3
    check "$name: whole lines only" whole_lines "$o/episodes.jsonl"
    check "$name: summary says failed" grep -q '"status": "failed"' "$o/summary.json"
done <<'CASES'
env-step-error|{"fault": "error", "at_episode": 3, "at_step": 2}|{}|env "faulty-env" failed in step: numerical failure: deliberate env failure at step 2 of episode 3
env-reset-error|{"fault": "error-reset", "at_episode": 3}|{}|env "faulty-env" failed in set_task/reset: numerical failure: deliberate env failure in reset of episode 3
student-act-error|{}|{"fault": "error-act", "at_act": 13}|student "faulty-student" failed in act: numerical failure: deliberate student failure in act call 13
student-observe-error|{}|{"fault": "error-observe", "at_act": 13}|student "faulty-student" failed in observe: numerical failure: deliberate student failure in observe after act call 13
student-end-error|{}|{"fault": "error-end", "at_act": 13}|student "faulty-student" failed in end_episode: numerical failure: deliberate student failure in end_episode
CASES

manifest config-error "$sentinel" '{"fault": "sometimes"}' '{}'
"$tk" validate "$work/config-error.json" >/dev/null 2>"$work/config-error.err"
check "plugin config error: validate exits 1" test $? -eq 1
check "plugin config error: names the manifest key" \
    grep -qF 'config-error.json: env.config.fault: must be one of' "$work/config-error.err"
manifest config-range "$sentinel" '{"steps": 0}' '{}'
"$tk" validate "$work/config-range.json" >/dev/null 2>"$work/config-range.err"
check "plugin range error: names the manifest key" \
    grep -qF 'env.config.steps: ' "$work/config-range.err"

# --- a crash in a single run ----------------------------------------------
# The faulty teacher dies of SIGSEGV at episode 1500; the env sleeps 1 ms
# per episode so the logs are flushed (twice a second) before it.
manifest crash '{"plugin": "faulty-teacher", "config": {"mode": "segv", "fail_at": 1500}}' \
    '{"delay_ms": 1}' '{}' 3000
run crash
o=$work/crash.out
lines=$(wc -l < "$o/episodes.jsonl")
check "crash: the run does not exit 0" test "$rc" -ne 0
check "crash: not reported as finished" sh -c "! grep -q '\"finished\"' '$o/summary.json' 2>/dev/null"
check "crash: lines flushed before the crash are on disk" test "$lines" -gt 0
check "crash: every line on disk is whole" whole_lines "$o/episodes.jsonl"
check "crash: no line after the crash" test "$lines" -le 1500

# --- leaks ----------------------------------------------------------------
# One block of exactly 4242 bytes (env) and 4243 bytes (student) leaked in
# create; the host must not care, the tooling must see them.
manifest leak "$sentinel" '{"leak_bytes": 4242}' '{"leak_bytes": 4243}'
if grep -q __asan_init "$tk" 2>/dev/null; then
    case "${ASAN_OPTIONS:-}" in
    *detect_leaks=0*)
        echo "SKIP: leak detection: ASAN_OPTIONS has detect_leaks=0" ;;
    *)
        run leak
        check "leak (ASan): the run itself finished" grep -q '"status": "finished"' "$work/leak.out/summary.json"
        check "leak (ASan): LeakSanitizer fails the process" test "$rc" -ne 0
        check "leak (ASan): the env's 4242 bytes are reported" grep -q 'leak of 4242 byte' "$err"
        check "leak (ASan): the student's 4243 bytes are reported" grep -q 'leak of 4243 byte' "$err"
        ;;
    esac
elif command -v valgrind >/dev/null 2>&1; then
    # OPENBLAS_NUM_THREADS set: under valgrind teachkit does not re-execute
    # itself to set it (core/host/main.c).
    OPENBLAS_NUM_THREADS=1 valgrind --leak-check=full --error-exitcode=99 "$tk" run "$work/leak.json" \
        --out "$work/leak.out" --quiet >/dev/null 2>"$work/leak.err"
    rc=$?
    err=$work/leak.err
    check "leak (valgrind): the run itself finished" grep -q '"status": "finished"' "$work/leak.out/summary.json"
    check "leak (valgrind): valgrind fails the process" test "$rc" -eq 99
    check "leak (valgrind): the env's 4242 bytes are definitely lost" \
        grep -q '4,242 bytes in 1 blocks are definitely lost' "$err"
    check "leak (valgrind): the student's 4243 bytes are definitely lost" \
        grep -q '4,243 bytes in 1 blocks are definitely lost' "$err"
else
    echo "SKIP: leak detection: neither a sanitizer build nor valgrind"
fi
# Without the leaks, the same run is clean under the same tooling.
manifest noleak "$sentinel" '{}' '{}'
run noleak
check "no leak: clean exit" test "$rc" -eq 0
check "no leak: nothing reported" sh -c "! grep -q 'LeakSanitizer\|definitely lost' '$err'"

checks_done
