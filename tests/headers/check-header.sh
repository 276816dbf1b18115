#!/bin/sh
# Compile one public header on its own, twice included, with every warning
# as an error: as C99 -pedantic (LANG=c) or as C++ (LANG=c++).
# usage: check-header.sh COMPILER LANG INCLUDE_DIR HEADER
set -eu
compiler=$1 lang=$2 incdir=$3 header=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$lang" = c ]; then
	src=$tmp/t.c
	flags="-std=c99 -pedantic -Wall -Wextra -Werror -Wstrict-prototypes"
else
	src=$tmp/t.cpp
	flags="-std=c++11 -pedantic -Wall -Wextra -Werror"
fi
printf '#include <xmppc/%s>\n#include <xmppc/%s>\nint main(void) { return 0; }\n' "$header" "$header" > "$src"
exec $compiler $flags -I"$incdir" -fsyntax-only -x "$lang" "$src"
