#!/bin/sh
# Every ```c block of README.md compiles warning-free against the public
# headers, links with the built library and runs successfully (a block
# marked 'readme: compile-only' needs a server: tests/interop runs it).
# usage: check-readme.sh README CC INCLUDE_DIR LIB_DIR
set -eu
readme=$1 cc=$2 inc=$3 libdir=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '/^```c$/ {n++; f=dir "/ex" n ".c"; inblock=1; next}
	/^```/ {inblock=0; next}
	inblock {print > f}' "$readme"
count=0
for src in "$tmp"/ex*.c; do
	[ -f "$src" ] || continue
	count=$((count + 1))
	$cc -std=c11 -Wall -Wextra -Werror -I"$inc" -o "$src.bin" "$src" -L"$libdir" -lxmppc
	if grep -q 'readme: compile-only' "$src"; then
		echo "--- compiled $(basename "$src") (needs a server: run by the interop suite)"
		continue
	fi
	echo "--- running $(basename "$src")"
	LD_LIBRARY_PATH="$libdir" "$src.bin"
done
[ "$count" -gt 0 ] || { echo "no C example found in $readme"; exit 1; }
echo "$count README example(s) compiled and ran"
