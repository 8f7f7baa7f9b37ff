"""The examples of examples/python/ run with the installed package: the
quick start, and the PyTorch agent in a short form (skipped without
PyTorch)."""

import os
import re
import subprocess
import sys
import unittest

from support import ROOT

EXAMPLES = os.path.join(ROOT, "examples", "python")


def run(script, *args):
    return subprocess.run([sys.executable, os.path.join(EXAMPLES, script)] + list(args),
                          capture_output=True, text=True, cwd="/")


class Examples(unittest.TestCase):
    def test_quickstart(self):
        p = run("wrapper_quickstart.py")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.count("task ["), 3)
        self.assertRegex(p.stdout, r"ALP-GMM components: [1-9]")

    def test_pytorch_agent_short(self):
        if os.environ.get("TEACHKIT_SKIP_TORCH"):
            self.skipTest("TEACHKIT_SKIP_TORCH set (a sanitizer runtime is preloaded)")
        try:
            import torch  # noqa: F401
        except ImportError:
            self.skipTest("PyTorch not installed (Debian: python3-torch)")
        p = run("train_pendulum_torch.py", "--episodes", "48", "--eval-every", "24",
                "--episode-steps", "40")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.strip().split("\n")
        self.assertEqual([int(line.split()[1]) for line in lines], [0, 24, 48])
        for line in lines:
            self.assertRegex(line, r"^episode \d+ mean_return -?\d+\.\d mastered_pct \d+\.\d$")


if __name__ == "__main__":
    unittest.main()
