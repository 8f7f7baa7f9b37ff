#include "teachkit/score_trace.h"

#include <stdlib.h>

void tk_score_trace_clear(tk_score_trace *t)
{
    t->n = 0;
}

void tk_score_trace_free(tk_score_trace *t)
{
    free(t->reward);
    free(t->value);
    t->reward = t->value = NULL;
    t->n = t->cap = 0;
}

tk_status tk_score_trace_push(tk_score_trace *t, double reward, double value)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        double *r = realloc(t->reward, cap * sizeof *r);
        if (!r)
            return TK_ERR_NOMEM;
        t->reward = r;
        double *v = realloc(t->value, cap * sizeof *v);
        if (!v)
            return TK_ERR_NOMEM;
        t->value = v;
        t->cap = cap;
    }
    t->reward[t->n] = reward;
    t->value[t->n] = value;
    t->n++;
    return TK_OK;
}

void tk_score_trace_finish(const tk_score_trace *t, double bootstrap, double gamma,
                           double lambda, tk_episode_scores *out)
{
    const size_t n = t->n;
    if (n == 0)
        return;
    double adv = 0.0, next_value = bootstrap, positive = 0.0, values = 0.0, ret = 0.0;
    /* Backwards for GAE; the discounted return by Horner's rule on the way. */
    for (size_t i = n; i-- > 0;) {
        const double delta = t->reward[i] + gamma * next_value - t->value[i];
        adv = delta + gamma * lambda * adv;
        positive += adv > 0.0 ? adv : 0.0;
        values += t->value[i];
        ret = t->reward[i] + gamma * ret;
        next_value = t->value[i];
    }
    if (TK_HAS_FIELD(out, positive_value_loss)) {
        out->positive_value_loss = positive / (double)n;
        out->present |= TK_SCORE_POSITIVE_VALUE_LOSS;
    }
    if (TK_HAS_FIELD(out, discounted_return)) {
        out->mean_value = values / (double)n;
        out->discounted_return = ret;
        out->present |= TK_SCORE_VALUE_RETURN;
    }
}
