/*
 * A component as a host holds it: the checked, host-owned copy of one
 * plugin descriptor and of its vtable.  Part of the plugin-hosting core of
 * libteachkit, which `teachkit`, the standalone host (<teachkit/
 * standalone.h>) and the test harness all use.
 *
 * Why a copy: <teachkit/plugin.h> lets a plugin built against an older
 * minor version hand over a vtable that ends before the members added
 * since.  The copy has the full size this library knows and holds
 * min(declared struct_size, sizeof) bytes of the plugin's table, zeros
 * after them, so a member the plugin does not have reads as NULL like any
 * optional member it left unset.  A caller tests one pointer and can never
 * call past the end of a plugin's table; members a newer plugin appended
 * are not copied and never called.  The descriptor is copied the same way,
 * and the copy's `vtable` points at the vtable copy.
 *
 * The identifier rule and the feature strings a host accepts live here
 * too, stated once for every host.
 *
 * Threads: the functions only read their arguments: [thread-safe].  A
 * tk_component is immutable once initialised.
 */
#ifndef TEACHKIT_COMPONENT_H
#define TEACHKIT_COMPONENT_H

#include <stddef.h>

#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef union tk_vtable_copy {
    tk_teacher_vtable teacher;
    tk_env_vtable env;
    tk_student_vtable student;
} tk_vtable_copy;

typedef struct tk_component {
    /* Points at `descriptor` below once initialised.  The strings and the
     * feature list it points to are owned by the plugin file (static for
     * built-ins) and valid while the file is loaded. */
    const tk_descriptor *desc;
    const char *file;           /* borrowed from whoever loaded it; "(built-in)" */
    tk_descriptor descriptor;   /* host-owned copy; .vtable points at `vtable` */
    tk_vtable_copy vtable;      /* host-owned, full size, zero padded */
} tk_component;

/* Checks `desc` (id, strings, default config, features, the required
 * vtable members inside the declared sizes) and fills `c` with the copies.
 * `file` is kept as is.  Returns 0, or -1 with the reason in why[size]
 * ("descriptor id must be ...").  `c` refers to itself: do not copy it by
 * value after this call. */
int tk_component_init(tk_component *c, const tk_descriptor *desc, const char *file, char *why,
                      size_t size);

/* The vtable copy of the component's kind, or NULL for another kind. */
const tk_teacher_vtable *tk_component_teacher(const tk_component *c);
const tk_env_vtable *tk_component_env(const tk_component *c);
const tk_student_vtable *tk_component_student(const tk_component *c);

/* The plugin's destroy() for `self`, whatever the kind; NULL self is a
 * no-op. */
void tk_component_destroy_object(const tk_component *c, void *self);

/* The plugin's get_extension(self, id), whatever the kind; NULL when the
 * plugin has none or does not know `id`. */
const void *tk_component_extension(const tk_component *c, void *self, const char *id);

/* 1 if `desc` lists `feature` (a TK_FEATURE_* string). */
int tk_descriptor_has_feature(const tk_descriptor *desc, const char *feature);

/* 1 if `id` is a valid component id: 1 to TK_ID_MAX_LEN characters of
 * a-z, 0-9, '-' and '_'.  The one definition every host and tool uses. */
#define TK_ID_MAX_LEN 64
int tk_plugin_id_valid(const char *id);
/* The rule above in words, for messages ("1-64 characters of [a-z0-9-_]"). */
const char *tk_plugin_id_rule(void);

/* 1 if `feature` is a feature string this library knows for `kind`. */
int tk_feature_known(tk_kind kind, const char *feature);

/* "teacher", "env", "student" ("unknown" otherwise). */
const char *tk_kind_name(tk_kind kind);

#ifdef __cplusplus
}
#endif

#endif
