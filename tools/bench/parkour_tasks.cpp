#include "parkour_tasks.hpp"

#include <cstdio>
#include <jansson.h>

namespace parkour_tasks {

std::string data_dir()
{
    const std::string dirs = PK_DATA_DIRS;
    return dirs.substr(0, dirs.find(':'));
}

pk_cppn *load_cppn(const char *program)
{
    const std::string weights = data_dir() + "/parkour/same_ground_ceiling_cppn.json";
    pk_cppn *cppn = nullptr;
    char err[512];
    if (pk_cppn_load(weights.c_str(), &cppn, err, sizeof err) != 0) {
        std::fprintf(stderr, "%s: %s\n", program, err);
        return nullptr;
    }
    return cppn;
}

const char *test_set_for(const pk::BodySpec &body)
{
    switch (body.type) {
    case pk::BodyType::Climber:
        return "climbing";
    case pk::BodyType::Swimmer:
    case pk::BodyType::Amphibian:
        return "swimming";
    default:
        return "walking";
    }
}

std::string test_set_file(const std::string &set)
{
    return "parkour_" + set + "_test_set_v1.json";
}

bool load_tasks(const char *program, const std::string &set, size_t n,
                std::vector<std::vector<float>> *tasks)
{
    const std::string path = data_dir() + "/test_sets/" + test_set_file(set);
    json_t *root = json_load_file(path.c_str(), 0, nullptr);
    const json_t *list = root ? json_object_get(root, "tasks") : nullptr;
    for (size_t i = 0; list && i < json_array_size(list) && i < n; i++) {
        std::vector<float> t;
        for (size_t k = 0; k < (size_t)pk::TASK_DIMS; k++)
            t.push_back((float)json_number_value(json_array_get(json_array_get(list, i), k)));
        tasks->push_back(t);
    }
    json_decref(root);
    if (tasks->empty())
        std::fprintf(stderr, "%s: cannot read the test set %s\n", program, path.c_str());
    return !tasks->empty();
}

pk::Config config_for(const pk::BodySpec &body, const pk_cppn *cppn)
{
    pk::Config cfg;
    cfg.body = &body;
    cfg.lidar = body.type == pk::BodyType::Walker    ? pk::LidarFan::Down
                : body.type == pk::BodyType::Climber ? pk::LidarFan::Up
                                                     : pk::LidarFan::Full;
    cfg.cppn = cppn;
    return cfg;
}

} /* namespace parkour_tasks */
