#!/bin/sh
# A manifest cannot make the host write outside its output directory
# (docs/reliability.md):
#   - run names with separators, "..", a leading dot or dash, control
#     characters or too many characters are rejected before anything is
#     created (the name becomes runs/NAME-seedN);
#   - study names likewise (the name becomes studies/NAME and the SLURM
#     job name, where a newline would inject commands);
#   - study labels ("../../x", "/abs", "..") are reduced to a safe alphabet,
#     so every run directory is a direct child of OUT/runs;
#   - a swept key with a slash is rejected before any directory exists;
#   - eval.test_set.file is only read: a path outside (or a directory) is
#     an error, nothing is written.
# Every case runs from an empty working directory inside a sandbox; after
# each, nothing may exist in the sandbox outside the expected directories.
# usage: path_traversal.sh TEACHKIT FAULTY_ENV_SO FAULTY_STUDENT_SO SENTINEL_SO FAULTY_TEACHER_SO
set -u
tk=$1
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"
# The sandbox: box/a/b/cwd is the working directory, so "../../x" lands in
# box/ and would be seen.
box=$work/box
cwd=$box/a/b/cwd
fresh() { rm -rf "$box"; mkdir -p "$cwd"; }
# Only these paths may exist under box/ (besides the directories above cwd).
only_inside() { # allowed prefix relative to cwd ("" = nothing at all)
    extra=$(cd "$box" && find . -mindepth 1 ! -path ./a ! -path ./a/b ! -path ./a/b/cwd \
        ${1:+! -path "./a/b/cwd/$1" ! -path "./a/b/cwd/$1/*"} | head -n 5)
    [ -z "$extra" ] || { echo "    unexpected: $extra"; return 1; }
}

run_manifest() { # name json (the "name" value, already quoted)
    fresh
    cat > "$work/m.json" <<JSON
{"name": $1, "budget": {"episodes": 3}, "teacher": {"plugin": "random"},
 "env": {"plugin": "toy-grid"}}
JSON
    (cd "$cwd" && "$tk" run "$work/m.json" --quiet > /dev/null 2> "$work/err")
    rc=$?
}

for name in '"../../evil"' '"a/b"' '".."' '"."' '".hidden"' '"-rf"' '"/abs"' '"x\ny"' '""' \
            "\"$(printf '%0101d' 0)\""; do
    run_manifest "$name"
    check "run name $name: rejected" test "$rc" -eq 1
    check "run name $name: the message names the key" grep -q 'm.json: name: must be 1-100 characters' "$work/err"
    check "run name $name: one line" test "$(wc -l < "$work/err")" -eq 1
    check "run name $name: nothing created" only_inside ""
done
run_manifest '"fine-name_1.0"'
check "a valid name runs" test "$rc" -eq 0
check "a valid name writes only runs/NAME-seed0" only_inside "runs"
check "... there" test -f "$cwd/runs/fine-name_1.0-seed0/summary.json"

# --- studies --------------------------------------------------------------
study() { # name json, teacher json, [env json]
    fresh
    env='{"plugin": "toy-grid"}'
    [ $# -ge 3 ] && env=$3
    cat > "$work/s.json" <<JSON
{"name": $1, "seed": [1], "budget": {"episodes": 3}, "teacher": $2, "env": $env}
JSON
}
for name in '"../../evil"' '"/tmp/evil"' '"x\nrm -rf ~"' '".."'; do
    study "$name" '{"plugin": "random"}'
    (cd "$cwd" && "$tk" study "$work/s.json" --jobs 1 --quiet > /dev/null 2> "$work/err")
    check "study name $name: rejected" test $? -eq 1
    check "study name $name: the message names the key" grep -q 's.json: name: must be 1-100 characters' "$work/err"
    check "study name $name: nothing created" only_inside ""
    (cd "$cwd" && "$tk" study "$work/s.json" --emit-slurm job.sbatch > /dev/null 2> "$work/err")
    check "study name $name: no SLURM script either" test ! -e "$cwd/job.sbatch"
done

study '"labels"' '[{"plugin": "random", "label": "../../x"}, {"plugin": "random", "label": "/etc/y"},
  {"plugin": "random", "label": ".."}, {"plugin": "random", "label": "a b\nc"},
  {"plugin": "random"}]'
(cd "$cwd" && "$tk" study "$work/s.json" --jobs 2 --quiet > /dev/null 2> "$work/err")
check "hostile labels: the study runs" test $? -eq 0
check "hostile labels: nothing outside studies/labels" only_inside "studies"
n=$(ls "$cwd/studies/labels/runs" | wc -l)
check "hostile labels: 5 run directories directly under runs/" test "$n" -eq 5
check "hostile labels: each finished" \
    test "$(ls "$cwd"/studies/labels/runs/*/summary.json | wc -l)" -eq 5
check "hostile labels: names reduced to a safe alphabet" \
    sh -c "! ls '$cwd/studies/labels/runs' | grep -q '[^A-Za-z0-9._+-]\|^\\.'"

study '"keys"' '{"plugin": "random"}' \
    '{"plugin": "toy-grid", "config": {"a/../../b": {"sweep": [1, 2]}}}'
(cd "$cwd" && "$tk" study "$work/s.json" --jobs 1 --quiet > /dev/null 2> "$work/err")
check "swept key with a slash: rejected" test $? -eq 1
check "swept key with a slash: says why" grep -q 'name: must be 1-100 characters' "$work/err"
check "swept key with a slash: nothing created" only_inside ""

# --- test sets are read, never written -----------------------------------
# Outside paths are only read (here not a test set: an error), and a
# directory or a missing file is an error; nothing is written.
cp "$2" "$3" "$work/"
for f in "/etc/passwd" "$box" "../../../nonexistent.json"; do
    fresh
    cat > "$work/t.json" <<JSON
{"name": "ts", "budget": {"episodes": 3}, "plugin_paths": ["$work/$(basename "$2")"],
 "teacher": {"plugin": "random"}, "env": {"plugin": "faulty-env"},
 "eval": {"test_set": {"file": "$f"}}}
JSON
    (cd "$cwd" && "$tk" run "$work/t.json" --out out --quiet > /dev/null 2> "$work/err")
    check "test_set file $f: rejected" test $? -eq 1
    check "test_set file $f: says it cannot load the test set" grep -q 'test set' "$work/err"
    check "test_set file $f: nothing written outside --out" only_inside "out"
done

checks_done
