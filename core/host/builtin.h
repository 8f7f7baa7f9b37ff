/*
 * Components compiled into the host: the `none` student, for environments
 * that simulate their learner (toy-grid) and need no actions.
 */
#ifndef TK_HOST_BUILTIN_H
#define TK_HOST_BUILTIN_H

#include <stddef.h>

#include "teachkit/plugin.h"

size_t tk_builtin_count(void);
const tk_descriptor *tk_builtin_at(size_t i);

#endif
