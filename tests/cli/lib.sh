# SPDX-License-Identifier: Apache-2.0
# Shared by the CLI test scripts (sourced; not a test itself): counters, a temporary folder
# removed on exit, and expect_error. Set `noise` (a grep pattern of stderr lines that are
# not the error: progress bars, usage hints) before calling expect_error.
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect_error NAME PATTERN CMD...: non-zero exit (not a signal), exactly one stderr line
# (besides `noise`) matching PATTERN.
expect_error() {
    local name=$1 pat=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -eq 0 ] || [ $rc -ge 128 ]; then bad "$name: exit $rc"; return; fi
    local lines; lines=$(grep -vc -- "$noise" "$tmp/err")
    if [ "$lines" != 1 ]; then bad "$name: $lines error lines: $(cat "$tmp/err")"; return; fi
    if ! grep -q -- "$pat" "$tmp/err"; then bad "$name: message '$(cat "$tmp/err")' lacks '$pat'"; return; fi
    ok
}

# The summary line the test harness reads, and the exit status: 1 on a failure or when
# nothing was checked, 77 (ctest's SKIP_RETURN_CODE) when every check skipped.
finish() {
    echo "$pass passed, $fail failed, $skip skipped"
    [ $fail -eq 0 ] || exit 1
    [ $pass -gt 0 ] || { [ $skip -gt 0 ] && exit 77; echo "no check ran" >&2; exit 1; }
    exit 0
}
