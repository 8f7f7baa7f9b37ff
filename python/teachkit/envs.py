"""teachkit's environments with gymnasium's API (docs/python.md).

make_env("pendulum") returns an env with reset(seed, options) -> (obs,
info), step(a) -> (obs, reward, terminated, truncated, info), observation
and action spaces, the task space, and render() for the envs that draw
themselves.  The task of an episode comes through reset(options={"task":
[...]}); without it the env plays its default task (the middle of the task
space unless make_env is given another).

With gymnasium installed the env subclasses gymnasium.Env and its spaces
are gymnasium.spaces.Box; without it, Box below offers the same attributes
(low, high, shape, dtype, sample(), contains(), seed()), so code written
against either works.

Episodes are played exactly as `teachkit run` plays its training episodes
(core/host/runner.c): the same seeding (tk_rng_derive(seed, "env")), the
same truncation at max_episode_steps, and at the episode's end the same
success flag (the env's own, else return > mastery_threshold), given in
info["success"].
"""

import os

import numpy as np

from ._binding import Env as _Env
from ._binding import TK_ERR_UNSUPPORTED, TeachkitError

try:  # optional: without it the classes below stand in
    import gymnasium as _gym
except ImportError:
    _gym = None

__all__ = ["make_env", "Box", "TeachkitEnv"]


class _FallbackBox:
    """A box of float values, with the attributes of gymnasium.spaces.Box
    that training code uses."""

    def __init__(self, low, high, shape=None, dtype=np.float32, seed=None):
        self.dtype = np.dtype(dtype)
        low = np.asarray(low, dtype=self.dtype)
        high = np.asarray(high, dtype=self.dtype)
        self.shape = tuple(shape) if shape is not None else low.shape
        self.low = np.broadcast_to(low, self.shape).copy()
        self.high = np.broadcast_to(high, self.shape).copy()
        self._rng = np.random.default_rng(seed)

    def seed(self, seed=None):
        self._rng = np.random.default_rng(seed)
        return [seed]

    def sample(self):
        """Uniform inside the bounds; unbounded sides are drawn from a
        normal (one side) or exponential (one bound) law, as gymnasium."""
        low, high = self.low.astype(np.float64), self.high.astype(np.float64)
        out = np.empty(self.shape)
        lo_f, hi_f = np.isfinite(low), np.isfinite(high)
        both, none_ = lo_f & hi_f, ~lo_f & ~hi_f
        out[both] = self._rng.uniform(low[both], high[both])
        out[none_] = self._rng.normal(size=int(none_.sum()))
        only_lo, only_hi = lo_f & ~hi_f, ~lo_f & hi_f
        out[only_lo] = low[only_lo] + self._rng.exponential(size=int(only_lo.sum()))
        out[only_hi] = high[only_hi] - self._rng.exponential(size=int(only_hi.sum()))
        return out.astype(self.dtype)

    def contains(self, x):
        x = np.asarray(x)
        return bool(x.shape == self.shape and np.can_cast(x.dtype, self.dtype)
                    and np.all(x >= self.low) and np.all(x <= self.high))

    __contains__ = contains

    def __repr__(self):
        return "Box(%s, %s, %s, %s)" % (self.low.min() if self.low.size else 0,
                                        self.high.max() if self.high.size else 0,
                                        self.shape, self.dtype)


Box = _gym.spaces.Box if _gym is not None else _FallbackBox
_EnvBase = _gym.Env if _gym is not None else object


def _box(low, high, n):
    low = np.asarray(low, dtype=np.float32).reshape(n)
    high = np.asarray(high, dtype=np.float32).reshape(n)
    return Box(low=low, high=high, shape=(n,), dtype=np.float32)


class TeachkitEnv(_EnvBase):
    """A teachkit env plugin behind gymnasium's API; see make_env."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 50}

    def __init__(self, plugin, config=None, seed=None, default_task=None, render_mode=None,
                 role="env", session=None, plugin_paths=None):
        self._plugin, self._config = plugin, config
        self._role, self._session, self._plugin_paths = role, session, plugin_paths
        self._env = None
        self._open(seed)
        e = self._env
        self.id = e.id
        self.observation_space = _box(e.obs_low, e.obs_high, e.obs_dim)
        self.action_space = _box(e.act_low, e.act_high, e.act_dim)
        self.task_names = [name for name, _, _ in e.task_space]
        self.task_space = _box([lo for _, lo, _ in e.task_space],
                               [hi for _, _, hi in e.task_space], len(e.task_space))
        # The exact bounds (doubles, with the names): a Teacher made on this
        # space gets them, not their float32 rounding, as in `teachkit run`.
        self.task_space.bounds = list(e.task_space)
        self.return_range = (e.return_low, e.return_high)
        self.mastery_threshold = e.mastery_threshold
        self.max_episode_steps = e.max_episode_steps
        if default_task is None:
            default_task = (self.task_space.low.astype(np.float64)
                            + self.task_space.high.astype(np.float64)) / 2
        self.default_task = np.asarray(default_task, dtype=np.float32)
        if render_mode not in (None, "rgb_array"):
            raise ValueError("render_mode must be None or \"rgb_array\", got %r" % (render_mode,))
        self.render_mode = render_mode
        self._steps = 0
        self._return = 0.0
        self._running = False

    def _open(self, seed):
        """(Re)creates the plugin instance seeded as `teachkit run` seeds
        its training env; seed None draws one from the OS."""
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "little")
        if self._env is not None:
            self._env.close()
        self._env = _Env(self._plugin, config=self._config, seed=int(seed), role=self._role,
                         session=self._session, plugin_paths=self._plugin_paths)
        self.seed_value = int(seed)

    @property
    def plugin(self):
        """The low-level teachkit.Env (set_task/reset/step/evaluate...)."""
        return self._env

    def reset(self, *, seed=None, options=None):
        """Start an episode.  `seed` re-seeds the env (the same seed gives
        the same episodes); options={"task": [...]} sets the episode's task,
        otherwise the default task.  Returns (obs, info) with info["task"]."""
        if seed is not None:
            self._open(seed)
        if _gym is not None:  # keeps gymnasium's np_random in step with the seed
            super().reset(seed=seed)
        task = (options or {}).get("task")
        task = self.default_task if task is None else np.asarray(task, dtype=np.float32)
        self._env.set_task(task)
        obs = self._env.reset()
        self._steps, self._return, self._running = 0, 0.0, True
        self._task = task
        return obs, {"task": task}

    def step(self, action):
        """One step.  At the episode's end (terminated, or truncated at
        max_episode_steps) info holds "success" and "episode_return"."""
        if not self._running:
            raise TeachkitError("env %s: step() before reset() or after the episode ended; "
                                "call reset()" % self.id)
        if self._env.act_dim:
            action = np.asarray(action, dtype=np.float32).reshape(self._env.act_dim)
        else:
            action = None
        obs, reward, done = self._env.step(action)
        self._steps += 1
        self._return += reward
        truncated = not done and self._steps >= self.max_episode_steps
        info = {}
        if done or truncated:
            self._running = False
            info["success"] = self._env.success(self._return)
            info["episode_return"] = self._return
        return obs, float(reward), bool(done), bool(truncated), info

    def render(self, width=600, height=400):
        """The scene as an RGB array (height, width, 3) for envs that draw
        themselves (the Box2D walkers); None when render_mode is None."""
        if self.render_mode is None:
            return None
        return self._env.render(width, height)

    def can_render(self):
        """Whether the env draws itself (the Box2D walkers)."""
        try:
            self._env.render(1, 1)
        except TeachkitError as e:
            return e.code != TK_ERR_UNSUPPORTED
        return True

    def evaluate(self):
        """mastered_pct of a self-evaluating env (toy-grid)."""
        return self._env.evaluate()

    def close(self):
        if self._env is not None:
            self._env.close()

    def __repr__(self):
        return "<TeachkitEnv %s>" % self.id


def make_env(id, config=None, seed=None, default_task=None, render_mode=None, **kwargs):
    """A teachkit environment with gymnasium's API.

    id: the env plugin ("pendulum", "stump-tracks"...) or a .so path.
    config: dict of config keys to change (`teachkit list --config`).
    seed: the run seed (the env's stream is tk_rng_derive(seed, "env"), as
        `teachkit run` seeds its training env); None: from the OS.
    default_task: the task of resets without options["task"] (default: the
        middle of the task space).
    render_mode: None or "rgb_array" (render() then returns frames).
    """
    return TeachkitEnv(id, config=config, seed=seed, default_task=default_task,
                       render_mode=render_mode, **kwargs)
