/*
 * Extension "teachkit.goal-gan.gan/1" of the goal-gan plugin: direct access
 * to its least-squares GAN for tests (tests/plugins/test_goal_gan.c).
 * Internal; the table is static and the functions are [instance].
 */
#ifndef TK_GOAL_GAN_H
#define TK_GOAL_GAN_H

#include <stddef.h>

#define GOAL_GAN_EXT_ID "teachkit.goal-gan.gan/1"

typedef struct goal_gan_api {
    size_t struct_size;
    /* Train the GAN on n goals (task space, row-major n x d) with 0/1
     * labels for `iters` outer iterations (as gan.py's train). 0 on success. */
    int (*train)(void *teacher, const float *goals, const int *labels, size_t n, size_t iters);
    /* n generator samples without noise, de-normalised, not clipped
     * (non-exploratory sampling); draws from the teacher's host stream. */
    int (*generate)(void *teacher, float *out, size_t n);
    /* Number of goals in the success buffer / pending result lists. */
    size_t (*success_buffer_size)(void *teacher);
    size_t (*pending_size)(void *teacher);
    size_t (*trainings)(void *teacher);
} goal_gan_api;

#endif
