#!/bin/sh
# One bad file on the plugin search path costs only itself
# (docs/reliability.md, "Loading code"):
#   - plugin files that crash in a constructor or in init(), hang in init(),
#     call exit() in init() or declare 4e9 components are refused with the
#     reason, and `list` and a run that does not use them work;
#   - a run that asks for a component of such a file fails with one line;
#   - a directory of symlinks to itself is scanned once;
#   - a plugin path at a directory of libraries none of which is a plugin
#     (a system library directory) is refused as such, without loading them;
#   - the host calls a vtable's optional members only inside the size the
#     vtable declares: a teacher, an env and a student whose vtables end
#     before their optional members run, and the host skips those members.
#   - components built against a newer minor header (larger vtables and
#     descriptors, a larger tk_env_info of their own) run in this host;
#   - a misspelt feature string refuses its file, naming it and the string.
# usage: plugin_discovery.sh TEACHKIT SHORT_VTABLE_SO NO_ENTRY_SO TOOLKIT_LIB
#            BAD_CRASH_CTOR_SO BAD_CRASH_INIT_SO BAD_HANG_INIT_SO BAD_EXIT_INIT_SO BAD_HUGE_COUNT_SO
#            FUTURE_MINOR_SO UNKNOWN_FEATURE_SO
set -u
tk=$1
short=$2
no_entry=$3
toolkit=$4
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"
unset TEACHKIT_PLUGIN_PATH

cat > "$work/toy.json" <<'JSON'
{"budget": {"episodes": 50}, "teacher": {"plugin": "random"}, "env": {"plugin": "toy-grid"},
 "log": {"progress": "never"}}
JSON

# --- vtables that end early ----------------------------------------------------
cat > "$work/short.json" <<JSON
{"budget": {"episodes": 50}, "plugin_paths": ["$short"],
 "teacher": {"plugin": "short-teacher"}, "env": {"plugin": "short-env"},
 "student": {"plugin": "short-student"},
 "eval": {"test_set": {"uniform": 2}}, "log": {"progress": "never"}}
JSON
"$tk" run "$work/short.json" --out "$work/short" --quiet 2> "$work/short.err"
check "short vtables: the run finishes (no member past a vtable's end was called)" \
    grep -q '"status": "finished"' "$work/short/summary.json"
check "short vtables: the student acted (every episode mastered: action = task)" \
    grep -q '"return":1[,.]' "$work/short/episodes.jsonl"

# --- a newer minor version; a misspelt feature -----------------------------------
future=${10}
typo=${11}
cat > "$work/future.json" <<JSON
{"budget": {"episodes": 20}, "plugin_paths": ["$future"],
 "teacher": {"plugin": "future-teacher"}, "env": {"plugin": "future-env"},
 "student": {"plugin": "future-student"}, "log": {"progress": "never"}}
JSON
"$tk" run "$work/future.json" --out "$work/future" --quiet 2> "$work/future.err"
check "newer minor: teacher, env and student run in this host" \
    grep -q '"status": "finished"' "$work/future/summary.json"
sed "s|$future|$typo|; s|future-teacher|typo-teacher|" "$work/future.json" > "$work/typo.json"
"$tk" run "$work/typo.json" --out "$work/typo" --quiet 2> "$work/typo.err"
check "misspelt feature: refused, naming the file and the feature" \
    grep -q "plugin_paths\[0\]: $typo: component 0 declares the feature \"raw-retrun\"" "$work/typo.err"

# --- files that break while loading --------------------------------------------
mkdir "$work/bad" "$work/hang"
cp "$5" "$6" "$8" "$9" "$work/bad/"
cp "$7" "$work/hang/"
export TEACHKIT_PLUGIN_PATH="$work/bad"
timeout 60 "$tk" list > "$work/list.out" 2> "$work/list.err"
check "bad files: list exits 0" test $? -eq 0
check "bad files: list shows the bundled plugins" grep -q '^teacher  random' "$work/list.out"
for f in bad_crash_ctor bad_crash_init bad_exit_init bad_huge_count; do
    check "bad files: $f refused" grep -q "refused .*/$f.so: " "$work/list.err"
done
check "bad files: the count is bounded" \
    grep -q 'bad_huge_count.so: declares 4000000000 components; a plugin file may hold at most 256' \
    "$work/list.err"
check "bad files: a crash while loading is named" \
    grep -q 'bad_crash_init.so: \(crashed while loading\|ended the process while loading\)' \
    "$work/list.err"
timeout 60 "$tk" run "$work/toy.json" --out "$work/toy" --quiet 2> "$work/toy.err"
check "bad files: a run that does not use them finishes" test $? -eq 0
sed 's/"plugin": "random"/"plugin": "bad-loading"/' "$work/toy.json" > "$work/uses-bad.json"
timeout 60 "$tk" run "$work/uses-bad.json" --out "$work/uses-bad" --quiet 2> "$work/uses-bad.err"
check "bad files: a run that needs one exits 1" test $? -eq 1
check "bad files: with one line naming the refusal" test "$(wc -l < "$work/uses-bad.err")" -eq 1
check "bad files: ... which says why" grep -q 'no teacher plugin "bad-loading" found.*rejected' \
    "$work/uses-bad.err"

export TEACHKIT_PLUGIN_PATH="$work/hang"
start=$(date +%s)
timeout 60 "$tk" list > /dev/null 2> "$work/hang.err"
check "a plugin hanging in init(): list exits 0" test $? -eq 0
check "a plugin hanging in init(): refused after 10 s" \
    grep -q 'bad_hang_init.so: did not finish loading in 10 s' "$work/hang.err"
check "a plugin hanging in init(): list returned within 30 s" test $(( $(date +%s) - start )) -lt 30

# --- symlink loops -----------------------------------------------------------------
mkdir "$work/loop"
for i in $(seq 1 30); do ln -s . "$work/loop/l$i"; done
export TEACHKIT_PLUGIN_PATH="$work/loop"
start=$(date +%s)
timeout 60 "$tk" list > /dev/null 2> "$work/loop.err"
check "a directory of self-symlinks: list exits 0" test $? -eq 0
check "a directory of self-symlinks: in under 5 s" test $(( $(date +%s) - start )) -lt 5
unset TEACHKIT_PLUGIN_PATH

# --- directories that are not plugin directories ---------------------------------
mkdir "$work/libs"
cp "$toolkit" "$work/libs/libteachkit.so"
cp "$no_entry" "$work/libs/helper.so"
cat > "$work/libs.json" <<JSON
{"budget": {"episodes": 10}, "plugin_paths": ["$work/libs"],
 "teacher": {"plugin": "random"}, "env": {"plugin": "toy-grid"}}
JSON
"$tk" validate "$work/libs.json" > /dev/null 2> "$work/libs.err"
check "a library directory: refused" test $? -eq 1
check "a library directory: as not a plugin directory, naming plugin_paths[0]" \
    grep -q "plugin_paths\[0\]: $work/libs: not a plugin directory: none of its 2 .so files exports" \
    "$work/libs.err"
for sys in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
    [ -d "$sys" ] || continue
    sed "s|$work/libs|$sys|" "$work/libs.json" > "$work/sys.json"
    start=$(date +%s)
    timeout 60 "$tk" validate "$work/sys.json" > /dev/null 2> "$work/sys.err"
    rc=$?
    check "$sys in plugin_paths: refused" test "$rc" -eq 1
    check "$sys in plugin_paths: as not a plugin directory" grep -q 'not a plugin directory' "$work/sys.err"
    check "$sys in plugin_paths: within 10 s" test $(( $(date +%s) - start )) -lt 10
    break
done

checks_done
