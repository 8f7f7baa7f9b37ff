#!/bin/sh
# `teachkit report` on a study directory whose numbers are known: group
# means, standard deviations, the area under the curve and Welch's p-value
# against the baseline match values computed by hand; and
# `teachkit study --emit-slurm` writes a job array whose tasks each run one
# run of the study.
# usage: report_slurm.sh TEACHKIT_BINARY
set -u
tk=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"
# Final mastered_pct of 15 seeds per teacher: the two samples of the worked
# example of Welch's test (t = -2.46, df = 24.99, p = 0.021); each run's
# curve goes from 0 at episode 0 to its final value at episode 100, so its
# AUC (mean mastered_pct over training) is half the final value.
x="27.5 21.0 19.0 23.6 17.0 17.9 16.9 20.1 21.9 22.6 23.1 19.6 19.0 21.7 21.4"
b="27.1 22.0 20.8 23.4 23.4 23.5 25.8 22.0 24.8 20.2 21.9 22.1 22.9 20.5 24.4"
mkdir -p "$work/s/runs"
runs=""
add_runs() { # teacher, values
    seed=0
    for v in $2; do
        seed=$((seed + 1))
        d="teacher-$1__seed-$seed"
        mkdir -p "$work/s/runs/$d"
        printf '{"episode":0,"env_steps":0,"mastered_pct":0,"mean_return":null}\n{"episode":100,"env_steps":100,"mastered_pct":%s,"mean_return":null}\n' "$v" > "$work/s/runs/$d/evals.jsonl"
        echo '{"status": "finished"}' > "$work/s/runs/$d/summary.json"
        runs="$runs${runs:+,}{\"dir\":\"$d\",\"group\":\"teacher-$1\",\"teacher\":\"$1\",\"seed\":$seed,\"labels\":{\"teacher\":\"$1\",\"seed\":\"$seed\"}}"
    done
}
add_runs x "$x"
add_runs random "$b"
mkdir -p "$work/s/runs/teacher-x__seed-16"
runs="$runs,{\"dir\":\"teacher-x__seed-16\",\"group\":\"teacher-x\",\"teacher\":\"x\",\"seed\":16,\"labels\":{\"teacher\":\"x\",\"seed\":\"16\"}}"
echo '{"exit_code": 1}' > "$work/s/runs/teacher-x__seed-16/failure.json"
echo "{\"name\": \"known\", \"manifest\": {}, \"runs\": [$runs]}" > "$work/s/study.json"

check "report runs" sh -c "'$tk' report '$work/s' > '$work/report.txt'"
row=$(grep '^teacher-x,' "$work/s/report.csv")
field() { echo "$row" | cut -d, -f"$1"; }
near() { # value, expected, tolerance
    awk -v v="$1" -v e="$2" -v t="$3" 'BEGIN { d = v - e; if (d < 0) d = -d; exit !(d <= t) }'
}
# By hand: mean of x = 312.3 / 15 = 20.82; sum of squared deviations
# 110.144, sample std = sqrt(110.144 / 14) = 2.80489; sem = std / sqrt(15).
check "15 finished, 1 failed" test "$(field 3),$(field 4)" = "15,1"
check "final mean 20.82" near "$(field 6)" 20.82 0.001
check "final std 2.80489" near "$(field 7)" 2.804894 0.00001
check "final sem 0.72422" near "$(field 8)" 0.724220 0.00001
check "95% CI half-width t(0.975,14) * sem = 2.14479 * 0.72422" near "$(field 9)" 1.55330 0.0005
check "AUC mean = half the final mean" near "$(field 10)" 10.41 0.001
check "Welch p vs random = 0.021" near "$(field 14)" 0.021 0.001
check "markdown table printed" grep -q '| teacher-x | x | 15/1 |' "$work/report.txt"

# The same samples as two values of a swept label under one teacher: the
# baseline is named LABEL=VALUE, and a teacher baseline finds no group.
mkdir -p "$work/p/runs"
runs=""
add_label_runs() { # precision, values
    seed=0
    for v in $2; do
        seed=$((seed + 1))
        d="precision-$1__seed-$seed"
        mkdir -p "$work/p/runs/$d"
        printf '{"episode":0,"env_steps":0,"mastered_pct":0,"mean_return":null}\n{"episode":100,"env_steps":100,"mastered_pct":%s,"mean_return":null}\n' "$v" > "$work/p/runs/$d/evals.jsonl"
        echo '{"status": "finished"}' > "$work/p/runs/$d/summary.json"
        runs="$runs${runs:+,}{\"dir\":\"$d\",\"group\":\"precision-$1\",\"teacher\":\"random\",\"seed\":$seed,\"labels\":{\"precision\":\"$1\",\"seed\":\"$seed\"}}"
    done
}
add_label_runs bf16 "$x"
add_label_runs fp32 "$b"
echo "{\"name\": \"labels\", \"manifest\": {}, \"runs\": [$runs]}" > "$work/p/study.json"
check "report --baseline precision=fp32 runs" \
    sh -c "'$tk' report '$work/p' --baseline precision=fp32 > '$work/p.txt'"
row=$(grep '^precision-bf16,' "$work/p/report.csv")
check "Welch p vs precision=fp32 = 0.021" near "$(field 14)" 0.021 0.001
check "the baseline group has no p" test -z "$(grep '^precision-fp32,' "$work/p/report.csv" | cut -d, -f14)"
check "header names the label baseline" grep -q 'p final vs precision=fp32' "$work/p.txt"
"$tk" report "$work/p" > /dev/null
row=$(grep '^precision-bf16,' "$work/p/report.csv")
check "a teacher baseline finds no group across labels" test -z "$(field 14)"
# tools/compare_groups.py: the same Welch p, and Cohen's d by hand:
# (20.82 - 22.98667) / sqrt((110.144 + 53.3773) / 28) = -0.89657.
cg="$(dirname "$0")/../../tools/compare_groups.py"
check "compare_groups runs" sh -c "python3 '$cg' '$work/p' precision=fp32 > '$work/cg.txt'"
check "compare_groups: Welch p = 0.0214, d = -0.90" \
    grep -q 'precision-bf16 | mastered_pct | 15 | 20.82 ± 2.80 | t = -2.46, df = 25.0, p = 0.0214, d = -0.90 |' "$work/cg.txt"
# A teacher as compare_groups' baseline, the area under the mean-return
# curve ((-100 + r) / 2 over two evaluations), and curriculum_table's
# per-window mean task.
mkdir -p "$work/t/runs"
runs=""
for g in random:-80:-60 alp:-40:-20; do
    name=${g%%:*}; rest=${g#*:}
    for seed in 1 2; do
        d="teacher-$name""__seed-$seed"
        r=$(echo "$rest" | cut -d: -f"$seed")
        mkdir -p "$work/t/runs/$d"
        printf '{"episode":0,"env_steps":0,"mastered_pct":0,"mean_return":-100}\n{"episode":2,"env_steps":100,"mastered_pct":0,"mean_return":%s}\n' "$r" > "$work/t/runs/$d/evals.jsonl"
        printf '{"task":[1.0,2.0],"return":-50,"steps":60,"env_steps":60}\n{"task":[3.0,4.0],"return":-30,"steps":40,"env_steps":100}\n' > "$work/t/runs/$d/episodes.jsonl"
        echo '{"status": "finished"}' > "$work/t/runs/$d/summary.json"
        runs="$runs${runs:+,}{\"dir\": \"$d\", \"group\": \"teacher-$name\", \"teacher\": \"$name\", \"labels\": {\"teacher\": \"$name\", \"seed\": \"$seed\"}}"
    done
done
echo "{\"name\": \"teachers\", \"manifest\": {}, \"runs\": [$runs]}" > "$work/t/study.json"
check "compare_groups against teacher=random" \
    sh -c "python3 '$cg' '$work/t' teacher=random > '$work/t.txt'"
check "compare_groups: AUC of the mean return, Welch against random" \
    grep -q 'teacher-alp | mean_return_auc | 2 | -65.00 ± 7.07 | t = 2.83,' "$work/t.txt"
ct="$(dirname "$0")/../../tools/curriculum_table.py"
check "curriculum_table runs" \
    sh -c "python3 '$ct' '$work/t' --every 50 --names h,s > '$work/ct.txt'"
check "curriculum_table: the mean task per window" \
    grep -q '^| teacher-alp | 0-50 | 2 | 1.00 ± 0.00 | 2.00 ± 0.00 | -50.00 ± 0.00 |$' "$work/ct.txt"
check "curriculum_table: episodes counted where they start" \
    grep -q '^| teacher-random | 50-100 | 2 | 3.00 ± 0.00 | 4.00 ± 0.00 | -30.00 ± 0.00 |$' "$work/ct.txt"
check "curves.csv has the mean curve" grep -q '^teacher-x,x,100,20.82,' "$work/s/curves.csv"

cat > "$work/study.json" <<'JSON'
{"name": "arr", "seed": [1, 2], "budget": {"episodes": 50},
 "teacher": [{"plugin": "random"}, {"plugin": "riac"}], "env": {"plugin": "toy-grid"}}
JSON
check "emit-slurm" sh -c "'$tk' study '$work/study.json' --out '$work/arr' --emit-slurm '$work/arr.sbatch' >/dev/null"
check "array of 4 tasks" grep -q '^#SBATCH --array=0-3$' "$work/arr.sbatch"
check "each task runs one index" grep -q -- '--only-index "$SLURM_ARRAY_TASK_ID"' "$work/arr.sbatch"
check "array task 2 runs" sh -c "SLURM_ARRAY_TASK_ID=2 bash '$work/arr.sbatch' > /dev/null 2>&1"
check "exactly run 2 finished" test "$(ls "$work"/arr/runs/*/summary.json 2>/dev/null | wc -l)" -eq 1
# Runs are the cross product in manifest order: seed outer, teacher inner.
check "it is teacher-random__seed-2" test -s "$work/arr/runs/teacher-random__seed-2/summary.json"
checks_done
