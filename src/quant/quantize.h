/* SPDX-License-Identifier: Apache-2.0 */
/* The quantize pass and the int8 graph contract it produces. The pass turns a calibrated
 * float graph (every activation tensor carries its clipping range in range_min/range_max)
 * into a graph whose quantizable nodes run in int8; the int8 operators in src/ops implement
 * exactly the contract below, and .yqm files store it as is.
 *
 * Contract of a quantized graph (what src/ops may assume for node->quantized == true):
 *  - An int8 activation tensor has dtype S8, q.scale > 0 and finite, q.zero_point in
 *    [-128, 127], q.n_channels == 0: real = (q - zero_point) * scale.
 *  - Conv: in[0] int8 NHWC activation; in[1] S8 constant weight in ONNX order
 *    [M, C/group, kh, kw] (layout PLAIN), symmetric in [-127, 127], zero point 0, scales
 *    per output channel (q.n_channels == M, q.axis == 0, q.channel_scales) or per tensor
 *    (q.n_channels == 0, q.scale); in[2] optional S32 constant bias [M] with scale
 *    s_in * s_w[j]. acc[j] = bias[j] + sum (x - zp_in) * w. Output:
 *      S8: requantized. With node->act.kind == NONE, q = sat(round(acc * s_in*s_w[j] / s_out)
 *          + zp_out). With an activation, by the node's string attribute "yq.act_mode":
 *          "lut" (default): acc is first requantized to the pre-activation code
 *          q1 = sat(round(acc * s_in*s_w[j] / pre_scale) + pre_zp) with float attribute
 *          "yq.pre_scale" and int attribute "yq.pre_zero_point", then
 *          q = lut[q1], lut[c] = quantize_out(act((c - pre_zp) * pre_scale));
 *          "float": q = quantize_out(act(acc * s_in*s_w[j])) in fp32.
 *      F32: out = act(acc * s_in*s_w[j]) (a head output kept in float).
 *    round is round-half-to-even; sat clamps to [-128, 127].
 *  - Add, Mul: two S8 inputs of the same shape (or one a single-element S8 constant), each
 *    with its own parameters; S8 output; act NONE. Computed in fp32 from the real values
 *    and quantized once.
 *  - Concat: S8 inputs with their own parameters, S8 output with its own; an input whose
 *    parameters equal the output's is copied, others requantized.
 *  - MaxPool, Resize (nearest), Split, Slice, Reshape, Flatten, Squeeze, Unsqueeze,
 *    Transpose, Identity, Pad (constant 0): output parameters equal the input's; the op
 *    moves codes (Pad fills with the zero point).
 *  - AveragePool, GlobalAveragePool: output parameters equal the input's;
 *    q = round_half_even(sum (x - zp) / cnt) + zp (cnt as the fp32 op counts taps).
 *  - Sigmoid, SiLU, Relu, LeakyRelu, HardSwish, HardSigmoid, Clip, Tanh: a 256-entry lookup
 *    table from the input's parameters to the output's.
 *  - Softmax: S8 in, S8 out with its own parameters; exp(x - max) from a 256-entry table of
 *    exp(-d * s_in), sum and division in fp32, rounded once.
 *  - yq.Quantize: F32 in -> S8 out (output's parameters); yq.Dequantize: S8 in -> F32 out.
 *  - A graph input consumed by int8 nodes is itself S8 NHWC with parameters derived from
 *    the preprocessing (mean/std): the runtime converts a uint8 image on set_input.
 *
 * Internal API (yq__); single-threaded per graph. */
#ifndef YQ_QUANTIZE_H
#define YQ_QUANTIZE_H

#include "ir/ir.h"

enum yq__act_mode {
    YQ__ACT_MODE_LUT = 0, /* requantize to the pre-activation code, then a lookup table */
    YQ__ACT_MODE_FLOAT,   /* activation in fp32 on the dequantized accumulator */
    YQ__ACT_MODE_COUNT
};

struct yq__quantize_options {
    bool per_channel;           /* weights per output channel (default) or per tensor */
    enum yq__act_mode act_mode; /* how fused activations of int8 Conv are computed */
    bool float_outputs;         /* graph outputs stay F32 (default) or become S8 */
    /* Preprocessing of the graph input: real = (u8 - mean[c]) / std[c]. */
    float mean[3], std[3];
};
void yq__quantize_options_init(struct yq__quantize_options *o);

/* A node left in float and why ("no int8 implementation", "no calibration range", ...). */
struct yq__quantize_kept {
    char *node;
    char *op;
    char *reason;
};

struct yq__quantize_report {
    int n_quantized;  /* nodes running in int8 */
    int n_float;      /* compute nodes left in float */
    int n_tensors_s8; /* int8 activation tensors */
    int n_boundaries; /* Quantize/Dequantize nodes inserted */
    struct yq__quantize_kept *kept;
    int n_kept;
};
void yq__quantize_report_free(struct yq__quantize_report *r);

/* Quantizes g in place following the contract above. g must be a finished float graph
 * (passes run with Conv+activation fusion off, NHWC, shapes inferred) whose activation
 * tensors have has_range set by calibration; tensors without a range keep their consumers
 * in float. r may be NULL. */
enum yq_status yq__quantize_graph(struct yq__graph *g, const struct yq__quantize_options *o,
                                  struct yq__quantize_report *r, struct yq__err *e);

#endif
