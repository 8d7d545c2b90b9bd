#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The CLI refuses nonsense: for every command, out-of-range and malformed numbers, unknown,
# repeated and value-less options, malformed lists each exit 2 with exactly one stderr line
# naming the flag, before any model is loaded; every --help exits 0; progress written to a
# file (not a terminal) is a few lines, not one redraw per image.
# Args: yoloq binary, source dir, shared data dir.
yoloq=$1 src=$2 shared=$3
noise='^$'
. "$(dirname "$0")/lib.sh"

model=$src/data/models/yolov5n.onnx
img=$src/data/images/bus.jpg

# usage CMD PATTERN ARGS...: exit exactly 2, one line naming the flag
usage() {
    local name=$1 pat=$2; shift 2
    "$yoloq" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -ne 2 ]; then bad "$name: exit $rc, want 2: $(cat "$tmp/err")"; return; fi
    if [ "$(wc -l <"$tmp/err")" != 1 ]; then bad "$name: not one line: $(cat "$tmp/err")"; return; fi
    if ! grep -qF -- "$pat" "$tmp/err"; then bad "$name: '$(cat "$tmp/err")' lacks '$pat'"; return; fi
    if [ -s "$tmp/out" ]; then bad "$name: wrote to stdout: $(cat "$tmp/out")"; return; fi
    ok
}

d="detect --model $model"
usage "detect conf range" "yoloq detect: --conf: 2 is out of range [0, 1]" $d --conf 2 "$img"
usage "detect conf negative" "--conf: -0.1 is out of range" $d --conf -0.1 "$img"
usage "detect conf junk" "--conf: '0.5x' is not a number" $d --conf 0.5x "$img"
usage "detect conf nan" "--conf: 'nan' is not a number" $d --conf nan "$img"
usage "detect conf inf" "--conf: 'inf' is not a number" $d --conf inf "$img"
usage "detect conf overflow" "--conf: '1e999' is not a number" $d --conf 1e999 "$img"
usage "detect conf empty" "--conf needs a value" $d --conf "" "$img"
usage "detect conf=" "--conf: 3 is out of range" $d --conf=3 "$img"
usage "detect iou range" "--iou: 1.5 is out of range [0, 1]" $d --iou 1.5 "$img"
usage "detect threads 0" "--threads: 0 is out of range [1, 256]" $d --threads 0 "$img"
usage "detect threads huge" "--threads: 99999999999999999999 is out of range" $d --threads 99999999999999999999 "$img"
usage "detect threads float" "--threads: '2.5' is not an integer" $d --threads 2.5 "$img"
usage "detect max-det 0" "--max-det: 0 is out of range" $d --max-det 0 "$img"
usage "detect max-det junk" "--max-det: '10k' is not an integer" $d --max-det 10k "$img"
usage "detect unknown" "unknown option '--frobnicate'" $d --frobnicate "$img"
usage "detect unknown=" "unknown option '--frobnicate'" $d --frobnicate=1 "$img"
usage "detect repeated" "--conf given twice" $d --conf 0.2 --conf 0.3 "$img"
usage "detect repeated model" "--model given twice" $d --model "$model" "$img"
usage "detect repeated flag" "--agnostic given twice" $d --agnostic --agnostic "$img"
usage "detect bgr rgb" "--bgr and --rgb exclude each other" $d --bgr --rgb "$img"
usage "detect flag value" "--agnostic takes no value" $d --agnostic=1 "$img"
usage "detect missing value" "--iou needs a value" $d "$img" --iou
usage "detect value is a flag" "--model needs a value" detect --model --conf 0.3 "$img"
usage "detect no model" "need --model" detect "$img"
usage "detect no image" "need --model and at least one image" $d
usage "anchors junk" "--anchors: '1,2,abc': 'abc' is not a number" $d --anchors 1,2,abc "$img"
usage "anchors empty item" "--anchors: '10,13,,30': empty item" $d --anchors 10,13,,30 "$img"
usage "anchors trailing" "--anchors: '10,13;': empty item" $d --anchors "10,13;" "$img"
usage "anchors odd" "level 1 has 3 numbers, not w,h pairs" $d --anchors 10,13,16 "$img"
usage "anchors uneven" "level 2 has 2 numbers, level 1 has 4" $d --anchors "10,13,16,30;33,23" "$img"
usage "anchors zero" "0 is not an anchor size" $d --anchors "10,0" "$img"
usage "strides fraction" "--strides: '8,16.5,32': 16.5 is not a stride" $d --strides 8,16.5,32 "$img"
usage "strides zero" "0 is not a stride" $d --strides 0,16,32 "$img"
usage "strides junk" "'8;16' is not a number" $d --strides "8;16" "$img"
usage "strides empty" "--strides needs a value" $d --strides "" "$img"

b="build $model -o $tmp/x.yqm"
usage "build percentile range" "--percentile: 20 is out of range (50, 100]" $b --dataset d.txt --algorithm percentile --percentile 20
usage "build percentile 0" "--percentile: 0 is out of range (50, 100]" $b --dataset d.txt --algorithm percentile --percentile 0
usage "build percentile junk" "--percentile: '99%' is not a number" $b --dataset d.txt --algorithm percentile --percentile 99%
usage "build percentile algo" "--percentile needs --algorithm percentile" $b --dataset d.txt --percentile 99
usage "build algorithm" "--algorithm: unknown value 'fancy' (one of: normal, percentile, kl, mmse)" $b --dataset d.txt --algorithm fancy
usage "build algorithm twice" "--algorithm given twice" $b --dataset d.txt --algorithm kl --algorithm mmse
usage "build threads" "--threads: 257 is out of range [1, 256]" $b --dataset d.txt --threads 257
usage "build max-samples" "--max-samples: 0 is out of range" $b --dataset d.txt --max-samples 0
usage "build mean short" "--mean: '1,2' needs 3 comma-separated numbers, not 2" $b --no-quantize --mean 1,2
usage "build mean long" "--mean: '1,2,3,4' needs 3 comma-separated numbers, not 4" $b --no-quantize --mean 1,2,3,4
usage "build mean junk" "--mean: '1,x,3': 'x' is not a number" $b --no-quantize --mean 1,x,3
usage "build std zero" "--std: '1,0,1': 0 is out of range" $b --no-quantize --std 1,0,1
usage "build std empty item" "--std: '1,,1': empty item" $b --no-quantize --std 1,,1
usage "build output twice" "--output given twice" $b --no-quantize --output "$tmp/y.yqm"
usage "build two models" "unexpected argument" build "$model" "$model" -o "$tmp/x.yqm" --no-quantize
usage "build unknown" "unknown option '--quantize'" $b --quantize
usage "build missing value" "--dataset needs a value" $b --dataset
usage "build float + calib" "--no-quantize: calibration options" $b --no-quantize --algorithm kl
usage "build no output" "need MODEL.onnx and -o" build "$model" --no-quantize

usage "eval conf" "--conf: 2 is out of range [0, 1]" eval --conf 2
usage "eval iou" "--iou: 'x' is not a number" eval --iou x
usage "eval max-det" "--max-det: 0 is out of range" eval --max-det 0
usage "eval agree-iou" "--agree-iou: 1.1 is out of range" eval --agree-iou 1.1
usage "eval unknown" "unknown option '--coco'" eval --coco x
usage "eval single-label needs model" "apply to --model only" eval --detections a.json --annotations a.json --single-label
usage "eval repeated" "--annotations given twice" eval --detections a.json --annotations a --annotations b
usage "eval missing value" "--detections needs a value" eval --detections
usage "eval stray argument" "unexpected argument 'dets.json'" eval dets.json
usage "eval conf without model" "apply to --model only" eval --detections a.json --annotations b.json --conf 0.1
usage "eval agree without reference" "need --reference" eval --detections a.json --annotations b.json --agree-iou 0.3

usage "bench runs" "--runs: 0 is out of range" bench --model "$model" --runs 0
usage "bench warmup" "--warmup: -1 is out of range" bench --model "$model" --warmup -1
usage "bench threads" "--threads: 'two' is not an integer" bench --model "$model" --threads two
usage "bench top" "--top: 0 is out of range" bench --model "$model" --per-layer --top 0
usage "bench repeated" "--runs given twice" bench --model "$model" --runs 1 --runs 2
usage "bench unknown" "unknown option '--iterations'" bench --model "$model" --iterations 3
usage "bench missing" "--runs needs a value" bench --model "$model" --runs
usage "bench model twice" "model given twice" bench --model "$model" "$model"

usage "info unknown" "unknown option '--verbose'" info --verbose "$model"
usage "info missing" "--outputs needs a value" info "$model" --outputs
usage "info repeated" "--outputs given twice" info --outputs a --outputs b "$model"
usage "info two models" "unexpected argument" info "$model" "$model"
usage "unknown command" "unknown command 'frob'" frob

for c in detect build eval bench info; do
    "$yoloq" $c --help >"$tmp/help" 2>&1 && ok || bad "$c --help exit"
    grep -q "^usage: yoloq $c" "$tmp/help" && ok || bad "$c --help: $(head -1 "$tmp/help")"
    [ "$(awk 'length($0) > 100' "$tmp/help" | wc -l)" = 0 ] && ok || bad "$c --help lines over 100 columns"
done
"$yoloq" --help >"$tmp/help" && ok || bad "--help exit"
grep -q "float today" "$tmp/help" && bad "--help still says float today" || ok
grep -q "build .*int8" "$tmp/help" && ok || bad "--help build line: $(grep build "$tmp/help")"

# progress to a file: eval over 12 images writes at most 5 progress lines (start and
# quarters), not 12 redraws; the result still prints
mkdir -p "$tmp/imgs" "$tmp/labels"
n=0
for f in "$src"/data/calib/*.jpg; do
    [ $n -lt 12 ] || break
    cp "$f" "$tmp/imgs/" && : >"$tmp/labels/$(basename "${f%.jpg}").txt"
    n=$((n + 1))
done
"$yoloq" eval --model "$model" --images "$tmp/imgs" --labels "$tmp/labels" --conf 0.25 \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "eval over 12 images: exit $rc: $(cat "$tmp/err")"
lines=$(grep -c "images" "$tmp/err")
[ "$lines" -ge 2 ] && [ "$lines" -le 5 ] && ok || bad "progress to a file: $lines lines: $(cat "$tmp/err")"
grep -q $'\r' "$tmp/err" && bad "carriage return in a log file" || ok
grep -q "12/12 images" "$tmp/err" && ok || bad "no final progress line: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out")" -ge 12 ] && ok || bad "eval printed no summary"
# on a terminal (a pty from script(1), bsdutils) the bar redraws in place instead
if command -v script >/dev/null; then
    script -qec "'$yoloq' eval --model '$model' --images '$tmp/imgs' --labels '$tmp/labels' \
        --conf 0.25 >/dev/null" /dev/null >"$tmp/tty" 2>&1 </dev/null
    # carriage returns beyond the pty's one per newline are redraws: one per image
    redraws=$(( $(tr -cd '\r' <"$tmp/tty" | wc -c) - $(wc -l <"$tmp/tty") ))
    [ "$redraws" -ge 12 ] && ok || bad "$redraws redraws on a terminal: $(cat -v "$tmp/tty" | head -3)"
    grep -q "12/12 images" "$tmp/tty" && ok || bad "terminal bar never completes"
else
    skip=$((skip + 1))
fi
finish
