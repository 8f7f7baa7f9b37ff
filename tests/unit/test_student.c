/* Student plumbing: the spec check, the action-box map, the finiteness
 * check, the network keys (values, ranges, messages with the key path) and
 * the checkpoint config check. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check_main.h"
#include "error_capture.h"
#include "teachkit/student.h"

static const char *const choices[] = {"tanh", "relu", "leaky_relu", NULL};
static const tk_nn_activation values[] = {TK_NN_TANH, TK_NN_RELU, TK_NN_LEAKY_RELU};

/* Reads the network keys of the defaults both bundled students share,
 * with the keys of the JSON object `extra` (NULL: none) replacing them. */
static tk_status read_net(const char *extra, size_t max_hidden, tk_ctx *ctx, tk_student_net *out)
{
    json_t *root = json_loads("{\"hidden_sizes\": [400, 300], \"activation\": \"relu\", "
                              "\"leaky_slope\": 0.01, \"lr\": 0.001, \"adam_beta1\": 0.9, "
                              "\"adam_beta2\": 0.999, \"adam_eps\": 1e-08}",
                              0, NULL);
    json_t *more = json_loads(extra ? extra : "{}", 0, NULL);
    ck_assert_ptr_nonnull(root);
    ck_assert_ptr_nonnull(more);
    ck_assert_int_eq(json_object_update(root, more), 0);
    char *json = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    json_decref(more);
    memset(ctx, 0, sizeof *ctx);
    tk_config *cfg = NULL;
    ck_assert_int_eq(tk_config_parse(&tk_capture_host, ctx, json, &cfg), TK_OK);
    free(json);
    const tk_status st = tk_student_net_read(cfg, &tk_capture_host, ctx, max_hidden, choices, values, out);
    tk_config_free(cfg);
    return st;
}

START_TEST(spec_needs_observations_and_actions)
{
    tk_ctx ctx = {0};
    const tk_student_spec ok = {.obs_dim = 3, .act_dim = 1};
    ck_assert_int_eq(tk_student_check_spec(&tk_capture_host, &ctx, &ok, "td3"), TK_OK);
    ck_assert_uint_eq(ctx.calls, 0);

    const tk_student_spec no_act = {.obs_dim = 3};
    ck_assert_int_eq(tk_student_check_spec(&tk_capture_host, &ctx, &no_act, "td3"), TK_ERR_INVALID);
    ck_assert(!ctx.had_path);
    ck_assert_str_eq(ctx.message, "td3 needs an environment with observations and continuous "
                                  "actions (obs_dim 3, act_dim 0)");
    ck_assert_int_eq(tk_student_check_spec(&tk_capture_host, &ctx, NULL, "sac"), TK_ERR_INVALID);
    ck_assert_str_eq(ctx.message, "sac needs an environment with observations and continuous "
                                  "actions (obs_dim 0, act_dim 0)");
}
END_TEST

START_TEST(action_map_centres_the_box)
{
    tk_ctx ctx = {0};
    const float low[4] = {-2.0f, 0.0f, -INFINITY, 5.0f};
    const float high[4] = {2.0f, 1.0f, 1.0f, 5.0f};
    const tk_student_spec spec = {.obs_dim = 1, .act_dim = 4, .act_low = low, .act_high = high};
    float center[4], half[4];
    ck_assert_int_eq(tk_student_action_map(&tk_capture_host, &ctx, &spec, center, half), TK_OK);
    ck_assert_uint_eq(ctx.calls, 0);
    const float want_c[4] = {0.0f, 0.5f, 0.0f, 5.0f}, want_h[4] = {2.0f, 0.5f, 1.0f, 0.0f};
    for (int i = 0; i < 4; i++) {
        ck_assert_float_eq(center[i], want_c[i]);
        ck_assert_float_eq(half[i], want_h[i]);
    }

    /* No box at all: [-1, 1]. */
    const tk_student_spec open = {.obs_dim = 1, .act_dim = 2};
    ck_assert_int_eq(tk_student_action_map(&tk_capture_host, &ctx, &open, center, half), TK_OK);
    ck_assert_float_eq(center[1], 0.0f);
    ck_assert_float_eq(half[1], 1.0f);

    const float bad_low[2] = {0.0f, 3.0f}, bad_high[2] = {1.0f, 2.0f};
    const tk_student_spec bad = {.obs_dim = 1, .act_dim = 2, .act_low = bad_low,
                                 .act_high = bad_high};
    ck_assert_int_eq(tk_student_action_map(&tk_capture_host, &ctx, &bad, center, half), TK_ERR_INVALID);
    ck_assert_str_eq(ctx.message, "action dimension 1 has bounds [3, 2]");
}
END_TEST

START_TEST(finite_check_names_the_first_bad_entry)
{
    tk_ctx ctx = {0};
    const float v[4] = {0.0f, -1e30f, NAN, INFINITY};
    ck_assert_int_eq(tk_student_check_finite(&tk_capture_host, &ctx, v, 2, "observation"), TK_OK);
    ck_assert_int_eq(tk_student_check_finite(&tk_capture_host, &ctx, v, 0, "observation"), TK_OK);
    ck_assert_uint_eq(ctx.calls, 0);
    ck_assert_int_eq(tk_student_check_finite(&tk_capture_host, &ctx, v, 4, "next observation"),
                     TK_ERR_INVALID);
    ck_assert_uint_eq(ctx.calls, 1);
    ck_assert_str_eq(ctx.message, "next observation[2] is not finite");
}
END_TEST

START_TEST(net_keys_are_read)
{
    tk_ctx ctx;
    tk_student_net net;
    ck_assert_int_eq(read_net("{\"hidden_sizes\": [64, 32, 16], \"activation\": \"leaky_relu\"}",
                              8, &ctx, &net),
                     TK_OK);
    ck_assert_uint_eq(ctx.calls, 0);
    ck_assert_uint_eq(net.n_hidden, 3);
    ck_assert_uint_eq(net.hidden[0], 64);
    ck_assert_uint_eq(net.hidden[1], 32);
    ck_assert_uint_eq(net.hidden[2], 16);
    ck_assert_int_eq(net.activation_index, 2);
    ck_assert_int_eq(net.activation, TK_NN_LEAKY_RELU);
    ck_assert_float_eq(net.leaky_slope, 0.01f);
    ck_assert_float_eq(net.adam.lr, 0.001f);
    ck_assert_float_eq(net.adam.beta1, 0.9f);
    ck_assert_float_eq(net.adam.beta2, 0.999f);
    ck_assert_float_eq(net.adam.eps, 1e-08f);

    /* The index follows the caller's order of choices. */
    ck_assert_int_eq(read_net(NULL, 8, &ctx, &net), TK_OK);
    ck_assert_int_eq(net.activation_index, 1);
    ck_assert_int_eq(net.activation, TK_NN_RELU);
}
END_TEST

START_TEST(net_errors_name_the_key)
{
    tk_ctx ctx;
    tk_student_net net;
    ck_assert_int_eq(read_net("{\"hidden_sizes\": [64, 64.5]}", 8, &ctx, &net), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "hidden_sizes[1]");
    ck_assert_str_eq(ctx.message, "must be an integer, got 64.5");

    ck_assert_int_eq(read_net("{\"hidden_sizes\": [1, 2, 3]}", 2, &ctx, &net), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "hidden_sizes");
    ck_assert_str_eq(ctx.message, "at most 2 hidden layers, got 3");

    /* max_hidden is capped at the struct's room. */
    char many[256] = "{\"hidden_sizes\": [1";
    for (int i = 1; i <= TK_STUDENT_MAX_HIDDEN; i++)
        strcat(many, ", 1");
    strcat(many, "]}");
    ck_assert_int_eq(read_net(many, 1000, &ctx, &net), TK_ERR_CONFIG);
    char want[64];
    snprintf(want, sizeof want, "at most %d hidden layers, got %d", TK_STUDENT_MAX_HIDDEN,
             TK_STUDENT_MAX_HIDDEN + 1);
    ck_assert_str_eq(ctx.message, want);

    /* Ranges, and the first failing key in the documented order wins. */
    ck_assert_int_eq(read_net("{\"hidden_sizes\": [70000]}", 8, &ctx, &net), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "hidden_sizes[0]");
    ck_assert_int_eq(read_net("{\"activation\": \"sigmoid\", \"lr\": 0}", 8, &ctx, &net),
                     TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "activation");
    ck_assert_int_eq(read_net("{\"lr\": 0, \"adam_beta1\": 1}", 8, &ctx, &net), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "lr");
    ck_assert_int_eq(read_net("{\"adam_beta1\": 1}", 8, &ctx, &net), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "adam_beta1");
    ck_assert_int_eq(read_net("{\"adam_beta2\": -0.1}", 8, &ctx, &net), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "adam_beta2");
    ck_assert_int_eq(read_net("{\"adam_eps\": 2}", 8, &ctx, &net), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "adam_eps");
    ck_assert_int_eq(read_net("{\"leaky_slope\": 1.5}", 8, &ctx, &net), TK_ERR_CONFIG);
    ck_assert_str_eq(ctx.path, "leaky_slope");
    ck_assert_uint_eq(ctx.calls, 1);
}
END_TEST

START_TEST(hidden_code_packs_the_sizes)
{
    const size_t h[3] = {400, 300, 7};
    ck_assert(tk_student_hidden_code(h, 0) == 0.0);
    ck_assert(tk_student_hidden_code(h, 1) == 400.0);
    ck_assert(tk_student_hidden_code(h, 2) == 400.0 * 65537.0 + 300.0);
    ck_assert(tk_student_hidden_code(h, 3) == (400.0 * 65537.0 + 300.0) * 65537.0 + 7.0);
    /* Order matters. */
    const size_t swapped[2] = {300, 400};
    ck_assert(tk_student_hidden_code(swapped, 2) != tk_student_hidden_code(h, 2));
}
END_TEST

START_TEST(config_check_is_bitwise)
{
    tk_ctx ctx = {0};
    const char *const names[3] = {"obs_dim", "lr", "gamma"};
    const double here[3] = {3.0, 0.001, 0.0};
    const double same[3] = {3.0, 0.001, 0.0};
    ck_assert_int_eq(tk_student_config_check(&tk_capture_host, &ctx, names, here, same, 3), TK_OK);
    ck_assert_uint_eq(ctx.calls, 0);

    const double other[3] = {3.0, 0.002, -0.0}; /* two differences: the first is reported */
    ck_assert_int_eq(tk_student_config_check(&tk_capture_host, &ctx, names, here, other, 3),
                     TK_ERR_INVALID);
    ck_assert_uint_eq(ctx.calls, 1);
    ck_assert(!ctx.had_path);
    ck_assert_str_eq(ctx.message,
                     "state saved with another configuration: lr is 0.002 there, 0.001 here");

    /* -0.0 == 0.0 numerically, but the bits differ. */
    ck_assert_int_eq(tk_student_config_check(&tk_capture_host, &ctx, names + 2, here + 2, other + 2, 1),
                     TK_ERR_INVALID);
    ck_assert_str_eq(ctx.message,
                     "state saved with another configuration: gamma is -0 there, 0 here");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("student");
    TCase *tc = tk_check_tcase(s, "core", 0);
    tcase_add_test(tc, spec_needs_observations_and_actions);
    tcase_add_test(tc, action_map_centres_the_box);
    tcase_add_test(tc, finite_check_names_the_first_bad_entry);
    tcase_add_test(tc, net_keys_are_read);
    tcase_add_test(tc, net_errors_name_the_key);
    tcase_add_test(tc, hidden_code_packs_the_sizes);
    tcase_add_test(tc, config_check_is_bitwise);
    return tk_check_run(s);
}
