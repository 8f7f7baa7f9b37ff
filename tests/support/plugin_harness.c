#include "plugin_harness.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "teachkit/rng.h"

int tk_harness_open(tk_harness *h, const char *so_path, const char *id, uint64_t seed)
{
    memset(h, 0, sizeof *h);
    char why[1024];
    h->file = tk_plugin_file_open(so_path, NULL, why, sizeof why);
    if (!h->file) {
        fprintf(stderr, "harness: %s: %s\n", so_path, why);
        return -1;
    }
    const tk_component *c = tk_plugin_file_find(h->file, 0, id);
    if (!c) {
        fprintf(stderr, "harness: %s provides no component '%s'\n", so_path, id);
        tk_harness_close(h);
        return -1;
    }
    h->desc = c->desc;
    h->host = *tk_host_api_table();
    h->ctx.role = tk_kind_name(c->desc->kind);
    h->ctx.id = c->desc->id;
    tk_rng_seed(&h->ctx.rng, seed);
    return 0;
}

void tk_harness_close(tk_harness *h)
{
    tk_plugin_file_close(h->file);
    h->file = NULL;
}

const tk_teacher_vtable *tk_harness_teacher(const tk_harness *h)
{
    return h->desc->kind == TK_KIND_TEACHER ? h->desc->vtable : NULL;
}

const tk_env_vtable *tk_harness_env(const tk_harness *h)
{
    return h->desc->kind == TK_KIND_ENV ? h->desc->vtable : NULL;
}

const tk_student_vtable *tk_harness_student(const tk_harness *h)
{
    return h->desc->kind == TK_KIND_STUDENT ? h->desc->vtable : NULL;
}

char *tk_harness_merged_config(const tk_descriptor *d, const char *overrides)
{
    json_t *base = json_loads(d->default_config ? d->default_config : "{}", 0, NULL);
    json_t *over = overrides ? json_loads(overrides, 0, NULL) : json_object();
    char *text = NULL;
    if (json_is_object(base) && json_is_object(over) && json_object_update(base, over) == 0)
        text = json_dumps(base, JSON_COMPACT);
    json_decref(base);
    json_decref(over);
    return text;
}
