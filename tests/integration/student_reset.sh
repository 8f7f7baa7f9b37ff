#!/bin/sh
# The forgetting student (manifest "student_reset"): a student reset every N
# env steps is re-created before the first episode that starts at or after
# each multiple of N, so a run's first episodes match a run without resets
# and later ones differ; the reset count is in summary.json; and a run
# killed after a reset and resumed ends byte-identical to an uninterrupted
# one (the checkpoint covers the count: a lost count would reset again).
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
checks_done
