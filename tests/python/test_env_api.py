"""make_env against the rules of gymnasium's env checker
(gymnasium.utils.env_checker), written as tests so that they run without
gymnasium: reset/step signatures and types, observations inside the
observation space with its dtype, seeding determinism, spaces that sample
inside themselves, render returning RGB frames."""

import unittest

import numpy as np

import teachkit

ENVS = ["pendulum", "mountain-car", "toy-grid", "stump-tracks"]


def rollout(env, seed, task=None, steps=60):
    obs, info = env.reset(seed=seed, options={"task": task} if task is not None else None)
    trace = [obs]
    env.action_space.seed(seed)
    for _ in range(steps):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        trace.append(np.append(obs, reward))
        if terminated or truncated:
            break
    return trace


class GymnasiumContract(unittest.TestCase):
    def test_reset_returns_obs_in_the_space_and_an_info_dict(self):
        for eid in ENVS:
            env = teachkit.make_env(eid, seed=0)
            obs, info = env.reset(seed=1)
            self.assertIsInstance(info, dict)
            self.assertIsInstance(obs, np.ndarray)
            self.assertEqual(obs.dtype, env.observation_space.dtype, eid)
            self.assertEqual(obs.shape, env.observation_space.shape, eid)
            self.assertTrue(env.observation_space.contains(obs), eid)
            self.assertTrue(np.array_equal(info["task"], env.default_task))

    def test_step_returns_the_five_values_with_their_types(self):
        for eid in ENVS:
            env = teachkit.make_env(eid, seed=0)
            env.reset(seed=3)
            obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
            self.assertTrue(env.observation_space.contains(obs), eid)
            self.assertIsInstance(reward, float)
            self.assertIsInstance(terminated, bool)
            self.assertIsInstance(truncated, bool)
            self.assertIsInstance(info, dict)

    def test_the_same_seed_gives_the_same_episode_another_seed_another(self):
        for eid in ["pendulum", "mountain-car", "stump-tracks"]:
            env = teachkit.make_env(eid)
            a, b, c = rollout(env, 5), rollout(env, 5), rollout(env, 6)
            self.assertTrue(all(np.array_equal(x, y) for x, y in zip(a, b)), eid)
            self.assertFalse(all(np.array_equal(x, y) for x, y in zip(a, c)), eid)

    def test_reset_without_seed_does_not_reseed(self):
        env = teachkit.make_env("pendulum", seed=1)
        first = env.reset()[0]
        second = env.reset()[0]
        self.assertFalse(np.array_equal(first, second))

    def test_reset_accepts_empty_options_and_render_modes_are_declared(self):
        env = teachkit.make_env("pendulum", seed=1, render_mode="rgb_array")
        obs, info = env.reset(options={})
        self.assertTrue(np.array_equal(info["task"], env.default_task))
        self.assertIn(env.render_mode, env.metadata["render_modes"])
        with self.assertRaises(ValueError):
            teachkit.make_env("pendulum", render_mode="human")

    def test_the_task_comes_through_reset_options(self):
        env = teachkit.make_env("pendulum", seed=1)
        low = env.task_space.low
        obs, info = env.reset(options={"task": low})
        self.assertTrue(np.array_equal(info["task"], low))
        with self.assertRaises(teachkit.TeachkitError) as cm:
            env.reset(options={"task": env.task_space.high + 1})
        self.assertEqual(cm.exception.code, 2)

    def test_spaces_sample_inside_themselves(self):
        for eid in ENVS:
            env = teachkit.make_env(eid, seed=0)
            for space in (env.observation_space, env.action_space, env.task_space):
                space.seed(1)
                for _ in range(20):
                    self.assertTrue(space.contains(space.sample()), (eid, space))
                self.assertEqual(space.dtype, np.float32)
                self.assertEqual(space.low.shape, space.shape)

    def test_episodes_truncate_at_max_episode_steps_with_success_in_info(self):
        env = teachkit.make_env("pendulum", config={"episode_steps": 30}, seed=1)
        env.reset()
        for step in range(1, 31):
            _, _, terminated, truncated, info = env.step(np.zeros(1))
            self.assertFalse(terminated)
            self.assertEqual(truncated, step == 30)
        self.assertIn("success", info)
        self.assertIsInstance(info["success"], bool)
        with self.assertRaises(teachkit.TeachkitError):
            env.step(np.zeros(1))

    def test_render_gives_rgb_frames_for_box2d_envs(self):
        env = teachkit.make_env("stump-tracks", seed=0, render_mode="rgb_array")
        env.reset()
        frame = env.render()
        self.assertEqual((frame.shape, frame.dtype), ((400, 600, 3), np.uint8))
        self.assertGreater(int(frame.max()) - int(frame.min()), 0)
        self.assertIsNone(teachkit.make_env("stump-tracks", seed=0).render())
        self.assertTrue(env.can_render())
        self.assertFalse(teachkit.make_env("pendulum", seed=0).can_render())

    def test_gymnasium_classes_when_installed(self):
        try:
            import gymnasium
        except ImportError:
            self.skipTest("gymnasium not installed (the fallback Box is tested above)")
        env = teachkit.make_env("pendulum", seed=0)
        self.assertIsInstance(env, gymnasium.Env)
        self.assertIsInstance(env.action_space, gymnasium.spaces.Box)
        from gymnasium.utils.env_checker import check_env
        check_env(env, skip_render_check=True)


if __name__ == "__main__":
    unittest.main()
