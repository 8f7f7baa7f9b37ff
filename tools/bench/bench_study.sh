#!/bin/sh
# Study throughput and per-run launch overhead, measured side by side:
#   1. the same study of 40 short ALP-GMM toy runs with --jobs 1 and
#      --jobs 2: wall times and their ratio (the parallel speed-up);
#   2. 100 runs of a single episode each: wall time per run, i.e. what a
#      run costs beyond its own work (fork, exec, plugin loading, files).
# usage: sh tools/bench/bench_study.sh [TEACHKIT_BINARY]   (default build-release/teachkit)
set -eu
tk=${1:-build-release/teachkit}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

cat > "$work/short.json" <<'JSON'
{"name": "short", "seed": {"range": [0, 40]}, "budget": {"episodes": 4000},
 "teacher": {"plugin": "alp-gmm"}, "env": {"plugin": "toy-grid"},
 "eval": {"every_episodes": 1000}, "log": {"teacher_snapshot_every": 0}}
JSON
cat > "$work/tiny.json" <<'JSON'
{"name": "tiny", "seed": {"range": [0, 100]}, "budget": {"episodes": 1},
 "teacher": {"plugin": "random"}, "env": {"plugin": "toy-grid"},
 "log": {"teacher_snapshot_every": 0}}
JSON

t0=$(now); "$tk" study "$work/short.json" --out "$work/j1" --jobs 1 --quiet 2>/dev/null; t1=$(now)
"$tk" study "$work/short.json" --out "$work/j2" --jobs 2 --quiet 2>/dev/null; t2=$(now)
"$tk" study "$work/tiny.json" --out "$work/tiny" --jobs 1 --quiet 2>/dev/null; t3=$(now)
echo "$t0 $t1 $t2 $t3" | awk '{
  j1 = $2 - $1; j2 = $3 - $2; tiny = $4 - $3;
  printf "40 ALP-GMM runs of 4,000 toy episodes: --jobs 1 %.2f s, --jobs 2 %.2f s, speed-up %.2fx (target >= 1.8x on 2 cores)\n", j1, j2, j1 / j2;
  printf "100 one-episode runs, --jobs 1: %.2f s, %.1f ms per run including the report (target < 20 ms)\n", tiny, 1000 * tiny / 100;
}'
