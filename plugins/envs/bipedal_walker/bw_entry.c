/*
 * The plugin's one exported symbol.  It lives in C because the
 * TK_PLUGIN_DESCRIPTORS macro defines a const object, which C++ would give
 * internal linkage; the descriptors themselves are defined (hidden) in
 * bw_plugin.cpp and pk_plugin.cpp.
 */
#include "teachkit/plugin.h"

extern const tk_descriptor bw_stump_tracks_descriptor;
extern const tk_descriptor bw_hexagon_tracks_descriptor;
extern const tk_descriptor pk_parkour_descriptor;

static const tk_descriptor *const bw_descriptors[] = {&bw_stump_tracks_descriptor,
                                                      &bw_hexagon_tracks_descriptor,
                                                      &pk_parkour_descriptor};

TK_PLUGIN_DESCRIPTORS(bw_descriptors);
