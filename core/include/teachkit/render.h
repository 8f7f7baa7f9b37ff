/*
 * teachkit.render.v1 -- optional environment extension: draw the current
 * scene into an RGB image, so the host can write frames of an episode (PNG,
 * animated GIF) without knowing anything about the environment.
 *
 * Lookup: an environment that can draw itself returns a pointer to a static
 * tk_render_ext from
 *     env_vtable->get_extension(self, TK_RENDER_EXT_ID)
 * and NULL otherwise (or has no get_extension at all).  The table is owned
 * by the plugin, constant, and valid while the plugin is loaded.  As every
 * struct a host reads from a plugin it starts with its size: a host reads a
 * field only if it lies inside `struct_size`, so later minor versions may
 * append fields.
 *
 * Typical use, after each reset and step of an episode, with the host's
 * vtable copy (<teachkit/component.h>, where get_extension is simply NULL
 * when the plugin has none):
 *     const tk_render_ext *r = tk_component_extension(comp, env, TK_RENDER_EXT_ID);
 *     if (r && TK_HAS_MEMBER(r, render))
 *         st = r->render(env, rgb, 600, 400);
 */
#ifndef TEACHKIT_RENDER_H
#define TEACHKIT_RENDER_H

#include <stdint.h>

#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TK_RENDER_EXT_ID "teachkit.render.v1"

typedef struct tk_render_ext {
    uint32_t struct_size; /* sizeof(tk_render_ext) as the plugin knows it */

    /* Draw the scene of the current (or just finished) episode of the
     * instance `env_self` into `rgb`: `width * height` pixels, 3 bytes each
     * (R, G, B), rows top to bottom, no padding.  The buffer is owned by the
     * caller and only written during the call.  The environment chooses the
     * camera (typically following its agent) and keeps the aspect of its
     * world units, so any size works; 600 x 400 is a good default.
     *
     * Drawing never changes the environment: it draws no random numbers and
     * advances no physics, so an episode plays the same with or without it.
     *
     * Returns TK_OK; TK_ERR_INVALID for a NULL buffer or a size outside
     * [1, 16384] (described with host->error); TK_ERR_STATE before the first
     * reset.  [instance]: the same thread rule as the environment's other
     * functions -- never concurrently with step/reset of the same instance. */
    tk_status (*render)(void *env_self, uint8_t *rgb, int width, int height);
} tk_render_ext;

#ifdef __cplusplus
}
#endif

#endif /* TEACHKIT_RENDER_H */
