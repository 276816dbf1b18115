#!/bin/sh
# Install the build into a scratch DESTDIR, then build and run a program
# against it using only pkg-config, as an application developer would.
# usage: check-install.sh BUILD_DIR CC
set -eu
build=$1 cc=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >"$dest/install.log" 2>&1 ||
	{ cat "$dest/install.log"; exit 1; }
pc=$(find "$dest" -name xmppc.pc | head -n 1)
[ -n "$pc" ] || { echo "xmppc.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$dest"
cflags=$(pkg-config --cflags xmppc)
libs=$(pkg-config --libs xmppc)
echo "pkg-config --cflags xmppc: $cflags"
echo "pkg-config --libs xmppc: $libs"
case "$libs" in *-lxmppc*) ;; *) echo "pkg-config --libs lacks -lxmppc"; exit 1;; esac
for h in xmppc.h stanza.h parser.h jid.h; do
	[ -f "$(find "$dest" -path "*/include/xmppc/$h" | head -n 1)" ] || { echo "missing header $h"; exit 1; }
done
cat > "$dest/app.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <xmppc/xmppc.h>

int main(void)
{
	xmppc_ctx *ctx;
	xmppc_stanza *msg;
	xmppc_buf *out;

	if (xmppc_ctx_new(&ctx, NULL) != 0 || xmppc_buf_new(&out, ctx) != 0)
		return 1;
	if (xmppc_message_new(&msg, ctx, XMPPC_TYPE_CHAT, "juliet@example.com", "hi") != 0)
		return 2;
	if (xmppc_stanza_to_xml(out, msg, XMPPC_NS_CLIENT) != 0)
		return 3;
	printf("xmppc %s: %s\n", xmppc_version(), xmppc_buf_data(out));
	if (strncmp(xmppc_buf_data(out), "<message type=\"chat\"", 20) != 0)
		return 4;
	xmppc_stanza_unref(msg);
	xmppc_buf_free(out);
	return xmppc_ctx_unref(ctx) == NULL ? 0 : 5;
}
C
# shellcheck disable=SC2086
$cc -std=c99 -Wall -Wextra -Werror $cflags -o "$dest/app" "$dest/app.c" $libs
libdir=$(dirname "$(find "$dest" -name 'libxmppc.so.0' | head -n 1)")
LD_LIBRARY_PATH="$libdir" "$dest/app"
# the program really uses the installed library
LD_LIBRARY_PATH="$libdir" ldd "$dest/app" | grep -q "$dest" || { echo "not linked to the installed library"; exit 1; }
echo "install check passed"
