#!/usr/bin/env python3
"""The SAC gradient step of plugins/students/sac/sac_core.c written with
PyTorch, for the speed comparison printed by tools/bench/bench_sac
(--torch tools/bench/sac_torch.py).

Same computation as the C step (SpinningUp 0.1.1 SAC with a V network, as
teachDeepRL teachDRL/spinup/algos/sac/ and TeachMyAgent
TeachMyAgent/students/spinup/algos/tf1/sac_v011/ use it): pi, Q1, Q2, V,
V_targ MLPs with 400-300 ReLU hidden layers, BipedalWalker sizes (24
observations, 4 actions), batch B, fixed alpha 0.005, tanh-squashed Gaussian
with log-std in [-20, 2], targets without gradient, L_pi through Q1 only, one
Adam per optimiser (lr 1e-3), Polyak 0.995 on V_targ.  Written the idiomatic
efficient way:
torch.autograd.grad on each loss for its own parameters only (so no
weight gradient of Q1 is computed for the policy loss), one thread, in
float32 or, with --autocast, under torch.autocast("cpu", dtype=bfloat16):
the forward passes in bf16 with float32 master weights, Adam and losses,
PyTorch's own mixed-precision recipe (its bf16 products run on oneDNN).

One thread really means setting OPENBLAS_NUM_THREADS=1 in the environment
(bench_sac does): Debian's python3-torch calls OpenBLAS for its matrix
products, and torch.set_num_threads(1) limits only torch's OpenMP pool, so
OpenBLAS would otherwise use every core.  This script sets the variable
itself before importing torch when it is absent.

Timing: median over --steps updates of time.process_time() (CPU time of
every thread of the process, so helper threads cannot hide work), after 3
warm-up updates; the wall-clock median is printed too.  Prints
"ms_per_step X" (from CPU time) last for the C benchmark to parse.
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402  (after the thread setting)
import torch.nn as nn

OBS, ACT, H1, H2 = 24, 4, 400, 300
LOG_STD_MIN, LOG_STD_MAX = -20.0, 2.0
ALPHA, GAMMA, POLYAK, LR = 0.005, 0.99, 0.995, 1e-3


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--autocast", action="store_true", help="bf16 autocast forward passes")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    B = args.batch

    pi = mlp([OBS, H1, H2, 2 * ACT])
    q1 = mlp([OBS + ACT, H1, H2, 1])
    q2 = mlp([OBS + ACT, H1, H2, 1])
    v = mlp([OBS, H1, H2, 1])
    v_targ = mlp([OBS, H1, H2, 1])
    v_targ.load_state_dict(v.state_dict())
    for p in v_targ.parameters():
        p.requires_grad_(False)
    pi_params = list(pi.parameters())
    value_params = list(q1.parameters()) + list(q2.parameters()) + list(v.parameters())
    pi_opt = torch.optim.Adam(pi_params, lr=LR)
    value_opt = torch.optim.Adam(value_params, lr=LR)

    obs = torch.rand(B, OBS) * 2 - 1
    next_obs = torch.rand(B, OBS) * 2 - 1
    act = torch.rand(B, ACT) * 2 - 1
    rew = torch.rand(B) * 2 - 1
    done = (torch.rand(B) < 0.01).float()

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.autocast):
            losses = forward()
        pi_loss, value_loss = (x.float() for x in losses)
        g_pi = torch.autograd.grad(pi_loss, pi_params, retain_graph=True)
        g_v = torch.autograd.grad(value_loss, value_params)
        for p, g in zip(pi_params, g_pi):
            p.grad = g
        for p, g in zip(value_params, g_v):
            p.grad = g
        pi_opt.step()
        value_opt.step()
        with torch.no_grad():
            for pt, p in zip(v_targ.parameters(), v.parameters()):
                pt.mul_(POLYAK).add_(p, alpha=1 - POLYAK)

    def forward():
        eps = torch.randn(B, ACT)
        head = pi(obs)
        mu, s = head[:, :ACT], head[:, ACT:]
        log_std = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (torch.tanh(s) + 1)
        std = torch.exp(log_std)
        u = mu + std * eps
        logp = (-0.5 * ((u - mu) / (std + 1e-8)) ** 2 - log_std
                - 0.5 * torch.log(torch.tensor(2 * torch.pi))).sum(1)
        a = torch.tanh(u)
        x = 1 - a ** 2
        clipped = x + (x.clamp(0, 1) - x).detach()  # clip_but_pass_gradient
        logp = logp - torch.log(clipped + 1e-6).sum(1)
        qa_in = torch.cat([obs, act], 1)
        qp_in = torch.cat([obs, a], 1)
        q1a, q2a = q1(qa_in).squeeze(1), q2(qa_in).squeeze(1)
        q1p, q2p = q1(qp_in).squeeze(1), q2(qp_in).squeeze(1)
        vs = v(obs).squeeze(1)
        with torch.no_grad():
            vt = v_targ(next_obs).squeeze(1)
        y_q = (rew + GAMMA * (1 - done) * vt).detach()
        y_v = (torch.min(q1p, q2p) - ALPHA * logp).detach()
        pi_loss = (ALPHA * logp - q1p).mean()
        value_loss = (0.5 * ((y_q - q1a) ** 2).mean() + 0.5 * ((y_q - q2a) ** 2).mean()
                      + 0.5 * ((y_v - vs) ** 2).mean())
        return pi_loss, value_loss

    for _ in range(3):
        step()
    times, walls = [], []
    for _ in range(args.steps):
        t0, w0 = time.process_time(), time.perf_counter()
        step()
        times.append(time.process_time() - t0)
        walls.append(time.perf_counter() - w0)
    med = statistics.median(times)
    mode = "bf16 autocast" if args.autocast else "fp32"
    print(f"torch {torch.__version__} {mode}, torch threads {torch.get_num_threads()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}, batch {B}: "
          f"{med * 1e3:.2f} ms per update CPU (wall {statistics.median(walls) * 1e3:.2f} ms)")
    print(f"ms_per_step {med * 1e3:.4f}")


if __name__ == "__main__":
    main()
