#!/bin/sh
# Damaged checkpoints and logs (docs/reliability.md, "Checkpoints"): a run
# killed part-way leaves checkpoint.bin and checkpoint.prev.bin; then
#   - TRIALS (default 50) copies of it get one damage each to checkpoint.bin,
#     of the same size or not: a byte changed anywhere, a byte changed in the
#     body, the episode counter rewritten, the file cut short.  Every one
#     must be detected: the resume says so and goes on from the previous
#     checkpoint to logs byte-identical to an uninterrupted run's, or it
#     refuses; never a silent resume;
#   - both checkpoints damaged: refused;
#   - a log shorter than the newest checkpoint covers (a power loss after an
#     unsynced write): the resume goes on from the previous checkpoint, no
#     gap; shorter than both: refused; a changed byte in what both cover:
#     refused;
#   - checkpoint.bin missing (a crash between the two renames): the
#     previous one resumes, identically.
# Damage positions come from a fixed-seed generator (SEED), so a failure
# replays.
# usage: checkpoint_damage.sh TEACHKIT
set -u
tk=$1
trials=${TRIALS:-50}
seed=${SEED:-20240601}
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

cat > "$work/m.json" <<'JSON'
{"name": "dmg", "seed": 3, "budget": {"episodes": 6000},
 "teacher": {"plugin": "alp-gmm", "config": {"fit_rate": 100}},
 "env": {"plugin": "toy-grid"}, "eval": {"every_episodes": 1000},
 "log": {"teacher_snapshot_every": 1000, "progress": "never"},
 "checkpoint": {"every_episodes": 1000}}
JSON
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
next_random() { # a 31-bit LCG: the same damages on every machine
    seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
    r=$(( seed / 65536 ))
}
byte_at() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
put_byte() { # FILE OFFSET VALUE
    printf "\\$(printf '%03o' "$3")" | dd of="$1" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}
flip_byte() { # FILE OFFSET: xor with a non-zero value
    next_random
    b=$(byte_at "$1" "$2")
    put_byte "$1" "$2" $(( b ^ (r % 255 + 1) ))
}
same_logs() {
    for f in episodes.jsonl evals.jsonl teacher.jsonl; do
        cmp -s "$work/ref/$f" "$1/$f" || return 1
    done
}

"$tk" run "$work/m.json" --out "$work/ref" --quiet
check "reference run finishes" grep -q '"status": "finished"' "$work/ref/summary.json"

# A run killed part-way, after its second checkpoint at least.
base=
for attempt in 1 2 3 4 5; do
    o=$work/base-$attempt
    "$tk" run "$work/m.json" --out "$o" --quiet &
    pid=$!
    while kill -0 "$pid" 2>/dev/null && [ "$(lines "$o/episodes.jsonl")" -le 2500 ]; do
        :
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
    if [ ! -e "$o/summary.json" ] && [ "$(lines "$o/episodes.jsonl")" -ge 2000 ]; then
        base=$o
        break
    fi
done
check "a run killed part-way" test -n "$base"
[ -n "$base" ] || { checks_done; exit 1; }
check "the killed run kept its previous checkpoint" test -s "$base/checkpoint.prev.bin"
killed_at=$(lines "$base/episodes.jsonl")
echo "killed at $killed_at of 6000 episodes"

# resume DIR: sets rc and err (its stderr)
resume() {
    "$tk" run "$work/m.json" --out "$1" --resume --quiet 2> "$1.err"
    rc=$?
    err=$1.err
}

# --- the campaign ------------------------------------------------------------
# Outcomes: refused (any refusal with a message), fell back (warned, resumed
# from the previous checkpoint to identical logs), silent (exit 0, no
# warning: the same logs by luck, or changed ones).
refused=0 fell_back=0 silent_same=0 silent_changed=0
size=$(wc -c < "$base/checkpoint.bin")
for t in $(seq 1 "$trials"); do
    w=$work/t
    rm -rf "$w" "$w.err"
    cp -a "$base" "$w"
    c=$w/checkpoint.bin
    next_random
    case $(( t % 4 )) in
    0) what="byte $(( r % size )) changed"; flip_byte "$c" $(( r % size )) ;;
    1) off=$(( 32 + r % (size - 32) )); what="body byte $off changed"; flip_byte "$c" "$off" ;;
    2) # The episode counter, the first counter after the seed: a resume
       # trusting it would write 1000 episodes twice (or skip them).
       what="episode counter rewritten"
       lo=$(byte_at "$c" 40); hi=$(byte_at "$c" 41)
       n=$(( lo + 256 * hi - 1000 ))
       put_byte "$c" 40 $(( (n + 65536) % 256 )); put_byte "$c" 41 $(( (n + 65536) / 256 % 256 )) ;;
    3) cut=$(( 1 + r % 200 )); what="cut by $cut bytes"
       head -c $(( size - cut )) "$c" > "$c.cut" && mv "$c.cut" "$c" ;;
    esac
    resume "$w"
    if [ "$rc" -ne 0 ] && [ -s "$err" ]; then
        refused=$((refused + 1))
    elif [ "$rc" -eq 0 ] && grep -q 'warning: checkpoint.bin: .*resumed from the previous checkpoint' "$err"; then
        if same_logs "$w"; then
            fell_back=$((fell_back + 1))
        else
            echo "FAIL: trial $t ($what): resumed from the previous checkpoint, other logs"
            fail=$((fail + 1))
        fi
    elif same_logs "$w"; then
        silent_same=$((silent_same + 1))
        echo "FAIL: trial $t ($what): not detected (the logs happen to be the same)"
    else
        silent_changed=$((silent_changed + 1))
        echo "FAIL: trial $t ($what): not detected, and the results changed"
    fi
done
detected=$((refused + fell_back))
echo "damaged checkpoints detected: $detected of $trials ($fell_back resumed from the previous" \
     "checkpoint, $refused refused); silent: $silent_changed changed the results, $silent_same did not"
check "every damaged checkpoint detected" test "$detected" -eq "$trials"

# --- both checkpoints damaged -------------------------------------------------
w=$work/both
cp -a "$base" "$w"
flip_byte "$w/checkpoint.bin" 100
flip_byte "$w/checkpoint.prev.bin" 100
resume "$w"
check "both damaged: refused" test "$rc" -eq 1
check "both damaged: says why, for each file" \
    grep -q 'cannot resume: checkpoint.bin: damaged.*checkpoint.prev.bin: damaged' "$err"
check "both damaged: the logs are untouched" cmp -s "$base/episodes.jsonl" "$w/episodes.jsonl"

# --- logs that lost what a checkpoint covers ---------------------------------
# cut_lines FILE N: keeps the first N lines.
cut_lines() { head -n "$2" "$1" > "$1.cut" && mv "$1.cut" "$1"; }
w=$work/power-loss
cp -a "$base" "$w"
newest=$(( killed_at / 1000 * 1000 ))
cut_lines "$w/episodes.jsonl" $(( newest - 500 ))
resume "$w"
check "log short of the newest checkpoint: resumes (from the previous one)" test "$rc" -eq 0
check "log short of the newest checkpoint: no gap, logs identical" same_logs "$w"

w=$work/lost
cp -a "$base" "$w"
cut_lines "$w/episodes.jsonl" 100
resume "$w"
check "log short of both checkpoints: refused" test "$rc" -eq 1
check "log short of both checkpoints: says the lines were lost" \
    grep -q 'episodes.jsonl holds [0-9]* bytes but the checkpoint covers' "$err"

w=$work/edited-log
cp -a "$base" "$w"
flip_byte "$w/episodes.jsonl" 500
resume "$w"
check "log changed where both checkpoints cover it: refused" test "$rc" -eq 1
check "log changed: says the bytes differ" grep -q 'differ from those the checkpoint covers' "$err"

# --- a crash between the renames ---------------------------------------------
w=$work/renamed
cp -a "$base" "$w"
rm "$w/checkpoint.bin"
resume "$w"
check "only checkpoint.prev.bin: resumes" test "$rc" -eq 0
check "only checkpoint.prev.bin: logs identical" same_logs "$w"

checks_done
