#!/bin/sh
# The Python binding (python/teachkit/, docs/python.md) from the source tree:
#  - python/example_toy_alp_gmm.py, ALP-GMM on the toy grid driven from
#    Python for 20,000 episodes, reports exactly the mastered_pct curve (every
#    evaluation, the final one included) of `teachkit run
#    examples/toy_alp_gmm.json` with the same seed;
#  - python_binding_checks.py: lookup, seeding, configs, errors, env calls and
#    the ABI rules through the binding;
#  - tests/python (the package's tests) with the source tree's package.
# Needs a python3 with NumPy (Debian: python3-numpy); skipped (77) without.
# Under a sanitizer build libteachkit needs the sanitizer runtimes first in
# the process: they are preloaded (leak detection off: the interpreter's own
# allocations are not ours).
# usage: python_binding.sh TEACHKIT LIBTEACHKIT SOURCE_ROOT RANDOM_SO FUTURE_MINOR_SO WRONG_MAJOR_SO
set -u
tk=$1 lib=$2 root=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python=
for p in ${PYTHON:-} /usr/bin/python3 python3; do
    if [ -n "$p" ] && "$p" -c 'import numpy' 2>/dev/null; then python=$p; break; fi
done
if [ -z "$python" ]; then
    echo "SKIP: no python3 with NumPy (apt-get install python3-numpy)"
    exit 77
fi
preload=$(ldd "$lib" | awk '/lib(asan|ubsan)\.so/ {print $3}' | tr '\n' ' ')
if [ -n "$preload" ]; then
    export LD_PRELOAD="$preload" ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
fi
export TEACHKIT_LIBRARY="$lib"

. "$(dirname "$0")/checks.sh"

check "the Python example runs" \
    sh -c "'$python' '$root/python/example_toy_alp_gmm.py' --seed 2 > '$work/python.txt'"
check "teachkit run of the same manifest and seed" \
    "$tk" run "$root/examples/toy_alp_gmm.json" --seed 2 --out "$work/run" --quiet
# evals.jsonl holds mastered_pct as %.10g, as the example prints it.
sed 's/^{"episode":\([0-9]*\),.*"mastered_pct":\([^,]*\),.*$/episode \1 mastered_pct \2/' \
    "$work/run/evals.jsonl" > "$work/cli.txt"
grep '^episode ' "$work/python.txt" > "$work/python_evals.txt"
check "21 evaluations from Python" test "$(wc -l < "$work/python_evals.txt")" -eq 21
check "Python and teachkit run give the same mastered_pct at every evaluation" \
    cmp "$work/python_evals.txt" "$work/cli.txt"
final=$(sed -n 's/^mastered_pct //p' "$work/python.txt")
echo "python: mastered_pct $final; teachkit run: $(tail -n 1 "$work/cli.txt")"
check "the final mastered_pct is the last evaluation's" \
    test "mastered_pct $final" = "$(tail -n 1 "$work/cli.txt" | sed 's/^episode [0-9]* //')"
check "binding checks" "$python" "$root/tests/integration/python_binding_checks.py" "$root" "$4" "$5" "$6"
# The package's own tests (tools/test_python_package.sh runs them on the
# installed wheel) against this build, so that sanitizer builds check the
# C paths they drive; PyTorch is not loaded under a sanitizer preload.
check "tests/python against this build" env TEACHKIT_ALLOW_SOURCE_TREE=1 TEACHKIT_CLI="$tk" \
    TEACHKIT_SKIP_TORCH="${preload:+1}" PYTHONPATH="$root/python" \
    "$python" -m unittest discover -q -s "$root/tests/python" -t "$root/tests/python"
checks_done
