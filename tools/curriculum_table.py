#!/usr/bin/env python3
"""What each group of a study trained on, window by window: the mean of
every task dimension over the episodes that started in each window of env
steps, and the mean training return, averaged over the group's seeds
(± the standard deviation across seeds).  Prints a Markdown table.

usage: tools/curriculum_table.py STUDY_DIR [--every STEPS] [--names NAME,...]

--names labels the task dimensions (default: dim0, dim1, ...).
"""
import argparse
import json
import math
import os


def window_means(path, every):
    """{window: (sum of each task dimension, sum of returns, episodes)}."""
    windows = {}
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            w = (e["env_steps"] - e["steps"]) // every  # by the step it started at
            sums = windows.setdefault(w, [[0.0] * len(e["task"]), 0.0, 0])
            for k, x in enumerate(e["task"]):
                sums[0][k] += x
            sums[1] += e["return"]
            sums[2] += 1
    return {w: ([x / n for x in t] + [r / n]) for w, (t, r, n) in windows.items()}


def steps(n):
    return f"{n // 1000}k" if n % 1000 == 0 and n > 0 else str(n)


def mean_sd(values):
    m = sum(values) / len(values)
    if len(values) < 2:
        return m, 0.0
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


def main():
    parser = argparse.ArgumentParser(usage=__doc__.strip().splitlines()[-3][len("usage: "):])
    parser.add_argument("study")
    parser.add_argument("--every", type=int, default=100000)
    parser.add_argument("--names", default="")
    args = parser.parse_args()
    if args.every <= 0:
        parser.error("--every must be > 0")
    runs_dir = os.path.join(args.study, "runs")
    groups = {}
    for run in sorted(os.listdir(runs_dir)):
        episodes = os.path.join(runs_dir, run, "episodes.jsonl")
        if os.path.isfile(episodes) and os.path.getsize(episodes) > 0:
            groups.setdefault(run.split("__")[0], []).append(window_means(episodes, args.every))
    if not groups:
        raise SystemExit(f"{runs_dir}: no run has episodes.jsonl")
    dims = len(next(iter(next(iter(groups.values()))[0].values()))) - 1
    names = args.names.split(",") if args.names else [f"dim{k}" for k in range(dims)]
    if len(names) != dims:
        parser.error(f"--names gives {len(names)} names for {dims} task dimensions")
    header = ["group", "env steps", "seeds"] + [f"mean {n}" for n in names] + ["mean return"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for group, runs in groups.items():
        for w in sorted({w for r in runs for w in r}):
            rows = [r[w] for r in runs if w in r]
            cells = [f"{mean_sd([row[k] for row in rows])[0]:.2f} ± "
                     f"{mean_sd([row[k] for row in rows])[1]:.2f}" for k in range(dims + 1)]
            span = f"{steps(w * args.every)}-{steps((w + 1) * args.every)}"
            print(f"| {group} | {span} | {len(rows)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
