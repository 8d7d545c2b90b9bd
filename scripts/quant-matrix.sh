#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Accuracy of every INT8 configuration against float, per model: builds each model with
# every calibration algorithm x weight method x activation mode, evaluates COCO mAP
# (multi-label NMS, as val.py) on the shared 128-image set and the agreement of its
# detections with the float model's (F1 of detections scoring >= 0.25 matched by class at
# IoU >= 0.5), one table row per configuration with the .yqm size and build time.
# Usage: scripts/quant-matrix.sh [MODEL.onnx ...]
#   default models: the bundled yolov5n, and YOLOX-nano and FastestDet from the shared data.
#   DATASET (default data/calib/dataset.txt), SHARED (default ../shared/data) and YOLOQ
#   (default build/yoloq) are read from the environment.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
ds=${DATASET:-$here/data/calib/dataset.txt}
shared=${SHARED:-$here/../shared/data}
yoloq=${YOLOQ:-$here/build/yoloq}
[ -f "$shared/coco/annotations.json" ] || { echo "no $shared/coco: nothing to evaluate on" >&2; exit 1; }
if [ $# -eq 0 ]; then
    set -- "$here/data/models/yolov5n.onnx" "$shared/models/yolox_nano.onnx" \
        "$shared/models/fastestdet.onnx"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
evalm() { # MODEL [extra eval flags]: "mAP mAP50 [F1]"
    local m=$1; shift
    "$yoloq" eval --model "$m" --images "$shared/coco/images" \
        --annotations "$shared/coco/annotations.json" "$@" 2>/dev/null |
        sed -n -e '1,2s/.*= //p' -e 's/.*F1 = \([0-9.]*\).*/\1/p' | paste -sd' '
}
mb() { awk -v s="$(stat -c %s "$1")" 'BEGIN{printf "%.2f", s/1e6}'; }
for model in "$@"; do
    echo "## $(basename "$model")"
    printf '%-30s %-20s %-8s %s\n' configuration "mAP .5:.95 .5 F1" "MB" "build s"
    printf '%-30s %-20s %-8s\n' "float (onnx)" "$(evalm "$model" --save-json "$tmp/float.json")" \
        "$(mb "$model")"
    for method in channel layer; do
        for algo in normal percentile kl mmse; do
            for act in lut float; do
                t0=$(date +%s.%N)
                "$yoloq" build "$model" -o "$tmp/m.yqm" --dataset "$ds" --algorithm $algo \
                    --method $method --act-mode $act >/dev/null 2>&1
                t1=$(date +%s.%N)
                printf '%-30s %-20s %-8s %.1f\n' "$algo/$method/$act" \
                    "$(evalm "$tmp/m.yqm" --reference "$tmp/float.json")" "$(mb "$tmp/m.yqm")" \
                    "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')"
            done
        done
    done
done
