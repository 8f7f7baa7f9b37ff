#!/bin/sh
# Installs what is missing, builds teachkit (optimised) and runs the default
# study: every teacher of Portelas et al. (2019) on the 2-D toy grid env,
# 10 seeds each, in parallel worker processes; then prints the report and
# writes it with the plots into studies/toy-teachers/.
# Running it again reuses the finished runs.
# Usage: sh tools/run_default_study.sh [extra `teachkit study` options]
set -eu
cd "$(dirname "$0")/.."
sh tools/setup.sh
if [ ! -f build-release/build.ninja ]; then
    meson setup build-release --buildtype=release -Dtests=false >/dev/null
fi
ninja -C build-release >/dev/null
./build-release/teachkit study examples/default_study.json --out studies/toy-teachers --plots "$@"
