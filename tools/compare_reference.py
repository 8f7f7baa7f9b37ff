#!/usr/bin/env python3
"""Compares a toy-env study with the reference numbers of the original
Python teachers (shared/reference/toy_env_2d.json, measured from
flowersteam/teachDeepRL): mean final mastered_pct per teacher, with the
difference and whether it lies within the tolerance.

usage: compare_reference.py STUDY_DIR [--reference FILE] [--tolerance 5]
                            [--check-order random,alp-gmm,riac,covar-gmm]
Exit status 1 when a teacher is outside the tolerance (unless --no-tolerance)
or the ordering given to --check-order does not hold.
"""
import argparse
import csv
import json
import os
import sys


def default_reference():
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "..", "data", "reference", "toy_env_2d.json"),):
        if os.path.exists(candidate):
            return candidate
    return None


def final_values(study_dir):
    """teacher label -> list of final mastered_pct of finished runs."""
    with open(os.path.join(study_dir, "study.json")) as f:
        study = json.load(f)
    out = {}
    for run in study["runs"]:
        run_dir = os.path.join(study_dir, "runs", run["dir"])
        try:
            with open(os.path.join(run_dir, "summary.json")) as f:
                summary = json.load(f)
        except OSError:
            continue
        if summary.get("status") == "finished" and summary.get("final_mastered_pct") is not None:
            out.setdefault(run["teacher"], []).append(summary["final_mastered_pct"])
    return out


def mean_std(xs):
    m = sum(xs) / len(xs)
    if len(xs) < 2:
        return m, 0.0
    return m, (sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("study_dir")
    ap.add_argument("--reference", default=default_reference())
    ap.add_argument("--tolerance", type=float, default=5.0)
    ap.add_argument("--no-tolerance", action="store_true", help="report only")
    ap.add_argument("--check-order", default=None)
    args = ap.parse_args()
    if not args.reference:
        sys.exit("compare_reference: no reference file; pass --reference")
    with open(args.reference) as f:
        ref = json.load(f)["teachers"]
    ours = final_values(args.study_dir)
    # The reference RIAC is the original, which "compat": "teachDeepRL"
    # reproduces; the default (fixed) riac has no reference of its own.
    alias = {"riac-compat": "riac"}
    if "riac-compat" in ours:
        alias["riac"] = None
    ok = True
    print("| teacher | reference mean ± std (seeds) | teachkit mean ± std (seeds) | difference | within %g |" % args.tolerance)
    print("|---|---|---|---|---|")
    for teacher in sorted(ours, key=lambda t: mean_std(ours[t])[0]):
        m, s = mean_std(ours[teacher])
        key = alias.get(teacher, teacher)
        if key in ref:
            r = ref[key]
            rm, rs = r["mastered_pct_mean"][-1], r["mastered_pct_std"][-1]
            diff = m - rm
            inside = abs(diff) <= args.tolerance
            ok &= inside or args.no_tolerance
            print("| %s | %.1f ± %.2f (%d) | %.1f ± %.2f (%d) | %+.1f | %s |"
                  % (teacher, rm, rs, r["seeds"], m, s, len(ours[teacher]), diff, "yes" if inside else "NO"))
        else:
            print("| %s | - | %.1f ± %.2f (%d) | - | - |" % (teacher, m, s, len(ours[teacher])))
    if args.check_order:
        order = args.check_order.split(",")
        missing = [t for t in order if t not in ours]
        if missing:
            print("order: missing teachers %s" % ", ".join(missing))
            ok = False
        else:
            means = [mean_std(ours[t])[0] for t in order]
            holds = all(a < b for a, b in zip(means, means[1:]))
            print("order %s: %s (%s)" % (" < ".join(order), "holds" if holds else "VIOLATED",
                                          ", ".join("%.1f" % x for x in means)))
            ok &= holds
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
