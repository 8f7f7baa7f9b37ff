/*
 * cpp-uniform: the smallest teacher written in C++ (docs/plugin-abi.md,
 * "Plugins in C++ and other languages"): uniform tasks, with the task space
 * kept in a std::vector.  What C++ changes, compared with a C plugin:
 *  - the ABI functions are ordinary C++ functions with C types, stored in
 *    the C vtable; no exception may leave them (std::bad_alloc becomes
 *    TK_ERR_NOMEM);
 *  - C++17 has no designated initialisers: the tables are positional, in
 *    the order of <teachkit/plugin.h>;
 *  - the entry is written out with extern "C" instead of
 *    TK_PLUGIN_DESCRIPTORS, whose plain `const` object C++ would give
 *    internal linkage;
 *  - exports.map keeps libstdc++'s template instantiations, which
 *    -fvisibility=hidden does not hide, out of the plugin's symbols.
 */
#include <cstdint>
#include <new>
#include <vector>

#include <teachkit/plugin.h>
#include <teachkit/rng.h>

namespace {

struct Teacher {
    const tk_host_api *host;
    tk_ctx *ctx;
    std::vector<tk_dim> dim; /* a copy: the task space is borrowed by create */
};

tk_status create(const tk_host_api *host, tk_ctx *ctx, const tk_task_space *space,
                 const char *config_json, void **out)
{
    (void)config_json; /* "{}": no keys */
    try {
        *out = new Teacher{host, ctx, std::vector<tk_dim>(space->dim, space->dim + space->dims)};
        return TK_OK;
    } catch (const std::bad_alloc &) {
        return host->error(ctx, TK_ERR_NOMEM, nullptr, "out of memory");
    }
}

void destroy(void *self)
{
    delete static_cast<Teacher *>(self);
}

tk_status sample(void *self, float *task_out)
{
    Teacher *t = static_cast<Teacher *>(self);
    const tk_task_space space = {t->dim.size(), t->dim.data()};
    tk_rng_uniform_task(t->host->rng(t->ctx), &space, task_out);
    return TK_OK;
}

tk_status update(void *self, const float *task, double episode_return, int success)
{
    (void)self, (void)task, (void)episode_return, (void)success;
    return TK_OK;
}

/* struct_size, create, destroy, sample, update, step_update, episode_start,
 * snapshot, save, load, get_extension, sample_level (1.2), update_scores (1.2) */
const tk_teacher_vtable vtable = {sizeof(tk_teacher_vtable), create, destroy, sample, update,
                                  nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                  nullptr, nullptr};

/* struct_size, kind, id, name, version, description, default_config,
 * features, vtable */
const tk_descriptor descriptor = {sizeof(tk_descriptor), TK_KIND_TEACHER, "cpp-uniform",
                                  "C++ uniform", "0.1.0", "Uniform tasks, from a C++ plugin",
                                  "{}", nullptr, &vtable};

uint32_t count()
{
    return 1;
}

const tk_descriptor *get(uint32_t index)
{
    return index == 0 ? &descriptor : nullptr;
}

} // namespace

/* extern "C" with an initialiser: a definition with external linkage and
 * the unmangled name the host looks up. */
extern "C" TK_EXPORT const tk_plugin_entry teachkit_plugin_entry = {
    TK_ABI_MAJOR, TK_ABI_MINOR, sizeof(tk_plugin_entry), nullptr, nullptr, count, get};
