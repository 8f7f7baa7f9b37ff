/*
 * Matrix products on oneDNN's matmul primitive: see nn_matmul.h.
 *
 * Why oneDNN and not BLAS: on the networks of the deep-RL students
 * (400-300, batches of 100-1000) oneDNN's brgemm kernels ran the float32
 * products 1.1-1.4x faster than OpenBLAS 0.3.21's best kernel on the same
 * core, and only oneDNN multiplies bfloat16 on AMX and AVX512-BF16
 * (docs/nn.md#speed has the measurements).  Transposed operands are
 * described by strides, so no product copies its inputs.
 */
#include "nn_matmul.h"

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_simd.h"

struct nn_matmul {
    nn_matmul_shape shape;
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    dnnl_stream_t stream;
    dnnl_memory_t a, b, bias, c;
};

/* ------------------------------------------------------------ the engine */

static dnnl_engine_t engine;
static int engine_ok;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void engine_create(void)
{
    engine_ok = dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success;
}

static dnnl_engine_t get_engine(void)
{
    pthread_once(&engine_once, engine_create);
    return engine_ok ? engine : NULL;
}

/* ------------------------------------------------------------ planning */

void nn_matmul_free(nn_matmul *p)
{
    if (!p)
        return;
    dnnl_memory_destroy(p->a);
    dnnl_memory_destroy(p->b);
    dnnl_memory_destroy(p->bias);
    dnnl_memory_destroy(p->c);
    dnnl_primitive_destroy(p->prim);
    dnnl_primitive_desc_destroy(p->pd);
    dnnl_stream_destroy(p->stream);
    free(p);
}

/* A row-major [rows x cols] matrix, or its transpose stored [cols x rows]. */
static int matrix_md(dnnl_memory_desc_t *md, size_t rows, size_t cols, int transposed,
                     dnnl_data_type_t type)
{
    const dnnl_dims_t dims = {(dnnl_dim_t)rows, (dnnl_dim_t)cols};
    const dnnl_dims_t strides = {transposed ? 1 : (dnnl_dim_t)cols,
                                 transposed ? (dnnl_dim_t)rows : 1};
    return dnnl_memory_desc_init_by_strides(md, 2, dims, type, strides) == dnnl_success ? 0 : -1;
}

/* The fused epilogue: sum (C += ...) then (leaky) relu.  oneDNN applies
 * post-ops in order after the bias. */
static int make_attr(const nn_matmul_shape *s, dnnl_primitive_attr_t *attr)
{
    if (dnnl_primitive_attr_create(attr) != dnnl_success)
        return -1;
    if (!s->accumulate && !s->relu && !s->tanh)
        return 0;
    dnnl_post_ops_t po;
    if (dnnl_post_ops_create(&po) != dnnl_success)
        return -1;
    int ok = 1;
    if (s->accumulate)
        ok = dnnl_post_ops_append_sum(po, 1.0f) == dnnl_success;
    if (ok && s->relu)
        ok = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, s->relu_slope, 0.0f) ==
             dnnl_success;
    else if (ok && s->tanh)
        ok = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_tanh, 0.0f, 0.0f) ==
             dnnl_success;
    ok = ok && dnnl_primitive_attr_set_post_ops(*attr, po) == dnnl_success;
    dnnl_post_ops_destroy(po);
    return ok ? 0 : -1;
}

static int make_memory(dnnl_memory_t *mem, const dnnl_memory_desc_t *md, dnnl_engine_t eng)
{
    return dnnl_memory_create(mem, md, eng, DNNL_MEMORY_NONE) == dnnl_success ? 0 : -1;
}

nn_matmul *nn_matmul_plan(const nn_matmul_shape *s)
{
    dnnl_engine_t eng = get_engine();
    if (!s || !eng || s->m == 0 || s->n == 0 || s->k == 0 || (s->c_bf16 && s->accumulate))
        return NULL;
    nn_matmul *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->shape = *s;
    const dnnl_data_type_t in_type = s->bf16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_t a_md, b_md, c_md, bias_md;
    dnnl_matmul_desc_t desc;
    dnnl_primitive_attr_t attr = NULL;
    int ok = matrix_md(&a_md, s->m, s->k, s->trans_a, in_type) == 0 &&
             matrix_md(&b_md, s->k, s->n, s->trans_b, in_type) == 0 &&
             matrix_md(&c_md, s->m, s->n, 0, s->c_bf16 ? dnnl_bf16 : dnnl_f32) == 0 &&
             matrix_md(&bias_md, 1, s->n, 0, dnnl_f32) == 0 &&
             dnnl_matmul_desc_init(&desc, &a_md, &b_md, s->bias ? &bias_md : NULL, &c_md) ==
                 dnnl_success &&
             make_attr(s, &attr) == 0 &&
             dnnl_primitive_desc_create(&p->pd, &desc, attr, eng, NULL) == dnnl_success &&
             dnnl_primitive_create(&p->prim, p->pd) == dnnl_success &&
             dnnl_stream_create(&p->stream, eng, dnnl_stream_default_flags) == dnnl_success &&
             make_memory(&p->a, &a_md, eng) == 0 && make_memory(&p->b, &b_md, eng) == 0 &&
             make_memory(&p->c, &c_md, eng) == 0 &&
             (!s->bias || make_memory(&p->bias, &bias_md, eng) == 0);
    dnnl_primitive_attr_destroy(attr);
    if (!ok) {
        nn_matmul_free(p);
        return NULL;
    }
    return p;
}

const nn_matmul_shape *nn_matmul_shape_of(const nn_matmul *p) { return &p->shape; }

static int set_handle(dnnl_memory_t mem, const void *ptr, dnnl_stream_t stream)
{
    /* oneDNN takes non-const handles; it only reads A, B and the bias. */
    return dnnl_memory_set_data_handle_v2(mem, (void *)ptr, stream) == dnnl_success ? 0 : -1;
}

int nn_matmul_run(nn_matmul *p, const void *a, const void *b, const float *bias, void *c)
{
    if (set_handle(p->a, a, p->stream) || set_handle(p->b, b, p->stream) ||
        set_handle(p->c, c, p->stream) ||
        (p->bias && set_handle(p->bias, bias, p->stream)))
        return -1;
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, p->a}, {DNNL_ARG_WEIGHTS, p->b},
                               {DNNL_ARG_DST, p->c}, {DNNL_ARG_BIAS, p->bias}};
    if (dnnl_primitive_execute(p->prim, p->stream, p->bias ? 4 : 3, args) != dnnl_success)
        return -1;
    return dnnl_stream_wait(p->stream) == dnnl_success ? 0 : -1;
}

const char *nn_matmul_impl(const nn_matmul *p)
{
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(p->pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success)
        return "?";
    return impl;
}

void nn_matmul_probe_impl(int bf16, size_t size, char *buf, size_t buf_size)
{
    const nn_matmul_shape shape = {.m = size, .n = size, .k = size, .bf16 = bf16};
    nn_matmul *p = nn_matmul_plan(&shape);
    snprintf(buf, buf_size, "%s", p ? nn_matmul_impl(p) : "none");
    nn_matmul_free(p);
}

/* ------------------------------------------------------------ bfloat16 */

TK_NN_KERNEL void nn_to_bf16(uint16_t *restrict dst, const float *restrict src, size_t count)
{
    for (size_t i = 0; i < count; i++)
        dst[i] = nn_bf16_round(src[i]);
}

/* ------------------------------------------------------------ the CPU */

int nn_matmul_bf16_native(void)
{
    /* avx512_core_bf16 (0xe7) and avx512_core_amx (0x3e7) both contain the
     * avx512_core_bf16 bits; oneDNN only reports an ISA the OS enables
     * (AMX tiles need the kernel's permission, which oneDNN requests). */
    const dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    return ((unsigned)isa & (unsigned)dnnl_cpu_isa_avx512_core_bf16) ==
           (unsigned)dnnl_cpu_isa_avx512_core_bf16;
}

const char *nn_matmul_isa(void)
{
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "unknown";
    }
}

static char version_text[32];

static void format_version(void)
{
    const dnnl_version_t *v = dnnl_version();
    snprintf(version_text, sizeof version_text, "%d.%d.%d", v->major, v->minor, v->patch);
}

const char *nn_matmul_version(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, format_version);
    return version_text;
}
