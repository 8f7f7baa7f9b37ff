/*
 * Environment throughput of stump-tracks (plugins/envs/bipedal_walker) on
 * one core, against the raw Box2D world step of the same scenes.
 *
 *   bench_walker [steps] [walker] [seed]      defaults: 100000 default 1
 *
 * Phase "env": the full environment step (motors, b2World::Step, 10 lidar
 * rays, observation, reward) with uniform random actions on tracks drawn
 * uniformly from the paper's task space [0,3] x [0,6]; an episode ends on
 * done or after 2000 steps and the next one starts with a reset (track and
 * walker rebuilt, 40-530 static bodies), whose cost is included.  The time
 * spent inside b2World::Step is accumulated in the same loop (the core is
 * compiled here with -DBW_TIME_WORLD_STEP).
 *
 * Phase "raw": the same tasks, episode seeds and episode lengths replayed
 * with only the motor setters and b2World::Step per step -- no lidar,
 * observation, reward or bookkeeping -- i.e. the physics floor of the same
 * scenes.  Resets are timed separately and excluded from the raw rate.
 *
 * Expected before the port was written: 15,000-21,000 env steps/s per core
 * with -O2 (docs/envs/stump-tracks.md, "Speed").
 */
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <time.h>
#include <vector>

#include "bw_env.hpp"
#include "teachkit/rng.h"

namespace {

/* CPU seconds of this thread: the rate "on one core", unaffected by other
 * processes sharing the machine (wall time is reported too). */
double now()
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double wall()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Episode {
    float task[2];
    uint64_t seed;
    uint64_t steps;
};

}  // namespace

int main(int argc, char **argv)
{
    const uint64_t target = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
    const char *walker = argc > 2 ? argv[2] : "default";
    const uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
    bw::Config cfg;
    cfg.track = bw::Track::Stumps;
    cfg.morph = bw::find_morphology(walker);
    if (!cfg.morph || target == 0) {
        std::fprintf(stderr, "usage: %s [steps > 0] [default|short|quadru] [seed]\n", argv[0]);
        return 2;
    }
    cfg.dims = 2;
    cfg.low[0] = 0.0, cfg.high[0] = 3.0, cfg.low[1] = 0.0, cfg.high[1] = 6.0;
    bw::finish_config(&cfg, true);
    const int act_dim = cfg.act_dim();

    bw::Env env(cfg);
    tk_rng rng;
    tk_rng_seed(&rng, seed);
    std::vector<Episode> episodes;
    float obs[bw::MAX_OBS], act[bw::MAX_ACT];

    /* ---- phase env */
    uint64_t steps = 0, world_steps = 0;
    double t0 = now(), w0 = wall();
    while (steps < target) {
        Episode ep;
        ep.task[0] = (float)tk_rng_range(&rng, 0.0, 3.0);
        ep.task[1] = (float)tk_rng_range(&rng, 0.0, 6.0);
        ep.seed = tk_rng_u64(&rng);
        env.set_task(ep.task);
        tk_rng ep_rng;
        tk_rng_seed(&ep_rng, ep.seed);
        if (env.reset(&ep_rng, obs) != TK_OK) {
            std::fprintf(stderr, "reset failed: %s\n", env.error());
            return 1;
        }
        world_steps++;
        int done = 0;
        uint64_t n = 0;
        while (!done && n < 2000 && steps < target) {
            for (int k = 0; k < act_dim; k++)
                act[k] = (float)tk_rng_range(&rng, -1.0, 1.0);
            double r;
            if (env.step(act, obs, &r, &done) != TK_OK) {
                std::fprintf(stderr, "step failed: %s\n", env.error());
                return 1;
            }
            n++, steps++, world_steps++;
        }
        ep.steps = n;
        episodes.push_back(ep);
    }
    const double env_seconds = now() - t0, env_wall = wall() - w0;
    const double in_world = env.world_step_seconds;

    /* ---- phase raw: same scenes, only motors + b2World::Step */
    double raw_seconds = 0.0, reset_seconds = 0.0;
    uint64_t raw_steps = 0;
    tk_rng act_rng;
    tk_rng_seed(&act_rng, seed ^ 0x9E3779B97F4A7C15ull);
    for (const Episode &ep : episodes) {
        env.set_task(ep.task);
        tk_rng ep_rng;
        tk_rng_seed(&ep_rng, ep.seed);
        double r0 = now();
        env.reset(&ep_rng, obs);
        double r1 = now();
        reset_seconds += r1 - r0;
        std::vector<b2RevoluteJoint *> joints;
        for (b2Joint *j = env.world()->GetJointList(); j; j = j->GetNext())
            joints.push_back(static_cast<b2RevoluteJoint *>(j));
        for (uint64_t s = 0; s < ep.steps; s++) {
            for (size_t k = 0; k < joints.size(); k++) {
                double a = tk_rng_range(&act_rng, -1.0, 1.0);
                joints[k]->SetMotorSpeed((float)((k % 2 ? bw::SPEED_KNEE : bw::SPEED_HIP) *
                                                 (a > 0 ? 1.0 : -1.0)));
                joints[k]->SetMaxMotorTorque((float)(cfg.morph->motors_torque * (a > 0 ? a : -a)));
            }
            env.world()->Step((float)(1.0 / bw::FPS), bw::VELOCITY_ITERATIONS,
                              bw::POSITION_ITERATIONS);
        }
        raw_steps += ep.steps;
        raw_seconds += now() - r1;
    }

    std::printf("bench_walker: stump-tracks, walker %s, random actions, tasks U([0,3]x[0,6]), "
                "seed %llu, one thread\n",
                walker, (unsigned long long)seed);
    std::printf("  episodes %zu, env steps %llu (mean episode %.0f steps)\n", episodes.size(),
                (unsigned long long)steps, (double)steps / (double)episodes.size());
    std::printf("  (rates per CPU-second of the benchmark thread; wall clock: %.0f env steps/s)\n",
                (double)steps / env_wall);
    std::printf("  env step (incl. resets)    %9.0f steps/s   %6.1f us/step\n",
                (double)steps / env_seconds, 1e6 * env_seconds / (double)steps);
    std::printf("  of which b2World::Step     %9.0f steps/s   %6.1f us/step  (%.0f%% of env time)\n",
                (double)world_steps / in_world, 1e6 * in_world / (double)world_steps,
                100.0 * in_world / env_seconds);
    std::printf("  raw b2World::Step, same scenes %5.0f steps/s   %6.1f us/step\n",
                (double)raw_steps / raw_seconds, 1e6 * raw_seconds / (double)raw_steps);
    std::printf("  reset (track + walker)     %9.1f us/reset\n",
                1e6 * reset_seconds / (double)episodes.size());
    std::printf("  env / raw speed ratio       %8.2f\n",
                ((double)steps / env_seconds) / ((double)raw_steps / raw_seconds));
    return 0;
}
