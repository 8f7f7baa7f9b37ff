"""Shared helpers of the Python package's tests (tests/python/).

They test the *installed* package: tools/test_python_package.sh builds the
wheel, installs it in a fresh venv outside the checkout and runs them from
there.  TEACHKIT_CLI names a `teachkit` executable for the tests that
compare with the CLI (skipped without it).
"""

import json
import os
import subprocess
import tempfile
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CLI = os.environ.get("TEACHKIT_CLI", "")


def need_cli(test):
    return unittest.skipUnless(CLI and os.access(CLI, os.X_OK),
                               "TEACHKIT_CLI not set to a teachkit executable")(test)


def run_cli(manifest, seed=None, extra=()):
    """`teachkit run` of a manifest (dict) in a temporary directory: returns
    (exit status, stderr, run directory, temporary directory object)."""
    tmp = tempfile.TemporaryDirectory()
    path = os.path.join(tmp.name, "manifest.json")
    with open(path, "w") as f:
        json.dump(manifest, f)
    out = os.path.join(tmp.name, "run")
    cmd = [CLI, "run", path, "--out", out, "--quiet"] + list(extra)
    if seed is not None:
        cmd += ["--seed", str(seed)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stderr, out, tmp


def cli_error_line(stderr):
    """The CLI's error line without "teachkit: FILE: " (FILE is the
    manifest or the plugin file)."""
    line = [ln for ln in stderr.splitlines() if ln.startswith("teachkit: ")][-1]
    rest = line[len("teachkit: "):]
    first, _, tail = rest.partition(": ")
    return tail if first.endswith(".json") or first.endswith(".so") else rest


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]
