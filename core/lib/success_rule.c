/* The "success" expert-knowledge key of success-driven teachers.  See
 * <teachkit/success_rule.h>. */
#include "teachkit/success_rule.h"

#include <math.h>
#include <string.h>

#include <jansson.h>

tk_status tk_success_rule_read(const tk_host_api *host, tk_ctx *ctx, const char *config_json,
                               const char *teacher, tk_success_rule *out)
{
    memset(out, 0, sizeof *out);
    json_t *root = json_loads(config_json, 0, NULL);
    json_t *s = root ? json_object_get(root, "success") : NULL;
    tk_status st = TK_OK;
    if (!s || json_is_null(s)) {
        st = host->error(ctx, TK_ERR_CONFIG, "success",
                         "is required: %s needs a success definition as expert knowledge; set "
                         "\"success\" to \"env\" (the environment's success flag) or to "
                         "{\"return_above\": x} (raw episode return > x)", teacher);
    } else if (json_is_string(s)) {
        if (strcmp(json_string_value(s), "env") != 0)
            st = host->error(ctx, TK_ERR_CONFIG, "success",
                             "must be \"env\" or {\"return_above\": x}, got \"%s\"",
                             json_string_value(s));
    } else if (json_is_object(s)) {
        json_t *x = json_object_get(s, "return_above");
        if (json_object_size(s) != 1 || !json_is_number(x) || !isfinite(json_number_value(x)))
            st = host->error(ctx, TK_ERR_CONFIG, "success.return_above",
                             "must be the only key of \"success\" and a finite number");
        else {
            out->use_threshold = 1;
            out->threshold = json_number_value(x);
        }
    } else {
        st = host->error(ctx, TK_ERR_CONFIG, "success",
                         "must be \"env\" or {\"return_above\": x}");
    }
    json_decref(root);
    return st;
}

int tk_success_rule_apply(const tk_success_rule *rule, double ret, int flag)
{
    return rule->use_threshold ? ret > rule->threshold : flag != 0;
}
