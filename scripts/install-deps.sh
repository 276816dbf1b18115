#!/bin/sh
# Install the Debian packages xmppc needs, only those missing; silent when
# everything is present. Safe to run again. Needs root (or sudo) to install.
# usage: install-deps.sh [build|test|interop|demo]...   (default: build)
set -eu

build_pkgs="meson ninja-build pkg-config gcc libc6-dev libxml2-dev libgnutls28-dev libidn2-dev
 libunistring-dev libsasl2-dev libcmocka-dev libc-ares-dev python3"
test_pkgs="g++ clang libclang-rt-14-dev valgrind binutils doxygen python3-precis-i18n dnsmasq-base libstrophe-dev"
# Real servers and a peer client for the interop suite (tests/servers/);
# lua-unbound is a Prosody Recommends (its DNS resolver; warns without it).
interop_pkgs="prosody lua-unbound ejabberd gnutls-bin python3-slixmpp dnsmasq-base"
demo_pkgs="prosody lua-unbound gnutls-bin"

want=""
[ $# -gt 0 ] || set -- build
for kind in "$@"; do
	case "$kind" in
	build) want="$want $build_pkgs" ;;
	test) want="$want $build_pkgs $test_pkgs $interop_pkgs" ;;
	interop) want="$want $interop_pkgs" ;;
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
# The tests run their own Prosody and ejabberd on free loopback ports: keep
# the packages' system services from starting on install (a policy-rc.d that
# denies just them, unless the machine already has one) and from boot.
policy=/usr/sbin/policy-rc.d
if [ ! -e $policy ]; then
	# shellcheck disable=SC2016
	printf '#!/bin/sh\ncase "$1" in prosody|prosody.*|ejabberd|ejabberd.*|epmd|epmd.*) exit 101 ;; esac\nexit 0\n' |
		$SUDO tee $policy >/dev/null && $SUDO chmod 755 $policy
	trap '$SUDO rm -f $policy' EXIT
fi
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get $apt_opts install -y --no-install-recommends $missing >/dev/null
for svc in prosody ejabberd; do
	case " $missing " in *" $svc "*) $SUDO update-rc.d "$svc" disable >/dev/null 2>&1 || true ;; esac
done
echo "install-deps: done"
