#!/bin/sh
# make install / make uninstall against a copy of Wine's library directory:
# install replaces the two files and keeps the originals, uninstall restores
# them byte for byte; the system's own Wine files stay untouched throughout.
set -u
build=${SECUR32_BUILDDIR:-$PWD}
n=0; failed=0
check() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }

# Wine's own library directory (configure's may be a staging one, as under distcheck).
sys=$(sed -n 's/^WINE_LIBDIR = //p' "$build/Makefile")
if [ ! -f "$sys/x86_64-windows/secur32.dll" ]; then
    for d in /usr/lib/x86_64-linux-gnu/wine /usr/lib/wine /usr/lib64/wine /usr/local/lib/wine; do
        [ -f "$d/x86_64-windows/secur32.dll" ] && { sys=$d; break; }
    done
fi
fake=$build/tests/install-root
rm -rf "$fake"
mkdir -p "$fake/x86_64-windows" "$fake/x86_64-unix"
cp -p "$sys/x86_64-windows/secur32.dll" "$fake/x86_64-windows/"
cp -p "$sys/x86_64-unix/secur32.so" "$fake/x86_64-unix/"
sys_sums=$(cat "$sys/x86_64-windows/secur32.dll" "$sys/x86_64-unix/secur32.so" | sha256sum)

# The 32-bit pair, when built: Wine's i386 files if wine32 is installed,
# else stand-ins with the same role (keep, replace, restore byte for byte).
i386=0
if [ -f "$build/i386/secur32.dll" ]; then
    i386=1
    sys32=$(sed -n 's/^WINE_LIBDIR_I386 = //p' "$build/Makefile")
    mkdir -p "$fake/i386-windows" "$fake/i386-unix"
    if [ -f "$sys32/i386-windows/secur32.dll" ] && [ -f "$sys32/i386-unix/secur32.so" ]; then
        cp -p "$sys32/i386-windows/secur32.dll" "$fake/i386-windows/"
        cp -p "$sys32/i386-unix/secur32.so" "$fake/i386-unix/"
    else
        echo "# no wine32 here: stand-ins for Wine's 32-bit secur32 files"
        head -c 4096 /dev/urandom > "$fake/i386-windows/secur32.dll"
        head -c 4096 /dev/urandom > "$fake/i386-unix/secur32.so"
    fi
    orig32=$build/tests/install-orig32
    rm -rf "$orig32"; mkdir -p "$orig32"
    cp -p "$fake/i386-windows/secur32.dll" "$fake/i386-unix/secur32.so" "$orig32/"
fi

make -s -C "$build" install WINE_LIBDIR="$fake" WINE_LIBDIR_I386="$fake" >/dev/null 2>&1
check $? "make install into a Wine library directory succeeds"
cmp -s "$fake/x86_64-windows/secur32.dll" "$build/secur32.dll"; check $? "installed secur32.dll is the built one"
cmp -s "$fake/x86_64-unix/secur32.so" "$build/secur32.so"; check $? "installed secur32.so is the built one"
cmp -s "$fake/x86_64-windows/secur32.dll.orig-before-secur32-gnutls" "$sys/x86_64-windows/secur32.dll"
check $? "Wine's secur32.dll is kept beside it"
make -s -C "$build" install WINE_LIBDIR="$fake" WINE_LIBDIR_I386="$fake" >/dev/null 2>&1
cmp -s "$fake/x86_64-windows/secur32.dll.orig-before-secur32-gnutls" "$sys/x86_64-windows/secur32.dll"
check $? "a second install keeps the original, not our copy"
if [ "$i386" = 1 ]; then
    cmp -s "$fake/i386-windows/secur32.dll" "$build/i386/secur32.dll"; check $? "installed i386 secur32.dll is the built one"
    cmp -s "$fake/i386-unix/secur32.so" "$build/i386/secur32.so"; check $? "installed i386 secur32.so is the built one"
    cmp -s "$fake/i386-windows/secur32.dll.orig-before-secur32-gnutls" "$orig32/secur32.dll" \
        && cmp -s "$fake/i386-unix/secur32.so.orig-before-secur32-gnutls" "$orig32/secur32.so"
    check $? "Wine's i386 pair is kept beside ours, also after a second install"
fi
make -s -C "$build" uninstall WINE_LIBDIR="$fake" WINE_LIBDIR_I386="$fake" >/dev/null 2>&1
check $? "make uninstall succeeds"
cmp -s "$fake/x86_64-windows/secur32.dll" "$sys/x86_64-windows/secur32.dll"; check $? "uninstall restores secur32.dll byte for byte"
cmp -s "$fake/x86_64-unix/secur32.so" "$sys/x86_64-unix/secur32.so"; check $? "uninstall restores secur32.so byte for byte"
[ ! -e "$fake/x86_64-windows/secur32.dll.orig-before-secur32-gnutls" ]; check $? "no backup left behind"
if [ "$i386" = 1 ]; then
    cmp -s "$fake/i386-windows/secur32.dll" "$orig32/secur32.dll"; check $? "uninstall restores i386 secur32.dll byte for byte"
    cmp -s "$fake/i386-unix/secur32.so" "$orig32/secur32.so"; check $? "uninstall restores i386 secur32.so byte for byte"
    ! ls "$fake"/i386-*/*.orig-before-secur32-gnutls >/dev/null 2>&1; check $? "no i386 backup left behind"
    rm -rf "$orig32"
fi
[ "$(cat "$sys/x86_64-windows/secur32.dll" "$sys/x86_64-unix/secur32.so" | sha256sum)" = "$sys_sums" ]
check $? "the system's Wine files were not touched"
if command -v dpkg >/dev/null 2>&1 && dpkg -S "$sys/x86_64-windows/secur32.dll" >/dev/null 2>&1; then
    pkg=$(dpkg -S "$sys/x86_64-windows/secur32.dll" | cut -d: -f1)
    ! dpkg -V "$pkg" 2>/dev/null | grep -q secur32; check $? "dpkg --verify $pkg: Wine's secur32 files match the package"
fi
rm -rf "$fake"
echo "1..$n"
exit $failed
