/*
 * The Parkour's track (flowersteam/TeachMyAgent
 * parametric_continuous_parkour.py, _generate_terrain): ground and ceiling
 * from the CPPN, creepers hanging from the ceiling, one water polygon.
 */
#include <algorithm>
#include <cmath>

#include "pk_env.hpp"
#include "teachkit/rng.h"

namespace pk {

namespace {

constexpr double FRICTION = 2.5;
constexpr double CREEPER_DENSITY = 5.0;
constexpr double MIN_CREEPER_SIDE = 0.2;
constexpr double CREEPER_HEIGHT_STD = 0.1;

b2Body *static_edge(b2World *world, b2Vec2 a, b2Vec2 b, Kind kind)
{
    b2BodyDef bd;
    bd.userData.pointer = tag(kind);
    b2Body *body = world->CreateBody(&bd);
    b2EdgeShape shape;
    shape.SetTwoSided(a, b);
    b2FixtureDef fd;
    fd.shape = &shape;
    fd.friction = (float)FRICTION;
    fd.filter.categoryBits = 0x0001;
    fd.filter.maskBits = 0xFFFF;
    body->CreateFixture(&fd);
    return body;
}

/* A box sensor with the original's fd_creeper / fd_water settings
 * (default filter: category 0x1, so lidars see it). */
b2Body *sensor_box(b2World *world, b2BodyType type, double x0, double x1, double y0, double y1,
                   double density, Kind kind)
{
    b2BodyDef bd;
    bd.type = type;
    bd.userData.pointer = tag(kind);
    b2Body *body = world->CreateBody(&bd);
    b2Vec2 v[4] = {b2Vec2((float)x0, (float)y0), b2Vec2((float)x1, (float)y0),
                   b2Vec2((float)x1, (float)y1), b2Vec2((float)x0, (float)y1)};
    b2PolygonShape shape;
    shape.Set(v, 4);
    b2FixtureDef fd;
    fd.shape = &shape;
    fd.density = (float)density;
    fd.isSensor = true;
    body->CreateFixture(&fd);
    return body;
}

} /* namespace */

/* One creeper at terrain point i: height max(0.2, N(h, 0.1)), width
 * max(0.2, w), hanging from the higher of the ceiling points at i and at
 * i + floor(width / TS). */
void Env::add_creeper(size_t i, b2Body *ceiling, tk_rng *rng)
{
    Terrain &t = terrain_;
    const double height =
        std::max(MIN_CREEPER_SIDE, task_[5] + CREEPER_HEIGHT_STD * tk_rng_normal(rng));
    const double width = std::max(MIN_CREEPER_SIDE, task_[4]);
    const size_t step_size = std::max<size_t>(1, (size_t)std::floor(width / TERRAIN_STEP));
    const double top = std::max(t.ceiling[i], t.ceiling[std::min(i + step_size, t.x.size() - 1)]);
    const double x0 = t.x[i], x1 = t.x[i] + width;
    Creeper c;
    if (!cfg_.movable_creepers) {
        c.pieces.push_back(
            sensor_box(world_, b2_staticBody, x0, x1, top - height, top, CREEPER_DENSITY,
                       Kind::Creeper));
    } else {
        /* Pieces of 1 m (the last one the remainder, at least 0.2 m) on
         * revolute joints limited to +-0.4 pi, the first hung on the
         * ceiling edge. */
        b2Body *previous = ceiling;
        const int n = (int)std::ceil(height);
        for (int w = 0; w < n; w++) {
            const double h = w == (int)std::floor(height)
                                 ? std::max(MIN_CREEPER_SIDE, std::fmod(height, 1.0))
                                 : 1.0;
            b2Body *piece = sensor_box(world_, b2_dynamicBody, x0, x1, top - w - h, top - w,
                                       CREEPER_DENSITY, Kind::Creeper);
            b2RevoluteJointDef jd;
            anchor_at(&jd, previous, piece, b2Vec2((float)(x0 + width / 2.0), (float)(top - w)));
            jd.enableLimit = true;
            jd.lowerAngle = (float)(-0.4 * M_PI);
            jd.upperAngle = (float)(0.4 * M_PI);
            world_->CreateJoint(&jd);
            c.pieces.push_back(piece);
            previous = piece;
        }
    }
    t.creepers.push_back(c);
}

tk_status Env::build_terrain(tk_rng *rng)
{
    Terrain &t = terrain_;
    const double scale = task_[7];
    const double ceiling_offset = cfg_.ceiling_offset / scale;
    const double clip_offset = cfg_.ceiling_clip_offset / scale;
    t.ground_limit = -1000.0 / scale;
    t.ceiling_limit = 1000.0 / scale;

    double out[2 * TERRAIN_LENGTH];
    const double input[3] = {task_[0], task_[1], task_[2]};
    if (pk_cppn_generate(cfg_.cppn, input, TERRAIN_LENGTH, out) != 0)
        return fail(TK_ERR_NOMEM, "out of memory evaluating the terrain CPPN");
    /* Both profiles start at the start pad's level: the ground at
     * TERRAIN_HEIGHT, the ceiling ceiling_offset above it. */
    const double ground_shift = TERRAIN_HEIGHT - out[0] / scale;
    const double ceiling_shift = TERRAIN_HEIGHT + ceiling_offset - out[1] / scale;

    t.x.clear(), t.ground.clear(), t.ceiling.clear(), t.creepers.clear();
    const double max_x = TERRAIN_LENGTH * TERRAIN_STEP + startpad_ * TERRAIN_STEP;
    double x = 0.0;
    for (int i = 0; x < max_x; i++) {
        t.x.push_back(x);
        if (i < startpad_) {
            t.ground.push_back(TERRAIN_HEIGHT);
            t.ceiling.push_back(TERRAIN_HEIGHT + ceiling_offset);
        } else {
            /* Row i - startpad of the CPPN's 200.  Every body's start pad
             * is the whole 20 TS; were it fractional (an agent wider than
             * 7 m) the original would fail to index, this rounds up and
             * reuses the last row. */
            const int k = std::min(i - (int)std::ceil(startpad_), TERRAIN_LENGTH - 1);
            const double g = out[2 * k] / scale + ground_shift;
            const double c = out[2 * k + 1] / scale + ceiling_shift;
            t.ground.push_back(g);
            t.ceiling.push_back(c >= g + clip_offset ? c : g + clip_offset);
        }
        x += TERRAIN_STEP;
    }

    /* Bodies in the original's order: per segment the ground edge, the
     * ceiling edge and a creeper when due; the water last. */
    const double spacing = std::max(0.01, task_[6]);
    double since_creeper = spacing;
    for (size_t i = 0; i + 1 < t.x.size(); i++) {
        static_edge(world_, b2Vec2((float)t.x[i], (float)t.ground[i]),
                    b2Vec2((float)t.x[i + 1], (float)t.ground[i + 1]), Kind::Terrain);
        b2Body *ceiling =
            static_edge(world_, b2Vec2((float)t.x[i], (float)t.ceiling[i]),
                        b2Vec2((float)t.x[i + 1], (float)t.ceiling[i + 1]), Kind::GripTerrain);
        if (since_creeper >= spacing) {
            add_creeper(i, ceiling, rng);
            since_creeper = 0.0;
        } else {
            since_creeper += t.x[i] - t.x[i - 1];
        }
    }

    /* Water from the ground limit up to water_level (at least 0.01) of the
     * way to the highest ceiling point. */
    const double level = std::max(0.01, task_[3]);
    const double air = *std::max_element(t.ceiling.begin(), t.ceiling.end()) - t.ground_limit;
    t.water_y = t.ground_limit + level * air;
    water_ = sensor_box(world_, b2_staticBody, t.x.front(), t.x.back(), t.ground_limit, t.water_y,
                        WATER_DENSITY, Kind::Water);
    return TK_OK;
}

} /* namespace pk */
