#include "teachkit/stop_request.h"

volatile sig_atomic_t tk_stop_requested;
volatile sig_atomic_t tk_stop_at_step;

int tk_stop_inside_episode(void)
{
    return tk_stop_requested != TK_STOP_NONE && tk_stop_at_step;
}
