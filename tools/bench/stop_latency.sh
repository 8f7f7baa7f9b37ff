#!/bin/sh
# How long a run takes to stop after SIGINT, at the paper's SAC sizes
# (examples/stump_tracks_alp_gmm_sac.json with start_steps 0, so gradient
# steps run from the first episode): starts the run, lets it work WARMUP
# seconds, then ROUNDS times sends SIGINT, times the exit, and resumes it
# for GAP seconds.  With a student that checkpoints inside an episode the
# stop comes within a gradient step plus the checkpoint's write; otherwise
# it waits for the episode's end and its updates.
# usage: sh tools/bench/stop_latency.sh [TEACHKIT] [ROUNDS] [WARMUP] [GAP]
set -eu
cd "$(dirname "$0")/../.."
tk=${1:-build-release/teachkit}
rounds=${2:-3}
warmup=${3:-60}
gap=${4:-15}
manifest=examples/.stop_latency.json
out=$(mktemp -d)
trap 'rm -rf "$out" "$manifest"' EXIT
python3 - "$manifest" <<'PY'
import json, sys
m = json.load(open("examples/stump_tracks_alp_gmm_sac.json"))
m["name"] = "stop-latency"
m["student"].setdefault("config", {})["start_steps"] = 0
m["log"] = {"progress": "never"}
json.dump(m, open(sys.argv[1], "w"))
PY
grep -m1 'model name' /proc/cpuinfo | sed 's/.*: /cpu: /'
"$tk" run "$manifest" --out "$out/run" --quiet 2>/dev/null &
pid=$!
sleep "$warmup"
i=0
while [ "$i" -lt "$rounds" ]; do
    start=$(date +%s.%N)
    kill -INT "$pid"
    wait "$pid" || true
    end=$(date +%s.%N)
    echo "$((i + 1)) $start $end $(wc -l < "$out/run/episodes.jsonl")" |
        awk '{printf "stop %d: %.2f s from SIGINT to exit (%d episodes logged)\n", $1, $3 - $2, $4}'
    "$tk" run "$manifest" --out "$out/run" --resume --quiet 2>/dev/null &
    pid=$!
    sleep "$gap"
    i=$((i + 1))
done
kill -INT "$pid"
wait "$pid" || true
