#!/bin/sh
# Installs the Debian 12 packages teachkit needs to build, test and plot.
# Idempotent: only missing packages are installed, and nothing is fetched
# when all are present.  Run as root (or with sudo) on Debian 12.
set -eu

# python3-mesonpy ... python3-torch: the Python wheel, its tests and its example.
PACKAGES="build-essential meson ninja-build pkg-config \
libjansson-dev liblapacke-dev libopenblas-dev libdnnl-dev check \
python3 python3-numpy valgrind clang gnuplot-nox libopenmpi-dev openmpi-bin \
libbox2d-dev libclang-rt-14-dev \
python3-mesonpy python3-build python3-venv python3-pip patchelf python3-torch"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "setup: all packages present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
echo "setup: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "setup: done"
