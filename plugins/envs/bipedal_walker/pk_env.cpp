/*
 * Episode life cycle of the Parkour (flowersteam/TeachMyAgent
 * parametric_continuous_parkour.py: reset, step, ContactDetector,
 * LidarCallback): motors, world step, water forces, lidars with surface
 * flags, observation, reward and the survival rules of each body type.
 */
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <new>

#include "pk_env.hpp"
#include "teachkit/rng.h"

namespace pk {

namespace {

constexpr double INITIAL_RANDOM = 5.0; /* spawn push, N */
constexpr int VELOCITY_ITERATIONS = 6 * 30;
constexpr int POSITION_ITERATIONS = 2 * 30;

/* The closest fixture whose category meets the head's mask (walker parts
 * never do), and the surface it belongs to. */
class LidarCallback final : public b2RayCastCallback {
public:
    LidarCallback(uint16_t mask, Lidar *lidar) : mask_(mask), lidar_(lidar) {}
    float ReportFixture(b2Fixture *fixture, const b2Vec2 &point, const b2Vec2 &,
                        float fraction) override
    {
        if ((fixture->GetFilterData().categoryBits & mask_) == 0)
            return -1.0f;
        const Kind k = tag_kind(fixture->GetBody()->GetUserData().pointer);
        lidar_->p2 = point;
        lidar_->fraction = fraction;
        lidar_->water = k == Kind::Water;
        lidar_->creeper = k == Kind::Creeper;
        return fraction;
    }

private:
    uint16_t mask_;
    Lidar *lidar_;
};

double sign(double v)
{
    return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0);
}

Kind kind_of(b2Fixture *f)
{
    return tag_kind(f->GetBody()->GetUserData().pointer);
}

} /* namespace */

/* ------------------------------------------------------------- contacts */

void ContactListener::BeginContact(b2Contact *contact)
{
    b2Fixture *fa = contact->GetFixtureA(), *fb = contact->GetFixtureB();
    const Kind ka = kind_of(fa), kb = kind_of(fb);
    if (ka == Kind::Water || kb == Kind::Water) {
        if (ka == Kind::Water && kb == Kind::BodyPart)
            env_->water_pairs_.emplace_back(fa, fb);
        else if (kb == Kind::Water && ka == Kind::BodyPart)
            env_->water_pairs_.emplace_back(fb, fa);
        return;
    }
    if (ka == Kind::BodySensor || kb == Kind::BodySensor) {
        /* A sensor touching something graspable notes it; touching
         * anything else ends the check (the original returns). */
        b2Fixture *f[2] = {fa, fb};
        const Kind k[2] = {ka, kb};
        for (int i = 0; i < 2; i++) {
            if (k[i] != Kind::BodySensor)
                continue;
            if (k[1 - i] != Kind::GripTerrain && k[1 - i] != Kind::Creeper)
                return;
            Agent &a = env_->agent_;
            const size_t idx = tag_index(f[i]->GetBody()->GetUserData().pointer);
            Sensor &s = a.sensors[idx];
            s.has_contact = true;
            if (std::find(a.sensor_order.begin(), a.sensor_order.end(), idx) ==
                a.sensor_order.end())
                a.sensor_order.push_back(idx);
            s.touching.push_back(f[1 - i]->GetBody());
        }
        return;
    }
    if (fa->IsSensor() || fb->IsSensor())
        return;
    b2Fixture *f[2] = {fa, fb};
    const Kind k[2] = {ka, kb};
    for (int i = 0; i < 2; i++) {
        if (k[i] != Kind::BodyPart)
            continue;
        BodyPart &p = env_->agent_.parts[tag_index(f[i]->GetBody()->GetUserData().pointer)];
        if (!p.check_contact)
            continue;
        p.has_contact = true;
        /* Climbers may touch what they can grasp. */
        if (p.contact_critical && !(k[1 - i] == Kind::GripTerrain &&
                                    env_->cfg_.body->type == BodyType::Climber))
            env_->critical_contact_ = true;
    }
}

/* As the original, leaving any fixture -- a creeper sensor included --
 * clears the part's single contact flag. */
void ContactListener::EndContact(b2Contact *contact)
{
    b2Fixture *fa = contact->GetFixtureA(), *fb = contact->GetFixtureB();
    const Kind ka = kind_of(fa), kb = kind_of(fb);
    if (ka == Kind::Water || kb == Kind::Water) {
        std::pair<b2Fixture *, b2Fixture *> pair;
        if (ka == Kind::Water && kb == Kind::BodyPart)
            pair = {fa, fb};
        else if (kb == Kind::Water && ka == Kind::BodyPart)
            pair = {fb, fa};
        else
            return;
        auto &v = env_->water_pairs_;
        for (auto it = v.begin(); it != v.end(); ++it)
            if (*it == pair) {
                v.erase(it);
                break;
            }
        return;
    }
    if (ka == Kind::BodySensor || kb == Kind::BodySensor) {
        b2Fixture *f[2] = {fa, fb};
        const Kind k[2] = {ka, kb};
        for (int i = 0; i < 2; i++) {
            if (k[i] != Kind::BodySensor)
                continue;
            Sensor &s = env_->agent_.sensors[tag_index(f[i]->GetBody()->GetUserData().pointer)];
            if (!s.has_contact)
                continue;
            auto it = std::find(s.touching.begin(), s.touching.end(), f[1 - i]->GetBody());
            if (it != s.touching.end())
                s.touching.erase(it);
            if (s.touching.empty())
                s.has_contact = false;
        }
        return;
    }
    b2Fixture *f[2] = {fa, fb};
    const Kind k[2] = {ka, kb};
    for (int i = 0; i < 2; i++) {
        if (k[i] != Kind::BodyPart)
            continue;
        BodyPart &p = env_->agent_.parts[tag_index(f[i]->GetBody()->GetUserData().pointer)];
        if (p.check_contact)
            p.has_contact = false;
    }
}

/* ------------------------------------------------------------ lifecycle */

Env::Env(const Config &cfg) : cfg_(cfg), contacts_(this)
{
    /* Lidar fans: walkers look down, climbers up, swimmers all around. */
    switch (cfg_.lidar) {
    case LidarFan::Down:
        lidar_angle_ = 1.5, lidar_offset_ = 0.0;
        break;
    case LidarFan::Up:
        lidar_angle_ = 2.3, lidar_offset_ = 1.5;
        break;
    case LidarFan::Full:
        lidar_angle_ = M_PI, lidar_offset_ = 0.0;
        break;
    }
    /* The start pad grows for agents wider than 15 TS. */
    const double wide = cfg_.body->agent_width / TERRAIN_STEP + 5.0;
    startpad_ = wide <= INITIAL_TERRAIN_STARTPAD ? INITIAL_TERRAIN_STARTPAD : wide;
}

Env::~Env()
{
    destroy_world();
}

void Env::destroy_world()
{
    if (!world_)
        return;
    world_->SetContactListener(nullptr); /* no EndContact from destruction */
    delete world_;
    world_ = nullptr;
    water_ = nullptr;
    agent_.parts.clear();
    agent_.motors.clear();
    agent_.sensors.clear();
    agent_.sensor_order.clear();
    water_pairs_.clear();
}

tk_status Env::fail(tk_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(error_, sizeof error_, fmt, ap);
    va_end(ap);
    return st;
}

void Env::set_task(const float *task)
{
    for (int i = 0; i < TASK_DIMS; i++)
        task_[i] = task[i];
}

tk_status Env::reset(tk_rng *rng, float *obs)
{
    destroy_world();
    done_ = true;
    world_ = new (std::nothrow) b2World(b2Vec2(0.0f, -10.0f));
    if (!world_)
        return fail(TK_ERR_NOMEM, "out of memory creating the Box2D world");
    world_->SetContactListener(&contacts_);
    critical_contact_ = false;
    has_prev_shaping_ = false;
    prev_shaping_ = 0.0;
    steps_under_water_ = steps_outside_water_ = 0;
    for (Lidar &l : lidar_)
        l = Lidar();

    /* Draw order of the original: terrain (creeper heights), clouds, the
     * spawn push. */
    tk_status st = build_terrain(rng);
    if (st != TK_OK)
        return st;
    bw::generate_clouds(rng, &terrain_.clouds);
    agent_ = Agent();
    agent_.spec = cfg_.body;
    const double init_x = TERRAIN_STEP * startpad_ / 2.0;
    const double init_y = TERRAIN_HEIGHT + cfg_.body->agent_center_height;
    const double push = -INITIAL_RANDOM + 2.0 * INITIAL_RANDOM * tk_rng_uniform(rng);
    cfg_.body->build(&agent_, world_, init_x, init_y, push);

    done_ = false;
    float first[MAX_ACT] = {};
    if (cfg_.body->type == BodyType::Climber)
        st = hang_climber(first);
    double reward = 0.0;
    int done = 0;
    if (st == TK_OK)
        st = physics_step(first, obs, &reward, &done);
    steps_under_water_ = steps_outside_water_ = 0;
    episode_return_ = 0.0;
    done_ = st != TK_OK;
    return st;
}

tk_status Env::step(const float *action, float *obs, double *reward, int *done)
{
    if (!world_)
        return fail(TK_ERR_STATE, "step before reset");
    if (done_)
        return fail(TK_ERR_STATE, "step after the episode ended (call reset)");
    tk_status st = physics_step(action, obs, reward, done);
    if (st != TK_OK) {
        done_ = true;
        return st;
    }
    episode_return_ += *reward;
    done_ = *done != 0;
    return TK_OK;
}

/* ------------------------------------------------------------------ step */

void Env::cast_lidar(const b2Vec2 &pos)
{
    const uint16_t mask =
        agent_.parts[agent_.head].body->GetFixtureList()->GetFilterData().maskBits;
    for (int i = 0; i < NB_LIDAR; i++) {
        Lidar &l = lidar_[i];
        const double a = lidar_angle_ * i / NB_LIDAR + lidar_offset_;
        l.fraction = 1.0f;
        l.p1 = pos;
        l.p2.Set((float)(pos.x + std::sin(a) * LIDAR_RANGE),
                 (float)(pos.y - std::cos(a) * LIDAR_RANGE));
        LidarCallback cb(mask, &l);
        world_->RayCast(&cb, l.p1, l.p2);
    }
}

tk_status Env::physics_step(const float *action_in, float *obs, double *reward, int *done)
{
    const BodySpec &spec = *cfg_.body;
    const int n_act = cfg_.act_dim();
    /* A drowned walker (or a dried-out swimmer) only drifts: zero actions,
     * also in the torque cost. */
    const bool dead = (spec.steps_outside_water >= 0 &&
                       steps_outside_water_ > spec.steps_outside_water) ||
                      (spec.steps_under_water >= 0 && steps_under_water_ > spec.steps_under_water);
    float zeros[MAX_ACT] = {};
    const float *action = dead ? zeros : action_in;
    for (int k = 0; k < spec.motors; k++) {
        const Motor &m = agent_.motors[(size_t)k];
        const double a = action[k];
        m.joint->SetMotorSpeed((float)(m.speed_control * sign(a)));
        m.joint->SetMaxMotorTorque((float)(spec.motors_torque * std::fmin(std::fabs(a), 1.0)));
    }

    const bool climber = spec.type == BodyType::Climber;
    if (climber)
        release_or_ready(action);
    world_->Step((float)(1.0 / FPS), VELOCITY_ITERATIONS, POSITION_ITERATIONS);
    if (climber)
        grasp();
    /* Applied after the step, so they act during the next one. */
    apply_water_forces(water_pairs_, world_->GetGravity(), cfg_.water_clip);

    const b2Body *head = agent_.parts[agent_.head].body;
    const b2Vec2 pos = head->GetPosition();
    const b2Vec2 vel = head->GetLinearVelocity();
    const double angle = head->GetAngle();
    if (!std::isfinite(pos.x) || !std::isfinite(pos.y) || !std::isfinite(angle))
        return fail(TK_ERR_NUMERIC, "the physics produced a non-finite head state");
    cast_lidar(pos);

    const bool under_water = pos.y <= terrain_.water_y;
    if (!dead) {
        if (under_water)
            steps_under_water_++, steps_outside_water_ = 0;
        else
            steps_outside_water_++, steps_under_water_ = 0;
    }

    int o = 0;
    obs[o++] = (float)angle;
    obs[o++] = (float)(2.0 * head->GetAngularVelocity() / FPS);
    obs[o++] = (float)(0.3 * vel.x * (VIEWPORT_W / SCALE) / FPS);
    obs[o++] = (float)(0.3 * vel.y * (VIEWPORT_H / SCALE) / FPS);
    obs[o++] = under_water ? 1.0f : 0.0f;
    obs[o++] = dead ? 1.0f : 0.0f;
    for (const Motor &m : agent_.motors) {
        obs[o++] = (float)(m.joint->GetJointAngle() + m.angle_correction);
        obs[o++] = (float)(m.joint->GetJointSpeed() / m.speed_control);
        if (m.contact_part >= 0)
            obs[o++] = agent_.parts[(size_t)m.contact_part].has_contact ? 1.0f : 0.0f;
    }
    for (const Sensor &s : agent_.sensors) {
        obs[o++] = s.has_contact ? 1.0f : 0.0f;
        obs[o++] = s.has_joint ? 1.0f : 0.0f;
    }
    for (const Lidar &l : lidar_)
        obs[o++] = l.fraction;
    for (const Lidar &l : lidar_)
        obs[o++] = l.water ? -1.0f : (l.creeper ? 1.0f : 0.0f);

    scroll_[0] = pos.x - VIEWPORT_W / SCALE / 5.0;
    scroll_[1] = pos.y - VIEWPORT_H / SCALE / 5.0 - TERRAIN_HEIGHT + 1.0 / SCALE;

    double shaping = 130.0 * pos.x / SCALE;
    if (spec.head_angle_reward)
        shaping -= 5.0 * std::fabs(angle);
    double r = has_prev_shaping_ ? shaping - prev_shaping_ : 0.0;
    prev_shaping_ = shaping;
    has_prev_shaping_ = true;
    for (int k = 0; k < n_act; k++)
        r -= spec.torque_penalty * 80.0 * std::fmin(std::fabs((double)action[k]), 1.0);

    *done = 0;
    if (critical_contact_ || pos.x < 0.0) {
        r = -100.0;
        *done = 1;
    }
    if (pos.x > (TERRAIN_LENGTH + startpad_ - TERRAIN_END) * TERRAIN_STEP)
        *done = 1;
    *reward = r;
    return TK_OK;
}

} /* namespace pk */
