#!/usr/bin/env python3
"""Random-action episode statistics of TeachMyAgent's original Parkour.

The counterpart of tools/parkour_random_stats (teachkit's parkour env): the
same tasks (the first TASKS tasks of the benchmark test sets in
data/test_sets/, cycled in order), the same number of episodes per body, the
same kind of actions (uniform in [-1, 1], here from numpy's seeded
RandomState), the same 2000-step limit and the same table.  The random
streams differ from teachkit's, so compare the statistics, not episodes.

Needs the original (flowersteam/TeachMyAgent) importable, with gym and
pybox2d (Box2D).  Its terrain CPPN needs TensorFlow 1.x, hence Python 3.6 or
3.7; where TensorFlow 1 cannot be installed, --numpy-cppn replaces that one
class (see below) and the rest runs on a current Python (docs/envs/parkour.md,
"Behaviour against the original", says which versions were used):

    PYTHONPATH=<TeachMyAgent checkout> python3 tools/parkour_original_stats.py \
        --episodes 60 --tasks 20 --seed 1 --numpy-cppn

--numpy-cppn: before the env is imported, a module defined here is put in
sys.modules under the name of the original's CPPN module
(TeachMyAgent.environments.envs.PCGAgents.CPPN.TanHSoftplusMixCPPN), so that
the env's `from ... import TanHSoftplusMixCPPN` gets a NumPy class instead of
the TensorFlow 1 one.  It evaluates the same network (TanHSoftplusMixCPPN of
the original: input rows (x / (x_dim - 1), input_vector) for x = 0 ..
x_dim - 1, then tanh, softplus, tanh, softplus layers of 64 units and a
linear output of output_dim columns, no biases) in float32 as TensorFlow
does, with the same trained weights: teachkit's data/parkour/
same_ground_ceiling_cppn.json, a conversion of the checkpoint the env asks
for.  The class refuses to run unless every weight matrix of the JSON is
found, byte for byte as float32, in the checkpoint's data file that the env
passes (its weights_path), and unless the network reproduces the reference
rows of tests/unit/test_parkour_cppn.c.  Everything else -- physics, bodies,
water, creepers, climbing, the terrain built from the CPPN's output -- is the
original's code, unmodified.

How an episode ended is read from what the env returns, as teachkit's tool
reads it: done with reward -100 is a fall (a critical contact) or, with the
head behind x = 0, going back past the start; any other done is the end
line; no done within 2000 steps is the time limit.  A death by water is the
"dead" flag (observation index 5) set at some step: a walker more than 600
steps under water, the fish more than 600 steps out of it.  Dead agents are
not stopped by the env; they drift with zero actions until the episode ends.
"""
import argparse
import csv
import io
import json
import math
import os
import sys
import types

import numpy as np

MAX_STEPS = 2000  # TeachMyAgent's max_ep_len; teachkit's max_episode_steps
OBS_DEAD = 5
FALL_REWARD = -100
BODIES = ["small_bipedal", "classic_bipedal", "big_quadru", "spider", "millipede", "wheel",
          "old_classic_bipedal", "profile_chimpanzee", "old_big_quadru", "fish",
          "climbing_profile_chimpanzee", "climbing_chest_profile_chimpanzee",
          "amphibious_bipedal"]
CLIMBERS = ("climbing_profile_chimpanzee", "climbing_chest_profile_chimpanzee")
SWIMMERS = ("fish", "amphibious_bipedal")
COLUMNS = ["body", "test_set", "episodes", "length_mean", "length_std", "return_mean",
           "return_std", "water_deaths", "fell", "went_back", "reached_end", "time_limit"]


# The original's CPPN module, replaced by --numpy-cppn.
CPPN_MODULE = "TeachMyAgent.environments.envs.PCGAgents.CPPN.TanHSoftplusMixCPPN"
CPPN_DATA_FILE = ".data-00000-of-00001"  # the TensorFlow checkpoint's tensor bytes
# Rows of the network's output (ground, ceiling) for x_dim 200, from
# tests/unit/test_parkour_cppn.c (computed in float64): input, row, ground, ceiling.
CPPN_REFERENCE = [((0, 0, 0), 0, 16.756383429, -73.334061891),
                  ((0, 0, 0), 100, 99.830021672, -47.435917228),
                  ((0, 0, 0), 199, 82.870547116, -15.149458680),
                  ((-0.15, 0.8, 0.1), 0, 3.969694767, -46.348351697),
                  ((-0.15, 0.8, 0.1), 100, -33.193920249, -118.739526751),
                  ((-0.15, 0.8, 0.1), 199, -66.828856427, 5.820091195)]


def load_cppn_weights(json_path):
    """The five weight matrices as the JSON prints them (float64 of 9-digit decimals), in the
    order the network applies them.  Cast to float32 they are the checkpoint's values."""
    with open(json_path) as f:
        layers = json.load(f)["layers"]
    return [np.asarray(l["row_major"], dtype=np.float64).reshape(l["shape"]) for l in layers]


def cppn_forward(weights, rows, dtype):
    """TanHSoftplusMixCPPN's graph: tanh, softplus, tanh, softplus, linear; no biases."""
    h = rows.astype(dtype)
    for i, w in enumerate(weights):
        h = h @ w.astype(dtype)
        if i < len(weights) - 1:
            h = np.tanh(h) if i % 2 == 0 else np.logaddexp(dtype(0), h)
    return h


def cppn_rows(x_dim, input_dim, input_vector):
    """The input BaseCPPN.generate feeds: column 0 is x / (x_dim - 1), then the vector."""
    x = (np.arange(x_dim) / (x_dim - 1)).reshape((x_dim, 1))
    return np.concatenate((x, np.ones((x_dim, input_dim)) * input_vector), axis=1)


def check_cppn(weights, data_file):
    """Refuse weights that are not the checkpoint's, or a network that is not the original's:
    each matrix, as float32, must be in the checkpoint's bytes; the float64 graph must give
    the test's reference rows to 1e-6 and the float32 graph (the one used) to 2e-3, the
    tolerance of the test's rows taken from the original."""
    with open(data_file, "rb") as f:
        blob = f.read()
    for i, w in enumerate(weights):
        if blob.find(w.astype("<f4").tobytes()) < 0:
            raise RuntimeError("CPPN layer %d is not in %s" % (i, data_file))
    for vec, row, ground, ceiling in CPPN_REFERENCE:
        rows = cppn_rows(200, 3, np.array(vec))
        for dtype, tol in ((np.float64, 1e-6), (np.float32, 2e-3)):
            out = cppn_forward(weights, rows, dtype)[row]
            if abs(out[0] - ground) > tol or abs(out[1] - ceiling) > tol:
                raise RuntimeError("CPPN row %d of %s is %s in %s, expected (%.9f, %.9f)"
                                   % (row, vec, out, dtype.__name__, ground, ceiling))


def numpy_cppn_module(json_path):
    """A module standing for the original's TanHSoftplusMixCPPN (same constructor, generate, close)."""
    weights = load_cppn_weights(json_path)

    class TanHSoftplusMixCPPN:
        def __init__(self, x_dim, input_dim, batch_size=1, output_dim=1, weights_path=None):
            if weights_path is None or input_dim + 1 != weights[0].shape[0] or \
                    output_dim != weights[-1].shape[1]:
                raise RuntimeError("the NumPy CPPN only stands for the shipped trained network")
            check_cppn(weights, os.path.join(weights_path, CPPN_DATA_FILE))
            self.x_dim, self.input_dim, self.output_dim = x_dim, input_dim, output_dim

        def generate(self, input_vector):
            # TensorFlow's graph is float32: the float64 rows are cast at the placeholder.
            rows = cppn_rows(self.x_dim, self.input_dim, input_vector)
            return cppn_forward(weights, rows, np.float32).reshape((self.x_dim, self.output_dim))

        def close(self):
            pass

    module = types.ModuleType(CPPN_MODULE)
    module.TanHSoftplusMixCPPN = TanHSoftplusMixCPPN
    return module


def own_set(body):
    """The benchmark's test set for the body's kind, as teachkit's tool picks it."""
    if body in CLIMBERS:
        return "climbing"
    if body in SWIMMERS:
        return "swimming"
    return "walking"


def lidars_for(body):
    """teachkit's "auto" lidar fan.  TeachMyAgent's run scripts choose the same
    for walkers, climbers and the fish but leave the amphibian's unset, which
    the env's constructor does not handle; "full" is what teachkit uses."""
    if body in CLIMBERS:
        return "up"
    if body in SWIMMERS:
        return "full"
    return "down"


def load_tasks(data_dir, test_set, n):
    path = os.path.join(data_dir, "test_sets", "parkour_%s_test_set_v1.json" % test_set)
    with open(path) as f:
        tasks = json.load(f)["tasks"][:n]
    # teachkit's set_task takes float32 values; round them the same way.
    return [np.asarray(t, dtype=np.float32) for t in tasks]


def set_task(env, task):
    """The test set's 8 values in the order of TeachMyAgent's parameter bounds."""
    env.set_environment(input_vector=task[0:3], water_level=task[3],
                        creepers_width=task[4], creepers_height=task[5],
                        creepers_spacing=task[6], terrain_cppn_scale=task[7])


def play_episode(env, rng):
    """Return (length, return, died by water, ending) of one episode."""
    env.reset()
    n_act = env.action_space.shape[0]
    done, died, steps, ret, reward = False, False, 0, 0.0, 0.0
    while not done and steps < MAX_STEPS:
        state, reward, done, _ = env.step(rng.uniform(-1.0, 1.0, n_act))
        ret += reward
        died = died or state[OBS_DEAD] != 0.0
        steps += 1
    head_x = env.agent_body.reference_head_object.position[0]
    if not done:
        ending = "time_limit"
    elif reward != FALL_REWARD:
        ending = "reached_end"
    elif head_x < 0:
        ending = "went_back"
    else:
        ending = "fell"
    return steps, ret, died, ending


def run_body(body, test_set, tasks, episodes, seed):
    import gym
    import TeachMyAgent.environments  # noqa: F401  registers the Parkour with gym

    # unwrapped: set_environment and the agent's bodies live on the raw env;
    # the Parkour is registered without a TimeLimit, MAX_STEPS bounds episodes.
    env = gym.make("parametric-continuous-parkour-v0", agent_body_type=body,
                   lidars_type=lidars_for(body)).unwrapped
    env.seed(seed)  # creepers' heights and clouds
    rng = np.random.RandomState(seed)  # actions
    row = {"body": body, "test_set": test_set, "episodes": episodes, "water_deaths": 0,
           "fell": 0, "went_back": 0, "reached_end": 0, "time_limit": 0}
    lengths, returns = [], []
    for e in range(episodes):
        set_task(env, tasks[e % len(tasks)])
        steps, ret, died, ending = play_episode(env, rng)
        lengths.append(steps)
        returns.append(ret)
        row["water_deaths"] += int(died)
        row[ending] += 1
    env.close()
    # Population standard deviations, as teachkit's tool prints.
    row["length_mean"], row["length_std"] = float(np.mean(lengths)), float(np.std(lengths))
    row["return_mean"], row["return_std"] = float(np.mean(returns)), float(np.std(returns))
    return row


def markdown(rows):
    out = ["| body | test set | episodes | length mean | length std | return mean | return std "
           "| water deaths | fell | went back | reached end | time limit |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        n = r["episodes"]
        counts = ["%d (%.2f)" % (r[k], r[k] / n)
                  for k in ("water_deaths", "fell", "went_back", "reached_end", "time_limit")]
        out.append("| `%s` | %s | %d | %.0f | %.0f | %.1f | %.1f | %s |" % (
            r["body"], r["test_set"], n, r["length_mean"], r["length_std"], r["return_mean"],
            r["return_std"], " | ".join(counts)))
    return "\n".join(out)


def to_csv(rows):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (round(v, 3) if isinstance(v, float) and math.isfinite(v) else v)
                    for k, v in r.items()})
    return buf.getvalue()


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--episodes", type=int, default=40, help="episodes per body (default 40)")
    p.add_argument("--tasks", type=int, default=20,
                   help="first tasks of each test set, cycled (default 20)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--body", default="all", choices=["all"] + BODIES)
    p.add_argument("--set", default="auto", choices=["auto", "walking", "climbing", "swimming"],
                   help="test set: the body's own (auto) or one for every body")
    p.add_argument("--data-dir", default=os.path.join(here, "..", "data"),
                   help="teachkit's data/ (test sets, CPPN weights)")
    p.add_argument("--numpy-cppn", action="store_true",
                   help="evaluate the terrain CPPN with NumPy instead of TensorFlow 1 "
                        "(same network and weights; see the docstring)")
    args = p.parse_args(argv)
    if args.episodes <= 0 or args.tasks <= 0:
        p.error("--episodes and --tasks must be positive")
    if args.numpy_cppn:
        if "TeachMyAgent.environments.envs.parametric_continuous_parkour" in sys.modules:
            p.error("--numpy-cppn must act before the env is imported")
        json_path = os.path.join(args.data_dir, "parkour", "same_ground_ceiling_cppn.json")
        sys.modules[CPPN_MODULE] = numpy_cppn_module(json_path)

    print("parkour_original_stats: %d episodes per body on the first %d tasks, uniform random "
          "actions in [-1, 1], seed %d, at most %d steps, CPPN in %s\n"
          % (args.episodes, args.tasks, args.seed, MAX_STEPS,
             "NumPy" if args.numpy_cppn else "TensorFlow"))
    rows = []
    for body in BODIES:
        if args.body not in ("all", body):
            continue
        test_set = own_set(body) if args.set == "auto" else args.set
        tasks = load_tasks(args.data_dir, test_set, args.tasks)
        rows.append(run_body(body, test_set, tasks, args.episodes, args.seed))
        print("done: %s" % body, file=sys.stderr)
    print(markdown(rows))
    print()
    sys.stdout.write(to_csv(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
