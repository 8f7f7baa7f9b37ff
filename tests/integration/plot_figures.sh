#!/bin/sh
# `teachkit plot` on a run and on a study: the figures exist and are PNG,
# SVG and GIF files, gnuplot prints no warning, the animated curriculum has
# one frame per teacher snapshot, and a missing directory is refused with
# one line.  Skipped (exit 77) without gnuplot.
# usage: plot_figures.sh TEACHKIT_BINARY
set -u
tk=$1
command -v gnuplot > /dev/null 2>&1 || { echo "SKIP: gnuplot not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
is_gif() { [ "$(head -c 6 "$1")" = GIF89a ]; }
no_warning() { ! grep -qi 'warning' "$1"; }

cat > "$work/alp.json" <<'JSON'
{"name": "alp", "seed": 4, "budget": {"episodes": 2000},
 "teacher": {"plugin": "alp-gmm"}, "env": {"plugin": "toy-grid"},
 "eval": {"every_episodes": 500}, "log": {"teacher_snapshot_every": 500}}
JSON
check "run" sh -c "'$tk' run '$work/alp.json' --out '$work/alp' --quiet"
check "plot a run" sh -c "'$tk' plot '$work/alp' > '$work/alp.out' 2>&1"
check "no gnuplot warning on a run" no_warning "$work/alp.out"
for f in curve.png curriculum.png; do
    check "$f is a PNG" is_png "$work/alp/plots/$f"
done
check "curve.svg written" grep -q '<svg' "$work/alp/plots/curve.svg"
check "curriculum.gif is a GIF" is_gif "$work/alp/plots/curriculum.gif"
snaps=$(grep -c '"snapshot"' "$work/alp/teacher.jsonl")
frames=$(grep -c '^plot ' "$work/alp/plots/curriculum_gif.gp")
check "one frame per snapshot ($snaps snapshots, $frames frames)" test "$snaps" -gt 1 -a "$frames" -eq "$snaps"
# The snapshot at episode 0 has no sampled task yet: its frame draws only
# the teacher's model.
check "episode-0 frame names no empty task file" \
    sh -c "grep '^plot ' '$work/alp/plots/curriculum_gif.gp' | head -1 | grep -vq tasks_0.dat"
check "later frames draw their tasks" \
    sh -c "grep '^plot ' '$work/alp/plots/curriculum_gif.gp' | tail -1 | grep -q 'tasks_$((snaps - 1)).dat'"

cat > "$work/study.json" <<'JSON'
{"name": "small", "seed": {"range": [1, 3]}, "budget": {"episodes": 1000},
 "teacher": [{"plugin": "random"}, {"plugin": "riac"}], "env": {"plugin": "toy-grid"},
 "eval": {"every_episodes": 250}, "log": {"teacher_snapshot_every": 250}}
JSON
check "study" sh -c "'$tk' study '$work/study.json' --out '$work/study' --quiet > /dev/null 2>&1"
check "plot a study" sh -c "'$tk' plot '$work/study' > '$work/study.out' 2>&1"
check "no gnuplot warning on a study" no_warning "$work/study.out"
for f in curves.png final.png; do
    check "study $f is a PNG" is_png "$work/study/plots/$f"
done

check "missing directory refused" sh -c "! '$tk' plot '$work/nothing' 2> '$work/err.txt'"
check "one-line error naming the directory" \
    sh -c "test \$(wc -l < '$work/err.txt') -eq 1 && grep -q 'nothing' '$work/err.txt'"
checks_done
