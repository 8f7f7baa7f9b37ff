/*
 * Track generation (TDRL bipedal_walker_continuous.py, _generate_terrain:
 * stumps and hexagons) and the polygon check that keeps degenerate shapes
 * away from Box2D, whose assertions abort the process on them
 * (docs/envs/hexagon-tracks.md).
 */
#include <cfloat>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "bw_env.hpp"
#include "teachkit/rng.h"

namespace bw {

namespace {

/* Smallest accepted polygon area, m^2.  Box2D itself only asserts area >
 * FLT_EPSILON; the margin keeps float round-off of world coordinates (up to
 * x = 93 m) from deciding between "valid" and "abort". */
constexpr double MIN_POLYGON_AREA = 1e-4;
/* Side of the box that replaces a degenerate hexagon, at least. */
constexpr double MIN_REPAIR_SIDE = TERRAIN_STEP / 10.0;

/* The base hexagon in TS units, relative to the recorded ground point. */
constexpr double BASE_HEXAGON[6][2] = {{-0.5, 0.0},  {-0.5, 0.25}, {-0.25, 0.5},
                                       {0.25, 0.5},  {0.5, 0.25},  {0.5, 0.0}};

double sign(double v)
{
    return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0);
}

double clip01(double v)
{
    return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
}

uint8_t to_byte(double c)
{
    return (uint8_t)std::lround(clip01(c) * 255.0);
}

} /* namespace */

bool polygon_is_valid(const b2Vec2 *pts, int count)
{
    if (count < 3 || count > b2_maxPolygonVertices)
        return false;
    for (int i = 0; i < count; i++)
        if (!std::isfinite(pts[i].x) || !std::isfinite(pts[i].y))
            return false;

    /* Welding, as b2PolygonShape::Set. */
    b2Vec2 ps[b2_maxPolygonVertices];
    int n = 0;
    const float weld = (0.5f * b2_linearSlop) * (0.5f * b2_linearSlop);
    for (int i = 0; i < count; i++) {
        bool unique = true;
        for (int j = 0; j < n; j++)
            if (b2DistanceSquared(pts[i], ps[j]) < weld) {
                unique = false;
                break;
            }
        if (unique)
            ps[n++] = pts[i];
    }
    if (n < 3)
        return false;

    /* Gift wrapping, as b2PolygonShape::Set; its `m < 8` assertion becomes
     * a refusal. */
    int i0 = 0;
    float x0 = ps[0].x;
    for (int i = 1; i < n; i++) {
        float x = ps[i].x;
        if (x > x0 || (x == x0 && ps[i].y < ps[i0].y)) {
            i0 = i;
            x0 = x;
        }
    }
    int hull[b2_maxPolygonVertices];
    int m = 0, ih = i0;
    for (;;) {
        if (m >= b2_maxPolygonVertices)
            return false;
        hull[m] = ih;
        int ie = 0;
        for (int j = 1; j < n; j++) {
            if (ie == ih) {
                ie = j;
                continue;
            }
            b2Vec2 r = ps[ie] - ps[hull[m]];
            b2Vec2 v = ps[j] - ps[hull[m]];
            float c = b2Cross(r, v);
            if (c < 0.0f)
                ie = j;
            if (c == 0.0f && v.LengthSquared() > r.LengthSquared())
                ie = j;
        }
        ++m;
        ih = ie;
        if (ie == i0)
            break;
    }
    if (m < 3)
        return false;

    /* Non-zero edges and a positive area (Set's last two assertions), with
     * the area also above the margin. */
    b2Vec2 vs[b2_maxPolygonVertices];
    for (int i = 0; i < m; i++)
        vs[i] = ps[hull[i]];
    float area = 0.0f;
    double area_d = 0.0;
    for (int i = 0; i < m; i++) {
        b2Vec2 e = vs[i + 1 < m ? i + 1 : 0] - vs[i];
        if (!(e.LengthSquared() > b2_epsilon * b2_epsilon))
            return false;
        b2Vec2 e1 = vs[i] - vs[0];
        b2Vec2 e2 = (i + 1 < m ? vs[i + 1] : vs[0]) - vs[0];
        area += 0.5f * b2Cross(e1, e2);
        area_d += 0.5 * ((double)e1.x * e2.y - (double)e1.y * e2.x);
    }
    return area > b2_epsilon && area_d >= MIN_POLYGON_AREA;
}

/* The original's state machine: GRASS = 0 and one obstacle kind (stumps or
 * hexagons), so K = 2 and every draw of the next state yields 1 -- the draws
 * are kept anyway so that the per-reset draw order is the original's. */
tk_status Env::generate_track(tk_rng *rng)
{
    const double TS = TERRAIN_STEP;
    const int GRASS = 0, OBSTACLE = 1, STATES = 2;
    const bool stumps = cfg_.track == Track::Stumps;
    const double roughness = 0.0;
    const double spacing =
        std::fmax(MIN_OBSTACLE_SPACING, stumps ? (double)task_[1] : cfg_.hexagon_spacing);
    TrackData &t = track_;
    t.ground.clear();
    t.obstacles.clear();
    t.repaired = 0;

    int state = 1 + (int)tk_rng_below(rng, STATES - 1);
    double velocity = 0.0, y = TERRAIN_HEIGHT, x = 0.0;
    const double max_x = TERRAIN_LENGTH * TS;
    const double startpad = TERRAIN_STARTPAD * TS;
    std::vector<double> xs, ys;
    xs.push_back(x);
    ys.push_back(y);
    x += startpad;
    xs.push_back(x);
    ys.push_back(y);
    bool oneshot = true;

    while (x < max_x) {
        xs.push_back(x);
        if (state == GRASS && !oneshot) {
            velocity = 0.8 * velocity + 0.01 * sign(TERRAIN_HEIGHT - y);
            if (x > startpad) /* U(-roughness, roughness), drawn even at 0 */
                velocity += (-roughness + 2.0 * roughness * tk_rng_uniform(rng)) / SCALE;
            y += velocity;
            x += spacing;
        } else if (state == OBSTACLE && oneshot && stumps) {
            double mean = task_[0];
            double h = std::fmax(0.05, mean + STUMP_HEIGHT_STD * tk_rng_normal(rng)) * TS;
            double w = TS;
            Polygon p;
            p.n = 4;
            p.v[0].Set((float)x, (float)y);
            p.v[1].Set((float)(x + w), (float)y);
            p.v[2].Set((float)(x + w), (float)(y + h));
            p.v[3].Set((float)x, (float)(y + h));
            x += w;
            if (!polygon_is_valid(p.v, p.n))
                return fail(TK_ERR_INTERNAL, "stump at x = %.3f m (height %.4g m) is degenerate",
                            x - w, h);
            t.obstacles.push_back(p);
        } else if (state == OBSTACLE && oneshot) {
            double d[6][2];
            for (int j = 0; j < 6; j++)
                for (int k = 0; k < 2; k++)
                    d[j][k] = task_[2 * j + k] + cfg_.hexagon_noise_std * tk_rng_normal(rng);
            Polygon p;
            p.n = 6;
            double px[6], py[6];
            for (int j = 0; j < 6; j++) {
                /* The two base vertices keep the ground's y (their y-offsets,
                 * task dimensions 1 and 11, only colour the hexagon). */
                px[j] = x + BASE_HEXAGON[j][0] * TS + d[j][0] * TS;
                py[j] = (j != 0 && j != 5) ? y + BASE_HEXAGON[j][1] * TS + d[j][1] * TS
                                           : y + BASE_HEXAGON[j][1] * TS;
                p.v[j].Set((float)px[j], (float)py[j]);
            }
            p.color[0] = 255;
            p.color[1] = to_byte(d[0][1] / 3.0);
            p.color[2] = to_byte(d[5][1] / 3.0);
            if (!polygon_is_valid(p.v, p.n)) {
                if (cfg_.degenerate == DegenerateRule::Error)
                    return fail(TK_ERR_INVALID,
                                "hexagon %zu of the track (at x = %.3f m) is degenerate (its "
                                "points are collinear or coincide) and degenerate_hexagon is "
                                "\"error\"",
                                t.obstacles.size(), x);
                /* Documented repair: the bounding box of the proposed points,
                 * each side at least MIN_REPAIR_SIDE, same centre. */
                double x0 = px[0], x1 = px[0], y0 = py[0], y1 = py[0];
                for (int j = 1; j < 6; j++) {
                    x0 = std::fmin(x0, px[j]), x1 = std::fmax(x1, px[j]);
                    y0 = std::fmin(y0, py[j]), y1 = std::fmax(y1, py[j]);
                }
                double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
                double hw = std::fmax(0.5 * (x1 - x0), 0.5 * MIN_REPAIR_SIDE);
                double hh = std::fmax(0.5 * (y1 - y0), 0.5 * MIN_REPAIR_SIDE);
                p.n = 4;
                p.v[0].Set((float)(cx - hw), (float)(cy - hh));
                p.v[1].Set((float)(cx + hw), (float)(cy - hh));
                p.v[2].Set((float)(cx + hw), (float)(cy + hh));
                p.v[3].Set((float)(cx - hw), (float)(cy + hh));
                p.repaired = true;
                t.repaired++;
                if (!polygon_is_valid(p.v, p.n))
                    return fail(TK_ERR_INTERNAL, "repaired hexagon at x = %.3f m is invalid", x);
            }
            t.obstacles.push_back(p);
            x += 1.0; /* one metre, not TS, as in TDRL */
        }
        oneshot = false;
        ys.push_back(y);
        if (state == GRASS) {
            state = 1 + (int)tk_rng_below(rng, STATES - 1);
            oneshot = true;
        } else {
            state = GRASS;
        }
    }

    t.ground.resize(xs.size());
    for (size_t i = 0; i < xs.size(); i++)
        t.ground[i].Set((float)xs[i], (float)ys[i]);
    return TK_OK;
}

/* Clouds are decoration, but the original draws them from the env stream
 * between the terrain and the walker; drawing them keeps that order.  The
 * Parkour draws the same clouds (TeachMyAgent parametric_continuous_parkour.py
 * _generate_clouds). */
void generate_clouds(tk_rng *rng, std::vector<Cloud> *clouds)
{
    const double TS = TERRAIN_STEP;
    clouds->clear();
    for (int i = 0; i < N_CLOUDS; i++) {
        Cloud c;
        double x = tk_rng_uniform(rng) * TERRAIN_LENGTH * TS;
        double y = VIEWPORT_H / SCALE * 3.0 / 4.0;
        for (int a = 0; a < 5; a++) {
            c.x[a] = x + 15.0 * TS * std::sin(3.14 * 2.0 * a / 5.0) + 5.0 * TS * tk_rng_uniform(rng);
            c.y[a] = y + 5.0 * TS * std::cos(3.14 * 2.0 * a / 5.0) + 5.0 * TS * tk_rng_uniform(rng);
        }
        c.x1 = c.x2 = c.x[0];
        for (int a = 1; a < 5; a++)
            c.x1 = std::fmin(c.x1, c.x[a]), c.x2 = std::fmax(c.x2, c.x[a]);
        clouds->push_back(c);
    }
}

void Env::generate_clouds(tk_rng *rng)
{
    bw::generate_clouds(rng, &track_.clouds);
}

/* Obstacles first (the original creates them inside the generation loop),
 * then the ground edges in x order: creation order fixes the broad-phase
 * and solver order, which Box2D 2.4.1 then follows as pybox2d 2.3 did. */
void Env::build_terrain_bodies()
{
    b2BodyDef bd; /* static, at the origin: shapes are in world coordinates */
    for (const Polygon &p : track_.obstacles) {
        b2PolygonShape shape;
        shape.Set(p.v, p.n);
        b2FixtureDef fd;
        fd.shape = &shape;
        fd.friction = (float)FRICTION;
        fd.filter.categoryBits = TERRAIN_CATEGORY;
        fd.filter.maskBits = 0xFFFF;
        world_->CreateBody(&bd)->CreateFixture(&fd);
    }
    for (size_t i = 0; i + 1 < track_.ground.size(); i++) {
        b2EdgeShape shape;
        /* The first obstacle's x is recorded twice: a zero-length edge,
         * harmless in 2.4.1 (TDRL's _generate_terrain) and kept. */
        shape.SetTwoSided(track_.ground[i], track_.ground[i + 1]);
        b2FixtureDef fd;
        fd.shape = &shape;
        fd.friction = (float)FRICTION;
        fd.filter.categoryBits = TERRAIN_CATEGORY;
        fd.filter.maskBits = 0xFFFF;
        world_->CreateBody(&bd)->CreateFixture(&fd);
    }
}

} /* namespace bw */
