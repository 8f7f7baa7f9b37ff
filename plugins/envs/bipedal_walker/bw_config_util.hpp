/*
 * Configuration helpers shared by the walker environments' C ABI code
 * (bw_plugin.cpp, pk_plugin.cpp).  [thread-safe]: no state.
 */
#ifndef BW_CONFIG_UTIL_HPP
#define BW_CONFIG_UTIL_HPP

#include "teachkit/config.h"
#include "teachkit/plugin.h"

namespace bw {

/* The descriptor's `defaults` with the user's `given` JSON object merged in
 * (null values keep the default); a key the defaults lack is an error that
 * lists the known keys.  On success *merged_out is a malloc'ed compact JSON
 * string owned by the caller. */
tk_status merge_defaults(const tk_host_api *host, tk_ctx *ctx, const char *defaults,
                         const char *given, char **merged_out);

/* A [low, high] pair of `key`, each in [min, max], low <= high. */
tk_status read_range(const tk_host_api *host, tk_ctx *ctx, tk_config *cfg, const char *key,
                     double min, double max, double *low, double *high);

} /* namespace bw */

#endif
