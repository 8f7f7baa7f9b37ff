#!/bin/sh
# Kill and resume through the CLI, for every teacher on the toy env: a run
# killed with SIGKILL part-way and continued with --resume ends with
# episodes.jsonl, evals.jsonl and teacher.jsonl byte-identical to those of an
# uninterrupted run, and its summary says finished; resuming with another
# seed or another manifest is refused and leaves the run resumable.
# usage: kill_resume.sh TEACHKIT_BINARY
set -u
tk=$1
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

lines() { # lines of a file, 0 while it does not exist
    if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi
}

# manifest FILE NAME SEED EPISODES TEACHER: the teacher is the JSON of the
# manifest's "teacher" object.
manifest() {
    cat > "$1" <<JSON
{"name": "$2", "seed": $3, "budget": {"episodes": $4},
 "teacher": $5,
 "env": {"plugin": "toy-grid"}, "eval": {"every_episodes": 1000},
 "log": {"teacher_snapshot_every": 500}, "checkpoint": {"every_episodes": 1000}}
JSON
}

# A resume of run dir $2 with manifest $1 (and more options) must fail and
# say why.  (sh functions share their variables: hence the prefix.)
refused() {
    refused_m=$1 refused_dir=$2
    shift 2
    ! "$tk" run "$refused_m" --out "$refused_dir" --resume --quiet "$@" 2>"$work/refusal.err" &&
        grep -q "started from another manifest or seed" "$work/refusal.err"
}

# kill_resume NAME EPISODES TEACHER
kill_resume() {
    name=$1 total=$2
    m="$work/$name.json" a="$work/$name-a" b="$work/$name-b"
    manifest "$m" "$name" 5 "$total" "$3"
    manifest "$work/$name-other.json" "$name" 5 $((total + 1)) "$3"

    "$tk" run "$m" --out "$a" --quiet 2>"$work/$name-a.err" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null && [ "$(lines "$a/episodes.jsonl")" -le 8000 ]; do
        :
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
    logged=$(lines "$a/episodes.jsonl")
    check "$name: killed part-way (at $logged of $total episodes)" \
        test ! -e "$a/summary.json" -a "$logged" -gt 8000 -a "$logged" -lt "$total"
    check "$name: the killed run left a checkpoint" test -s "$a/checkpoint.bin"

    check "$name: resuming with another seed is refused" refused "$m" "$a" --seed 6
    check "$name: resuming with another manifest is refused" \
        refused "$work/$name-other.json" "$a"

    check "$name: resume runs to the end" "$tk" run "$m" --out "$a" --resume --quiet
    check "$name: uninterrupted run" "$tk" run "$m" --out "$b" --quiet
    for f in episodes evals teacher; do
        check "$name: $f.jsonl of the resumed run is byte-identical" \
            cmp -s "$a/$f.jsonl" "$b/$f.jsonl"
    done
    check "$name: $total episode lines" test "$(lines "$a/episodes.jsonl")" -eq "$total"
    check "$name: summary says finished" grep -q '"status": "finished"' "$a/summary.json"
}

kill_resume alp-gmm 30000 '{"plugin": "alp-gmm"}'
kill_resume alp-gmm-warm-bounded 30000 '{"plugin": "alp-gmm", "config": {"fit_rate": 150,
    "warm_start": true, "alp_max_size": 2000, "alp_buffer_size": 300}}'
kill_resume covar-gmm 30000 '{"plugin": "covar-gmm"}'
# Defaults such as riac's min_dims_range_ratio (1/15) and oracle's
# window_size_ratio (1/6) do not survive manifest.json's 12 digits exactly:
# the resume must still recognise its manifest.
kill_resume riac 30000 '{"plugin": "riac"}'
kill_resume riac-compat 30000 '{"plugin": "riac", "config": {"compat": "teachDeepRL"}}'
# Fast teachers get a longer run, so that the kill still lands part-way.
kill_resume oracle 60000 '{"plugin": "oracle", "config": {"window_step_vector": [0.05, 0.05],
    "reward_thr": 0.75}}'
kill_resume random 60000 '{"plugin": "random"}'
# Level replay: the buffer, staleness and the level in play; the env's
# stream reseeded from each level's seed.
kill_resume plr 60000 '{"plugin": "plr", "config": {"score": "env", "buffer_size": 100}}'
# Particles, both buffers and a batch in progress (checkpoints every 1000
# episodes fall 10 episodes into a batch of 30).
kill_resume currot 30000 '{"plugin": "currot", "config": {"n_samples": 100,
    "episodes_per_update": 30}}'

checks_done
