#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Encrypted models and atomic outputs through the CLI: keygen, encrypt/decrypt round trip
# (byte-identical), build --encrypt, --key and YOLOQ_KEY_FILE on info/detect/bench, one
# distinct line each for no key / wrong key / modified / truncated, info without the key,
# no key material in any output; a build killed (SIGTERM, SIGKILL, SIGINT) at random
# moments leaves no file at -o, an older file there byte-identical, no temporary file.
# Args: yoloq binary, source dir, shared data dir.
yoloq=$1 src=$2 shared=$3
noise='^\['
. "$(dirname "$0")/lib.sh"

plain=$src/tests/data/yolov5n-int8.yqm
img=$src/data/images/bus.jpg
k=$tmp/k.key k2=$tmp/k2.key

if "$yoloq" keygen "$k" >"$tmp/out" 2>&1; then
    ok
else
    if grep -q "built without encryption support" "$tmp/out"; then
        echo "skip: built without libsodium"; skip=$((skip + 1))
        expect_error "encrypt w/o sodium" "built without encryption support" \
            "$yoloq" encrypt "$plain" "$tmp/e.yqm" --key /dev/null
        finish
    fi
    bad "keygen: $(cat "$tmp/out")"
fi
[ "$(stat -c %a "$k")" = 600 ] && ok || bad "key file mode $(stat -c %a "$k")"
grep -Eq '^[0-9a-f]{64}$' "$k" && ok || bad "key file is not 64 hex digits"
expect_error "keygen over a file" "cannot create (File exists)" "$yoloq" keygen "$k"
"$yoloq" keygen "$k2" >/dev/null 2>&1
keyhex=$(cat "$k")

"$yoloq" encrypt "$plain" "$tmp/e.yqm" --key "$k" >"$tmp/enc.out" 2>&1 && ok || bad "encrypt: $(cat "$tmp/enc.out")"
cmp -s "$plain" "$tmp/e.yqm" && bad "encrypted == plain" || ok
YOLOQ_KEY_FILE=$k "$yoloq" decrypt "$tmp/e.yqm" "$tmp/d.yqm" >/dev/null 2>&1 && ok || bad "decrypt via env"
cmp -s "$plain" "$tmp/d.yqm" && ok || bad "decrypt round trip differs"

# info without the key says what it is; with it, what is inside
"$yoloq" info "$tmp/e.yqm" >"$tmp/info" 2>&1 && ok || bad "info without key: exit"
grep -q "encrypted .yqm (XChaCha20-Poly1305)" "$tmp/info" && ok || bad "info without key: $(cat "$tmp/info")"
"$yoloq" info --key "$k" "$tmp/e.yqm" >"$tmp/info2" 2>&1 && ok || bad "info with key: $(cat "$tmp/info2")"
grep -q "encrypted: XChaCha20-Poly1305" "$tmp/info2" && grep -q "input  0: images" "$tmp/info2" && ok || bad "info with key: $(cat "$tmp/info2")"

# detect with the key gives the plain model's detections; bench takes --key too
"$yoloq" detect --model "$plain" "$img" >"$tmp/dp" 2>&1
YOLOQ_KEY_FILE=$k "$yoloq" detect --model "$tmp/e.yqm" "$img" >"$tmp/de" 2>&1 && ok || bad "detect encrypted: $(cat "$tmp/de")"
cmp -s "$tmp/dp" "$tmp/de" && ok || bad "encrypted detections differ: $(cat "$tmp/de")"
"$yoloq" bench --model "$tmp/e.yqm" --key "$k" --runs 1 --warmup 0 >"$tmp/b" 2>&1 && ok || bad "bench --key: $(cat "$tmp/b")"

# failures: one distinct line each
expect_error "no key" "e.yqm: encrypted (XChaCha20-Poly1305) and no key given (give --key" \
    "$yoloq" detect --model "$tmp/e.yqm" "$img"
expect_error "wrong key" "e.yqm: wrong key (the file was sealed with a different key)" \
    "$yoloq" detect --model "$tmp/e.yqm" --key "$k2" "$img"
cp "$tmp/e.yqm" "$tmp/m.yqm"
printf '\x5a' | dd of="$tmp/m.yqm" bs=1 seek=100000 conv=notrunc 2>/dev/null
expect_error "modified" "m.yqm: authentication failed: the encrypted file was modified or corrupted" \
    "$yoloq" info --key "$k" "$tmp/m.yqm"
head -c 1000000 "$tmp/e.yqm" >"$tmp/t.yqm"
expect_error "truncated" "t.yqm: encrypted file truncated (1000000 of" "$yoloq" info --key "$k" "$tmp/t.yqm"
echo "not a key" >"$tmp/junk.key"
expect_error "junk key file" "junk.key: not a key file" "$yoloq" info --key "$tmp/junk.key" "$tmp/e.yqm"
expect_error "missing key file" "nokey: cannot open key file" "$yoloq" info --key "$tmp/nokey" "$tmp/e.yqm"
expect_error "encrypt without key" "need --key KEYFILE" "$yoloq" encrypt "$plain" "$tmp/x.yqm"
expect_error "encrypt twice" "already encrypted" "$yoloq" encrypt "$tmp/e.yqm" "$tmp/x.yqm" --key "$k"
expect_error "decrypt plain" "not an encrypted .yqm file" "$yoloq" decrypt "$plain" "$tmp/x.yqm" --key "$k"
expect_error "decrypt wrong key" "wrong key" "$yoloq" decrypt "$tmp/e.yqm" "$tmp/x.yqm" --key "$k2"
[ -e "$tmp/x.yqm" ] && bad "a failed decrypt left its output" || ok

# build --encrypt (float: quick)
model=$src/data/models/yolov5n.onnx
"$yoloq" build "$model" --no-quantize -o "$tmp/bf.yqm" --encrypt "$k" >"$tmp/bo" 2>&1 && ok || bad "build --encrypt: $(cat "$tmp/bo")"
"$yoloq" info "$tmp/bf.yqm" 2>&1 | grep -q "encrypted .yqm" && ok || bad "built file not encrypted"
"$yoloq" detect --model "$tmp/bf.yqm" --key "$k" "$img" 2>&1 | grep -q "bus.jpg: 810x1080" && ok || bad "detect on built encrypted model"
expect_error "build --encrypt junk" "not a key file" "$yoloq" build "$model" --no-quantize -o "$tmp/bj.yqm" --encrypt "$tmp/junk.key"
[ -e "$tmp/bj.yqm" ] && bad "build with a bad key wrote a file" || ok

# no key material in anything printed above (hex, or the raw bytes)
cat "$tmp"/*.out "$tmp/info" "$tmp/info2" "$tmp/de" "$tmp/b" "$tmp/bo" "$tmp/err" 2>/dev/null >"$tmp/all"
grep -qi "${keyhex:0:16}" "$tmp/all" && bad "key hex printed" || ok

# atomic outputs: kill a calibrating build at random moments
ds=$src/data/calib/dataset.txt
out=$tmp/kill/q.yqm
mkdir -p "$tmp/kill"
cp "$plain" "$out"
sum=$(sha256sum <"$out")
for sig in TERM KILL INT TERM KILL TERM; do
    delay=$(awk -v s=$RANDOM 'BEGIN { printf "%.2f", 0.1 + (s % 250) / 100 }')
    "$yoloq" build "$model" -o "$out" --dataset "$ds" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -s $sig $pid 2>/dev/null
    wait $pid
    rc=$?
    [ $rc -ne 0 ] && ok || bad "build killed by $sig after ${delay}s exited 0"
    [ "$(sha256sum <"$out")" = "$sum" ] && ok || bad "older output changed after SIG$sig at ${delay}s"
    if [ $sig != KILL ]; then
        [ "$(ls -A "$tmp/kill" | grep -vc '^q.yqm$')" = 0 ] && ok || bad "SIG$sig left: $(ls -A "$tmp/kill")"
    fi
    rm -f "$tmp/kill"/.q.yqm.tmp-* # SIGKILL cannot clean up; the next run must not mind
done
rm -f "$out"
"$yoloq" build "$model" -o "$out" --dataset "$ds" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -TERM $pid; wait $pid
[ -e "$out" ] && bad "killed build left a file at -o" || ok
[ -z "$(ls -A "$tmp/kill")" ] && ok || bad "killed build left: $(ls -A "$tmp/kill")"

finish
