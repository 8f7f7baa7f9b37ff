"""The ctypes binding over the standalone host of libteachkit
(<teachkit/standalone.h>): sessions, teachers, environments and students
as the plugins define them.  The public names are re-exported by the
package (teachkit/__init__.py); docs/python.md documents them.

It loads the same plugin files as `teachkit`, seeds each instance as
`teachkit run` does (tk_rng_derive(seed, role)) and resolves configs the
same way, so a loop that calls the plugins in the runner's order
reproduces `teachkit run` exactly.

Finding libteachkit: $TEACHKIT_LIBRARY, else the one inside the package (a
wheel), else the library of the prefix the package was installed with
(`meson install`), else build/core/ of the source tree the package sits
in, else the system's (ctypes.util.find_library).  Finding plugins: an id
("alp-gmm") is searched in TEACHKIT_PLUGIN_PATH, then next to the library
(the wheel's or the install's bundled plugins, or the build tree's); a path
to a .so is loaded as is.
"""

import ctypes
import ctypes.util
import json
import os

import numpy as np

try:  # written by the build; absent when the package runs from the source tree
    from ._config import INSTALLED_LIBRARY as _INSTALLED_LIBRARY
except ImportError:
    _INSTALLED_LIBRARY = ""

_HERE = os.path.dirname(os.path.abspath(__file__))

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
_F32 = np.dtype(np.float32)  # built once: np.frombuffer(buf, "float32") looks it up each call
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
                ("max_episode_steps", ctypes.c_uint64), ("struct_size", ctypes.c_uint32)]


class _Descriptor(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("kind", ctypes.c_int),
                ("id", ctypes.c_char_p), ("name", ctypes.c_char_p),
                ("version", ctypes.c_char_p), ("description", ctypes.c_char_p),
                ("default_config", ctypes.c_char_p),
                ("features", ctypes.POINTER(ctypes.c_char_p)), ("vtable", ctypes.c_void_p)]


# tk_standalone_value_fn: (user, obs, n, values_out) -> tk_status
_VALUE_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, _f32p, ctypes.c_size_t, _f32p)
TK_ERR_UNSUPPORTED, TK_ERR_INTERNAL = 6, 8


def library_path():
    """The libteachkit file this module loads (see the module docstring)."""
    env = os.environ.get("TEACHKIT_LIBRARY")
    if env:
        return env
    in_wheel = os.path.join(_HERE, "_lib")
    if os.path.isdir(in_wheel):
        names = sorted(n for n in os.listdir(in_wheel) if n.startswith("libteachkit.so"))
        if names:
            return os.path.join(in_wheel, names[0])
    if _INSTALLED_LIBRARY and os.path.exists(_INSTALLED_LIBRARY):
        return _INSTALLED_LIBRARY
    in_tree = os.path.join(_HERE, "..", "..", "build", "core", "libteachkit.so")
    if os.path.exists(in_tree):
        return os.path.normpath(in_tree)
    found = ctypes.util.find_library("teachkit")
    if found:
        return found
    raise TeachkitError("libteachkit not found: set TEACHKIT_LIBRARY to the path of "
                        "libteachkit.so (build/core/ in a build tree, LIBDIR after install), "
                        "or install the package with `pip install .`")


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
        "tk_standalone_teacher_dims": (ctypes.c_size_t, [vp]),
        "tk_standalone_teacher_sample_batch": (st, [vp, ctypes.c_size_t, _f32p]),
        "tk_standalone_teacher_update_batch": (st, [vp, ctypes.c_size_t, _f32p, _f64p,
                                                    ctypes.POINTER(i)]),
        "tk_standalone_teacher_episode_start": (st, [vp, _f32p, _f32p]),
        "tk_standalone_teacher_step_update": (st, [vp, _f32p, _f32p, dbl, _f32p, i]),
        "tk_standalone_set_value_fn": (None, [vp, _VALUE_FN, vp]),
        "tk_standalone_teacher_save": (st, [vp, ctypes.POINTER(vp), ctypes.POINTER(ctypes.c_size_t)]),
        "tk_standalone_teacher_load": (st, [vp, ctypes.c_char_p, ctypes.c_size_t]),
        "tk_standalone_instance_error_line": (cp, [vp]),
        "tk_standalone_env_render": (st, [vp, ctypes.POINTER(ctypes.c_uint8), i, i]),
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
_lib_gil = None


def _library():
    global _lib
    if _lib is None:
        _lib = _declare(ctypes.CDLL(library_path()))
    return _lib


def _library_holding_gil():
    """The same library through ctypes.PyDLL, whose calls keep the GIL:
    for the microsecond-long teacher calls of a training loop's hot path
    (sample, update), where releasing and taking the GIL back costs more
    than the call.  Longer calls (env steps, batches) go through _library()
    and let other Python threads run."""
    global _lib_gil
    if _lib_gil is None:
        _lib_gil = _declare(ctypes.PyDLL(_library()._name))
    return _lib_gil


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
        """Raise TeachkitError for a failed call, worded as `teachkit run`
        words it (`teacher "spdl" failed in update: call out of order: ...`)."""
        if status != TK_OK:
            lib = self._lib
            line = _text(lib.tk_standalone_instance_error_line(self._h))
            path = _text(lib.tk_standalone_instance_error_path(self._h))
            raise TeachkitError(line or "%s failed in %s" % (self.id, call), status, path)

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
    """[(name, low, high) or (low, high), ...], or a box with `low` and
    `high` arrays (a make_env env's task_space carries its exact bounds in
    `bounds`) -> ctypes structures (kept alive by the caller for the create
    call)."""
    if hasattr(space, "bounds"):  # a make_env task space: exact bounds and names
        space = space.bounds
    elif hasattr(space, "low") and hasattr(space, "high"):
        space = list(zip(np.ravel(space.low).tolist(), np.ravel(space.high).tolist()))
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
    space: the task space, [(low, high), ...] or [(name, low, high), ...]
        (an Env's or a make_env env's task_space works).
    config: dict of the config keys to change (see `teachkit list --config`).
    seed, role: the instance's random stream is tk_rng_derive(seed, role);
        `teachkit run` uses role "teacher" with the manifest's seed.
    value_fn: V(obs) -> float, the student's value of an observation, for
        teachers that ask for it (SPDL with value_source "student").
    plugin_paths: .so files to load first (then `plugin` may be an id they
        provide).
    """

    _kind = _KIND_TEACHER
    _kind_name = "teacher"

    def __init__(self, plugin, space, config=None, seed=0, value_fn=None, role="teacher",
                 session=None, plugin_paths=None):
        super().__init__(plugin, session, plugin_paths)
        cspace, keep = _task_space(space)
        self.dims = int(cspace.dims)
        self._create(self._lib.tk_standalone_create_teacher, ctypes.byref(cspace),
                     self._config(config), int(seed), role.encode("utf-8"))
        del keep
        self.raw_return = "raw-return" in self.features
        self.step_level = "step-update" in self.features
        # The round trip sample() -> update() is the hot path of a training
        # loop: tasks live in ctypes buffers that update() passes back
        # without conversion (tools/bench/python_overhead.py measures it).
        self._TaskBuf = ctypes.c_float * self.dims
        self._sample_fn = _library_holding_gil().tk_standalone_teacher_sample
        self._update_fn = _library_holding_gil().tk_standalone_teacher_update
        self._obs_dim = None        # learnt from episode_start, for value_fn
        self._value_error = None    # an exception raised inside value_fn
        self._value_fn = None
        self._value_cb = None       # the ctypes callback, kept alive
        if value_fn is not None:
            self.value_fn = value_fn

    # -------------------------------------------------------------- tasks

    def sample(self):
        """The next training task, a new float32 array of `dims` values."""
        buf = self._TaskBuf()
        status = self._sample_fn(self._h, buf)
        if status or self._value_error is not None:
            self._after(status, "sample")
        return np.frombuffer(buf, _F32)

    def sample_batch(self, n):
        """n tasks at once, a float32 array of shape (n, dims): the same
        draws as n sample() calls, in one call into the library."""
        tasks = np.empty((int(n), self.dims), dtype=np.float32)
        self._call(self._lib.tk_standalone_teacher_sample_batch, "sample", int(n), _ptr(tasks))
        return tasks

    def update(self, task, ret, success=None):
        """Report the outcome of the episode played on `task` (the array
        sample() returned).  `ret` is the episode return, normalised to
        [0, 1] by the env's return range unless the teacher has the feature
        "raw-return" (Env.normalise_return does it); `success` the env's
        success flag (None: not a success)."""
        buf = getattr(task, "base", None)
        if type(buf) is not self._TaskBuf:  # not an array from sample()
            buf = _ptr(_f32(task, self.dims, "task"))
        status = self._update_fn(self._h, buf, float(ret), 1 if success else 0)
        if status or self._value_error is not None:
            self._after(status, "update")

    def update_batch(self, tasks, rets, successes=None):
        """update() for each row of `tasks` (shape (n, dims)) with rets[i]
        and successes[i] (None: no successes), in one call."""
        tasks = np.ascontiguousarray(tasks, dtype=np.float32)
        if tasks.ndim != 2 or tasks.shape[1] != self.dims:
            raise ValueError("tasks must have shape (n, %d), got %s" % (self.dims, tasks.shape))
        n = tasks.shape[0]
        rets = np.ascontiguousarray(rets, dtype=np.float64)
        if rets.shape != (n,):
            raise ValueError("rets must have %d values, got shape %s" % (n, rets.shape))
        succ = None
        if successes is not None:
            succ = np.ascontiguousarray([1 if x else 0 for x in successes], dtype=np.intc)
            if succ.shape != (n,):
                raise ValueError("successes must have %d values" % n)
        self._call(self._lib.tk_standalone_teacher_update_batch, "update", n, _ptr(tasks),
                   rets.ctypes.data_as(_f64p),
                   succ.ctypes.data_as(ctypes.POINTER(ctypes.c_int)) if succ is not None else None)

    # ----------------------------------------------------- step-level calls

    def episode_start(self, task, first_obs):
        """For teachers with the feature "step-update" (step_level): after
        each reset, the episode's task and first observation."""
        task = _f32(task, self.dims, "task")
        obs = np.ascontiguousarray(first_obs, dtype=np.float32).ravel()
        self._obs_dim = obs.shape[0]
        self._call(self._lib.tk_standalone_teacher_episode_start, "episode_start", _ptr(task),
                   _ptr(obs))

    def step_update(self, obs, action, reward, next_obs, done):
        """For step_level teachers: after each step, the transition."""
        obs = np.ascontiguousarray(obs, dtype=np.float32).ravel()
        next_obs = np.ascontiguousarray(next_obs, dtype=np.float32).ravel()
        act = np.ascontiguousarray(action if action is not None else [], dtype=np.float32).ravel()
        self._obs_dim = obs.shape[0]
        self._call(self._lib.tk_standalone_teacher_step_update, "step_update", _ptr(obs),
                   _ptr(act if act.size else np.zeros(1, np.float32)), float(reward),
                   _ptr(next_obs), 1 if done else 0)

    @property
    def value_fn(self):
        """V(obs) -> float (or None): answers the teacher's requests for
        the student's value of observations."""
        return self._value_fn

    @value_fn.setter
    def value_fn(self, fn):
        self._value_fn = fn
        self._value_cb = _VALUE_FN(self._values) if fn is not None else _VALUE_FN()
        self._lib.tk_standalone_set_value_fn(self._h, self._value_cb, None)

    def _values(self, user, obs, n, values_out):
        """The C callback: value_fn on each of the n observations.  An
        exception is kept and re-raised once the teacher's call returns."""
        try:
            dim = self._obs_dim
            if dim is None:
                raise TeachkitError("value_fn called before episode_start(): the teacher "
                                    "asked a value without an observation size")
            rows = np.ctypeslib.as_array(obs, (int(n) * dim,)).reshape(int(n), dim).copy()
            for k in range(int(n)):
                values_out[k] = float(self._value_fn(rows[k]))
            return TK_OK
        except BaseException as e:  # noqa: B902 -- must not cross the C frames
            self._value_error = e
            return TK_ERR_INTERNAL

    def _call(self, fn, call, *args):
        status = fn(self._h, *args)
        if status or self._value_error is not None:
            self._after(status, call)

    def _after(self, status, call):
        """A call failed, or value_fn raised inside it: raise that."""
        if self._value_error is not None:
            err, self._value_error = self._value_error, None
            raise err
        self._check(status, call)

    # -------------------------------------------------------------- state

    def save(self):
        """The teacher's whole state as bytes (model, random stream, id and
        config): load() them into a teacher of the same id and config."""
        data = ctypes.c_void_p()
        size = ctypes.c_size_t()
        self._call(self._lib.tk_standalone_teacher_save, "save", ctypes.byref(data),
                   ctypes.byref(size))
        return ctypes.string_at(data, size.value)

    def load(self, data):
        """Restore bytes from save(): the teacher then continues exactly as
        the saved one would, whatever seed it was created with.  Bytes of
        another teacher or config are refused (TeachkitError)."""
        data = bytes(data)
        self._call(self._lib.tk_standalone_teacher_load, "load", data, len(data))

    def snapshot(self):
        """The teacher's model as a dict (GMM components, regions...), or
        None when the plugin offers no snapshot."""
        text = ctypes.c_char_p()
        status = self._lib.tk_standalone_teacher_snapshot(self._h, ctypes.byref(text))
        if status == TK_ERR_UNSUPPORTED:
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
        info = _EnvInfo(struct_size=ctypes.sizeof(_EnvInfo))
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
        if status == TK_ERR_UNSUPPORTED:
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

    def render(self, width=600, height=400):
        """The current scene as an RGB array of shape (height, width, 3),
        uint8, for envs that draw themselves (the Box2D ones); TeachkitError
        (code 6) for the others."""
        rgb = np.zeros((int(height), int(width), 3), dtype=np.uint8)
        self._check(self._lib.tk_standalone_env_render(
            self._h, rgb.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8)), int(width), int(height)),
            "render")
        return rgb

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
                            env.max_episode_steps, ctypes.sizeof(_StudentSpec))
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
