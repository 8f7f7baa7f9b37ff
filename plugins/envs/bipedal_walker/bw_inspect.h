/*
 * Private extension of the stump-tracks / hexagon-tracks plugin for tests
 * and tools: read-only views of the simulation that the observation does
 * not carry (positions, the generated track, body masses).
 *
 * Lookup: env_vtable->get_extension(self, BW_INSPECT_EXT_ID) returns a
 * static, constant bw_inspect_ext owned by the plugin.  All functions are
 * [instance] and never change the environment; they return TK_ERR_STATE
 * before the first reset.
 */
#ifndef BW_INSPECT_H
#define BW_INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "teachkit/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BW_INSPECT_EXT_ID "teachkit.bipedal-walker.inspect.v1"

typedef struct bw_inspect_ext {
    uint32_t struct_size;
    /* Hull state after the latest reset/step: x, y (m), angle (rad),
     * vx, vy (m/s), angular velocity (rad/s), as Box2D's floats. */
    tk_status (*hull)(void *env_self, double out[6]);
    /* Size of the current track: obstacles (stumps or hexagons), recorded
     * ground points (edges = points - 1) and repaired degenerate hexagons. */
    tk_status (*track)(void *env_self, size_t *n_obstacles, size_t *n_ground_points,
                       size_t *n_repaired);
    /* Vertices (x0, y0, x1, y1, ...; world metres, at most 8 points) of
     * obstacle `i` as handed to b2PolygonShape::Set. */
    tk_status (*obstacle)(void *env_self, size_t i, double xy_out[16], size_t *n_points);
    /* Masses (kg) of the hull, an upper and a lower leg, and the hull's
     * rotational inertia about its body origin (kg m^2). */
    tk_status (*masses)(void *env_self, double *hull, double *hull_inertia, double *upper_leg,
                        double *lower_leg);
} bw_inspect_ext;

#ifdef __cplusplus
}
#endif

#endif
