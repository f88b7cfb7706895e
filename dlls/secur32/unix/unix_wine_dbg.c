/*
 * ntdll.so's debug exports, called in the convention the running Wine uses.
 *
 * Wine 8 builds its Unix libraries with __cdecl meaning the Microsoft x64
 * convention; Wine 10 builds them with the System V one (its windef.h under
 * WINE_UNIX_LIB), so the same three exports take their arguments in other
 * registers.  One build of ours serves both: each convention has its own
 * functions here, kept out of line and out of inter-procedural optimisation,
 * so that GCC never folds two calls through one pointer cast two ways.
 *
 * The convention is found by asking ntdll.so itself: __wine_dbg_strdup(str)
 * is called once with one marker string in the first System V argument
 * register (rdi) and another in the first Microsoft one (rcx); the copy it
 * returns names the register it read.  Both pointers are valid strings, so
 * the call is harmless either way.  The channel flags cannot tell (Wine 8's
 * answer looks plausible both ways).
 */
#include <string.h>

#include "unix_wine_dbg.h"

/* Never inlined or merged with the other convention's twin (clang, which
 * builds the fuzz targets, has no noipa; optnone keeps it as separate). */
#ifdef __clang__
#define ABI_CALL __attribute__((noinline, optnone))
#else
#define ABI_CALL __attribute__((noinline, noipa))
#endif

#ifdef __x86_64__
#define MS_ABI __attribute__((ms_abi))
#else
#define MS_ABI   /* i386: Wine's __cdecl is the one C convention */
#endif

typedef unsigned char (MS_ABI *flags_ms_fn)(struct wine_debug_channel *);
typedef int (MS_ABI *header_ms_fn)(int, struct wine_debug_channel *, const char *);
typedef int (MS_ABI *output_ms_fn)(const char *);
typedef unsigned char (*flags_sysv_fn)(struct wine_debug_channel *);
typedef int (*header_sysv_fn)(int, struct wine_debug_channel *, const char *);
typedef int (*output_sysv_fn)(const char *);

ABI_CALL unsigned char wine_dbg_flags_ms(void *fn, struct wine_debug_channel *channel)
{
    return ((flags_ms_fn)fn)(channel);
}

ABI_CALL unsigned char wine_dbg_flags_sysv(void *fn, struct wine_debug_channel *channel)
{
    return ((flags_sysv_fn)fn)(channel);
}

ABI_CALL int wine_dbg_header_ms(void *fn, int cls, struct wine_debug_channel *channel, const char *func)
{
    return ((header_ms_fn)fn)(cls, channel, func);
}

ABI_CALL int wine_dbg_header_sysv(void *fn, int cls, struct wine_debug_channel *channel, const char *func)
{
    return ((header_sysv_fn)fn)(cls, channel, func);
}

ABI_CALL int wine_dbg_output_ms(void *fn, const char *text)
{
    return ((output_ms_fn)fn)(text);
}

ABI_CALL int wine_dbg_output_sysv(void *fn, const char *text)
{
    return ((output_sysv_fn)fn)(text);
}

#ifdef __x86_64__
static const char sysv_marker[] = "secur32-gnutls:abi-probe:sysv";
static const char ms_marker[] = "secur32-gnutls:abi-probe:ms";

/* fn(rdi = sysv_arg, rcx = ms_arg) on an aligned stack below the red zone
 * with the 32 bytes of home space the Microsoft convention wants; every
 * register either convention lets the callee change is declared clobbered. */
ABI_CALL static const char *call_with_both_first_args(void *fn, const char *sysv_arg, const char *ms_arg)
{
    const char *ret;

    __asm__ volatile(
        "mov %%rsp, %%r12\n\t"
        "sub $128, %%rsp\n\t"
        "and $-16, %%rsp\n\t"
        "sub $32, %%rsp\n\t"
        "call *%%rax\n\t"
        "mov %%r12, %%rsp"
        : "=a"(ret), "+D"(sysv_arg), "+c"(ms_arg)
        : "0"(fn)
        : "rdx", "rsi", "r8", "r9", "r10", "r11", "r12", "memory", "cc",
          "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
          "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    return ret;
}

enum wine_dbg_abi wine_dbg_probe_abi(void *strdup_fn)
{
    const char *copy;

    if (!strdup_fn)
        return WINE_DBG_ABI_NONE;
    copy = call_with_both_first_args(strdup_fn, sysv_marker, ms_marker);
    if (copy && !strcmp(copy, sysv_marker))
        return WINE_DBG_ABI_SYSV;
    if (copy && !strcmp(copy, ms_marker))
        return WINE_DBG_ABI_MS;
    return WINE_DBG_ABI_NONE;
}
#else
enum wine_dbg_abi wine_dbg_probe_abi(void *strdup_fn)
{
    return strdup_fn ? WINE_DBG_ABI_SYSV : WINE_DBG_ABI_NONE;
}
#endif
