#!/bin/sh
# The SAC step as `teachkit run` pays it, next to bench_sac's step, in one
# run: stump-tracks (default walker) with sac at the paper's sizes (400-300,
# batch 1000) and one gradient step per env step (train_freq 1), for each
# precision the CPU runs; prints the student's time per env step (one act,
# one stored transition, one gradient step with replay sampling) from
# summary.json, bench_sac's step at batch 1000, and their ratio (target:
# within 15 %).  The runs are short (1,500 env steps): the buffer stays
# small, so sampling is cheap in both.
# usage: sh tools/bench/bench_sac_e2e.sh [BUILD_DIR]   (default build-release)
set -eu
build=${1:-build-release}
tk=$build/teachkit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$build/tools/bench/bench_sac" --no-replay --steps 20 > "$work/bench.txt"
head -1 "$work/bench.txt"
for precision in fp32 bf16; do
    bench_ms=$(sed -n "s/^teachkit SAC step, batch 1000, $precision: *\([0-9.]*\) ms.*/\1/p" \
        "$work/bench.txt")
    [ -n "$bench_ms" ] || { echo "$precision: not run on this CPU"; continue; }
    cat > "$work/$precision.json" <<JSON
{"name": "sac-e2e-$precision", "seed": 1, "budget": {"env_steps": 1500},
 "teacher": {"plugin": "random"}, "env": {"plugin": "stump-tracks"},
 "student": {"plugin": "sac", "config": {"train_freq": 1, "start_steps": 0,
             "buffer_size": 100000, "precision": "$precision"}},
 "eval": {"every_episodes": 0}, "log": {"teacher_snapshot_every": 0, "progress": "never"}}
JSON
    "$tk" run "$work/$precision.json" --out "$work/run-$precision" --quiet
    python3 - "$work/run-$precision/summary.json" "$precision" "$bench_ms" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
per_step = 1e3 * s["time_seconds"]["student"] / s["env_steps"]
bench = float(sys.argv[3])
ratio = per_step / bench
print(f"{sys.argv[2]}: teachkit run {per_step:.2f} ms of student time per env step "
      f"({s['env_steps']} steps, {s['runtime']['student']['precision']}), bench_sac step "
      f"{bench:.2f} ms -> {ratio:.2f}x ({'within' if abs(ratio - 1) <= 0.15 else 'NOT within'} 15 %)")
PY
done
