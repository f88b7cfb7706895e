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

# ---- other layouts, as fake trees with stand-in Wine files ----
# Proton's split tree (files/lib64/wine + files/lib/wine), the same without
# its 32-bit half, an upstream/WineHQ new-WoW64 tree (i386-windows/ beside
# x86_64-*, no i386-unix/) and an upstream old-style combined tree.
layout=$build/tests/install-layouts
stand_in() { mkdir -p "$(dirname "$1")"; head -c 2048 /dev/urandom > "$1"; }
snapshot() { (cd "$1" && find . -type f | sort | xargs sha256sum); }
i386_dir_of() { sh "$srcdir/tools/wine-layout" i386-dir "$1"; }
srcdir=${SECUR32_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
# try_layout NAME LIB64: install into LIB64 with the i386 tree wine-layout
# finds, check every Wine file was replaced by the built one, uninstall,
# check the tree is as before byte for byte.  Files named in $expect_ours
# (relative to the tree root) must be ours after install.
try_layout() {
    name=$1 lib64=$2
    before=$(snapshot "$layout")
    i386dir=$(i386_dir_of "$lib64")
    out=$(make -s -C "$build" install WINE_LIBDIR="$lib64" WINE_LIBDIR_I386="$i386dir" 2>&1)
    check $? "$name: make install succeeds"
    for f in $expect_ours; do
        case $f in
            *i386-windows/secur32.dll) built=$build/i386/secur32.dll ;;
            *i386-unix/secur32.so) built=$build/i386/secur32.so ;;
            *x86_64-windows/secur32.dll) built=$build/secur32.dll ;;
            *) built=$build/secur32.so ;;
        esac
        cmp -s "$layout/$f" "$built"; check $? "$name: $f is the built one"
    done
    make -s -C "$build" uninstall WINE_LIBDIR="$lib64" WINE_LIBDIR_I386="$i386dir" >/dev/null 2>&1
    check $? "$name: make uninstall succeeds"
    [ "$(snapshot "$layout")" = "$before" ]; check $? "$name: uninstall leaves the tree byte for byte as before"
}

rm -rf "$layout"
# Proton: the i386 tree is files/lib/wine of the same installation.
for f in files/lib64/wine/x86_64-windows/secur32.dll files/lib64/wine/x86_64-unix/secur32.so \
         files/lib/wine/i386-windows/secur32.dll files/lib/wine/i386-unix/secur32.so; do
    stand_in "$layout/proton/$f"
done
[ "$(i386_dir_of "$layout/proton/files/lib64/wine")" = "$layout/proton/files/lib/wine" ]
check $? "Proton split tree: the i386 tree found is files/lib/wine of the same installation"
if [ "$i386" = 1 ]; then
    expect_ours="proton/files/lib64/wine/x86_64-windows/secur32.dll proton/files/lib64/wine/x86_64-unix/secur32.so
proton/files/lib/wine/i386-windows/secur32.dll proton/files/lib/wine/i386-unix/secur32.so"
else
    expect_ours="proton/files/lib64/wine/x86_64-windows/secur32.dll proton/files/lib64/wine/x86_64-unix/secur32.so"
fi
try_layout "Proton split tree" "$layout/proton/files/lib64/wine"

# Proton without its lib/wine: no i386 tree, never the system's.
rm -rf "$layout"
for f in files/lib64/wine/x86_64-windows/secur32.dll files/lib64/wine/x86_64-unix/secur32.so; do
    stand_in "$layout/proton64/$f"
done
[ -z "$(i386_dir_of "$layout/proton64/files/lib64/wine")" ]
check $? "Proton tree without lib/wine: no i386 tree (not the system's Wine)"
if [ "$i386" = 1 ]; then
    out=$(make -s -C "$build" install WINE_LIBDIR="$layout/proton64/files/lib64/wine" WINE_LIBDIR_I386= 2>&1)
    case $out in *"the 32-bit pair is not installed"*) r=0 ;; *) r=1 ;; esac
    check $r "Proton tree without lib/wine: make install says the 32-bit pair is not installed"
    make -s -C "$build" uninstall WINE_LIBDIR="$layout/proton64/files/lib64/wine" WINE_LIBDIR_I386= >/dev/null 2>&1
fi

# New WoW64 (WineHQ's Wine 11 default): the i386 PE beside x86_64-*; the
# 64-bit secur32.so serves 32-bit processes.
rm -rf "$layout"
for f in x86_64-windows/secur32.dll x86_64-unix/secur32.so i386-windows/secur32.dll; do
    stand_in "$layout/wow64/lib/wine/$f"
done
[ -z "$(i386_dir_of "$layout/wow64/lib/wine")" ]; check $? "new-WoW64 tree: no old-style i386 tree"
expect_ours="wow64/lib/wine/x86_64-windows/secur32.dll wow64/lib/wine/x86_64-unix/secur32.so"
[ "$i386" = 1 ] && expect_ours="$expect_ours wow64/lib/wine/i386-windows/secur32.dll"
try_layout "new-WoW64 tree" "$layout/wow64/lib/wine"
[ ! -e "$layout/wow64/lib/wine/i386-unix" ]; check $? "new-WoW64 tree: no i386-unix/ created"
nm -D --defined-only "$build/secur32.so" 2>/dev/null | grep -q ' __wine_unix_call_wow64_funcs$'
check $? "the 64-bit secur32.so exports __wine_unix_call_wow64_funcs for new WoW64"

# Upstream old-style combined tree: both pairs in one directory.
rm -rf "$layout"
for f in x86_64-windows/secur32.dll x86_64-unix/secur32.so i386-windows/secur32.dll i386-unix/secur32.so; do
    stand_in "$layout/combined/lib/wine/$f"
done
[ "$(i386_dir_of "$layout/combined/lib/wine")" = "$layout/combined/lib/wine" ]
check $? "combined tree: its own i386 pair"
expect_ours="combined/lib/wine/x86_64-windows/secur32.dll combined/lib/wine/x86_64-unix/secur32.so"
[ "$i386" = 1 ] && expect_ours="$expect_ours combined/lib/wine/i386-windows/secur32.dll combined/lib/wine/i386-unix/secur32.so"
try_layout "combined tree" "$layout/combined/lib/wine"
rm -rf "$layout"
echo "1..$n"
exit $failed
