/* SPDX-License-Identifier: Apache-2.0 */
/* TensorProto → IR constant: validates dims and data length against what the file holds,
 * reads either raw_data (little-endian) or the typed repeated fields, and converts to the
 * dtypes the engine keeps (onnx.h). Nothing is allocated before the sizes are checked, so
 * a lying header cannot make us allocate more than the file could hold. */
#include "onnx.h"
#include "onnx_internal.h"

#include <math.h>
#include <string.h>

#define DT(x) ONNX__TENSOR_PROTO__DATA_TYPE__##x

float yq__onnx_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13); /* inf / nan */
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
        bits = sign;
    } else {
        /* subnormal: normalise the mantissa */
        int e = -1;
        do {
            e++;
            man <<= 1;
        } while (!(man & 0x400));
        bits = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3ff) << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static float bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Little-endian loads: the file's byte order, whatever the host's. */
static uint64_t load_le(const uint8_t *p, size_t size)
{
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

struct dtype_info {
    int onnx;
    enum yq__dtype dst;
    size_t src_size; /* bytes per element in raw_data */
    const char *name;
};

static const struct dtype_info dtypes[] = {
    {DT(FLOAT), YQ__DTYPE_F32, 4, "float"},       {DT(FLOAT16), YQ__DTYPE_F32, 2, "float16"},
    {DT(BFLOAT16), YQ__DTYPE_F32, 2, "bfloat16"}, {DT(DOUBLE), YQ__DTYPE_F32, 8, "double"},
    {DT(INT64), YQ__DTYPE_S64, 8, "int64"},       {DT(INT32), YQ__DTYPE_S32, 4, "int32"},
    {DT(INT16), YQ__DTYPE_S32, 2, "int16"},       {DT(UINT16), YQ__DTYPE_S32, 2, "uint16"},
    {DT(INT8), YQ__DTYPE_S8, 1, "int8"},          {DT(UINT8), YQ__DTYPE_U8, 1, "uint8"},
    {DT(BOOL), YQ__DTYPE_BOOL, 1, "bool"},
};

static const char *onnx_dtype_name(int t)
{
    static const char *names[] = {"undefined",  "float",   "uint8",  "int8",   "uint16",
                                  "int16",      "int32",   "int64",  "string", "bool",
                                  "float16",    "double",  "uint32", "uint64", "complex64",
                                  "complex128", "bfloat16"};
    return t >= 0 && (size_t)t < YQ_COUNTOF(names) ? names[t] : "unknown";
}

/* Element i of the source as a 64-bit pattern / value, from raw bytes or a typed field. */
struct source {
    const uint8_t *raw; /* NULL: typed field */
    const float *f;
    const double *d;
    const int32_t *i32;
    const int64_t *i64;
};

static void convert(const struct dtype_info *di, const struct source *s, size_t numel, void *dst)
{
    for (size_t i = 0; i < numel; i++) {
        const uint8_t *r = s->raw ? s->raw + i * di->src_size : NULL;
        switch (di->onnx) {
        case DT(FLOAT): {
            float v;
            if (r)
                memcpy(&v, &(uint32_t){(uint32_t)load_le(r, 4)}, 4);
            else
                v = s->f[i];
            ((float *)dst)[i] = v;
            break;
        }
        case DT(FLOAT16):
            ((float *)dst)[i] =
                yq__onnx_f16_to_f32((uint16_t)(r ? load_le(r, 2) : (uint32_t)s->i32[i]));
            break;
        case DT(BFLOAT16):
            ((float *)dst)[i] = bf16_to_f32((uint16_t)(r ? load_le(r, 2) : (uint32_t)s->i32[i]));
            break;
        case DT(DOUBLE): {
            double v;
            if (r)
                memcpy(&v, &(uint64_t){load_le(r, 8)}, 8);
            else
                v = s->d[i];
            /* out-of-range doubles would be undefined behaviour to convert */
            if (v != v)
                ((float *)dst)[i] = (float)v;
            else if (v > 3.4028234663852886e38)
                ((float *)dst)[i] = INFINITY;
            else if (v < -3.4028234663852886e38)
                ((float *)dst)[i] = -INFINITY;
            else
                ((float *)dst)[i] = (float)v;
            break;
        }
        case DT(INT64):
            ((int64_t *)dst)[i] = r ? (int64_t)load_le(r, 8) : s->i64[i];
            break;
        case DT(INT32):
            ((int32_t *)dst)[i] = r ? (int32_t)(uint32_t)load_le(r, 4) : s->i32[i];
            break;
        case DT(INT16):
            ((int32_t *)dst)[i] = r ? (int16_t)(uint16_t)load_le(r, 2) : (int16_t)s->i32[i];
            break;
        case DT(UINT16):
            ((int32_t *)dst)[i] = r ? (uint16_t)load_le(r, 2) : (uint16_t)s->i32[i];
            break;
        case DT(INT8):
            ((int8_t *)dst)[i] = (int8_t)(r ? r[0] : (uint8_t)s->i32[i]);
            break;
        case DT(UINT8):
            ((uint8_t *)dst)[i] = r ? r[0] : (uint8_t)s->i32[i];
            break;
        case DT(BOOL):
            ((uint8_t *)dst)[i] = (r ? r[0] : s->i32[i]) != 0;
            break;
        }
    }
}

enum yq_status yq__onnx_add_tensor_const(struct yq__graph *g, const Onnx__TensorProto *tp,
                                         const char *name, const char *what, int *out_idx,
                                         struct yq__err *e)
{
    const char *src = g->source;
    *out_idx = -1;
    int dt = tp->has_data_type ? tp->data_type : 0;
    const struct dtype_info *di = NULL;
    for (size_t i = 0; i < YQ_COUNTOF(dtypes); i++)
        if (dtypes[i].onnx == dt) di = &dtypes[i];
    if (!di)
        return yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: %s: data type %s (%d) is not supported", src,
                        what, onnx_dtype_name(dt), dt);
    if ((tp->has_data_location &&
         tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
        tp->n_external_data > 0)
        return yq__errf(e, YQ_STATUS_UNSUPPORTED,
                        "%s: %s: weights stored in an external file are not supported; "
                        "re-export with the weights inside the .onnx file",
                        src, what);
    if (tp->segment)
        return yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: %s: segmented tensors are not supported",
                        src, what);
    if (tp->n_dims > YQ__MAX_RANK)
        return yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: %s: rank %zu exceeds %d", src, what,
                        tp->n_dims, YQ__MAX_RANK);
    struct yq__shape shape = {0};
    shape.rank = (int)tp->n_dims;
    size_t numel = 1;
    for (size_t i = 0; i < tp->n_dims; i++) {
        int64_t d = tp->dims[i];
        /* INT32_MAX per dim keeps later int arithmetic in the operators sane */
        if (d < 0 || d > INT32_MAX)
            return yq__errf(e, YQ_STATUS_BAD_MODEL, "%s: %s: invalid dimension %lld", src, what,
                            (long long)d);
        shape.d[i] = d;
        if (!yq__mul_size(numel, (size_t)d, &numel) || numel > ((size_t)1 << 40))
            return yq__errf(e, YQ_STATUS_BAD_MODEL, "%s: %s: element count overflows", src, what);
    }

    struct source s = {0};
    size_t have = 0;
    bool has_raw = tp->has_raw_data && tp->raw_data.len > 0;
    if (has_raw) {
        size_t want;
        if (!yq__mul_size(numel, di->src_size, &want) || tp->raw_data.len != want)
            return yq__errf(e, YQ_STATUS_BAD_MODEL,
                            "%s: %s: raw_data holds %zu bytes, expected %zu elements of %s", src,
                            what, tp->raw_data.len, numel, di->name);
        s.raw = tp->raw_data.data;
        have = numel;
    } else {
        switch (dt) {
        case DT(FLOAT):
            s.f = tp->float_data;
            have = tp->n_float_data;
            break;
        case DT(DOUBLE):
            s.d = tp->double_data;
            have = tp->n_double_data;
            break;
        case DT(INT64):
            s.i64 = tp->int64_data;
            have = tp->n_int64_data;
            break;
        default: /* int32_data carries every narrower type's bit pattern */
            s.i32 = tp->int32_data;
            have = tp->n_int32_data;
            break;
        }
        if (have != numel)
            return yq__errf(e, YQ_STATUS_BAD_MODEL, "%s: %s: holds %zu values, shape needs %zu",
                            src, what, have, numel);
    }

    size_t nbytes = numel * yq__dtype_size(di->dst); /* <= 2^43: no overflow */
    void *data = yq__aligned_alloc(nbytes);
    if (!data)
        return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: %s: out of memory (%zu bytes)", src, what,
                        nbytes);
    convert(di, &s, numel, data);
    int t = yq__graph_add_const(g, name, di->dst, &shape, data, nbytes);
    if (t < 0) return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", src);
    *out_idx = t;
    return YQ_STATUS_OK;
}
