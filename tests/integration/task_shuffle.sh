#!/bin/sh
# The rugged task space (manifest "task_shuffle") through the CLI: with it,
# every episode line carries the teacher's task in "task" and the task the
# env played in "env_task", each value moved by a whole number of interval
# widths with one interval permutation per dimension for the whole run
# (the seeded shuffle of the run seed); without it, lines have no
# "env_task"; two runs are byte-identical.
# usage: task_shuffle.sh TEACHKIT_BINARY
set -u
tk=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

manifest() {
    cat > "$1" <<JSON
{"name": "rugged", "seed": 3, "budget": {"episodes": 400},
 "teacher": {"plugin": "alp-gmm", "config": {"fit_rate": 100}},
 "env": {"plugin": "toy-grid"},
 "eval": {"every_episodes": 200}, "log": {"progress": "never"} $2}
JSON
}
manifest "$work/rugged.json" ', "task_shuffle": {"cuttings": 4}'
manifest "$work/plain.json" ''

check "run on the shuffled space" "$tk" run "$work/rugged.json" --out "$work/a" --quiet
check "again" "$tk" run "$work/rugged.json" --out "$work/b" --quiet
check "run on the env's space" "$tk" run "$work/plain.json" --out "$work/p" --quiet
check "episodes.jsonl is reproducible" cmp -s "$work/a/episodes.jsonl" "$work/b/episodes.jsonl"
check "no env_task without task_shuffle" sh -c "! grep -q env_task '$work/p/episodes.jsonl'"

# Toy grid: [0, 1] per dimension, 4 intervals of width 0.25.
check "each interval is played where one other interval lies, for the whole run" \
    python3 - "$work/a/episodes.jsonl" <<'PY'
import json, sys
seen = {}
moved = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    for d, (t, v) in enumerate(zip(e["task"], e["env_task"])):
        j = min(3, max(0, next(i for i in range(4) if t <= 0.25 * (i + 1))))
        k = round((v - (t - 0.25 * j)) / 0.25)
        assert abs((v - 0.25 * k) - (t - 0.25 * j)) < 1e-6, (t, v)
        assert seen.setdefault((d, j), k) == k, (d, j, k)
        moved += j != k
for d in range(2):
    images = sorted(seen[(d, j)] for j in range(4) if (d, j) in seen)
    assert len(set(images)) == len(images), images
assert moved, "the shuffle moved nothing"
PY
checks_done
