# wine-run-server.sh: sourced by tools/wine-run inside its mount namespace.
#
# Wine opens DLL files inside the wineserver, so the wineserver of the prefix
# must see this namespace's bind mounts.  One started outside (by a plain
# `wine`, by another build's runner, or by the runner in the other WoW64
# mode) would pair Wine's secur32.dll with our secur32.so or the reverse.
# So: if a wineserver of this prefix is running, it must see the very files
# we bound (checked through /proc/PID/root, which resolves paths in that
# process's own mount namespace); if it does not, wait a little for it to
# exit (an idle one lingers for a few seconds), then refuse.  If none is
# running, the first Wine process of the command starts one here, inside
# this namespace.  SECUR32_WINESERVER_WAIT: half-seconds to wait (20).
# Expects SR_BOUND ("SOURCE:TARGET ...") and WINEPREFIX.

# PID of the wineserver serving $WINEPREFIX, or nothing.  Wine's server runs
# in a directory named server-DEV-INODE (hex st_dev and st_ino of the
# prefix) under /tmp/.wine-UID, or under /tmp/wine-XXXXXX in Debian's build;
# seen from another mount namespace (a chroot) the path may carry a prefix.
wineserver_of_prefix() {
    [ -d "$WINEPREFIX" ] || return 0
    # shellcheck disable=SC2046
    set -- $(stat -L -c '%d %i' "$WINEPREFIX")
    name=server-$(printf %x "$1")-$(printf %x "$2")
    for p in /proc/[0-9]*; do
        case $(readlink "$p/cwd" 2>/dev/null) in
            */"$name") ;;
            *) continue ;;
        esac
        case $(cat "$p/comm" 2>/dev/null) in
            wineserver*) echo "${p#/proc/}"; return 0 ;;
        esac
    done
}

# Does process $1 see every file we bound as ours?
sees_our_files() {
    for pair in $SR_BOUND; do
        cmp -s "${pair%%:*}" "/proc/$1/root${pair#*:}" || return 1
    done
}

own_wineserver_or_refuse() {
    tries=0
    while pid=$(wineserver_of_prefix) && [ -n "$pid" ] && ! sees_our_files "$pid"; do
        if [ "$tries" -ge "${SECUR32_WINESERVER_WAIT:-20}" ]; then
            echo "wine-run: the wineserver of $WINEPREFIX (pid $pid) was started outside this runner and serves other secur32 files than $SR_DLL_DIR's; stop it (WINEPREFIX=$WINEPREFIX wineserver -k) or use another --prefix" >&2
            exit 2
        fi
        tries=$((tries + 1))
        sleep 0.5
    done
}
