#!/bin/sh
# End to end on the toy env through the CLI: a run writes every file with
# the documented content, is byte-reproducible for a seed, differs for
# another seed, never overwrites an existing run, and `list` shows the
# bundled plugins.
# usage: toy_end_to_end.sh TEACHKIT_BINARY
set -u
tk=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

cat > "$work/m.json" <<'JSON'
{"name": "e2e", "seed": 7, "budget": {"episodes": 3000},
 "teacher": {"plugin": "alp-gmm", "config": {"fit_rate": 100}},
 "env": {"plugin": "toy-grid"}, "eval": {"every_episodes": 1000},
 "log": {"teacher_snapshot_every": 500}}
JSON

check "validate accepts the manifest" sh -c "'$tk' validate '$work/m.json' >/dev/null"
check "run a" sh -c "'$tk' run '$work/m.json' --out '$work/a' --quiet"
check "run b (same seed)" sh -c "'$tk' run '$work/m.json' --out '$work/b' --quiet"
check "run c (other seed)" sh -c "'$tk' run '$work/m.json' --out '$work/c' --seed 8 --quiet"
for f in manifest.json episodes.jsonl evals.jsonl teacher.jsonl summary.json; do
    check "a/$f exists" test -s "$work/a/$f"
done
check "3000 episode lines" test "$(wc -l < "$work/a/episodes.jsonl")" -eq 3000
check "evaluations at 0, 1000, 2000, 3000" \
    test "$(grep -c '"mastered_pct"' "$work/a/evals.jsonl")" -eq 4
check "snapshots every 500 episodes (0..3000)" \
    test "$(wc -l < "$work/a/teacher.jsonl")" -eq 7
check "same seed gives byte-identical episodes" cmp -s "$work/a/episodes.jsonl" "$work/b/episodes.jsonl"
check "same seed gives identical evals" cmp -s "$work/a/evals.jsonl" "$work/b/evals.jsonl"
check "another seed gives other episodes" sh -c "! cmp -s '$work/a/episodes.jsonl' '$work/c/episodes.jsonl'"
check "episode line has the documented fields" \
    grep -q '^{"episode":0,"task":\[[-0-9.e]*,[-0-9.e]*\],"return":[-0-9.e]*,"return_norm":[-0-9.e]*,"steps":1,"env_steps":1,"success":\(true\|false\)}$' "$work/a/episodes.jsonl"
check "resolved manifest has the teacher defaults" grep -q '"random_task_ratio"' "$work/a/manifest.json"
check "summary says finished" grep -q '"status": "finished"' "$work/a/summary.json"
check "summary has the time split" grep -q '"teacher":' "$work/a/summary.json"
check "an existing run is never overwritten" \
    sh -c "! '$tk' run '$work/m.json' --out '$work/a' --quiet 2>/dev/null"
check "the existing run is intact" cmp -s "$work/a/episodes.jsonl" "$work/b/episodes.jsonl"
check "list shows alp-gmm and toy-grid" sh -c "'$tk' list | grep -q alp-gmm && '$tk' list | grep -q toy-grid"
cat > "$work/bad_study.json" <<'JSON'
{"seed": [1, 2], "budget": {"episodes": 5}, "env": {"plugin": "toy-grid"},
 "teacher": [{"plugin": "random"}, {"plugin": "alp-gmm", "config": {"fit_rate": -1}}]}
JSON
check "validate checks a study run by run" \
    sh -c "'$tk' validate '$work/bad_study.json' 2>&1 | grep -q 'teacher.config.fit_rate: .*(in run teacher-alp-gmm__seed-1)'"
check "validate accepts the default study" \
    sh -c "'$tk' validate '$(dirname "$0")/../../examples/default_study.json' | grep -q 'study of 60 runs'"
check "run --help works" sh -c "'$tk' run --help | grep -q usage"
checks_done
