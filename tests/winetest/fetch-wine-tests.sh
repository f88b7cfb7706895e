#!/bin/sh
# fetch-wine-tests.sh DIR: puts Wine 8.0's secur32 conformance tests
# (dlls/secur32/tests/*.c) and the two headers they build against
# (include/wine/test.h, include/wine/debug.h) into DIR, from Debian
# bookworm's `wine` source package.  Wine's code is never part of this
# project: it is fetched at test time and kept only in the build tree.
#
# The source tarball is downloaded once (apt-get source --download-only,
# which needs the deb-src entry tools/install-deps adds) into
# $SECUR32_CACHE (default /var/cache/secur32-gnutls/wine-8.0; DIR/../download
# when that cannot be written) and reused from there.
set -eu
dest=$1
cache=${SECUR32_CACHE:-/var/cache/secur32-gnutls}/wine-8.0
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache=$(dirname "$dest")/download
mkdir -p "$cache" "$dest"

tarball() { ls "$cache"/wine_8.0*.orig.tar.xz 2>/dev/null | head -n 1; }
if [ -z "$(tarball)" ]; then
    echo "fetch-wine-tests: downloading Debian's wine 8.0 source package into $cache (once, ~80 MB)" >&2
    (cd "$cache" && apt-get source --download-only -qq wine/bookworm > apt.log 2>&1) || {
        cat "$cache/apt.log" >&2
        echo "fetch-wine-tests: apt-get source wine/bookworm failed: run tools/install-deps as root" \
             "(it adds the deb-src entry for bookworm and runs apt-get update)" >&2
        exit 1
    }
    # Only the upstream tarball is needed; the Debian packaging diff is not.
    rm -f "$cache"/wine_8.0*.debian.tar.xz
fi
tb=$(tarball)
[ -n "$tb" ] || { echo "fetch-wine-tests: no wine_8.0*.orig.tar.xz in $cache" >&2; exit 1; }
tar -xJf "$tb" -C "$dest" --strip-components=1 --wildcards \
    '*/dlls/secur32/tests/*.c' '*/include/wine/test.h' '*/include/wine/debug.h'
for f in main negotiate ntlm schannel secur32; do
    [ -f "$dest/dlls/secur32/tests/$f.c" ] || { echo "fetch-wine-tests: $f.c missing from $tb" >&2; exit 1; }
done
echo "fetch-wine-tests: Wine's secur32 tests from $(basename "$tb") in $dest" >&2
