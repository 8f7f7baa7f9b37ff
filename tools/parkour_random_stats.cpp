/*
 * How the parkour env (plugins/envs/bipedal_walker, pk_*.cpp) ends random-
 * action episodes, per body: episode length and return (mean, std), deaths
 * by water and the termination causes.  tools/parkour_original_stats.py
 * measures the same on TeachMyAgent's original env; docs/envs/parkour.md
 * compares the two.
 *
 *   parkour_random_stats [episodes per body] [tasks] [seed] [body | all] [set]
 *       defaults: 40 20 1 all auto
 *
 * Episodes cycle over the first `tasks` tasks of a benchmark test set, in
 * order; `set` auto picks the body's own (data/test_sets/parkour_walking_*
 * for walkers, _climbing_ for climbers, _swimming_ for the fish and the
 * amphibian, as bench_parkour does); walking, climbing or swimming force one
 * set on every body.  Actions are uniform in [-1, 1] from one seeded stream
 * per body; every episode's reset draws its own seed from that stream.
 * Episodes last at most 2000 steps (the plugin's default max_episode_steps,
 * the original's max_ep_len).  Prints a markdown table, then the same rows
 * as CSV.
 */
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/parkour_tasks.hpp"
#include "pk_env.hpp"
#include "teachkit/rng.h"

namespace {

constexpr int MAX_STEPS = 2000;
/* Index of the "dead" flag in the observation: set once a walker has been
 * under water (a swimmer out of it) too long; it then stays set. */
constexpr int OBS_DEAD = 5;
/* The reward the env gives, and only then, on a fall: head contact or x < 0. */
constexpr double FALL_REWARD = -100.0;

/* Running sums for a mean and a (population) standard deviation. */
struct Moments {
    double n = 0, sum = 0, sum_sq = 0;
    void add(double x) { n += 1, sum += x, sum_sq += x * x; }
    double mean() const { return sum / n; }
    double std() const { return std::sqrt(std::fmax(0.0, sum_sq / n - mean() * mean())); }
};

struct BodyStats {
    std::string body, set;
    Moments length, ret;
    int episodes = 0, water_deaths = 0, fell = 0, went_back = 0, reached_end = 0, time_limit = 0;
};

enum class Ending { Fell, WentBack, ReachedEnd, TimeLimit };

/* One episode: its length, return, whether the agent died by water, and how
 * it ended.  The cause is read from what the env returns, as the Python
 * script reads it from the original: done with -100 is a fall (a critical
 * contact, the head's for most bodies) or, with the head behind x = 0, going
 * back past the start; a -100 on the finish line counts as a fall, as its
 * reward says; other done is the end line; no done within MAX_STEPS is the
 * time limit. */
tk_status play_episode(pk::Env *env, tk_rng *rng, BodyStats *s)
{
    const pk::Config &cfg = env->config();
    std::vector<float> obs((size_t)cfg.obs_dim()), act((size_t)cfg.act_dim());
    tk_rng episode;
    tk_rng_seed(&episode, tk_rng_u64(rng));
    tk_status st = env->reset(&episode, obs.data());
    int t = 0, done = 0;
    bool died = false;
    double ret = 0.0, r = 0.0;
    while (st == TK_OK && !done && t < MAX_STEPS) {
        for (float &a : act)
            a = (float)(2.0 * tk_rng_uniform(rng) - 1.0);
        st = env->step(act.data(), obs.data(), &r, &done);
        ret += r;
        died = died || obs[OBS_DEAD] != 0.0f;
        t++;
    }
    if (st != TK_OK)
        return st;
    const double head_x = env->agent().parts[env->agent().head].body->GetPosition().x;
    const Ending end = !done              ? Ending::TimeLimit
                       : r != FALL_REWARD ? Ending::ReachedEnd
                       : head_x < 0.0     ? Ending::WentBack
                                          : Ending::Fell;
    s->episodes++;
    s->length.add(t);
    s->ret.add(ret);
    s->water_deaths += died;
    s->fell += end == Ending::Fell;
    s->went_back += end == Ending::WentBack;
    s->reached_end += end == Ending::ReachedEnd;
    s->time_limit += end == Ending::TimeLimit;
    return TK_OK;
}

int run_body(const pk_cppn *cppn, const pk::BodySpec &body, int episodes, size_t n_tasks,
             uint64_t seed, const char *set, BodyStats *s)
{
    s->body = body.name;
    s->set = set ? set : parkour_tasks::test_set_for(body);
    std::vector<std::vector<float>> tasks;
    if (!parkour_tasks::load_tasks("parkour_random_stats", s->set, n_tasks, &tasks))
        return 1;
    const pk::Config cfg = parkour_tasks::config_for(body, cppn);
    pk::Env env(cfg);
    tk_rng rng;
    tk_rng_seed(&rng, seed);
    for (int e = 0; e < episodes; e++) {
        env.set_task(tasks[(size_t)e % tasks.size()].data());
        if (play_episode(&env, &rng, s) != TK_OK) {
            std::fprintf(stderr, "parkour_random_stats: %s: %s\n", body.name, env.error());
            return 1;
        }
    }
    return 0;
}

void print_markdown(const std::vector<BodyStats> &all)
{
    std::printf("| body | test set | episodes | length mean | length std | return mean | "
                "return std | water deaths | fell | went back | reached end | time limit |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const BodyStats &s : all) {
        const double n = s.episodes;
        std::printf("| `%s` | %s | %d | %.0f | %.0f | %.1f | %.1f | %d (%.2f) | %d (%.2f) | "
                    "%d (%.2f) | %d (%.2f) | %d (%.2f) |\n",
                    s.body.c_str(), s.set.c_str(), s.episodes, s.length.mean(), s.length.std(),
                    s.ret.mean(), s.ret.std(), s.water_deaths, s.water_deaths / n, s.fell,
                    s.fell / n, s.went_back, s.went_back / n, s.reached_end, s.reached_end / n,
                    s.time_limit, s.time_limit / n);
    }
}

void print_csv(const std::vector<BodyStats> &all)
{
    std::printf("body,test_set,episodes,length_mean,length_std,return_mean,return_std,"
                "water_deaths,fell,went_back,reached_end,time_limit\n");
    for (const BodyStats &s : all)
        std::printf("%s,%s,%d,%.2f,%.2f,%.3f,%.3f,%d,%d,%d,%d,%d\n", s.body.c_str(), s.set.c_str(),
                    s.episodes, s.length.mean(), s.length.std(), s.ret.mean(), s.ret.std(),
                    s.water_deaths, s.fell, s.went_back, s.reached_end, s.time_limit);
}

bool valid_set(const char *set)
{
    return std::strcmp(set, "walking") == 0 || std::strcmp(set, "climbing") == 0 ||
           std::strcmp(set, "swimming") == 0;
}

} /* namespace */

int main(int argc, char **argv)
{
    const int episodes = argc > 1 ? std::atoi(argv[1]) : 40;
    const long n_tasks = argc > 2 ? std::atol(argv[2]) : 20;
    const uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
    const char *only = argc > 4 && std::strcmp(argv[4], "all") != 0 ? argv[4] : nullptr;
    const char *set = argc > 5 && std::strcmp(argv[5], "auto") != 0 ? argv[5] : nullptr;
    if (episodes <= 0 || n_tasks <= 0 || (only && !pk::find_body(only)) ||
        (set && !valid_set(set))) {
        std::fprintf(stderr, "usage: parkour_random_stats [episodes per body > 0] [tasks > 0] "
                             "[seed] [body | all] [auto | walking | climbing | swimming]\n");
        return 2;
    }
    pk_cppn *cppn = parkour_tasks::load_cppn("parkour_random_stats");
    if (!cppn)
        return 1;
    std::printf("parkour_random_stats: %d episodes per body on the first %ld tasks, "
                "uniform random actions in [-1, 1], seed %llu, at most %d steps\n\n",
                episodes, n_tasks, (unsigned long long)seed, MAX_STEPS);
    std::vector<BodyStats> all;
    int rc = 0;
    for (const char *const *n = pk::BODY_NAMES; *n && rc == 0; n++)
        if (!only || std::strcmp(only, *n) == 0) {
            all.emplace_back();
            rc = run_body(cppn, *pk::find_body(*n), episodes, (size_t)n_tasks, seed, set,
                          &all.back());
        }
    pk_cppn_free(cppn);
    if (rc != 0)
        return rc;
    print_markdown(all);
    std::printf("\n");
    print_csv(all);
    return 0;
}
