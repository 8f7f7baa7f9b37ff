/*
 * Episode life cycle of the parameterized BipedalWalker: reset (track +
 * walker + the original's zero-action step), step (motors, world step,
 * lidar, observation, reward, termination) and the contact listener
 * (teachDeepRL teachDRL/gym_flowers/envs/bipedal_walker_continuous.py:
 * ContactDetector, step, reset; TeachMyAgent's
 * parametric_continuous_stump_tracks.py for the "tma" variant).
 */
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <new>

#ifdef BW_TIME_WORLD_STEP
#include <time.h>
#endif

#include "bw_env.hpp"
#include "pk_env.hpp"
#include "teachkit/rng.h"

namespace bw {

namespace {

/* Ray-cast callback in the two modes: TDRL's LidarCallback keeps the first
 * fixture Box2D reports, TMA's the closest. */
class LidarCallback final : public b2RayCastCallback {
public:
    LidarCallback(LidarMode mode, uint16_t mask) : mode_(mode), mask_(mask) {}
    float ReportFixture(b2Fixture *fixture, const b2Vec2 &point, const b2Vec2 &,
                        float fraction) override
    {
        if ((fixture->GetFilterData().categoryBits & mask_) == 0) /* a walker part */
            return mode_ == LidarMode::Closest ? -1.0f : 1.0f;
        this->point = point;
        this->fraction = fraction;
        /* TDRL stops at the first terrain fixture the broad phase reports
         * (not necessarily the closest); TMA clips, keeping the closest. */
        return mode_ == LidarMode::Closest ? fraction : 0.0f;
    }
    b2Vec2 point{0.0f, 0.0f};
    float fraction = 1.0f;

private:
    LidarMode mode_;
    uint16_t mask_;
};

double sign(double v)
{
    return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0);
}

} /* namespace */

/* ------------------------------------------------------------- contacts */

/* Body tags (b2BodyUserData::pointer): 0 terrain / upper legs, 1 the hull,
 * 2 + k lower leg k.  TDRL tracks only lower legs 0 and 1 (the rear pair of
 * the quadruped: TDRL's ContactDetector); TMA tracks them all.  A single boolean
 * per leg, as the originals: leaving one of two touched fixtures clears it. */
void ContactDetector::BeginContact(b2Contact *contact)
{
    b2Body *bodies[2] = {contact->GetFixtureA()->GetBody(), contact->GetFixtureB()->GetBody()};
    if (env_->agent_) {
        /* TMA bodies: every part that checks contact, and the head's
         * critical flag (parametric_continuous_stump_tracks.py). */
        for (b2Body *b : bodies) {
            const uintptr_t t = b->GetUserData().pointer;
            if (pk::tag_kind(t) != pk::Kind::BodyPart)
                continue;
            pk::BodyPart &p = env_->agent_->parts[pk::tag_index(t)];
            if (!p.check_contact)
                continue;
            p.has_contact = true;
            if (p.contact_critical)
                env_->head_contact_ = true;
        }
        return;
    }
    for (b2Body *b : bodies) {
        uintptr_t tag = b->GetUserData().pointer;
        if (tag == 1)
            env_->head_contact_ = true;
        else if (tag >= 2) {
            size_t k = tag - 2;
            if (env_->cfg_.track_all_lower_legs || k < 2)
                env_->ground_contact_[k] = true;
        }
    }
}

void ContactDetector::EndContact(b2Contact *contact)
{
    b2Body *bodies[2] = {contact->GetFixtureA()->GetBody(), contact->GetFixtureB()->GetBody()};
    if (env_->agent_) {
        for (b2Body *b : bodies) {
            const uintptr_t t = b->GetUserData().pointer;
            if (pk::tag_kind(t) != pk::Kind::BodyPart)
                continue;
            pk::BodyPart &p = env_->agent_->parts[pk::tag_index(t)];
            if (p.check_contact)
                p.has_contact = false;
        }
        return;
    }
    for (b2Body *b : bodies) {
        uintptr_t tag = b->GetUserData().pointer;
        if (tag >= 2) {
            size_t k = tag - 2;
            if (env_->cfg_.track_all_lower_legs || k < 2)
                env_->ground_contact_[k] = false;
        }
    }
}

/* ------------------------------------------------------------ lifecycle */

Env::Env(const Config &cfg) : cfg_(cfg), contacts_(this)
{
    for (int i = 0; i < NB_LIDAR; i++) {
        lidar_dir_[i][0] = std::sin(1.5 * i / NB_LIDAR) * LIDAR_RANGE;
        lidar_dir_[i][1] = -std::cos(1.5 * i / NB_LIDAR) * LIDAR_RANGE;
    }
}

Env::~Env()
{
    destroy_world();
    delete agent_;
}

int Config::obs_dim() const
{
    return 4 + (body ? body->state_size : 10 * morph->pairs) + NB_LIDAR;
}

int Config::act_dim() const
{
    return body ? body->motors : 4 * morph->pairs;
}

void Env::destroy_world()
{
    if (!world_)
        return;
    /* No EndContact callbacks from destruction (TDRL's _destroy clears the
     * listener first). */
    world_->SetContactListener(nullptr);
    delete world_;
    world_ = nullptr;
    hull_ = nullptr;
    legs_.clear();
    joints_.clear();
    if (agent_) {
        agent_->parts.clear();
        agent_->motors.clear();
    }
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
    std::memcpy(task_, task, cfg_.dims * sizeof *task_);
}

tk_status Env::reset(tk_rng *rng, float *obs)
{
    destroy_world();
    done_ = true; /* until the reset succeeds */
    tk_status st = generate_track(rng);
    if (st != TK_OK)
        return st;
    generate_clouds(rng);

    /* A fresh world per episode: pybox2d's defaults (gravity (0, -10),
     * sleeping allowed, warm starting, continuous physics) are 2.4.1's. */
    world_ = new (std::nothrow) b2World(b2Vec2(0.0f, -10.0f));
    if (!world_)
        return fail(TK_ERR_NOMEM, "out of memory creating the Box2D world");
    world_->SetContactListener(&contacts_);
    head_contact_ = false;
    has_prev_shaping_ = false;
    prev_shaping_ = 0.0;
    std::memset(ground_contact_, 0, sizeof ground_contact_);
    build_terrain_bodies();
    if (cfg_.body)
        build_body(rng);
    else
        build_walker(rng);

    done_ = false;
    episode_return_ = 0.0;
    /* The original returns the observation of one zero-action step. */
    float zero[MAX_ACT] = {};
    double reward = 0.0;
    int done = 0;
    st = physics_step(zero, obs, &reward, &done);
    episode_return_ = 0.0;
    /* As the original, a "done" here is noticed at the next step; a failed
     * reset leaves no episode to step. */
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

void Env::cast_lidar()
{
    const b2Vec2 pos = hull_->GetPosition();
    for (int i = 0; i < NB_LIDAR; i++) {
        Lidar &l = lidar_[i];
        l.p1 = pos;
        l.p2.Set((float)(pos.x + lidar_dir_[i][0]), (float)(pos.y + lidar_dir_[i][1]));
        LidarCallback cb(cfg_.lidar, cfg_.walker_mask);
        world_->RayCast(&cb, l.p1, l.p2);
        l.fraction = cb.fraction;
    }
}

tk_status Env::physics_step(const float *action, float *obs, double *reward, int *done)
{
    const int n_act = cfg_.act_dim();
    if (agent_) {
        for (int k = 0; k < n_act; k++) {
            const pk::Motor &m = agent_->motors[(size_t)k];
            const double a = action[k];
            m.joint->SetMotorSpeed((float)(m.speed_control * sign(a)));
            m.joint->SetMaxMotorTorque(
                (float)(cfg_.body->motors_torque * std::fmin(std::fabs(a), 1.0)));
        }
    } else {
        const Morphology &mo = *cfg_.morph;
        for (int k = 0; k < n_act; k++) {
            const double a = action[k];
            const double speed = (k % 2 == 0 ? SPEED_HIP : SPEED_KNEE) * sign(a);
            joints_[k]->SetMotorSpeed((float)speed);
            joints_[k]->SetMaxMotorTorque(
                (float)(mo.motors_torque * std::fmin(std::fabs(a), 1.0)));
        }
    }

#ifdef BW_TIME_WORLD_STEP
    /* CPU time of this thread: robust to other processes on the machine. */
    struct timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
#endif
    world_->Step((float)(1.0 / FPS), VELOCITY_ITERATIONS, POSITION_ITERATIONS);
#ifdef BW_TIME_WORLD_STEP
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    world_step_seconds += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
#endif

    const b2Vec2 pos = hull_->GetPosition();
    const b2Vec2 vel = hull_->GetLinearVelocity();
    const double angle = hull_->GetAngle();
    if (!std::isfinite(pos.x) || !std::isfinite(pos.y) || !std::isfinite(angle))
        /* Also keeps a NaN ray (a b2Assert) away from Box2D. */
        return fail(TK_ERR_NUMERIC, "the physics produced a non-finite hull state");
    cast_lidar();

    int o = 0;
    obs[o++] = (float)angle;
    obs[o++] = (float)(2.0 * hull_->GetAngularVelocity() / FPS);
    obs[o++] = (float)(0.3 * vel.x * (VIEWPORT_W / SCALE) / FPS);
    obs[o++] = (float)(0.3 * vel.y * (VIEWPORT_H / SCALE) / FPS);
    if (agent_)
        o += body_observation(obs + o);
    for (size_t i = 0; agent_ == nullptr && i < legs_.size(); i += 2) {
        const b2RevoluteJoint *hip = joints_[i], *knee = joints_[i + 1];
        obs[o++] = (float)hip->GetJointAngle();
        obs[o++] = (float)(hip->GetJointSpeed() / SPEED_HIP);
        obs[o++] = (float)(knee->GetJointAngle() + 1.0);
        obs[o++] = (float)(knee->GetJointSpeed() / SPEED_KNEE);
        obs[o++] = ground_contact_[i / 2] ? 1.0f : 0.0f;
    }
    for (int i = 0; i < NB_LIDAR; i++)
        obs[o++] = lidar_[i].fraction;

    scroll_ = pos.x - VIEWPORT_W / SCALE / 5.0;

    double shaping = 130.0 * pos.x / SCALE;
    if (!cfg_.body || cfg_.body->head_angle_reward)
        shaping -= 5.0 * std::fabs(angle);
    double r = has_prev_shaping_ ? shaping - prev_shaping_ : 0.0;
    prev_shaping_ = shaping;
    has_prev_shaping_ = true;
    for (int k = 0; k < n_act; k++)
        r -= cfg_.torque_cost * std::fmin(std::fabs((double)action[k]), 1.0);

    *done = 0;
    if (head_contact_ || pos.x < 0.0) {
        r = -100.0; /* replaces the step reward */
        *done = 1;
    }
    if (pos.x > (TERRAIN_LENGTH - TERRAIN_GRASS) * TERRAIN_STEP)
        *done = 1;
    *reward = r;
    return TK_OK;
}

} /* namespace bw */

namespace bw {

/* A TMA body on the track (parametric_continuous_stump_tracks.py,
 * _generate_walker): old morphologies spawn 2 LEG_H above the ground, new
 * ones at their AGENT_CENTER_HEIGHT; the hull is the head. */
void Env::build_body(tk_rng *rng)
{
    if (!agent_)
        agent_ = new pk::Agent();
    *agent_ = pk::Agent();
    agent_->spec = cfg_.body;
    agent_->hull_critical = true; /* walkers on Stump Tracks */
    const double init_x = TERRAIN_STEP * TERRAIN_STARTPAD / 2.0;
    const pk::BodySpec &b = *cfg_.body;
    const double init_y =
        TERRAIN_HEIGHT + (b.old_leg_h > 0.0 ? 2.0 * b.old_leg_h : b.agent_center_height);
    const double push = -INITIAL_RANDOM + 2.0 * INITIAL_RANDOM * tk_rng_uniform(rng);
    cfg_.body->build(agent_, world_, init_x, init_y, push);
    hull_ = agent_->parts[agent_->head].body;
    legs_.clear();
    for (size_t i = 0; i < agent_->parts.size(); i++)
        if (i != agent_->head)
            legs_.push_back(agent_->parts[i].body);
}

/* Per motor: angle + correction, speed / speed control and, where the
 * motor checks contact, its part's flag.  Returns the values written. */
int Env::body_observation(float *obs)
{
    int o = 0;
    for (const pk::Motor &m : agent_->motors) {
        obs[o++] = (float)(m.joint->GetJointAngle() + m.angle_correction);
        obs[o++] = (float)(m.joint->GetJointSpeed() / m.speed_control);
        if (m.contact_part >= 0)
            obs[o++] = agent_->parts[(size_t)m.contact_part].has_contact ? 1.0f : 0.0f;
    }
    return o;
}

} /* namespace bw */
