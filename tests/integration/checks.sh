# The tally shared by the integration scripts, sourced with
#   . "$(dirname "$0")/checks.sh"
# `check DESC CMD [ARGS...]` runs CMD and counts it passed or failed,
# printing "FAIL: DESC" on failure; every check runs even after one fails.
# `checks_done`, the script's last command, prints the tally and is its exit
# status (0 when nothing failed).
pass=0
fail=0
check() {
    desc=$1
    shift
    if "$@"; then pass=$((pass + 1)); else echo "FAIL: $desc"; fail=$((fail + 1)); fi
}
checks_done() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
