#!/bin/sh
# Run one libFuzzer target for a bounded time (the meson 'fuzz' suite).
#
# usage: run-fuzzer.sh FUZZER SECONDS SEED_DIR ARTIFACT_DIR [libFuzzer flags...]
#
# New corpus units go to a fresh temporary directory (removed afterwards),
# so the checked-in seeds are only read, never modified. Crash, leak,
# timeout and out-of-memory reproducers are written to ARTIFACT_DIR (in the
# build directory) and kept. The exit status is the fuzzer's.
set -u

if [ $# -lt 4 ]; then
	echo "usage: $0 FUZZER SECONDS SEED_DIR ARTIFACT_DIR [libFuzzer flags...]" >&2
	exit 2
fi
fuzzer=$1
seconds=$2
seeds=$3
artifacts=$4
shift 4

mkdir -p "$artifacts" || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/xmppc-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# Every sanitizer finding must stop the run (meson sets similar defaults).
: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=1}"
: "${UBSAN_OPTIONS:=halt_on_error=1:abort_on_error=1:print_stacktrace=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$work" "$seeds"
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "run-fuzzer: $(basename "$fuzzer") exited with status $rc; reproducers in $artifacts:" >&2
	ls -l "$artifacts" >&2
fi
exit "$rc"
