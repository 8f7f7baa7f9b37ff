#!/usr/bin/env python3
"""Effect sizes between the groups of a study, next to `teachkit report`.

For each group of a study directory and each measure (the last
evaluation's mastered_pct and mean_return of every finished run, and the
area under its mean_return curve, as `teachkit report` computes it for
mastered_pct: trapezoids over the evaluations' env steps divided by their
span; it tells groups apart when none masters a test task yet), prints
mean ± std and, against the baseline group (same labels but LABEL=VALUE),
Welch's t-test (t, degrees of freedom, two-sided p) and Cohen's d (the
difference of the means over the pooled standard deviation).  The report
of `teachkit report --baseline LABEL=VALUE` gives the same p-values for
mastered_pct; this adds mean_return and the effect sizes.

usage: python3 tools/compare_groups.py STUDY_DIR LABEL=VALUE [--markdown]
"""
import json
import math
import os
import sys


def betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def reg_inc_beta(a, b, x):
    """I_x(a, b), the regularised incomplete beta function."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log(1.0 - x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * betacf(a, b, x) / a
    return 1.0 - front * betacf(b, a, 1.0 - x) / b


def welch(x, y):
    """t, df and the two-sided p of Welch's test of mean(x) = mean(y)."""
    nx, ny = len(x), len(y)
    mx, my = sum(x) / nx, sum(y) / ny
    vx = sum((v - mx) ** 2 for v in x) / (nx - 1)
    vy = sum((v - my) ** 2 for v in y) / (ny - 1)
    se2 = vx / nx + vy / ny
    if se2 == 0.0:
        return float("nan"), float("nan"), 1.0 if mx == my else 0.0
    t = (mx - my) / math.sqrt(se2)
    df = se2 ** 2 / ((vx / nx) ** 2 / (nx - 1) + (vy / ny) ** 2 / (ny - 1))
    p = reg_inc_beta(df / 2.0, 0.5, df / (df + t * t))
    return t, df, p


def cohen_d(x, y):
    nx, ny = len(x), len(y)
    mx, my = sum(x) / nx, sum(y) / ny
    vx = sum((v - mx) ** 2 for v in x) / (nx - 1)
    vy = sum((v - my) ** 2 for v in y) / (ny - 1)
    pooled = math.sqrt(((nx - 1) * vx + (ny - 1) * vy) / (nx + ny - 2))
    return (mx - my) / pooled if pooled > 0 else float("nan")


def mean_std(v):
    m = sum(v) / len(v)
    s = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0.0
    return m, s


def area_over_span(curve):
    """Trapezoids under [(x, y), ...] divided by the x span (y for one point)."""
    span = curve[-1][0] - curve[0][0]
    if span <= 0:
        return curve[-1][1]
    area = sum((x1 - x0) * (y0 + y1) / 2.0 for (x0, y0), (x1, y1) in zip(curve, curve[1:]))
    return area / span


def load_groups(study_dir):
    """{group: {"labels": {...}, "mastered_pct": [...], "mean_return": [...],
    "mean_return_auc": [...]}}"""
    with open(os.path.join(study_dir, "study.json")) as f:
        study = json.load(f)
    groups = {}
    for run in study["runs"]:
        run_dir = os.path.join(study_dir, "runs", run["dir"])
        try:
            with open(os.path.join(run_dir, "summary.json")) as f:
                if json.load(f).get("status") != "finished":
                    continue
            with open(os.path.join(run_dir, "evals.jsonl")) as f:
                evals = [json.loads(line) for line in f.read().strip().splitlines()]
            last = evals[-1]
        except (OSError, ValueError, IndexError):
            continue
        g = groups.setdefault(run["group"], {"labels": dict(run["labels"]),
                                             "teacher": run.get("teacher"),
                                             "mastered_pct": [], "mean_return": [],
                                             "mean_return_auc": []})
        g["labels"].pop("seed", None)
        g["mastered_pct"].append(last["mastered_pct"])
        if last.get("mean_return") is not None:
            g["mean_return"].append(last["mean_return"])
        curve = [(e["env_steps"], e["mean_return"]) for e in evals
                 if e.get("mean_return") is not None]
        if curve:
            g["mean_return_auc"].append(area_over_span(curve))
    return groups


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2 or "=" not in args[1]:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    study_dir, (key, value) = args[0], args[1].split("=", 1)
    groups = load_groups(study_dir)
    rows = []
    for name, g in sorted(groups.items()):
        base = None
        if g["labels"].get(key) != value:
            for other in groups.values():
                rest = {k: v for k, v in other["labels"].items() if k != key}
                mine = {k: v for k, v in g["labels"].items() if k != key}
                same_teacher = key == "teacher" or other["teacher"] == g["teacher"]
                if other["labels"].get(key) == value and rest == mine and same_teacher:
                    base = other
        for measure in ("mastered_pct", "mean_return", "mean_return_auc"):
            v = g[measure]
            if len(v) < 2:
                continue
            m, s = mean_std(v)
            cmp = "-"
            if base and len(base[measure]) >= 2:
                t, df, p = welch(v, base[measure])
                d = cohen_d(v, base[measure])
                cmp = f"t = {t:.2f}, df = {df:.1f}, p = {p:.3g}, d = {d:.2f}"
            rows.append((name, measure, len(v), f"{m:.2f} ± {s:.2f}", cmp))
    header = ("group", "measure", "runs", "mean ± std", f"Welch and Cohen's d vs {key}={value}")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
