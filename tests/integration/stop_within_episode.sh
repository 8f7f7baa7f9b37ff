#!/bin/sh
# A stop inside an episode (docs/reliability.md): with a student that
# declares "checkpoint-within-episode" (sac, ppo), SIGINT stops the run at
# the next step, or between two gradient steps of sac's end-of-episode
# updates, with a checkpoint; `--resume` replays the episode's actions
# through the env and finishes with logs byte-identical to an uninterrupted
# run.  The faulty env sends the process SIGINT inside a chosen step (and
# not again once restored), so each stop lands at a known point:
#   - mid-episode: step 60 of episode 5: the 5 earlier episodes are logged,
#     episode 5 is not;
#   - at the episode's end: its last step, then sac's end_episode stops
#     before its gradient steps: again episode 5 is not logged.
# usage: stop_within_episode.sh TEACHKIT FAULTY_ENV_SO FAULTY_STUDENT_SO SENTINEL_SO ...
set -u
tk=$1
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"
mkdir -p "$work/plugins" "$work/out"
cp "$2" "$work/plugins/"

sac='{"plugin": "sac", "config": {"hidden_sizes": [16, 16], "batch_size": 16,
      "start_steps": 150, "train_freq": 1, "buffer_size": 5000}}'
ppo='{"plugin": "ppo", "config": {"hidden_sizes": [16, 16], "nsteps": 64, "minibatch_size": 32,
      "epochs": 2}}'

# manifest NAME STUDENT FAULT AT_STEP
manifest() {
    cat > "$work/$1.json" <<JSON
{"name": "$1", "seed": 5, "budget": {"episodes": 12},
 "plugin_paths": ["plugins"],
 "teacher": {"plugin": "random"},
 "env": {"plugin": "faulty-env",
         "config": {"steps": 100, "fault": "$3", "at_episode": 5, "at_step": $4}},
 "student": $2,
 "eval": {"every_episodes": 4, "test_set": {"uniform": 2}},
 "log": {"progress": "never"},
 "checkpoint": {"every_seconds": null}}
JSON
}

same_logs() { # reference dir, other dir
    for f in episodes.jsonl evals.jsonl; do
        cmp -s "$1/$f" "$2/$f" || { echo "    $f differs"; return 1; }
    done
}

# case NAME STUDENT AT_STEP
case_() {
    manifest "$1-ref" "$2" none 0
    manifest "$1" "$2" sigint "$3"
    (cd "$work" && "$tk" run "$1-ref.json" --out "out/$1-ref" --quiet) 2> "$work/$1-ref.err"
    check "$1: reference run finishes" grep -q '"status": "finished"' "$work/out/$1-ref/summary.json"
    (cd "$work" && "$tk" run "$1.json" --out "out/$1" --quiet) 2> "$work/$1.err"
    rc=$?
    o=$work/out/$1
    check "$1: exit status 130" test "$rc" -eq 130
    check "$1: summary says interrupted" grep -q '"status": "interrupted"' "$o/summary.json"
    check "$1: stopped inside episode 5 (5 episodes logged)" test "$(wc -l < "$o/episodes.jsonl")" -eq 5
    check "$1: a checkpoint was written" test -s "$o/checkpoint.bin"
    (cd / && "$tk" run "$work/$1.json" --out "$o" --resume --quiet) 2> "$work/$1.resume.err"
    rc=$?
    check "$1: --resume exits 0" test "$rc" -eq 0
    check "$1: resumed run finished" grep -q '"status": "finished"' "$o/summary.json"
    check "$1: logs identical to the uninterrupted run" same_logs "$work/out/$1-ref" "$o"
}

case_ sac-mid-episode "$sac" 60
case_ sac-end-of-episode "$sac" 99
case_ ppo-mid-episode "$ppo" 60

checks_done
