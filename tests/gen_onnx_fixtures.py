#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Generates the tiny ONNX fixtures in tests/data/onnx/ used by tests/onnx/test_*.c: single-op
# graphs in both opset forms, every constant encoding, and broken models for the error paths.
# Needs Debian's python3-onnx (1.12). Run: /usr/bin/python3 tests/gen_onnx_fixtures.py
import os
import struct

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper as H
from onnx import numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "onnx")


def vi(name, dims, t=TP.FLOAT):
    return H.make_tensor_value_info(name, t, dims)


def save(name, nodes, inputs, outputs, inits=(), opset=12, meta=None, domains=()):
    g = H.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    ops = [H.make_opsetid("", opset)] + [H.make_opsetid(d, 1) for d in domains]
    m = H.make_model(g, opset_imports=ops, producer_name="gen_onnx_fixtures")
    m.ir_version = 7
    for k, v in (meta or {}).items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())


def raw(name, arr):
    return numpy_helper.from_array(arr, name)  # numpy_helper writes raw_data


def typed(name, dtype, dims, vals):
    return H.make_tensor(name, dtype, dims, vals, raw=False)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(0)

    # Conv: dynamic batch (-> 1), weights raw, bias typed, metadata.
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    save("conv", [H.make_node("Conv", ["x", "w", "b"], ["y"], name="conv0", kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1], strides=[1, 1], group=1)],
         [vi("x", ["N", 3, 4, 4])], [vi("y", None)],
         [raw("w", w), typed("b", TP.FLOAT, [2], [0.5, -0.25])],
         meta={"stride": "8", "names": "{0: 'a', 1: 'b'}"})

    # Split: attribute (11) vs constant input (13).
    save("split_11", [H.make_node("Split", ["x"], ["a", "b"], axis=1, split=[1, 3])],
         [vi("x", [1, 4, 2, 2])], [vi("a", None), vi("b", None)], opset=11)
    save("split_13", [H.make_node("Split", ["x", "s"], ["a", "b"], axis=1)],
         [vi("x", [1, 4, 2, 2])], [vi("a", None), vi("b", None)],
         [raw("s", np.array([1, 3], np.int64))], opset=13)

    # Squeeze/Unsqueeze: attribute (11) vs input (13, from a Constant node).
    save("squeeze_11", [H.make_node("Squeeze", ["x"], ["s"], axes=[0]),
                        H.make_node("Unsqueeze", ["s"], ["y"], axes=[2])],
         [vi("x", [1, 4, 2])], [vi("y", None)], opset=11)
    save("squeeze_13", [H.make_node("Constant", [], ["ax0"], value=typed("v", TP.INT64, [1], [0])),
                        H.make_node("Squeeze", ["x", "ax0"], ["s"]),
                        H.make_node("Unsqueeze", ["s", "ax2"], ["y"])],
         [vi("x", [1, 4, 2])], [vi("y", None)], [raw("ax2", np.array([2], np.int64))], opset=13)

    # Clip: min and max initializers (11); min omitted, max from a Constant (13).
    save("clip_11", [H.make_node("Clip", ["x", "lo", "hi"], ["y"])], [vi("x", [1, 4])],
         [vi("y", None)], [raw("lo", np.array(0.0, np.float32)), raw("hi", np.array(6.0, np.float32))],
         opset=11)
    save("clip_13", [H.make_node("Constant", [], ["hi"], value_float=6.0),
                     H.make_node("Clip", ["x", "", "hi"], ["y"])], [vi("x", [1, 4])],
         [vi("y", None)], opset=13)

    # Softmax with no axis attribute: opset 11 (legacy, axis 1) vs 13 (axis -1).
    for op in (11, 13):
        save("softmax_%d" % op, [H.make_node("Softmax", ["x"], ["y"])], [vi("x", [1, 3, 4])],
             [vi("y", None)], opset=op)

    # Constant node forms, consumed by nothing (graph outputs) plus one real node.
    save("constants", [
        H.make_node("Constant", [], ["c_tensor"], value=typed("v", TP.FLOAT, [2, 2], [1, 2, 3, 4])),
        H.make_node("Constant", [], ["c_float"], value_float=2.5),
        H.make_node("Constant", [], ["c_floats"], value_floats=[1.0, -1.0, 0.5]),
        H.make_node("Constant", [], ["c_int"], value_int=-7),
        H.make_node("Constant", [], ["c_ints"], value_ints=[1, 2, 3, 4]),
        H.make_node("Relu", ["x"], ["y"])],
        [vi("x", [1, 2])],
        [vi("y", None), vi("c_tensor", None), vi("c_float", None), vi("c_floats", None),
         vi("c_int", None), vi("c_ints", None)])

    # Initializers: every supported dtype in raw and typed encodings.
    f16 = np.array([1.0, -2.0, 0.5, 65504.0, 6.1035156e-05, 5.9604645e-08], np.float16)
    inits = [
        raw("f32_raw", np.array([1.5, -2.0, 3.25], np.float32)),
        typed("f32_typed", TP.FLOAT, [3], [1.5, -2.0, 3.25]),
        raw("f16_raw", f16),
        typed("f16_typed", TP.FLOAT16, [6], f16.astype(np.float32).tolist()),  # bit patterns
        raw("f64_raw", np.array([0.125, -1e10], np.float64)),
        typed("f64_typed", TP.DOUBLE, [2], [0.125, -1e10]),
        raw("i64_raw", np.array([[1, -2], [3, 1 << 40]], np.int64)),
        typed("i64_typed", TP.INT64, [2, 2], [1, -2, 3, 1 << 40]),
        raw("i32_raw", np.array([7, -8], np.int32)),
        typed("i32_typed", TP.INT32, [2], [7, -8]),
        raw("i8_raw", np.array([-128, 127, 5], np.int8)),
        typed("i8_typed", TP.INT8, [3], [-128, 127, 5]),
        raw("u8_raw", np.array([0, 255, 9], np.uint8)),
        typed("u8_typed", TP.UINT8, [3], [0, 255, 9]),
        raw("bool_raw", np.array([True, False, True], np.bool_)),
        typed("bool_typed", TP.BOOL, [3], [1, 0, 1]),
        raw("i16_raw", np.array([-300, 300], np.int16)),
        raw("scalar", np.array(42.0, np.float32)),
        raw("empty", np.zeros((0,), np.float32)),
    ]
    save("initializers", [H.make_node("Relu", ["x"], ["y"])], [vi("x", [1, 2])], [vi("y", None)],
         inits)

    # Out of order: the Relu and a Constant it needs come after their consumer.
    save("out_of_order", [H.make_node("Add", ["t", "c"], ["y"], name="add"),
                          H.make_node("Relu", ["x"], ["t"], name="relu"),
                          H.make_node("Constant", [], ["c"], value_float=1.0)],
         [vi("x", [1, 2])], [vi("y", None)])

    # Upsample (deprecated) and Resize with an empty roi constant (opset 11).
    save("upsample", [H.make_node("Upsample", ["x", "sc"], ["y"], mode="nearest")],
         [vi("x", [1, 1, 2, 2])], [vi("y", None)],
         [raw("sc", np.array([1, 1, 2, 2], np.float32))], opset=11)
    save("resize", [H.make_node("Resize", ["x", "roi", "sc"], ["y"], mode="nearest")],
         [vi("x", [1, 1, 2, 2])], [vi("y", None)],
         [raw("roi", np.zeros((0,), np.float32)), raw("sc", np.array([1, 1, 2, 2], np.float32))],
         opset=11)

    # ReduceMean with axes as input (opset 18).
    save("reduce_18", [H.make_node("ReduceMean", ["x", "ax"], ["y"], keepdims=1)],
         [vi("x", [1, 3, 2])], [vi("y", None)], [raw("ax", np.array([1], np.int64))], opset=18)

    # A string attribute with an embedded NUL survives with its length.
    save("string_attr", [H.make_node("Resize", ["x", "", "sc"], ["r"], mode="nearest"),
                         H.make_node("Relu", ["r"], ["y"], tag=b"near\0est")],
         [vi("x", [1, 1, 2, 2])], [vi("y", None)],
         [raw("sc", np.array([1, 1, 2, 2], np.float32))], opset=13)

    # --- error fixtures ---
    save("unsupported_op", [H.make_node("NonMaxSuppression", ["x", "x"], ["y"], name="/model.24/nms")],
         [vi("x", [1, 4])], [vi("y", None)])
    save("custom_domain", [H.make_node("Foo", ["x"], ["y"], name="foo", domain="com.example")],
         [vi("x", [1, 4])], [vi("y", None)], domains=["com.example"])
    save("opset9", [H.make_node("Relu", ["x"], ["y"])], [vi("x", [1, 4])], [vi("y", None)], opset=9)
    save("opset22", [H.make_node("Relu", ["x"], ["y"])], [vi("x", [1, 4])], [vi("y", None)],
         opset=22)
    ext = typed("w", TP.FLOAT, [4], [0, 0, 0, 0])
    del ext.float_data[:]
    ext.data_location = TP.EXTERNAL
    e = ext.external_data.add()
    e.key, e.value = "location", "w.bin"
    save("external_data", [H.make_node("Add", ["x", "w"], ["y"])], [vi("x", [1, 4])],
         [vi("y", None)], [ext])
    save("dynamic_dim", [H.make_node("Relu", ["images"], ["y"])], [vi("images", [1, 3, "height", 64])],
         [vi("y", None)])
    save("int_input", [H.make_node("Relu", ["x"], ["y"])], [vi("x", [1, 4], TP.INT64)],
         [vi("y", None)])
    save("missing_input", [H.make_node("Add", ["x", "nowhere"], ["y"], name="add0")],
         [vi("x", [1, 4])], [vi("y", None)])
    bad = typed("w", TP.FLOAT, [4], [0, 0, 0, 0])
    del bad.float_data[:]
    bad.raw_data = struct.pack("<3f", 1, 2, 3)
    save("raw_length", [H.make_node("Add", ["x", "w"], ["y"])], [vi("x", [1, 4])],
         [vi("y", None)], [bad])
    save("clip_dynamic", [H.make_node("Relu", ["x"], ["m"]),
                          H.make_node("Clip", ["x", "m"], ["y"], name="clip0")],
         [vi("x", [1])], [vi("y", None)], opset=13)


if __name__ == "__main__":
    main()
