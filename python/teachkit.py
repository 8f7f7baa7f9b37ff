"""teachkit from Python: drive teachkit teachers (and environments, students)
from your own training loop.

    import teachkit
    env = teachkit.Env("toy-grid", seed=1)
    teacher = teachkit.Teacher("alp-gmm", env.task_space, seed=1)
    for episode in range(1000):
        task = teacher.sample()                 # np.ndarray, float32
        ret = my_training_episode(task)         # e.g. your PyTorch agent
        teacher.update(task, ret)               # return normalised to [0, 1]

A thin ctypes binding over the standalone host of libteachkit
(<teachkit/standalone.h>): it loads the same plugin files as `teachkit`,
seeds each instance as `teachkit run` does (tk_rng_derive(seed, role)) and
resolves configs the same way, so a loop that calls the plugins in the
runner's order reproduces `teachkit run` exactly.  Standard library plus
NumPy only.  See docs/python.md.

Finding libteachkit: $TEACHKIT_LIBRARY, else the library of the prefix this
file was installed with, else ../build/core/ of the source tree this file
sits in, else the system's (ctypes.util.find_library).  Finding plugins:
an id ("alp-gmm") is searched in TEACHKIT_PLUGIN_PATH, then the build
tree's or the installed bundled plugins; a path to a .so is loaded as is.
"""

import ctypes
import ctypes.util
import json
import os

import numpy as np

__all__ = ["TeachkitError", "Session", "Teacher", "Env", "Student", "library_path"]

# Replaced by `meson install` (python/meson.build); left as is in the source tree.
_INSTALLED_LIBRARY = "@TK_INSTALLED_LIBRARY@"

TK_OK = 0
_KIND_TEACHER, _KIND_ENV, _KIND_STUDENT = 1, 2, 3


class TeachkitError(RuntimeError):
    """A teachkit call failed.  `code` is the tk_status, `path` the config
    key the error is about ("" if none)."""

    def __init__(self, message, code=0, path=""):
        super().__init__(message)
        self.code = code
        self.path = path


# ------------------------------------------------------------------ library

_f32p = ctypes.POINTER(ctypes.c_float)
_f64p = ctypes.POINTER(ctypes.c_double)


class _Dim(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("low", ctypes.c_double), ("high", ctypes.c_double)]


class _TaskSpace(ctypes.Structure):
    _fields_ = [("dims", ctypes.c_size_t), ("dim", ctypes.POINTER(_Dim))]


class _EnvInfo(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("task_space", _TaskSpace),
                ("obs_dim", ctypes.c_size_t), ("act_dim", ctypes.c_size_t),
                ("obs_low", _f32p), ("obs_high", _f32p), ("act_low", _f32p), ("act_high", _f32p),
                ("return_low", ctypes.c_double), ("return_high", ctypes.c_double),
                ("mastery_threshold", ctypes.c_double), ("max_episode_steps", ctypes.c_uint64)]


class _StudentSpec(ctypes.Structure):
    _fields_ = [("obs_dim", ctypes.c_size_t), ("act_dim", ctypes.c_size_t),
                ("obs_low", _f32p), ("obs_high", _f32p), ("act_low", _f32p), ("act_high", _f32p),
                ("max_episode_steps", ctypes.c_uint64)]


class _Descriptor(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("kind", ctypes.c_int),
                ("id", ctypes.c_char_p), ("name", ctypes.c_char_p),
                ("version", ctypes.c_char_p), ("description", ctypes.c_char_p),
                ("default_config", ctypes.c_char_p),
                ("features", ctypes.POINTER(ctypes.c_char_p)), ("vtable", ctypes.c_void_p)]


def library_path():
    """The libteachkit file this module loads (see the module docstring)."""
    env = os.environ.get("TEACHKIT_LIBRARY")
    if env:
        return env
    if not _INSTALLED_LIBRARY.startswith("@") and os.path.exists(_INSTALLED_LIBRARY):
        return _INSTALLED_LIBRARY
    here = os.path.dirname(os.path.abspath(__file__))
    in_tree = os.path.join(here, "..", "build", "core", "libteachkit.so")
    if os.path.exists(in_tree):
        return os.path.normpath(in_tree)
    found = ctypes.util.find_library("teachkit")
    if found:
        return found
    raise TeachkitError("libteachkit not found: set TEACHKIT_LIBRARY to the path of "
                        "libteachkit.so (build/core/ in a build tree, LIBDIR after install)")


def _declare(lib):
    vp, cp, st = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    u64, dbl, i = ctypes.c_uint64, ctypes.c_double, ctypes.c_int
    pp = ctypes.POINTER(ctypes.c_void_p)
    sigs = {
        "tk_standalone_new": (vp, []),
        "tk_standalone_free": (None, [vp]),
        "tk_standalone_set_verbose": (None, [vp, i]),
        "tk_standalone_load": (st, [vp, cp]),
        "tk_standalone_find": (ctypes.POINTER(_Descriptor), [vp, i, cp]),
        "tk_standalone_plugin_dir": (cp, [vp]),
        "tk_standalone_error_code": (st, [vp]),
        "tk_standalone_error_path": (cp, [vp]),
        "tk_standalone_error_message": (cp, [vp]),
        "tk_standalone_has_feature": (i, [ctypes.POINTER(_Descriptor), cp]),
        "tk_standalone_create_teacher": (st, [vp, ctypes.POINTER(_Descriptor),
                                              ctypes.POINTER(_TaskSpace), cp, u64, cp, pp]),
        "tk_standalone_create_env": (st, [vp, ctypes.POINTER(_Descriptor), cp, u64, cp, pp]),
        "tk_standalone_create_student": (st, [vp, ctypes.POINTER(_Descriptor),
                                              ctypes.POINTER(_StudentSpec), cp, u64, cp, pp]),
        "tk_standalone_destroy": (None, [vp]),
        "tk_standalone_instance_config": (cp, [vp]),
        "tk_standalone_instance_error_code": (st, [vp]),
        "tk_standalone_instance_error_path": (cp, [vp]),
        "tk_standalone_instance_error_message": (cp, [vp]),
        "tk_standalone_teacher_sample": (st, [vp, _f32p]),
        "tk_standalone_teacher_update": (st, [vp, _f32p, dbl, i]),
        "tk_standalone_teacher_snapshot": (st, [vp, ctypes.POINTER(cp)]),
        "tk_standalone_env_info": (st, [vp, ctypes.POINTER(_EnvInfo)]),
        "tk_standalone_env_set_task": (st, [vp, _f32p]),
        "tk_standalone_env_reset": (st, [vp, _f32p]),
        "tk_standalone_env_step": (st, [vp, _f32p, _f32p, _f64p, ctypes.POINTER(i)]),
        "tk_standalone_env_success": (st, [vp, ctypes.POINTER(i)]),
        "tk_standalone_env_evaluate": (st, [vp, _f64p]),
        "tk_standalone_student_act": (st, [vp, _f32p, i, _f32p]),
        "tk_standalone_student_observe": (st, [vp, _f32p, _f32p, dbl, _f32p, i, i]),
        "tk_standalone_student_end_episode": (st, [vp, dbl, u64]),
        "tk_standalone_status_name": (cp, [st]),
    }
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


_lib = None


def _library():
    global _lib
    if _lib is None:
        _lib = _declare(ctypes.CDLL(library_path()))
    return _lib


def _text(raw):
    return raw.decode("utf-8", "replace") if raw else ""


def _ptr(array):
    return array.ctypes.data_as(_f32p) if array is not None else None


def _f32(values, n, what):
    """`values` as a contiguous float32 array of n entries (no copy when it
    already is one, so a task from sample() goes back bit for bit)."""
    a = np.ascontiguousarray(values, dtype=np.float32)
    if a.ndim != 1 or a.shape[0] != n:
        raise ValueError("%s must have %d values, got shape %s" % (what, n, a.shape))
    return a


# ------------------------------------------------------------------ session

class Session:
    """The plugins loaded so far (a tk_standalone).  Instances created
    without an explicit session share one default session, kept for the
    life of the process."""

    def __init__(self, verbose=False):
        self._lib = _library()
        self._h = self._lib.tk_standalone_new()
        if not self._h:
            raise MemoryError("tk_standalone_new")
        self._lib.tk_standalone_set_verbose(self._h, 1 if verbose else 0)

    def close(self):
        """Unload every plugin; instances of this session must not be used after."""
        if self._h:
            self._lib.tk_standalone_free(self._h)
            self._h = None

    def _raise(self):
        lib = self._lib
        raise TeachkitError(_text(lib.tk_standalone_error_message(self._h)),
                            lib.tk_standalone_error_code(self._h),
                            _text(lib.tk_standalone_error_path(self._h)))

    def load(self, path):
        """Load a plugin file (its components can then be found by id)."""
        if self._lib.tk_standalone_load(self._h, os.fsencode(path)) != TK_OK:
            self._raise()

    @property
    def plugin_dir(self):
        """The bundled plugin directory searched after TEACHKIT_PLUGIN_PATH."""
        return _text(self._lib.tk_standalone_plugin_dir(self._h))

    def find(self, kind, plugin):
        d = self._lib.tk_standalone_find(self._h, kind, os.fsencode(plugin))
        if not d:
            self._raise()
        return d


_default = None


def _session(session):
    global _default
    if session is not None:
        return session
    if _default is None:
        _default = Session(verbose=bool(os.environ.get("TEACHKIT_VERBOSE")))
    return _default


class _Instance:
    """An instance of a component: the plugin object and its host context."""

    _kind = 0
    _kind_name = ""

    def __init__(self, plugin, session, plugin_paths):
        self._session = _session(session)
        for p in plugin_paths or ():
            self._session.load(p)
        self._lib = self._session._lib
        self._h = None
        self._desc = self._session.find(self._kind, plugin)
        d = self._desc.contents
        self.id = _text(d.id)
        self.name = _text(d.name)
        self.version = _text(d.version)
        self.features = []
        if d.features:
            k = 0
            while d.features[k]:
                self.features.append(_text(d.features[k]))
                k += 1

    def _create(self, fn, *args):
        h = ctypes.c_void_p()
        if fn(self._session._h, self._desc, *args, ctypes.byref(h)) != TK_OK:
            self._session._raise()
        self._h = h

    @staticmethod
    def _config(config):
        return json.dumps(config if config is not None else {}).encode("utf-8")

    @property
    def config(self):
        """The resolved config: the plugin's defaults with your keys merged in."""
        return json.loads(_text(self._lib.tk_standalone_instance_config(self._h)))

    def _check(self, status, call):
        if status != TK_OK:
            lib = self._lib
            msg = _text(lib.tk_standalone_instance_error_message(self._h))
            path = _text(lib.tk_standalone_instance_error_path(self._h))
            raise TeachkitError("%s %s: %s: %s: %s" % (
                self._kind_name, self.id, call, _text(lib.tk_standalone_status_name(status)),
                msg), status, path)

    def close(self):
        """Destroy the plugin's object (also done when garbage-collected)."""
        if self._h and self._session._h:
            self._lib.tk_standalone_destroy(self._h)
        self._h = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _task_space(space):
    """[(name, low, high) or (low, high), ...] -> ctypes structures (kept
    alive by the caller for the create call)."""
    dims = []
    for k, entry in enumerate(space):
        entry = tuple(entry)
        name, low, high = (entry if len(entry) == 3 else ("x%d" % k,) + entry)
        dims.append((str(name).encode("utf-8"), float(low), float(high)))
    if not dims:
        raise ValueError("the task space has no dimension")
    array = (_Dim * len(dims))(*[_Dim(n, lo, hi) for n, lo, hi in dims])
    return _TaskSpace(len(dims), array), array


class Teacher(_Instance):
    """A teacher plugin.

    plugin: an id ("alp-gmm") or the path of a .so providing one teacher.
    task_space: [(name, low, high), ...] or [(low, high), ...], e.g.
        Env.task_space.
    config: dict of the config keys to change (see `teachkit list --config`).
    seed, role: the instance's random stream is tk_rng_derive(seed, role);
        `teachkit run` uses role "teacher" with the manifest's seed.
    plugin_paths: .so files to load first (then `plugin` may be an id they
        provide).
    """

    _kind = _KIND_TEACHER
    _kind_name = "teacher"

    def __init__(self, plugin, task_space, config=None, seed=0, role="teacher",
                 session=None, plugin_paths=None):
        super().__init__(plugin, session, plugin_paths)
        space, keep = _task_space(task_space)
        self.dims = int(space.dims)
        self._create(self._lib.tk_standalone_create_teacher, ctypes.byref(space),
                     self._config(config), int(seed), role.encode("utf-8"))
        del keep
        self.raw_return = "raw-return" in self.features

    def sample(self):
        """The next training task, a new float32 array of `dims` values."""
        task = np.empty(self.dims, dtype=np.float32)
        self._check(self._lib.tk_standalone_teacher_sample(self._h, _ptr(task)), "sample")
        return task

    def update(self, task, reward, success=False):
        """Report the outcome of the episode played on `task` (the array
        sample() returned).  `reward` is the episode return, normalised to
        [0, 1] by the env's return range unless the teacher has the feature
        "raw-return" (Env.normalise_return does it)."""
        task = _f32(task, self.dims, "task")
        self._check(self._lib.tk_standalone_teacher_update(self._h, _ptr(task), float(reward),
                                                           1 if success else 0), "update")

    def snapshot(self):
        """The teacher's model as a dict (GMM components, regions...), or
        None when the plugin offers no snapshot."""
        text = ctypes.c_char_p()
        status = self._lib.tk_standalone_teacher_snapshot(self._h, ctypes.byref(text))
        if status == 6:  # TK_ERR_UNSUPPORTED: no snapshot() in this plugin
            return None
        self._check(status, "snapshot")
        return json.loads(_text(text.value))


class Env(_Instance):
    """An environment plugin (seeded with role "env" by default, as the
    training env of `teachkit run`; its evaluation env uses "eval-env").

    Attributes from the env's info: task_space [(name, low, high), ...],
    obs_dim, act_dim, obs_low/obs_high/act_low/act_high (float32 arrays),
    return_low, return_high, mastery_threshold, max_episode_steps,
    self_evaluating (provides evaluate()).
    """

    _kind = _KIND_ENV
    _kind_name = "env"

    def __init__(self, plugin, config=None, seed=0, role="env", session=None,
                 plugin_paths=None):
        super().__init__(plugin, session, plugin_paths)
        self._create(self._lib.tk_standalone_create_env, self._config(config), int(seed),
                     role.encode("utf-8"))
        info = _EnvInfo()
        self._check(self._lib.tk_standalone_env_info(self._h, ctypes.byref(info)), "info")
        ts = info.task_space
        self.task_space = [(_text(ts.dim[k].name) or "x%d" % k, ts.dim[k].low, ts.dim[k].high)
                           for k in range(ts.dims)]
        self.obs_dim, self.act_dim = int(info.obs_dim), int(info.act_dim)

        def copy(ptr, n):
            return np.ctypeslib.as_array(ptr, (n,)).copy() if n and ptr else np.zeros(0, np.float32)

        self.obs_low, self.obs_high = copy(info.obs_low, self.obs_dim), copy(info.obs_high, self.obs_dim)
        self.act_low, self.act_high = copy(info.act_low, self.act_dim), copy(info.act_high, self.act_dim)
        self.return_low, self.return_high = info.return_low, info.return_high
        self.mastery_threshold = info.mastery_threshold
        self.max_episode_steps = int(info.max_episode_steps)
        self.self_evaluating = "self-evaluation" in self.features
        self._obs = np.zeros(max(self.obs_dim, 1), dtype=np.float32)
        self._reward = ctypes.c_double()
        self._done = ctypes.c_int()
        self._no_action = np.zeros(1, dtype=np.float32)

    def set_task(self, task):
        task = _f32(task, len(self.task_space), "task")
        self._check(self._lib.tk_standalone_env_set_task(self._h, _ptr(task)), "set_task")

    def reset(self):
        """Start an episode on the current task; returns the first observation."""
        obs = np.zeros(max(self.obs_dim, 1), dtype=np.float32)
        self._check(self._lib.tk_standalone_env_reset(self._h, _ptr(obs)), "reset")
        return obs[:self.obs_dim]

    def step(self, action=None):
        """Apply `action` (act_dim values; None for envs without actions).
        Returns (observation, reward, done)."""
        act = _f32(action, self.act_dim, "action") if self.act_dim else self._no_action
        obs = np.zeros(max(self.obs_dim, 1), dtype=np.float32)
        self._check(self._lib.tk_standalone_env_step(self._h, _ptr(act), _ptr(obs),
                                                     ctypes.byref(self._reward),
                                                     ctypes.byref(self._done)), "step")
        return obs[:self.obs_dim], self._reward.value, bool(self._done.value)

    def success(self, episode_return=None):
        """Whether the episode that just ended is a success: the env's own
        flag, or, for envs without one, `episode_return > mastery_threshold`
        (as the host does)."""
        flag = ctypes.c_int()
        status = self._lib.tk_standalone_env_success(self._h, ctypes.byref(flag))
        if status == 6:  # TK_ERR_UNSUPPORTED
            if episode_return is None:
                raise TeachkitError("env %s has no success flag: pass the episode return" % self.id)
            return episode_return > self.mastery_threshold
        self._check(status, "success")
        return bool(flag.value)

    def evaluate(self):
        """mastered_pct (0..100) of a self-evaluating env (toy-grid)."""
        pct = ctypes.c_double()
        self._check(self._lib.tk_standalone_env_evaluate(self._h, ctypes.byref(pct)), "evaluate")
        return pct.value

    def normalise_return(self, episode_return):
        """The return as teachers see it: mapped from [return_low,
        return_high] to [0, 1] and clamped, exactly as the host does."""
        u = (episode_return - self.return_low) / (self.return_high - self.return_low)
        return 0.0 if u < 0.0 else 1.0 if u > 1.0 else u


class Student(_Instance):
    """A student plugin for `env` (sizes and bounds taken from it)."""

    _kind = _KIND_STUDENT
    _kind_name = "student"

    def __init__(self, plugin, env, config=None, seed=0, role="student", session=None,
                 plugin_paths=None):
        super().__init__(plugin, session, plugin_paths)
        self._bounds = [np.ascontiguousarray(a, dtype=np.float32)
                        for a in (env.obs_low, env.obs_high, env.act_low, env.act_high)]
        b = [_ptr(a) if a.size else None for a in self._bounds]
        spec = _StudentSpec(env.obs_dim, env.act_dim, b[0], b[1], b[2], b[3],
                            env.max_episode_steps)
        self.obs_dim, self.act_dim = env.obs_dim, env.act_dim
        self._create(self._lib.tk_standalone_create_student, ctypes.byref(spec),
                     self._config(config), int(seed), role.encode("utf-8"))

    def act(self, obs, deterministic=False):
        obs = _f32(obs, self.obs_dim, "obs")
        action = np.zeros(max(self.act_dim, 1), dtype=np.float32)
        self._check(self._lib.tk_standalone_student_act(self._h, _ptr(obs), 1 if deterministic else 0,
                                                        _ptr(action)), "act")
        return action[:self.act_dim]

    def observe(self, obs, action, reward, next_obs, done, truncated=False):
        obs = _f32(obs, self.obs_dim, "obs")
        action = _f32(action, self.act_dim, "action")
        next_obs = _f32(next_obs, self.obs_dim, "next_obs")
        self._check(self._lib.tk_standalone_student_observe(
            self._h, _ptr(obs), _ptr(action), float(reward), _ptr(next_obs),
            1 if done else 0, 1 if truncated else 0), "observe")

    def end_episode(self, episode_return, episode_steps):
        self._check(self._lib.tk_standalone_student_end_episode(
            self._h, float(episode_return), int(episode_steps)), "end_episode")
