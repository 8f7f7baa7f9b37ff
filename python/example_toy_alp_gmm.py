#!/usr/bin/env python3
"""ALP-GMM on the 2-D toy grid, driven from Python.

The training loop below is the one `teachkit run` executes (core/host/
runner.c), written in Python: with the same seed it samples the same tasks
and ends with the same mastered_pct as

    teachkit run examples/toy_alp_gmm.json

(tests/integration/python_binding.sh checks it).  In your own code the
inner episode is your agent's -- a PyTorch policy stepping a gym env, say --
and only sample() / update() talk to teachkit.

usage: python3 example_toy_alp_gmm.py [--episodes N] [--seed S] [--every K]
Prints one line per evaluation, "episode N mastered_pct X", then the final
"mastered_pct X".  Needs libteachkit (see docs/python.md).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import teachkit  # noqa: E402  (the package next to this file)

# examples/toy_alp_gmm.json: 10 cells per dimension, 2 dimensions.
ENV_CONFIG = {"cells_per_dim": 10, "dims": 2, "distractors": 0}


def play_episode(env, task):
    """One training episode on `task`; returns its (undiscounted) return.
    The toy grid simulates its learner and takes no action: an episode is
    one step.  Replace this with your agent's episode."""
    env.set_task(task)
    env.reset()
    episode_return = 0.0
    for _ in range(env.max_episode_steps):
        _, reward, done = env.step()
        episode_return += reward
        if done:
            break
    return episode_return


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--every", type=int, default=1000, help="evaluate every K episodes")
    args = parser.parse_args()

    # Seeded as `teachkit run` seeds them: roles "env" and "teacher".
    env = teachkit.Env("toy-grid", config=ENV_CONFIG, seed=args.seed)
    teacher = teachkit.Teacher("alp-gmm", env.task_space, seed=args.seed)

    def evaluate(episode):
        pct = env.evaluate()  # the toy grid evaluates its simulated learner
        print("episode %d mastered_pct %.10g" % (episode, pct))
        return pct

    pct = evaluate(0)
    for episode in range(1, args.episodes + 1):
        task = teacher.sample()  # np.float32 array in the task space
        ret = play_episode(env, task)
        success = env.success(ret)
        teacher.update(task, ret if teacher.raw_return else env.normalise_return(ret), success)
        if episode % args.every == 0 or episode == args.episodes:
            pct = evaluate(episode)
    print("mastered_pct %.10g" % pct)


if __name__ == "__main__":
    main()
