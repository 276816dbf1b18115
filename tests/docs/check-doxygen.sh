#!/bin/sh
# Doxygen finds no undocumented or mis-documented item in the public headers.
# usage: check-doxygen.sh DOXYGEN INCLUDE_DIR
set -eu
doxygen=$1 inc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/Doxyfile" <<EOC
INPUT = $inc/xmppc
FILE_PATTERNS = *.h
RECURSIVE = YES
OUTPUT_DIRECTORY = $tmp/out
GENERATE_HTML = NO
GENERATE_LATEX = NO
GENERATE_XML = YES
EXTRACT_ALL = NO
WARN_IF_UNDOCUMENTED = YES
WARN_IF_DOC_ERROR = YES
WARN_NO_PARAMDOC = NO
WARN_LOGFILE = $tmp/warnings
OPTIMIZE_OUTPUT_FOR_C = YES
MACRO_EXPANSION = YES
PREDEFINED = XMPPC_API= XMPPC_BEGIN_DECLS= XMPPC_END_DECLS=
QUIET = YES
EOC
"$doxygen" "$tmp/Doxyfile"
if [ -s "$tmp/warnings" ]; then
	cat "$tmp/warnings"
	echo "$(wc -l < "$tmp/warnings") Doxygen warning line(s) in the public headers"
	exit 1
fi
echo "public headers fully documented"
