"""The teacher API: batches, save/load, snapshots, step-level calls,
value_fn, and errors worded as the CLI words them."""

import json
import os
import unittest

import numpy as np

import teachkit
from support import cli_error_line, need_cli, run_cli

SPACE = [(0.0, 1.0), (-2.0, 3.0)]


def play(teacher, episodes):
    """sample/update rounds with a return made from the task."""
    tasks = []
    for _ in range(episodes):
        t = teacher.sample()
        if teacher.step_level:
            teacher.episode_start(t, np.zeros(3, np.float32))
        teacher.update(t, float(t[0]) * 0.7, success=t[0] > 0.6)
        tasks.append(t)
    return np.array(tasks)


class Batches(unittest.TestCase):
    def test_sample_batch_has_the_shape_and_the_draws_of_single_samples(self):
        a = teachkit.Teacher("random", SPACE, seed=4)
        b = teachkit.Teacher("random", SPACE, seed=4)
        batch = a.sample_batch(64)
        self.assertEqual((batch.shape, batch.dtype), ((64, 2), np.float32))
        self.assertTrue(np.array_equal(batch, np.array([b.sample() for _ in range(64)])))

    def test_update_batch_equals_the_same_updates_one_by_one(self):
        a = teachkit.Teacher("alp-gmm", SPACE, config={"fit_rate": 40}, seed=2)
        b = teachkit.Teacher("alp-gmm", SPACE, config={"fit_rate": 40}, seed=2)
        for _ in range(8):
            tasks = a.sample_batch(30)
            single = np.array([b.sample() for _ in range(30)])
            self.assertTrue(np.array_equal(tasks, single))
            rets = tasks[:, 0].astype(np.float64) * 0.5
            succ = tasks[:, 0] > 0.5
            a.update_batch(tasks, rets, succ)
            for t, r, s in zip(single, rets, succ):
                b.update(t, r, s)
        self.assertEqual(a.save(), b.save())

    def test_non_finite_returns_are_refused(self):
        a = teachkit.Teacher("alp-gmm", SPACE, seed=1)
        for bad in (float("nan"), float("inf")):
            with self.assertRaises(teachkit.TeachkitError) as cm:
                a.update(a.sample(), bad)
            self.assertEqual(cm.exception.code, 2)
        with self.assertRaises(teachkit.TeachkitError):
            a.update_batch(a.sample_batch(2), [0.5, float("nan")])

    def test_update_batch_checks_its_shapes(self):
        a = teachkit.Teacher("random", SPACE)
        with self.assertRaises(ValueError):
            a.update_batch(np.zeros((3, 3), np.float32), [0.0] * 3)
        with self.assertRaises(ValueError):
            a.update_batch(np.zeros((3, 2), np.float32), [0.0] * 2)


class SaveLoad(unittest.TestCase):
    def test_a_loaded_teacher_continues_as_the_saved_one_whatever_its_seed(self):
        for tid, cfg in [("alp-gmm", {"fit_rate": 50}), ("riac", {}), ("covar-gmm", {}),
                         ("random", {}), ("adr", {"min_reward_thr": 0.2, "max_reward_thr": 0.5}),
                         ("goal-gan", {"success": "env"}), ("setter-solver", {"success": "env"}),
                         ("spdl", {"value_source": "episode_return", "update_offset": 100,
                                   "update_frequency": 50}),
                         ("oracle", {"window_step_vector": [0.05, 0.05], "reward_thr": 0.5})]:
            a = teachkit.Teacher(tid, SPACE, config=cfg, seed=1)
            play(a, 260)
            data = a.save()
            self.assertIsInstance(data, bytes)
            b = teachkit.Teacher(tid, SPACE, config=cfg, seed=12345)
            play(b, 7)  # even a used one
            b.load(data)
            self.assertTrue(np.array_equal(play(a, 200), play(b, 200)), tid)

    def test_load_refuses_another_config_or_damaged_bytes_and_changes_nothing(self):
        a = teachkit.Teacher("alp-gmm", SPACE, config={"fit_rate": 50}, seed=1)
        play(a, 120)
        data = a.save()
        other = teachkit.Teacher("alp-gmm", SPACE, config={"fit_rate": 51}, seed=1)
        twin = teachkit.Teacher("alp-gmm", SPACE, config={"fit_rate": 51}, seed=1)
        for bad in [data, data[:len(data) // 2], b"", b"garbage" * 10]:
            with self.assertRaises(teachkit.TeachkitError) as cm:
                other.load(bad)
            self.assertEqual(cm.exception.code, 2)
            self.assertIn('teacher "alp-gmm" failed in load: invalid argument', str(cm.exception))
        self.assertTrue(np.array_equal(play(other, 100), play(twin, 100)))
        random = teachkit.Teacher("random", SPACE, seed=1)
        with self.assertRaises(teachkit.TeachkitError) as cm:
            random.load(data)
        self.assertIn('saved by another teacher than "random"', str(cm.exception))

    def test_snapshot_is_a_dict(self):
        a = teachkit.Teacher("alp-gmm", SPACE, config={"fit_rate": 50}, seed=1)
        play(a, 200)
        snap = a.snapshot()
        self.assertIsInstance(snap, dict)
        json.dumps(snap)
        self.assertIsNone(teachkit.Teacher("random", SPACE).snapshot())


class StepLevel(unittest.TestCase):
    def test_spdl_needs_episode_start_and_says_so_as_the_cli_would(self):
        t = teachkit.Teacher("spdl", SPACE, config={"value_source": "episode_return"}, seed=1)
        self.assertTrue(t.step_level)
        task = t.sample()
        with self.assertRaises(teachkit.TeachkitError) as cm:
            t.update(task, 0.5)
        self.assertEqual(cm.exception.code, 3)
        self.assertTrue(str(cm.exception).startswith(
            'teacher "spdl" failed in update: call out of order: update() without '
            'episode_start()'), str(cm.exception))
        t.episode_start(task, np.zeros(3))
        t.step_update(np.zeros(3), np.zeros(1), -1.0, np.ones(3), False)
        t.update(task, 0.5)

    def test_value_fn_answers_spdl(self):
        seen = []

        def value(obs):
            seen.append(np.array(obs))
            return float(obs.sum())
        t = teachkit.Teacher("spdl", SPACE, seed=1, value_fn=value)
        task = t.sample()
        t.episode_start(task, np.array([1.0, 2.0, 3.0]))
        t.update(task, 0.1)
        self.assertEqual(len(seen), 1)
        self.assertTrue(np.array_equal(seen[0], [1.0, 2.0, 3.0]))

    def test_without_value_fn_spdl_reports_its_config_key(self):
        t = teachkit.Teacher("spdl", SPACE, seed=1)
        with self.assertRaises(teachkit.TeachkitError) as cm:
            t.episode_start(t.sample(), np.zeros(2))
        self.assertEqual((cm.exception.code, cm.exception.path), (1, "value_source"))
        self.assertTrue(str(cm.exception).startswith("teacher.config.value_source: "))

    def test_an_exception_in_value_fn_reaches_the_caller(self):
        def value(obs):
            raise KeyError("no value here")
        t = teachkit.Teacher("spdl", SPACE, seed=1, value_fn=value)
        with self.assertRaises(KeyError):
            t.episode_start(t.sample(), np.zeros(2))

    def test_teachers_without_step_calls_refuse_them(self):
        t = teachkit.Teacher("alp-gmm", SPACE, seed=1)
        self.assertFalse(t.step_level)
        with self.assertRaises(teachkit.TeachkitError) as cm:
            t.episode_start(t.sample(), np.zeros(2))
        self.assertEqual(cm.exception.code, 6)


MANIFEST = {"name": "errors", "seed": 1, "budget": {"episodes": 5},
            "teacher": {"plugin": "alp-gmm"}, "env": {"plugin": "toy-grid"},
            "student": {"plugin": "none"}}


class ErrorsAsTheCli(unittest.TestCase):
    """The same mistake gives the same words from Python as from
    `teachkit run` (its line without "teachkit: FILE: ")."""

    def python_error(self, kind, plugin, config):
        with self.assertRaises(teachkit.TeachkitError) as cm:
            if kind == "teacher":
                teachkit.Teacher(plugin, [(0.0, 1.0), (0.0, 1.0)], config=config)
            else:
                teachkit.Env(plugin, config=config)
        return str(cm.exception)

    @need_cli
    def test_config_mistakes(self):
        cases = [("teacher", "alp-gmm", {"fit_rat": 3}), ("teacher", "alp-gmm", {"fit_rate": "x"}),
                 ("teacher", "alp-gmm", {"fit_rate": 0}), ("teacher", "riac", {"max_region_size": 1}),
                 ("env", "toy-grid", {"cells_per_dim": 0}), ("env", "toy-grid", {"dim": 2})]
        for kind, plugin, config in cases:
            manifest = json.loads(json.dumps(MANIFEST))
            manifest[kind] = {"plugin": plugin, "config": config}
            rc, err, _, tmp = run_cli(manifest)
            tmp.cleanup()
            self.assertNotEqual(rc, 0)
            self.assertEqual(self.python_error(kind, plugin, config), cli_error_line(err),
                             (kind, plugin, config))

    @need_cli
    def test_unknown_plugin_id(self):
        manifest = json.loads(json.dumps(MANIFEST))
        manifest["teacher"] = {"plugin": "alp-gmn"}
        rc, err, _, tmp = run_cli(manifest)
        tmp.cleanup()
        want = 'no teacher plugin "alp-gmn" found; did you mean "alp-gmm"? `teachkit list` shows'
        self.assertIn(want, err)
        self.assertTrue(self.python_error("teacher", "alp-gmn", None).startswith(want))


if __name__ == "__main__":
    unittest.main()
