/*
 * Software rendering of the Parkour (teachkit.render.v1): the original's
 * viewer (parametric_continuous_parkour.py, render) -- camera following the
 * head in x and y, its colours and draw order -- on the shared canvas.
 *
 * Order: sky, clouds (half-speed parallax), the water, creepers, ground
 * and ceiling edges, the agent (its head turning red as it nears drowning
 * or drying out), the ground and ceiling fills, lidars, the start flag.
 */
#include <algorithm>
#include <cmath>

#include "bw_canvas.hpp"
#include "pk_env.hpp"

namespace pk {

namespace {

using bw::Canvas;
using bw::RGB;

constexpr RGB SKY{230, 230, 255}, CLOUD{255, 255, 255}, WATER{119, 172, 229},
    CREEPER{111, 129, 96}, CREEPER_LINE{137, 154, 121}, GRASS_A{77, 255, 77}, GRASS_B{77, 204, 77},
    CEILING_LINE{0, 64, 64}, GROUND{102, 153, 77}, ROCK{128, 128, 128}, LIDAR{255, 0, 0},
    FLAG{230, 51, 0}, BLACK{0, 0, 0}, SENSOR{255, 0, 0}, SENSOR_GRASPING{255, 255, 0};

/* World vertices of a polygon fixture. */
int fixture_polygon(const b2Fixture *f, double *x, double *y)
{
    const b2PolygonShape *shape = static_cast<const b2PolygonShape *>(f->GetShape());
    const b2Transform &xf = f->GetBody()->GetTransform();
    for (int i = 0; i < shape->m_count; i++) {
        b2Vec2 v = b2Mul(xf, shape->m_vertices[i]);
        x[i] = v.x;
        y[i] = v.y;
    }
    return shape->m_count;
}

void draw_body(Canvas &cv, const b2Body *body, RGB fill, RGB line)
{
    for (const b2Fixture *f = body->GetFixtureList(); f; f = f->GetNext()) {
        if (f->GetShape()->GetType() == b2Shape::e_circle) {
            const b2CircleShape *c = static_cast<const b2CircleShape *>(f->GetShape());
            const b2Vec2 p = b2Mul(body->GetTransform(), c->m_p);
            double x[16], y[16]; /* the canvas fills up to 16 points */
            for (int i = 0; i < 16; i++) {
                x[i] = p.x + c->m_radius * std::cos(2.0 * M_PI * i / 16.0);
                y[i] = p.y + c->m_radius * std::sin(2.0 * M_PI * i / 16.0);
            }
            cv.fill(x, y, 16, fill);
            cv.outline(x, y, 16, line);
        } else if (f->GetShape()->GetType() == b2Shape::e_polygon) {
            double x[b2_maxPolygonVertices], y[b2_maxPolygonVertices];
            const int n = fixture_polygon(f, x, y);
            cv.fill(x, y, n, fill);
            cv.outline(x, y, n, line);
        }
    }
}

RGB rgb(const uint8_t c[3])
{
    return {c[0], c[1], c[2]};
}

} /* namespace */

tk_status render(const Env &env, uint8_t *out, int width, int height)
{
    Canvas cv(out, width, height, env.scroll_x(), env.scroll_y());
    const double left = env.scroll_x(), right = left + cv.view_width();
    const Terrain &t = env.terrain();

    cv.clear(SKY);
    for (const bw::Cloud &c : t.clouds) {
        if (c.x2 < left / 2.0 || c.x1 > left / 2.0 + cv.view_width())
            continue;
        double x[5];
        for (int a = 0; a < 5; a++)
            x[a] = c.x[a] + left / 2.0;
        cv.fill(x, c.y, 5, CLOUD);
    }
    draw_body(cv, env.water_body(), WATER, WATER);
    for (const Creeper &c : t.creepers)
        for (const b2Body *b : c.pieces) {
            const double x = b->GetFixtureList()->GetAABB(0).lowerBound.x;
            if (x > left - 2.0 && x < right + 2.0)
                draw_body(cv, b, CREEPER, env.config().movable_creepers ? CREEPER_LINE : CREEPER);
        }
    for (size_t i = 0; i + 1 < t.x.size(); i++) {
        if (t.x[i + 1] < left || t.x[i] > right)
            continue;
        cv.line(t.x[i], t.ground[i], t.x[i + 1], t.ground[i + 1], i % 2 == 0 ? GRASS_A : GRASS_B);
        cv.line(t.x[i], t.ceiling[i], t.x[i + 1], t.ceiling[i + 1], CEILING_LINE);
    }

    const Agent &a = env.agent();
    const BodySpec &spec = *a.spec;
    double ratio = 0.0;
    if (spec.steps_outside_water > 0)
        ratio = (double)env.steps_outside_water() / spec.steps_outside_water;
    else if (spec.steps_under_water > 0)
        ratio = (double)env.steps_under_water() / spec.steps_under_water;
    ratio = std::min(1.0, ratio);
    for (size_t i = 0; i < a.parts.size(); i++) {
        RGB fill = rgb(a.parts[i].color1);
        if (i == a.head) {
            fill.r = (uint8_t)std::lround(fill.r + ratio * (255 - fill.r));
            fill.g = (uint8_t)std::lround(fill.g * (1.0 - ratio));
            fill.b = (uint8_t)std::lround(fill.b * (1.0 - ratio));
        }
        draw_body(cv, a.parts[i].body, fill, rgb(a.parts[i].color2));
    }
    for (const Sensor &s : a.sensors) { /* yellow while grasping */
        const RGB c = s.has_joint ? SENSOR_GRASPING : SENSOR;
        draw_body(cv, s.body, c, c);
    }

    for (size_t i = 0; i + 1 < t.x.size(); i++) {
        if (t.x[i + 1] < left || t.x[i] > right)
            continue;
        double x[4] = {t.x[i], t.x[i + 1], t.x[i + 1], t.x[i]};
        double g[4] = {t.ground[i], t.ground[i + 1], t.ground_limit, t.ground_limit};
        double c[4] = {t.ceiling[i], t.ceiling[i + 1], t.ceiling_limit, t.ceiling_limit};
        cv.fill(x, g, 4, GROUND);
        cv.fill(x, c, 4, ROCK);
    }
    for (int i = 0; i < NB_LIDAR; i++) {
        const Lidar &l = env.lidar()[i];
        cv.line(l.p1.x, l.p1.y, l.p2.x, l.p2.y, LIDAR, 0.5);
    }
    const double flag_x = TERRAIN_STEP * 3.0, fy1 = TERRAIN_HEIGHT, fy2 = fy1 + 50.0 / SCALE;
    cv.line(flag_x, fy1, flag_x, fy2, BLACK);
    double fx[3] = {flag_x, flag_x, flag_x + 25.0 / SCALE};
    double fy[3] = {fy2, fy2 - 10.0 / SCALE, fy2 - 5.0 / SCALE};
    cv.fill(fx, fy, 3, FLAG);
    cv.outline(fx, fy, 3, BLACK);
    return TK_OK;
}

} /* namespace pk */
