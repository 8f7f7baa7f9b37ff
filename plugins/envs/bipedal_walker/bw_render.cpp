/*
 * Software rendering of the current scene into an RGB buffer (the
 * teachkit.render.v1 extension): the original's gym viewer -- camera, draw
 * order and colours -- with a scanline polygon filler, no dependency.
 *
 * Camera: VIEWPORT_W / SCALE = 20 m of track across the image width, the
 * left edge at scroll = hull.x - 4 m, y = 0 at the bottom row and the same
 * scale vertically (600 x 400 reproduces the original's framing).
 *
 * Colours (RGB bytes, the original's float colours times 255):
 *   sky 230,230,255   clouds 255,255,255   ground 102,153,76
 *   grass line 76,255,76 / 76,204,76   lidar rays 255,0,0
 *   stumps 255,255,255 (outline 153,153,153)   hexagons 255,g,b (g, b from
 *   the base vertices' y-offsets)   hull 128,102,230 (outline 77,77,128)
 *   legs of side -1 179,102,153, side +1 128,51,102 (outlines 128,77,102 /
 *   77,26,51)   start flag 230,51,0 on a black pole.
 * Draw order, as the TDRL viewer: sky, clouds, ground, lidar, ground lines,
 * obstacles, legs, hull, flag.
 */
#include <algorithm>
#include <cmath>
#include <cstring>

#include "bw_canvas.hpp"
#include "pk_env.hpp"

namespace bw {

namespace {

constexpr RGB SKY{230, 230, 255}, CLOUD{255, 255, 255}, GROUND{102, 153, 76},
    GRASS_A{76, 255, 76}, GRASS_B{76, 204, 76}, LIDAR{255, 0, 0}, OBSTACLE_LINE{153, 153, 153},
    HULL{128, 102, 230}, HULL_LINE{77, 77, 128}, LEG_A{179, 102, 153}, LEG_A_LINE{128, 77, 102},
    LEG_B{128, 51, 102}, LEG_B_LINE{77, 26, 51}, FLAG{230, 51, 0}, BLACK{0, 0, 0};

void draw_flag(Canvas &cv)
{
    const double flag_x = TERRAIN_STEP * 3.0, fy1 = TERRAIN_HEIGHT, fy2 = fy1 + 50.0 / SCALE;
    cv.line(flag_x, fy1, flag_x, fy2, BLACK);
    double fx[3] = {flag_x, flag_x, flag_x + 25.0 / SCALE};
    double fy[3] = {fy2, fy2 - 10.0 / SCALE, fy2 - 5.0 / SCALE};
    cv.fill(fx, fy, 3, FLAG);
    cv.outline(fx, fy, 3, BLACK);
}

} /* namespace */

tk_status render(const Env &env, uint8_t *rgb, int width, int height)
{
    const double scroll = env.scroll();
    Canvas cv(rgb, width, height, scroll);
    const double left = scroll, right = scroll + cv.view_width();
    const TrackData &t = env.track();

    cv.clear(SKY);
    /* Clouds move at half speed (parallax), as the original. */
    for (const Cloud &c : t.clouds) {
        if (c.x2 < scroll / 2.0 || c.x1 > scroll / 2.0 + cv.view_width())
            continue;
        double x[5];
        for (int a = 0; a < 5; a++)
            x[a] = c.x[a] + scroll / 2.0;
        cv.fill(x, c.y, 5, CLOUD);
    }
    /* Ground: each edge extended down to y = 0. */
    for (size_t i = 0; i + 1 < t.ground.size(); i++) {
        const b2Vec2 a = t.ground[i], b = t.ground[i + 1];
        if (b.x < left || a.x > right)
            continue;
        double x[4] = {a.x, b.x, b.x, a.x}, y[4] = {a.y, b.y, 0.0, 0.0};
        cv.fill(x, y, 4, GROUND);
    }
    for (int i = 0; i < NB_LIDAR; i++) {
        const Lidar &l = env.lidar()[i];
        b2Vec2 end = l.p1 + l.fraction * (l.p2 - l.p1);
        cv.line(l.p1.x, l.p1.y, end.x, end.y, LIDAR, 0.5);
    }
    for (size_t i = 0; i + 1 < t.ground.size(); i++) {
        const b2Vec2 a = t.ground[i], b = t.ground[i + 1];
        if (b.x < left || a.x > right)
            continue;
        cv.line(a.x, a.y, b.x, b.y, i % 2 == 0 ? GRASS_A : GRASS_B);
    }
    for (const Polygon &p : t.obstacles) {
        double x[b2_maxPolygonVertices], y[b2_maxPolygonVertices];
        bool visible = false;
        for (int i = 0; i < p.n; i++) {
            x[i] = p.v[i].x;
            y[i] = p.v[i].y;
            visible |= x[i] >= left - 2.0 && x[i] <= right + 2.0;
        }
        if (!visible)
            continue;
        /* Box2D's convex hull of the points, as the original drew the
         * fixture's vertices. */
        b2PolygonShape shape;
        shape.Set(p.v, p.n);
        for (int i = 0; i < shape.m_count; i++)
            x[i] = shape.m_vertices[i].x, y[i] = shape.m_vertices[i].y;
        cv.fill(x, y, shape.m_count, {p.color[0], p.color[1], p.color[2]});
        cv.outline(x, y, shape.m_count, OBSTACLE_LINE);
    }
    double x[b2_maxPolygonVertices], y[b2_maxPolygonVertices];
    if (const pk::Agent *a = env.agent()) {
        /* A TeachMyAgent body in its own colours, head last. */
        for (size_t i = 0; i <= a->parts.size(); i++) {
            const size_t k = i < a->parts.size() ? i : a->head;
            if (i < a->parts.size() && i == a->head)
                continue;
            const pk::BodyPart &p = a->parts[k];
            int n = body_polygon(p.body, x, y);
            cv.fill(x, y, n, {p.color1[0], p.color1[1], p.color1[2]});
            cv.outline(x, y, n, {p.color2[0], p.color2[1], p.color2[2]});
        }
        draw_flag(cv);
        return TK_OK;
    }
    const std::vector<b2Body *> &legs = env.legs();
    for (size_t i = 0; i < legs.size(); i++) {
        const bool side_a = (i / 2) % 2 == 0; /* i = -1 in the original's loop */
        int n = body_polygon(legs[i], x, y);
        cv.fill(x, y, n, side_a ? LEG_A : LEG_B);
        cv.outline(x, y, n, side_a ? LEG_A_LINE : LEG_B_LINE);
    }
    int n = body_polygon(env.hull(), x, y);
    cv.fill(x, y, n, HULL);
    cv.outline(x, y, n, HULL_LINE);
    draw_flag(cv);
    return TK_OK;
}

} /* namespace bw */
