/* SPDX-License-Identifier: Apache-2.0 */
/* A bounded pre-scan of the protobuf wire format of an ONNX ModelProto, following only the
 * fields through which messages can nest (subgraphs, functions, nested TypeProtos), so
 * that protobuf-c's recursive unpacker never sees a file nested deep enough to exhaust
 * the stack. Field numbers are those of onnx.proto. */
#include "onnx_internal.h"

enum kind {
    KIND_NONE,
    KIND_MODEL,
    KIND_GRAPH,
    KIND_NODE,
    KIND_ATTR,
    KIND_VALUE_INFO,
    KIND_TYPE,
    KIND_TYPE_SEQ, /* TypeProto.Sequence: elem_type = 1 */
    KIND_TYPE_MAP, /* TypeProto.Map: value_type = 2 */
    KIND_TYPE_OPT, /* TypeProto.Optional: elem_type = 1 */
    KIND_TRAINING,
    KIND_FUNCTION,
};

/* The message kind held by field `field` of a `parent` message, or KIND_NONE when the
 * field cannot lead to deeper nesting. */
static enum kind child_kind(enum kind parent, uint64_t field)
{
    switch (parent) {
    case KIND_MODEL:
        return field == 7    ? KIND_GRAPH
               : field == 20 ? KIND_TRAINING
               : field == 25 ? KIND_FUNCTION
                             : KIND_NONE;
    case KIND_GRAPH:
        return field == 1                                    ? KIND_NODE
               : (field == 11 || field == 12 || field == 13) ? KIND_VALUE_INFO
                                                             : KIND_NONE;
    case KIND_NODE:
        return field == 5 ? KIND_ATTR : KIND_NONE;
    case KIND_ATTR:
        return (field == 6 || field == 11)    ? KIND_GRAPH
               : (field == 14 || field == 15) ? KIND_TYPE
                                              : KIND_NONE;
    case KIND_VALUE_INFO:
        return field == 2 ? KIND_TYPE : KIND_NONE;
    case KIND_TYPE:
        return field == 4   ? KIND_TYPE_SEQ
               : field == 5 ? KIND_TYPE_MAP
               : field == 9 ? KIND_TYPE_OPT
                            : KIND_NONE;
    case KIND_TYPE_SEQ:
    case KIND_TYPE_OPT:
        return field == 1 ? KIND_TYPE : KIND_NONE;
    case KIND_TYPE_MAP:
        return field == 2 ? KIND_TYPE : KIND_NONE;
    case KIND_TRAINING:
        return (field == 1 || field == 2) ? KIND_GRAPH : KIND_NONE;
    case KIND_FUNCTION:
        return field == 7 ? KIND_NODE : KIND_NONE;
    default:
        return KIND_NONE;
    }
}

static bool read_varint(const uint8_t *p, size_t n, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= n) return false;
        uint8_t b = p[(*pos)++];
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}

/* Returns false only for "too deep"; malformed bytes end the scan of this message. The
 * recursion depth is bounded by max_depth itself. */
static bool scan(const uint8_t *p, size_t n, enum kind k, int depth, int max_depth)
{
    if (depth > max_depth) return false;
    size_t pos = 0;
    while (pos < n) {
        uint64_t key, len;
        if (!read_varint(p, n, &pos, &key)) return true;
        switch (key & 7) {
        case 0:
            if (!read_varint(p, n, &pos, &len)) return true;
            break;
        case 1:
            if (n - pos < 8) return true;
            pos += 8;
            break;
        case 5:
            if (n - pos < 4) return true;
            pos += 4;
            break;
        case 2: {
            if (!read_varint(p, n, &pos, &len) || len > n - pos) return true;
            enum kind c = child_kind(k, key >> 3);
            if (c != KIND_NONE && !scan(p + pos, (size_t)len, c, depth + 1, max_depth))
                return false;
            pos += (size_t)len;
            break;
        }
        default:
            return true; /* groups (3, 4) and invalid types: protobuf-c decides */
        }
    }
    return true;
}

bool yq__onnx_nesting_ok(const uint8_t *p, size_t n, int max_depth)
{
    return scan(p, n, KIND_MODEL, 0, max_depth);
}

static void *pb_alloc(void *data, size_t size)
{
    void *p = yq__malloc(size);
    if (!p)
        ((struct yq__pb_alloc *)data)->failed = true;
    return p;
}

static void pb_free(void *data, void *p)
{
    (void)data;
    yq__free(p);
}

void yq__pb_alloc_init(struct yq__pb_alloc *pa)
{
    pa->a.alloc = pb_alloc;
    pa->a.free = pb_free;
    pa->a.allocator_data = pa;
    pa->failed = false;
}
