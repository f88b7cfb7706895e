/*
 * Calls into ntdll.so's debug exports in either calling convention
 * (unix_wine_dbg.c); used only by unix_debug.c.
 */
#ifndef SCHAN_UNIX_WINE_DBG_H
#define SCHAN_UNIX_WINE_DBG_H

/* Wine's public debug ABI: the flags byte caches the enabled classes (bit n
 * = class n; bit 7 = not looked up yet), followed by the channel name. */
struct wine_debug_channel {
    unsigned char flags;
    char name[15];
};

/* How ntdll.so's __wine_dbg_* exports take their arguments. */
enum wine_dbg_abi {
    WINE_DBG_ABI_UNKNOWN = 0,  /* not probed yet */
    WINE_DBG_ABI_MS,           /* Microsoft x64 (Wine 8) */
    WINE_DBG_ABI_SYSV,         /* System V (Wine 10; every 32-bit Wine) */
    WINE_DBG_ABI_NONE,         /* the probe failed: do not call Wine */
};

/* Which convention __wine_dbg_strdup (STRDUP) uses.  Call only on a thread
 * Wine made (it uses Wine's per-thread debug buffer). */
enum wine_dbg_abi wine_dbg_probe_abi(void *strdup_fn);

unsigned char wine_dbg_flags_ms(void *fn, struct wine_debug_channel *channel);
unsigned char wine_dbg_flags_sysv(void *fn, struct wine_debug_channel *channel);
int wine_dbg_header_ms(void *fn, int cls, struct wine_debug_channel *channel, const char *func);
int wine_dbg_header_sysv(void *fn, int cls, struct wine_debug_channel *channel, const char *func);
int wine_dbg_output_ms(void *fn, const char *text);
int wine_dbg_output_sysv(void *fn, const char *text);

#endif
