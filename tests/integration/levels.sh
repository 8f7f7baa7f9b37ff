#!/bin/sh
# ABI 1.2 through the CLI (docs/plugin-abi.md, "Levels and scores"):
#   - a teacher, env and student built against 1.1 run in this host, which
#     never calls the 1.2 members past their vtables' ends, and their
#     episode lines carry no 1.2 member;
#   - a teacher with no-learn levels is refused with a student that cannot
#     be told (a 1.1 student) and an env that cannot either;
#   - a level's seed reseeds the env's stream: equal seeds, equal rewards;
#     the seed, the no-learn mark and the scores are logged, the student is
#     told the learn flag and the teacher receives the student's and the
#     env's scores;
#   - plr and robust-plr run the toy grid (since 1.3 its simulated learner
#     is told of no-learn episodes), and robust-plr plays new levels as
#     no-learn episodes with ppo, whose scores are logged;
#   - an sfl run with ppo stopped and resumed logs as an uninterrupted one.
# usage: levels.sh TEACHKIT MINOR_1_1_SO LEVELS_SO
set -u
tk=$1
v11=$2
levels=$3
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

# manifest FILE TEACHER ENV STUDENT EPISODES
manifest() {
    cat > "$1" <<JSON
{"budget": {"episodes": $5}, "plugin_paths": ["$v11", "$levels"],
 "teacher": {"plugin": "$2"}, "env": {"plugin": "$3"}, "student": {"plugin": "$4"},
 "eval": {"test_set": {"uniform": 2}, "every_episodes": 50}, "log": {"progress": "never"}}
JSON
}

manifest "$work/v11.json" v11-teacher v11-env v11-student 60
check "1.1 plugins run in a 1.2 host" "$tk" run "$work/v11.json" --out "$work/v11" --quiet
check "their episode lines have no 1.2 member" \
    sh -c "! grep -q 'level_seed\|learn\|scores' '$work/v11/episodes.jsonl'"

manifest "$work/refused.json" level-teacher seeded-env v11-student 10
refused() { # refused MANIFEST OUT: the run fails
    ! "$tk" run "$1" --out "$2" --quiet 2>"$work/refusal.err"
}
check "no-learn levels with a 1.1 student are refused" refused "$work/refused.json" "$work/refused"
check "... naming begin_episode" grep -q "begin_episode" "$work/refusal.err"

manifest "$work/levels.json" level-teacher seeded-env options-student 60
check "levels, no-learn episodes and scores run" \
    "$tk" run "$work/levels.json" --out "$work/levels" --quiet
ep="$work/levels/episodes.jsonl"
check "every episode logs its level seed" test "$(grep -c '"level_seed":' "$ep")" -eq 60
check "every third episode is no-learn" test "$(grep -c '"learn":false' "$ep")" -eq 20
check "scores are logged" grep -q '"scores":{"positive_value_loss":0,"env_score":0.25}' "$ep"
# Equal seeds give equal rewards: one distinct return per seed.
for seed in 0 1; do
    n=$(grep "\"level_seed\":$seed," "$ep" | sed 's/.*"return":\([^,]*\),.*/\1/' | sort -u | wc -l)
    check "level seed $seed replays the same env ($n distinct returns)" test "$n" -eq 1
done

cat > "$work/toy_plr.json" <<'JSON'
{"budget": {"episodes": 3000}, "teacher": {"plugin": "plr", "config": {"score": "env"}},
 "env": {"plugin": "toy-grid"}, "eval": {"every_episodes": 1000}, "log": {"progress": "never"}}
JSON
check "plr on the toy grid" "$tk" run "$work/toy_plr.json" --out "$work/toy_plr" --quiet
cat > "$work/toy_robust.json" <<'JSON'
{"budget": {"episodes": 400}, "teacher": {"plugin": "robust-plr",
 "config": {"score": "env", "buffer_size": 20}},
 "env": {"plugin": "toy-grid"}, "eval": {"every_episodes": 100}, "log": {"progress": "never"}}
JSON
check "robust-plr runs the toy grid (the env is told, ABI 1.3)" \
    "$tk" run "$work/toy_robust.json" --out "$work/toy_robust" --quiet
ep="$work/toy_robust/episodes.jsonl"
check "its new levels are no-learn episodes" grep -q '"learn":false' "$ep"
# A no-learn episode teaches the simulated learner nothing: on a level seen
# before, its return is that of the last episode on the same cell.
no_learn_keeps_competence() {
    python3 - "$1" <<'PY'
import json, math, sys
last = {}  # cell -> return of the latest episode on it (competence / 100)
no_learn = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    cell = tuple(min(int(math.floor(x * 10)), 9) for x in e["task"])
    if e.get("learn", True) is False:
        no_learn += 1
        if e["return"] != last.get(cell, 0.0):
            sys.exit("episode %d: no-learn return %r, competence was %r"
                     % (e["episode"], e["return"], last.get(cell, 0.0)))
    last[cell] = e["return"]
if no_learn == 0:
    sys.exit("no no-learn episode")
PY
}
check "no-learn episodes leave the competences as they were" no_learn_keeps_competence "$ep"

cat > "$work/ppo.json" <<'JSON'
{"seed": 3, "budget": {"env_steps": 2000},
 "teacher": {"plugin": "robust-plr", "config": {"buffer_size": 4}},
 "env": {"plugin": "pendulum"},
 "student": {"plugin": "ppo", "config": {"hidden_sizes": [16], "nsteps": 256,
                                        "minibatch_size": 64, "epochs": 1}},
 "eval": {"every_env_steps": 1000, "test_set": {"uniform": 2}}, "log": {"progress": "never"}}
JSON
check "robust-plr with ppo" "$tk" run "$work/ppo.json" --out "$work/ppo" --quiet
check "new levels are no-learn episodes" grep -q '"learn":false' "$work/ppo/episodes.jsonl"
check "ppo reports its positive value loss" \
    grep -q '"scores":{"positive_value_loss":[0-9.e+-]*,"mean_value"' "$work/ppo/episodes.jsonl"
check "replays are learnt from" sh -c "grep -v '\"learn\":false' '$work/ppo/episodes.jsonl' | grep -q level_seed"

# A run stopped (--timeout) and resumed writes the logs of an uninterrupted
# one: the teacher's schedule and levels are in its checkpoint, and each
# level reseeds the env's stream.
cat > "$work/sfl.json" <<'JSON'
{"seed": 4, "budget": {"env_steps": 200000},
 "teacher": {"plugin": "sfl", "config": {"num_candidates": 4, "episodes_per_candidate": 2,
                                         "buffer_size": 2, "refresh_every": 6}},
 "env": {"plugin": "pendulum"},
 "student": {"plugin": "ppo", "config": {"hidden_sizes": [16], "nsteps": 256,
                                        "minibatch_size": 64, "epochs": 1}},
 "eval": {"every_env_steps": 2000, "test_set": {"uniform": 2}}, "log": {"progress": "never"}}
JSON
check "sfl with ppo" "$tk" run "$work/sfl.json" --out "$work/sfl" --quiet
"$tk" run "$work/sfl.json" --out "$work/sfl-stopped" --quiet --timeout 0.1 2>/dev/null
if ! grep -q '"status": "finished"' "$work/sfl-stopped/summary.json"; then
    check "the stopped sfl run resumes" \
        "$tk" run "$work/sfl.json" --out "$work/sfl-stopped" --quiet --resume
fi
for f in episodes evals; do
    check "sfl: $f.jsonl after a stop and a resume is byte-identical" \
        cmp -s "$work/sfl/$f.jsonl" "$work/sfl-stopped/$f.jsonl"
done

checks_done
