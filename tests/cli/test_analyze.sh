#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `yoloq analyze` on tests/data/analyze/badlayer.onnx (one layer broken on purpose, see
# tests/gen_analyze_fixtures.py): the broken layer ranks worst by single cosine, the entire
# error is small before it and large from it on, the report is well-formed and lists every
# layer, output is deterministic, --dump writes every tensor, bad usage is one line.
# Usage: test_analyze.sh YOLOQ_BIN SOURCE_DIR SHARED_DATA_DIR
yoloq=$1
src=$2
. "$src/tests/cli/lib.sh"
noise='^\[\|samples analyzed'
d=$src/tests/data/analyze

"$yoloq" build "$d/badlayer.onnx" -o "$tmp/q.yqm" --dataset "$d/dataset.txt" >/dev/null 2>&1 ||
    bad "build of the fixture failed"
"$yoloq" analyze --model "$d/badlayer.onnx" --quantized "$tmp/q.yqm" --dataset "$d/dataset.txt" \
    -o "$tmp/a" --dump >"$tmp/stdout" 2>"$tmp/stderr" || bad "analyze failed: $(cat "$tmp/stderr")"
txt=$tmp/a/error_analysis.txt
# the first row of the worst-first table is the broken layer's output a2
worst=$(sed -n '/^# sorted by single cosine/,$p' "$txt" | grep '^\[' | head -1 | awk '{print $2}')
[ "$worst" = a2 ] && ok || bad "worst layer by single cosine is '$worst', not a2"
# entire cosine (column 3) per tensor, graph order
ent() { sed '/^# sorted/,$d' "$txt" | awk -v n="$1" '$2 == n {print $3}'; }
awk -v a="$(ent a1)" 'BEGIN {exit !(a > 0.99)}' && ok || bad "a1 entire $(ent a1) <= 0.99"
for t in a2 a3 out; do
    awk -v a="$(ent $t)" 'BEGIN {exit !(a < 0.95)}' && ok || bad "$t entire $(ent $t) >= 0.95"
done
# single cosine after the broken layer is its own, small error again
sa3=$(sed '/^# sorted/,$d' "$txt" | awk '$2 == "a3" {print $6}')
awk -v a="$sa3" 'BEGIN {exit !(a > 0.99)}' && ok || bad "a3 single $sa3 <= 0.99"
# the HTML page: every layer named, no script, tags balanced
html=$tmp/a/report.html
for t in images a1 a2 a3 out; do
    grep -q "<td>$t</td>" "$html" && ok || bad "report.html lacks layer $t"
done
grep -qi '<script\|http://[^w]\|https://' "$html" && bad "report.html has script or links" || ok
unbalanced=$(grep -o '<[^>]*>' "$html" | awk '
    /^<!/ || /\/>$/ {next}
    /^<\// {t = substr($0, 3); sub(/>$/, "", t); if (n == 0 || st[n] != t) {print "close " t " at " NR; exit} n--; next}
    {t = substr($0, 2); sub(/[ >].*/, "", t); if (t != "meta") st[++n] = t}
    END {if (n) print n " unclosed, top " st[n]}')
[ -z "$unbalanced" ] && ok || bad "report.html not well-formed: $unbalanced"
bare=$(grep -o '&[^ <]*' "$html" | grep -Evc '^&(amp|lt|gt|quot|#[0-9]+);')
[ "$bare" = 0 ] && ok || bad "report.html has $bare bare &"
# --dump: a golden and a quant tensor per row, and the name map
rows=$(sed '/^# sorted/,$d' "$txt" | grep -c '^\[')
[ "$(ls "$tmp/a/golden" | wc -l)" = "$rows" ] && [ "$(ls "$tmp/a/quant" | wc -l)" = "$rows" ] &&
    [ "$(grep -vc '^#' "$tmp/a/names.txt")" = "$rows" ] && ok || bad "--dump: not $rows tensors"
# deterministic
"$yoloq" analyze --model "$d/badlayer.onnx" --quantized "$tmp/q.yqm" --dataset "$d/dataset.txt" \
    -o "$tmp/b" >/dev/null 2>&1
cmp -s "$txt" "$tmp/b/error_analysis.txt" && cmp -s "$html" "$tmp/b/report.html" && ok ||
    bad "two runs differ"
# --inputs and its errors
"$yoloq" analyze --model "$d/badlayer.onnx" --quantized "$tmp/q.yqm" --inputs "$d/sample0.npy" \
    "$d/sample1.npy" -o "$tmp/c" >"$tmp/out" 2>/dev/null && grep -q "on 2 sample" "$tmp/out" && ok ||
    bad "--inputs with two samples"
expect_error "no --quantized" "required" "$yoloq" analyze --model "$d/badlayer.onnx" --inputs x -o "$tmp/e"
expect_error "both sources" "either" "$yoloq" analyze --model "$d/badlayer.onnx" --quantized "$tmp/q.yqm" \
    --dataset "$d/dataset.txt" --inputs "$d/sample0.npy" -o "$tmp/e"
expect_error "missing model" "nope.yqm" "$yoloq" analyze --model "$d/badlayer.onnx" --quantized "$tmp/nope.yqm" \
    --dataset "$d/dataset.txt" -o "$tmp/e"
expect_error "bad sample" "junk.npy" "$yoloq" analyze --model "$d/badlayer.onnx" --quantized "$tmp/q.yqm" \
    --inputs "$tmp/junk.npy" -o "$tmp/e"
finish
