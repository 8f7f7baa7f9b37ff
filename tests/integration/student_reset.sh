#!/bin/sh
# The forgetting student (manifest "student_reset"): a student reset every N
# env steps is re-created before the first episode that starts at or after
# each multiple of N, so a run's first episodes match a run without resets
# and later ones differ; the reset count is in summary.json; and a run
# killed after a reset and resumed ends byte-identical to an uninterrupted
# one (the checkpoint covers the count: a lost count would reset again).
# The same for an env that simulates its learner (toy-grid): the reset
# re-creates the env, so the learner forgets too.
# usage: student_reset.sh TEACHKIT_BINARY
set -u
tk=$1
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }

# manifest FILE RESET: pendulum episodes are 200 steps, so a reset every
# 600 steps comes before episodes 3, 6 and 9 of 12.
manifest() {
    cat > "$1" <<JSON
{"name": "forgetting", "seed": 4, "budget": {"env_steps": 2400},
 "teacher": {"plugin": "random"},
 "env": {"plugin": "pendulum"},
 "student": {"plugin": "sac", "config": {"hidden_sizes": [16, 16], "batch_size": 32,
             "start_steps": 300, "train_freq": 10, "buffer_size": 5000}},
 "eval": {"every_env_steps": 1200, "test_set": {"uniform": 3}},
 "log": {"progress": "never"}, "checkpoint": {"every_episodes": 1}
 $2}
JSON
}
manifest "$work/reset.json" ', "student_reset": {"every_env_steps": 600}'
manifest "$work/plain.json" ''

check "validate accepts student_reset" "$tk" validate "$work/reset.json"
check "run with resets" "$tk" run "$work/reset.json" --out "$work/a" --quiet
check "run without resets" "$tk" run "$work/plain.json" --out "$work/p" --quiet
check "summary counts the multiples of 600 passed before the last episode" \
    grep -q '"student_resets": 3' "$work/a/summary.json"
check "the resolved manifest keeps student_reset" \
    grep -q '"every_env_steps": 600' "$work/a/manifest.json"
head -n 3 "$work/p/episodes.jsonl" > "$work/p.head"
head -n 3 "$work/a/episodes.jsonl" > "$work/a.head"
check "the first three episodes are those of a run without resets" \
    cmp -s "$work/a.head" "$work/p.head"
check "the episodes after the first reset differ" \
    sh -c "! cmp -s '$work/a/episodes.jsonl' '$work/p/episodes.jsonl'"

# Killed after the first reset (episode 5 of 12), resumed.
"$tk" run "$work/reset.json" --out "$work/k" --quiet 2>"$work/k.err" &
pid=$!
while kill -0 "$pid" 2>/dev/null && [ "$(lines "$work/k/episodes.jsonl")" -lt 5 ]; do
    sleep 0.01
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
logged=$(lines "$work/k/episodes.jsonl")
check "killed part-way (at $logged of 12 episodes, after a reset)" \
    test ! -e "$work/k/summary.json" -a "$logged" -ge 4 -a "$logged" -lt 12
check "resume runs to the end" "$tk" run "$work/reset.json" --out "$work/k" --resume --quiet
for f in episodes evals; do
    check "$f.jsonl of the resumed run is byte-identical" cmp -s "$work/k/$f.jsonl" "$work/a/$f.jsonl"
done
check "the resumed run counts 3 resets" grep -q '"student_resets": 3' "$work/k/summary.json"

# An env that simulates its learner (toy-grid, student "none") is the
# learner: the reset re-creates it too.  Random on the toy grid, reset every
# 20,000 steps (episodes of one step) of 60,000.
toy() {
    cat > "$1" <<JSON
{"name": "forgetting-toy", "seed": 3, "budget": {"episodes": 60000},
 "teacher": {"plugin": "random"}, "env": {"plugin": "toy-grid"},
 "eval": {"every_episodes": 20000}, "log": {"progress": "never"},
 "checkpoint": {"every_episodes": 1000} $2}
JSON
}
toy "$work/toy-reset.json" ', "student_reset": {"every_env_steps": 20000}'
toy "$work/toy-plain.json" ''
check "toy: run with resets" "$tk" run "$work/toy-reset.json" --out "$work/ta" --quiet
check "toy: run without resets" "$tk" run "$work/toy-plain.json" --out "$work/tp" --quiet
check "toy: summary counts 2 resets" grep -q '"student_resets": 2' "$work/ta/summary.json"
# returns RUN: the highest return of the ten episodes from 20,000 and from
# 40,000 (a fresh learner has at most 10 points after ten episodes, 0.10),
# and the evaluations' mastered_pct, one line.
returns() {
    python3 - "$1" <<'PY'
import json, sys
ret = [json.loads(l)["return"] for l in open(sys.argv[1] + "/episodes.jsonl")]
ev = [json.loads(l)["mastered_pct"] for l in open(sys.argv[1] + "/evals.jsonl")]
print(max(ret[20000:20010]), max(ret[40000:40010]), *ev)
PY
}
set -- $(returns "$work/ta")
check "toy: the learner had learnt before the reset (evaluated at 20,000: $4 %)" \
    python3 -c "import sys; sys.exit(not float('$4') > 0)"
check "toy: the ten episodes after each reset play a fresh learner (at most $1, $2)" \
    python3 -c "import sys; sys.exit(not (float('$1') <= 0.1 and float('$2') <= 0.1))"
set -- $(returns "$work/tp")
check "toy: without resets the same episodes play a learnt grid (up to $1, $2)" \
    python3 -c "import sys; sys.exit(not (float('$1') > 0.1 and float('$2') > 0.1))"
"$tk" run "$work/toy-reset.json" --out "$work/tk" --quiet 2>"$work/tk.err" &
pid=$!
while kill -0 "$pid" 2>/dev/null && [ "$(lines "$work/tk/episodes.jsonl")" -le 25000 ]; do
    :
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
logged=$(lines "$work/tk/episodes.jsonl")
check "toy: killed after the first reset (at $logged of 60000 episodes)" \
    test ! -e "$work/tk/summary.json" -a "$logged" -gt 25000 -a "$logged" -lt 60000
check "toy: resume runs to the end" "$tk" run "$work/toy-reset.json" --out "$work/tk" --resume \
    --quiet
for f in episodes evals; do
    check "toy: $f.jsonl of the resumed run is byte-identical" \
        cmp -s "$work/tk/$f.jsonl" "$work/ta/$f.jsonl"
done
checks_done
