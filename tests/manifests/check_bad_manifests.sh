#!/bin/sh
# Every manifest in tests/manifests/bad must make `teachkit validate` and
# `teachkit run` exit with status 1 (not a crash: no signal, no sanitizer
# report) and print exactly one line on stderr that contains the expected
# JSON path or syntax position from expected.tsv.
# usage: check_bad_manifests.sh TEACHKIT_BINARY CORPUS_DIR
set -u
teachkit=$1
corpus=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pass=0
fail=0
while IFS='	' read -r name expect; do
    case "$name" in ''|'#'*) continue ;; esac
    file="$corpus/$name.json"
    for verb in validate run; do
        if [ "$verb" = run ]; then
            "$teachkit" run "$file" --out "$out/$name" --quiet >/dev/null 2>"$out/err"
        else
            "$teachkit" validate "$file" >/dev/null 2>"$out/err"
        fi
        rc=$?
        lines=$(wc -l < "$out/err")
        if [ "$rc" -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$expect" "$out/err" ||
           ! grep -qF -- "$name.json" "$out/err"; then
            echo "FAIL $verb $name: exit $rc, $lines stderr lines, expected \"$expect\":"
            sed 's/^/    /' "$out/err"
            fail=$((fail + 1))
        else
            pass=$((pass + 1))
        fi
    done
done < "$corpus/expected.tsv"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
