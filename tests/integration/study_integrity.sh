#!/bin/sh
# A study directory holds one study's results (docs/studies.md, "Resume";
# docs/reliability.md, "Studies"):
#   - the study edited and run again into the same --out is refused, naming
#     how many runs changed, were added or removed; with --rerun-changed the
#     changed runs move to superseded/ and run anew, the others are kept;
#   - a config error in the last run stops the study before the first run
#     starts;
#   - a run whose log ends in bytes that are not UTF-8, or in a character
#     cut by the tail's start, still gets its failure.json, and the report
#     counts it failed;
#   - a run that exits 0 without finishing (a plugin calling exit(0)) counts
#     as failed, and the study exits 1.
# usage: study_integrity.sh TEACHKIT FAULTY_ENV_SO FAULTY_STUDENT_SO SENTINEL_SO FAULTY_TEACHER_SO
set -u
tk=$1
fteacher=$5
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

json_ok() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$1"
    else
        grep -q '"log_tail"' "$1"
    fi
}

# study FILE SEEDS ALP_CONFIG [EXTRA_TEACHER]
study() {
    cat > "$1" <<JSON
{"name": "integrity", "seed": $2, "budget": {"episodes": 400},
 "teacher": [{"plugin": "random"}, {"plugin": "alp-gmm", "config": $3}${4:-}],
 "env": {"plugin": "toy-grid"}, "eval": {"every_episodes": 100},
 "log": {"progress": "never"}}
JSON
}

# --- an edited study into the same directory ------------------------------
study "$work/v1.json" "[1, 2]" '{"fit_rate": 100}'
study "$work/v2.json" "[1, 2]" '{"fit_rate": 60}'
study "$work/v3.json" "[1, 2, 3]" '{"fit_rate": 100}'
s=$work/s
"$tk" study "$work/v1.json" --out "$s" --jobs 2 --quiet > /dev/null 2>&1
check "first version finishes" test $? -eq 0
cp "$s/report.md" "$work/report-v1.md"
random_summary=$(stat -c %Y "$s/runs/teacher-random__seed-1/summary.json")
sleep 1

"$tk" study "$work/v2.json" --out "$s" --jobs 2 --quiet > /dev/null 2> "$work/v2.err"
check "edited study: refused" test $? -eq 1
check "edited study: counts the changed runs" \
    grep -q 'holds another version of this study: 2 runs changed, 0 added, 0 removed' "$work/v2.err"
check "edited study: names --rerun-changed" grep -q -- '--rerun-changed' "$work/v2.err"
check "edited study: the old report stays" cmp -s "$s/report.md" "$work/report-v1.md"

"$tk" study "$work/v3.json" --out "$s" --jobs 2 --quiet > /dev/null 2> "$work/v3.err"
check "more seeds: refused" test $? -eq 1
check "more seeds: counts the added runs" grep -q '0 runs changed, 2 added, 0 removed' "$work/v3.err"

"$tk" study "$work/v2.json" --out "$s" --jobs 2 --rerun-changed > "$work/rerun.out" 2> "$work/rerun.err"
check "--rerun-changed: exits 0" test $? -eq 0
check "--rerun-changed: says what moved" grep -q '2 changed, 0 added, 0 removed' "$work/rerun.out"
check "--rerun-changed: the old runs are kept in superseded/" \
    grep -q '"fit_rate": 100' "$s/superseded/teacher-alp-gmm__seed-1/manifest.json"
check "--rerun-changed: the changed runs ran with the new config" \
    grep -q '"fit_rate": 60' "$s/runs/teacher-alp-gmm__seed-1/manifest.json"
check "--rerun-changed: the unchanged runs were not run again" \
    test "$(stat -c %Y "$s/runs/teacher-random__seed-1/summary.json")" = "$random_summary"
"$tk" study "$work/v2.json" --out "$s" --jobs 2 --quiet > /dev/null 2>&1
check "the new version, run again: nothing to do, exits 0" test $? -eq 0

# --- a study.json written before the hashes -------------------------------------
# (older teachkit): its runs are compared through their input.json, with
# numbers to the 12 digits the file holds.
study "$work/legacy.json" "[1]" '{"fit_rate": 100, "random_task_ratio": 0.123456789012345678}'
"$tk" study "$work/legacy.json" --out "$work/legacy" --jobs 2 --quiet > /dev/null 2>&1
if command -v python3 >/dev/null 2>&1; then
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
for r in s["runs"]:
    r.pop("manifest_hash", None)
json.dump(s, open(sys.argv[1], "w"), indent=2)
' "$work/legacy/study.json"
    "$tk" study "$work/legacy.json" --out "$work/legacy" --jobs 2 --quiet > /dev/null 2> "$work/legacy.err"
    check "study.json without hashes, same study: accepted" test $? -eq 0
    study "$work/legacy2.json" "[1]" '{"fit_rate": 60, "random_task_ratio": 0.123456789012345678}'
    "$tk" study "$work/legacy2.json" --out "$work/legacy" --jobs 2 --quiet > /dev/null 2> "$work/legacy2.err"
    check "study.json without hashes, edited study: refused" \
        grep -q '1 run changed, 0 added, 0 removed' "$work/legacy2.err"
fi

# --- a config error in the last run --------------------------------------------
study "$work/typo.json" "[1, 2]" '{"fit_rate": 100}' ', {"plugin": "alp-gmm", "label": "late", "config": {"random_task_ratio": 1.5}}'
"$tk" study "$work/typo.json" --out "$work/typo" --jobs 2 --quiet > /dev/null 2> "$work/typo.err"
check "config error in the last run: the study exits 1" test $? -eq 1
check "config error in the last run: names the key and the run" \
    grep -q 'teacher.config.random_task_ratio: .*(in run teacher-late__seed-1)' "$work/typo.err"
check "config error in the last run: no run started" \
    test -z "$(find "$work/typo" -name episodes.jsonl 2>/dev/null)"
"$tk" validate "$work/typo.json" > /dev/null 2> "$work/typo-validate.err"
check "config error in the last run: validate says the same" \
    grep -q 'teacher.config.random_task_ratio: .*(in run teacher-late__seed-1)' "$work/typo-validate.err"

# --- runs that fail oddly ------------------------------------------------------
cat > "$work/odd.json" <<JSON
{"name": "odd", "seed": [1], "budget": {"episodes": 300},
 "plugin_paths": ["$fteacher"],
 "teacher": [{"plugin": "random"},
             {"plugin": "faulty-teacher", "label": "bad-utf8", "config": {"mode": "bad-utf8", "fail_at": 50}},
             {"plugin": "faulty-teacher", "label": "cut-utf8", "config": {"mode": "cut-utf8", "fail_at": 50}},
             {"plugin": "faulty-teacher", "label": "exit0", "config": {"mode": "exit0", "fail_at": 50}}],
 "env": {"plugin": "toy-grid"}, "eval": {"every_episodes": 100}, "log": {"progress": "never"}}
JSON
"$tk" study "$work/odd.json" --out "$work/odd" --jobs 2 > "$work/odd.out" 2> "$work/odd.err"
rc=$?
r=$work/odd/runs
check "odd failures: the study exits 1" test "$rc" -eq 1
for m in bad-utf8 cut-utf8 exit0; do
    check "$m: failure.json written" test -s "$r/teacher-${m}__seed-1/failure.json"
    check "$m: failure.json is valid JSON" json_ok "$r/teacher-${m}__seed-1/failure.json"
    check "$m: the report counts it failed" grep -q "| teacher-$m | $m | 0/1 |" "$work/odd/report.md"
done
check "bad-utf8: the log tail keeps the message" \
    grep -q 'deliberate failure' "$r/teacher-bad-utf8__seed-1/failure.json"
check "cut-utf8: the abort is recorded" grep -q '"signal": 6' "$r/teacher-cut-utf8__seed-1/failure.json"
check "exit0: says it exited 0 without finishing" \
    grep -q 'exited 0 but summary.json does not say' "$r/teacher-exit0__seed-1/failure.json"
check "exit0: the progress line says FAILED" grep -q 'FAILED  teacher-exit0__seed-1' "$work/odd.out"
check "the random run finished" grep -q '| teacher-random | random | 1/0 |' "$work/odd/report.md"

checks_done
