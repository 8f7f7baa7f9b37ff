/*
 * The software rasteriser shared by the walker environments' renderers
 * (bw_render.cpp, pk_render.cpp): a camera in world metres (VIEWPORT_W /
 * SCALE = 20 m across the image width, the same scale vertically), an
 * even-odd scanline polygon filler sampling pixel centres, and thick lines.
 * No dependency beyond Box2D's vector types.
 */
#ifndef BW_CANVAS_HPP
#define BW_CANVAS_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "bw_env.hpp"

namespace bw {

struct RGB {
    uint8_t r, g, b;
};

class Canvas {
public:
    /* `scroll_x`, `scroll_y`: world coordinates of the image's bottom-left
     * corner (stump tracks keep y = 0 at the bottom row). */
    Canvas(uint8_t *rgb, int w, int h, double scroll_x, double scroll_y = 0.0)
        : rgb_(rgb), w_(w), h_(h), scale_(w / (VIEWPORT_W / SCALE)), scroll_(scroll_x),
          scroll_y_(scroll_y), line_half_(std::max(0.5, w / VIEWPORT_W))
    {
    }

    double px(double x) const { return (x - scroll_) * scale_; }
    double py(double y) const { return h_ - (y - scroll_y_) * scale_; }
    double view_height() const { return h_ / scale_; }
    double view_width() const { return w_ / scale_; }

    void clear(RGB c)
    {
        for (int i = 0; i < w_ * h_; i++)
            put(i, c);
    }

    /* Even-odd fill of a polygon given in world coordinates, sampling pixel
     * centres. */
    void fill(const double *x, const double *y, int n, RGB c)
    {
        double sx[16] = {}, sy[16] = {};
        n = std::min(n, 16);
        double ymin = 1e300, ymax = -1e300;
        for (int i = 0; i < n; i++) {
            sx[i] = px(x[i]);
            sy[i] = py(y[i]);
            ymin = std::min(ymin, sy[i]);
            ymax = std::max(ymax, sy[i]);
        }
        fill_screen(sx, sy, n, ymin, ymax, c);
    }

    /* A segment `2 * line_half_` pixels thick (2 px at 600 px wide, as the
     * original's outlines). */
    void line(double x0, double y0, double x1, double y1, RGB c, double half = -1.0)
    {
        if (half < 0.0)
            half = line_half_;
        double ax = px(x0), ay = py(y0), bx = px(x1), by = py(y1);
        double dx = bx - ax, dy = by - ay, len = std::hypot(dx, dy);
        double nx = len > 0.0 ? -dy / len * half : 0.0, ny = len > 0.0 ? dx / len * half : half;
        double tx = len > 0.0 ? dx / len * half : half, ty = len > 0.0 ? dy / len * half : 0.0;
        /* Extend the ends by `half` so that outlines close at corners. */
        double sx[4] = {ax - tx + nx, bx + tx + nx, bx + tx - nx, ax - tx - nx};
        double sy[4] = {ay - ty + ny, by + ty + ny, by + ty - ny, ay - ty - ny};
        double ymin = *std::min_element(sy, sy + 4), ymax = *std::max_element(sy, sy + 4);
        fill_screen(sx, sy, 4, ymin, ymax, c);
    }

    void outline(const double *x, const double *y, int n, RGB c)
    {
        for (int i = 0; i < n; i++)
            line(x[i], y[i], x[(i + 1) % n], y[(i + 1) % n], c);
    }

private:
    void put(int i, RGB c)
    {
        rgb_[3 * i] = c.r;
        rgb_[3 * i + 1] = c.g;
        rgb_[3 * i + 2] = c.b;
    }

    void fill_screen(const double *sx, const double *sy, int n, double ymin, double ymax, RGB c)
    {
        if (!(ymax >= 0.0) || !(ymin < h_))
            return;
        int j0 = std::max(0, (int)std::ceil(ymin - 0.5));
        int j1 = std::min(h_ - 1, (int)std::floor(ymax - 0.5));
        double xs[16];
        for (int j = j0; j <= j1; j++) {
            const double yc = j + 0.5;
            int k = 0;
            for (int i = 0; i < n; i++) {
                double ya = sy[i], yb = sy[(i + 1) % n];
                if ((ya <= yc && yc < yb) || (yb <= yc && yc < ya)) {
                    double xa = sx[i], xb = sx[(i + 1) % n];
                    xs[k++] = xa + (yc - ya) / (yb - ya) * (xb - xa);
                }
            }
            std::sort(xs, xs + k);
            for (int p = 0; p + 1 < k; p += 2) {
                double lo = std::max(xs[p], -1.0), hi = std::min(xs[p + 1], (double)w_ + 1.0);
                int i0 = std::max(0, (int)std::ceil(lo - 0.5));
                int i1 = std::min(w_ - 1, (int)std::ceil(hi - 0.5) - 1);
                for (int i = i0; i <= i1; i++)
                    put(j * w_ + i, c);
            }
        }
    }

    uint8_t *rgb_;
    int w_, h_;
    double scale_, scroll_, scroll_y_, line_half_;
};

/* World-space vertices of a body's single polygon fixture. */
inline int body_polygon(const b2Body *body, double *x, double *y)
{
    const b2Fixture *f = body->GetFixtureList();
    const b2PolygonShape *shape = static_cast<const b2PolygonShape *>(f->GetShape());
    const b2Transform &xf = body->GetTransform();
    for (int i = 0; i < shape->m_count; i++) {
        b2Vec2 v = b2Mul(xf, shape->m_vertices[i]);
        x[i] = v.x;
        y[i] = v.y;
    }
    return shape->m_count;
}

} /* namespace bw */

#endif
