/*
 * What the parkour tools (bench_parkour, parkour_random_stats) take from
 * the source tree's data/: the terrain CPPN's weights and the benchmark's
 * test sets (data/test_sets/parkour_*_test_set_v1.json), with the set and
 * the lidar fan that go with a body.
 */
#ifndef PARKOUR_TASKS_HPP
#define PARKOUR_TASKS_HPP

#include <cstddef>
#include <string>
#include <vector>

#include "pk_env.hpp"

namespace parkour_tasks {

/* The first directory of PK_DATA_DIRS: the source tree's data/. */
std::string data_dir();

/* The CPPN weights the plugin loads by default, or nullptr after a message
 * on stderr that starts with `program`.  Free with pk_cppn_free. */
pk_cppn *load_cppn(const char *program);

/* The body's own test set: "climbing" for climbers, "swimming" for the fish
 * and the amphibian, "walking" for the others. */
const char *test_set_for(const pk::BodySpec &body);

/* The file name of test set `set` ("walking", "climbing" or "swimming"). */
std::string test_set_file(const std::string &set);

/* The first `n` tasks of test set `set`, in order, into the empty `tasks`;
 * false after a message on stderr that starts with `program` when the set
 * cannot be read or holds no task. */
bool load_tasks(const char *program, const std::string &set, size_t n,
                std::vector<std::vector<float>> *tasks);

/* The env configuration the tools run `body` with: the plugin's defaults,
 * the lidar fan of "lidars": "auto" (the original's choice per body type)
 * and the CPPN `cppn` (borrowed: it must outlive the env). */
pk::Config config_for(const pk::BodySpec &body, const pk_cppn *cppn);

} /* namespace parkour_tasks */

#endif
