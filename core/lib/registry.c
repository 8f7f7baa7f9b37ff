/*
 * The registry (<teachkit/registry.h>): what was found, what was rejected
 * and why, and finding a component by id, loading its file on first use.
 * Search paths: registry_search.c; the probe: registry_probe.c.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_internal.h"

void tk_reg_reject(tk_registry *reg, const char *file, const char *fmt, ...)
{
    char reason[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    TK_GROW(reg->rejected, reg->n_rejected, reg->cap_rejected);
    reg->rejected[reg->n_rejected].file = strdup(file);
    reg->rejected[reg->n_rejected].reason = strdup(reason);
    reg->n_rejected++;
}

const char *tk_reg_rejection(const tk_registry *reg, const char *file)
{
    for (size_t i = reg->n_rejected; i-- > 0;)
        if (strcmp(reg->rejected[i].file, file) == 0)
            return reg->rejected[i].reason;
    return NULL;
}

void tk_reg_info_free(tk_reg_info *in)
{
    for (int k = 0; k < 6; k++)
        free(in->strings[k]);
    free(in->features);
}

void tk_reg_info_publish(tk_reg_info *in, const char *file)
{
    size_t nf = 0;
    for (const char *c = in->strings[5]; c && *c; c++)
        nf += *c == '\n';
    nf += in->strings[5] && in->strings[5][0] ? 1 : 0;
    in->features = calloc(nf + 1, sizeof *in->features);
    size_t k = 0;
    for (char *c = in->strings[5]; in->features && c && *c && k < nf;) {
        in->features[k++] = c;
        c = strchr(c, '\n');
        if (c)
            *c++ = '\0';
    }
    in->pub.id = in->strings[0];
    in->pub.name = in->strings[1];
    in->pub.version = in->strings[2];
    in->pub.description = in->strings[3];
    in->pub.default_config = in->strings[4];
    in->pub.features = (const char *const *)in->features;
    in->pub.file = file;
}

/* ---------------------------------------------------------------- life */

tk_registry *tk_registry_new(const char *advice)
{
    tk_registry *reg = calloc(1, sizeof *reg);
    if (reg)
        snprintf(reg->advice, sizeof reg->advice, "%s",
                 advice ? advice : "add the plugin's .so to TEACHKIT_PLUGIN_PATH");
    return reg;
}

void tk_registry_close(tk_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = reg->n_loaded; i-- > 0;)
        tk_plugin_file_close(reg->loaded[i]);
    for (size_t i = 0; i < reg->n_infos; i++)
        tk_reg_info_free(&reg->infos[i]);
    for (size_t i = 0; i < reg->n_builtins; i++)
        free(reg->builtins[i]);
    for (size_t i = 0; i < reg->n_files; i++)
        free(reg->files[i]);
    for (size_t i = 0; i < reg->n_rejected; i++) {
        free(reg->rejected[i].file);
        free(reg->rejected[i].reason);
    }
    free(reg->loaded);
    free(reg->infos);
    free(reg->builtins);
    free(reg->files);
    free(reg->described);
    free(reg->rejected);
    free(reg);
}

static tk_reg_info *new_info(tk_registry *reg)
{
    TK_GROW(reg->infos, reg->n_infos, reg->cap_infos);
    tk_reg_info *in = &reg->infos[reg->n_infos++];
    memset(in, 0, sizeof *in);
    return in;
}

int tk_registry_add_builtin(tk_registry *reg, const tk_descriptor *desc, tk_diag *d)
{
    tk_component *c = malloc(sizeof *c);
    char why[512];
    if (!c)
        return tk_diag_set(d, NULL, NULL, "out of memory");
    if (tk_component_init(c, desc, "(built-in)", why, sizeof why) != 0) {
        free(c);
        return tk_diag_set(d, "(built-in)", NULL, "%s", why);
    }
    TK_GROW(reg->builtins, reg->n_builtins, reg->cap_builtins);
    reg->builtins[reg->n_builtins++] = c;
    static const char *const none[] = {NULL};
    tk_reg_info *in = new_info(reg);
    in->file = SIZE_MAX;
    in->builtin = c;
    in->pub = (tk_plugin_info){c->desc->kind, c->desc->id, c->desc->name, c->desc->version,
                               c->desc->description,
                               c->desc->default_config ? c->desc->default_config : "{}",
                               c->desc->features ? c->desc->features : none, c->file};
    return 0;
}

/* ------------------------------------------------------------- loading */

static tk_plugin_file *loaded_file(const tk_registry *reg, const char *real)
{
    for (size_t i = 0; i < reg->n_loaded; i++)
        if (strcmp(tk_plugin_file_path(reg->loaded[i]), real) == 0)
            return reg->loaded[i];
    return NULL;
}

/* Loads candidate `f` into this process (once).  NULL with why[size]. */
static tk_plugin_file *load(tk_registry *reg, size_t f, tk_status *code, char *why, size_t size)
{
    tk_plugin_file *file = loaded_file(reg, reg->files[f]);
    if (file)
        return file;
    file = tk_plugin_file_open(reg->files[f], code, why, size);
    if (file) {
        TK_GROW(reg->loaded, reg->n_loaded, reg->cap_loaded);
        reg->loaded[reg->n_loaded++] = file;
    }
    return file;
}

/* Makes the components of a file loaded without probing findable. */
static void describe_loaded(tk_registry *reg, size_t f, const tk_plugin_file *file)
{
    if (reg->described[f])
        return;
    reg->described[f] = 1;
    for (size_t k = 0; k < tk_plugin_file_count(file); k++) {
        const tk_descriptor *d = tk_plugin_file_component(file, k)->desc;
        tk_reg_info *in = new_info(reg);
        in->file = f;
        in->pub.kind = d->kind;
        const char *texts[5] = {d->id, d->name, d->version, d->description,
                                d->default_config ? d->default_config : "{}"};
        for (int t = 0; t < 5; t++)
            in->strings[t] = strdup(texts[t]);
        size_t len = 1;
        for (const char *const *ft = d->features; ft && *ft; ft++)
            len += strlen(*ft) + 1;
        in->strings[5] = calloc(len, 1);
        for (const char *const *ft = d->features; in->strings[5] && ft && *ft; ft++) {
            if (ft != d->features)
                strcat(in->strings[5], "\n");
            strcat(in->strings[5], *ft);
        }
        tk_reg_info_publish(in, reg->files[f]);
    }
}

tk_status tk_registry_load_file(tk_registry *reg, const char *path, tk_diag *d)
{
    char real[PATH_MAX];
    if (path && realpath(path, real) && loaded_file(reg, real))
        return TK_OK;
    size_t f = tk_reg_add_candidate(reg, path ? path : "(null)");
    if (f == SIZE_MAX) {
        const char *file = path && realpath(path, real) ? real : path ? path : "(null)";
        const char *why = tk_reg_rejection(reg, file);
        tk_diag_set(d, file, NULL, "%s", why ? why : "rejected");
        return TK_ERR_IO;
    }
    /* A file that crashed, hung or exited while the probe loaded it is not
     * loaded into this process.  Other refusals are repeated here, which
     * gives them their status (another ABI major: TK_ERR_UNSUPPORTED). */
    const char *refused = reg->described[f] == TK_REG_KILLED_PROBE
                              ? tk_reg_rejection(reg, reg->files[f])
                              : NULL;
    if (refused) {
        tk_diag_set(d, reg->files[f], NULL, "%s", refused);
        return TK_ERR_IO;
    }
    char why[1024];
    tk_status code = TK_ERR_IO;
    tk_plugin_file *file = load(reg, f, &code, why, sizeof why);
    if (!file) {
        if (!reg->described[f])
            tk_reg_reject(reg, reg->files[f], "%s", why);
        reg->described[f] = 1;
        tk_diag_set(d, reg->files[f], NULL, "%s", why);
        return code;
    }
    describe_loaded(reg, f, file);
    return TK_OK;
}

/* ---------------------------------------------------------------- find */

static size_t describe_rejections(const tk_registry *reg, char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < reg->n_rejected && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "; rejected %s: %s",
                                 reg->rejected[i].file, reg->rejected[i].reason);
    return used;
}

/* Loads file `f` into this process (once) and returns its component `id`
 * of `kind`, or NULL with `d`. */
static const tk_component *load_component(tk_registry *reg, size_t f, tk_kind kind,
                                          const char *id, tk_diag *d)
{
    char why[1024];
    tk_plugin_file *file = load(reg, f, NULL, why, sizeof why);
    if (!file) {
        tk_diag_set(d, reg->files[f], NULL, "%s %s: %s (it loaded when the plugins were listed; "
                                            "was the file replaced since?)",
                    tk_kind_name(kind), id, why);
        return NULL;
    }
    const tk_component *c = tk_plugin_file_find(file, kind, id);
    if (!c)
        tk_diag_set(d, reg->files[f], NULL, "%s \"%s\" is no longer in this file (was it "
                                            "replaced since the plugins were listed?)",
                    tk_kind_name(kind), id);
    return c;
}

static void not_found(const tk_registry *reg, tk_kind kind, const char *id, tk_diag *d)
{
    const char *ids[256];
    size_t n = 0;
    for (size_t i = 0; i < reg->n_infos && n < 255; i++)
        if (reg->infos[i].pub.kind == kind)
            ids[n++] = reg->infos[i].pub.id;
    ids[n] = NULL;
    const char *near = tk_closest_word(id, ids);
    char rejected[1024] = "";
    describe_rejections(reg, rejected, sizeof rejected);
    char hint[128] = "";
    if (near)
        snprintf(hint, sizeof hint, "did you mean \"%s\"? ", near);
    tk_diag_set(d, NULL, NULL,
                "no %s plugin \"%s\" found; %s`teachkit list` shows the available ones; %s "
                "(searched: %s)%s",
                tk_kind_name(kind), id, hint, reg->advice, reg->search_path, rejected);
}

const tk_component *tk_registry_find(tk_registry *reg, tk_kind kind, const char *id,
                                     tk_diag *d)
{
    const tk_reg_info *found = NULL;
    for (size_t i = 0; i < reg->n_infos; i++) {
        const tk_reg_info *in = &reg->infos[i];
        if (in->pub.kind != kind || strcmp(in->pub.id, id) != 0)
            continue;
        if (found) {
            tk_diag_set(d, NULL, NULL,
                        "%s \"%s\" is provided by two files, %s and %s; remove one of them or "
                        "take one out of the plugin search path",
                        tk_kind_name(kind), id, found->pub.file, in->pub.file);
            return NULL;
        }
        found = in;
    }
    if (found && found->builtin)
        return found->builtin;
    if (found)
        return load_component(reg, found->file, kind, id, d);
    not_found(reg, kind, id, d);
    return NULL;
}

const tk_component *tk_registry_find_in_file(tk_registry *reg, tk_kind kind, const char *path,
                                             tk_diag *d)
{
    if (tk_registry_load_file(reg, path, d) != TK_OK)
        return NULL;
    char real[PATH_MAX];
    const tk_plugin_file *file = realpath(path, real) ? loaded_file(reg, real) : NULL;
    const tk_component *found = NULL;
    size_t n = 0;
    char ids[512] = "";
    for (size_t i = 0; file && i < tk_plugin_file_count(file); i++) {
        const tk_component *c = tk_plugin_file_component(file, i);
        if (c->desc->kind != kind)
            continue;
        size_t used = strlen(ids);
        snprintf(ids + used, sizeof ids - used, "%s\"%s\"", n ? ", " : "", c->desc->id);
        found = c;
        n++;
    }
    if (n == 1)
        return found;
    if (n == 0)
        tk_diag_set(d, NULL, NULL, "%s provides no %s", path, tk_kind_name(kind));
    else
        tk_diag_set(d, NULL, NULL,
                    "%s provides several %ss (%s): load the file, then find the component by id",
                    path, tk_kind_name(kind), ids);
    return NULL;
}

const tk_component *tk_registry_component_of(const tk_registry *reg, const tk_descriptor *desc)
{
    for (size_t i = 0; i < reg->n_builtins; i++)
        if (reg->builtins[i]->desc == desc)
            return reg->builtins[i];
    for (size_t i = 0; i < reg->n_loaded; i++)
        for (size_t k = 0; k < tk_plugin_file_count(reg->loaded[i]); k++)
            if (tk_plugin_file_component(reg->loaded[i], k)->desc == desc)
                return tk_plugin_file_component(reg->loaded[i], k);
    return NULL;
}

size_t tk_registry_info_count(const tk_registry *reg) { return reg->n_infos; }
const tk_plugin_info *tk_registry_info_at(const tk_registry *reg, size_t i) { return &reg->infos[i].pub; }
size_t tk_registry_rejected_count(const tk_registry *reg) { return reg->n_rejected; }
const tk_rejected *tk_registry_rejected_at(const tk_registry *reg, size_t i) { return &reg->rejected[i]; }
const char *tk_registry_search_path(const tk_registry *reg) { return reg->search_path; }
