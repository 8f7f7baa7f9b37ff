"""The installed package: found outside the checkout, with its own
libteachkit and bundled plugins, and out-of-tree plugins still found
through TEACHKIT_PLUGIN_PATH."""

import os
import subprocess
import sys
import unittest

import teachkit
from support import ROOT


# The expert knowledge some teachers require in their config.
EXPERT = {"adr": {"min_reward_thr": 0.2, "max_reward_thr": 0.8},
          "goal-gan": {"success": "env"}, "setter-solver": {"success": "env"}}


class Installed(unittest.TestCase):
    def test_imported_from_site_packages_not_the_checkout(self):
        here = os.path.dirname(os.path.abspath(teachkit.__file__))
        if os.environ.get("TEACHKIT_ALLOW_SOURCE_TREE"):
            self.skipTest("run against the source tree")
        self.assertFalse(here.startswith(ROOT + os.sep), here)
        self.assertTrue(teachkit.library_path().startswith(os.path.join(here, "_lib")))
        self.assertTrue(teachkit.Session().plugin_dir.startswith(os.path.join(here, "_lib")))

    def test_every_bundled_plugin_is_found_by_id(self):
        space = [(0.0, 1.0), (0.0, 1.0)]
        for tid in ["random", "alp-gmm", "covar-gmm", "riac", "adr", "spdl", "goal-gan",
                    "setter-solver"]:
            config = EXPERT.get(tid)
            self.assertEqual(teachkit.Teacher(tid, space, config=config, seed=1).id, tid)
        for eid in ["toy-grid", "pendulum", "mountain-car", "stump-tracks", "hexagon-tracks",
                    "parkour"]:
            self.assertEqual(teachkit.Env(eid, seed=1).id, eid)

    def test_works_from_another_directory(self):
        code = ("import teachkit; t = teachkit.Teacher('alp-gmm', [(0, 1)], seed=1); "
                "print(t.sample().shape)")
        out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True,
                             text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "(1,)")

    def test_without_numpy_the_import_says_what_to_do(self):
        code = "import sys; sys.modules['numpy'] = None; import teachkit"
        out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True,
                             text=True)
        self.assertNotEqual(out.returncode, 0)
        last = out.stderr.strip().splitlines()[-1]
        self.assertTrue(last.startswith("ImportError: teachkit needs NumPy: `pip install numpy`"),
                        last)

    def test_out_of_tree_plugin_through_TEACHKIT_PLUGIN_PATH(self):
        plugin = os.environ.get("TEACHKIT_TEST_PLUGIN")
        if not plugin:
            self.skipTest("TEACHKIT_TEST_PLUGIN not set (a .so providing future-teacher)")
        code = ("import teachkit; print(teachkit.Teacher('future-teacher', [(0, 1)]).id)")
        env = dict(os.environ, TEACHKIT_PLUGIN_PATH=plugin)
        out = subprocess.run([sys.executable, "-c", code], cwd="/", env=env,
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "future-teacher")


if __name__ == "__main__":
    unittest.main()
