/*
 * Checking a plugin's descriptor and taking the host's copies of it and of
 * its vtable (<teachkit/component.h>).
 */
#include "teachkit/component.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

const char *tk_kind_name(tk_kind kind)
{
    switch (kind) {
    case TK_KIND_TEACHER: return "teacher";
    case TK_KIND_ENV: return "env";
    case TK_KIND_STUDENT: return "student";
    }
    return "unknown";
}

int tk_plugin_id_valid(const char *id)
{
    if (!id || !id[0] || strlen(id) > TK_ID_MAX_LEN)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

const char *tk_plugin_id_rule(void)
{
    return "1-64 characters of [a-z0-9-_]";
}

/* The feature strings of each kind (<teachkit/plugin.h>, TK_FEATURE_*). */
static const char *const teacher_features[] = {
    TK_FEATURE_RAW_RETURN, TK_FEATURE_STEP_UPDATE, TK_FEATURE_STUDENT_VALUE,
    TK_FEATURE_NEEDS_SUCCESS, TK_FEATURE_NEEDS_REWARD_THRESHOLDS,
    TK_FEATURE_ACCEPTS_INITIAL_DIST, TK_FEATURE_ACCEPTS_TARGET_DIST,
    TK_FEATURE_STUDENT_SCORES, TK_FEATURE_NO_LEARN_EPISODES, NULL};
static const char *const env_features[] = {TK_FEATURE_SELF_EVALUATION, NULL};
static const char *const student_features[] = {TK_FEATURE_NO_LEARNING, TK_FEATURE_VALUE,
                                               TK_FEATURE_CHECKPOINT_WITHIN_EPISODE, NULL};

static const char *const *features_of(tk_kind kind)
{
    switch (kind) {
    case TK_KIND_TEACHER: return teacher_features;
    case TK_KIND_ENV: return env_features;
    case TK_KIND_STUDENT: return student_features;
    }
    return NULL;
}

int tk_feature_known(tk_kind kind, const char *feature)
{
    for (const char *const *f = features_of(kind); feature && f && *f; f++)
        if (strcmp(*f, feature) == 0)
            return 1;
    return 0;
}

int tk_descriptor_has_feature(const tk_descriptor *desc, const char *feature)
{
    for (const char *const *f = desc ? desc->features : NULL; f && *f; f++)
        if (strcmp(*f, feature) == 0)
            return 1;
    return 0;
}

/* Copies min(declared, sizeof) bytes of a table starting with its
 * uint32_t struct_size into `dst` (`full` bytes), zeroing the rest. */
static void copy_table(void *dst, size_t full, const void *src)
{
    uint32_t declared;
    memcpy(&declared, src, sizeof declared);
    size_t n = declared < full ? declared : full;
    memset(dst, 0, full);
    memcpy(dst, src, n);
}

/* The required members, tested on the zero-padded copy: a member beyond the
 * plugin's declared size is NULL there. */
static const char *vtable_problem(const tk_component *c)
{
    switch (c->descriptor.kind) {
    case TK_KIND_TEACHER: {
        const tk_teacher_vtable *v = &c->vtable.teacher;
        return v->create && v->destroy && v->sample && v->update
                   ? NULL
                   : "teacher vtable lacks create/destroy/sample/update";
    }
    case TK_KIND_ENV: {
        const tk_env_vtable *v = &c->vtable.env;
        return v->create && v->destroy && v->info && v->set_task && v->reset && v->step
                   ? NULL
                   : "env vtable lacks create/destroy/info/set_task/reset/step";
    }
    case TK_KIND_STUDENT: {
        const tk_student_vtable *v = &c->vtable.student;
        return v->create && v->destroy && v->act && v->observe && v->end_episode
                   ? NULL
                   : "student vtable lacks create/destroy/act/observe/end_episode";
    }
    }
    return "has an unknown kind";
}

static size_t vtable_size(tk_kind kind)
{
    switch (kind) {
    case TK_KIND_TEACHER: return sizeof(tk_teacher_vtable);
    case TK_KIND_ENV: return sizeof(tk_env_vtable);
    case TK_KIND_STUDENT: return sizeof(tk_student_vtable);
    }
    return 0;
}

static int fail(char *why, size_t size, const char *text)
{
    snprintf(why, size, "%s", text);
    return -1;
}

static int features_ok(const tk_descriptor *d, char *why, size_t size)
{
    for (const char *const *f = d->features; f && *f; f++) {
        if (tk_feature_known(d->kind, *f))
            continue;
        char known[512] = "";
        for (const char *const *k = features_of(d->kind); k && *k; k++) {
            size_t used = strlen(known);
            snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "", *k);
        }
        snprintf(why, size, "declares the feature \"%.64s\", which this teachkit does not know "
                            "for a%s %s (known: %s); fix the descriptor's features or update "
                            "teachkit", *f, d->kind == TK_KIND_ENV ? "n" : "",
                 tk_kind_name(d->kind), known[0] ? known : "none");
        return -1;
    }
    return 0;
}

int tk_component_init(tk_component *c, const tk_descriptor *d, const char *file, char *why,
                      size_t size)
{
    memset(c, 0, sizeof *c);
    if (!d)
        return fail(why, size, "returned a NULL descriptor");
    if (!TK_HAS_MEMBER(d, vtable))
        return fail(why, size, "descriptor struct_size is too small, or it has no vtable");
    if (!tk_plugin_id_valid(d->id)) {
        snprintf(why, size, "descriptor id must be %s", tk_plugin_id_rule());
        return -1;
    }
    if (!d->name || !d->version || !d->description)
        return fail(why, size, "descriptor lacks name, version or description");
    json_t *defaults = json_loads(d->default_config ? d->default_config : "{}", 0, NULL);
    int is_object = json_is_object(defaults);
    json_decref(defaults);
    if (!is_object)
        return fail(why, size, "default_config is not a JSON object");
    size_t full = vtable_size(d->kind);
    if (!full)
        return fail(why, size, "has an unknown kind");
    if (features_ok(d, why, size) != 0)
        return -1;
    copy_table(&c->descriptor, sizeof c->descriptor, d);
    copy_table(&c->vtable, full, d->vtable);
    const char *bad = vtable_problem(c);
    if (bad)
        return fail(why, size, bad);
    c->descriptor.vtable = &c->vtable;
    c->desc = &c->descriptor;
    c->file = file;
    return 0;
}

const tk_teacher_vtable *tk_component_teacher(const tk_component *c)
{
    return c->desc->kind == TK_KIND_TEACHER ? &c->vtable.teacher : NULL;
}

const tk_env_vtable *tk_component_env(const tk_component *c)
{
    return c->desc->kind == TK_KIND_ENV ? &c->vtable.env : NULL;
}

const tk_student_vtable *tk_component_student(const tk_component *c)
{
    return c->desc->kind == TK_KIND_STUDENT ? &c->vtable.student : NULL;
}

void tk_component_destroy_object(const tk_component *c, void *self)
{
    if (!self)
        return;
    switch (c->desc->kind) {
    case TK_KIND_TEACHER: c->vtable.teacher.destroy(self); break;
    case TK_KIND_ENV: c->vtable.env.destroy(self); break;
    case TK_KIND_STUDENT: c->vtable.student.destroy(self); break;
    }
}

const void *tk_component_extension(const tk_component *c, void *self, const char *id)
{
    const void *(*get)(void *, const char *) = NULL;
    switch (c->desc->kind) {
    case TK_KIND_TEACHER: get = c->vtable.teacher.get_extension; break;
    case TK_KIND_ENV: get = c->vtable.env.get_extension; break;
    case TK_KIND_STUDENT: get = c->vtable.student.get_extension; break;
    }
    return get && self ? get(self, id) : NULL;
}
