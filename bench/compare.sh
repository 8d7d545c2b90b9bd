#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# yoloq vs ONNX Runtime (npm onnxruntime-node, CPU) on the same model, in one run:
# for each thread count, several rounds alternating `yoloq bench` and bench/ort_bench.js
# (intra-op threads N, inter-op 1, sequential, all graph optimisations), then a table of
# medians over all timed runs, the ratio ORT/yoloq (> 1: yoloq is faster) and both minima
# (closer to the uncontended speed when the machine is busy).
# usage: bench/compare.sh MODEL.onnx [--threads 1,2] [--runs 20] [--rounds 3]
#                         [--yqm MODEL.yqm]... [--yoloq PATH]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
model="" threads="1,2" runs=20 rounds=3 yoloq="$root/build/yoloq"
yqms=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --yqm) yqms+=("$2"); shift 2 ;;
    --yoloq) yoloq=$2; shift 2 ;;
    -h|--help) sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "compare.sh: unknown option '$1'" >&2; exit 2 ;;
    *) model=$1; shift ;;
  esac
done
[ -n "$model" ] || { echo "compare.sh: need MODEL.onnx" >&2; exit 2; }
[ -f "$model" ] || { echo "compare.sh: $model: no such file" >&2; exit 2; }
[ -x "$yoloq" ] || { echo "compare.sh: $yoloq not built (cmake --build build, or --yoloq PATH)" >&2; exit 2; }
[[ "$runs" =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] || { echo "compare.sh: bad --runs" >&2; exit 2; }
[[ "$rounds" =~ ^[0-9]+$ ]] && [ "$rounds" -ge 1 ] || { echo "compare.sh: bad --rounds" >&2; exit 2; }
command -v node >/dev/null || { echo "compare.sh: needs node and npm" >&2; exit 2; }

# onnxruntime-node into bench/node_modules (version pinned in bench/package.json). Its
# postinstall would fetch optional GPU binaries from outside the npm registry: skipped, the
# CPU library ships inside the package.
if [ ! -d "$here/node_modules/onnxruntime-node" ]; then
  echo "installing onnxruntime-node into bench/node_modules ..." >&2
  ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$here" --no-audit --no-fund \
    --loglevel=error >&2
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
IFS=, read -r -a tlist <<< "$threads"
for t in "${tlist[@]}"; do
  for ((r = 1; r <= rounds; r++)); do
    echo "threads $t, round $r/$rounds" >&2
    printf '%s\t%s\t' "$(basename "$model")" yoloq >> "$out"
    "$yoloq" bench --model "$model" --threads "$t" --runs "$runs" --warmup 3 --json >> "$out"
    printf '%s\t%s\t' "$(basename "$model")" ort >> "$out"
    node "$here/ort_bench.js" "$model" "$t" "$runs" 3 >> "$out"
    for q in "${yqms[@]}"; do
      printf '%s\t%s\t' "$(basename "$q")" yoloq-int8 >> "$out"
      "$yoloq" bench --model "$q" --threads "$t" --runs "$runs" --warmup 3 --json >> "$out"
    done
  done
done

# Median over every timed run of every round, per (model, engine, threads).
node - "$out" "$(basename "$model")" <<'JS'
'use strict';
const fs = require('fs');
const [file, onnx] = process.argv.slice(2);
const med = (a) => {
  const s = [...a].sort((x, y) => x - y), h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const acc = new Map();
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [name, engine, json] = line.split('\t');
  const j = JSON.parse(json);
  const key = `${name}\t${engine}\t${j.threads}`;
  if (!acc.has(key)) acc.set(key, []);
  acc.get(key).push(...j.times_ms);
}
const get = (n, e, t) => acc.get(`${n}\t${e}\t${t}`);
const threads = [...new Set([...acc.keys()].map((k) => Number(k.split('\t')[2])))];
const rows = [['model', 'threads', 'yoloq ms', 'ORT ms', 'ORT/yoloq', 'runs', 'min yoloq/ORT']];
for (const t of threads) {
  const ort = get(onnx, 'ort', t);
  for (const [k, v] of acc) {
    const [n, e, kt] = k.split('\t');
    if (e === 'ort' || Number(kt) !== t) continue;
    const y = med(v), o = med(ort);
    rows.push([e === 'yoloq' ? n : `${n} (int8)`, String(t), y.toFixed(2), o.toFixed(2),
               (o / y).toFixed(2) + 'x', String(v.length),
               `${Math.min(...v).toFixed(2)}/${Math.min(...ort).toFixed(2)}`]);
  }
}
const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((s, c) => (c ? s.padStart(w[c]) : s.padEnd(w[c]))).join('  '));
JS
