#!/bin/sh
# The toy-env comparison of the paper's teachers keeps the reference's
# ordering random < alp-gmm < riac < covar-gmm (original RIAC: compat mode),
# here over 4 seeds of 20,000 episodes each.
# usage: reference_order.sh TEACHKIT_BINARY COMPARE_TOOL
set -u
tk=$1
compare=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/study.json" <<'JSON'
{"name": "order", "seed": {"range": [1, 5]}, "budget": {"episodes": 20000},
 "teacher": [{"plugin": "random"}, {"plugin": "alp-gmm"},
             {"plugin": "riac", "label": "riac-compat", "config": {"compat": "teachDeepRL"}},
             {"plugin": "covar-gmm"}],
 "env": {"plugin": "toy-grid"}, "eval": {"every_episodes": 5000},
 "log": {"teacher_snapshot_every": 0}}
JSON
if ! "$tk" study "$work/study.json" --out "$work/s" --jobs 2 --quiet; then
    echo "0 passed, 1 failed"
    exit 1
fi
if python3 "$compare" "$work/s" --no-tolerance --check-order random,alp-gmm,riac-compat,covar-gmm; then
    echo "1 passed, 0 failed"
else
    echo "0 passed, 1 failed"
    exit 1
fi
