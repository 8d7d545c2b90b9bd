#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `yoloq eval` end to end: 12 pycocotools lines on a hand-made set (perfect detections ->
# 1.000), --per-class, --save-json round trip, YOLO-labels ground truth on the shared COCO
# set, and bad input -> non-zero exit with a one-line error.
# Usage: test_eval.sh YOLOQ_BIN SOURCE_DIR SHARED_DATA_DIR
yoloq=$1
src=$2
shared=$3
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { if eval "$1"; then ok; else ko "$2"; fi; }

tmp=$(mktemp -d /tmp/yq_cli_eval.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/gt.json" <<'JSON'
{"images": [{"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}, {"id": 2}],
 "categories": [{"id": 1, "name": "person"}, {"id": 3, "name": "car"}],
 "annotations": [
  {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 100, 100], "area": 10000, "iscrowd": 0},
  {"id": 2, "image_id": 2, "category_id": 3, "bbox": [10, 10, 50, 40], "area": 2000, "iscrowd": 0}]}
JSON
cat > "$tmp/dets.json" <<'JSON'
[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 100, 100], "score": 0.9},
 {"image_id": 2, "category_id": 3, "bbox": [10, 10, 50, 40], "score": 0.8}]
JSON

# 1. the 12 lines, exactly pycocotools' format
"$yoloq" eval --detections "$tmp/dets.json" --annotations "$tmp/gt.json" > "$tmp/out" 2> "$tmp/err"
rc=$?
check '[ $rc -eq 0 ]' "perfect: exit $rc: $(cat "$tmp/err")"
check '[ "$(wc -l < "$tmp/out")" -eq 12 ]' "perfect: $(wc -l < "$tmp/out") lines, want 12"
check 'head -1 "$tmp/out" | grep -qxF " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000"' \
      "perfect: first line '$(head -1 "$tmp/out")'"
check 'sed -n 4p "$tmp/out" | grep -qxF " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000"' \
      "perfect: small line '$(sed -n 4p "$tmp/out")'"
check '[ "$(grep -c "^ Average Recall     (AR) @\[ IoU=0.50:0.95 | area=" "$tmp/out")" -eq 6 ]' "6 AR lines"

# 2. --per-class adds a table; --save-json re-saves and the copy evaluates the same
"$yoloq" eval --detections "$tmp/dets.json" --annotations "$tmp/gt.json" --per-class \
    --save-json "$tmp/saved.json" > "$tmp/out2" 2> "$tmp/err"
rc=$?
check '[ $rc -eq 0 ] && [ "$(wc -l < "$tmp/out2")" -gt 12 ] && grep -q "person" "$tmp/out2"' \
      "per-class: exit $rc"
"$yoloq" eval --detections "$tmp/saved.json" --annotations "$tmp/gt.json" > "$tmp/out3" 2> "$tmp/err"
check 'cmp -s "$tmp/out" "$tmp/out3"' "save-json round trip differs"

# 3. bad input: non-zero exit, exactly one line on stderr naming the file
bad() { # name, then the yoloq arguments
    local name=$1
    shift
    "$yoloq" eval "$@" > "$tmp/out" 2> "$tmp/err"
    local r=$?
    check '[ $r -ne 0 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]' \
          "$name: exit $r, stderr '$(cat "$tmp/err")'"
}
printf '[{"image_id": 1, "category_id": 1, "bbox": [0, 0' > "$tmp/badjson.json"
bad "malformed JSON" --detections "$tmp/badjson.json" --annotations "$tmp/gt.json"
check 'grep -q "badjson.json" "$tmp/err"' "malformed JSON: message does not name the file"
printf '{"images": [], "categories": []}' > "$tmp/noanns.json"
bad "missing annotations" --detections "$tmp/dets.json" --annotations "$tmp/noanns.json"
check 'grep -q "annotations" "$tmp/err"' "missing annotations: '$(cat "$tmp/err")'"
printf '[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1], "score": 0.5}]' > "$tmp/bbox3.json"
bad "bbox of 3" --detections "$tmp/bbox3.json" --annotations "$tmp/gt.json"
printf '[{"image_id": 99, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5}]' > "$tmp/img99.json"
bad "unknown image id" --detections "$tmp/img99.json" --annotations "$tmp/gt.json"
check 'grep -q "image_id 99" "$tmp/err"' "unknown image id: '$(cat "$tmp/err")'"
printf '[{"image_id": 1, "category_id": 7, "bbox": [0, 0, 1, 1], "score": 0.5}]' > "$tmp/cat7.json"
bad "unknown category id" --detections "$tmp/cat7.json" --annotations "$tmp/gt.json"
"$yoloq" eval --detections "$tmp/cat7.json" --annotations "$tmp/gt.json" --skip-unknown-categories \
    > "$tmp/out" 2> /dev/null
check '[ $? -eq 0 ] && [ "$(wc -l < "$tmp/out")" -eq 12 ]' "--skip-unknown-categories"
bad "missing file" --detections "$tmp/nope.json" --annotations "$tmp/gt.json"
"$yoloq" eval --frobnicate > /dev/null 2>&1
check '[ $? -eq 2 ]' "unknown option: exit status not 2"
"$yoloq" eval --detections "$tmp/dets.json" > /dev/null 2>&1
check '[ $? -eq 2 ]' "no ground truth: exit status not 2"

# agreement with a reference results file, no ground truth needed
"$yoloq" eval --detections "$tmp/dets.json" --reference "$tmp/dets.json" > "$tmp/ag" 2> "$tmp/err"
check '[ $? -eq 0 ] && grep -q "F1 = 1.000, mean IoU = 1.000" "$tmp/ag"' "self agreement: $(cat "$tmp/ag" "$tmp/err")"
printf '[]' > "$tmp/empty.json"
"$yoloq" eval --detections "$tmp/empty.json" --reference "$tmp/dets.json" --agree-score 0 > "$tmp/ag" 2>&1
check 'grep -q "found, 0 of 0 confirmed, F1 = 0.000" "$tmp/ag"' "empty vs reference: $(cat "$tmp/ag")"
bad "missing reference" --detections "$tmp/dets.json" --reference "$tmp/nope.json"
check 'grep -q "nope.json" "$tmp/err"' "missing reference: message does not name the file"

# 4. the shared COCO set: annotations.json and YOLO labels give 12 lines each
if [ -f "$shared/coco/annotations.json" ] && [ -d "$shared/coco/labels" ]; then
    printf '[{"image_id": 139, "category_id": 1, "bbox": [412.8, 157.61, 53.05, 138.01], "score": 0.9}]' \
        > "$tmp/one.json"
    "$yoloq" eval --detections "$tmp/one.json" --annotations "$shared/coco/annotations.json" \
        > "$tmp/o1" 2> "$tmp/err"
    check '[ $? -eq 0 ] && [ "$(wc -l < "$tmp/o1")" -eq 12 ]' "shared json: $(cat "$tmp/err")"
    "$yoloq" eval --detections "$tmp/one.json" --labels "$shared/coco/labels" \
        --images "$shared/coco/images" > "$tmp/o2" 2> "$tmp/err"
    check '[ $? -eq 0 ] && [ "$(wc -l < "$tmp/o2")" -eq 12 ]' "shared labels: $(cat "$tmp/err")"
else
    skip=$((skip + 1))
    echo "SKIP: shared COCO data absent" >&2
fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || exit 1
[ $pass -gt 0 ] || exit 77
