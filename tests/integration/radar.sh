#!/bin/sh
# `teachkit plot --radar`: from three study directories' report.csv (written
# here by hand), the table it draws holds each teacher's mean final
# mastered_pct per study (the mean of its groups' means; groups without a
# finished run left out; a missing teacher an empty cell), its axes are
# named by study.json's "name" or the directory, and the PNG is drawn.
# usage: radar.sh TEACHKIT_BINARY
set -u
tk=$1
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

head='group,teacher,finished,failed,pending,final_mean,final_std,final_sem,final_ci95,auc_mean,auc_std,auc_sem,auc_ci95,p_final,p_auc'
mkdir -p "$work/a" "$work/b" "$work/rugged"
echo '{"name": "unfeasible", "runs": []}' > "$work/a/study.json"
echo '{"name": "trivial", "runs": []}' > "$work/b/study.json"
cat > "$work/a/report.csv" <<CSV
$head
teacher-random,random,2,0,0,10,1,1,1,5,1,1,1,,
teacher-alp-gmm,alp-gmm,2,0,0,30,1,1,1,5,1,1,1,0.01,0.2
CSV
cat > "$work/b/report.csv" <<CSV
$head
teacher-random__student-sac,random,2,0,0,50,1,1,1,5,1,1,1,,
teacher-alp-gmm__student-sac,alp-gmm,2,0,0,60,1,1,1,5,1,1,1,,
teacher-alp-gmm__student-ppo,alp-gmm,2,0,0,80,1,1,1,5,1,1,1,,
teacher-alp-gmm__student-none,alp-gmm,0,2,0,nan,nan,nan,nan,nan,nan,nan,nan,,
CSV
cat > "$work/rugged/report.csv" <<CSV
$head
teacher-random,random,3,0,0,20.5,1,1,1,5,1,1,1,,
CSV
cat > "$work/expected.csv" <<CSV
teacher,unfeasible,trivial,rugged
random,10,50,20.5
alp-gmm,30,70,
CSV

mkdir -p "$work/out"
check "plot --radar" "$tk" plot --radar "$work/out/radar.png" "$work/a" "$work/b" "$work/rugged"
check "the table is right" cmp "$work/out/radar.csv" "$work/expected.csv"
check "the PNG is drawn" sh -c "head -c 8 '$work/out/radar.png' | od -An -tx1 |
    grep -q '89 50 4e 47 0d 0a 1a 0a'"
check "the gnuplot script is kept" test -s "$work/out/radar.gp"
check "fewer than three studies is refused" sh -c "! '$tk' plot --radar '$work/x.png' \
    '$work/a' '$work/b' 2>/dev/null"
check "a directory without report.csv is refused" sh -c "! '$tk' plot --radar '$work/x.png' \
    '$work/a' '$work/b' '$work' 2>/dev/null"
checks_done
