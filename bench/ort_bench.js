// SPDX-License-Identifier: Apache-2.0
// ONNX Runtime side of bench/compare.sh: times session.run of one model with N intra-op
// threads (inter-op 1, sequential, all graph optimisations, CPU), as yoloq bench does, and
// prints one JSON line {"engine":"ort","threads":N,"times_ms":[...],"median_ms":M}.
// usage: node bench/ort_bench.js MODEL.onnx THREADS RUNS [WARMUP]
'use strict';
const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

async function main() {
  const [model, threadsArg, runsArg, warmArg] = process.argv.slice(2);
  if (!model) {
    console.error('usage: node ort_bench.js MODEL.onnx THREADS RUNS [WARMUP]');
    process.exit(2);
  }
  const threads = Number(threadsArg || 1), runs = Number(runsArg || 20);
  const warmup = Number(warmArg === undefined ? 3 : warmArg);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const meta of session.inputMetadata) {
    // symbolic or missing dimensions: batch 1, else 640 (YOLO's usual input)
    const dims = (meta.shape && meta.shape.length ? meta.shape : [1, 3, 640, 640]).map(
        (d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 ? 1 : 640));
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n).fill(114 / 255); // mid-grey, as yoloq bench
    feeds[meta.name] = new ort.Tensor('float32', data, dims);
  }
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log(JSON.stringify({engine: 'ort', threads, runs, median_ms: median(times),
                              times_ms: times}));
}

main().catch((e) => {
  console.error(`ort_bench: ${e.message}`);
  process.exit(1);
});
