#!/bin/sh
# Baseline files: `teachkit report --export-baseline` writes each group's n,
# mean and std of the final mastered_pct and AUC, every run's seed, final
# (that of its summary.json) and AUC, and the learning curve; `teachkit
# report --against` compares a study with such a file without rerunning it:
# against itself every difference is zero, against other seeds the
# table carries Welch's p-values and against.csv both curves.
# usage: baselines.sh TEACHKIT_BINARY
set -u
tk=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

study() { # FILE SEEDS
    cat > "$1" <<JSON
{"name": "baseline-toy", "seed": $2, "budget": {"episodes": 3000},
 "teacher": [{"plugin": "random"}, {"plugin": "alp-gmm", "config": {"fit_rate": 100}}],
 "env": {"plugin": "toy-grid"}, "eval": {"every_episodes": 1000},
 "log": {"progress": "never"}}
JSON
}
study "$work/a.json" '[1, 2, 3]'
study "$work/b.json" '[4, 5, 6]'
quiet() { "$@" > "$work/last.out" 2>&1; }
check "study a" quiet "$tk" study "$work/a.json" --jobs 2 --out "$work/a"
check "study b" quiet "$tk" study "$work/b.json" --jobs 2 --out "$work/b"
check "export a baseline" quiet "$tk" report "$work/a" --export-baseline "$work/a.baseline.json"
check "the baseline holds each run's final, its groups' statistics and curves" \
    python3 - "$work/a" "$work/a.baseline.json" <<'PY'
import json, statistics, sys, os
study, b = sys.argv[1], json.load(open(sys.argv[2]))
assert b["format"] == "teachkit-baseline/1" and b["study"] == "baseline-toy", b
groups = {g["group"]: g for g in b["groups"]}
assert sorted(groups) == ["teacher-alp-gmm", "teacher-random"], groups.keys()
for name, g in groups.items():
    assert g["n"] == 3 and g["seeds"] == [1, 2, 3], g
    for seed, final in zip(g["seeds"], g["finals"]):
        s = json.load(open(os.path.join(study, "runs", "%s__seed-%d" % (name, seed), "summary.json")))
        assert abs(s["final_mastered_pct"] - final) < 1e-6, (name, seed)
    assert abs(g["final"]["mean"] - statistics.mean(g["finals"])) < 1e-6
    assert abs(g["final"]["std"] - statistics.stdev(g["finals"])) < 1e-6
    assert g["curve"]["episode"] == [0, 1000, 2000, 3000], g["curve"]
    assert g["curve"]["n"] == [3, 3, 3, 3]
    assert abs(g["curve"]["mean"][-1] - g["final"]["mean"]) < 1e-6
PY
check "a study against its own baseline" quiet "$tk" report "$work/a" --against "$work/a.baseline.json"
check "differences are zero" test "$(grep -c '^| teacher-.* | +0.00 | ' "$work/a/against.md")" -eq 2
check "another study against the baseline" quiet "$tk" report "$work/b" --against "$work/a.baseline.json"
check "two groups compared" test "$(grep -c '^| teacher-' "$work/b/against.md")" -eq 2
check "the curves side by side" test "$(wc -l < "$work/b/against.csv")" -eq 9
check "a file that is not a baseline is refused" sh -c "! '$tk' report '$work/b' \
    --against '$work/a.json' > /dev/null 2>&1"
checks_done
