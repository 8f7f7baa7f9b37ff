#!/bin/sh
# Bad numbers never reach a teacher (docs/reliability.md).  With the
# fault-injecting env and student and the sentinel teacher (which fails the
# run if any non-finite value reaches it):
#   - a NaN or infinite reward, observation (also the first one, from
#     reset) or action stops the run by default with one line naming the
#     component and the episode; the episodes before it are intact;
#   - with "on_nonfinite": "skip" the run finishes, the episode is logged
#     with "skipped" and a null return, counted in summary.json, and the
#     teacher's update never sees it; the student still gets end_episode
#     for an episode abandoned after its first act() (faulty-student checks
#     the act/observe/end_episode protocol and, with "log_ends", logs each
#     end_episode), but none for one whose reset observation was bad;
#   - a teacher sampling a NaN task is stopped by the host's bounds check;
#   - a non-finite reward in an evaluation episode stops the run.
# usage: nonfinite.sh TEACHKIT FAULTY_ENV_SO FAULTY_STUDENT_SO SENTINEL_SO FAULTY_TEACHER_SO
set -u
tk=$1
fenv=$2
fstu=$3
sentinel_so=$4
fteacher=$5
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

# Every line of a JSON Lines file is one complete JSON value without NaN.
jsonl_ok() {
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$1" <<'PY'
import json, sys
def no_constants(name):
    raise ValueError("non-finite constant " + name)
with open(sys.argv[1], "rb") as f:
    data = f.read()
if data and not data.endswith(b"\n"):
    sys.exit("last line is incomplete")
for n, line in enumerate(data.decode().splitlines(), 1):
    json.loads(line, parse_constant=no_constants)
PY
    else
        ! grep -qv '^{.*}$' "$1" && ! grep -qi 'nan\|inf' "$1"
    fi
}

# manifest NAME TEACHER ENV_CONFIG STUDENT_CONFIG [EXTRA_TOP_LEVEL_KEYS]
# 20 episodes of 4 steps; one test task evaluated at the end only, so the
# evaluation env (its own instance, its own episode count) plays 1 episode.
manifest() {
    cat > "$work/$1.json" <<JSON
{"name": "$1", "seed": 3, "budget": {"episodes": 20},
 "plugin_paths": ["$fenv", "$fstu", "$sentinel_so", "$fteacher"],
 "teacher": $2,
 "env": {"plugin": "faulty-env", "config": $3},
 "student": {"plugin": "faulty-student", "config": $4},
 "eval": {"at_start": false, "every_episodes": 0, "test_set": {"uniform": 1}},
 "log": {"teacher_snapshot_every": 1, "progress": "never"}$5}
JSON
}

# run NAME: runs it into $work/NAME.out; sets rc and err.
run() {
    "$tk" run "$work/$1.json" --out "$work/$1.out" --quiet >/dev/null 2>"$work/$1.err"
    rc=$?
    err=$work/$1.err
}

# The teacher's counters in its last snapshot: "updates", "step_updates"...
counter() { # run name, counter name
    tail -n 1 "$work/$1.out/teacher.jsonl" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

sentinel='{"plugin": "sentinel"}'
quiet_student='{"fault": "none"}'

# --- stop (the default) -------------------------------------------------
for case in nan-reward:reward:2 inf-reward:reward:2 nan-obs:observation:2 \
            inf-obs:observation:2 nan-reset-obs:observation:reset; do
    fault=${case%%:*}
    rest=${case#*:}
    what=${rest%%:*}
    where=${rest#*:}
    [ "$where" = reset ] && where="at reset" || where="step $where"
    manifest "stop-$fault" "$sentinel" "{\"fault\": \"$fault\", \"at_episode\": 3, \"at_step\": 1}" \
        "$quiet_student" ""
    run "stop-$fault"
    check "$fault: run exits 1" test "$rc" -eq 1
    check "$fault: one line on stderr" test "$(wc -l < "$err")" -eq 1
    check "$fault: message names the env, the value and the episode" \
        grep -qF "env \"faulty-env\" produced a non-finite $what in episode 3 ($where)" "$err"
    check "$fault: message points at on_nonfinite" grep -qF 'on_nonfinite: ' "$err"
    check "$fault: summary says failed" grep -q '"status": "failed"' "$work/stop-$fault.out/summary.json"
    check "$fault: the 3 episodes before it are logged" \
        test "$(wc -l < "$work/stop-$fault.out/episodes.jsonl")" -eq 3
    check "$fault: episodes.jsonl is whole, finite JSON" jsonl_ok "$work/stop-$fault.out/episodes.jsonl"
    check "$fault: the teacher saw 3 updates" test "$(counter "stop-$fault" updates)" = 3
done

for fault in nan-action inf-action; do
    # act call 13 is step 2 of episode 3 (4 steps per episode).
    manifest "stop-$fault" "$sentinel" '{"fault": "none"}' \
        "{\"fault\": \"$fault\", \"at_act\": 13}" ""
    run "stop-$fault"
    check "$fault: run exits 1" test "$rc" -eq 1
    check "$fault: message names the student, the value and the episode" \
        grep -qF 'student "faulty-student" produced a non-finite action in episode 3 (step 2)' "$err"
    check "$fault: the 3 episodes before it are logged" \
        test "$(wc -l < "$work/stop-$fault.out/episodes.jsonl")" -eq 3
    check "$fault: the teacher saw 3 updates" test "$(counter "stop-$fault" updates)" = 3
done

# --- skip -----------------------------------------------------------------
logging_student='{"fault": "none", "log_ends": true}'
# The student's end_episode lines on stderr: all, and those of abandoned
# episodes (the last observed transition had done = truncated = 0).
ends() { grep -c 'faulty-student: warning: end_episode: ' "$err"; }
cut_ends() { grep 'faulty-student: warning: end_episode: ' "$err" | grep -c "$1 boundary no\$"; }

# NaN rewards in episodes 2, 7, 12 and 17 (at their second step).
manifest skip-reward "$sentinel" '{"fault": "nan-reward", "at_episode": 2, "at_step": 1, "every": 5}' \
    "$logging_student" ', "on_nonfinite": "skip"'
run skip-reward
o=$work/skip-reward.out
check "skip: run finishes" test "$rc" -eq 0
check "skip: the student ended all 20 episodes" test "$(ends)" -eq 20
check "skip: 4 of them abandoned after 1 observed step, without a boundary" \
    test "$(cut_ends 'end_episode: 1 steps, return [^,]*,')" -eq 4
check "skip: summary says finished" grep -q '"status": "finished"' "$o/summary.json"
check "skip: summary counts 4 skipped episodes" grep -q '"skipped_episodes": 4' "$o/summary.json"
check "skip: 20 episode lines" test "$(wc -l < "$o/episodes.jsonl")" -eq 20
check "skip: episodes 2, 7, 12, 17 are marked skipped with a null return" \
    test "$(grep '"skipped":"non-finite reward from env"' "$o/episodes.jsonl" | grep '"return":null' |
            sed 's/^{"episode":\([0-9]*\),.*/\1/' | tr '\n' ' ')" = "2 7 12 17 "
check "skip: episodes.jsonl is whole, finite JSON" jsonl_ok "$o/episodes.jsonl"
check "skip: the teacher's update saw only the 16 good episodes" test "$(counter skip-reward updates)" = 16
# Steps before the bad one are finite and reach step_update: 16 x 4 + 4 x 1.
check "skip: step_update saw only finite steps" test "$(counter skip-reward step_updates)" = 68
check "skip: the run's manifest.json records the policy" grep -q '"on_nonfinite": "skip"' "$o/manifest.json"

manifest skip-reset "$sentinel" '{"fault": "nan-reset-obs", "at_episode": 0, "every": 3}' \
    "$logging_student" ', "on_nonfinite": "skip"'
run skip-reset
o=$work/skip-reset.out
check "skip reset: run finishes" test "$rc" -eq 0
check "skip reset: the student never saw the 7 bad episodes (13 end_episode calls)" \
    test "$(ends)" -eq 13
check "skip reset: every end_episode the student got had a boundary" test "$(cut_ends '')" -eq 0
check "skip reset: 7 skipped (episodes 0, 3, ..., 18)" grep -q '"skipped_episodes": 7' "$o/summary.json"
check "skip reset: episode_start never saw the NaN observation" \
    test "$(counter skip-reset episode_starts)" = 13
check "skip reset: update saw 13 episodes" test "$(counter skip-reset updates)" = 13

# act call 5 is step 2 of episode 1.
manifest skip-action "$sentinel" '{"fault": "none"}' \
    '{"fault": "inf-action", "at_act": 5, "log_ends": true}' ', "on_nonfinite": "skip"'
run skip-action
o=$work/skip-action.out
check "skip action: run finishes" test "$rc" -eq 0
check "skip action: the student ended all 20 episodes" test "$(ends)" -eq 20
check "skip action: episode 1 ended after 1 observed step (act 5 had no observe)" \
    test "$(cut_ends 'end_episode: 1 steps, return [^,]*,')" -eq 1
check "skip action: episode 1 skipped because of the student" \
    grep -q '^{"episode":1,.*"skipped":"non-finite action from student"}$' "$o/episodes.jsonl"
check "skip action: update saw 19 episodes" test "$(counter skip-action updates)" = 19

# --- teachers and evaluations ---------------------------------------------
manifest nan-task '{"plugin": "faulty-teacher", "config": {"mode": "nan", "fail_at": 3}}' \
    '{"fault": "none"}' "$quiet_student" ', "on_nonfinite": "skip"'
run nan-task
check "NaN task: run exits 1 even with skip" test "$rc" -eq 1
check "NaN task: the host's bounds check names the teacher and the episode" \
    grep -qF 'teacher "faulty-teacher" sampled task value nan for dimension "a" outside [0, 1] at episode 3' "$err"
check "NaN task: the env never got it (3 episodes logged)" \
    test "$(wc -l < "$work/nan-task.out/episodes.jsonl")" -eq 3

# The evaluation env faults in its first episode, the evaluation at start.
cat > "$work/eval-nan.json" <<JSON
{"name": "eval-nan", "budget": {"episodes": 20}, "on_nonfinite": "skip",
 "plugin_paths": ["$fenv", "$fstu", "$sentinel_so"],
 "teacher": {"plugin": "sentinel"},
 "env": {"plugin": "faulty-env", "config": {"fault": "inf-reward", "at_episode": 0, "at_step": 0}},
 "student": {"plugin": "faulty-student"},
 "eval": {"at_start": true, "test_set": {"uniform": 1}}}
JSON
run eval-nan
check "eval NaN: run exits 1" test "$rc" -eq 1
check "eval NaN: message names the env and the evaluation" \
    grep -qF 'env "faulty-env" returned a non-finite reward in an evaluation episode' "$err"

manifest bad-policy "$sentinel" '{}' '{}' ', "on_nonfinite": "ignore"'
"$tk" validate "$work/bad-policy.json" >/dev/null 2>"$work/bad-policy.err"
check "an unknown on_nonfinite policy is rejected" \
    grep -qF 'on_nonfinite: must be one of "stop", "skip"' "$work/bad-policy.err"

checks_done
