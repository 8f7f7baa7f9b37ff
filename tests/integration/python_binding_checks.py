"""Checks of the Python binding (python/teachkit/) beyond the example:
lookup by id and by path, seeding by role, config resolution and errors,
snapshots, env calls, and the ABI rules (a newer-minor plugin loads, another
major is refused naming both versions).

usage: python3 python_binding_checks.py SOURCE_ROOT RANDOM_SO FUTURE_MINOR_SO WRONG_MAJOR_SO
(libteachkit from $TEACHKIT_LIBRARY; bundled plugins found by the library).
Prints one line per failed check and exits 1 if any failed.
"""

import os
import sys

root, random_so, future_so, wrong_so = sys.argv[1:5]
sys.path.insert(0, os.path.join(root, "python"))
import numpy as np  # noqa: E402
import teachkit  # noqa: E402

failures = []


def check(what, ok):
    if not ok:
        failures.append(what)
        print("FAIL: " + what)


def raises(fn, text, path=None, code=None):
    """True when fn() raises TeachkitError whose message contains `text`."""
    try:
        fn()
    except teachkit.TeachkitError as e:
        good = text in str(e) and (path is None or e.path == path) and \
            (code is None or e.code == code)
        if not good:
            print("  got: %r (path %r, code %d)" % (str(e), e.path, e.code))
        return good
    return False


SPACE = [("a", 0.0, 1.0), ("b", -2.0, 3.0)]

# Lookup: by id (bundled plugins), by path; same seed and role -> same draws.
by_id = teachkit.Teacher("random", SPACE, seed=5)
by_path = teachkit.Teacher(random_so, SPACE, seed=5)
other_role = teachkit.Teacher("random", SPACE, seed=5, role="eval-env")
other_seed = teachkit.Teacher("random", SPACE, seed=6)
a = np.array([by_id.sample() for _ in range(50)])
check("sample() returns float32 of the task space's size",
      a.dtype == np.float32 and a.shape == (50, 2))
check("random teacher stays in the bounds",
      bool((a[:, 0] >= 0).all() and (a[:, 0] <= 1).all() and (a[:, 1] >= -2).all()
           and (a[:, 1] <= 3).all()))
check("found by id and by path: the same draws for the same seed",
      np.array_equal(a, np.array([by_path.sample() for _ in range(50)])))
check("another role gives another stream",
      not np.array_equal(a, np.array([other_role.sample() for _ in range(50)])))
check("another seed gives another stream",
      not np.array_equal(a, np.array([other_seed.sample() for _ in range(50)])))
check("the teacher id", by_path.id == "random")
by_id.update(a[-1], 0.5, success=True)
check("snapshot() of a teacher without one is None", by_id.snapshot() is None)

# Config: defaults merged, unknown keys and bad values refused with the key.
alp = teachkit.Teacher("alp-gmm", SPACE, config={"fit_rate": 120}, seed=1)
check("resolved config keeps the defaults and the given key",
      alp.config["fit_rate"] == 120 and "random_task_ratio" in alp.config)
check("unknown config key is refused with its path",
      raises(lambda: teachkit.Teacher("alp-gmm", SPACE, config={"fit_rat": 3}),
             "unknown key", path="fit_rat", code=1))
check("mistyped config value is refused",
      raises(lambda: teachkit.Teacher("alp-gmm", SPACE, config={"fit_rate": "x"}),
             "type", path="fit_rate", code=1))
check("out-of-range config value: the plugin's message and key",
      raises(lambda: teachkit.Teacher("alp-gmm", SPACE, config={"fit_rate": 0}),
             "fit_rate", path="fit_rate", code=1))
check("unknown plugin id is reported with the search path",
      raises(lambda: teachkit.Teacher("no-such-teacher", SPACE), "no teacher plugin"))
check("a kind the file does not provide",
      raises(lambda: teachkit.Env(random_so), "provides no env"))
for _ in range(300):
    t = alp.sample()
    alp.update(t, float(t[0]))
snap = alp.snapshot()
check("alp-gmm snapshot is a dict", isinstance(snap, dict) and len(snap) > 0)
try:
    alp.update(np.zeros(3, np.float32), 0.0)
    check("update() refuses a task of the wrong size", False)
except ValueError:
    pass

# Env calls on the toy grid.
env = teachkit.Env("toy-grid", config={"cells_per_dim": 4}, seed=3)
check("toy-grid task space",
      env.task_space == [("x0", 0.0, 1.0), ("x1", 0.0, 1.0)] and env.obs_dim == 0
      and env.act_dim == 0 and env.self_evaluating)
check("nothing mastered at the start", env.evaluate() == 0.0)
for _ in range(80):
    env.set_task([0.1, 0.1])
    env.reset()
    obs, reward, done = env.step()
check("the origin cell is learnt", done and reward == 0.8 and env.evaluate() == 100.0 / 16)
check("success falls back to return > mastery_threshold", env.success(0.8) is True)
check("out-of-bounds task: TK_ERR_INVALID with the env's message",
      raises(lambda: env.set_task([2.0, 0.0]), "outside", code=2))
check("normalise_return clamps", env.normalise_return(7.0) == 1.0
      and env.normalise_return(-1.0) == 0.0)

# ABI: a plugin from a newer minor loads; another major is refused.
future = teachkit.Teacher(future_so, SPACE, seed=1)
check("a plugin of a newer minor ABI loads and samples",
      future.id == "future-teacher" and future.sample().shape == (2,))
check("a plugin of another major ABI is refused naming both versions",
      raises(lambda: teachkit.Teacher(wrong_so, SPACE),
             "ABI %d.0 but this teachkit speaks ABI 1." % 2, code=6))

# Instances outlive nothing: closing twice is harmless.
alp.close()
alp.close()

print("%d checks failed" % len(failures))
sys.exit(1 if failures else 0)
