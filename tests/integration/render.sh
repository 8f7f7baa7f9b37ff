#!/bin/sh
# `teachkit render` replays a run's student, restored from the run's final
# checkpoint, on a chosen task and writes PNG frames and an animated GIF
# that decode and agree (check_images.py); bad tasks and envs that cannot
# draw get one-line errors.
# usage: render.sh TEACHKIT_BINARY SOURCE_ROOT
set -u
tk=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"
cat > "$work/walk.json" <<JSON
{"name": "walk", "seed": 3, "budget": {"episodes": 4},
 "teacher": {"plugin": "random"}, "env": {"plugin": "stump-tracks"},
 "eval": {"every_episodes": 0, "at_start": false,
          "test_set": {"file": "$root/data/test_sets/tdrl_stump_tracks.json"}}}
JSON
check "run" sh -c "'$tk' run '$work/walk.json' --out '$work/run' --quiet 2>/dev/null"
check "final checkpoint written" test -s "$work/run/checkpoint.bin"
check "render" sh -c "'$tk' render '$work/run' --task 1.5,2.0 --every 5 --max-frames 30 --size 300x200 > '$work/out.txt' 2>&1"
check "render restored the student after 4 episodes" grep -q 'after 4 episodes' "$work/out.txt"
check "PNG and GIF decode and agree" python3 "$root/tests/integration/check_images.py" "$work/run/render"
check "out-of-range task refused" sh -c "'$tk' render '$work/run' --task 9,1 2>&1 | grep -q outside"
check "wrong number of values refused" sh -c "'$tk' render '$work/run' --task 1 2>&1 | grep -q 'expected 2'"
cat > "$work/toy.json" <<'JSON'
{"name": "toy", "budget": {"episodes": 10}, "teacher": {"plugin": "random"},
 "env": {"plugin": "toy-grid"}}
JSON
"$tk" run "$work/toy.json" --out "$work/toy" --quiet
check "self-evaluating env refused" sh -c "'$tk' render '$work/toy' --task 0.5,0.5 2>&1 | grep -q 'nothing to draw'"
checks_done
