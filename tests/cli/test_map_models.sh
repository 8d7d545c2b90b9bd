#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# mAP floors of plain INT8 (every operator int8, default build: MMSE, per-channel weights,
# lookup-table activations, calibrated on the 20 bundled images) of YOLOX-nano and
# FastestDet on the 128 COCO images of ../shared/data, evaluated multi-label as val.py.
# Measured (x86-64, this tree): YOLOX-nano float 0.343, INT8 0.190 (0.55x), agreement F1
# 0.519 -- far from the issue's target (>= 0.93x float, F1 >= 0.85), so these floors only
# guard against regressions: INT8 >= 0.18 and F1 >= 0.49. FastestDet float 0.212, INT8
# 0.212, F1 0.822: INT8 >= float - 0.01 and F1 >= 0.79. Skips without the data.
# Args: yoloq binary, source dir, shared data dir.
yoloq=$1 src=$2 shared=$3
if [ ! -f "$shared/coco/annotations.json" ] || [ ! -f "$shared/models/yolox_nano.onnx" ]; then
    echo "note: $shared/coco or the models absent; skipping the INT8 mAP floors" >&2
    echo "0 passed, 0 failed, 1 skipped"
    exit 77
fi
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
evalm() { # MODEL [flags]: prints "mAP F1"
    local m=$1; shift
    "$yoloq" eval --model "$m" --images "$shared/coco/images" \
        --annotations "$shared/coco/annotations.json" "$@" 2>/dev/null |
        sed -n -e '1s/.*= //p' -e 's/.*F1 = \([0-9.]*\).*/\1/p' | paste -sd' '
}
check() { # NAME FLOAT_MIN INT8_MIN(abs or "-d" relative to float) F1_MIN
    local name=$1 fmin=$2 qmin=$3 f1min=$4 model="$shared/models/$1.onnx"
    read -r fap _ <<< "$(evalm "$model" --save-json "$tmp/$name.json")"
    if "$yoloq" build "$model" -o "$tmp/$name.yqm" --dataset "$src/data/calib/dataset.txt" \
        > "$tmp/build.txt" 2>&1; then ok; else bad "$name: int8 build"; cat "$tmp/build.txt" >&2; return; fi
    grep -q ' 0 float' "$tmp/build.txt" && ok || bad "$name: an operator stayed float: $(grep float "$tmp/build.txt")"
    read -r qap f1 <<< "$(evalm "$tmp/$name.yqm" --reference "$tmp/$name.json")"
    echo "$name: float $fap, int8 $qap, agreement F1 $f1"
    awk -v a="$fap" -v m="$fmin" 'BEGIN { exit !(a >= m) }' && ok || bad "$name float mAP '$fap' < $fmin"
    case $qmin in
    -*) awk -v a="$qap" -v f="$fap" -v d="${qmin#-}" 'BEGIN { exit !(a >= f - d) }' && ok ||
            bad "$name int8 mAP '$qap' more than ${qmin#-} under float $fap" ;;
    *) awk -v a="$qap" -v m="$qmin" 'BEGIN { exit !(a >= m) }' && ok || bad "$name int8 mAP '$qap' < $qmin" ;;
    esac
    awk -v a="$f1" -v m="$f1min" 'BEGIN { exit !(a >= m) }' && ok || bad "$name agreement F1 '$f1' < $f1min"
}
check yolox_nano 0.33 0.18 0.49
check fastestdet 0.20 -0.01 0.79
echo "$pass passed, $fail failed, 0 skipped"
[ $fail -eq 0 ]
