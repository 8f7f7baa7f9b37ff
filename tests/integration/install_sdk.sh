#!/bin/sh
# The plugin SDK from a clean copy of the source tree, as a researcher uses
# it (docs/writing-a-teacher.md):
#  1. every section of the tutorial's commands (examples/sdk/lp_bandit/
#     tutorial.sh) runs in order with HOME in a temporary directory: meson
#     setup + install into ~/.local, `teachkit new teacher lp-bandit` (whose
#     meson.build, manifest and test must equal examples/sdk/lp_bandit/), the
#     tutorial's teacher built out of tree with pkg-config and tested,
#     registered by TEACHKIT_PLUGIN_PATH and by path, run, compared with
#     alp-gmm in a study whose report must list both teachers, and driven
#     from Python (skipped without a python3 with NumPy);
#  2. `teachkit new teacher|env|student` projects build and pass their test
#     (the student one needs the pendulum env);
#  3. ABI: the registry fixtures built against the INSTALLED <teachkit/plugin.h>
#     with `pkg-config --cflags teachkit`: a plugin declaring a newer minor ABI
#     with extra functions loads and runs, one declaring another major is
#     refused naming both versions; the headers also compile as C++17 and
#     the C++ example plugin (examples/sdk/cpp_teacher) builds and runs;
#  4. the installed Python module finds the installed libteachkit and
#     plugins by itself and reproduces `teachkit run`.
# The copy is built with plain flags (no sanitizer), so the test behaves the
# same inside a sanitizer build: nothing of the outer build is run.
# usage: install_sdk.sh SOURCE_ROOT
set -eu
root=$(cd "$1" && pwd)
tmp=$(mktemp -d)
section_name="(setup)"
finish() {
    status=$?
    [ "$status" -eq 0 ] || echo "FAIL: install_sdk stopped in $section_name (exit $status)"
    rm -rf "$tmp"
}
trap finish EXIT
unset TEACHKIT_PLUGIN_PATH TEACHKIT_LIBRARY PYTHONPATH LD_PRELOAD 2>/dev/null || true
export HOME="$tmp/home"
mkdir -p "$HOME/teachkit" "$tmp/bin"
export PATH="$tmp/bin:$PATH"

# ------------------------------------------------------- a clean source copy
# The files of the checkout (tracked and new, not ignored: no build dirs).
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$root" && git ls-files -co --exclude-standard | while IFS= read -r f; do
        [ -f "$f" ] && printf '%s\n' "$f"; done | tar -cf - -T -) | tar -C "$HOME/teachkit" -xf -
else
    tar -C "$root" --exclude='./build*' --exclude=./runs --exclude=./studies -cf - . |
        tar -C "$HOME/teachkit" -xf -
fi

python=
for p in ${PYTHON:-} /usr/bin/python3 python3; do
    if [ -n "$p" ] && "$p" -c 'import numpy' 2>/dev/null; then python=$(command -v "$p"); break; fi
done
# The tutorial says `python3`: make it the one with NumPy.
[ -z "$python" ] || ln -s "$python" "$tmp/bin/python3"

tutorial="$root/examples/sdk/lp_bandit/tutorial.sh"
example="$root/examples/sdk/lp_bandit"
passed=0
# Run the lines between "# [NAME]" and "# [end]" of the tutorial in this
# shell (cd and export carry over, as in the reader's terminal).
section() {
    section_name="tutorial section [$1]"
    echo "===== $section_name"
    body=$(sed -n "/^# \[$1\]\$/,/^# \[end\]\$/p" "$tutorial" | sed '1d;$d')
    [ -n "$body" ] || { echo "no section [$1] in $tutorial"; return 1; }
    eval "$body"
    passed=$((passed + 1))
}
expect() { # description, then a command that must succeed
    section_name="check: $1"
    shift
    "$@"
    passed=$((passed + 1))
}

# ------------------------------------------------------------------ tutorial
section install
section new
for f in meson.build lp_bandit.json smoke_test.sh; do
    expect "teachkit new wrote the $f of examples/sdk/lp_bandit" cmp "$example/$f" "$HOME/lp-bandit/$f"
done
# The reader now writes lp_bandit.c and study.json as the tutorial shows.
cp "$example/lp_bandit.c" "$example/study.json" "$HOME/lp-bandit/"
section build
section cc
expect "the installed library and plugins are used" \
    sh -c "pkg-config --variable=libdir teachkit | grep -q '^$HOME/.local/lib\$'"
expect "a plain --prefix installs the library under PREFIX/lib" test -f "$HOME/.local/lib/libteachkit.so"
expect "pkg-config --libs teachkit links libm" sh -c "pkg-config --libs teachkit | grep -q -- '-lm'"
section list
section run
expect "the run evaluated 5 times" test "$(wc -l < runs/lp-bandit/evals.jsonl)" -eq 5
section study
section report
expect "the report lists lp-bandit" grep -q '^| teacher-lp-bandit | lp-bandit | 3/0 |' studies/lp-vs-alp/report.md
expect "the report lists alp-gmm" grep -q '^| teacher-alp-gmm | alp-gmm | 3/0 |' studies/lp-vs-alp/report.md
if [ -n "$python" ]; then
    section python
else
    echo "SKIP: tutorial section [python]: no python3 with NumPy (apt-get install python3-numpy)"
fi
unset PYTHONPATH TEACHKIT_PLUGIN_PATH

# ------------------------------------------------------------ teachkit new
cd "$tmp"
path_without_teachkit=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -x "$HOME/.local/bin" | paste -sd:)
for kind in teacher env student; do
    if [ "$kind" = student ] && ! teachkit list | grep -q '^env  *pendulum '; then
        echo "SKIP: teachkit new student: no pendulum env installed"
        continue
    fi
    section_name="teachkit new $kind mine-$kind"
    teachkit new "$kind" "mine-$kind" "$tmp/new-$kind"
    # Without teachkit on PATH: teachkit.pc tells the project where it is.
    (cd "$tmp/new-$kind" && PATH=$path_without_teachkit meson setup build &&
         ninja -C build && PATH=$path_without_teachkit meson test -C build --print-errorlogs)
    passed=$((passed + 1))
done
expect "teachkit new never overwrites" sh -c "! teachkit new teacher mine-teacher '$tmp/new-teacher' 2>/dev/null"

# ------------------------------------------------- ABI with the installed header
cflags=$(pkg-config --cflags teachkit)
mkdir -p "$tmp/abi"
fixtures="$HOME/teachkit/tests/fixtures/plugins"
for fixture in future_minor wrong_major; do
    # future_minor is made of the fixtures' minimal parts.
    parts=
    [ "$fixture" = wrong_major ] || parts="$fixtures/minimal_parts.c"
    # shellcheck disable=SC2086
    expect "$fixture.c builds against the installed header" \
        cc -std=c17 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden $cflags \
        "$fixtures/$fixture.c" $parts -o "$tmp/abi/$fixture.so"
done
TEACHKIT_PLUGIN_PATH="$tmp/abi" teachkit list > "$tmp/abi.out" 2> "$tmp/abi.err"
abi=$(teachkit --version | sed -n 's/.*plugin ABI \([0-9.]*\)).*/\1/p')
expect "teachkit --version names the ABI it speaks" test -n "$abi"
expect "a newer-minor plugin is listed" grep -q '^teacher  *future-teacher ' "$tmp/abi.out"
expect "another major is refused naming both versions" \
    grep -q "wrong_major.so: built for plugin ABI 2.0 but this teachkit speaks ABI $abi" "$tmp/abi.err"
cat > "$tmp/future.json" <<'JSON'
{"name": "future", "seed": 1, "budget": {"episodes": 200}, "plugin_paths": ["abi/future_minor.so"],
 "teacher": {"plugin": "future-teacher"}, "env": {"plugin": "toy-grid"}}
JSON
expect "the newer-minor plugin runs" teachkit run "$tmp/future.json" --out "$tmp/future" --quiet
# Every installed header, included from C++ (they carry extern "C" guards).
for h in "$HOME/.local/include/teachkit/"*.h; do
    printf '#include <teachkit/%s>\n' "$(basename "$h")"
done > "$tmp/headers.cpp"
echo 'int main() { tk_rng r; tk_rng_seed(&r, 1); return (int)tk_rng_below(&r, 1); }' >> "$tmp/headers.cpp"
if command -v c++ >/dev/null; then
    # shellcheck disable=SC2086
    expect "the installed headers compile and link as C++17" \
        c++ -std=c++17 -Wall -Wextra -Werror $cflags "$tmp/headers.cpp" -o "$tmp/headers" \
        $(pkg-config --libs teachkit)
    # The C++ example plugin of docs/plugin-abi.md, out of tree.
    cp -r "$root/examples/sdk/cpp_teacher" "$tmp/cpp"
    section_name="build examples/sdk/cpp_teacher"
    (cd "$tmp/cpp" && meson setup build --werror && ninja -C build)
    expect "the C++ plugin exports only its entry" \
        test "$(nm -D --defined-only "$tmp/cpp/build/cpp_teacher.so" | awk '{print $3}')" = teachkit_plugin_entry
    expect "the C++ plugin runs" sh -c "cd '$tmp/cpp' && TEACHKIT_PLUGIN_PATH=build teachkit run cpp_teacher.json --out run --quiet"
else
    echo "SKIP: C++ checks: no c++ compiler"
fi

# --------------------------------------------------- installed Python module
if [ -n "$python" ]; then
    pydir="$HOME/.local/share/teachkit/python"
    section_name="the installed Python example"
    got=$("$python" "$pydir/example_toy_alp_gmm.py" --seed 2 | tail -n 1)
    teachkit run "$HOME/teachkit/examples/toy_alp_gmm.json" --seed 2 --out "$tmp/alp" --quiet
    want=$(tail -n 1 "$tmp/alp/evals.jsonl" | sed 's/.*"mastered_pct":\([^,]*\),.*/mastered_pct \1/')
    echo "installed Python example: $got; teachkit run: $want"
    expect "the installed Python example reproduces teachkit run" test "$got" = "$want"
fi
section_name="(done)"
echo "install_sdk: $passed steps passed"
