#!/bin/sh
# The shared library exports exactly the functions listed in the version
# script, all of them prefixed xmppc_, and every XMPPC_API declaration in
# the public headers is among them.
# usage: check-symbols.sh LIBRARY MAPFILE INCLUDE_DIR
set -eu
lib=$1 map=$2 inc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' |
	grep -v '^XMPPC_[0-9]' | sort -u > "$tmp/exported"
sed -n '/global:/,/local:/p' "$map" | grep -o 'xmppc_[A-Za-z0-9_]*' | sort -u > "$tmp/map"
find "$inc/xmppc" -name '*.h' -exec cat {} + | tr '\n' ' ' | grep -o 'XMPPC_API[^;]*;' | grep -o 'xmppc_[a-z0-9_]*(' |
	tr -d '(' | sort -u > "$tmp/declared"
status=0
if ! diff -u "$tmp/map" "$tmp/exported" > "$tmp/d1"; then
	echo "exported symbols differ from $map (- map, + exported):"; cat "$tmp/d1"; status=1
fi
if ! diff -u "$tmp/declared" "$tmp/map" > "$tmp/d2"; then
	echo "XMPPC_API declarations differ from $map (- headers, + map):"; cat "$tmp/d2"; status=1
fi
if grep -v '^xmppc_' "$tmp/exported"; then
	echo "symbols above are exported without the xmppc_ prefix"; status=1
fi
n=$(wc -l < "$tmp/exported")
[ "$n" -gt 0 ] || { echo "no symbols exported at all"; status=1; }
echo "$n exported symbols checked"
exit $status
