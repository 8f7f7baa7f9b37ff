/*
 * Environment throughput of the parkour env (plugins/envs/bipedal_walker,
 * pk_*.cpp) per body, on one core.
 *
 *   bench_parkour [steps per body] [body] [seed]    defaults: 20000 all 1
 *
 * For each body: env steps (motors, world step, water forces, grasping,
 * 10 lidar rays, observation, reward) with uniform random actions, on the
 * tasks of the benchmark's test set for the body's kind, in order
 * (data/test_sets/parkour_walking_test_set_v1.json for walkers,
 * _climbing_ for climbers, _swimming_ for the fish and the amphibian);
 * episodes end on done or after 2000 steps, and resets (CPPN, terrain,
 * creepers, water and body rebuilt) are included in the time.  Rates are
 * per CPU-second of this thread, robust to other jobs on the machine.
 */
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <time.h>
#include <vector>

#include "parkour_tasks.hpp"
#include "pk_env.hpp"
#include "teachkit/rng.h"

namespace {

double cpu_now()
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

std::string cpu_model()
{
    FILE *f = std::fopen("/proc/cpuinfo", "r");
    char line[512];
    std::string model = "unknown CPU";
    while (f && std::fgets(line, sizeof line, f))
        if (std::strncmp(line, "model name", 10) == 0) {
            const char *colon = std::strchr(line, ':');
            model = colon ? colon + 2 : line;
            model.erase(model.find_last_not_of("\n") + 1);
            break;
        }
    if (f)
        std::fclose(f);
    return model;
}

int bench_body(const pk_cppn *cppn, const pk::BodySpec &body, uint64_t target, uint64_t seed)
{
    const char *set = parkour_tasks::test_set_for(body);
    std::vector<std::vector<float>> tasks;
    if (!parkour_tasks::load_tasks("bench_parkour", set, SIZE_MAX, &tasks))
        return 1;
    const pk::Config cfg = parkour_tasks::config_for(body, cppn);
    pk::Env env(cfg);
    tk_rng rng;
    tk_rng_seed(&rng, seed);
    std::vector<float> obs((size_t)cfg.obs_dim()), act((size_t)cfg.act_dim());
    uint64_t steps = 0, episodes = 0;
    const double t0 = cpu_now();
    while (steps < target) {
        env.set_task(tasks[episodes % tasks.size()].data());
        tk_rng episode;
        tk_rng_seed(&episode, tk_rng_u64(&rng));
        if (env.reset(&episode, obs.data()) != TK_OK) {
            std::fprintf(stderr, "bench_parkour: %s: reset: %s\n", body.name, env.error());
            return 1;
        }
        episodes++;
        int done = 0;
        for (int t = 0; t < 2000 && !done && steps < target; t++) {
            for (float &a : act)
                a = (float)(2.0 * tk_rng_uniform(&rng) - 1.0);
            double r = 0.0;
            if (env.step(act.data(), obs.data(), &r, &done) != TK_OK) {
                std::fprintf(stderr, "bench_parkour: %s: step: %s\n", body.name, env.error());
                return 1;
            }
            steps++;
        }
    }
    const double cpu = cpu_now() - t0;
    std::printf("%-34s %8llu steps %6llu episodes %7.2f cpu-s %9.0f steps/cpu-s  (%s)\n",
                body.name, (unsigned long long)steps, (unsigned long long)episodes, cpu,
                (double)steps / cpu, parkour_tasks::test_set_file(set).c_str());
    return 0;
}

} /* namespace */

int main(int argc, char **argv)
{
    const uint64_t target = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20000;
    const char *only = argc > 2 && std::strcmp(argv[2], "all") != 0 ? argv[2] : nullptr;
    const uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
    if (target == 0 || (only && !pk::find_body(only))) {
        std::fprintf(stderr, "usage: bench_parkour [steps per body > 0] [body | all] [seed]\n");
        return 2;
    }
    pk_cppn *cppn = parkour_tasks::load_cppn("bench_parkour");
    if (!cppn)
        return 1;
    std::printf("bench_parkour: %llu steps per body, random actions, seed %llu, one thread, %s\n",
                (unsigned long long)target, (unsigned long long)seed, cpu_model().c_str());
    int rc = 0;
    for (const char *const *n = pk::BODY_NAMES; *n && rc == 0; n++)
        if (!only || std::strcmp(only, *n) == 0)
            rc = bench_body(cppn, *pk::find_body(*n), target, seed);
    pk_cppn_free(cppn);
    return rc;
}
