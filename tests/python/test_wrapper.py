"""TeacherWrapper and VecTeacherWrapper: tasks through reset options, the
teacher's updates at episode ends, step-level teachers (SPDL), any
gymnasium-style env, and the batch form."""

import unittest

import numpy as np

import teachkit


class CountdownEnv:
    """A gymnasium-style env that is not teachkit's: episodes last
    round(task[0] * 10) + 1 steps, reward 1 per step, success when the
    task's second value is above 0.5.  Takes the task in reset options."""

    def __init__(self):
        self.observation_space = teachkit.Box(low=np.zeros(1), high=np.full(1, 20.0), shape=(1,))
        self.action_space = teachkit.Box(low=-np.ones(1), high=np.ones(1), shape=(1,))
        self.resets = []

    def reset(self, *, seed=None, options=None):
        self.task = np.asarray(options["task"])
        self.resets.append(self.task)
        self.left = int(round(float(self.task[0]) * 10)) + 1
        return np.array([self.left], np.float32), {"from_env": True}

    def step(self, action):
        self.left -= 1
        done = self.left == 0
        info = {"success": bool(self.task[1] > 0.5)} if done else {}
        return np.array([self.left], np.float32), 1.0, done, False, info


class RecordingTeacher:
    """Delegates to a teachkit teacher and records the wrapper's calls."""

    def __init__(self, teacher):
        self.t = teacher
        self.calls = []
        self.raw_return, self.step_level = teacher.raw_return, teacher.step_level

    def __getattr__(self, name):
        fn = getattr(self.t, name)

        def record(*args):
            self.calls.append((name, args))
            return fn(*args)
        return record


def play(env, episodes, policy=lambda obs: np.zeros(1)):
    infos = []
    for _ in range(episodes):
        obs, info = env.reset()
        while True:
            obs, _, terminated, truncated, last = env.step(policy(obs))
            if terminated or truncated:
                infos.append((info, last))
                break
    return infos


class Wrapper(unittest.TestCase):
    def test_tasks_go_through_reset_and_returns_to_update(self):
        env = CountdownEnv()
        teacher = RecordingTeacher(teachkit.Teacher("random", [(0.0, 1.0), (0.0, 1.0)], seed=3))
        wrapped = teachkit.TeacherWrapper(env, teacher)
        infos = play(wrapped, 5)
        updates = [args for name, args in teacher.calls if name == "update"]
        samples = [name for name, _ in teacher.calls if name == "sample"]
        self.assertEqual((len(samples), len(updates)), (5, 5))
        for (reset_info, last), task, (utask, ret, success) in zip(infos, env.resets, updates):
            self.assertTrue(reset_info["from_env"])
            self.assertTrue(np.array_equal(reset_info["task"], task))
            self.assertTrue(np.array_equal(utask, task))
            # no return range: the return goes as it is
            self.assertEqual(ret, round(float(task[0]) * 10) + 1)
            self.assertEqual(success, bool(task[1] > 0.5))
            self.assertEqual(last["episode_return"], ret)
        self.assertIs(wrapped.action_space, env.action_space)

    def test_returns_are_normalised_by_the_return_range(self):
        env = CountdownEnv()
        teacher = RecordingTeacher(teachkit.Teacher("random", [(0.0, 1.0), (0.0, 1.0)], seed=3))
        play(teachkit.TeacherWrapper(env, teacher, return_range=(1.0, 6.0)), 20)
        for (name, args), task in zip([c for c in teacher.calls if c[0] == "update"], env.resets):
            want = min(1.0, (round(float(task[0]) * 10) + 1 - 1.0) / 5.0)
            self.assertAlmostEqual(args[1], want)

    def test_spdl_through_the_wrapper_updates_its_distribution(self):
        env = teachkit.make_env("pendulum", config={"episode_steps": 20}, seed=1)
        spdl = teachkit.Teacher("spdl", env.task_space, seed=1,
                                config={"update_offset": 200, "update_frequency": 200},
                                value_fn=lambda obs: float(obs[0]))
        teacher = RecordingTeacher(spdl)
        play(teachkit.TeacherWrapper(env, teacher), 40)
        names = [name for name, _ in teacher.calls]
        self.assertEqual(names.count("episode_start"), 40)
        self.assertEqual(names.count("step_update"), 40 * 20)
        self.assertEqual(names.count("update"), 40)
        snap = spdl.snapshot()
        self.assertEqual(snap["env_steps"], 40 * 20)
        self.assertGreater(snap["steps_taken"], 0)  # the distribution moved

    def test_vectorised_wrapper_with_one_env_equals_the_wrapper(self):
        def make():
            env = teachkit.make_env("pendulum", config={"episode_steps": 15}, seed=4)
            return env, teachkit.Teacher("alp-gmm", env.task_space, config={"fit_rate": 20}, seed=4)
        env, teacher = make()
        single = [info["task"] for info, _ in play(teachkit.TeacherWrapper(env, teacher), 60)]
        venv, vteacher = make()
        vec = teachkit.VecTeacherWrapper([venv], vteacher)
        _, infos = vec.reset()
        tasks = [infos[0]["task"]]
        while len(tasks) < 60:
            _, _, te, tr, infos = vec.step(np.zeros((1, 1)))
            if te[0] or tr[0]:
                tasks.append(infos[0]["next_task"])
        # fit_rate 20: the later tasks depend on the earlier updates
        self.assertTrue(np.array_equal(np.array(single), np.array(tasks)))

    def test_vectorised_wrapper_resets_ended_envs_on_new_tasks(self):
        envs = [teachkit.make_env("pendulum", config={"episode_steps": 5 + i}, seed=i)
                for i in range(3)]
        teacher = RecordingTeacher(teachkit.Teacher("random", envs[0].task_space, seed=1))
        vec = teachkit.VecTeacherWrapper(envs, teacher)
        obs, infos = vec.reset(seed=0)
        self.assertEqual(obs.shape, (3, 3))
        ended = 0
        for _ in range(30):
            obs, rewards, te, tr, infos = vec.step(np.zeros((3, 1)))
            self.assertEqual((obs.shape, rewards.shape), ((3, 3), (3,)))
            for i in np.flatnonzero(te | tr):
                ended += 1
                self.assertIn("final_observation", infos[i])
                self.assertIn("success", infos[i])
        updated = sum(len(args[0]) for name, args in teacher.calls if name == "update_batch")
        self.assertEqual(updated, ended)
        self.assertEqual(ended, 30 // 5 + 30 // 6 + 30 // 7)

    def test_vectorised_wrapper_replays_step_level_episodes_one_at_a_time(self):
        envs = [teachkit.make_env("pendulum", config={"episode_steps": 6 + i}, seed=i)
                for i in range(3)]
        spdl = teachkit.Teacher("spdl", envs[0].task_space, seed=1,
                                config={"update_offset": 60, "update_frequency": 60},
                                value_fn=lambda obs: float(obs[2]))
        teacher = RecordingTeacher(spdl)
        vec = teachkit.VecTeacherWrapper(envs, teacher)
        vec.reset(seed=0)
        steps = 0
        for _ in range(84):
            _, _, te, tr, _ = vec.step(np.zeros((3, 1)))
            steps += sum(6 + i for i in np.flatnonzero(te | tr))
        names = [name for name, _ in teacher.calls if name != "sample_batch"]
        # each ended episode: episode_start, its steps, update -- never interleaved
        k = 0
        while k < len(names):
            self.assertEqual(names[k], "episode_start")
            j = names.index("update", k)
            self.assertEqual(set(names[k + 1:j]), {"step_update"})
            k = j + 1
        self.assertEqual(spdl.snapshot()["env_steps"], steps)
        self.assertGreater(spdl.snapshot()["steps_taken"], 0)


if __name__ == "__main__":
    unittest.main()
