#include "sfl_select.h"

double sfl_learnability(uint64_t successes, uint64_t plays)
{
    if (plays == 0)
        return 0.0;
    const double p = (double)successes / (double)plays;
    return p * (1.0 - p);
}

void sfl_top_k(const double *learnability, size_t n, size_t k, size_t *order, size_t *top)
{
    /* Insertion sort, descending and stable: n is a refresh's candidates,
     * sorted once per refresh. */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && learnability[order[j - 1]] < learnability[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    for (size_t r = 0; r < k && r < n; r++)
        top[r] = order[r];
}
