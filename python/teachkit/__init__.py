"""teachkit from Python: teachkit's teachers (automatic curriculum
learning) in your own training loop, its environments with gymnasium's
API, and a wrapper that puts a teacher around any env taking its task
through reset options.

    import teachkit
    teacher = teachkit.Teacher("alp-gmm", space=[(0.0, 3.0), (0.0, 6.0)], seed=1)
    task = teacher.sample()            # np.float32 array inside the box
    teacher.update(task, 0.7)          # the episode's return, normalised to [0, 1]

    env = teachkit.TeacherWrapper(teachkit.make_env("pendulum", seed=1), teacher)
    obs, info = env.reset()            # info["task"]: the task the teacher drew

See docs/python.md for the whole API.
"""

try:
    import numpy  # noqa: F401
except ImportError as e:  # a Python without NumPy (a pyenv build, a bare venv)
    raise ImportError(
        "teachkit needs NumPy: `pip install numpy`, or on Debian `apt-get install "
        "python3-numpy` and a venv made with --system-site-packages") from e

from ._binding import Env, Session, Student, Teacher, TeachkitError, library_path
from .envs import Box, TeachkitEnv, make_env
from .wrappers import TeacherWrapper, VecTeacherWrapper

__all__ = ["TeachkitError", "Session", "Teacher", "Env", "Student", "library_path",
           "make_env", "TeachkitEnv", "Box", "TeacherWrapper", "VecTeacherWrapper"]
