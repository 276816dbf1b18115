#!/bin/sh
# Install the Debian packages xmppc needs, only those missing; silent when
# everything is present. Safe to run again. Needs root (or sudo) to install.
# usage: install-deps.sh [build|test|demo]...   (default: build)
set -eu

build_pkgs="meson ninja-build pkg-config gcc libc6-dev libxml2-dev libgnutls28-dev libidn2-dev
 libunistring-dev libsasl2-dev libcmocka-dev python3"
test_pkgs="g++ clang libclang-rt-14-dev valgrind binutils doxygen python3-precis-i18n"
demo_pkgs=""

want=""
[ $# -gt 0 ] || set -- build
for kind in "$@"; do
	case "$kind" in
	build) want="$want $build_pkgs" ;;
	test) want="$want $build_pkgs $test_pkgs" ;;
	demo) want="$want $build_pkgs $demo_pkgs" ;;
	*) echo "install-deps.sh: unknown set '$kind'" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -n "$missing" ] || exit 0

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# Another apt run may hold the dpkg lock (unattended upgrades, a parallel
# job): wait for it rather than fail.
apt_opts="-o DPkg::Lock::Timeout=600 -q"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$SUDO apt-get $apt_opts update >/dev/null
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get $apt_opts install -y --no-install-recommends $missing >/dev/null
echo "install-deps: done"
