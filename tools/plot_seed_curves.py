#!/usr/bin/env python3
"""Test-set mastery of every run of a study against env steps, one line per
seed, one colour per group: for studies whose runs evaluate every N env steps
but play episodes of varying length, where `teachkit plot`'s per-episode
curves do not line up across seeds.  Needs gnuplot.

usage: tools/plot_seed_curves.py STUDY_DIR OUT.png [TITLE] [--metric METRIC] [--mean]

METRIC is a field of evals.jsonl: mastered_pct (default) or mean_return.
--mean draws one line per group instead, the mean and standard error of
the runs at each evaluation (at their mean env steps).
"""
import argparse
import json
import math
import os
import subprocess
import tempfile

COLOURS = ["#7b2cbf", "#0a9396", "#e85d04", "#3a86ff", "#6a994e"]


YLABELS = {"mastered_pct": "mastered (%)", "mean_return": "mean test return"}


def main():
    parser = argparse.ArgumentParser(usage=__doc__.strip().splitlines()[-3][len("usage: "):])
    parser.add_argument("study")
    parser.add_argument("out")
    parser.add_argument("title", nargs="?")
    parser.add_argument("--metric", choices=sorted(YLABELS), default="mastered_pct")
    parser.add_argument("--mean", action="store_true",
                        help="one line per group: mean and standard error over its runs")
    args = parser.parse_args()
    study, out, metric = args.study, args.out, args.metric
    title = args.title or os.path.basename(study.rstrip("/"))
    runs_dir = os.path.join(study, "runs")
    groups = {}
    for run in sorted(os.listdir(runs_dir)):
        path = os.path.join(runs_dir, run, "evals.jsonl")
        if os.path.isfile(path):
            with open(path) as f:
                points = [(e["env_steps"], e[metric]) for e in map(json.loads, f)
                          if e.get(metric) is not None]
            groups.setdefault(run.split("__")[0], []).append((run, points))
    with tempfile.TemporaryDirectory() as tmp:
        plots = []
        for i, (group, runs) in enumerate(groups.items()):
            style = f"dt {1 + i % 4} lc rgb '{COLOURS[i % len(COLOURS)]}'"
            if args.mean:
                dat = os.path.join(tmp, group + ".dat")
                write_mean(runs, dat)
                plots.append(f"'{dat}' using 1:2:3 with yerrorlines lw 2 {style} "
                             f"title '{group} ({len(runs)} runs)'")
                continue
            for run, points in runs:
                dat = os.path.join(tmp, run + ".dat")
                with open(dat, "w") as f:
                    f.writelines(f"{x} {y}\n" for x, y in points)
                plots.append(f"'{dat}' using 1:2 with linespoints lw 2 {style} title '{run}'")
        script = (f"set terminal pngcairo size 800,560 noenhanced\nset output '{out}'\n"
                  f"set title '{title}'\nset xlabel 'env steps'\nset ylabel '{YLABELS[metric]}'\n"
                  + ("set yrange [-5:105]\n" if metric == "mastered_pct" else "")
                  + "set key below\nset grid\nset format x '%.0s%c'\n"
                  "plot " + ", ".join(plots) + "\n")
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def write_mean(runs, path):
    """Per evaluation index: mean env steps, mean and standard error of the
    metric over the runs that reached it."""
    with open(path, "w") as f:
        for k in range(max(len(points) for _, points in runs)):
            at = [points[k] for _, points in runs if len(points) > k]
            ys = [y for _, y in at]
            m = sum(ys) / len(ys)
            sem = (math.sqrt(sum((y - m) ** 2 for y in ys) / (len(ys) - 1) / len(ys))
                   if len(ys) > 1 else 0.0)
            f.write(f"{sum(x for x, _ in at) / len(at)} {m} {sem}\n")


if __name__ == "__main__":
    main()
