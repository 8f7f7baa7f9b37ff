/*
 * The Parkour terrain generator: a fixed CPPN (TanHSoftplusMixCPPN of
 * flowersteam/TeachMyAgent, PCGAgents/CPPN/TanHSoftplusMixCPPN.py) that maps
 * an x position and an input vector to (ground, ceiling) heights.
 *
 * Network: rows [x / (x_dim - 1), input_vector...] go through
 * tanh(. W0), softplus(. W1), tanh(. W2), softplus(. W3), . W4 -- no biases.
 * Weights come from a JSON file (data/parkour/same_ground_ceiling_cppn.json:
 * {"layers": [{"shape": [rows, cols], "row_major": [...]}, ...]}).
 *
 * Thread rules: a loaded pk_cppn is read-only; pk_cppn_generate may run on
 * several threads at once on the same network.
 */
#ifndef PK_CPPN_H
#define PK_CPPN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PK_CPPN_LAYERS 5

typedef struct pk_cppn pk_cppn;

/* Read the weights from `path`.  On success *out owns a network (free with
 * pk_cppn_free) and 0 is returned; on failure -1, *out is NULL and `err`
 * (err_size bytes) says why. */
int pk_cppn_load(const char *path, pk_cppn **out, char *err, size_t err_size);
void pk_cppn_free(pk_cppn *net);

/* Size of the input vector (the first layer's rows minus the x column) and
 * of one output row. */
size_t pk_cppn_input_dim(const pk_cppn *net);
size_t pk_cppn_output_dim(const pk_cppn *net);

/* Evaluate the network on x_dim >= 2 evenly spaced x positions in [0, 1]:
 * out[i * output_dim + k] is output k at x = i / (x_dim - 1).  `input`
 * holds input_dim values.  Returns 0, or -1 when out of memory. */
int pk_cppn_generate(const pk_cppn *net, const double *input, size_t x_dim, double *out);

#ifdef __cplusplus
}
#endif

#endif
