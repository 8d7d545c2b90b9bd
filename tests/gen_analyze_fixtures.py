#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Generates tests/data/analyze/: a small conv graph with one layer broken on purpose, for
# `yoloq analyze` and `build --auto-hybrid`. conv1 (3->4, 3x3, ReLU) has channel 0 dead
# (bias -100: always 0 after ReLU). conv2 (4->8, 1x1) -- the bad layer -- gives every output
# channel a weight of 1000 on that dead channel: harmless in float, but per-channel int8
# weights then get a scale of 1000/127 and its real weights (about 0.3) all round to 0.
# conv3 and conv4 are ordinary. Four calibration inputs as float32 NCHW .npy.
# Needs Debian's python3-onnx. Run: /usr/bin/python3 tests/gen_analyze_fixtures.py
import os

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper as H
from onnx import numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "analyze")
rng = np.random.default_rng(7)


def conv(name, x, y, pad):
    return H.make_node("Conv", [x, name + ".w", name + ".b"], [y], name=name, pads=[pad] * 4)


w1 = rng.normal(0, 0.4, (4, 3, 3, 3)).astype(np.float32)
b1 = np.array([-100, 0.1, 0.1, 0.1], np.float32)
w2 = rng.normal(0, 0.3, (8, 4, 1, 1)).astype(np.float32)
w2[:, 0, 0, 0] = 1000.0
b2 = rng.normal(0, 0.1, 8).astype(np.float32)
w3 = rng.normal(0, 0.3, (8, 8, 3, 3)).astype(np.float32)
b3 = rng.normal(0, 0.1, 8).astype(np.float32)
w4 = rng.normal(0, 0.3, (4, 8, 1, 1)).astype(np.float32)
b4 = np.zeros(4, np.float32)
inits = []
for n, w, b in (("conv1", w1, b1), ("conv2", w2, b2), ("conv3", w3, b3), ("conv4", w4, b4)):
    inits += [numpy_helper.from_array(w, n + ".w"), numpy_helper.from_array(b, n + ".b")]
nodes = [
    conv("conv1", "images", "c1", 1), H.make_node("Relu", ["c1"], ["a1"], name="relu1"),
    conv("conv2", "a1", "c2", 0), H.make_node("Relu", ["c2"], ["a2"], name="relu2"),
    conv("conv3", "a2", "c3", 1), H.make_node("Relu", ["c3"], ["a3"], name="relu3"),
    conv("conv4", "a3", "out", 0),
]
g = H.make_graph(nodes, "badlayer", [H.make_tensor_value_info("images", TP.FLOAT, [1, 3, 32, 32])],
                 [H.make_tensor_value_info("out", TP.FLOAT, [1, 4, 32, 32])], initializer=inits)
m = H.make_model(g, opset_imports=[H.make_opsetid("", 13)], producer_name="gen_analyze_fixtures")
m.ir_version = 7
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "badlayer.onnx"), "wb") as f:
    f.write(m.SerializeToString())
lines = []
for i in range(4):
    x = rng.uniform(0, 1, (1, 3, 32, 32)).astype(np.float32)
    np.save(os.path.join(OUT, "sample%d.npy" % i), x)
    lines.append("sample%d.npy" % i)
with open(os.path.join(OUT, "dataset.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
