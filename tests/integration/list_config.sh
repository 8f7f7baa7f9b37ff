#!/bin/sh
# `teachkit list --config` prints each default as its author wrote it: the
# shortest text that reads back as the same double (0.2, not
# 0.20000000000000001), integers as integers, and reals still as reals.
# usage: list_config.sh TEACHKIT_BINARY
set -u
tk=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
. "$(dirname "$0")/checks.sh"
check "list --config" sh -c "'$tk' list --config > '$out'"
check "alp-gmm's random_task_ratio reads 0.2" grep -q '"random_task_ratio": 0.2,' "$out"
check "alp-gmm's reg_covar reads 1e-06" grep -q '"reg_covar": 1e-06,' "$out"
check "integers stay integers" grep -q '"fit_rate": 250,' "$out"
# Round-off noise of 17 digits: a run of zeros or nines, then a digit.
check "no real carries round-off digits" sh -c "! grep -E '\\.[0-9]*(0{8,}|9{8,})[0-9]' '$out'"
checks_done
