#!/usr/bin/env python3
"""A small PyTorch agent learning the pendulum family with an ALP-GMM
curriculum, through teachkit.TeacherWrapper.

The agent is a compact PPO (clipped policy gradient, GAE, a Gaussian policy
and a value network of 64 units each), written here in plain PyTorch: the
point is the loop around it.  The wrapper draws each episode's task
(mass, length, max_torque) from ALP-GMM, passes it to the env through
reset options, and reports the episode's return to the teacher at its end.

Every --eval-every episodes the deterministic policy plays a fixed test set
of tasks (a 3 x 3 x 3 grid of the task space) without touching the
teacher; the script prints one line per evaluation,
    episode N mean_return R mastered_pct P
where mastered_pct counts the test tasks whose episode the env flags as a
success (return above its mastery threshold).

usage: python3 train_pendulum_torch.py [--episodes N] [--seed S]
       [--eval-every K] [--episode-steps T]
Needs the teachkit package (pip install .) and PyTorch (Debian:
python3-torch; in a venv made with --system-site-packages).
"""

import argparse
import itertools

import numpy as np
import torch
from torch import nn

import teachkit


class Agent(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden=64):
        super().__init__()
        self.pi = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(),
                                nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, act_dim))
        self.v = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(),
                               nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.log_std = nn.Parameter(torch.full((act_dim,), -0.5))

    def dist(self, obs):
        return torch.distributions.Normal(self.pi(obs), self.log_std.exp())


def play(env, agent, deterministic=False):
    """One episode; returns the transitions and the info of its last step."""
    obs, _ = env.reset()
    steps = []
    while True:
        with torch.no_grad():
            o = torch.as_tensor(obs)
            d = agent.dist(o)
            a = d.mean if deterministic else d.sample()
            logp = d.log_prob(a).sum()
        action = a.clamp(-1.0, 1.0).numpy()
        next_obs, reward, terminated, truncated, info = env.step(action)
        steps.append((obs, a.numpy(), float(logp), reward, terminated))
        obs = next_obs
        if terminated or truncated:
            return steps, obs, info


def ppo_update(agent, opt, batch, gamma=0.99, lam=0.95, epochs=4, clip=0.2, scale=0.01):
    """PPO on a batch of episodes (each a (steps, last_obs) pair).  Rewards
    are scaled down so that the value net sees numbers near 1."""
    obs, acts, logps, advs, rets = [], [], [], [], []
    for steps, last_obs in batch:
        o = torch.as_tensor(np.array([s[0] for s in steps] + [last_obs]))
        with torch.no_grad():
            v = agent.v(o).squeeze(-1).numpy()
        terminal = steps[-1][4]
        adv, g = np.zeros(len(steps)), 0.0
        for t in reversed(range(len(steps))):
            nv = 0.0 if (terminal and t == len(steps) - 1) else v[t + 1]
            delta = steps[t][3] * scale + gamma * nv - v[t]
            g = delta + gamma * lam * g
            adv[t] = g
        obs.append(o[:-1])
        acts.append(torch.as_tensor(np.array([s[1] for s in steps])))
        logps.append(torch.as_tensor([s[2] for s in steps], dtype=torch.float32))
        advs.append(torch.as_tensor(adv, dtype=torch.float32))
        rets.append(torch.as_tensor(adv + v[:-1], dtype=torch.float32))
    obs, acts, logps = torch.cat(obs), torch.cat(acts), torch.cat(logps)
    advs, rets = torch.cat(advs), torch.cat(rets)
    advs = (advs - advs.mean()) / (advs.std() + 1e-8)
    for _ in range(epochs):
        for idx in torch.randperm(len(obs)).split(256):
            d = agent.dist(obs[idx])
            ratio = (d.log_prob(acts[idx]).sum(-1) - logps[idx]).exp()
            pg = -torch.min(ratio * advs[idx], ratio.clamp(1 - clip, 1 + clip) * advs[idx]).mean()
            vloss = ((agent.v(obs[idx]).squeeze(-1) - rets[idx]) ** 2).mean()
            opt.zero_grad()
            (pg + 0.5 * vloss).backward()
            nn.utils.clip_grad_norm_(agent.parameters(), 0.5)
            opt.step()


def evaluate(env, agent, tasks):
    """Mean return and percent of successes of the deterministic policy on
    `tasks` (the teacher is not involved)."""
    rets, wins = [], 0
    for task in tasks:
        env.default_task = task
        steps, _, info = play(env, agent, deterministic=True)
        rets.append(info["episode_return"])
        wins += info["success"]
    return float(np.mean(rets)), 100.0 * wins / len(tasks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--eval-every", type=int, default=500)
    parser.add_argument("--episode-steps", type=int, default=100)
    parser.add_argument("--batch", type=int, default=8, help="episodes per PPO update")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    config = {"episode_steps": args.episode_steps}
    env = teachkit.make_env("pendulum", config=config, seed=args.seed)
    teacher = teachkit.Teacher("alp-gmm", env.task_space, seed=args.seed)
    train_env = teachkit.TeacherWrapper(env, teacher)
    eval_env = teachkit.make_env("pendulum", config=config, seed=args.seed + 1000)
    lo, hi = eval_env.task_space.low, eval_env.task_space.high
    grid = [lo + (hi - lo) * np.array(f, np.float32)
            for f in itertools.product([1 / 6, 1 / 2, 5 / 6], repeat=3)]

    agent = Agent(env.observation_space.shape[0], env.action_space.shape[0])
    opt = torch.optim.Adam(agent.parameters(), lr=3e-4)
    batch = []
    for episode in range(args.episodes + 1):
        if episode % args.eval_every == 0 or episode == args.episodes:
            ret, pct = evaluate(eval_env, agent, grid)
            print("episode %d mean_return %.1f mastered_pct %.1f" % (episode, ret, pct),
                  flush=True)
        if episode == args.episodes:
            break
        steps, last_obs, _ = play(train_env, agent)
        batch.append((steps, last_obs))
        if len(batch) == args.batch:
            ppo_update(agent, opt, batch)
            batch = []


if __name__ == "__main__":
    main()
