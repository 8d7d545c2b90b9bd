/* SPDX-License-Identifier: Apache-2.0 */
/* The .yqm deployable model file: a finished IR graph (tensors, quant params, nodes,
 * attributes, metadata) plus every constant's bytes, in one little-endian, versioned,
 * checksummed file whose weights sit at 64-byte aligned offsets (so it can be mapped).
 * yqm_write.c serialises a graph; yqm_read.c validates untrusted bytes strictly and rebuilds
 * the graph (then yq_model_load_* hand it to yq__model_create).
 *
 * File layout (version 1). All integers little-endian; "ref" = {u32 offset, u32 length}
 * of a string in STRINGS (length excludes the NUL that must follow it); "aref" = u64 byte
 * offset into ARRAYS.
 *
 *      +--------------------------------------------------------------------+
 *    0 | "YQM1" | u32 version = 1 | u32 flags | u32 n_sections = 8           |
 *   16 | u64 file_size            | u64 checksum                            |
 *   32 | 32 reserved zero bytes                                             |
 *   64 | section table: 8 x {u64 offset, u64 size}, in this order:          |
 *      |   STRINGS TENSORS NODES ATTRS GRAPH META ARRAYS WEIGHTS            |
 *  192 +--------------------------------------------------------------------+
 *      | STRINGS  NUL-terminated strings, never shared between refs         |
 *      | TENSORS  u32 count, u32 0, count x 136-byte tensor records         |
 *      | NODES    u32 count, u32 0, count x 64-byte node records            |
 *      | ATTRS    u32 count, u32 0, count x 40-byte attribute records       |
 *      | GRAPH    ref source, i32 opset, u32 n_in, u32 n_out, u32 0,        |
 *      |          i32 inputs[n_in], i32 outputs[n_out]                      |
 *      | META     u32 count, u32 0, count x {ref key, ref value}            |
 *      | ARRAYS   i32/i64/f32 arrays, each 8-byte aligned                   |
 *      | WEIGHTS  constants' bytes, each at a 64-byte aligned offset        |
 *      +--------------------------------------------------------------------+ file_size
 *   Each section starts 64-byte aligned, zero padding between sections.
 *
 *   tensor (136): ref name | u32 dtype | u32 layout | u32 rank | u32 flags (1 constant,
 *                 2 has_range) | i64 dims[8] (unused = 0) | f32 scale | i32 zero_point |
 *                 i32 q_axis | u32 n_channels | aref channel_scales (f32 x n_channels) |
 *                 f32 range_min | f32 range_max | u64 data_offset (in WEIGHTS) | u64 nbytes
 *   node (64):    ref name | ref op_type (ONNX name: enum order never matters) | u32 n_in |
 *                 u32 n_out | aref in (i32, -1 = omitted) | aref out (i32) | u32 first_attr |
 *                 u32 n_attrs (contiguous in ATTRS) | u32 act (file code) | f32 alpha |
 *                 f32 beta | u32 flags (1 quantized, 2 dead)
 *   attr (40):    ref name | u32 kind (1 int, 2 float, 3 ints, 4 floats, 5 string) | u32 n |
 *                 i64 i | f32 f | u32 0 | u64 data (aref of n i64/f32, or the STRINGS offset
 *                 of an n-byte string)
 *
 * dtype values are enum yq__dtype's (stable); layout 0 plain, 1 NCHW, 2 NHWC; act codes
 * 0 none, 1 relu, 2 leaky_relu, 3 sigmoid, 4 silu, 5 hard_swish, 6 clip.
 *
 * The checksum covers bytes [32, file_size) (section table and every section; the first 32
 * bytes are all checked exactly). Over those n bytes read as little-endian u64 words w[j]
 * (the last zero-padded), with mix(h, w) = { h = (h ^ w) * 0x100000001b3; h ^ (h >> 32) }
 * and I = 0xcbf29ce484222325: lanes h[l] = I + l (l = 0..3); h[j % 4] = mix(h[j % 4], w[j])
 * for every j; r = I; r = mix(r, h[l]) for l = 0..3; checksum = mix(r, n). Each mix is a
 * bijection in either argument, so any change within one 8-byte word is always detected.
 * flags bit 0 marks an encrypted (sealed) file, whose layout yqm_seal.c describes; this
 * reader refuses it (yq__yqm_load_any opens it first); other bits must be 0.
 *
 * The reader checks every offset, length and count against the bytes present and against
 * overflow, all refs in bounds and NUL-terminated, enum values, tensor indices, constant
 * sizes (== numel * element size), rank <= 8, non-negative dims, and the graph's structure
 * (yq__graph_index). Errors are one line: "m.yqm: tensor 12: dims overflow". */
#ifndef YQ_YQM_H
#define YQ_YQM_H

#include <stddef.h>
#include "ir/ir.h"

#define YQ__YQM_MAGIC "YQM1"
#define YQ__YQM_VERSION 1u
#define YQ__YQM_HEADER_SIZE 192u
#define YQ__YQM_FLAG_ENCRYPTED 1u
/* Largest file this build accepts (and writes): 16 GiB, and what size_t can address. */
#define YQ__YQM_MAX_SIZE ((uint64_t)1 << 34)

/* Serialises g into one malloc'd buffer (*data, free with yq__free; *size bytes).
 * g is not modified. Any thread (g must not change meanwhile).
 * @retval YQ_STATUS_INVALID_ARGUMENT the graph cannot be represented (message says what)
 * @retval YQ_STATUS_OUT_OF_MEMORY */
enum yq_status yq__yqm_write_memory(const struct yq__graph *g, void **data, size_t *size,
                                    struct yq__err *e);
/* Same, written to `path` atomically (temp file, fsync, rename: a failed or killed write
 * leaves any older file there intact).
 * @retval YQ_STATUS_IO cannot create or write the file */
enum yq_status yq__yqm_write(const struct yq__graph *g, const char *path, struct yq__err *e);

/* Validates size bytes at data and rebuilds the graph (indexed: producers and flags set).
 * `name` names the file in messages and becomes g->source (NULL: the source stored in the
 * file). data needs no alignment. On failure *out = NULL.
 * @retval YQ_STATUS_BAD_MODEL   truncated, corrupt, foreign, other-version or inconsistent file
 * @retval YQ_STATUS_UNSUPPORTED an encrypted file, or an operator this build does not know
 * @retval YQ_STATUS_OUT_OF_MEMORY */
enum yq_status yq__yqm_read_graph(const void *data, size_t size, const char *name,
                                  struct yq__graph **out, struct yq__err *e);

/* The file checksum of n bytes (defined in the layout comment above). */
#define YQ__YQM_CHECKSUM_INIT 0xcbf29ce484222325ull
uint64_t yq__yqm_checksum(const void *data, size_t n);

/* Sealed files (yqm_seal.c; layout there). True when data starts a sealed .yqm header. */
struct yq_model_options;
bool yq__yqm_is_sealed(const void *data, size_t size);
/* Encrypts n plain bytes into a new yq__malloc'd sealed file image. `what` names it in
 * messages. @retval YQ_STATUS_INVALID_ARGUMENT bad key; YQ_STATUS_UNSUPPORTED no libsodium */
enum yq_status yq__yqm_seal(const void *plain, size_t n, const uint8_t *key, size_t key_len,
                            const char *what, uint8_t **out, size_t *out_size, struct yq__err *e);
/* Checks and decrypts a sealed image into new plain bytes (wipe them after use). One
 * distinct message each: truncated, trailing bytes, no key, wrong key, modified.
 * @retval YQ_STATUS_BAD_MODEL, YQ_STATUS_INVALID_ARGUMENT (key), YQ_STATUS_UNSUPPORTED */
enum yq_status yq__yqm_unseal(const void *data, size_t size, const char *what,
                              const uint8_t *key, size_t key_len, uint8_t **plain,
                              size_t *plain_size, struct yq__err *e);
/* yq__yqm_read_graph on a plain or (with o->key) sealed image. */
enum yq_status yq__yqm_load_any(const void *data, size_t size, const char *name,
                                const struct yq_model_options *o, struct yq__graph **g,
                                struct yq__err *e);

#endif
