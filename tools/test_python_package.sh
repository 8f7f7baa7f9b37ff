#!/bin/sh
# The Python package as a user installs it (docs/python.md): builds the wheel
# (python3 -m build --wheel --no-isolation), installs it into a fresh venv
# outside the checkout (--system-site-packages for Debian's NumPy and
# PyTorch), checks that `pip install --no-build-isolation .` works offline
# too, and runs tests/python/ with that venv's Python from another
# directory, so that they import the installed package, not the checkout.
# Usage: sh tools/test_python_package.sh [TEACHKIT]
#   TEACHKIT: a `teachkit` executable for the tests that compare with the
#   CLI (default build/teachkit); its build tree's tests/future_minor.so
#   serves as the out-of-tree plugin.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cli=${1:-$root/build/teachkit}
python=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"

quiet() { # run a command, showing its output only when it fails
    log="$tmp/log"
    if ! "$@" >"$log" 2>&1; then
        tail -n 40 "$log"
        echo "python package: FAIL: $*"
        exit 1
    fi
}

echo "python package: building the wheel"
quiet "$python" -m build --wheel --no-isolation --outdir "$tmp/dist" .
wheel=$(ls "$tmp"/dist/teachkit-*.whl)
quiet "$python" -m venv --system-site-packages "$tmp/venv"
quiet "$tmp/venv/bin/pip" install --no-index "$wheel"

echo "python package: pip install --no-build-isolation . in a second venv"
quiet "$python" -m venv --system-site-packages "$tmp/venv2"
quiet "$tmp/venv2/bin/pip" install --no-index --no-build-isolation "$root"
(cd / && quiet "$tmp/venv2/bin/python" -c \
    'import teachkit; teachkit.Teacher("alp-gmm", [(0, 1)], seed=1).sample()')

echo "python package: tests/python with the installed package"
plugin="$(dirname "$cli")/tests/future_minor.so"
[ -f "$plugin" ] || plugin=
cd "$tmp"
TEACHKIT_CLI="$cli" TEACHKIT_TEST_PLUGIN="$plugin" \
    "$tmp/venv/bin/python" -m unittest discover -s "$root/tests/python" -t "$root/tests/python"
