#!/bin/sh
# Safe plugin loading (docs/reliability.md):
#   - plugins load only from the manifest's plugin_paths (relative to the
#     manifest, not to the working directory), TEACHKIT_PLUGIN_PATH and the
#     bundled directory: a .so in the working directory or next to the
#     manifest is never picked up;
#   - a world-writable plugin file, a plugin in a world-writable directory,
#     or below one anywhere up the path, is refused with a message saying
#     which and what to run; in a world-writable directory with the sticky
#     bit (like /tmp) only an entry owned by another user is refused;
#   - refusals show in `teachkit list` and in "plugin not found" messages.
# usage: safe_loading.sh TEACHKIT FAULTY_ENV_SO FAULTY_STUDENT_SO SENTINEL_SO FAULTY_TEACHER_SO
set -u
tk=$1
fenv=$2
work=$(mktemp -d)
# Undo the permission games before removing (a 1777 directory with a
# foreign entry is fine for root, but keep the tree ordinary).
trap 'chmod -R u+rwX,o-w "$work" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
chmod 755 "$work"
. "$(dirname "$0")/checks.sh"

# manifest FILE [PLUGIN_PATHS_JSON]
manifest() {
    paths=
    [ -n "${2:-}" ] && paths="\"plugin_paths\": $2,"
    cat > "$1" <<JSON
{"name": "safe", "budget": {"episodes": 3}, $paths
 "teacher": {"plugin": "random"}, "env": {"plugin": "faulty-env"},
 "eval": {"at_start": false, "test_set": {"uniform": 1}}}
JSON
}
validate() { # manifest; sets rc and err
    "$tk" validate "$1" > /dev/null 2> "$work/err"
    rc=$?
    err=$work/err
}

# --- where plugins come from -------------------------------------------
mkdir -p "$work/cwd" "$work/m"
cp "$fenv" "$work/cwd/faulty_env.so"
cp "$fenv" "$work/m/faulty_env.so"
manifest "$work/m/none.json"
(cd "$work/cwd" && "$tk" validate "$work/m/none.json" > /dev/null 2> "$work/err")
check "a .so in the working directory or beside the manifest is not loaded" \
    grep -qF 'no env plugin "faulty-env" found' "$work/err"

rm "$work/m/faulty_env.so"
manifest "$work/m/rel.json" '["faulty_env.so"]'
(cd "$work/cwd" && "$tk" validate "$work/m/rel.json" > /dev/null 2> "$work/err")
check "plugin_paths is relative to the manifest, not to the working directory" \
    grep -qF "plugin_paths[0]: $work/m/faulty_env.so: does not exist" "$work/err"
cp "$fenv" "$work/m/faulty_env.so"
(cd "$work/cwd" && "$tk" validate "$work/m/rel.json" > /dev/null 2> "$work/err")
check "... and found there" test $? -eq 0

(cd "$work/cwd" && TEACHKIT_PLUGIN_PATH="$work/cwd" "$tk" validate "$work/m/none.json" \
    > /dev/null 2> "$work/err")
check "TEACHKIT_PLUGIN_PATH is searched" test $? -eq 0

# --- world-writable files and directories ------------------------------
mkdir -p "$work/p"
chmod 755 "$work/p"
cp "$fenv" "$work/p/faulty_env.so"
chmod 644 "$work/p/faulty_env.so"
manifest "$work/file.json" "[\"$work/p/faulty_env.so\"]"
validate "$work/file.json"
check "baseline: a 644 plugin in a 755 directory loads" test "$rc" -eq 0

chmod o+w "$work/p/faulty_env.so"
validate "$work/file.json"
check "world-writable file: validate exits 1" test "$rc" -eq 1
check "world-writable file: message names plugin_paths[0] and the fix" \
    grep -qF 'plugin_paths[0]: '"$work/p/faulty_env.so"': refused: the file is world-writable; run `chmod o-w` on it' "$err"
TEACHKIT_PLUGIN_PATH="$work/p" "$tk" list > "$work/list" 2>&1
check "world-writable file: \`teachkit list\` shows the refusal" \
    grep -qF 'world-writable' "$work/list"
manifest "$work/env.json"
TEACHKIT_PLUGIN_PATH="$work/p" "$tk" validate "$work/env.json" > /dev/null 2> "$work/err"
check "world-writable file via TEACHKIT_PLUGIN_PATH: not found, with the reason" \
    grep -qF "no env plugin \"faulty-env\" found" "$work/err"
check "... the reason names the file" \
    grep -qF "rejected $work/p/faulty_env.so: refused: the file is world-writable" "$work/err"
chmod o-w "$work/p/faulty_env.so"

chmod 777 "$work/p"
validate "$work/file.json"
check "world-writable directory: refused" test "$rc" -eq 1
check "world-writable directory: message names the directory" \
    grep -qF "refused: the file lies in the world-writable directory $work/p; run \`chmod o-w\` on it" "$err"
TEACHKIT_PLUGIN_PATH="$work/p" "$tk" validate "$work/env.json" > /dev/null 2> "$work/err"
check "world-writable directory via TEACHKIT_PLUGIN_PATH: refused" \
    grep -qF "lies in the world-writable directory $work/p" "$work/err"

# An ancestor: $work/ww is world-writable, the plugin sits in ww/sub/.
chmod 755 "$work/p"
mkdir -p "$work/ww/sub"
chmod 755 "$work/ww/sub"
cp "$fenv" "$work/ww/sub/faulty_env.so"
chmod 777 "$work/ww"
manifest "$work/anc.json" "[\"$work/ww/sub/faulty_env.so\"]"
validate "$work/anc.json"
check "world-writable ancestor directory: refused" \
    grep -qF "lies in the world-writable directory $work/ww;" "$err"

# Sticky (like /tmp): entries of this user (root here) load; an entry of
# another user below it is refused, wherever it is on the path.
chmod 1777 "$work/ww"
validate "$work/anc.json"
check "sticky world-writable ancestor, own entries: loads" test "$rc" -eq 0
if [ "$(id -u)" -eq 0 ] && chown 65534 "$work/ww/sub" 2>/dev/null; then
    validate "$work/anc.json"
    check "sticky world-writable ancestor, another user's directory: refused" \
        grep -qF "lies in the world-writable directory $work/ww under an entry of another user (uid 65534)" "$err"
    chown 0 "$work/ww/sub"
    mkdir -p "$work/st"
    chmod 1777 "$work/st"
    cp "$fenv" "$work/st/faulty_env.so"
    chown 65534 "$work/st/faulty_env.so"
    manifest "$work/st.json" "[\"$work/st/faulty_env.so\"]"
    validate "$work/st.json"
    check "sticky world-writable directory, another user's file: refused" \
        grep -qF "lies in the world-writable directory $work/st under an entry of another user" "$err"
else
    echo "SKIP: foreign-owner checks need root to chown (to uid 65534)"
fi

checks_done
