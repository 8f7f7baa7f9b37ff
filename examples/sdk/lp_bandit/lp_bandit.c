/* lp-bandit (docs/writing-a-teacher.md): a bandit over a grid of cells^dims arms covering the task
 * space; an arm's progress is |fast - slow EMA| of its returns (Kanitscheider et al., 2021). */
#include <math.h>
#include <stdlib.h>
#include <teachkit/config.h>
#include <teachkit/plugin.h>
#include <teachkit/rng.h>
enum { MAX_DIMS = 16, MAX_ARMS = 4096 };
static const double RATE_FAST = 0.2, RATE_SLOW = 0.05; /* EMA step sizes */

typedef struct lp_bandit {
    tk_rng *rng;                            /* the host's seeded stream for this instance */
    size_t dims;
    int64_t cells, arms;                    /* config: cells per dimension; arms = cells^dims */
    double epsilon;                         /* config: probability of a uniform arm */
    double low[MAX_DIMS], width[MAX_DIMS];  /* the task space's box */
    double fast[MAX_ARMS], slow[MAX_ARMS], progress[MAX_ARMS];
} lp_bandit;

static tk_status lp_create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                           const char *config_json, void **out)
{
    lp_bandit *t = calloc(1, sizeof *t);
    if (!t)
        return host->error(ctx, TK_ERR_NOMEM, NULL, "out of memory");
    t->rng = host->rng(ctx), t->dims = space->dims, t->arms = 1;
    tk_config *cfg = NULL; /* the descriptor's default_config merged with the manifest's */
    tk_status st = tk_config_parse(host, ctx, config_json, &cfg);
    if (st == TK_OK && (st = tk_config_int(cfg, "cells", 1, 1000, &t->cells)) == TK_OK)
        st = tk_config_double(cfg, "epsilon", 0.0, 1.0, &t->epsilon);
    tk_config_free(cfg);
    for (size_t i = 0; st == TK_OK && i < t->dims; i++)
        if (i == MAX_DIMS || (t->arms *= t->cells) > MAX_ARMS)
            st = host->error(ctx, TK_ERR_CONFIG, "cells", "at most %d dimensions and %d arms",
                             MAX_DIMS, MAX_ARMS);
        else
            t->low[i] = space->dim[i].low, t->width[i] = space->dim[i].high - space->dim[i].low;
    if (st != TK_OK)
        free(t), t = NULL;
    *out = t;
    return st;
}

static tk_status lp_sample(void *self, float *task_out)
{
    lp_bandit *t = self;
    int64_t arm = tk_rng_uniform(t->rng) < t->epsilon
                      ? (int64_t)tk_rng_below(t->rng, (uint64_t)t->arms)
                      : (int64_t)tk_rng_proportional(t->rng, t->progress, (size_t)t->arms);
    for (size_t i = 0; i < t->dims; i++, arm /= t->cells) /* uniform inside the arm's cell */
        task_out[i] = (float)(t->low[i] + t->width[i] *
                                              (arm % t->cells + tk_rng_uniform(t->rng)) / t->cells);
    return TK_OK;
}

static tk_status lp_update(void *self, const float *task, double episode_return, int success)
{
    lp_bandit *t = self;
    int64_t arm = 0;
    for (size_t i = t->dims; i-- > 0;) {
        double x = t->width[i] > 0.0 ? (task[i] - t->low[i]) / t->width[i] : 0.0;
        arm = arm * t->cells + (int64_t)fmin(fmax(x * t->cells, 0.0), t->cells - 1.0);
    }
    t->fast[arm] += RATE_FAST * (episode_return - t->fast[arm]);
    t->slow[arm] += RATE_SLOW * (episode_return - t->slow[arm]);
    t->progress[arm] = fabs(t->fast[arm] - t->slow[arm]);
    return (void)success, TK_OK;
}

static const tk_descriptor lp_descriptor = {.struct_size = sizeof(tk_descriptor),
    .kind = TK_KIND_TEACHER, .id = "lp-bandit", .name = "LP bandit", .version = "1.0.0",
    .description = "Learning-progress bandit over a fixed grid of the task space",
    .default_config = "{\"cells\": 10, \"epsilon\": 0.125}",
    .vtable = &(const tk_teacher_vtable){.struct_size = sizeof(tk_teacher_vtable),
        .create = lp_create, .destroy = free, /* the instance is one calloc'ed block */
        .sample = lp_sample, .update = lp_update}};

static const tk_descriptor *const lp_descriptors[] = {&lp_descriptor};
TK_PLUGIN_DESCRIPTORS(lp_descriptors);
