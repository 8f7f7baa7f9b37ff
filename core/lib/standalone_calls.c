/*
 * The call helpers of the standalone host (<teachkit/standalone.h>): each
 * checks the instance's kind and the optional function, forwards to the
 * plugin's vtable and words a failure as `teachkit run` does; the teacher
 * extras -- batches, step-level calls, the value function, save/load --
 * live here too.  Sessions, loading and instances: standalone_host.c.
 */
#include "teachkit/standalone.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teachkit/render.h"
#include "teachkit/state.h"

#include "standalone_internal.h"

/* ---------------------------------------------------------- call helpers */

/* Clears the instance's error before a call, so a message always belongs to
 * the call that failed; a plugin that fails without host->error() gets the
 * status name. */
static tk_status begin(tk_standalone_instance *inst, tk_kind kind, int provided,
                       const char *what)
{
    inst->core.ctx.code = TK_OK;
    inst->call = what;
    inst->core.ctx.err_path[0] = '\0';
    inst->core.ctx.err_message[0] = '\0';
    inst->err_line[0] = '\0';
    const tk_descriptor *desc = inst->core.comp->desc;
    if (desc->kind != kind)
        return tk_sa_error(inst, TK_ERR_INVALID, NULL, "%s is a %s, not a %s", desc->id,
                           tk_kind_name(desc->kind), tk_kind_name(kind));
    if (!provided)
        return tk_sa_error(inst, TK_ERR_UNSUPPORTED, NULL, "%s \"%s\" provides no %s()",
                           tk_kind_name(kind), inst->core.comp->desc->id, what);
    return TK_OK;
}

static tk_status end(tk_standalone_instance *inst, tk_status st)
{
    if (st == TK_OK)
        return st;
    struct tk_ctx *c = &inst->core.ctx;
    if (c->code != st || !c->err_message[0]) {
        c->code = st;
        snprintf(c->err_message, sizeof c->err_message, "%s", tk_status_name(st));
    }
    tk_sa_word_failure(inst, st, inst->call, inst->err_line, sizeof inst->err_line);
    return st;
}

/* The host's copies of the vtables (<teachkit/component.h>), NULL for
 * another kind: an optional member is there when it is not NULL. */
#define TEACHER(inst) tk_component_teacher((inst)->core.comp)
#define ENV(inst) tk_component_env((inst)->core.comp)
#define STUDENT(inst) tk_component_student((inst)->core.comp)

tk_status tk_standalone_teacher_sample(tk_standalone_instance *inst, float *task_out)
{
    tk_status st = begin(inst, TK_KIND_TEACHER, 1, "sample");
    return end(inst, st ? st : TEACHER(inst)->sample(inst->core.self, task_out));
}

/* The ABI promises teachers finite returns and the host's own tasks; a
 * caller of this library may pass anything, so NaN and infinities stop
 * here as TK_ERR_INVALID (the host drops such episodes instead). */
static tk_status check_outcome(tk_standalone_instance *inst, const float *task,
                               double episode_return, size_t row)
{
    for (size_t i = 0; i < inst->space.dims; i++)
        if (!isfinite(task[i]))
            return tk_sa_error(inst, TK_ERR_INVALID, NULL,
                               "task %zu value %zu is %g: pass the tasks sample() gave", row, i,
                               (double)task[i]);
    if (!isfinite(episode_return))
        return tk_sa_error(inst, TK_ERR_INVALID, NULL,
                           "episode return %zu is %g: teachers take finite returns only "
                           "(teachkit run drops such episodes)", row, episode_return);
    return TK_OK;
}

tk_status tk_standalone_teacher_update(tk_standalone_instance *inst, const float *task,
                                       double episode_return, int success)
{
    tk_status st = begin(inst, TK_KIND_TEACHER, 1, "update");
    if (st == TK_OK)
        st = check_outcome(inst, task, episode_return, 0);
    return end(inst, st ? st : TEACHER(inst)->update(inst->core.self, task, episode_return, success));
}

tk_status tk_standalone_teacher_snapshot(tk_standalone_instance *inst, const char **json_out)
{
    *json_out = NULL;
    tk_status st = begin(inst, TK_KIND_TEACHER,
                         TEACHER(inst) && TEACHER(inst)->snapshot,
                         "snapshot");
    return end(inst, st ? st : TEACHER(inst)->snapshot(inst->core.self, json_out));
}

size_t tk_standalone_teacher_dims(const tk_standalone_instance *inst)
{
    return inst->space.dims;
}

/* The batch calls are loops over the single ones, so a batch draws exactly
 * what as many sample() calls would; they exist to cross a language
 * boundary once per batch instead of once per task. */
tk_status tk_standalone_teacher_sample_batch(tk_standalone_instance *inst, size_t n,
                                             float *tasks_out)
{
    tk_status st = begin(inst, TK_KIND_TEACHER, 1, "sample");
    for (size_t i = 0; st == TK_OK && i < n; i++)
        st = TEACHER(inst)->sample(inst->core.self, tasks_out + i * inst->space.dims);
    return end(inst, st);
}

tk_status tk_standalone_teacher_update_batch(tk_standalone_instance *inst, size_t n,
                                             const float *tasks, const double *returns,
                                             const int *successes)
{
    tk_status st = begin(inst, TK_KIND_TEACHER, 1, "update");
    for (size_t i = 0; st == TK_OK && i < n; i++) {
        const float *task = tasks + i * inst->space.dims;
        st = check_outcome(inst, task, returns[i], i);
        if (st == TK_OK)
            st = TEACHER(inst)->update(inst->core.self, task, returns[i],
                                       successes ? successes[i] != 0 : 0);
    }
    return end(inst, st);
}

tk_status tk_standalone_teacher_episode_start(tk_standalone_instance *inst, const float *task,
                                              const float *first_obs)
{
    tk_status st = begin(inst, TK_KIND_TEACHER,
                         TEACHER(inst) && TEACHER(inst)->episode_start,
                         "episode_start");
    return end(inst, st ? st : TEACHER(inst)->episode_start(inst->core.self, task, first_obs));
}

tk_status tk_standalone_teacher_step_update(tk_standalone_instance *inst, const float *obs,
                                            const float *action, double reward,
                                            const float *next_obs, int done)
{
    tk_status st = begin(inst, TK_KIND_TEACHER,
                         TEACHER(inst) && TEACHER(inst)->step_update,
                         "step_update");
    return end(inst, st ? st
                        : TEACHER(inst)->step_update(inst->core.self, obs, action, reward, next_obs,
                                                     done));
}

void tk_standalone_set_value_fn(tk_standalone_instance *inst, tk_standalone_value_fn fn,
                                void *user)
{
    inst->value_fn = fn;
    inst->value_user = user;
}

/* A saved teacher: tag, the component id and resolved config (a load into
 * another teacher or config is refused rather than misread), the random
 * stream (so the loaded teacher draws what the saved one would, whatever
 * seed it was created with), then the plugin's own bytes. */
#define SAVE_TAG "TKSA"
#define SAVE_VERSION 1u

static void put_text(tk_state_writer *w, const char *text)
{
    size_t n = strlen(text);
    tk_state_put_u64(w, n);
    tk_state_put_bytes(w, text, n);
}

static int text_equals(tk_state_reader *r, const char *text)
{
    size_t n = (size_t)tk_state_get_count(r, r->size);
    int same = !r->failed && n == strlen(text) && r->size - r->pos >= n &&
               memcmp(r->data + r->pos, text, n) == 0;
    if (!r->failed && r->size - r->pos >= n)
        r->pos += n;
    else
        r->failed = 1;
    return same;
}

tk_status tk_standalone_teacher_save(tk_standalone_instance *inst, const void **data,
                                     size_t *size)
{
    *data = NULL;
    *size = 0;
    tk_status st = begin(inst, TK_KIND_TEACHER,
                         TEACHER(inst) && TEACHER(inst)->save &&
                             TEACHER(inst)->load,
                         "save");
    const void *blob = NULL;
    size_t blob_size = 0;
    if (st == TK_OK)
        st = TEACHER(inst)->save(inst->core.self, &blob, &blob_size);
    if (st != TK_OK)
        return end(inst, st);
    tk_state_writer *w = &inst->saved;
    tk_state_writer_reset(w);
    tk_state_put_tag(w, SAVE_TAG, SAVE_VERSION);
    put_text(w, inst->core.comp->desc->id);
    put_text(w, inst->config);
    tk_state_put_rng(w, &inst->core.ctx.rng);
    tk_state_put_u64(w, blob_size);
    tk_state_put_bytes(w, blob, blob_size);
    if (w->failed)
        return end(inst, tk_sa_error(inst, TK_ERR_NOMEM, NULL, "out of memory"));
    *data = w->data;
    *size = w->size;
    return TK_OK;
}

tk_status tk_standalone_teacher_load(tk_standalone_instance *inst, const void *data,
                                     size_t size)
{
    tk_status st = begin(inst, TK_KIND_TEACHER,
                         TEACHER(inst) && TEACHER(inst)->load,
                         "load");
    if (st != TK_OK)
        return end(inst, st);
    tk_state_reader r;
    tk_state_reader_init(&r, data, data ? size : 0);
    tk_state_get_tag(&r, SAVE_TAG, SAVE_VERSION);
    if (r.failed)
        return end(inst, tk_sa_error(inst, TK_ERR_INVALID, NULL,
                                     "not a saved teacher (the bytes of save() are expected)"));
    if (!text_equals(&r, inst->core.comp->desc->id))
        return end(inst, tk_sa_error(inst, TK_ERR_INVALID, NULL,
                                     "saved by another teacher than \"%s\"", inst->core.comp->desc->id));
    if (!text_equals(&r, inst->config))
        return end(inst, tk_sa_error(inst, TK_ERR_INVALID, NULL,
                                     "saved with another config; create the teacher with the "
                                     "saved one's config"));
    tk_rng rng;
    tk_state_get_rng(&r, &rng);
    size_t blob_size = (size_t)tk_state_get_count(&r, r.size);
    if (r.failed || r.size - r.pos != blob_size)
        return end(inst, tk_sa_error(inst, TK_ERR_INVALID, NULL, "truncated or corrupt save"));
    /* The ABI loads into a fresh instance: make one, and keep the old
     * object until the new one has loaded, so a failure changes nothing. */
    const tk_teacher_vtable *v = TEACHER(inst);
    void *fresh = NULL;
    tk_rng old_rng = inst->core.ctx.rng;
    inst->core.ctx.rng = rng;
    st = v->create(tk_host_api_table(), &inst->core.ctx, &inst->space, inst->config, &fresh);
    if (st == TK_OK)
        st = v->load(fresh, r.data + r.pos, blob_size);
    if (st != TK_OK) {
        if (fresh)
            v->destroy(fresh);
        inst->core.ctx.rng = old_rng;
        return end(inst, st);
    }
    v->destroy(inst->core.self);
    inst->core.self = fresh;
    inst->core.ctx.rng = rng;
    return TK_OK;
}

tk_status tk_standalone_env_info(tk_standalone_instance *inst, tk_env_info *info)
{
    tk_status st = begin(inst, TK_KIND_ENV, 1, "info");
    if (!st && info->struct_size == 0)
        st = tk_sa_error(inst, TK_ERR_INVALID, NULL,
                         "info->struct_size is 0: set it to sizeof(tk_env_info)");
    if (st)
        return end(inst, st);
    /* The env fills a whole tk_env_info of this library's header; the
     * caller's, of its own header, gets what lies inside its struct_size,
     * as a host gets from tk_env_info_write. */
    tk_env_info mine;
    memset(&mine, 0, sizeof mine);
    mine.struct_size = sizeof mine;
    st = ENV(inst)->info(inst->core.self, &mine);
    if (st == TK_OK)
        tk_env_info_write(info, &mine);
    return end(inst, st);
}

tk_status tk_standalone_env_set_task(tk_standalone_instance *inst, const float *task)
{
    tk_status st = begin(inst, TK_KIND_ENV, 1, "set_task");
    return end(inst, st ? st : ENV(inst)->set_task(inst->core.self, task));
}

tk_status tk_standalone_env_reset(tk_standalone_instance *inst, float *obs_out)
{
    tk_status st = begin(inst, TK_KIND_ENV, 1, "reset");
    return end(inst, st ? st : ENV(inst)->reset(inst->core.self, obs_out));
}

tk_status tk_standalone_env_step(tk_standalone_instance *inst, const float *action,
                                 float *obs_out, double *reward, int *done)
{
    tk_status st = begin(inst, TK_KIND_ENV, 1, "step");
    return end(inst, st ? st : ENV(inst)->step(inst->core.self, action, obs_out, reward, done));
}

tk_status tk_standalone_env_success(tk_standalone_instance *inst, int *success_out)
{
    tk_status st = begin(inst, TK_KIND_ENV,
                         ENV(inst) && ENV(inst)->success,
                         "success");
    if (st)
        return end(inst, st);
    *success_out = ENV(inst)->success(inst->core.self) != 0;
    return TK_OK;
}

tk_status tk_standalone_env_evaluate(tk_standalone_instance *inst, double *mastered_pct)
{
    tk_status st = begin(inst, TK_KIND_ENV,
                         ENV(inst) && ENV(inst)->evaluate,
                         "evaluate");
    return end(inst, st ? st : ENV(inst)->evaluate(inst->core.self, mastered_pct));
}

tk_status tk_standalone_env_render(tk_standalone_instance *inst, uint8_t *rgb, int width,
                                   int height)
{
    const tk_render_ext *ext = NULL;
    if (ENV(inst) && ENV(inst)->get_extension)
        ext = ENV(inst)->get_extension(inst->core.self, TK_RENDER_EXT_ID);
    tk_status st = begin(inst, TK_KIND_ENV,
                         ext && ext->struct_size >= offsetof(tk_render_ext, render) +
                                                        sizeof ext->render && ext->render,
                         "render");
    return end(inst, st ? st : ext->render(inst->core.self, rgb, width, height));
}

tk_status tk_standalone_student_act(tk_standalone_instance *inst, const float *obs,
                                    int deterministic, float *action_out)
{
    tk_status st = begin(inst, TK_KIND_STUDENT, 1, "act");
    return end(inst, st ? st : STUDENT(inst)->act(inst->core.self, obs, deterministic, action_out));
}

tk_status tk_standalone_student_observe(tk_standalone_instance *inst, const float *obs,
                                        const float *action, double reward,
                                        const float *next_obs, int done, int truncated)
{
    tk_status st = begin(inst, TK_KIND_STUDENT, 1, "observe");
    return end(inst, st ? st
                        : STUDENT(inst)->observe(inst->core.self, obs, action, reward, next_obs, done,
                                                 truncated));
}

tk_status tk_standalone_student_end_episode(tk_standalone_instance *inst, double episode_return,
                                            uint64_t episode_steps)
{
    tk_status st = begin(inst, TK_KIND_STUDENT, 1, "end_episode");
    return end(inst, st ? st
                        : STUDENT(inst)->end_episode(inst->core.self, episode_return, episode_steps));
}
