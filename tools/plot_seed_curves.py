#!/usr/bin/env python3
"""Test-set mastery of every run of a study against env steps, one line per
seed, one colour per group: for studies whose runs evaluate every N env steps
but play episodes of varying length, where `teachkit plot`'s per-episode
curves do not line up across seeds.  Needs gnuplot.

usage: tools/plot_seed_curves.py STUDY_DIR OUT.png [TITLE]
"""
import json
import os
import subprocess
import sys
import tempfile

COLOURS = ["#7b2cbf", "#0a9396", "#e85d04", "#3a86ff", "#6a994e"]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip())
    study, out = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else os.path.basename(study.rstrip("/"))
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
                    dst.write(f"{e['env_steps']} {e['mastered_pct']}\n")
            groups.setdefault(run.split("__")[0], []).append((run, dat))
        plots = []
        for i, (group, runs) in enumerate(groups.items()):
            for run, dat in runs:
                plots.append(f"'{dat}' using 1:2 with linespoints lw 2 dt {1 + i % 4} "
                             f"lc rgb '{COLOURS[i % len(COLOURS)]}' title '{run}'")
        script = (f"set terminal pngcairo size 800,500\nset output '{out}'\n"
                  f"set title '{title}'\nset xlabel 'env steps'\nset ylabel 'mastered (%)'\n"
                  "set yrange [-5:105]\nset key left top\nset grid\n"
                  "plot " + ", ".join(plots) + "\n")
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


if __name__ == "__main__":
    main()
