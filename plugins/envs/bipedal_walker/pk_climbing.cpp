/*
 * Grasping for climbers (flowersteam/TeachMyAgent
 * environments/envs/Box2D_dynamics/climbing_dynamics.py): a sensor whose
 * action is positive is ready to grasp; after the world step a ready sensor
 * touching a graspable body (the ceiling or a creeper) is pinned to it by a
 * revolute joint at the sensor's centre; a non-positive action releases it.
 * Also the climber's start: hanging from the start pad's ceiling.
 */
#include <algorithm>

#include "pk_env.hpp"

namespace pk {

namespace {

constexpr int NB_FIRST_STEPS_HANG = 5;
/* The sensor's radius plus this margin must still overlap the grasped
 * body's bounding box after the solver moved things. */
constexpr double GRASP_MARGIN = 0.01;

} /* namespace */

/* Before the world step, the last `sensors` actions drive the sensors, the
 * last action the last sensor. */
void Env::release_or_ready(const float *action)
{
    const int n_act = cfg_.act_dim();
    const size_t n = agent_.sensors.size();
    for (size_t i = 0; i < n; i++) {
        Sensor &s = agent_.sensors[n - i - 1];
        if (action[n_act - (int)i - 1] > 0.0f) {
            s.ready_to_attach = true;
            continue;
        }
        s.ready_to_attach = false;
        if (s.has_joint) {
            s.has_joint = false;
            if (s.grasp)
                world_->DestroyJoint(s.grasp);
            s.grasp = nullptr;
        }
    }
}

/* After the world step, in the order the sensors first touched something:
 * grasp the first body touched if it still overlaps (a coarse test against
 * the bounding box of its first fixture's local vertices, as the original:
 * exact for the static ceiling and creepers), else forget it. */
void Env::grasp()
{
    for (size_t idx : agent_.sensor_order) {
        Sensor &s = agent_.sensors[idx];
        if (s.touching.empty() || !s.ready_to_attach || s.has_joint)
            continue;
        b2Body *other = s.touching.front();
        const b2Shape *shape = other->GetFixtureList()->GetShape();
        float x0 = 0, x1 = 0, y0 = 0, y1 = 0;
        if (shape->GetType() == b2Shape::e_edge) {
            const b2EdgeShape *e = static_cast<const b2EdgeShape *>(shape);
            const b2Vec2 a = e->m_vertex1, b = e->m_vertex2;
            x0 = std::min(a.x, b.x), x1 = std::max(a.x, b.x);
            y0 = std::min(a.y, b.y), y1 = std::max(a.y, b.y);
        } else {
            const b2PolygonShape *p = static_cast<const b2PolygonShape *>(shape);
            x0 = x1 = p->m_vertices[0].x, y0 = y1 = p->m_vertices[0].y;
            for (int k = 1; k < p->m_count; k++) {
                x0 = std::min(x0, p->m_vertices[k].x), x1 = std::max(x1, p->m_vertices[k].x);
                y0 = std::min(y0, p->m_vertices[k].y), y1 = std::max(y1, p->m_vertices[k].y);
            }
        }
        const double r = (double)s.body->GetFixtureList()->GetShape()->m_radius + GRASP_MARGIN;
        const b2Vec2 c = s.body->GetWorldCenter();
        if (c.x + r > x0 && c.x - r < x1 && c.y + r > y0 && c.y - r < y1) {
            b2RevoluteJointDef jd;
            anchor_at(&jd, s.body, other, c);
            s.grasp = world_->CreateJoint(&jd);
            s.has_joint = true;
        } else {
            s.touching.erase(s.touching.begin());
            if (s.touching.empty())
                s.has_contact = false;
        }
    }
}

/* The climber starts hanging: its sensors are moved up to the start pad's
 * ceiling, the other parts by the same height, then it holds on (grasp
 * actions 1) for NB_FIRST_STEPS_HANG steps; reset's own step follows with
 * the same actions. */
tk_status Env::hang_climber(float *actions)
{
    const double ceiling = TERRAIN_HEIGHT + cfg_.ceiling_offset / task_[7];
    const int n_act = cfg_.act_dim();
    const size_t n = agent_.sensors.size();
    double y_diff = 0.0;
    for (size_t i = 0; i < n; i++) {
        actions[n_act - (int)i - 1] = 1.0f;
        b2Body *sensor = agent_.sensors[n - i - 1].body;
        if (y_diff == 0.0)
            y_diff = ceiling - sensor->GetPosition().y;
        sensor->SetTransform(b2Vec2(sensor->GetPosition().x, (float)ceiling), sensor->GetAngle());
    }
    for (BodyPart &p : agent_.parts) {
        const b2Vec2 at = p.body->GetPosition();
        p.body->SetTransform(b2Vec2(at.x, (float)(at.y + y_diff)), p.body->GetAngle());
    }
    float obs[MAX_OBS];
    double reward = 0.0;
    int done = 0;
    for (int i = 0; i < NB_FIRST_STEPS_HANG; i++) {
        tk_status st = physics_step(actions, obs, &reward, &done);
        if (st != TK_OK)
            return st;
    }
    return TK_OK;
}

} /* namespace pk */
