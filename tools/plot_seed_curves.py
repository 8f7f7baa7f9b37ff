#!/usr/bin/env python3
"""Test-set mastery of every run of a study against env steps, one line per
seed, one colour per group: for studies whose runs evaluate every N env steps
but play episodes of varying length, where `teachkit plot`'s per-episode
curves do not line up across seeds.  Needs gnuplot.

usage: tools/plot_seed_curves.py STUDY_DIR OUT.png [TITLE] [--metric METRIC]

METRIC is a field of evals.jsonl: mastered_pct (default) or mean_return.
"""
import argparse
import json
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
    args = parser.parse_args()
    study, out, metric = args.study, args.out, args.metric
    title = args.title or os.path.basename(study.rstrip("/"))
    runs_dir = os.path.join(study, "runs")
    groups = {}
    with tempfile.TemporaryDirectory() as tmp:
        for run in sorted(os.listdir(runs_dir)):
            evals = os.path.join(runs_dir, run, "evals.jsonl")
            if not os.path.isfile(evals):
                continue
            dat = os.path.join(tmp, run + ".dat")
            with open(evals) as src, open(dat, "w") as dst:
                for line in src:
                    e = json.loads(line)
                    dst.write(f"{e['env_steps']} {e[metric]}\n")
            groups.setdefault(run.split("__")[0], []).append((run, dat))
        plots = []
        for i, (group, runs) in enumerate(groups.items()):
            for run, dat in runs:
                plots.append(f"'{dat}' using 1:2 with linespoints lw 2 dt {1 + i % 4} "
                             f"lc rgb '{COLOURS[i % len(COLOURS)]}' title '{run}'")
        script = (f"set terminal pngcairo size 800,500\nset output '{out}'\n"
                  f"set title '{title}'\nset xlabel 'env steps'\nset ylabel '{YLABELS[metric]}'\n"
                  + ("set yrange [-5:105]\n" if metric == "mastered_pct" else "")
                  + "set key left top\nset grid\n"
                  "plot " + ", ".join(plots) + "\n")
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


if __name__ == "__main__":
    main()
