/*
 * Water physics of the Parkour (flowersteam/TeachMyAgent
 * environments/envs/Box2D_dynamics/water_dynamics.py, WaterDynamics): for
 * each agent fixture overlapping the water, the overlap polygon (Sutherland-
 * Hodgman clipping) gives a buoyancy force at its centroid, and each of its
 * edges a drag and a lift force (the buoyancy tutorial at iforce2d.net that
 * the original follows) plus the original's "push": a force from the motor
 * torque of the joints that move the part, so that swimming strokes propel.
 *
 * Deliberate deviation: pybox2d mixes float32 vector operations with
 * float64 scalars; this computes the clipping and the forces in double and
 * hands Box2D float forces.  Constants: drag_mod 0.25, lift_mod 0.25,
 * push_mod 0.05, max_drag 2000, max_lift 500, max_push = the env's
 * water_clip (20).
 */
#include <cmath>
#include <vector>

#include "pk_env.hpp"

namespace pk {

namespace {

constexpr double DRAG_MOD = 0.25, LIFT_MOD = 0.25, PUSH_MOD = 0.05;
constexpr double MAX_DRAG = 2000.0, MAX_LIFT = 500.0;
/* The original reads the joints' motor torque with inv_dt = 60 (not the
 * env's 50 Hz): kept. */
constexpr double TORQUE_INV_DT = 60.0;

struct V {
    double x, y;
};

V operator-(V a, V b)
{
    return {a.x - b.x, a.y - b.y};
}
V operator+(V a, V b)
{
    return {a.x + b.x, a.y + b.y};
}
V operator*(double s, V a)
{
    return {s * a.x, s * a.y};
}
double dot(V a, V b)
{
    return a.x * b.x + a.y * b.y;
}
double cross(V a, V b)
{
    return a.x * b.y - a.y * b.x;
}
V of(const b2Vec2 &v)
{
    return {v.x, v.y};
}
b2Vec2 to_b2(V v)
{
    return b2Vec2((float)v.x, (float)v.y);
}
/* Normalise in place and return the length; vectors shorter than
 * b2_epsilon are left as they are and report 0 (b2Vec2::Normalize). */
double normalize(V *v)
{
    const double len = std::sqrt(v->x * v->x + v->y * v->y);
    if (len < b2_epsilon)
        return 0.0;
    v->x /= len;
    v->y /= len;
    return len;
}

bool inside(V cp1, V cp2, V p)
{
    return (cp2.x - cp1.x) * (p.y - cp1.y) > (cp2.y - cp1.y) * (p.x - cp1.x);
}

V intersection(V cp1, V cp2, V s, V e)
{
    const V dc = cp1 - cp2, dp = s - e;
    const double n1 = cp1.x * cp2.y - cp1.y * cp2.x;
    const double n2 = s.x * e.y - s.y * e.x;
    const double n3 = 1.0 / (dc.x * dp.y - dc.y * dp.x);
    return {(n1 * dp.x - n2 * dc.x) * n3, (n1 * dp.y - n2 * dc.y) * n3};
}

void world_polygon(const b2Fixture *f, std::vector<V> *out)
{
    const b2PolygonShape *shape = static_cast<const b2PolygonShape *>(f->GetShape());
    out->clear();
    for (int i = 0; i < shape->m_count; i++)
        out->push_back(of(f->GetBody()->GetWorldPoint(shape->m_vertices[i])));
}

/* The water polygon clipped by the part's polygon (both convex). */
void clip(const b2Fixture *water, const b2Fixture *part, std::vector<V> *out)
{
    std::vector<V> clip_poly, input;
    world_polygon(water, out);
    world_polygon(part, &clip_poly);
    V cp1 = clip_poly.back();
    for (const V &cp2 : clip_poly) {
        if (out->empty())
            break;
        input.swap(*out);
        out->clear();
        V s = input.back();
        for (const V &e : input) {
            if (inside(cp1, cp2, e)) {
                if (!inside(cp1, cp2, s))
                    out->push_back(intersection(cp1, cp2, s, e));
                out->push_back(e);
            } else if (inside(cp1, cp2, s)) {
                out->push_back(intersection(cp1, cp2, s, e));
            }
            s = e;
        }
        cp1 = cp2;
    }
}

/* Area and area-weighted centroid, triangles fanned from the origin. */
void centroid(const std::vector<V> &p, V *c, double *area)
{
    *c = {0.0, 0.0};
    *area = 0.0;
    for (size_t i = 0; i < p.size(); i++) {
        const V p2 = p[i], p3 = p[i + 1 < p.size() ? i + 1 : 0];
        const double tri = 0.5 * cross(p2, p3);
        *area += tri;
        *c = *c + (tri / 3.0) * (p2 + p3);
    }
    if (*area > b2_epsilon)
        *c = (1.0 / *area) * *c;
    else
        *area = 0.0;
}

/* The push of the joints that drive `body` (those whose bodyB it is), for
 * one edge of the overlap with outward normal `normal`. */
void push(b2Body *body, V normal, double edge_length, double density, double max_push)
{
    for (b2JointEdge *je = body->GetJointList(); je; je = je->next) {
        if (je->joint->GetBodyB() != body || je->joint->GetType() != e_revoluteJoint)
            continue;
        b2RevoluteJoint *j = static_cast<b2RevoluteJoint *>(je->joint);
        const double angle = j->GetJointAngle();
        if (!(j->GetLowerLimit() < angle && angle < j->GetUpperLimit()))
            continue;
        const double torque = j->GetMotorTorque((float)TORQUE_INV_DT);
        const double angular_inertia = body->GetInertia() * body->GetAngularVelocity();
        const V lever = of(body->GetWorldCenter()) - of(j->GetAnchorB());
        const V f = {-torque * lever.y, torque * lever.x}; /* b2Cross(lever, -torque) */
        const double push_dot = dot(normal, f);
        if (push_dot <= 0.0)
            continue;
        const double vel = torque + angular_inertia;
        const double mag = push_dot * PUSH_MOD * edge_length * density * vel * vel;
        V force = {-mag * f.x, -mag * f.y};
        force.x = std::fmin(std::fmax(force.x, -max_push), max_push);
        force.y = std::fmin(std::fmax(force.y, -max_push), max_push);
        body->ApplyForce(to_b2(force), j->GetAnchorB(), true);
    }
}

} /* namespace */

void apply_water_forces(const std::vector<std::pair<b2Fixture *, b2Fixture *>> &pairs,
                        const b2Vec2 &gravity, double max_push)
{
    std::vector<V> poly;
    for (const auto &pair : pairs) {
        b2Fixture *water = pair.first, *part = pair.second;
        if (part->GetShape()->GetType() != b2Shape::e_polygon)
            continue; /* the original clips polygons only */
        const double density = water->GetDensity();
        clip(water, part, &poly);
        if (poly.empty())
            continue;
        b2Body *body = part->GetBody();
        const b2Body *water_body = water->GetBody();
        V c;
        double area;
        centroid(poly, &c, &area);
        const double displaced = density * area;
        body->ApplyForce(to_b2({-displaced * gravity.x, -displaced * gravity.y}), to_b2(c), true);

        for (size_t i = 0; i < poly.size(); i++) {
            const V v0 = poly[i], v1 = poly[(i + 1) % poly.size()];
            const V mid = 0.5 * (v0 + v1);
            V vel_dir = of(body->GetLinearVelocityFromWorldPoint(to_b2(mid))) -
                        of(water_body->GetLinearVelocityFromWorldPoint(to_b2(mid)));
            const double vel = normalize(&vel_dir);
            V edge = v1 - v0;
            const double edge_length = normalize(&edge);
            const V normal = {edge.y, -edge.x}; /* b2Cross(-1, edge) */
            const double drag_dot = dot(normal, vel_dir);
            if (drag_dot >= 0.0) { /* a leading edge */
                double drag = drag_dot * DRAG_MOD * edge_length * density * vel * vel;
                drag = std::fmin(drag, MAX_DRAG);
                body->ApplyForce(to_b2({-drag * vel_dir.x, -drag * vel_dir.y}), to_b2(mid),
                                 true);
                const double lift_dot = dot(edge, vel_dir);
                double lift = drag_dot * lift_dot * LIFT_MOD * edge_length * density * vel * vel;
                lift = std::fmin(lift, MAX_LIFT);
                const V lift_dir = {-vel_dir.y, vel_dir.x}; /* b2Cross(1, vel_dir) */
                body->ApplyForce(to_b2(lift * lift_dir), to_b2(mid), true);
            }
            push(body, normal, edge_length, density, max_push);
        }
    }
}

} /* namespace pk */
