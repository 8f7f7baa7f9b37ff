"""A teacher around a gymnasium-style env (docs/python.md).

TeacherWrapper(env, teacher) draws a task from the teacher at each reset,
passes it to the env through reset(options={"task": task}), puts it in
info["task"], and at the episode's end gives the teacher the episode's
return (and the env's success flag, info["success"], where it reports one).
Step-level teachers (feature "step-update", SPDL) also get episode_start
after each reset and step_update after each step.  Any env whose reset
accepts the task in its options works: teachkit's own (make_env) or yours.

The calls follow `teachkit run` (core/host/runner.c): sample, then
set_task/reset, episode_start, the steps with step_update, and update with
the return normalised from the env's return range to [0, 1] (clamped),
unless the teacher takes raw returns.  So the wrapper around make_env
reproduces a `teachkit run` with the same seed.

VecTeacherWrapper serves a batch of such envs, with the teacher's batch
calls and automatic resets.
"""

import numpy as np

__all__ = ["TeacherWrapper", "VecTeacherWrapper"]


def _normaliser(env, teacher, return_range):
    """The map from an episode return to what the teacher sees."""
    if teacher.raw_return:
        return lambda ret: ret
    if return_range is None:
        return_range = getattr(env, "return_range", None)
    if return_range is None:
        return lambda ret: ret  # the caller's returns are already in [0, 1]
    low, high = float(return_range[0]), float(return_range[1])

    def normalise(ret):  # as the host's normalise() in core/host/runner.c
        u = (ret - low) / (high - low)
        return 0.0 if u < 0.0 else 1.0 if u > 1.0 else u
    return normalise


class _Episode:
    """The teacher's view of one env's episode."""

    def __init__(self):
        self.task = None
        self.obs = None
        self.ret = 0.0
        self.live = False
        self.first_obs = None   # deferred step-level calls (VecTeacherWrapper)
        self.transitions = []


class _Driver:
    """Teacher calls around one env's reset and steps (shared by the single
    and the vectorised wrapper)."""

    def __init__(self, env, teacher, return_range, success_fn, defer=False):
        self.env = env
        self.teacher = teacher
        self.normalise = _normaliser(env, teacher, return_range)
        self.success_fn = success_fn
        # Step-level teachers follow one episode at a time (SPDL keeps the
        # running episode's discounted return): with several envs, each
        # episode's step-level calls are kept and replayed at its end.
        self.defer = defer and teacher.step_level

    def reset(self, ep, task, seed=None, options=None):
        opts = dict(options or {})
        opts["task"] = task
        obs, info = self.env.reset(seed=seed, options=opts)
        ep.task, ep.obs, ep.ret, ep.live = task, obs, 0.0, True
        ep.first_obs, ep.transitions = obs, []
        if self.teacher.step_level and not self.defer:
            self.teacher.episode_start(task, obs)
        info = dict(info)
        info["task"] = task
        return obs, info

    def step(self, ep, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        ep.ret += float(reward)
        if self.defer:
            ep.transitions.append((ep.obs, np.array(action, dtype=np.float32, copy=True),
                                   float(reward), obs, bool(terminated)))
        elif self.teacher.step_level:
            self.teacher.step_update(ep.obs, action, float(reward), obs, bool(terminated))
        ep.obs = obs
        info = dict(info)
        info["task"] = ep.task
        if terminated or truncated:
            ep.live = False
            info.setdefault("episode_return", ep.ret)
        return obs, reward, terminated, truncated, info

    def outcome(self, ep, info):
        """(normalised return, success) of the episode that just ended."""
        success = info.get("success")
        if success is None and self.success_fn is not None:
            success = self.success_fn(ep.ret, info)
        return self.normalise(ep.ret), bool(success)


class TeacherWrapper:
    """Puts `teacher` (a teachkit.Teacher) around `env`.

    return_range: (low, high) of the env's episode returns, mapped to
        [0, 1] for the teacher; default env.return_range (teachkit envs
        have one), else the returns are passed as they are.
    success_fn: (episode_return, info) -> bool, for envs that put no
        "success" in the last step's info (default: not a success).

    Attributes of the env (spaces, render, ...) are reachable through the
    wrapper.  An episode cut short by a reset before its end is not
    reported to the teacher.
    """

    def __init__(self, env, teacher, return_range=None, success_fn=None):
        self.env = env
        self.teacher = teacher
        self._driver = _Driver(env, teacher, return_range, success_fn)
        self._ep = _Episode()

    def __getattr__(self, name):  # spaces, render_mode, metadata...
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.env, name)

    @property
    def unwrapped(self):
        return getattr(self.env, "unwrapped", self.env)

    def reset(self, *, seed=None, options=None):
        """Draw a task, start an episode on it; info["task"] holds it."""
        return self._driver.reset(self._ep, self.teacher.sample(), seed, options)

    def step(self, action):
        obs, reward, terminated, truncated, info = self._driver.step(self._ep, action)
        if terminated or truncated:
            ret, success = self._driver.outcome(self._ep, info)
            self.teacher.update(self._ep.task, ret, success)
        return obs, reward, terminated, truncated, info

    def render(self, *args, **kwargs):
        return self.env.render(*args, **kwargs)

    def close(self):
        self.env.close()


class VecTeacherWrapper:
    """One teacher serving a batch of envs (`envs`, a list of gymnasium-
    style envs taking the task in reset options), as a vectorised env:

        obs, infos = vec.reset(seed=0)            # obs: (n, obs_dim)
        obs, rewards, terminated, truncated, infos = vec.step(actions)

    Tasks are drawn with the teacher's batch call; when envs end episodes
    in a step, their outcomes go to the teacher in one update_batch, their
    next tasks come from one sample_batch, and they are reset at once
    (automatic reset): obs[i] is then the new episode's first observation
    and infos[i]["final_observation"] the last one of the ended episode.
    infos is a list of per-env dicts (each with "task").

    Step-level teachers (SPDL) follow one episode at a time, so their
    episode_start and step_update calls are kept per env and replayed when
    the episode ends, just before its update (value_fn is then asked the
    value of the first observation at that time).
    """

    def __init__(self, envs, teacher, return_range=None, success_fn=None):
        self.envs = list(envs)
        if not self.envs:
            raise ValueError("VecTeacherWrapper needs at least one env")
        self.teacher = teacher
        self.num_envs = len(self.envs)
        self._drivers = [_Driver(e, teacher, return_range, success_fn, defer=True)
                         for e in self.envs]
        self._eps = [_Episode() for _ in self.envs]
        self.single_observation_space = getattr(self.envs[0], "observation_space", None)
        self.single_action_space = getattr(self.envs[0], "action_space", None)

    def reset(self, *, seed=None, options=None):
        """Reset every env on a new task; env i gets seed + i when seeded."""
        tasks = self.teacher.sample_batch(self.num_envs)
        obs, infos = [], []
        for i, (d, ep) in enumerate(zip(self._drivers, self._eps)):
            o, info = d.reset(ep, tasks[i], None if seed is None else seed + i, options)
            obs.append(o)
            infos.append(info)
        return np.stack(obs), infos

    def step(self, actions):
        obs, rewards, terms, truncs, infos = [], [], [], [], []
        for i, (d, ep) in enumerate(zip(self._drivers, self._eps)):
            o, r, te, tr, info = d.step(ep, actions[i])
            obs.append(o)
            rewards.append(r)
            terms.append(te)
            truncs.append(tr)
            infos.append(info)
        ended = [i for i in range(self.num_envs) if terms[i] or truncs[i]]
        if ended:
            outcomes = [self._drivers[i].outcome(self._eps[i], infos[i]) for i in ended]
            if self.teacher.step_level:  # replay each episode, then its update
                for i, (ret, success) in zip(ended, outcomes):
                    ep = self._eps[i]
                    self.teacher.episode_start(ep.task, ep.first_obs)
                    for transition in ep.transitions:
                        self.teacher.step_update(*transition)
                    self.teacher.update(ep.task, ret, success)
            else:
                self.teacher.update_batch(np.stack([self._eps[i].task for i in ended]),
                                          [ret for ret, _ in outcomes], [s for _, s in outcomes])
            tasks = self.teacher.sample_batch(len(ended))
            for k, i in enumerate(ended):
                infos[i]["final_observation"] = obs[i]
                obs[i], reset_info = self._drivers[i].reset(self._eps[i], tasks[k])
                infos[i]["reset_info"] = reset_info
                infos[i]["next_task"] = tasks[k]
        return (np.stack(obs), np.asarray(rewards, dtype=np.float64), np.asarray(terms, bool),
                np.asarray(truncs, bool), infos)

    def close(self):
        for e in self.envs:
            e.close()
