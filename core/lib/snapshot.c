/* Teacher snapshot writers.  See <teachkit/snapshot.h> for the schema. */
#include "teachkit/snapshot.h"

#include <stdlib.h>

/* json_object_set_new and json_array_append_new consume their value even
 * when they fail (and fail on a NULL value: a json_real of a non-finite
 * number), so a builder ORs their results and releases one object. */

json_t *tk_snapshot_doubles(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_real(v[i]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

json_t *tk_snapshot_floats(const float *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_real((double)v[i]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

json_t *tk_snapshot_matrix(const double *m, size_t n, size_t stride)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < n; i++)
        if (json_array_append_new(rows, tk_snapshot_doubles(m + i * stride, n))) {
            json_decref(rows);
            return NULL;
        }
    return rows;
}

/* {"type": type}, or NULL. */
static json_t *typed(const char *type)
{
    json_t *o = json_object();
    if (o && json_object_set_new(o, TK_SNAPSHOT_KEY_TYPE, json_string(type))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Sets `key` of `o` to `value` (stolen); on failure releases `o` and
 * returns NULL. */
static json_t *with(json_t *o, const char *key, json_t *value)
{
    if (!o) {
        json_decref(value);
        return NULL;
    }
    if (json_object_set_new(o, key, value)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *tk_snapshot_gmm(uint64_t fits)
{
    json_t *o = with(typed(TK_SNAPSHOT_GMM), TK_SNAPSHOT_KEY_COMPONENTS, json_array());
    return with(o, TK_SNAPSHOT_KEY_FITS, json_integer((json_int_t)fits));
}

int tk_snapshot_gmm_add(json_t *snap, double weight, const double *mean, const double *cov,
                        size_t n, size_t stride, double alp)
{
    json_t *c = with(json_object(), TK_SNAPSHOT_KEY_WEIGHT, json_real(weight));
    c = with(c, TK_SNAPSHOT_KEY_MEAN, tk_snapshot_doubles(mean, n));
    c = with(c, TK_SNAPSHOT_KEY_COV, tk_snapshot_matrix(cov, n, stride));
    c = with(c, TK_SNAPSHOT_KEY_ALP, json_real(alp));
    json_t *list = json_object_get(snap, TK_SNAPSHOT_KEY_COMPONENTS);
    if (!c || !json_is_array(list)) {
        json_decref(c);
        return -1;
    }
    return json_array_append_new(list, c) ? -1 : 0;
}

json_t *tk_snapshot_gaussian(const double *mean, const double *cov, size_t n)
{
    json_t *o = with(typed(TK_SNAPSHOT_GAUSSIAN), TK_SNAPSHOT_KEY_MEAN,
                     tk_snapshot_doubles(mean, n));
    return with(o, TK_SNAPSHOT_KEY_COV, tk_snapshot_matrix(cov, n, n));
}

json_t *tk_snapshot_regions(void)
{
    return with(typed(TK_SNAPSHOT_REGIONS), TK_SNAPSHOT_KEY_REGIONS, json_array());
}

json_t *tk_snapshot_regions_add(json_t *snap, json_t *steal_low, json_t *steal_high, double alp,
                                int leaf)
{
    json_t *r = with(json_object(), TK_SNAPSHOT_KEY_LOW, steal_low);
    r = with(r, TK_SNAPSHOT_KEY_HIGH, steal_high);
    r = with(r, TK_SNAPSHOT_KEY_ALP, json_real(alp));
    r = with(r, TK_SNAPSHOT_KEY_LEAF, json_boolean(leaf));
    json_t *list = json_object_get(snap, TK_SNAPSHOT_KEY_REGIONS);
    if (!r || !json_is_array(list)) {
        json_decref(r);
        return NULL;
    }
    /* The list holds the only reference from here on. */
    return json_array_append_new(list, r) ? NULL : r;
}

json_t *tk_snapshot_box(const char *type, json_t *steal_low, json_t *steal_high)
{
    json_t *o = with(typed(type), TK_SNAPSHOT_KEY_LOW, steal_low);
    return with(o, TK_SNAPSHOT_KEY_HIGH, steal_high);
}

json_t *tk_snapshot_samples(json_t *steal_points)
{
    return with(typed(TK_SNAPSHOT_SAMPLES), TK_SNAPSHOT_KEY_POINTS, steal_points);
}

json_t *tk_snapshot_add(json_t *steal_snap, json_t *steal_extra)
{
    int bad = !steal_snap || !steal_extra || json_object_update(steal_snap, steal_extra);
    json_decref(steal_extra);
    if (bad) {
        json_decref(steal_snap);
        return NULL;
    }
    return steal_snap;
}

char *tk_snapshot_dump(json_t *steal_snap)
{
    char *text = steal_snap ? json_dumps(steal_snap, JSON_COMPACT | JSON_REAL_PRECISION(17))
                            : NULL;
    json_decref(steal_snap);
    return text;
}
