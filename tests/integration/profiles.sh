#!/bin/sh
# The challenge profiles of examples/profiles/: every manifest passes
# `teachkit validate`; every full-scale one (Stump Tracks) gives a SLURM job
# array with one task per run; and every fast proxy runs as a study once
# reduced to two seeds (the CI form: seconds), every run finished and
# reported: the pendulum proxies for two episodes, the toy-grid ones for 200
# (a reset every 70, where the manifest asks for one).
# usage: profiles.sh TEACHKIT_BINARY PROFILES_DIR
set -u
tk=$1
dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

quiet() { "$@" > "$work/last.out" 2>&1; }

count=0
for m in "$dir"/*.json; do
    name=$(basename "$m" .json)
    count=$((count + 1))
    check "$name: validate" sh -c "'$tk' validate '$m' > '$work/$name.validate' 2>&1"
    runs=$(sed -n 's/.*study of \([0-9]*\) runs.*/\1/p' "$work/$name.validate")
    case $name in
    *_stump_tracks)
        check "$name: --emit-slurm" quiet "$tk" study "$m" --out "$work/$name" \
            --emit-slurm "$work/$name.sbatch" --quiet
        check "$name: a job array of its $runs runs" \
            grep -q "^#SBATCH --array=0-$((runs - 1))\$" "$work/$name.sbatch"
        check "$name: every task runs one index" \
            grep -q -- '--only-index "$SLURM_ARRAY_TASK_ID"' "$work/$name.sbatch"
        ;;
    *_pendulum)
        # The CI form: the proxy with two seeds, two episodes, one evaluation.
        python3 - "$m" "$work/$name.ci.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["seed"] = [1, 2]
m["budget"] = {"episodes": 2}
m["eval"] = {"every_episodes": 0, "at_start": False, "test_set": {"grid": 2}}
json.dump(m, open(sys.argv[2], "w"))
PY
        check "$name: the CI form runs" quiet "$tk" study "$work/$name.ci.json" --jobs 2 \
            --out "$work/$name.ci" --quiet
        check "$name: $((runs / 2)) runs finished" test "$(grep -l '"status": "finished"' \
            "$work/$name.ci"/runs/*/summary.json | wc -l)" -eq $((runs / 2))
        check "$name: reported" test -s "$work/$name.ci/report.csv"
        ;;
    *_toy_grid)
        python3 - "$m" "$work/$name.ci.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["seed"] = [1, 2]
m["budget"] = {"episodes": 200}
m["eval"] = {"every_episodes": 0, "at_start": False}
if "student_reset" in m:
    m["student_reset"] = {"every_env_steps": 70}
json.dump(m, open(sys.argv[2], "w"))
PY
        check "$name: the CI form runs" quiet "$tk" study "$work/$name.ci.json" --jobs 2 \
            --out "$work/$name.ci" --quiet
        check "$name: $((runs / 2)) runs finished" test "$(grep -l '"status": "finished"' \
            "$work/$name.ci"/runs/*/summary.json | wc -l)" -eq $((runs / 2))
        check "$name: reported" test -s "$work/$name.ci/report.csv"
        if grep -q '"student_reset"' "$m"; then
            check "$name: every run reset its learner twice (at 70 and 140)" test "$(grep -l \
                '"student_resets": 2' "$work/$name.ci"/runs/*/summary.json | wc -l)" -eq $((runs / 2))
        fi
        ;;
    *)
        check "$name: named *_stump_tracks (full scale), *_pendulum or *_toy_grid (proxies)" \
            false
        ;;
    esac
done
check "eighteen profiles (six at full scale, six proxies on each of pendulum and toy grid)" \
    test "$count" -eq 18
checks_done
