/*
 * Walker morphologies and spawning (TDRL bipedal_walker_continuous.py,
 * my_init and reset; TMA differences from TeachMyAgent
 * TeachMyAgent/environments/envs/bodies/walkers/old/).
 */
#include <cmath>
#include <cstring>

#include "bw_env.hpp"
#include "teachkit/rng.h"

namespace bw {

/* TDRL my_init({'leg_size': ...}).  TMA's old_classic_bipedal and
 * old_big_quadru are the TDRL default and quadru bodies with TORQUE_PENALTY
 * 0.00035 and 0.00035 / 2 (OldClassicBipedalBody.py, OldBigQuadruBody.py). */
static const Morphology MORPHOLOGIES[] = {
    {"default",
     {{-30, 9}, {6, 9}, {34, 1}, {34, -8}, {-30, -8}},
     64, 8, 34, 1, {0.0, 0.0}, 80.0, 0.00035, 0.00035},
    {"short",
     {{-30, 9}, {6, 9}, {34, 1}, {34, -8}, {-30, -8}},
     64, 8, 17, 1, {0.0, 0.0}, 80.0, 0.00035, 0.00035},
    {"quadru",
     {{-46, 13}, {6, 13}, {50, 5}, {50, -12}, {-46, -12}},
     96, 10, 51, 2, {-1.2, 0.85}, 300.0, 0.00035 / 8, 0.00035 / 2},
};

const char *const MORPHOLOGY_NAMES[] = {"default", "short", "quadru", nullptr};

const Morphology *find_morphology(const char *name)
{
    for (const Morphology &m : MORPHOLOGIES)
        if (std::strcmp(m.name, name) == 0)
            return &m;
    return nullptr;
}

void finish_config(Config *cfg, bool lidar_auto)
{
    const bool tma = cfg->variant == Variant::TMA;
    if (lidar_auto)
        cfg->lidar = tma ? LidarMode::Closest : LidarMode::FirstHit;
    cfg->track_all_lower_legs = tma;
    cfg->walker_mask = tma ? 0x000F : 0x0001;
    /* TDRL: torque_penalty * MOTORS_TORQUE; TMA: TORQUE_PENALTY * 80. */
    cfg->torque_cost = tma ? cfg->morph->tma_torque_penalty * 80.0
                           : cfg->morph->torque_penalty * cfg->morph->motors_torque;
}

/* np.interp(x, [-1, 1], [-w, w]), clamped at the ends like numpy. */
static double interp_anchor(double x, double half_width)
{
    if (x <= -1.0)
        return -half_width;
    if (x >= 1.0)
        return half_width;
    return -half_width + (x + 1.0) / 2.0 * (2.0 * half_width);
}

void Env::build_walker(tk_rng *rng)
{
    const Morphology &mo = *cfg_.morph;
    const double TS = TERRAIN_STEP;
    const double leg_down = -8.0 / SCALE;
    const double leg_w = mo.leg_w / SCALE, leg_h = mo.leg_h / SCALE;
    const double init_x = TS * TERRAIN_STARTPAD / 2.0;
    const double init_y = TERRAIN_HEIGHT + 2.0 * leg_h;

    /* Box2D 2.4.1 joint setters wake bodies only when the value changes, so
     * a saturated policy could let the walker fall asleep and freeze; in
     * 2.3 the per-step setters always woke it.  Never let it sleep. */
    b2BodyDef bd;
    bd.type = b2_dynamicBody;
    bd.allowSleep = false;

    b2Vec2 hull_pts[5];
    for (int i = 0; i < 5; i++)
        hull_pts[i].Set((float)(mo.hull_poly[i][0] / SCALE), (float)(mo.hull_poly[i][1] / SCALE));
    b2PolygonShape hull_shape;
    hull_shape.Set(hull_pts, 5);
    b2FixtureDef hull_fd;
    hull_fd.shape = &hull_shape;
    hull_fd.density = 5.0f;
    hull_fd.friction = 0.1f;
    hull_fd.restitution = 0.0f;
    hull_fd.filter.categoryBits = WALKER_CATEGORY;
    hull_fd.filter.maskBits = cfg_.walker_mask;

    b2PolygonShape upper_shape, lower_shape;
    upper_shape.SetAsBox((float)(leg_w / 2.0), (float)(leg_h / 2.0));
    lower_shape.SetAsBox((float)(0.8 * leg_w / 2.0), (float)(leg_h / 2.0));
    b2FixtureDef leg_fd; /* friction: Box2D's default 0.2, as pybox2d's */
    leg_fd.density = 1.0f;
    leg_fd.restitution = 0.0f;
    leg_fd.filter.categoryBits = WALKER_CATEGORY;
    leg_fd.filter.maskBits = cfg_.walker_mask;
    b2FixtureDef lower_fd = leg_fd;
    leg_fd.shape = &upper_shape;
    lower_fd.shape = &lower_shape;

    bd.position.Set((float)init_x, (float)init_y);
    bd.angle = 0.0f;
    bd.userData.pointer = 1; /* contact tag: the hull */
    hull_ = world_->CreateBody(&bd);
    hull_->CreateFixture(&hull_fd);
    double push = -INITIAL_RANDOM + 2.0 * INITIAL_RANDOM * tk_rng_uniform(rng);
    hull_->ApplyForceToCenter(b2Vec2((float)push, 0.0f), true);

    legs_.clear();
    joints_.clear();
    const double half_width = mo.hull_width / 2.0 / SCALE;
    for (int pair = 0; pair < mo.pairs; pair++) {
        const double x_anchor = mo.x_anchor[pair];
        const double absolute_x = init_x + interp_anchor(x_anchor, half_width);
        for (int i = -1; i <= 1; i += 2) {
            /* Upper leg, starting 0.533 m below the hull anchor (TDRL's
             * reset, inherited from gym's BipedalWalker; kept). */
            bd.position.Set((float)absolute_x, (float)(init_y - leg_h / 2.0 - leg_down));
            bd.angle = (float)(i * 0.05);
            bd.userData.pointer = 0;
            b2Body *upper = world_->CreateBody(&bd);
            upper->CreateFixture(&leg_fd);

            b2RevoluteJointDef hip;
            hip.bodyA = hull_;
            hip.bodyB = upper;
            hip.localAnchorA.Set((float)x_anchor, (float)leg_down); /* raw x_anchor, metres */
            hip.localAnchorB.Set(0.0f, (float)(leg_h / 2.0));
            /* pybox2d, given both bodies, sets the reference angle to their
             * angle difference: the hip angle counts from the spawn pose. */
            hip.referenceAngle = upper->GetAngle() - hull_->GetAngle();
            hip.enableMotor = true;
            hip.enableLimit = true;
            hip.maxMotorTorque = (float)mo.motors_torque;
            hip.motorSpeed = (float)i;
            hip.lowerAngle = -0.8f;
            hip.upperAngle = 1.1f;
            legs_.push_back(upper);
            joints_.push_back(static_cast<b2RevoluteJoint *>(world_->CreateJoint(&hip)));

            bd.position.Set((float)absolute_x, (float)(init_y - leg_h * 3.0 / 2.0 - leg_down));
            bd.userData.pointer = 2 + legs_.size() / 2; /* contact tag: lower leg k */
            b2Body *lower = world_->CreateBody(&bd);
            lower->CreateFixture(&lower_fd);

            b2RevoluteJointDef knee;
            knee.bodyA = upper;
            knee.bodyB = lower;
            knee.localAnchorA.Set(0.0f, (float)(-leg_h / 2.0));
            knee.localAnchorB.Set(0.0f, (float)(leg_h / 2.0));
            knee.referenceAngle = 0.0f;
            knee.enableMotor = true;
            knee.enableLimit = true;
            knee.maxMotorTorque = (float)mo.motors_torque;
            knee.motorSpeed = 1.0f;
            knee.lowerAngle = -1.6f;
            knee.upperAngle = -0.1f;
            legs_.push_back(lower);
            joints_.push_back(static_cast<b2RevoluteJoint *>(world_->CreateJoint(&knee)));
        }
    }
}

} /* namespace bw */
