"""A Python loop with the same seed reproduces `teachkit run`: the wrapper
around make_env, with the `none` student's policy (the middle of the action
box), plays the same tasks with the same returns and success flags as the
CLI, episode for episode, for a pendulum manifest with ALP-GMM and with
SPDL (a step-level teacher), and for the toy grid."""

import unittest

import numpy as np

import teachkit
from support import need_cli, read_jsonl, run_cli

PENDULUM = {"mass": [0.5, 3.0], "length": [0.5, 2.0], "max_torque": [0.1, 6.0], "g": 10.0,
            "episode_steps": 40}


def python_episodes(env_id, env_config, teacher_id, teacher_config, seed, episodes):
    env = teachkit.make_env(env_id, config=env_config, seed=seed)
    teacher = teachkit.Teacher(teacher_id, env.task_space, config=teacher_config, seed=seed)
    wrapped = teachkit.TeacherWrapper(env, teacher)
    middle = (env.action_space.low + env.action_space.high) / 2  # the `none` student
    out = []
    for _ in range(episodes):
        _, info = wrapped.reset()
        while True:
            _, _, terminated, truncated, last = wrapped.step(middle)
            if terminated or truncated:
                break
        out.append((info["task"], last["episode_return"], last["success"]))
    return out


class SameAsTheCli(unittest.TestCase):
    def compare(self, env_id, env_config, teacher_id, teacher_config, seed, episodes):
        manifest = {"name": "same", "seed": seed, "budget": {"episodes": episodes},
                    "teacher": {"plugin": teacher_id, "config": teacher_config},
                    "env": {"plugin": env_id, "config": env_config},
                    "student": {"plugin": "none"}}
        if env_id != "toy-grid":
            manifest["eval"] = {"every_episodes": episodes, "test_set": {"grid": 2}}
        rc, err, out, tmp = run_cli(manifest)
        self.addCleanup(tmp.cleanup)
        self.assertEqual(rc, 0, err)
        cli = read_jsonl(out + "/episodes.jsonl")
        py = python_episodes(env_id, env_config, teacher_id, teacher_config, seed, episodes)
        self.assertEqual(len(cli), episodes)
        for k, (line, (task, ret, success)) in enumerate(zip(cli, py)):
            self.assertTrue(np.array_equal(np.float32(line["task"]), task), k)
            self.assertEqual("%.10g" % line["return"], "%.10g" % ret, k)
            self.assertEqual(line["success"], success, k)

    @need_cli
    def test_pendulum_alp_gmm(self):
        self.compare("pendulum", PENDULUM, "alp-gmm", {"fit_rate": 30}, 3, 150)

    @need_cli
    def test_pendulum_spdl_step_level(self):
        self.compare("pendulum", PENDULUM, "spdl",
                     {"update_offset": 800, "update_frequency": 800,
                      "value_source": "episode_return"}, 5, 120)

    @need_cli
    def test_toy_grid_alp_gmm(self):
        self.compare("toy-grid", {"cells_per_dim": 10, "dims": 2, "distractors": 0}, "alp-gmm",
                     {}, 2, 600)


if __name__ == "__main__":
    unittest.main()
