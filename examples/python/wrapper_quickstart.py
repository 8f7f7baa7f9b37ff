#!/usr/bin/env python3
"""A teacher around an env, in a few lines: ALP-GMM chooses the pendulum's
(mass, length, max_torque) for each episode; replace the random actions
with your agent's.  Prints the tasks of the first episodes and the
teacher's model size at the end."""

import teachkit

env = teachkit.make_env("pendulum", config={"episode_steps": 50}, seed=1)
teacher = teachkit.Teacher("alp-gmm", env.task_space, config={"fit_rate": 50}, seed=1)
env = teachkit.TeacherWrapper(env, teacher)
env.action_space.seed(1)

for episode in range(200):
    obs, info = env.reset()                  # info["task"]: the teacher's choice
    done = False
    while not done:
        action = env.action_space.sample()   # your agent here
        obs, reward, terminated, truncated, info = env.step(action)
        done = terminated or truncated       # the teacher was told the return
    if episode < 3:
        print("episode", episode, "task", info["task"], "return", round(info["episode_return"], 1))

print("ALP-GMM components:", len(teacher.snapshot()["components"]))
