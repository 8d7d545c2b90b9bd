/* SPDX-License-Identifier: Apache-2.0 */
/* A serialized TensorProto (the input_N.pb / output_N.pb of ONNX's own test vectors, or a
 * user's tensor for `yoloq run`) read into a host array that keeps its ONNX element type.
 * Untrusted bytes: dims, counts and payload sizes are checked against each other. */
#include <string.h>

#include "onnx.h"
#include "onnx_internal.h"
#include "yoloq/toolkit.h"

size_t yq__onnx_elem_size(int t)
{
    switch (t) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
        return 4;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL:
        return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16:
        return 2;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
        return 8;
    default:
        return 0;
    }
}

/* Typed fields: float_data (FLOAT), double_data (DOUBLE), int64_data (INT64), int32_data
 * for every narrower integer type, BOOL and FLOAT16 (its bits in the low 16). */
static bool copy_typed(const Onnx__TensorProto *tp, int t, size_t n, unsigned char *dst)
{
    switch (t) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
        if (tp->n_float_data != n) return false;
        if (n) memcpy(dst, tp->float_data, n * 4);
        return true;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
        if (tp->n_double_data != n) return false;
        if (n) memcpy(dst, tp->double_data, n * 8);
        return true;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
        if (tp->n_int64_data != n) return false;
        if (n) memcpy(dst, tp->int64_data, n * 8);
        return true;
    default:
        break;
    }
    if (tp->n_int32_data != n) return false;
    size_t es = yq__onnx_elem_size(t);
    for (size_t i = 0; i < n; i++) {
        int32_t v = tp->int32_data[i];
        if (es == 4) {
            memcpy(dst + 4 * i, &v, 4);
        } else if (es == 2) {
            uint16_t h = (uint16_t)v;
            memcpy(dst + 2 * i, &h, 2);
        } else {
            dst[i] = (unsigned char)v;
        }
    }
    return true;
}

enum yq_status yq__onnx_array_from_pb(const void *data, size_t size, const char *what,
                                      struct yq_array *out, struct yq__err *e)
{
    memset(out, 0, sizeof *out);
    struct yq__pb_alloc pa;
    yq__pb_alloc_init(&pa);
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(&pa.a, size, size ? data : (const void *)"");
    if (!tp && pa.failed) return yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", what);
    if (!tp) return yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: not a TensorProto", what);
    enum yq_status st = YQ_STATUS_OK;
    int t = tp->has_data_type ? tp->data_type : 0;
    size_t es = yq__onnx_elem_size(t), n = 1;
    if (!es) {
        st = yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: element type %d is not supported", what, t);
        goto done;
    }
    if (tp->n_dims > YQ_MAX_DIMS) {
        st = yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: rank %zu (at most %d)", what, tp->n_dims,
                      YQ_MAX_DIMS);
        goto done;
    }
    for (size_t d = 0; d < tp->n_dims; d++) {
        int64_t v = tp->dims[d];
        if (v < 0 || (v && n > ((size_t)1 << 40) / (size_t)v)) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: dim %zu is %lld", what, d, (long long)v);
            goto done;
        }
        n *= (size_t)v;
        out->dims[d] = v;
    }
    out->n_dims = (int)tp->n_dims;
    out->elem_type = t;
    out->size_bytes = n * es;
    out->data = yq__malloc(out->size_bytes ? out->size_bytes : 1);
    if (!out->data) {
        st = yq__errf(e, YQ_STATUS_OUT_OF_MEMORY, "%s: out of memory", what);
        goto done;
    }
    if (tp->has_raw_data) {
        if (tp->raw_data.len != out->size_bytes) {
            st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: raw_data holds %zu bytes, dims need %zu",
                          what, tp->raw_data.len, out->size_bytes);
            goto done;
        }
        if (n) memcpy(out->data, tp->raw_data.data, out->size_bytes);
    } else if (tp->n_external_data) {
        st = yq__errf(e, YQ_STATUS_UNSUPPORTED, "%s: external data is not supported", what);
    } else if (!copy_typed(tp, t, n, out->data)) {
        st = yq__errf(e, YQ_STATUS_BAD_INPUT, "%s: data count does not match dims", what);
    }
done:
    onnx__tensor_proto__free_unpacked(tp, &pa.a);
    if (st) {
        yq__free(out->data);
        memset(out, 0, sizeof *out);
    }
    return st;
}
