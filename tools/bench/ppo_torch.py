#!/usr/bin/env python3
"""The PPO minibatch step of plugins/students/ppo/ppo_core.c written with
PyTorch, for the speed comparison printed by tools/bench/bench_ppo
(--torch tools/bench/ppo_torch.py).

Same computation as the C step (OpenAI Baselines ppo2 as TeachMyAgent ran
it): one MLP obs -> 400 -> 300 (tanh) -> [mean (A) | value (1)], a free
log-std vector, BipedalWalker sizes (24 observations, 4 actions),
minibatch B; clipped surrogate (0.2) with per-minibatch advantage
standardisation, clipped value loss, vf_coef 0.5, no entropy bonus,
global-norm clipping at 0.5, Adam (lr 3e-4, eps 1e-5).  One thread, in
float32 or, with --autocast, under torch.autocast("cpu", dtype=bfloat16).

Timing: median over --steps steps of time.process_time() after 3 warm-up
steps; prints "ms_per_step X" last for the C benchmark to parse.
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402  (after the thread setting)
import torch.nn as nn

OBS, ACT, H1, H2 = 24, 4, 400, 300
CLIP, VF_COEF, MAX_NORM, LR, EPS = 0.2, 0.5, 0.5, 3e-4, 1e-5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--autocast", action="store_true", help="bf16 autocast forward pass")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    B = args.batch

    net = nn.Sequential(nn.Linear(OBS, H1), nn.Tanh(), nn.Linear(H1, H2), nn.Tanh(),
                        nn.Linear(H2, ACT + 1))
    log_std = nn.Parameter(torch.zeros(ACT))
    params = list(net.parameters()) + [log_std]
    opt = torch.optim.Adam(params, lr=LR, eps=EPS)

    obs = torch.rand(B, OBS) * 2 - 1
    act = torch.randn(B, ACT)
    old_logp = torch.randn(B) - 5
    old_value = torch.randn(B)
    adv_raw = torch.randn(B)
    ret = torch.randn(B)

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.autocast):
            out = net(obs)
        out = out.float()
        mean, value = out[:, :ACT], out[:, ACT]
        std = log_std.exp()
        logp = (-0.5 * ((act - mean) / std) ** 2 - log_std
                - 0.5 * torch.log(torch.tensor(2 * torch.pi))).sum(1)
        adv = (adv_raw - adv_raw.mean()) / (adv_raw.std(unbiased=False) + 1e-8)
        ratio = torch.exp(logp - old_logp)
        pg = torch.max(-adv * ratio, -adv * ratio.clamp(1 - CLIP, 1 + CLIP)).mean()
        v_clipped = old_value + (value - old_value).clamp(-CLIP, CLIP)
        vf = 0.5 * torch.max((value - ret) ** 2, (v_clipped - ret) ** 2).mean()
        loss = pg + VF_COEF * vf
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, MAX_NORM)
        opt.step()

    for _ in range(3):
        step()
    times = []
    for _ in range(args.steps):
        t0 = time.process_time()
        step()
        times.append(time.process_time() - t0)
    med = statistics.median(times)
    mode = "bf16 autocast" if args.autocast else "fp32"
    print(f"torch {torch.__version__} {mode}, OPENBLAS_CORETYPE="
          f"{os.environ.get('OPENBLAS_CORETYPE')}, minibatch {B}: {med * 1e3:.2f} ms per step CPU")
    print(f"ms_per_step {med * 1e3:.4f}")


if __name__ == "__main__":
    main()
