/* Plumbing shared by learning students.  See <teachkit/student.h>. */
#include "teachkit/student.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ the spec */

tk_status tk_student_check_spec(const tk_host_api *host, tk_ctx *ctx, const tk_student_spec *spec,
                                const char *student)
{
    if (!spec || spec->obs_dim == 0 || spec->act_dim == 0)
        return host->error(ctx, TK_ERR_INVALID, NULL,
                           "%s needs an environment with observations and continuous actions "
                           "(obs_dim %zu, act_dim %zu)",
                           student, spec ? spec->obs_dim : 0, spec ? spec->act_dim : 0);
    return TK_OK;
}

tk_status tk_student_action_map(const tk_host_api *host, tk_ctx *ctx,
                                const tk_student_spec *spec, float *center, float *half)
{
    for (size_t i = 0; i < spec->act_dim; i++) {
        double lo = spec->act_low ? spec->act_low[i] : -1.0;
        double hi = spec->act_high ? spec->act_high[i] : 1.0;
        if (!isfinite(lo) || !isfinite(hi))
            lo = -1.0, hi = 1.0;
        if (lo > hi)
            return host->error(ctx, TK_ERR_INVALID, NULL,
                               "action dimension %zu has bounds [%g, %g]", i, lo, hi);
        center[i] = (float)(0.5 * (lo + hi));
        half[i] = (float)(0.5 * (hi - lo));
    }
    return TK_OK;
}

tk_status tk_student_check_finite(const tk_host_api *host, tk_ctx *ctx, const float *v,
                                  size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return host->error(ctx, TK_ERR_INVALID, NULL, "%s[%zu] is not finite", what, i);
    return TK_OK;
}

/* ------------------------------------------------------------ the network */

/* "hidden_sizes": a non-empty array of at most max_hidden integers in
 * [1, 65536]. */
static tk_status read_hidden(tk_config *cfg, const tk_host_api *host, tk_ctx *ctx,
                             size_t max_hidden, tk_student_net *out)
{
    double *v = NULL;
    size_t n = 0;
    tk_status st = tk_config_double_array(cfg, "hidden_sizes", 0, 1, 65536, &v, &n);
    if (st)
        return st;
    if (n > max_hidden) {
        free(v);
        return host->error(ctx, TK_ERR_CONFIG, "hidden_sizes", "at most %zu hidden layers, got %zu",
                           max_hidden, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] != floor(v[i])) {
            char path[32];
            snprintf(path, sizeof path, "hidden_sizes[%zu]", i);
            const double bad = v[i];
            free(v);
            return host->error(ctx, TK_ERR_CONFIG, path, "must be an integer, got %g", bad);
        }
        out->hidden[i] = (size_t)v[i];
    }
    out->n_hidden = n;
    free(v);
    return TK_OK;
}

const char *const tk_student_precision_choices[] = {"fp32", "bf16", "auto", NULL};

/* "precision", resolved against this CPU. */
static tk_status read_precision(tk_config *cfg, const tk_host_api *host, tk_ctx *ctx,
                                tk_student_net *out)
{
    out->precision_index = 0;
    out->precision = TK_NN_FP32;
    if (!tk_config_has(cfg, "precision"))
        return TK_OK;
    tk_status st = tk_config_choice(cfg, "precision", tk_student_precision_choices,
                                    &out->precision_index);
    if (st)
        return st;
    const int native = tk_nn_bf16_native();
    if (out->precision_index == 1 && !native) {
        tk_nn_backend_info info;
        tk_nn_backend_describe(&info);
        return host->error(ctx, TK_ERR_CONFIG, "precision",
                           "\"bf16\" needs a CPU that multiplies bfloat16 natively (AMX or "
                           "AVX512-BF16); this CPU runs oneDNN on %s; use \"fp32\" or \"auto\"",
                           info.isa);
    }
    out->precision = out->precision_index == 1 || (out->precision_index == 2 && native)
                         ? TK_NN_BF16
                         : TK_NN_FP32;
    return TK_OK;
}

tk_status tk_student_net_read(tk_config *cfg, const tk_host_api *host, tk_ctx *ctx,
                              size_t max_hidden, const char *const *choices,
                              const tk_nn_activation *values, tk_student_net *out)
{
    if (max_hidden > TK_STUDENT_MAX_HIDDEN)
        max_hidden = TK_STUDENT_MAX_HIDDEN;
    double leaky, lr, b1, b2, eps;
    tk_status st;
    if ((st = read_hidden(cfg, host, ctx, max_hidden, out)) ||
        (st = tk_config_choice(cfg, "activation", choices, &out->activation_index)) ||
        (st = tk_config_double(cfg, "leaky_slope", 0.0, 1.0, &leaky)) ||
        (st = tk_config_double(cfg, "lr", 1e-12, 1.0, &lr)) ||
        (st = tk_config_double(cfg, "adam_beta1", 0.0, 0.999999, &b1)) ||
        (st = tk_config_double(cfg, "adam_beta2", 0.0, 0.999999, &b2)) ||
        (st = tk_config_double(cfg, "adam_eps", 0.0, 1.0, &eps)) ||
        (st = read_precision(cfg, host, ctx, out)))
        return st;
    out->activation = values[out->activation_index];
    out->leaky_slope = (float)leaky;
    out->adam = (tk_adam_options){(float)lr, (float)b1, (float)b2, (float)eps};
    return TK_OK;
}

const char *tk_student_net_describe(const tk_student_net *net, char *buf, size_t size)
{
    snprintf(buf, size, "{\"precision\": \"%s\", \"precision_config\": \"%s\"}",
             net->precision == TK_NN_BF16 ? "bf16" : "fp32",
             tk_student_precision_choices[net->precision_index]);
    return buf;
}

/* ------------------------------------------------------------ checkpoints */

double tk_student_hidden_code(const size_t *hidden, size_t n)
{
    double code = 0.0;
    for (size_t i = 0; i < n; i++)
        code = code * 65537.0 + (double)hidden[i];
    return code;
}

tk_status tk_student_config_check(const tk_host_api *host, tk_ctx *ctx,
                                  const char *const *names, const double *here,
                                  const double *saved, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&here[i], &saved[i], sizeof here[i]) != 0)
            return host->error(ctx, TK_ERR_INVALID, NULL,
                               "state saved with another configuration: %s is %g there, %g here",
                               names[i], saved[i], here[i]);
    return TK_OK;
}
